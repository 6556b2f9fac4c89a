"""Late corrections of attendance: after the attendance window, only an agency officer.

A provider records attendance for a session that has started, within the window after it
(``attendance_window_days``, default 3). Past it, a correction (a worker who was there but
missing from the sheet, hours typed wrong) is recorded by an officer of an agency whose region
covers the class, with a reason; the record stays marked ``late``, with who approved it and
why, and is still only the provider's word until the worker confirms it.
"""

from __future__ import annotations

from portfolio import clock, ids
from portfolio.accounts import Actor, Role
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from portfolio.training.attendance import Presence, check_presence, write_record
from portfolio.training.documents import Enrolment, Run
from portfolio.training.views import AttendanceView

# The window does not apply to an approved late correction; the session must have started.
_NO_WINDOW_DAYS = 365 * 100


async def record_late(
    *, actor: Actor, enrolment_id: str, presence: Presence, reason: str
) -> AttendanceView:
    """An agency officer records a late correction of one worker's presence, with a reason."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("a late correction is approved by an agency officer")
    enrolment = await Enrolment.get(ids.parse(enrolment_id, "enrolment"))
    run = await Run.get(ids.parse(enrolment.run_id, "run")) if enrolment is not None else None
    if enrolment is None or run is None or not actor.covers_region(run.region_code):
        raise NotFound("no such enrolment")
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a late correction states why")
    now = clock.now()
    check_presence(presence, run, now=now, window_days=_NO_WINDOW_DAYS)
    written = await write_record(
        actor=actor,
        enrolment=enrolment,
        run=run,
        presence=presence,
        now=now,
        late_reason=reason.strip(),
    )
    return AttendanceView.of(written)
