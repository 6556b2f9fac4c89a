"""The provider's training projects (项目制培训, issue 27): the projects an agency bought from
it (``/provider/projects``), one project with what its group's records measure now, and the
claim of a milestone whose condition they meet (``/provider/projects/{id}``). The same
services as ``/projects``; the provider never sees the fraud rules' flags nor the workers'
disputes, only that a claim is under review."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.runtime import get_runtime
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.project_words import CHANGED, notice_of, project_words, refusal
from api.web.routes.provider_console import SUSPENDED, console_page
from api.web.routing import page_router
from api.web.templating import t
from portfolio import projects
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.integrity import Thresholds

router = page_router()
HOME = "/provider/projects"


@router.get(HOME)
async def project_list(request: Request, actor: ProviderPage) -> Response:
    """The projects bought from this provider, newest first."""
    found = await projects.list_visible(actor=actor)
    return await console_page(
        request, "provider/projects/list.html", {**project_words(request), "items": found}
    )


@router.get(HOME + "/{project_id}")
async def project_page(
    request: Request, actor: ProviderPage, project_id: str, notice: str = ""
) -> Response:
    """One project, its figures now, and the claim of an open milestone."""
    min_share = get_runtime(request).settings.claim_min_attendance_share
    found = await projects.get(actor=actor, project_id=project_id)
    figures = await projects.measured(actor=actor, project_id=project_id, min_share=min_share)
    return await console_page(
        request,
        "provider/projects/project.html",
        {
            **project_words(request),
            "project": found,
            "figures": figures,
            "notice": notice_of(request, notice),
        },
    )


@router.post(HOME + "/{project_id}/milestones/{n}/claim")
async def claim_milestone(
    request: Request, actor: ProviderPage, project_id: str, n: int, form: SessionForm
) -> Response:
    """Claim the milestone; back to the project with a notice, or with why not."""
    here = f"{HOME}/{project_id}"
    settings = get_runtime(request).settings

    async def act() -> Response:
        try:
            await projects.claim(
                actor=actor,
                project_id=project_id,
                n=n,
                note=form.get("note"),
                min_share=settings.claim_min_attendance_share,
                limits=Thresholds.of(settings),
            )
        except ValidationFailed as failed:
            found = [PageError("note", refusal(request, e.rule, e.message)) for e in failed.errors]
            return back_to_form(here, found, {"note": form.get("note")})
        except Conflict:
            return back_to_form(here, [PageError("note", t(request, CHANGED))], {})
        except Forbidden:  # the organisation is suspended (the project itself it can read)
            return back_to_form(here, [PageError("note", t(request, SUSPENDED))], {})
        return see_other(f"{here}?notice=claimed")

    return await once(request, form, actor.principal_id, act)
