"""Worker check-in by a rotating QR code: presence the worker proves on the spot (issue 20).

For one session, the provider's page shows a QR code of ``/checkin/<token>``; the token
changes every :data:`STEP_SECONDS`::

    base64url( run id (12 bytes) || session n (2) || time step (4) || HMAC-SHA256(key,
               "attendance-checkin|" || the 18 bytes before)[:16] )

A token is accepted in its own time step and the next one (about a minute): a photo of the code
sent to someone who is not in the room is stale by the time it could be used. Nothing is
stored: the MAC says the server made the token, the step says when. The key is a keyring key
of its own (``attendance-checkin``, wrapped by the master secret, made on first use).

The worker opens the URL signed in and confirms: one attendance record, ``entered_by`` the
worker, confirmed there and then, with the keyed hash of a random device id their browser
keeps (the same phone checking in several people shows in the records, the id itself cannot be
read back). Check-in is open from :data:`CHECK_IN_LEAD` before the session starts (people
arrive early) until it ends; the provider's own entry stays possible, awaiting the worker's
confirmation. The time steps read the domain clock, as the session times do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bson import ObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role
from portfolio.errors import NotFound, ValidationFailed
from portfolio.keyring import Keyring
from portfolio.training.attendance import Presence, check_presence, latest_record, write_record
from portfolio.training.documents import Course, Enrolment, Run
from portfolio.training.enums import AttendanceStatus, CaptureMethod
from portfolio.training.organisations import acting_organisation
from portfolio.training.timerules import session_bounds
from portfolio.training.views import AttendanceView

PURPOSE = "attendance-checkin"
KID = f"{PURPOSE}-0001"  # pinned, as the certificate links' key: a token lives a minute
STEP_SECONDS = 30
CHECK_IN_LEAD = timedelta(minutes=30)
_ID_BYTES, _N_BYTES, _STEP_BYTES, _MAC_BYTES = 12, 2, 4, 16
_BODY_BYTES = _ID_BYTES + _N_BYTES + _STEP_BYTES
TOKEN_LENGTH = 46  # base64url of 34 bytes, unpadded
# Far more than any check-in needs: attendance windows are enforced before this.
_ANY_WINDOW_DAYS = 365 * 100


@dataclass(frozen=True)
class CheckInCode:
    """What the provider's page shows for one session: the token and until when it works."""

    run_id: str
    session_n: int
    day: date
    start: str
    course_title: str
    token: str
    valid_until: datetime
    refresh_seconds: int

    @property
    def path(self) -> str:
        """The page the QR code opens (the site's address goes before it)."""
        return f"/checkin/{self.token}"


@dataclass(frozen=True)
class CheckInPreview:
    """What the worker sees before confirming: the class and session the code names."""

    run_id: str
    session_n: int
    day: date
    start: str
    hours: float
    course_title: str
    enrolment_id: str


def _new_key() -> bytes:
    return secrets.token_bytes(32)


async def _key(keyring: Keyring) -> bytes:
    await keyring.ensure(PURPOSE, _new_key)
    key = keyring.get(PURPOSE, KID)
    if key is None:  # another process made it a moment ago: read the keys again
        await keyring.load()
        key = keyring.get(PURPOSE, KID)
    if key is None:
        raise LookupError(f"the {KID} key is missing")
    return key.secret


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"attendance-checkin|" + body, hashlib.sha256).digest()[:_MAC_BYTES]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def device_hash(secret: bytes, device_id: str) -> str:
    """The keyed hash of a browser's device id (hex; '' for none): comparable, not reversible."""
    if not device_id:
        return ""
    return hmac.new(secret, b"device|" + device_id.encode(), hashlib.sha256).hexdigest()


def new_device_id() -> str:
    """A random device id for a browser that has none yet."""
    return secrets.token_urlsafe(24)


def _token(secret: bytes, run_id: str, session_n: int, step: int) -> str:
    body = (
        ObjectId(run_id).binary
        + session_n.to_bytes(_N_BYTES, "big")
        + step.to_bytes(_STEP_BYTES, "big")
    )
    return _encode(body + _mac(secret, body))


async def _opened(keyring: Keyring, token: str, now: datetime) -> tuple[str, int]:
    """The run and session a token names; 404 for a token we did not give out, a validation
    error for one whose minute has passed."""
    unknown = NotFound("no such check-in code")
    if len(token) != TOKEN_LENGTH or not token.isascii():
        raise unknown
    try:
        raw = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        raise unknown from None
    # One spelling per token: the last character's unused bits must be zero.
    if len(raw) != _BODY_BYTES + _MAC_BYTES or _encode(raw) != token:
        raise unknown
    body, mac = raw[:_BODY_BYTES], raw[_BODY_BYTES:]
    if not hmac.compare_digest(mac, _mac(await _key(keyring), body)):
        raise unknown
    run_id = str(ObjectId(body[:_ID_BYTES]))
    session_n = int.from_bytes(body[_ID_BYTES : _ID_BYTES + _N_BYTES], "big")
    step = int.from_bytes(body[_ID_BYTES + _N_BYTES :], "big")
    if not 0 <= _step(now) - step <= 1:
        raise ValidationFailed.single(
            "token", "checkin_expired", "the code has changed since: scan the code shown now"
        )
    return run_id, session_n


def _open_error(run: Run, session_n: int, now: datetime) -> ValidationFailed | None:
    """Check-in is open from the lead before the session starts until its end."""
    bounds = session_bounds(run, session_n)
    if bounds is None:
        return ValidationFailed.single("session_n", "unknown_session", "no such session")
    starts, ends = bounds
    if not starts - CHECK_IN_LEAD <= now <= ends:
        return ValidationFailed.single(
            "session_n",
            "checkin_closed",
            "check-in opens 30 minutes before the session starts and closes when it ends",
        )
    return None


def _counted_from(run: Run, session_n: int, now: datetime) -> datetime:
    """The moment the attendance rules judge a check-in at: an early arrival's is the start
    of the session they came to."""
    bounds = session_bounds(run, session_n)
    return max(now, bounds[0]) if bounds is not None else now


async def _course_title(run: Run) -> str:
    course = await Course.get(ids.parse(run.course_id, "course"))
    return course.title if course is not None else ""


async def code_for(*, actor: Actor, keyring: Keyring, run_id: str, session_n: int) -> CheckInCode:
    """The provider's current check-in code of one session of its own run (while check-in is
    open for it)."""
    organisation = await acting_organisation(actor)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    session = next((s for s in run.sessions if s.n == session_n), None) if run else None
    if run is None or session is None:
        raise NotFound("no such session")
    now = clock.now()
    closed = _open_error(run, session_n, now)
    if closed is not None:
        raise closed
    step = _step(now)
    return CheckInCode(
        run_id=run_id,
        session_n=session_n,
        day=session.day,
        start=session.start,
        course_title=await _course_title(run),
        token=_token(await _key(keyring), run_id, session_n, step),
        valid_until=clock.from_epoch_ms((step + 2) * STEP_SECONDS * 1000),
        refresh_seconds=STEP_SECONDS,
    )


async def _worker_enrolment(actor: Actor, run_id: str) -> Enrolment:
    if actor.role is not Role.WORKER or not actor.archive_id:
        raise NotFound("no such check-in code")
    enrolment = await Enrolment.find_one({"run_id": run_id, "archive_id": actor.archive_id})
    if enrolment is None:
        raise ValidationFailed.single(
            "token", "not_in_class", "you are not in this class: ask the provider"
        )
    return enrolment


async def preview(*, actor: Actor, keyring: Keyring, token: str) -> CheckInPreview:
    """What a code names, for the worker's page before they confirm (nothing is written)."""
    now = clock.now()
    run_id, session_n = await _opened(keyring, token, now)
    run = await Run.get(ObjectId(run_id))
    if run is None:
        raise NotFound("no such check-in code")
    enrolment = await _worker_enrolment(actor, run_id)
    closed = _open_error(run, session_n, now)
    if closed is not None:
        raise closed
    session = next(s for s in run.sessions if s.n == session_n)
    return CheckInPreview(
        run_id=run_id,
        session_n=session_n,
        day=session.day,
        start=session.start,
        hours=session.hours,
        course_title=await _course_title(run),
        enrolment_id=str(enrolment.id),
    )


async def check_in(*, actor: Actor, keyring: Keyring, token: str, device_id: str) -> AttendanceView:
    """The worker checks in with a fresh code: a confirmed record of the session's hours,
    entered by the worker, with the device's keyed hash. Checking in again for the same
    session returns the record already made."""
    now = clock.now()
    run_id, session_n = await _opened(keyring, token, now)
    run = await Run.get(ObjectId(run_id))
    if run is None:
        raise NotFound("no such check-in code")
    enrolment = await _worker_enrolment(actor, run_id)
    closed = _open_error(run, session_n, now)
    if closed is not None:
        raise closed
    assert enrolment.id is not None
    latest = await latest_record(str(enrolment.id), session_n)
    if (
        latest is not None
        and latest.entered_by == "worker"
        and latest.status is AttendanceStatus.CONFIRMED
    ):
        return AttendanceView.of(latest)
    session = next(s for s in run.sessions if s.n == session_n)
    presence = Presence(session_n, session.hours, CaptureMethod.QR_CODE, f"checkin:{_step(now)}")
    check_presence(
        presence, run, now=_counted_from(run, session_n, now), window_days=_ANY_WINDOW_DAYS
    )
    written = await write_record(
        actor=actor,
        enrolment=enrolment,
        run=run,
        presence=presence,
        now=now,
        entered_by="worker",
        device_hash=device_hash(await _key(keyring), device_id),
    )
    return AttendanceView.of(written)
