"""Each role's first page after signing in (their own pages grow from here; the worker's home
is ``worker_record.worker_home``, the agency's ``agency_claims.agency_home``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AdminPage, ProviderPage
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.accounts.principal import Actor, Role

router = page_router()

_ROLE_NAMES = {
    Role.WORKER: N_("Worker"),
    Role.PROVIDER: N_("Training provider"),
    Role.AGENCY: N_("Agency"),
    Role.ADMIN: N_("Administrator"),
}


async def _landing(request: Request, actor: Actor, heading: str) -> Response:
    binding: list[tuple[str, str]] = []
    if actor.organisation_id:
        binding.append((t(request, "Organisation"), actor.organisation_id))
    if actor.region_prefix:
        binding.append((t(request, "Region code"), actor.region_prefix))
    return await render(
        request,
        "landing.html",
        {
            "heading": heading,
            "role_name": t(request, _ROLE_NAMES[actor.role]),
            "binding": binding,
        },
    )


@router.get("/provider")
async def provider_home(request: Request, actor: ProviderPage) -> Response:
    """A training provider's first page."""
    return await _landing(request, actor, t(request, "Training provider"))


@router.get("/administration")
async def admin_home(request: Request, actor: AdminPage) -> Response:
    """An administrator's first page."""
    return await _landing(request, actor, t(request, "Administration"))
