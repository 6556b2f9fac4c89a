"""The pages' words for an occupation code the catalogue lacks (rule ``not_catalogued``).

Every form that writes an occupation code (a course, its new version, a certificate, an
employment registration, a voucher policy, a past-training record) may be refused with this
rule; the form's own messages only say what a code looks like, so this says what to do.
"""

from __future__ import annotations

from starlette.requests import Request

from api.web.forms import PageError
from api.web.i18n import N_
from api.web.templating import t
from portfolio.errors import ValidationFailed
from portfolio.occupations import NOT_CATALOGUED

NOT_IN_CATALOGUE = N_(
    "This occupation code is not in the occupation catalogue: choose one from it, or ask the "
    "province agency to add a newly published occupation"
)


def uncatalogued(request: Request, failed: ValidationFailed, *, field: str) -> list[PageError]:
    """The refusal said beside ``field`` when the code was not catalogued; else nothing."""
    if any(error.rule == NOT_CATALOGUED for error in failed.errors):
        return [PageError(field, t(request, NOT_IN_CATALOGUE))]
    return []
