"""Field encryption with rotating keys, the fixed blind index, and masking."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.runtime import Runtime
from portfolio.identity import protection
from portfolio.identity.identifiers import IdType, parse_identity
from portfolio.identity.masking import (
    age_band,
    mask_document_number,
    mask_identity_number,
    mask_phone,
    remask_legacy,
)
from portfolio.identity.protection import FieldProtection, Sealed, Tampered, associated_data
from tests.archives.factories import resident_id


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def test_sealed_values_open_only_with_their_associated_data(runtime: Runtime) -> None:
    fields = FieldProtection(runtime.keyring)
    aad = associated_data("archives", "id_number", "a1")
    sealed = fields.seal("11010519491231002X", aad=aad)
    assert b"11010519491231002X" not in sealed.ciphertext
    assert sealed.kid == runtime.keyring.current(protection.FIELD_ENCRYPTION).kid
    assert await fields.open(sealed, aad=aad) == "11010519491231002X"
    # Moved to another archive or another field: it no longer opens.
    for other in (
        associated_data("archives", "id_number", "a2"),
        associated_data("archives", "social_security.number", "a1"),
    ):
        with pytest.raises(Tampered):
            await fields.open(sealed, aad=other)
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(Tampered):
        await fields.open(Sealed(kid=sealed.kid, nonce=sealed.nonce, ciphertext=flipped), aad=aad)
    # Two seals of one value differ (fresh nonce): equal ciphertexts reveal nothing.
    assert fields.seal("11010519491231002X", aad=aad).ciphertext != sealed.ciphertext


async def test_rotation_keeps_old_ciphertexts_readable_and_the_index_stable(
    runtime: Runtime,
) -> None:
    fields = FieldProtection(runtime.keyring)
    aad = associated_data("archives", "id_number", "a1")
    index_before = fields.blind_index("resident_id|11010519491231002X")
    old = fields.seal("11010519491231002X", aad=aad)
    await runtime.keyring.rotate(protection.FIELD_ENCRYPTION, lambda: bytes(range(32)))
    # Even a blind-index key added by mistake does not change the index in use.
    await runtime.keyring.rotate(protection.BLIND_INDEX, lambda: bytes(range(1, 33)))
    new = fields.seal("11010519491231002X", aad=aad)
    assert new.kid != old.kid
    assert await fields.open(old, aad=aad) == await fields.open(new, aad=aad)
    assert fields.blind_index("resident_id|11010519491231002X") == index_before


async def test_blind_index_is_keyed_and_namespaced(runtime: Runtime) -> None:
    fields = FieldProtection(runtime.keyring)
    value = "resident_id|11010519491231002X"
    index = fields.blind_index(value)
    assert len(index) == 64
    assert index != hashlib.sha256(value.encode()).hexdigest()
    assert fields.blind_index("ssn|11010519491231002X") != index


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(
    st.integers(min_value=0, max_value=999),
    st.lists(st.sampled_from(["plain", "full", "lower", "space"]), min_size=18, max_size=18),
)
def test_every_spelling_of_a_number_has_one_blind_index(
    runtime: Runtime, seq: int, styles: list[str]
) -> None:
    number = resident_id("110105", seq=seq)
    fields = FieldProtection(runtime.keyring)
    spelled = ""
    for char, style in zip(number, styles, strict=True):
        spelled += {
            "plain": char,
            "full": full_width(char),
            "lower": char.lower(),
            "space": char + "\u3000",
        }[style]
    canonical = parse_identity(IdType.RESIDENT_ID, number)
    typed = parse_identity(IdType.RESIDENT_ID, spelled)
    assert fields.blind_index(typed.lookup_key) == fields.blind_index(canonical.lookup_key)


def test_masks() -> None:
    # 18 characters: the area and the last two (the old form kept four: see masking.py).
    assert mask_identity_number("510104199001011234") == "510104**********34"
    assert mask_identity_number("USA518005171234") == "USA********1234"
    assert mask_identity_number("E12345678") == "E******78"
    assert mask_identity_number("AB123") == "***23"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_document_number("A12345678") == "*****5678"
    assert mask_document_number("1234") == "**34"


def test_old_masks_become_new_ones_without_the_number() -> None:
    assert remask_legacy("510104********1234") == "510104**********34"
    assert remask_legacy("91015619900101123X") == "91015619900101123X"  # not a mask
    for current in ("510104**********34", "USA********1234", "E******78", "138****8000"):
        assert remask_legacy(current) == current


def test_age_bands_are_five_years_relative_to_today() -> None:
    today = date(2026, 3, 7)
    assert age_band(date(1991, 3, 8), today) == "30-34"  # 34 until tomorrow
    assert age_band(date(1991, 3, 7), today) == "35-39"  # 35 today
    assert age_band(date(2008, 1, 1), today) == "15-19"


async def test_deterministic_seals_are_keyed_and_open_like_random_ones(runtime: Runtime) -> None:
    fields = FieldProtection(runtime.keyring)
    aad = associated_data("archives", "id_number", "a1")
    number = "11010519491231002X"
    first = fields.seal_deterministic(number, aad=aad)
    # The same value of the same record seals alike (a resumed seed writes the same bytes)...
    assert fields.seal_deterministic(number, aad=aad) == first
    assert await fields.open(first, aad=aad) == number
    # ...but another record or value gets another nonce.
    other = associated_data("archives", "id_number", "a2")
    assert fields.seal_deterministic(number, aad=other).nonce != first.nonce
    assert fields.seal_deterministic("110105194912310038", aad=aad).nonce != first.nonce
    # Without the key a guess cannot be confirmed: the nonce is no unkeyed hash of what is
    # public (the seed) and the guess, as the seeder's once was.
    for seed in range(3):
        text = f"{seed}|nonce|{aad.decode()}|{number}"
        assert hashlib.sha256(text.encode()).digest()[:12] != first.nonce
    assert hashlib.sha256(aad + number.encode()).digest()[:12] != first.nonce
    # It follows the key: after a rotation the same value seals to another nonce.
    await runtime.keyring.rotate(protection.FIELD_ENCRYPTION, lambda: bytes(range(2, 34)))
    rotated = fields.seal_deterministic(number, aad=aad)
    assert rotated.kid != first.kid
    assert rotated.nonce != first.nonce
    assert await fields.open(first, aad=aad) == await fields.open(rotated, aad=aad)
