"""Identifier rules: published valid examples, property-based invalid ones, normalisation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from portfolio.errors import ValidationFailed
from portfolio.identity.identifiers import (
    IdType,
    Sex,
    china_today,
    normalise,
    parse_credit_code,
    parse_hmt_permit,
    parse_identity,
    parse_occupation_code,
    parse_passport,
    parse_permanent_residence,
    parse_phone,
    parse_region_code,
    parse_region_prefix,
    parse_resident_id,
    reconcile_birth_and_sex,
)
from tests.archives.factories import resident_id

# Area codes known to GB/T 2260 (Beijing Chaoyang, Chengdu Jinjiang and Wuhou, Mianyang).
AREAS = ["110105", "510104", "510107", "510703", "440524"]
CHECK_CHARACTERS = "0123456789X"


def rule_of(caught: pytest.ExceptionInfo[ValidationFailed]) -> tuple[str, str]:
    """The (field, rule) of a single-error ValidationFailed."""
    (error,) = caught.value.errors
    return error.field, error.rule


def full_width(text: str) -> str:
    """``text`` typed on a Chinese keyboard in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31))
valid_ids = st.builds(
    lambda area, birth, seq: resident_id(area, birth, seq),
    st.sampled_from(AREAS),
    births,
    st.integers(min_value=0, max_value=999),
)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        # GB 11643-1999's own examples (the second is born in 1880: real numbers carry the
        # area code of issue, which stdnum's year-bound place check would reject).
        ("11010519491231002X", date(1949, 12, 31), Sex.FEMALE),
        ("440524188001010014", date(1880, 1, 1), Sex.MALE),
        # python-stdnum's documented example.
        ("360426199101010071", date(1991, 1, 1), Sex.MALE),
    ],
)
def test_published_valid_resident_ids(number: str, birth: date, sex: Sex) -> None:
    parsed = parse_resident_id(number)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (number, birth, sex)
    assert parsed.id_type is IdType.RESIDENT_ID


@given(valid_ids)
def test_generated_valid_ids_parse_with_their_birth_date_and_sex(number: str) -> None:
    parsed = parse_resident_id(number)
    assert parsed.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert parsed.sex is (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)


@given(valid_ids, st.data())
def test_wrong_check_character_is_rejected(number: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in CHECK_CHARACTERS if c != number[-1]]))
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(number[:-1] + wrong)
    assert rule_of(caught) == ("id_number", "checksum")


@given(valid_ids, st.sampled_from("0123456789"))
def test_17_or_19_characters_are_rejected(number: str, extra: str) -> None:
    for wrong in (number[:-1], number + extra):
        with pytest.raises(ValidationFailed) as caught:
            parse_resident_id(wrong)
        assert rule_of(caught) == ("id_number", "length")


@given(
    st.sampled_from(AREAS),
    st.integers(min_value=1900, max_value=2010),
    st.sampled_from([(2, 30), (2, 31), (4, 31), (6, 31), (13, 1), (0, 10), (5, 0), (12, 32)]),
    st.integers(min_value=0, max_value=999),
)
def test_impossible_dates_are_rejected(
    area: str, year: int, month_day: tuple[int, int], seq: int
) -> None:
    month, day = month_day
    body = f"{area}{year:04d}{month:02d}{day:02d}{seq:03d}"
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(number)
    assert rule_of(caught) == ("id_number", "birth_date")


@given(st.integers(min_value=1, max_value=3650), st.integers(min_value=0, max_value=999))
def test_future_births_are_rejected(days_ahead: int, seq: int) -> None:
    birth = china_today() + timedelta(days=days_ahead)
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(resident_id("510104", birth, seq))
    assert rule_of(caught) == ("id_number", "future_birth")


def test_born_today_in_china_is_accepted() -> None:
    assert parse_resident_id(resident_id("510104", china_today(), 1)).birth_date == china_today()


@given(valid_ids, st.data())
def test_full_width_spaced_lowercase_spellings_normalise_to_one_number(
    number: str, data: st.DataObject
) -> None:
    spelled = "".join(
        data.draw(st.sampled_from([c, full_width(c), c.lower(), full_width(c.lower())]))
        + data.draw(st.sampled_from(["", " ", "\u3000", "\t"]))
        for c in number
    )
    assert parse_resident_id(spelled).number == number


def test_normalise_handles_the_documented_cases() -> None:
    assert normalise(" １１０１０５ １９４９１２３１ ００２ｘ ") == "11010519491231002X"
    assert normalise("e1234567") == "E1234567"


@pytest.mark.parametrize("bad", ["", "   ", "11010519491231002Y", "1101051949123100 2A"])
def test_malformed_numbers_are_rejected_without_echoing_them(bad: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(bad)
    field, rule = rule_of(caught)
    assert field == "id_number"
    assert rule in {"required", "format", "length"}
    if bad.strip():
        assert bad.strip() not in str(caught.value)


def test_unicode_digits_that_are_not_ascii_are_rejected() -> None:
    # Arabic-Indic digits satisfy str.isdigit() and int(); they must not make a second
    # spelling of a number (it would escape the blind index).
    arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "11010519491231002X")
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(arabic)
    assert rule_of(caught) == ("id_number", "format")


def test_unknown_area_code_is_rejected() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(resident_id("519999"))
    assert rule_of(caught) == ("id_number", "area_code")


def test_residence_permit_numbers() -> None:
    parsed = parse_hmt_permit(resident_id("810000", date(1985, 6, 1), 35))
    assert (parsed.nationality, parsed.sex, parsed.birth_date) == (
        "HKG",
        Sex.MALE,
        date(1985, 6, 1),
    )
    assert parse_hmt_permit(resident_id("830000", date(1985, 6, 1), 36)).nationality == "TWN"
    with pytest.raises(ValidationFailed) as caught:
        parse_hmt_permit(resident_id("510104"))
    assert rule_of(caught) == ("id_number", "area_code")
    with pytest.raises(ValidationFailed) as caught:
        parse_resident_id(resident_id("810000"))
    assert rule_of(caught) == ("id_number", "area_code")


def test_permanent_residence_cards_of_2017_and_2004() -> None:
    # 9 + Sichuan (51) + USA (840) + birth 1980-05-17 + sequence 001 + check character.
    card = resident_id("951840", date(1980, 5, 17), 1)
    parsed = parse_permanent_residence(card)
    assert (parsed.birth_date, parsed.sex) == (date(1980, 5, 17), None)
    old = parse_permanent_residence("usa518005171234")
    assert (old.number, old.nationality, old.birth_date) == ("USA518005171234", "USA", None)
    for bad, rule in [
        (resident_id("851840"), "format"),  # does not start with 9
        (resident_id("999840"), "area_code"),  # no province 99
        ("ZZZ510805171234", "nationality"),
        ("USA511399171234", "birth_date"),
        ("USA5180051712", "length"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            parse_permanent_residence(bad)
        assert rule_of(caught) == ("id_number", rule), bad


def test_2004_card_birth_date_must_be_given_and_match() -> None:
    card = parse_permanent_residence("USA518005171234")
    assert reconcile_birth_and_sex(card, birth_date=date(1980, 5, 17), sex=Sex.FEMALE) == (
        date(1980, 5, 17),
        Sex.FEMALE,
    )
    with pytest.raises(ValidationFailed) as caught:
        reconcile_birth_and_sex(card, birth_date=date(1981, 5, 17), sex=Sex.FEMALE)
    assert rule_of(caught) == ("birth_date", "mismatch")
    with pytest.raises(ValidationFailed) as caught:
        reconcile_birth_and_sex(card, birth_date=None, sex=None)
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("birth_date", "required"),
        ("sex", "required"),
    }


def test_given_birth_date_and_sex_must_match_a_resident_id() -> None:
    parsed = parse_resident_id("11010519491231002X")
    with pytest.raises(ValidationFailed) as caught:
        reconcile_birth_and_sex(parsed, birth_date=date(1949, 12, 30), sex=Sex.MALE)
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("birth_date", "mismatch"),
        ("sex", "mismatch"),
    }


def test_passports_need_a_known_nationality() -> None:
    parsed = parse_identity(IdType.PASSPORT, " e1234 5678 ", nationality="deu")
    assert (parsed.number, parsed.nationality) == ("E12345678", "DEU")
    assert parsed.lookup_key == "passport|DEU|E12345678"
    with pytest.raises(ValidationFailed) as caught:
        parse_passport("E12345678", nationality="XYZ", nationality_field="nationality")
    assert rule_of(caught) == ("nationality", "nationality")
    with pytest.raises(ValidationFailed) as caught:
        parse_passport("E12", nationality="DEU", nationality_field="nationality")
    assert rule_of(caught) == ("id_number", "length")
    with pytest.raises(ValidationFailed) as caught:
        parse_passport("E1234-5678", nationality="DEU", nationality_field="nationality")
    assert rule_of(caught) == ("id_number", "format")


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "91110000600037341L", "９１３５０１００ｍ０００１００ｙ４３"]
)
def test_valid_credit_codes(code: str) -> None:
    assert parse_credit_code(code).code == normalise(code)


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4", "length"),
        ("A1350100M000100Y43", "format"),
        ("91350100M0001O0Y43", "format"),  # the letter O is not in the GB 32100 alphabet
        ("", "required"),
    ],
)
def test_invalid_credit_codes(code: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_credit_code(code)
    assert rule_of(caught) == ("employer_credit_code", rule)


def test_credit_code_checksum_override_only_forgives_the_check_character() -> None:
    accepted = parse_credit_code("91350100M000100Y44", allow_checksum_override=True)
    assert accepted.overridden
    assert not parse_credit_code("91350100M000100Y43", allow_checksum_override=True).overridden
    with pytest.raises(ValidationFailed):
        parse_credit_code("A1350100M000100Y43", allow_checksum_override=True)


@given(valid_ids.map(lambda n: n[:-1] + "X"))
def test_credit_code_check_agrees_with_stdnum(code: str) -> None:
    from stdnum.cn import uscc

    try:
        parse_credit_code(code)
    except ValidationFailed:
        assert not uscc.is_valid(code)
    else:
        assert uscc.is_valid(code)


def test_occupation_codes() -> None:
    assert parse_occupation_code("4-04-05-05").code == "4-04-05-05"
    flagged = parse_occupation_code("2-02-10-11 (S)")
    assert (flagged.code, flagged.digital, flagged.green) == ("2-02-10-11", True, False)
    both = parse_occupation_code("４-０４-０５-０５（L/S）")
    assert (both.digital, both.green) == (True, True)
    for bad in ["9-01-02-03", "4-4-05-05", "4-04-05", "4-04-05-05X", "40405 05"]:
        with pytest.raises(ValidationFailed) as caught:
            parse_occupation_code(bad)
        assert rule_of(caught) == ("occupation_code", "format")


def test_region_codes_and_prefixes() -> None:
    assert parse_region_code(" 510104 ") == "510104"
    for bad, rule in [("5101", "format"), ("991234", "area_code"), ("51010a", "format")]:
        with pytest.raises(ValidationFailed) as caught:
            parse_region_code(bad)
        assert rule_of(caught) == ("region_code", rule)
    assert [parse_region_prefix(p) for p in ("51", "5101", "510104")] == ["51", "5101", "510104"]
    for bad in ["5", "510", "51010", "5101041", "99"]:
        with pytest.raises(ValidationFailed):
            parse_region_prefix(bad)


def test_phone_numbers() -> None:
    assert parse_phone("+86 138-0013-8000") == "13800138000"
    assert parse_phone("１３８００１３８０００") == "13800138000"
    for bad in ["1380013800", "23800138000", "138001380001"]:
        with pytest.raises(ValidationFailed) as caught:
            parse_phone(bad)
        assert rule_of(caught) == ("phone", "format")
