"""Issuing a policy's vouchers to everyone eligible in its region, from the policy's page: the
officer starts the job (``issue_runs.start``), which goes on in the background a page of
archives at a time, and its page shows how far it got (refreshing itself while it runs; the
officer may leave and come back, from the policy's page). A run stopped by a restart is
resumed with one button; two workers never process the same page (the run's lease).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.errors import Conflict, Forbidden
from portfolio.vouchers import issue_runs

router = page_router()
_RUNNING = N_("Vouchers of this policy are being issued to everyone already: see that run.")
_NOT_YOURS = N_("Only an agency whose region covers the whole policy may issue it.")


def _run_page(policy_id: str, run_id: str) -> str:
    return f"/agency/policies/{policy_id}/runs/{run_id}"


def _spawn(request: Request, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` in the background, keeping a reference until it ends (``app.state``)."""
    tasks: set[asyncio.Task[None]] = getattr(request.app.state, "issue_runs", set())
    request.app.state.issue_runs = tasks
    task = asyncio.create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def _go_on(request: Request, run_id: str) -> None:
    _spawn(request, issue_runs.run_all(run_id, keyring=get_runtime(request).keyring))


@router.post("/agency/policies/{policy_id}/issue-all")
async def issue_to_everyone(
    request: Request, actor: AgencyPage, policy_id: str, form: SessionForm
) -> Response:
    """Start issuing to everyone eligible in the policy's region; then its progress page."""
    here = f"/agency/policies/{policy_id}"

    async def act() -> Response:
        try:
            run = await issue_runs.start(
                actor=actor, policy_id=policy_id, note=form.get("everyone_note")
            )
        except Forbidden:
            return back_to_form(here, [PageError("everyone", t(request, _NOT_YOURS))], {})
        except Conflict as going:
            if going.extra.get("run_id"):
                return see_other(_run_page(policy_id, str(going.extra["run_id"])))
            return back_to_form(here, [PageError("everyone", t(request, _RUNNING))], {})
        _go_on(request, run.id)
        return see_other(_run_page(policy_id, run.id))

    return await once(request, form, actor.principal_id, act)


@router.get("/agency/policies/{policy_id}/runs/{run_id}")
async def run_page(request: Request, actor: AgencyPage, policy_id: str, run_id: str) -> Response:
    """How far the run got: archives seen of those counted, vouchers issued, refused."""
    run = await issue_runs.get_run(actor=actor, run_id=run_id)
    return await render(
        request,
        "agency/policies/run.html",
        {**page_words(request), "run": run, "policy_id": policy_id},
    )


@router.post("/agency/policies/{policy_id}/runs/{run_id}/resume")
async def resume(
    request: Request, actor: AgencyPage, policy_id: str, run_id: str, form: SessionForm
) -> Response:
    """Go on with a run whose worker stopped (a restart): idle runs only, one worker a page."""
    run = await issue_runs.get_run(actor=actor, run_id=run_id)

    async def act() -> Response:
        if run.status == issue_runs.RUNNING:
            _go_on(request, run.id)
        return see_other(_run_page(policy_id, run.id))

    return await once(request, form, actor.principal_id, act)
