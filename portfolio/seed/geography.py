"""Sichuan's 21 prefecture-level divisions and their districts (GB/T 2260 codes, all real).

Weights are the divisions' resident populations in hundreds of thousands (2020 census, rounded),
so the synthetic province puts about a quarter of its workers in Chengdu, as the real one does.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A prefecture-level division: 4-digit code, name, population weight, county codes."""

    code: str
    name: str
    weight: int
    districts: tuple[str, ...]


def _districts(city: str, suffixes: str) -> tuple[str, ...]:
    return tuple(city + suffix for suffix in suffixes.split())


CITIES: tuple[City, ...] = (
    City(
        "5101",
        "成都市",
        214,
        _districts("5101", "04 05 06 07 08 12 13 14 15 16 17 18 21 29 31 81 82 83 84 85"),
    ),
    City("5103", "自贡市", 25, _districts("5103", "02 03 04 11 21 22")),
    City("5104", "攀枝花市", 12, _districts("5104", "02 03 11 21 22")),
    City("5105", "泸州市", 43, _districts("5105", "02 03 04 21 22 24 25")),
    City("5106", "德阳市", 35, _districts("5106", "03 04 23 81 82 83")),
    City("5107", "绵阳市", 49, _districts("5107", "03 04 05 22 23 25 26 27 81")),
    City("5108", "广元市", 23, _districts("5108", "02 11 12 21 22 23 24")),
    City("5109", "遂宁市", 28, _districts("5109", "03 04 21 23 81")),
    City("5110", "内江市", 31, _districts("5110", "02 11 24 25 83")),
    City("5111", "乐山市", 32, _districts("5111", "02 11 12 13 23 24 26 29 81")),
    City("5113", "南充市", 56, _districts("5113", "02 03 04 21 22 23 24 25 81")),
    City("5114", "眉山市", 30, _districts("5114", "02 03 21 23 24 25")),
    City("5115", "宜宾市", 46, _districts("5115", "02 03 04 23 24 25 26 27 28 29")),
    City("5116", "广安市", 32, _districts("5116", "02 03 21 22 23 81")),
    City("5117", "达州市", 54, _districts("5117", "02 03 22 23 24 25 81")),
    City("5118", "雅安市", 14, _districts("5118", "02 03 22 23 24 25 26 27")),
    City("5119", "巴中市", 27, _districts("5119", "02 03 21 22 23")),
    City("5120", "资阳市", 23, _districts("5120", "02 21 22")),
    City("5132", "阿坝藏族羌族自治州", 8, _districts("5132", "01 21 22 23 24 25")),
    City("5133", "甘孜藏族自治州", 11, _districts("5133", "01 22 23 24")),
    City("5134", "凉山彝族自治州", 49, _districts("5134", "01 02 22 23 24 26")),
)
CITY_BY_CODE = {city.code: city for city in CITIES}
_WEIGHTS = [city.weight for city in CITIES]


def pick_city(rng: random.Random) -> City:
    """A city drawn in proportion to its population."""
    return rng.choices(CITIES, weights=_WEIGHTS)[0]


def pick_district(rng: random.Random, city: City | None = None) -> str:
    """A county-level code: of ``city``, or of a city drawn by population."""
    chosen = city or pick_city(rng)
    # The first districts are the urban ones, where most people live and train.
    weights = [3 if i < 4 else 1 for i in range(len(chosen.districts))]
    return rng.choices(chosen.districts, weights=weights)[0]


def city_of(region_code: str) -> City:
    """The city a county-level code belongs to."""
    return CITY_BY_CODE[region_code[:4]]


def _periods(code: str) -> list[tuple[int, int]]:
    """The years during which ``code`` was a county-level code (GB/T 2260, per stdnum)."""
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code)
    county = next((props["county"] for _, props in parts if "county" in props), None)
    if county is None:
        return []
    periods = []
    for name in county.split(","):
        if not name.startswith("["):
            periods.append((0, 9999))
            continue
        span = name[1:].split("]")[0]
        start, end = span.split("-")
        periods.append((int(start) if start else 0, int(end) if end else 9999))
    return periods


@functools.lru_cache(maxsize=64)
def _city_codes(city: str) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    found = []
    for suffix in range(1, 100):
        code = f"{city}{suffix:02d}"
        periods = _periods(code)
        if periods:
            found.append((code, tuple(periods)))
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def birth_areas(city: str, year: int) -> tuple[str, ...]:
    """The county codes of ``city`` in use in ``year`` (a number's area is its birth place's
    code at the time, which ``stdnum.cn.ric`` checks)."""
    return tuple(
        code
        for code, periods in _city_codes(city)
        if any(start <= year <= end for start, end in periods)
    )


@functools.lru_cache(maxsize=4096)
def province_birth_areas(year: int) -> tuple[str, ...]:
    """Every Sichuan county code in use in ``year`` (older prefectures included, 5101-5140)."""
    return tuple(
        code
        for prefix in range(5101, 5141)
        for code, periods in _city_codes(str(prefix))
        if any(start <= year <= end for start, end in periods)
    )
