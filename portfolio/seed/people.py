"""Workers of the synthetic province: identity, archive document and identifier links.

A person is drawn from a generator of their own (``rng_for(seed, "person", n)``), so worker
``n`` is the same person whatever the batch size, and a resumed run can replay the identity
numbers of the batches done before (to keep every number unique) without rebuilding them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bson import ObjectId

from portfolio.archives.documents import ARCHIVE_FORM
from portfolio.archives.kinds import EntryKind
from portfolio.archives.personal import BIRTH_DATE_FIELD, PHONE_FIELD
from portfolio.archives.reading import ssn_lookup_key
from portfolio.archives.scope import CERTIFICATE_FIELD, ID_NUMBER_FIELD, SSN_FIELD
from portfolio.identity.identifiers import Sex
from portfolio.identity.masking import mask_document_number, mask_identity_number, mask_phone
from portfolio.identity.protection import FieldProtection, Sealed, associated_data
from portfolio.seed.catalogue import Catalogue, OrganisationRef
from portfolio.seed.geography import (
    City,
    birth_areas,
    city_of,
    pick_city,
    pick_district,
    province_birth_areas,
)
from portfolio.seed.identities import (
    at_millis,
    credit_code,
    derive,
    object_id,
    person_name,
    phone,
    resident_id,
    rng_for,
)

# Birth years 1960-2006, most between 1975 and 1995 (the working-age bulk of the province).
_YEARS = list(range(1960, 2007))
_YEAR_WEIGHTS = [max(1, 12 - abs(year - 1986) // 3) for year in _YEARS]
AWARDS = ("四川省技术能手", "天府工匠", "市级技能大赛三等奖", "优秀农民工")
EMPLOYERS = (
    "成都{w}餐饮管理有限公司",
    "四川{w}建设工程有限公司",
    "{w}物流有限公司",
    "{w}电子科技有限公司",
)


@dataclass
class Entry:
    """An archive entry before its place in the chain is known."""

    at: datetime
    kind: EntryKind
    payload: dict[str, Any]
    recorded_by: dict[str, Any]
    # Where to note the seq once known: (document, field).
    notes: list[tuple[dict[str, Any], str]] = field(default_factory=list)


@dataclass
class Person:
    """One worker as the rest of the batch sees them."""

    n: int
    archive_id: ObjectId
    name: str
    number: str
    masked: str
    birth: date
    sex: Sex
    region_code: str
    city: City
    registered_at: datetime
    principal_id: str = ""
    # The enterprise of the catalogue that employs them with a long contract (apprentice
    # candidates), and since when.
    employer: OrganisationRef | None = None
    employed_since: date | None = None
    entries: list[Entry] = field(default_factory=list)
    archive: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The archive id as other documents refer to it."""
        return str(self.archive_id)

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        return (
            day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))
        )


def identity_of(seed: int, n: int, taken: set[str]) -> tuple[random.Random, str, date, Sex, str]:
    """Worker ``n``'s generator, identity number, birth date, sex and home district.

    ``taken`` holds the numbers of workers ``0..n-1``; a collision moves the sequence on.
    """
    rng = rng_for(seed, "person", n)
    city = pick_city(rng)
    home = pick_district(rng, city)
    year = rng.choices(_YEARS, weights=_YEAR_WEIGHTS)[0]
    birth = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    sex = Sex.MALE if rng.random() < 0.52 else Sex.FEMALE
    # Most were born in their city; some elsewhere in the province. The number carries the
    # code the birth place had in the birth year (older people: older county codes).
    areas = birth_areas(home[:4], year) if rng.random() < 0.8 else ()
    if home in areas and rng.random() < 0.6:
        area = home
    else:
        area = rng.choice(areas or province_birth_areas(year))
    sequence = rng.randrange(500) * 2 + (1 if sex is Sex.MALE else 0)
    number = resident_id(area, birth, sequence)
    while number in taken:
        sequence = (sequence + 2) % 1000
        number = resident_id(area, birth, sequence)
    taken.add(number)
    return rng, number, birth, sex, home


def agency_recorder(catalogue: Catalogue, region_code: str) -> dict[str, Any]:
    """The recorder of the city agency of ``region_code``."""
    agency = catalogue.agencies[region_code[:4]]
    return {
        "principal": agency.principal_id,
        "role": "agency",
        "organisation": None,
        "region": agency.prefix,
    }


def provider_recorder(organisation: OrganisationRef) -> dict[str, Any]:
    """The recorder of an organisation's seeded login."""
    return {
        "principal": organisation.principal_id,
        "role": "provider",
        "organisation": organisation.id,
        "region": None,
    }


def _sealed(value: Sealed) -> dict[str, Any]:
    return {"kid": value.kid, "nonce": value.nonce, "ciphertext": value.ciphertext}


@dataclass
class PersonFactory:
    """Builds workers, their archive documents and their link entries."""

    seed: int
    as_of: datetime
    catalogue: Catalogue
    protection: FieldProtection
    seal: Callable[..., Sealed]  # FieldProtection.seal_deterministic
    taken: set[str]

    def person(self, n: int) -> Person:
        """Worker ``n`` with the archive document and the entries of registration and links."""
        rng, number, birth, sex, home = identity_of(self.seed, n, self.taken)
        city = city_of(home)
        # Registered 45 days to 4 years before the as-of day, during office hours (China).
        registered_at = at_millis(
            self.as_of - timedelta(days=rng.uniform(45, 1460)) + timedelta(hours=rng.uniform(1, 9))
        )
        oid = object_id(self.seed, registered_at, "archive", n)
        person = Person(
            n=n,
            archive_id=oid,
            name=person_name(rng),
            number=number,
            masked=mask_identity_number(number),
            birth=birth,
            sex=sex,
            region_code=home,
            city=city,
            registered_at=registered_at,
        )
        agency = agency_recorder(self.catalogue, home)
        person.entries.append(
            Entry(
                registered_at,
                EntryKind.REGISTERED,
                {
                    "name": person.name,
                    "id_type": "resident_id",
                    "id_number_masked": person.masked,
                    "nationality": "CHN",
                    "sex": sex.value,
                    "region_code": home,
                },
                agency,
            )
        )
        archive_id = person.id
        social = self._social_security(rng, person, agency)
        employment = self._employment(rng, person, agency)
        links = sum(1 for e in person.entries if e.kind is EntryKind.LINK_ADDED)
        last_link = max((e.at for e in person.entries), default=registered_at)
        mobile = phone(rng)
        person.archive = {
            "_id": oid,
            "name": person.name,
            "id_type": "resident_id",
            "nationality": "CHN",
            "id_number": _sealed(
                self.seal(number, aad=associated_data("archives", ID_NUMBER_FIELD, archive_id))
            ),
            "id_index": self.protection.blind_index(f"resident_id|{number}"),
            "id_masked": person.masked,
            "birth_date": _sealed(
                self.seal(
                    birth.isoformat(),
                    aad=associated_data("archives", BIRTH_DATE_FIELD, archive_id),
                )
            ),
            "sex": sex.value,
            "phone": _sealed(
                self.seal(mobile, aad=associated_data("archives", PHONE_FIELD, archive_id))
            ),
            "phone_masked": mask_phone(mobile),
            "region_code": home,
            "ssn_index": self.protection.blind_index(ssn_lookup_key(number)),
            "social_security": social,
            "employment": employment,
            "account_state": "active",
            # head and counters are set once the whole chain is known (cohort.py).
            "head": {"seq": 0, "hash": ""},
            "counters": {},
            "summary": None,
            "version": links,
            "form": ARCHIVE_FORM,
            "created_at": registered_at,
            "created_by": agency["principal"],
            "updated_at": last_link,
        }
        return person

    def _social_security(
        self, rng: random.Random, person: Person, agency: dict[str, Any]
    ) -> dict[str, Any] | None:
        if rng.random() >= 0.88:
            return None
        at = at_millis(person.registered_at + timedelta(days=rng.uniform(0.01, 20)))
        adult = date(person.birth.year + 18, person.birth.month, 1)
        first = max(adult, date(2005, 1, 1))
        latest = person.registered_at.date()
        span = max(0, (latest - first).days)
        schemes = []
        for scheme, chance in (
            ("pension", 1.0),
            ("medical", 1.0),
            ("unemployment", 0.7),
            ("work_injury", 0.6),
            ("maternity", 0.5),
        ):
            if rng.random() < chance:
                since = first + timedelta(days=rng.randrange(span + 1))
                schemes.append({"scheme": scheme, "since": f"{since:%Y-%m}"})
        schemes.sort(key=lambda s: s["scheme"])
        card = f"S{rng.randrange(10**8):08d}"
        masked = mask_identity_number(person.number)
        issuing = person.region_code
        person.entries.append(
            Entry(
                at,
                EntryKind.LINK_ADDED,
                {
                    "link": "social_security",
                    "number_masked": masked,
                    "card_number_masked": mask_document_number(card),
                    "issuing_region": issuing,
                    "schemes": schemes,
                },
                agency,
            )
        )
        return {
            "number": _sealed(
                self.seal(person.number, aad=associated_data("archives", SSN_FIELD, person.id))
            ),
            "number_masked": masked,
            "card_number": card,
            "issuing_region": issuing,
            "schemes": schemes,
            "updated_at": at,
        }

    def _employment(
        self, rng: random.Random, person: Person, agency: dict[str, Any]
    ) -> dict[str, Any] | None:
        roll = rng.random()
        if roll >= 0.72:
            return None
        certificate = f"{person.region_code}{person.registered_at.year}{rng.randrange(10**6):06d}"
        certificate_masked = mask_document_number(certificate)
        registrations: list[dict[str, Any]] = []
        at = at_millis(person.registered_at + timedelta(days=rng.uniform(0.02, 25)))
        adult = date(person.birth.year + 18, person.birth.month, 1)
        enterprises = self.catalogue.enterprises()
        if roll < 0.12 and enterprises:
            # An apprentice candidate: employed by a seeded enterprise on a 4-year contract.
            employer = rng.choice(enterprises)
            start = max(adult, (self.as_of - timedelta(days=rng.uniform(120, 1200))).date())
            person.employer, person.employed_since = employer, start
            registrations.append(
                self._registration(
                    rng,
                    "employment",
                    employer.credit_code,
                    employer.name,
                    start,
                    None,
                    date(start.year + 4, start.month, 1),
                    at,
                )
            )
        elif roll < 0.55:
            start = max(adult, (person.registered_at - timedelta(days=rng.uniform(0, 2000))).date())
            region = person.region_code
            code = credit_code(rng, region_code=region, authority="91")
            name = rng.choice(EMPLOYERS).format(
                w=rng.choice(("锦程", "蜀道", "川味", "天虹", "西岭"))
            )
            contract = date(start.year + rng.choice((1, 2, 3, 5)), start.month, 1)
            registrations.append(
                self._registration(rng, "employment", code, name, start, None, contract, at)
            )
        else:
            start = max(adult, (person.registered_at - timedelta(days=rng.uniform(0, 200))).date())
            registrations.append(
                self._registration(rng, "unemployment", None, None, start, None, None, at)
            )
        for registration in registrations:
            person.entries.append(
                Entry(
                    registration["recorded_at"],
                    EntryKind.LINK_ADDED,
                    {
                        "link": "employment",
                        "certificate_number_masked": certificate_masked,
                        "registration_id": registration["registration_id"],
                        "registration_kind": registration["kind"],
                        "employer_credit_code": registration["employer_credit_code"],
                        "credit_code_overridden": False,
                        "employer_name": registration["employer_name"],
                        "start": registration["start"].date().isoformat(),
                        "end": None,
                        "occupation_code": None,
                        "labour_contract_end": (
                            registration["labour_contract_end"].date().isoformat()
                            if registration["labour_contract_end"]
                            else None
                        ),
                    },
                    agency,
                )
            )
        return {
            "certificate_number": _sealed(
                self.seal(
                    certificate, aad=associated_data("archives", CERTIFICATE_FIELD, person.id)
                )
            ),
            "certificate_masked": certificate_masked,
            "registrations": registrations,
        }

    def _registration(
        self,
        rng: random.Random,
        kind: str,
        code: str | None,
        name: str | None,
        start: date,
        end: date | None,
        contract_end: date | None,
        at: datetime,
    ) -> dict[str, Any]:
        def stored(day: date | None) -> datetime | None:
            return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None

        return {
            "registration_id": derive(
                self.seed, "registration", at.isoformat(), rng.random()
            ).hex()[:16],
            "kind": kind,
            "employer_credit_code": code,
            "credit_code_overridden": False,
            "employer_name": name,
            "start": stored(start),
            "end": stored(end),
            "occupation_code": None,
            "digital": False,
            "green": False,
            "labour_contract_end": stored(contract_end),
            "recorded_at": at,
        }
