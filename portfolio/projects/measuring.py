"""What a milestone's condition measures from the records, and what the fraud rules flag.

The group's records are read through the training area's face: each worker's enrolment in
the project's runs, the confirmed attendance (the same rule as a voucher claim: only the
latest confirmed record of a session counts), passed completions, valid certificates. A
completion counts only with confirmed hours of at least the claim share of the planned hours
(``claim_min_attendance_share``), as a voucher claim would need. The worker's attestations
come from this area.

The fraud rules (``portfolio.integrity``) are the voucher claims' own, run for every worker of
the group in every run of the project; a project has no voucher policy, so the rules that
read one (the policy's group, claims per year) see a neutral case. Flags of one code are kept
once, with the highest score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio import training
from portfolio.integrity import ClaimCase, Flag, Thresholds, evaluate
from portfolio.projects.documents import Condition, ProjectAttestation, TrainingProject
from portfolio.training import (
    CertificateStatus,
    CompletionResult,
    Enrolment,
    EnrolmentStatus,
    certificates_of_enrolments,
    enrolments_of_runs,
    hours_attended,
    records_by_enrolment,
    terms_of_enrolments,
)

CONFIRMED = "confirmed"
DISPUTED = "disputed"


@dataclass(frozen=True)
class Measures:
    """Every figure a condition may ask for, measured now for the project's group."""

    group: int
    hours_attended: float
    hours_planned: float
    completions: int
    certificates: int
    attested: int
    disputed: int

    @property
    def attendance_rate(self) -> int:
        """Confirmed hours over planned hours, in whole per cent (rounded down)."""
        if self.hours_planned <= 0:
            return 0
        return int(self.hours_attended * 100 // self.hours_planned)

    @property
    def attested_share(self) -> int:
        """Workers who confirmed taking part, in whole per cent of the group."""
        return self.attested * 100 // self.group if self.group else 0

    def of(self, condition: Condition) -> int:
        """The figure ``condition`` compares with its threshold."""
        return {
            Condition.ATTENDANCE_RATE: self.attendance_rate,
            Condition.COMPLETIONS: self.completions,
            Condition.CERTIFICATES: self.certificates,
            Condition.ATTESTED_SHARE: self.attested_share,
        }[condition]


async def group_enrolments(project: TrainingProject) -> list[Enrolment]:
    """The enrolments of the group's workers in the project's runs (none refused)."""
    group = set(project.group_archive_ids)
    return [
        e
        for e in await enrolments_of_runs(project.run_ids)
        if e.archive_id in group and e.status is not EnrolmentStatus.REFUSED
    ]


async def answers(project_id: str) -> dict[str, str]:
    """The workers' attestations of the project: answer by archive id."""
    found = ProjectAttestation.find({"project_id": project_id})
    return {a.archive_id: a.answer async for a in found}


async def measure(project: TrainingProject, *, min_share: float) -> Measures:
    """The group's figures as the records stand now."""
    enrolments = await group_enrolments(project)
    by_id = {str(e.id): e for e in enrolments}
    terms = await terms_of_enrolments(enrolments) if enrolments else {}
    records = await records_by_enrolment(list(by_id))
    certificates = await certificates_of_enrolments(list(by_id))
    attended = planned = 0.0
    completed: set[str] = set()
    certified: set[str] = set()
    for enrolment_id, enrolment in by_id.items():
        course = terms.get(enrolment_id)
        hours = hours_attended(records.get(enrolment_id, []))
        need = course.planned_hours if course else 0.0
        attended += min(hours, need) if need else hours
        planned += need
        if (
            enrolment.status is EnrolmentStatus.COMPLETED
            and enrolment.result is CompletionResult.PASSED
            and hours >= round(need * min_share, 2)
        ):
            completed.add(enrolment.archive_id)
        if any(c.status is CertificateStatus.VALID for c in certificates.get(enrolment_id, [])):
            certified.add(enrolment.archive_id)
    said = await answers(str(project.id))
    group = set(project.group_archive_ids)
    return Measures(
        group=len(group),
        hours_attended=round(attended, 2),
        hours_planned=round(planned, 2),
        completions=len(completed),
        certificates=len(certified),
        attested=sum(1 for a, answer in said.items() if a in group and answer == CONFIRMED),
        disputed=sum(1 for a, answer in said.items() if a in group and answer == DISPUTED),
    )


async def screen(project: TrainingProject, *, limits: Thresholds, now: datetime) -> list[Flag]:
    """The fraud rules' flags over the group's training, one per rule, highest score first."""
    enrolments = await group_enrolments(project)
    window = timedelta(days=limits.surge_window_days)
    quiet = timedelta(days=limits.surge_quiet_days)
    kept: dict[str, Flag] = {}
    for run_id in project.run_ids:
        run = await training.evidence.run_facts(run_id)
        if run is None:
            continue
        trainer_sessions = await training.evidence.trainer_sessions(
            run.organisation_id, run.trainer_ids, except_run=run_id
        )
        attendance = await training.evidence.run_attendance(run_id)
        recent = await training.evidence.enrolments_created(
            run.organisation_id, now - window, now + timedelta(seconds=1)
        )
        before = await training.evidence.enrolments_created(
            run.organisation_id, now - window - quiet, now - window
        )
        since = await training.evidence.organisation_since(run.organisation_id)
        for enrolment in (e for e in enrolments if e.run_id == run_id):
            case = ClaimCase(
                archive_id=enrolment.archive_id,
                enrolment_id=str(enrolment.id),
                run=run,
                trainer_sessions=trainer_sessions,
                attendance=attendance,
                age=None,
                sex="",
                failed_policy_rules=(),
                enrolments_recent=recent,
                enrolments_before=before,
                provider_since=since,
                claims_in_year=1,
                claims_allowed=1,
                now=now,
            )
            for flag in evaluate(case, limits):
                known = kept.get(flag.code.value)
                if known is None or flag.score > known.score:
                    kept[flag.code.value] = flag
    return sorted(kept.values(), key=lambda f: (-f.score, f.code.value))
