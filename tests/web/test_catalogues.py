"""Every message of the pages has its Chinese translation, and the translations keep their
placeholders. The messages are extracted from the sources as ``make messages`` does, so a text
added to a template or a page route without a translation fails here."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from api.web import i18n

WEB = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def _source_messages() -> set[str]:
    with (WEB / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t": (2,)}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map, keywords=keywords
    ):
        found.update([message] if isinstance(message, str) else message)
    return found


def _catalogue(code: str) -> dict[str, tuple[str, bool]]:
    path = WEB / "locale" / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    return {m.id: (m.string, m.fuzzy) for m in catalog if m.id and isinstance(m.id, str)}


def test_every_message_has_a_chinese_translation() -> None:
    messages = _source_messages()
    assert len(messages) > 50, "extraction found almost nothing: babel.cfg moved?"
    chinese = _catalogue(i18n.CHINESE.code)
    missing = sorted(m for m in messages if not chinese.get(m, ("", False))[0])
    assert not missing, f"no Chinese translation (run `make messages`, translate): {missing}"
    fuzzy = sorted(m for m in messages if chinese.get(m, ("", False))[1])
    assert not fuzzy, f"fuzzy (unchecked) Chinese translations: {fuzzy}"


def test_translations_keep_their_placeholders() -> None:
    for message, (translation, _fuzzy) in _catalogue(i18n.CHINESE.code).items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translation)), (
            message
        )


def test_the_english_catalogue_knows_every_message() -> None:
    english = _catalogue(i18n.ENGLISH.code)
    assert not _source_messages() - set(english), "run `make messages`"
