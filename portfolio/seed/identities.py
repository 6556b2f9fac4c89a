"""Deterministic identifiers of the synthetic province: document ids, people and organisations.

Every id is derived from the seed and what the document is (never drawn from the clock or the
operating system), so the same seed writes the same documents and a resumed run inserts
exactly the ids it inserted before (the unique ``_id`` refuses them: nothing is written twice).

Resident ID numbers are valid GB 11643 numbers (real Sichuan county codes, the check character
from ``stdnum.cn.ric``); credit codes are valid GB 32100 codes (``stdnum.cn.uscc``).
"""

from __future__ import annotations

import hashlib
import random
import struct
from datetime import UTC, date, datetime, timedelta

from bson import ObjectId
from stdnum.cn import ric, uscc

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华红玉梅燕鹏辉建国志刚海波宇浩然欣怡子涵雨晨"
    "思远婷婷俊杰晓东春梅文斌国华德明小龙丹丹佳琪家豪天佑雪梅成林永红光明金凤秋菊冬梅正阳建军卫东"
)
# Mobile prefixes of the three operators.
PHONE_PREFIXES = (
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "177",
    "180",
    "189",
)
_CREDIT_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def derive(seed: int, *parts: object) -> bytes:
    """32 bytes fixed by the seed and ``parts`` (what the value is for)."""
    text = "|".join([str(seed), *(str(p) for p in parts)])
    return hashlib.sha256(text.encode()).digest()


def rng_for(seed: int, *parts: object) -> random.Random:
    """A random generator of its own for one batch or phase (so a resumed run repeats it)."""
    # Synthetic data, not secrets: a seeded generator is the point.
    return random.Random(int.from_bytes(derive(seed, "rng", *parts)[:8], "big"))  # noqa: S311


def object_id(seed: int, at: datetime, *parts: object) -> ObjectId:
    """A deterministic ObjectId whose time part is ``at`` (so ids sort roughly by time)."""
    stamp = max(0, int(at.timestamp()))
    return ObjectId(struct.pack(">I", stamp) + derive(seed, "oid", *parts)[:8])


def person_name(rng: random.Random) -> str:
    """A Chinese name: a common surname and one or two given-name characters."""
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


def resident_id(area: str, birth: date, sequence: int) -> str:
    """A valid resident identity number (GB 11643); ``sequence`` odd for men."""
    body = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def phone(rng: random.Random) -> str:
    """A mobile number of the usual shape."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def credit_code(rng: random.Random, *, region_code: str, authority: str) -> str:
    """A valid unified social credit code (GB 32100) registered in ``region_code``.

    ``authority`` is the two-character registering authority and entity type: ``91``
    enterprise (market regulator), ``52`` private non-enterprise unit (most training schools),
    ``12`` public institution (technical schools, public training bases).
    """
    organisation = "".join(rng.choice(_CREDIT_BODY) for _ in range(9))
    body = f"{authority}{region_code}{organisation}"
    return body + uscc.calc_check_digit(body)


def days_before(moment: datetime, days: float) -> datetime:
    """``moment`` minus ``days`` days, at millisecond precision (what BSON keeps)."""
    shifted = moment - timedelta(days=days)
    return shifted.replace(microsecond=shifted.microsecond // 1000 * 1000)


def at_millis(moment: datetime) -> datetime:
    """``moment`` in UTC at millisecond precision."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
