"""A class file from the provider's console: read, preview every row, then enrol the good ones.

Clerks keep class lists in spreadsheets: CSV (UTF-8 with or without BOM, GB18030) or .xlsx.
The upload is kept (``class_uploads``, one document, its id derived from the run and the file's
bytes, so the same file uploaded twice is the same upload with the same reference) and shown
row by row with what would happen before anything is written: the number's form and check
character, a worker matching number and name, a number twice in the file, a worker already in
the class, a worker booked elsewhere at the same time, no seat left. Enrolling then runs the
good rows, with the archives the preview matched, through :func:`enrolments.enrol_matched`
(the rules decide again: the preview is a dry run) and keeps the outcome on the upload, once:
a second "enrol" of the same upload, or the same file uploaded again, enrols nobody twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from openpyxl import load_workbook

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import Archive, WorkerRef, match_workers
from portfolio.errors import NotFound, ValidationFailed
from portfolio.exports import Export, Sheet, export
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.once import insert_raw_once
from portfolio.tabular import decode_text
from portfolio.training.documents import Enrolment, Run, WorkerSchedule
from portfolio.training.enrolments import enrol_matched
from portfolio.training.evidence import (
    SurgeLimits,
    enrolments_created,
    is_surge,
    organisation_since,
)
from portfolio.training.organisations import acting_organisation
from portfolio.training.rules import Slot, first_clash, slots_of

MAX_ROWS = 5000
# The column names a clerk's file may use for each field (first row that names both is the
# header: title rows above it, merged cells included, are passed over).
COLUMNS = {
    "id_number": ("id_number", "身份证号码", "身份证号", "证件号码", "公民身份号码"),
    "name": ("name", "姓名"),
}
TEMPLATE = Sheet(title="class", header=["身份证号码", "姓名"], rows=[])
Outcome = Literal["ok", "error"]
# The rules of the number's own form (said as "check the number").
NUMBER_RULES = frozenset({"length", "format", "checksum", "birth_date", "area_code", "required"})


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file and what enrolling it would do (``rule`` names why not)."""

    row: int
    id_number_masked: str
    name: str
    outcome: Outcome
    field: str = ""
    rule: str = ""
    # The fraud rules' codes that enrolling this row would raise (the dry run; the flags with
    # their reasons are on the upload).
    flagged: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultRow:
    """One row after enrolling: enrolled, not sent (failed the preview), or why it failed."""

    row: int
    id_number_masked: str
    name: str
    outcome: Literal["enrolled", "skipped", "error"]
    rule: str = ""


@dataclass(frozen=True)
class ClassUpload:
    """An uploaded class file: its reference, run, rows' preview, and the result once enrolled."""

    reference: str
    run_id: str
    filename: str
    uploaded_at: datetime
    preview: list[PreviewRow]
    result: list[ResultRow] | None
    # What the fraud rules would flag if the good rows were enrolled now (the dry run): their
    # codes, and the provider's enrolments in the surge window with the file's counted.
    flags: tuple[str, ...] = ()
    enrolments_recent: int = 0

    @property
    def good(self) -> int:
        """Rows that would be enrolled."""
        return sum(1 for r in self.preview if r.outcome == "ok")


def _masked(number: str) -> str:
    return number[:6] + "*" * max(len(number) - 8, 0) + number[-2:] if len(number) > 8 else "*"


def _header_of(cells: list[str]) -> dict[str, int] | None:
    names = [c.strip().lower() for c in cells]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for position, name in enumerate(names):
            if name in aliases:
                found[key] = position
                break
    return found if len(found) == len(COLUMNS) else None


def _table(lines: list[list[str]]) -> list[dict[str, str]]:
    for at, cells in enumerate(lines):
        header = _header_of(cells)
        if header is None:
            continue
        rows = []
        for cells_of_row in lines[at + 1 :]:
            row = {
                key: (cells_of_row[i] if i < len(cells_of_row) else "").strip()
                for key, i in header.items()
            }
            if any(row.values()):
                rows.append(row)
        return rows
    raise ValidationFailed.single(
        "file", "no_header", "no row names the columns 身份证号码 and 姓名"
    )


def read_class_file(raw: bytes, filename: str) -> list[dict[str, str]]:
    """The rows (``id_number``, ``name``) of a CSV or .xlsx class file."""
    if not raw:
        raise ValidationFailed.single("file", "required", "choose a file")
    if raw[:2] == b"PK":  # a zip: an .xlsx workbook
        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged file: all say the same
            raise ValidationFailed.single("file", "xlsx_invalid", "not a readable .xlsx") from None
        sheet = book.worksheets[0]
        lines = [
            ["" if v is None else str(v) for v in values]
            for values in sheet.iter_rows(values_only=True)
        ]
        book.close()
    else:
        text = decode_text(raw, "file")
        if "\x00" in text:
            raise ValidationFailed.single("file", "csv_invalid", "the file contains a NUL")
        try:
            lines = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            raise ValidationFailed.single("file", "csv_invalid", "not a readable CSV") from None
    rows = _table(lines)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed.single("file", "too_many", f"at most {MAX_ROWS} rows")
    return rows


def _uploads() -> Any:
    return Enrolment.get_pymongo_collection().database["class_uploads"]


async def _own_run(actor: Actor, run_id: str) -> Run:
    organisation = await acting_organisation(actor, to_record=False)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    return run


async def upload(*, actor: Actor, run_id: str, raw: bytes, filename: str) -> str:
    """Keep a class file for ``run_id`` (the same bytes again: the same upload); its reference."""
    run = await _own_run(actor, run_id)
    rows = read_class_file(raw, filename)
    digest = hashlib.sha256(str(run.id).encode() + b"|" + raw).hexdigest()
    reference = "CF-" + digest[:10].upper()
    await insert_raw_once(
        _uploads(),
        {
            "_id": reference,
            "organisation_id": run.organisation_id,
            "run_id": str(run.id),
            "filename": filename[:200],
            "rows": rows,
            "uploaded_at_ms": clock.epoch_ms(clock.now()),
            "uploaded_by": actor.principal_id,
            "result": None,
        },
    )
    return reference


async def _stored(actor: Actor, reference: str) -> dict[str, Any]:
    organisation = await acting_organisation(actor, to_record=False)
    found: dict[str, Any] | None = await _uploads().find_one(
        {"_id": reference, "organisation_id": str(organisation.id)}
    )
    if found is None:
        raise NotFound("no such class file")
    return found


async def _preview(keyring: Keyring, run: Run, rows: list[dict[str, str]]) -> list[PreviewRow]:
    return (await _matched_preview(keyring, run, rows))[0]


async def _matched_preview(
    keyring: Keyring, run: Run, rows: list[dict[str, str]]
) -> tuple[list[PreviewRow], dict[int, Archive | ValidationFailed]]:
    """Every row's preview, and each row's archive (or why none) by 0-based row: enrolling
    the good rows needs no second match of the whole file."""
    refs = [WorkerRef(IdType.RESIDENT_ID, r["id_number"].upper(), r["name"]) for r in rows]
    matched = await match_workers(keyring, refs)
    in_class = {
        e["archive_id"]
        async for e in Enrolment.get_pymongo_collection().find(
            {"run_id": str(run.id), "status": {"$nin": ["withdrawn", "refused"]}},
            {"archive_id": 1},
        )
    }
    archives = [a for a in matched.values() if isinstance(a, Archive)]
    schedules = {
        s["_id"]: s["slots"]
        async for s in WorkerSchedule.get_pymongo_collection().find(
            {"_id": {"$in": [a.id for a in archives]}}, {"slots": 1}
        )
    }
    wanted = slots_of(str(run.id), run.sessions)
    ended = run.end_date < clock.china_today()
    seats = run.capacity - run.seats_taken
    seen: set[str] = set()
    out: list[PreviewRow] = []
    for row, (source, ref) in enumerate(zip(rows, refs, strict=True), start=1):
        masked, name = _masked(ref.id_number), ref.name

        def fail(field: str, rule: str) -> PreviewRow:
            return PreviewRow(row, masked, name, "error", field, rule)  # noqa: B023

        archive = matched[row - 1]
        if isinstance(archive, ValidationFailed):
            first = archive.errors[0]
            rule = first.rule if first.rule in NUMBER_RULES else "no_match"
            out.append(fail("name" if first.field == "name" else "id_number", rule))
            continue
        key = str(archive.id)
        if key in seen:
            out.append(fail("id_number", "duplicate"))
            continue
        seen.add(key)
        if key in in_class:
            out.append(fail("id_number", "already_enrolled"))
            continue
        booked = [Slot.decode(s) for s in schedules.get(archive.id, [])]
        if first_clash([b for b in booked if b.run_id != str(run.id)], wanted) is not None:
            out.append(fail("id_number", "clash"))
            continue
        if ended:
            out.append(fail("id_number", "run_ended"))
            continue
        if seats <= 0:
            out.append(fail("id_number", "full"))
            continue
        seats -= 1
        del source
        out.append(PreviewRow(row, masked, name, "ok"))
    return out, matched


SURGE = "enrolment_surge"  # the fraud rule's code (integrity.FlagCode.ENROLMENT_SURGE)


async def _dry_run(run: Run, good: int, limits: SurgeLimits) -> tuple[tuple[str, ...], int]:
    """The fraud rules' codes that ``good`` more enrolments now would raise, and the provider's
    enrolments in the surge window counting them."""
    if good == 0:
        return (), 0
    now = clock.now()
    window = timedelta(days=limits.window_days)
    quiet = timedelta(days=limits.quiet_days)
    recent = await enrolments_created(run.organisation_id, now - window, now) + good
    surge = is_surge(
        recent=recent,
        before=await enrolments_created(run.organisation_id, now - window - quiet, now - window),
        provider_since=await organisation_since(run.organisation_id),
        now=now,
        limits=limits,
    )
    return ((SURGE,) if surge else ()), recent


async def show(
    *, actor: Actor, keyring: Keyring, reference: str, limits: SurgeLimits | None = None
) -> ClassUpload:
    """An upload: every row's preview with the integrity rules' dry run (``limits``: the
    surge thresholds; without them the fraud rules are not asked), and the result once
    enrolled."""
    stored = await _stored(actor, reference)
    run = await _own_run(actor, stored["run_id"])
    result = stored.get("result")
    preview = [] if result else await _preview(keyring, run, stored["rows"])
    good = sum(1 for p in preview if p.outcome == "ok")
    flags, recent = await _dry_run(run, good, limits) if limits else ((), 0)
    return ClassUpload(
        reference=reference,
        run_id=stored["run_id"],
        filename=stored["filename"],
        uploaded_at=clock.from_epoch_ms(stored["uploaded_at_ms"]),
        preview=[replace(p, flagged=flags) if p.outcome == "ok" else p for p in preview],
        result=[ResultRow(**r) for r in result] if result else None,
        flags=flags,
        enrolments_recent=recent,
    )


async def enrol_good_rows(*, actor: Actor, keyring: Keyring, reference: str) -> ClassUpload:
    """Enrol the rows the preview found good; the outcome is kept on the upload, once."""
    stored = await _stored(actor, reference)
    if stored.get("result"):
        return await show(actor=actor, keyring=keyring, reference=reference)
    run = await _own_run(actor, stored["run_id"])
    preview, matched = await _matched_preview(keyring, run, stored["rows"])
    good = [p for p in preview if p.outcome == "ok"]
    # The archives the preview matched (the rules decide again on them: booking, seats).
    archives = {n: matched[p.row - 1] for n, p in enumerate(good)}
    done = (
        await enrol_matched(actor=actor, run=run, matched=archives, accept=True)
        if archives
        else None
    )
    outcome: dict[int, ResultRow] = {}
    for p in preview:
        outcome[p.row] = ResultRow(p.row, p.id_number_masked, p.name, "skipped", p.rule)
    if done is not None:
        for sent, row in zip(good, done.rows, strict=True):
            rule = row.errors[0].rule if row.errors else row.detail[:80]
            status: Literal["enrolled", "error"] = row.status
            outcome[sent.row] = ResultRow(
                sent.row, sent.id_number_masked, sent.name, status, "" if row.enrolment else rule
            )
    result = [vars(outcome[r]) for r in sorted(outcome)]
    # Kept once: a racing second "enrol" found no result above, and enrol_matched refused its rows
    # as already enrolled; the first outcome stays.
    await _uploads().update_one({"_id": reference, "result": None}, {"$set": {"result": result}})
    return await show(actor=actor, keyring=keyring, reference=reference)


def result_file(upload: ClassUpload, *, file_format: str) -> Export:
    """The result of an upload as a CSV or .xlsx file (numbers masked)."""
    rows = [(r.row, r.id_number_masked, r.name, r.outcome, r.rule) for r in upload.result or []]
    sheet = Sheet(
        title=upload.reference, header=["row", "id_number", "name", "outcome", "rule"], rows=rows
    )
    return export(sheet, file_format=file_format, basename=upload.reference)


def template_file(*, file_format: str) -> Export:
    """The empty class file to fill in (CSV or .xlsx)."""
    return export(TEMPLATE, file_format=file_format, basename="class-file")
