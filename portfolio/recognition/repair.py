"""The repair routine's step of the recognition area: certificates a crash left unissued.

A passed assessment is stored before its certificate is issued, and a confirmation before
its certificate; a process killed in between leaves ``certificate_id`` empty. This step finds
those recorded (or decided) in the window and issues their certificates, exactly as the
request would have (same number, evidence, issuer and date), so running it twice, or beside
the late request, issues each once.
"""

from __future__ import annotations

from datetime import datetime

from portfolio import clock
from portfolio.recognition.assessments import issue_passed
from portfolio.recognition.direct import issue_confirmed
from portfolio.recognition.documents import DirectRecognition, LevelAssessment
from portfolio.recognition.enums import RecognitionStatus
from portfolio.training import find_organisation


async def finish_certificates(*, since: datetime, until: datetime) -> int:
    """Issue the missing certificates of assessments and recognitions of the window."""
    finished = 0
    # The window alone goes to the store (its indexed field), inclusive at both ends (nx-27017
    # compares datetimes with $lt to the second: tests/storage/test_contract.py); the rest is
    # checked here. Looking at one twice is harmless: the second finds it issued.
    window_at = {"$gte": since, "$lte": until}
    async for assessment in LevelAssessment.find({"recorded_at": window_at}):
        if not assessment.passed or assessment.certificate_id:
            continue
        organisation = await find_organisation(assessment.organisation_id)
        issuer = organisation.name if organisation is not None else assessment.organisation_id
        await issue_passed(assessment, issuer)
        finished += 1
    window = {"$gte": clock.epoch_ms(since), "$lte": clock.epoch_ms(until)}
    async for recognition in DirectRecognition.find({"decided_at_ms": window}):
        if recognition.status is not RecognitionStatus.CONFIRMED or recognition.certificate_id:
            continue
        await issue_confirmed(recognition)
        finished += 1
    return finished
