"""The training area's records in the change trail (``portfolio.audit.changed``): certificates.

A certificate is recorded when a provider issues it (version 0), corrects it and voids it,
with who, the content before and after and the reason given. The worker's archive holds the
same history as entries of its own hash chain; the trail puts it where an auditor reads every
other change, with the request that made it. The holder's name is marked personal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from portfolio import audit, clock
from portfolio.training.documents import Certificate

KIND = "certificate"
PERSONAL = ("holder_name",)


def shown(certificate: Certificate) -> dict[str, Any]:
    """A certificate as the trail keeps it."""
    return {
        "number": certificate.number,
        "certificate_type": certificate.certificate_type.value,
        "occupation_code": certificate.occupation_code,
        "level": None if certificate.level is None else certificate.level.value,
        "issuing_body": certificate.issuing_body,
        "issue_date": certificate.issue_date.isoformat(),
        "holder_name": audit.mask_name(certificate.holder_name),
        "organisation_id": certificate.organisation_id,
        "enrolment_id": certificate.enrolment_id,
        "status": certificate.status.value,
    }


async def record_certificate_change(
    before: Certificate | None, after: Certificate, *, reason: str
) -> None:
    """Record a certificate issued (``before`` None), corrected or voided."""
    await audit.changed(
        KIND,
        str(after.id),
        after.version,
        None if before is None else shown(before),
        shown(after),
        reason=reason,
        region=after.holder_region_code,
        personal=PERSONAL,
    )


async def _changed_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    # Issued: recorded_at (a stored date); corrected or voided: changed_at_ms (epoch ms).
    issued = Certificate.find({"recorded_at": {"$gte": since, "$lt": until}, "version": 0})
    changed = Certificate.find(
        {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}
    )
    for found in (issued, changed):
        async for certificate in found:
            yield audit.Snapshot(
                object_id=str(certificate.id),
                version=certificate.version,
                after=shown(certificate),
                region=certificate.holder_region_code,
                personal=PERSONAL,
            )


audit.register_source(KIND, _changed_between)
