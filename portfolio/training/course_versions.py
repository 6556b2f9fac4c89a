"""A course edited as a new version: occupation, level, planned hours, subsidy standard.

An edit never rewrites what was promised. The version it replaces is copied, once, into
``course_versions`` (insert-only, keyed by course and version) before the one conditional
update that moves the course to the next version, under a precondition on the version the
editor saw (a stale edit is a conflict). Runs keep the version they were scheduled under
(``Run.course_version``): their workers' hours needed and their vouchers' claim cap are read
from that version (:func:`terms_of_runs`), so a voucher bound before an edit pays what it was
bound under. Each version is a record in the change trail (``changes.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.errors import Conflict, FieldError, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.lookups import find_each
from portfolio.occupations import catalogue_errors
from portfolio.training import changes
from portfolio.training.documents import Course, CourseVersion, Enrolment, Run
from portfolio.training.organisations import acting_organisation
from portfolio.training.queries import courses_by_ids
from portfolio.training.views import CourseView
from portfolio.vocabulary import SkillLevel

MAX_NOTE = 500
MAX_HOURS = 10_000
MAX_FEN = 10_000_000


@dataclass(frozen=True)
class CourseEdit:
    """A new version of a course's terms, made from version ``based_on``."""

    based_on: int
    occupation_code: str
    target_level: SkillLevel
    planned_hours: float
    subsidy_standard_fen: int
    note: str = ""


@dataclass(frozen=True)
class CourseVersionView:
    """One version of a course's terms; ``current`` marks the one new runs are scheduled under."""

    course_id: str
    version: int
    occupation_code: str
    digital: bool
    green: bool
    target_level: SkillLevel
    planned_hours: float
    subsidy_standard_fen: int
    made_at: datetime
    made_by: str
    note: str
    current: bool

    @classmethod
    def of(cls, kept: CourseVersion, *, current: bool = False) -> CourseVersionView:
        """The view of a version record."""
        return cls(
            course_id=kept.course_id,
            version=kept.version,
            occupation_code=kept.occupation_code,
            digital=kept.digital,
            green=kept.green,
            target_level=kept.target_level,
            planned_hours=kept.planned_hours,
            subsidy_standard_fen=kept.subsidy_standard_fen,
            made_at=kept.made_at,
            made_by=kept.made_by,
            note=kept.note,
            current=current,
        )


def version_of(course: Course) -> CourseVersion:
    """The course's current terms as a version record (not stored)."""
    made_at = clock.from_epoch_ms(course.changed_at_ms) if course.changed_at_ms else None
    return CourseVersion(
        course_id=str(course.id),
        organisation_id=course.organisation_id,
        version=course.version,
        occupation_code=course.occupation_code,
        digital=course.digital,
        green=course.green,
        target_level=course.target_level,
        planned_hours=course.planned_hours,
        subsidy_standard_fen=course.subsidy_standard_fen,
        made_at=made_at or course.created_at,
        made_by=course.changed_by or course.created_by,
        note=course.version_note,
    )


def _checked(edit: CourseEdit, also: Sequence[FieldError] = ()) -> tuple[dict[str, object], str]:
    """The fields the edit sets, and its note; every field in error (``also``: those found
    elsewhere) named at once."""
    errors: list[FieldError] = list(also)
    fields: dict[str, object] = {}
    try:
        occupation = parse_occupation_code(edit.occupation_code)
        fields |= {
            "occupation_code": occupation.code,
            "digital": occupation.digital,
            "green": occupation.green,
        }
    except ValidationFailed as failed:
        errors += failed.errors
    if not 0 < edit.planned_hours <= MAX_HOURS:
        errors.append(FieldError("planned_hours", "range", f"above 0 and at most {MAX_HOURS}"))
    if not 0 <= edit.subsidy_standard_fen <= MAX_FEN:
        errors.append(FieldError("subsidy_standard_fen", "range", f"0 to {MAX_FEN} fen"))
    note = edit.note.strip()
    if len(note) > MAX_NOTE:
        errors.append(FieldError("note", "too_long", f"at most {MAX_NOTE} characters"))
    if errors:
        raise ValidationFailed(errors)
    fields |= {
        "target_level": edit.target_level.value,
        "planned_hours": edit.planned_hours,
        "subsidy_standard_fen": edit.subsidy_standard_fen,
    }
    return fields, note


def _same_terms(course: Course, fields: dict[str, object]) -> bool:
    now = {
        "occupation_code": course.occupation_code,
        "digital": course.digital,
        "green": course.green,
        "target_level": course.target_level.value,
        "planned_hours": course.planned_hours,
        "subsidy_standard_fen": course.subsidy_standard_fen,
    }
    return now == fields


async def _own_course(actor: Actor, course_id: str, *, to_record: bool = True) -> Course:
    organisation = await acting_organisation(actor, to_record=to_record)
    course = await Course.find_one(
        {"_id": ids.parse(course_id, "course"), "organisation_id": str(organisation.id)}
    )
    if course is None:
        raise NotFound("no such course")
    return course


async def edit_course(*, actor: Actor, course_id: str, edit: CourseEdit) -> CourseView:
    """A provider makes a new version of one of its courses (one conditional update).

    The version replaced is kept first (insert once); an edit made from an older version than
    the current one is refused (409) and changes nothing, as is one that changes nothing (422).
    """
    course = await _own_course(actor, course_id)
    # catalogue: a changed code must be catalogued; one the course stored already may stay.
    uncatalogued = await catalogue_errors(
        {"occupation_code": edit.occupation_code}, kept=(course.occupation_code,)
    )
    fields, note = _checked(edit, uncatalogued)
    if edit.based_on != course.version:
        raise Conflict(
            f"the course is at version {course.version} now: read it again and edit that",
            current_version=course.version,
        )
    if _same_terms(course, fields):
        raise ValidationFailed.single("course", "unchanged", "the new version changes nothing")
    with contextlib.suppress(DuplicateKeyError):  # a retry, or a racing edit, kept it already
        await version_of(course).insert()
    now = clock.truncate_to_millis(clock.now())
    moved = await Course.get_pymongo_collection().update_one(
        {"_id": course.id, "version": course.version},
        {
            "$set": {
                **fields,
                "changed_at_ms": clock.epoch_ms(now),
                "changed_by": actor.principal_id,
                "version_note": note,
            },
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the course was changed meanwhile: read it again", course_id=course_id)
    fresh = await Course.get(course.id)
    assert fresh is not None
    await changes.record_course_change(course, fresh, reason=note or "new version")
    return CourseView.of(fresh)


async def list_versions(*, actor: Actor, course_id: str) -> list[CourseVersionView]:
    """A provider's course's versions, newest (the current one) first (a suspended provider
    still reads them)."""
    course = await _own_course(actor, course_id, to_record=False)
    kept = await CourseVersion.find({"course_id": str(course.id)}).to_list()
    older = [v for v in kept if v.version < course.version]
    return [CourseVersionView.of(version_of(course), current=True)] + [
        CourseVersionView.of(v) for v in sorted(older, key=lambda v: -v.version)
    ]


def _as_course(course: Course, kept: CourseVersion) -> Course:
    """``course`` with the terms of an older version (a value to read, never saved)."""
    copied: Course = course.model_copy(
        update={
            "occupation_code": kept.occupation_code,
            "digital": kept.digital,
            "green": kept.green,
            "target_level": kept.target_level,
            "planned_hours": kept.planned_hours,
            "subsidy_standard_fen": kept.subsidy_standard_fen,
            "version": kept.version,
        }
    )
    return copied


async def terms_of_runs(runs: Sequence[Run]) -> dict[str, Course]:
    """Each run's course with the terms of the version it was scheduled under, by run id
    (a few queries, whatever the number of runs)."""
    course_ids = list({r.course_id for r in runs})
    current = await courses_by_ids(course_ids)
    older = {(r.course_id, r.course_version) for r in runs}
    older = {(c, v) for c, v in older if c in current and current[c].version != v}
    kept: dict[tuple[str, int], CourseVersion] = {}
    if older:
        found = await find_each(CourseVersion, "course_id", sorted({c for c, _ in older}))
        kept = {(k.course_id, k.version): k for k in found}
    terms: dict[str, Course] = {}
    for run in runs:
        course = current.get(run.course_id)
        if course is None:
            continue
        version = kept.get((run.course_id, run.course_version))
        terms[str(run.id)] = course if version is None else _as_course(course, version)
    return terms


async def terms_of_enrolments(enrolments: Sequence[Enrolment]) -> dict[str, Course]:
    """Each enrolment's course with the terms its run was scheduled under, by enrolment id
    (what a claim on a voucher bound to it may ask, and the hours it needs)."""
    run_ids = list({ids.parse(e.run_id, "run") for e in enrolments})
    runs = await Run.find({"_id": {"$in": run_ids}}).to_list()
    terms = await terms_of_runs(runs)
    return {str(e.id): terms[e.run_id] for e in enrolments if e.run_id in terms}
