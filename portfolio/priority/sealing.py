"""Sealing a sensitive membership's group and source, and opening them again.

The group and the source are sealed together as JSON with the field key (AES-256-GCM,
``portfolio.identity.protection``); the associated data names the collection, the field and
``<archive id>/<membership id>``, so a ciphertext copied to another worker's or another
membership's record fails to open instead of stating a disability there.
"""

from __future__ import annotations

import json

from portfolio.identity import FieldProtection, Sealed, associated_data
from portfolio.priority.documents import PriorityMembership
from portfolio.vocabulary import SENSITIVE_GROUPS, PriorityGroup

COLLECTION = "priority_memberships"
FIELD = "sealed"


def _aad(archive_id: str, membership_id: str) -> bytes:
    return associated_data(COLLECTION, FIELD, f"{archive_id}/{membership_id}")


def seal(
    protection: FieldProtection,
    *,
    archive_id: str,
    membership_id: str,
    group: PriorityGroup,
    source: str,
) -> Sealed:
    """The stored form of a sensitive membership's group and source."""
    plain = json.dumps({"group": group.value, "source": source}, ensure_ascii=False)
    return protection.seal(plain, aad=_aad(archive_id, membership_id))


def open_key(protection: FieldProtection, archive_id: str, group: PriorityGroup) -> str:
    """The key that keeps one open membership per worker and group (blind for a sensitive
    group: equal for equal pairs, telling nothing without the blind-index key)."""
    plain = f"{archive_id}|{group.value}"
    if group in SENSITIVE_GROUPS:
        return "s|" + protection.blind_index(f"priority|{plain}")
    return plain


async def opened(
    protection: FieldProtection, found: PriorityMembership
) -> tuple[PriorityGroup, str]:
    """The group and source of ``found`` (opened when sealed)."""
    if found.sealed is None:
        assert found.group is not None
        return found.group, found.source
    plain = json.loads(
        await protection.open(found.sealed, aad=_aad(found.archive_id, str(found.id)))
    )
    return PriorityGroup(plain["group"]), str(plain["source"])
