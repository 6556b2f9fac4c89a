"""Scan stored data (every raw collection) and text (logs) for plaintext identity numbers,
and (``personal_findings``) for a person's phone number or birth date in the clear.

A hit is an 18-character run ``17 digits + digit or X`` that is not part of a longer run of
letters and digits, has a right GB 11643 check character, a real birth date and a known
province (or ``9`` + province, the 2017 permanent residence card). Those three tests rule out
the random numbers logs and hashes are full of (driver cursor ids are 18-19 random digits):
a random run passes all of them about once in 30,000 times, and it must also stand alone.
Strings are scanned, and bytes as Latin-1, so a plaintext number stored as bytes is found
too; dictionary keys are scanned as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bson import Binary
from pymongo import AsyncMongoClient
from stdnum.cn import ric

from portfolio.identity.identifiers import EARLIEST_BIRTH, PROVINCE_CODES

_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


@dataclass(frozen=True)
class Finding:
    """Where a plaintext identity number was found (the number itself is not repeated)."""

    collection: str
    document_id: str
    path: str


def _looks_like_identity(number: str) -> bool:
    if ric.calc_check_digit(number) != number[-1]:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    area_ok = number[:2] in PROVINCE_CODES or number[:2] == "83"
    card_ok = number[0] == "9" and number[1:3] in PROVINCE_CODES
    return EARLIEST_BIRTH <= born <= date.today() + timedelta(days=1) and (area_ok or card_ok)


def identity_numbers_in(text: str) -> list[str]:
    """Every standalone 18-character identity number in ``text``."""
    return [m.upper() for m in _CANDIDATE.findall(text) if _looks_like_identity(m.upper())]


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, bytes | Binary):
        yield path, bytes(value).decode("latin-1")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.<key>", str(key)
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def scan_document(
    collection: str, document: dict[str, Any], known: Iterable[str] = ()
) -> list[Finding]:
    """Findings in one raw document: pattern hits, and any of the ``known`` numbers verbatim."""
    numbers = [n.upper() for n in known]
    findings: list[Finding] = []
    for path, text in _walk(document, ""):
        upper = text.upper()
        if identity_numbers_in(text) or any(n in upper for n in numbers):
            findings.append(Finding(collection, str(document.get("_id")), path))
    return findings


async def scan_database(
    client: AsyncMongoClient[dict[str, Any]], database: str, known: Iterable[str] = ()
) -> list[Finding]:
    """Findings in every document of every collection of ``database``."""
    numbers = list(known)
    findings: list[Finding] = []
    db = client[database]
    for name in sorted(await db.list_collection_names()):
        async for document in db[name].find({}):
            findings.extend(scan_document(name, document, numbers))
    return findings


def scan_text(text: str, known: Iterable[str] = ()) -> int:
    """How many plaintext identity numbers (or ``known`` numbers) appear in ``text``."""
    upper = text.upper()
    return len(identity_numbers_in(text)) + sum(upper.count(n.upper()) for n in known)


@dataclass(frozen=True)
class Person:
    """What must never be stored in the clear about one worker, besides the ID number."""

    phone: str
    birth: date


def _owner(collection: str, document: Mapping[str, Any]) -> str | None:
    if collection == "archives":
        return str(document.get("_id"))
    owner = document.get("archive_id")
    return str(owner) if owner is not None else None


def _values(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _values(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _values(item, f"{path}[{index}]")
    else:
        yield path, value


def personal_findings(
    collection: str, document: Mapping[str, Any], people: Mapping[str, Person]
) -> list[Finding]:
    """Any known phone number in any text; the owner's birth date as a date, an ISO string or
    ``YYYYMMDD`` (the owner: the archive itself, or the ``archive_id`` a document names)."""
    owner = people.get(_owner(collection, document) or "")
    phones = [p.phone for p in people.values()]
    findings: list[Finding] = []
    for path, value in _values(dict(document), ""):
        text = bytes(value).decode("latin-1") if isinstance(value, bytes | Binary) else value
        hit = False
        if isinstance(text, str):
            hit = any(phone in text for phone in phones)
            if owner is not None:
                hit = hit or owner.birth.isoformat() in text or f"{owner.birth:%Y%m%d}" in text
        elif isinstance(value, datetime | date) and owner is not None:
            day = value.date() if isinstance(value, datetime) else value
            hit = day == owner.birth
        if hit:
            findings.append(Finding(collection, str(document.get("_id")), path))
    return findings


async def scan_personal(
    client: AsyncMongoClient[dict[str, Any]], database: str, people: Mapping[str, Person]
) -> list[Finding]:
    """``personal_findings`` over every document of every collection of ``database``."""
    findings: list[Finding] = []
    db = client[database]
    for name in sorted(await db.list_collection_names()):
        async for document in db[name].find({}):
            findings.extend(personal_findings(name, document, people))
    return findings
