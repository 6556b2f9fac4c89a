"""The agency's voucher policies: the list with each policy's vouchers by status
(``/agency/policies``), a new policy and a new version of one through "check your answers"
(the form's text travels in the query string to the check page, then in its hidden fields
to the post that publishes), a policy's page, and issuing a voucher to one worker named by
ID number and name.

Each page calls the services ``POST /voucher-policies``, ``POST
/voucher-policies/{id}/versions`` and ``POST /vouchers/bulk`` call (``policies.publish``,
``policies.publish_version``, ``issuance.issue_many``): the same region scope (another
region's policy is "not found"), the same rules and the same refusals.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
from api.web.forms import (
    PageError,
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.policy_form import PolicyForm, domain_errors, page_errors, read
from api.web.priority_words import group_words
from api.web.routing import page_router
from api.web.templating import language_of, render, t
from api.web.training_words import page_words
from portfolio import ids
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.vocabulary import FundingSource, TrainingType
from portfolio.vouchers import issuance, issue_runs, policies, policy_figures
from portfolio.vouchers.inputs import IssueRow
from portfolio.vouchers.views import PolicyView

router = page_router()
LIST = "/agency/policies"
NEW = "/agency/policies/new"
PAGE_SIZE = 50

NOTICES = {
    "published": N_("The policy is published: vouchers can be issued under it."),
    "version": N_("The new version is published: new vouchers are issued under it."),
    "issued": N_("The voucher is issued: the worker sees it in their account."),
}
_REPLACED = N_("This version was replaced meanwhile: edit the current version shown here instead.")
_NOT_YOURS = N_("Only an agency whose region covers the whole policy may change it.")
_WORKER = {
    "id_number": N_("Enter the worker's ID number"),
    "worker_name": N_("Enter the worker's name as on the ID card"),
    "unknown": N_("No worker with this ID number and name is registered in your region"),
    "bad_number": N_("Enter an 18-character ID number with a correct check character"),
}


def _policy(policy_id: str) -> str:
    return f"{LIST}/{policy_id}"


def _choices(request: Request) -> dict[str, Any]:
    word = page_words(request)["word"]
    return {
        "training_types": [(k.value, word("type", k.value)) for k in TrainingType],
        "group_words": group_words(request),
        "funding_sources": [(k.value, word("funding", k.value)) for k in FundingSource],
    }


@router.get("/agency/policies")
async def policy_list(request: Request, actor: AgencyPage, cursor: str = "") -> Response:
    """The current versions of the policies reaching the region, with their vouchers here."""
    after = ids.parse_or_none(cursor) if cursor else None
    found = await policies.list_policies(actor=actor, after=after, limit=PAGE_SIZE)
    counted = await policy_figures.figures(
        actor=actor, policy_keys=[p.policy_key for p in found.items]
    )
    next_url = f"{LIST}?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else None
    return await render(
        request,
        "agency/policies/list.html",
        {**page_words(request), "found": found.items, "figures": counted, "next_url": next_url},
    )


async def _form_page(
    request: Request,
    *,
    form: PolicyForm,
    errors: list[PageError],
    policy: PolicyView | None,
) -> Response:
    return await render(
        request,
        "agency/policies/form.html",
        {
            **page_words(request),
            **_choices(request),
            "form": form,
            "errors": errors,
            "error_of": lambda name: next((e.message for e in errors if e.field == name), None),
            "policy": policy,
            "action": f"{_policy(policy.id)}/edit/check" if policy else f"{NEW}/check",
        },
    )


async def _check_page(request: Request, *, form: PolicyForm, policy: PolicyView | None) -> Response:
    content, wrong = read(form, base=policy)
    if content is None:
        return await _form_page(
            request, form=form, errors=page_errors(request, wrong), policy=policy
        )
    change = f"{_policy(policy.id)}/edit" if policy else NEW
    word = page_words(request)["word"]
    return await render(
        request,
        "agency/policies/check.html",
        {
            **page_words(request),
            "form": form,
            "content": content,
            "type_names": [word("type", kind.value) for kind in content.training_types],
            "group_words": group_words(request),
            "policy": policy,
            "change_url": f"{change}?{urlencode(form.values)}",
            "action": f"{_policy(policy.id)}/edit" if policy else NEW,
        },
    )


def _given(request: Request) -> PolicyForm | None:
    """The form's text from the query string ("change" from the check page), if any."""
    return PolicyForm.of(request.query_params) if request.query_params else None


@router.get("/agency/policies/new")
async def new_policy(request: Request, actor: AgencyPage) -> Response:
    """A new policy's form (filled again when coming back from the check page)."""
    state = form_state(request)
    form = PolicyForm.of(state.values) if state.values else _given(request) or PolicyForm.blank()
    response = await _form_page(request, form=form, errors=state.errors, policy=None)
    forget_form_state(request, response)
    return response


@router.get("/agency/policies/new/check")
async def check_new_policy(request: Request, actor: AgencyPage) -> Response:
    """Check your answers before publishing (or the form again with its errors)."""
    return await _check_page(request, form=PolicyForm.of(request.query_params), policy=None)


@router.post("/agency/policies/new")
async def publish_policy(request: Request, actor: AgencyPage, form: SessionForm) -> Response:
    """Publish the policy checked on the check page."""
    given = PolicyForm.of(form.fields)
    content, wrong = read(given)
    if content is None:
        return back_to_form(NEW, page_errors(request, wrong), given.values)

    async def act() -> Response:
        try:
            view = await policies.publish(actor=actor, content=content)
        except ValidationFailed as failed:
            return back_to_form(NEW, domain_errors(request, failed.errors), given.values)
        return see_other(f"{_policy(view.id)}?notice=published")

    return await once(request, form, actor.principal_id, act)


@router.get("/agency/policies/{policy_id}")
async def policy_page(
    request: Request, actor: AgencyPage, policy_id: str, notice: str = ""
) -> Response:
    """A version with its rules, its vouchers here by status, and issuing to one worker."""
    policy = await policies.get_policy(actor=actor, policy_id=policy_id)
    counted = await policy_figures.figures(actor=actor, policy_keys=[policy.policy_key])
    runs = await issue_runs.runs_of(actor=actor, policy_key=policy.policy_key)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/policies/policy.html",
        {
            **page_words(request),
            "policy": policy,
            "type_names": [
                page_words(request)["word"]("type", k.value) for k in policy.training_types
            ],
            "group_words": group_words(request),
            "figures": counted[policy.policy_key],
            "manages": policies.manages(actor, policy.region_prefix),
            "runs": runs,
            "notice": t(request, message) if message else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "values": state.values,
        },
    )
    forget_form_state(request, response)
    return response


async def _current(actor: AgencyPage, policy_id: str) -> PolicyView:
    policy = await policies.get_policy(actor=actor, policy_id=policy_id)
    if not policies.manages(actor, policy.region_prefix):
        raise Forbidden("only an agency whose scope covers the policy's region may change it")
    return policy


@router.get("/agency/policies/{policy_id}/edit")
async def edit_policy(request: Request, actor: AgencyPage, policy_id: str) -> Response:
    """The next version's form, filled with this version's content."""
    policy = await _current(actor, policy_id)
    state = form_state(request)
    form = (
        PolicyForm.of(state.values)
        if state.values
        else _given(request) or PolicyForm.of_policy(policy)
    )
    response = await _form_page(request, form=form, errors=state.errors, policy=policy)
    forget_form_state(request, response)
    return response


@router.get("/agency/policies/{policy_id}/edit/check")
async def check_version(request: Request, actor: AgencyPage, policy_id: str) -> Response:
    """Check your answers before publishing the next version."""
    policy = await _current(actor, policy_id)
    return await _check_page(request, form=PolicyForm.of(request.query_params), policy=policy)


@router.post("/agency/policies/{policy_id}/edit")
async def publish_version(
    request: Request, actor: AgencyPage, policy_id: str, form: SessionForm
) -> Response:
    """Publish the next version checked on the check page."""
    here = f"{_policy(policy_id)}/edit"
    given = PolicyForm.of(form.fields)
    content, wrong = read(given, base=await _current(actor, policy_id))
    if content is None:
        return back_to_form(here, page_errors(request, wrong), given.values)

    async def act() -> Response:
        try:
            view = await policies.publish_version(actor=actor, policy_id=policy_id, content=content)
        except ValidationFailed as failed:
            return back_to_form(here, domain_errors(request, failed.errors), given.values)
        except Conflict as replaced:
            current = str(replaced.extra.get("current_version_id") or policy_id)
            return back_to_form(_policy(current), [PageError("edit", t(request, _REPLACED))], {})
        except Forbidden:
            return back_to_form(_policy(policy_id), [PageError("edit", t(request, _NOT_YOURS))], {})
        return see_other(f"{_policy(view.id)}?notice=version")

    return await once(request, form, actor.principal_id, act)


def _refusal(request: Request, row: Any) -> list[PageError]:
    """Why one worker got no voucher: each failing rule in the page's language."""
    chinese = language_of(request).code.startswith("zh")
    if row.failed_rules:
        return [
            PageError("id_number", rule.reason_zh if chinese else rule.reason_en)
            for rule in row.failed_rules
        ]
    if row.errors:
        return [
            PageError("id_number", t(request, _WORKER["bad_number"]))
            if "number" in error.field
            else PageError("worker_name", t(request, _WORKER["worker_name"]))
            for error in row.errors
        ]
    if row.status == "error" and "no such worker" in row.detail:
        return [PageError("id_number", t(request, _WORKER["unknown"]))]
    return [PageError("id_number", row.detail)]


@router.post("/agency/policies/{policy_id}/issue")
async def issue_one(
    request: Request, actor: AgencyPage, policy_id: str, form: SessionForm
) -> Response:
    """Issue a voucher to one eligible worker of the region, named by ID number and name."""
    here = _policy(policy_id)
    kept = {"id_number": form.get("id_number"), "worker_name": form.get("worker_name")}
    missing = [
        PageError(name, t(request, _WORKER[name]))
        for name in ("id_number", "worker_name")
        if not form.get(name) or len(form.get(name)) > 64
    ]
    if missing:
        return back_to_form(f"{here}#issue", missing, kept)
    row = IssueRow(id_number=form.get("id_number").upper(), name=form.get("worker_name"))

    async def act() -> Response:
        try:
            done = await issuance.issue_many(
                actor=actor,
                keyring=get_runtime(request).keyring,
                policy_id=policy_id,
                rows=[row],
                note=form.get("note")[:500],
            )
        except Conflict as refused:
            return back_to_form(f"{here}#issue", [PageError("id_number", refused.detail)], kept)
        outcome = done.rows[0]
        if outcome.status != "issued":
            return back_to_form(f"{here}#issue", _refusal(request, outcome), kept)
        return see_other(f"{here}?notice=issued")

    return await once(request, form, actor.principal_id, act)
