"""Use cases of agreements: propose one, approve it (three parties), confirm it.

The rules an agreement must meet are checked when it is created and again at every approval
(the world may have changed in between: a contract ended, a mentor filled up, the institution
was suspended); every failing rule is named at once.
"""

from __future__ import annotations

from datetime import date

from beanie import PydanticObjectId

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.apprenticeships import history, mentors
from portfolio.apprenticeships.access import acting_party, get_visible
from portfolio.apprenticeships.documents import Apprenticeship, EventNote, Mentor, Plan
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction, Party
from portfolio.apprenticeships.events import publish_change
from portfolio.apprenticeships.rules import (
    RUNNING,
    TRAINING_KINDS,
    check_duration,
    check_employment,
    check_hours,
    check_target_level,
    next_state,
    subsidy_standard,
)
from portfolio.apprenticeships.views import ApprenticeshipView, Terms
from portfolio.archives import Archive, archive_by_id, find_worker
from portfolio.errors import FieldError, Forbidden, InvalidTransition, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.keyring import Keyring
from portfolio.occupations import catalogue_errors
from portfolio.settings import Settings
from portfolio.training import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    acting_organisation,
    find_organisation,
)


def institution_errors(institution: Organisation | None) -> list[FieldError]:
    """The training side must be a registered, active training organisation."""
    field = "institution_id"
    if institution is None:
        return [FieldError(field, "unknown_institution", "no such training institution")]
    if institution.kind not in TRAINING_KINDS:
        return [
            FieldError(
                field, "not_training_organisation", "the institution must be a training body"
            )
        ]
    if institution.status is not OrganisationStatus.ACTIVE:
        return [FieldError(field, "institution_not_active", "the institution is suspended")]
    return []


async def _running_for(archive_id: str, other_than: str | None) -> bool:
    found = await Apprenticeship.find(
        {"archive_id": archive_id, "status": {"$in": [s.value for s in RUNNING]}}
    ).to_list()
    return any(str(a.id) != other_than for a in found)


async def rule_errors(
    *,
    employer: Organisation,
    institution: Organisation | None,
    archive: Archive,
    enterprise_mentor: Mentor | None,
    school_mentor: Mentor | None,
    own_id: str | None,
    today: date,
) -> list[FieldError]:
    """Every rule of the parties the agreement breaks (empty when it breaks none)."""
    errors: list[FieldError] = []
    if employer.status is not OrganisationStatus.ACTIVE:
        errors.append(FieldError("employer", "employer_not_active", "the employer is suspended"))
    registrations = archive.employment.registrations if archive.employment else []
    errors += check_employment(registrations, employer.credit_code, today)
    if await _running_for(str(archive.id), own_id):
        errors.append(
            FieldError(
                "apprentice",
                "apprenticeship_overlap",
                "the worker already has an active or paused apprenticeship",
            )
        )
    errors += mentors.mentor_errors(
        "enterprise_mentor_id", enterprise_mentor, str(employer.id), what="enterprise mentor"
    )
    errors += institution_errors(institution)
    errors += mentors.mentor_errors(
        "school_mentor_id",
        school_mentor,
        str(institution.id) if institution else None,
        what="school mentor",
    )
    return errors


def _apprentice_errors(failed: ValidationFailed) -> ValidationFailed:
    """The worker lookup's errors, named after the request's ``apprentice`` object."""
    return ValidationFailed(
        [
            FieldError(
                "apprentice" if e.field == "worker" else f"apprentice.{e.field}", e.rule, e.message
            )
            for e in failed.errors
        ]
    )


async def create(
    *,
    actor: Actor,
    keyring: Keyring,
    settings: Settings,
    terms: Terms,
    apprenticeship_id: str | None = None,
) -> ApprenticeshipView:
    """An enterprise's user proposes an agreement (a draft awaiting the three approvals).

    The apprentice is named by ID number and name together, as for an enrolment (any mismatch
    gets one and the same answer). The subsidy standard of the employer's region is fixed on
    the agreement now. ``apprenticeship_id`` fixes the id (demo data only).
    """
    employer = await acting_organisation(actor)
    if employer.kind is not OrganisationKind.ENTERPRISE:
        raise Forbidden("only an enterprise's users may propose an apprenticeship")
    try:
        archive = await find_worker(keyring, terms.apprentice)
    except ValidationFailed as failed:
        raise _apprentice_errors(failed) from None
    now = clock.now()
    today = clock.china_today(now)
    errors: list[FieldError] = []
    occupation = ""
    try:
        occupation = parse_occupation_code(terms.occupation_code).code
    except ValidationFailed as failed:
        errors += failed.errors
    # catalogue: a new agreement names a catalogued occupation.
    errors += await catalogue_errors({"occupation_code": terms.occupation_code})
    errors += check_target_level(terms.target_level)
    errors += check_duration(terms.planned_start, terms.planned_end, terms.extension_reason)
    errors += check_hours(terms.enterprise_hours, terms.institution_hours)
    institution = await find_organisation(terms.institution_id)
    enterprise_mentor = await mentors.find(terms.enterprise_mentor_id)
    school_mentor = await mentors.find(terms.school_mentor_id)
    errors += await rule_errors(
        employer=employer,
        institution=institution,
        archive=archive,
        enterprise_mentor=enterprise_mentor,
        school_mentor=school_mentor,
        own_id=None,
        today=today,
    )
    if errors:
        raise ValidationFailed(errors)
    assert institution is not None
    assert enterprise_mentor is not None
    assert school_mentor is not None
    new_id = PydanticObjectId(apprenticeship_id) if apprenticeship_id else PydanticObjectId()
    apprenticeship = Apprenticeship(
        id=new_id,
        employer_id=str(employer.id),
        employer_name=employer.name,
        employer_credit_code=employer.credit_code,
        region_code=employer.region_code,
        institution_id=str(institution.id),
        institution_name=institution.name,
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        occupation_code=occupation,
        target_level=terms.target_level,
        plan=Plan(
            planned_start=terms.planned_start.isoformat(),
            planned_end=terms.planned_end.isoformat(),
            extension_reason=terms.extension_reason.strip(),
            enterprise_hours=terms.enterprise_hours,
            institution_hours=terms.institution_hours,
            enterprise_mentor=mentors.mentor_ref(enterprise_mentor),
            school_mentor=mentors.mentor_ref(school_mentor),
        ),
        subsidy_fen_per_year=subsidy_standard(
            settings.apprenticeship_subsidy_fen,
            settings.apprenticeship_subsidy_by_region,
            employer.region_code,
        ),
        last_event=EventNote(
            version=0,
            action=EventAction.CREATED,
            party=Party.EMPLOYER,
            on="",
            reason="",
            details={},
            by=actor.principal_id,
            at=now,
        ),
        created_at=now,
        created_by=actor.principal_id,
        updated_at=now,
    )
    await apprenticeship.insert()
    await history.record(str(new_id), apprenticeship.last_event)
    await publish_change(apprenticeship, before_status=None)
    return ApprenticeshipView.of(apprenticeship)


async def recheck(apprenticeship: Apprenticeship, *, today: date) -> None:
    """The agreement's rules, against the parties as they are now; ValidationFailed if broken."""
    employer = await find_organisation(apprenticeship.employer_id)
    archive = await archive_by_id(apprenticeship.archive_id)
    # Neither organisations nor archives are ever deleted.
    assert employer is not None
    assert archive is not None
    errors = await rule_errors(
        employer=employer,
        institution=await find_organisation(apprenticeship.institution_id),
        archive=archive,
        enterprise_mentor=await mentors.find(apprenticeship.plan.enterprise_mentor.id),
        school_mentor=await mentors.find(apprenticeship.plan.school_mentor.id),
        own_id=str(apprenticeship.id),
        today=today,
    )
    if errors:
        raise ValidationFailed(errors)


_APPROVED_FIELD = {
    Party.EMPLOYER: "employer_approved",
    Party.INSTITUTION: "institution_approved",
    Party.AGENCY: "agency_approved",
}


async def _approving_party(actor: Actor, apprenticeship: Apprenticeship) -> Party:
    if actor.role is Role.AGENCY:
        if not actor.covers_region(apprenticeship.region_code):
            raise Forbidden(
                "only an agency covering the employer's region "
                f"({apprenticeship.region_code}) may approve this apprenticeship"
            )
        return Party.AGENCY
    return await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)


async def approve(*, actor: Actor, apprenticeship_id: str) -> ApprenticeshipView:
    """The employer, the institution (any order), then an agency of the employer's region.

    Each approval is recorded; the agency's makes the agreement ``approved`` (awaiting the
    worker's confirmation). The rules are checked again first.
    """
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await _approving_party(actor, apprenticeship)
    current = apprenticeship.status
    next_state("approve", current)
    field = _APPROVED_FIELD[party]
    if getattr(apprenticeship, field):
        raise InvalidTransition(
            f"the {party.value} has approved this apprenticeship already",
            current_state=current.value,
        )
    changes: dict[str, object] = {field: True}
    if party is Party.AGENCY:
        awaiting = [
            p.value
            for p in (Party.EMPLOYER, Party.INSTITUTION)
            if not getattr(apprenticeship, _APPROVED_FIELD[p])
        ]
        if awaiting:
            raise InvalidTransition(
                "the agency approves after the employer and the institution",
                current_state=current.value,
                awaiting=awaiting,
            )
        changes["status"] = ApprenticeshipStatus.APPROVED.value
    now = clock.now()
    await recheck(apprenticeship, today=clock.china_today(now))
    noted = history.note(
        apprenticeship, action=EventAction.APPROVED, party=party, actor=actor, now=now
    )
    moved = await history.move(apprenticeship, noted, changes, also_expect={field: False})
    return ApprenticeshipView.of(moved)


async def confirm(*, actor: Actor, apprenticeship_id: str) -> ApprenticeshipView:
    """The apprentice confirms the approved agreement; the employer may then start it."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    if actor.role is not Role.WORKER:
        raise Forbidden("only the apprentice may confirm the agreement")
    target = next_state("confirm", apprenticeship.status)
    noted = history.note(
        apprenticeship,
        action=EventAction.CONFIRMED,
        party=Party.WORKER,
        actor=actor,
        now=clock.now(),
    )
    confirmed = await history.move(apprenticeship, noted, {"status": target.value})
    return ApprenticeshipView.of(confirmed)
