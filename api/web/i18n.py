"""Languages of the pages: Simplified Chinese first, English second.

Messages are written in English in the code and the templates (``_("...")``,
``{% trans %}``) and translated by the gettext catalogues under ``locale/`` (Babel): Chinese
by ``zh_Hans``, English by its own (identity) catalogue. ``make catalogues`` compiles them
(.po -> .mo, build output); a catalogue whose .mo is missing or older than its .po is compiled
in memory at start-up, so a fresh checkout still serves pages. ``make messages`` re-extracts
the messages into ``messages.pot`` and merges them into both catalogues.

A visitor's language: the ``lang`` cookie set by the language link on every page, else the
browser's ``Accept-Language``, else Chinese.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANG_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    """One language the pages speak."""

    code: str  # the catalogue's name and the cookie's value
    tag: str  # BCP 47, for the ``lang`` attribute
    name: str  # its own name, as the language link shows it


CHINESE = Language("zh_Hans", "zh-Hans", "中文")
ENGLISH = Language("en", "en", "English")
LANGUAGES = (CHINESE, ENGLISH)
DEFAULT = CHINESE
_BY_CODE = {language.code: language for language in LANGUAGES}


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "extract, translate later"
    """Mark ``message`` for extraction where it is translated later (``t(request, name)``)."""
    return message


def by_code(code: str | None) -> Language | None:
    """The language of a cookie or link value, or None for anything else."""
    return _BY_CODE.get(code or "")


def other(language: Language) -> Language:
    """The language the switch link offers."""
    return ENGLISH if language is CHINESE else CHINESE


def from_accept_language(header: str) -> Language:
    """The first language of ``Accept-Language`` (by weight) that we speak; else Chinese."""
    offers: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            offers.append((-weight, position, tag.lower()))
    for _weight, _position, tag in sorted(offers):
        if tag == "zh" or tag.startswith("zh-"):
            # Traditional-script readers get the simplified pages: the only Chinese we have.
            return CHINESE
        if tag == "en" or tag.startswith("en-"):
            return ENGLISH
    return DEFAULT


def negotiate(request: Request) -> Language:
    """The request's language: its cookie, else ``Accept-Language``, else Chinese."""
    chosen = by_code(request.cookies.get(LANG_COOKIE))
    if chosen is not None:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def _load(language: Language) -> Translations:
    folder = LOCALE_DIR / language.code / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as mo:
            return Translations(mo, domain=DOMAIN)
    log.warning("catalogue not compiled; compiling it in memory", extra={"po": str(po_path)})
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=language.code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def load_translations() -> dict[str, Translations]:
    """Every language's compiled catalogue, by code (read once, at start-up)."""
    return {language.code: _load(language) for language in LANGUAGES}
