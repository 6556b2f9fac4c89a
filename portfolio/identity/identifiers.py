"""Identity numbers, credit codes, occupation and region codes: normalise, validate, parse.

Every function takes the raw input and the request field it came from, and either returns the
normalised value (with what it encodes: birth date, sex) or raises ``ValidationFailed`` naming
that field and a rule slug. Messages never repeat the input: it may be an identity number.

Rule slugs: ``required``, ``length``, ``format``, ``checksum``, ``birth_date``,
``future_birth``, ``area_code``, ``nationality``, ``mismatch``.

What is accepted, per identity document (DOMAIN.md "Identifiers"):

* ``resident_id`` (公民身份号码, GB 11643): 17 digits + ISO 7064 MOD 11-2 check character
  (``X`` for 10), checked with python-stdnum ``stdnum.cn.ric`` (its check character and birth
  date) and its GB/T 2260 table. ``ric.validate`` itself is not called: it also requires the
  county to have existed in the birth year, which rejects real numbers (the code is the one in
  force when the number was issued, often years after birth; GB 11643's own example
  ``440524188001010014`` fails it, and for an unknown county it raises KeyError), so we ask
  only that GB/T 2260 has used the area code at some time. Birth dates before 1850 or after
  today (China time) are rejected. Sequence odd = male.
* ``hmt_residence_permit`` (港澳台居民居住证): the same 18-character layout and check character,
  with area code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan).
* ``foreign_permanent_residence`` (外国人永久居留身份证), two published forms:
  - 2017 and later: 18 characters, ``9`` + 2-digit province code of the issuing office +
    3-digit ISO 3166-1 numeric nationality code + birth date YYYYMMDD + 3-digit sequence +
    GB 11643 check character. We check all of it and derive the birth date; the sex is not
    derived (the layout of the sequence is not published for this card), so it must be given.
  - 2004 form: 15 characters, ISO 3166-1 alpha-3 nationality + 2-digit province code +
    birth date YYMMDD + 4 digits (sequence and a check digit whose algorithm is not
    published, so it is not verified). The century is ambiguous: the birth date must be given
    and its YYMMDD must match.
* ``passport``: a nationality (ISO 3166-1 alpha-3, plus the ICAO 9303 codes for British
  nationals, UN documents, Kosovo and stateless persons) and 5 to 20 letters and digits.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from portfolio import clock
from portfolio.errors import FieldError, ValidationFailed

# China has one time zone and no daylight saving: "today" for a birth date is today there.
# The zone lives with the domain clock; importable here too, where dates are parsed.
CHINA_TIME = clock.CHINA_TIME
# Older than this is not a living worker's birth date but a typing error.
EARLIEST_BIRTH = date(1850, 1, 1)

# GB/T 2260 province-level codes (71 Taiwan, 81 Hong Kong, 82 Macao).


def _codes(text: str) -> frozenset[str]:
    """A set of codes written as one space-separated string (easier to proof-read)."""
    return frozenset(text.split())


PROVINCE_CODES = _codes(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82"
)
HMT_AREAS = {"810000": "HKG", "820000": "MAC", "830000": "TWN"}

# ISO 3166-1 alpha-3, and the extra ICAO 9303 codes that appear on real travel documents.
ISO_ALPHA3 = _codes(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA
    BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN
    CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU
    EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB
    GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL
    ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO
    LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR
    MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER
    PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
    SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
    TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM
    VUT WLF WSM YEM ZAF ZMB ZWE
    """
)
ICAO_EXTRA = _codes("GBD GBN GBO GBP GBS UNO UNA UNK RKS XXA XXB XXC XXX")
NATIONALITIES = ISO_ALPHA3 | ICAO_EXTRA

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ID18 = re.compile(r"\d{17}[\dX]", re.ASCII)
_PERMANENT_2004 = re.compile(r"[A-Z]{3}\d{12}", re.ASCII)
_PASSPORT = re.compile(r"[A-Z0-9]{5,20}", re.ASCII)
_CREDIT_FORMAT = re.compile(r"\d{8}[0-9A-HJ-NPQRTUWXY]{10}", re.ASCII)
# The classification prints flags after the code as "(S)", "(L)" or "(L/S)".
_OCCUPATION = re.compile(r"([1-8]-\d{2}-\d{2}-\d{2})([()/SL]*)", re.ASCII)
_REGION = re.compile(r"\d{6}", re.ASCII)
_REGION_PREFIX = re.compile(r"[0-9]+")
_PHONE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_GENERIC_NUMBER = re.compile(r"[A-Z0-9]+", re.ASCII)


class IdType(StrEnum):
    """The identity document a worker registers with."""

    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    PASSPORT = "passport"


class Sex(StrEnum):
    """Sex as recorded on the identity document."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IdentityNumber:
    """A validated identity number and what it encodes.

    ``birth_date`` and ``sex`` are None when the number does not encode them.
    ``nationality`` is set for passports and the 2004 permanent residence card (alpha-3) and
    for residence permits (HKG, MAC or TWN); a resident ID holder's is ``CHN``.
    """

    id_type: IdType
    number: str
    nationality: str | None
    birth_date: date | None
    sex: Sex | None

    @property
    def lookup_key(self) -> str:
        """The string the blind index is computed over: one per person and document.

        The type (and a passport's nationality: two countries may issue the same number)
        is part of it, so equal numbers of different documents never collide.
        """
        if self.id_type is IdType.PASSPORT:
            return f"{self.id_type.value}|{self.nationality}|{self.number}"
        return f"{self.id_type.value}|{self.number}"


@dataclass(frozen=True)
class CreditCode:
    """A unified social credit code; ``overridden`` when it fails the check but was accepted."""

    code: str
    overridden: bool


@dataclass(frozen=True)
class OccupationCode:
    """An occupation of the 2022 classification, with its digital (S) and green (L) flags."""

    code: str
    digital: bool
    green: bool


def normalise(raw: str) -> str:
    """Full-width to ASCII, every kind of space removed, letters upper case."""
    return "".join(raw.translate(_FULL_WIDTH).split()).upper()


def china_today(now: datetime | None = None) -> date:
    """Today's date in China at ``now`` (the reference for "born in the future"); by default
    the domain clock's today, so a moved clock moves it too."""
    return clock.china_today(now)


def _fail(field: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed.single(field, rule, message)


def _required(raw: str | None, field: str, what: str) -> str:
    value = normalise(raw or "")
    if not value:
        raise _fail(field, "required", f"the {what} is required")
    return value


# Area codes are few (a few thousand) and the numdb lookup costs about 0.25 ms: cache it.
@functools.lru_cache(maxsize=8192)
def _area_known(code: str) -> bool:
    """True when GB/T 2260 has used ``code`` as a county-level code at some time."""
    if code[:2] not in PROVINCE_CODES:
        return False
    parts = numdb.get("cn/loc").info(code)
    return any("county" in props for _, props in parts)


def _check_birth_date(birth: date, field: str, today: date) -> None:
    if birth < EARLIEST_BIRTH:
        raise _fail(field, "birth_date", "the birth date in the number is not plausible")
    if birth > today:
        raise _fail(field, "future_birth", "the birth date in the number lies in the future")


def _gb11643(value: str, field: str, today: date, what: str) -> date:
    """Length, format, MOD 11-2 check character and birth date of an 18-character number."""
    if len(value) != 18:
        raise _fail(field, "length", f"the {what} must have 18 characters")
    if not _ID18.fullmatch(value):
        raise _fail(field, "format", f"the {what} must be 17 digits and a digit or X")
    if value[-1] != ric.calc_check_digit(value):
        raise _fail(field, "checksum", f"the check character of the {what} is wrong")
    try:
        birth = ric.get_birth_date(value)
    except InvalidComponent:
        raise _fail(field, "birth_date", f"the {what} contains an impossible date") from None
    _check_birth_date(birth, field, today)
    return birth


def _sex_of(value: str) -> Sex:
    return Sex.MALE if int(value[16]) % 2 == 1 else Sex.FEMALE


def parse_resident_id(
    raw: str, *, field: str = "id_number", today: date | None = None
) -> IdentityNumber:
    """A resident identity number (GB 11643) with its birth date and sex."""
    value = _required(raw, field, "identity number")
    today = today or china_today()
    birth = _gb11643(value, field, today, "identity number")
    # stdnum's own place check (ric.validate) also requires the county to have existed in
    # the birth year, which real numbers break (see the module docstring); ours asks only
    # that GB/T 2260 has used the code at some time.
    if not _area_known(value[:6]):
        raise _fail(field, "area_code", "the area code of the number is unknown")
    if value[:6] in HMT_AREAS:
        raise _fail(field, "area_code", "this is a residence permit number, not a resident ID")
    return IdentityNumber(IdType.RESIDENT_ID, value, "CHN", birth, _sex_of(value))


def parse_hmt_permit(
    raw: str, *, field: str = "id_number", today: date | None = None
) -> IdentityNumber:
    """A Hong Kong / Macao / Taiwan residents' residence permit number."""
    value = _required(raw, field, "residence permit number")
    birth = _gb11643(value, field, today or china_today(), "residence permit number")
    region = HMT_AREAS.get(value[:6])
    if region is None:
        raise _fail(field, "area_code", "a residence permit number starts 810000/820000/830000")
    return IdentityNumber(IdType.HMT_RESIDENCE_PERMIT, value, region, birth, _sex_of(value))


def parse_permanent_residence(
    raw: str, *, field: str = "id_number", today: date | None = None
) -> IdentityNumber:
    """A foreigner's permanent residence ID card number (2017 18-char or 2004 15-char form)."""
    value = _required(raw, field, "permanent residence card number")
    today = today or china_today()
    if len(value) == 18:
        birth = _gb11643(value, field, today, "permanent residence card number")
        if value[0] != "9":
            raise _fail(field, "format", "a permanent residence card number starts with 9")
        if value[1:3] not in PROVINCE_CODES:
            raise _fail(field, "area_code", "the province code of the card number is unknown")
        if value[3:6] == "000":
            raise _fail(field, "nationality", "the nationality code of the card is invalid")
        return IdentityNumber(IdType.FOREIGN_PERMANENT_RESIDENCE, value, None, birth, None)
    if len(value) == 15:
        if not _PERMANENT_2004.fullmatch(value):
            raise _fail(field, "format", "the card number must be 3 letters and 12 digits")
        if value[:3] not in NATIONALITIES:
            raise _fail(field, "nationality", "the nationality code of the card is unknown")
        if value[3:5] not in PROVINCE_CODES:
            raise _fail(field, "area_code", "the province code of the card number is unknown")
        if not any(_yymmdd(century + value[5:11]) for century in ("19", "20")):
            raise _fail(field, "birth_date", "the card number contains an impossible date")
        return IdentityNumber(IdType.FOREIGN_PERMANENT_RESIDENCE, value, value[:3], None, None)
    raise _fail(field, "length", "the card number must have 18 (or, before 2017, 15) characters")


def _yymmdd(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def parse_nationality(raw: str | None, *, field: str = "nationality") -> str:
    """An ISO 3166-1 alpha-3 nationality (or an ICAO 9303 travel-document code)."""
    value = _required(raw, field, "nationality")
    if value not in NATIONALITIES:
        raise _fail(field, "nationality", "the nationality must be an ISO 3166-1 alpha-3 code")
    return value


def parse_passport(
    raw: str, *, nationality: str | None, field: str = "id_number", nationality_field: str
) -> IdentityNumber:
    """A passport number (5 to 20 letters and digits) and its issuing nationality."""
    value = _required(raw, field, "passport number")
    country = parse_nationality(nationality, field=nationality_field)
    if not 5 <= len(value) <= 20:
        raise _fail(field, "length", "the passport number must have 5 to 20 characters")
    if not _PASSPORT.fullmatch(value):
        raise _fail(field, "format", "the passport number may contain only letters and digits")
    return IdentityNumber(IdType.PASSPORT, value, country, None, None)


def parse_identity(
    id_type: IdType,
    raw: str,
    *,
    nationality: str | None = None,
    field: str = "id_number",
    nationality_field: str = "nationality",
    today: date | None = None,
) -> IdentityNumber:
    """Validate ``raw`` as a number of document ``id_type``."""
    if id_type is IdType.RESIDENT_ID:
        return parse_resident_id(raw, field=field, today=today)
    if id_type is IdType.HMT_RESIDENCE_PERMIT:
        return parse_hmt_permit(raw, field=field, today=today)
    if id_type is IdType.FOREIGN_PERMANENT_RESIDENCE:
        return parse_permanent_residence(raw, field=field, today=today)
    return parse_passport(
        raw, nationality=nationality, field=field, nationality_field=nationality_field
    )


def reconcile_birth_and_sex(
    identity: IdentityNumber,
    *,
    birth_date: date | None,
    sex: Sex | None,
    today: date | None = None,
) -> tuple[date, Sex]:
    """The person's birth date and sex: taken from the number where it encodes them.

    Given values must agree with the number; where the number does not encode them they are
    required (and a 2004 permanent residence card's YYMMDD must match the given birth date).
    """
    today = today or china_today()
    errors: list[FieldError] = []
    birth = identity.birth_date
    if birth is not None and birth_date is not None and birth_date != birth:
        errors.append(FieldError("birth_date", "mismatch", "does not match the identity number"))
    if birth is None:
        birth = birth_date
        if birth_date is None:
            errors.append(FieldError("birth_date", "required", "the birth date is required"))
        elif birth_date < EARLIEST_BIRTH:
            errors.append(FieldError("birth_date", "birth_date", "the birth date is implausible"))
        elif birth_date > today:
            errors.append(
                FieldError("birth_date", "future_birth", "the birth date is in the future")
            )
        elif (
            identity.id_type is IdType.FOREIGN_PERMANENT_RESIDENCE
            and len(identity.number) == 15
            and birth_date.strftime("%y%m%d") != identity.number[5:11]
        ):
            errors.append(FieldError("birth_date", "mismatch", "does not match the card number"))
    if identity.sex is not None and sex is not None and sex is not identity.sex:
        errors.append(FieldError("sex", "mismatch", "does not match the identity number"))
    resolved_sex = identity.sex or sex
    if resolved_sex is None:
        errors.append(FieldError("sex", "required", "the sex is required for this document"))
    if errors or birth is None or resolved_sex is None:
        raise ValidationFailed(errors)
    return birth, resolved_sex


def parse_credit_code(
    raw: str | None, *, field: str = "employer_credit_code", allow_checksum_override: bool = False
) -> CreditCode:
    """A unified social credit code (GB 32100), checked with ``stdnum.cn.uscc``.

    A few legal early codes fail the mod-31 check; with ``allow_checksum_override`` (an
    agency's recorded decision) a code whose only fault is its check character is accepted.
    """
    value = _required(raw, field, "credit code")
    if len(value) != 18:
        raise _fail(field, "length", "the credit code must have 18 characters")
    if not _CREDIT_FORMAT.fullmatch(value):
        raise _fail(field, "format", "the credit code has characters outside GB 32100")
    try:
        uscc.validate(value)
    except InvalidChecksum:
        if allow_checksum_override:
            return CreditCode(value, overridden=True)
        raise _fail(field, "checksum", "the check character of the credit code is wrong") from None
    except (InvalidFormat, InvalidLength):  # pragma: no cover - checked above
        raise _fail(field, "format", "the credit code is malformed") from None
    return CreditCode(value, overridden=False)


def parse_occupation_code(raw: str | None, *, field: str = "occupation_code") -> OccupationCode:
    """An occupation code ``N-NN-NN-NN``, optionally followed by flags ``S`` and/or ``L``."""
    value = _required(raw, field, "occupation code")
    match = _OCCUPATION.fullmatch(value)
    if match is None:
        raise _fail(field, "format", "the occupation code must look like 4-01-02-03")
    flags = match.group(2)
    return OccupationCode(match.group(1), digital="S" in flags, green="L" in flags)


def parse_region_code(raw: str | None, *, field: str = "region_code") -> str:
    """A 6-digit administrative region code (GB/T 2260) of a known province."""
    value = _required(raw, field, "region code")
    if not _REGION.fullmatch(value):
        raise _fail(field, "format", "the region code must have 6 digits")
    if value[:2] not in PROVINCE_CODES:
        raise _fail(field, "area_code", "the region code names no province")
    return value


def parse_region_prefix(raw: str | None, *, field: str = "region_prefix") -> str:
    """An agency's scope: a region code prefix of 2, 4 or 6 digits."""
    value = _required(raw, field, "region prefix")
    if len(value) not in (2, 4, 6) or not _REGION_PREFIX.fullmatch(value):
        raise _fail(field, "format", "the region prefix must have 2, 4 or 6 digits")
    if value[:2] not in PROVINCE_CODES:
        raise _fail(field, "area_code", "the region prefix names no province")
    return value


def parse_phone(raw: str | None, *, field: str = "phone") -> str:
    """A mainland mobile number (11 digits); a ``+86``/``0086`` prefix and hyphens are dropped."""
    value = _required(raw, field, "phone number").replace("-", "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if not _PHONE.fullmatch(value):
        raise _fail(field, "format", "the phone number must be an 11-digit mobile number")
    return value


def parse_generic_number(
    raw: str | None, *, field: str, what: str, min_length: int, max_length: int
) -> str:
    """A document number of letters and digits within a length range."""
    value = _required(raw, field, what).replace("-", "")
    if not min_length <= len(value) <= max_length:
        raise _fail(
            field, "length", f"the {what} must have {min_length} to {max_length} characters"
        )
    if not _GENERIC_NUMBER.fullmatch(value):
        raise _fail(field, "format", f"the {what} may contain only letters and digits")
    return value
