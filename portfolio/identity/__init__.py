"""Identifiers (ID numbers, credit codes, occupation and region codes), masking, protection.

The public face of the area: what other areas may use (they import from ``portfolio.identity``,
never from its modules).
"""

from portfolio.identity.identifiers import (
    CHINA_TIME,
    ISO_ALPHA3,
    CreditCode,
    IdentityNumber,
    IdType,
    OccupationCode,
    Sex,
    china_today,
    normalise,
    parse_credit_code,
    parse_generic_number,
    parse_identity,
    parse_occupation_code,
    parse_phone,
    parse_region_code,
    parse_region_prefix,
    reconcile_birth_and_sex,
)
from portfolio.identity.masking import (
    age_band,
    mask_document_number,
    mask_identity_number,
    mask_phone,
)
from portfolio.identity.protection import (
    FieldProtection,
    KeyUnavailable,
    Sealed,
    Tampered,
    associated_data,
    ensure_keys,
)

__all__ = [
    "CHINA_TIME",
    "ISO_ALPHA3",
    "CreditCode",
    "FieldProtection",
    "IdType",
    "IdentityNumber",
    "KeyUnavailable",
    "OccupationCode",
    "Sealed",
    "Sex",
    "Tampered",
    "age_band",
    "associated_data",
    "china_today",
    "ensure_keys",
    "mask_document_number",
    "mask_identity_number",
    "mask_phone",
    "normalise",
    "parse_credit_code",
    "parse_generic_number",
    "parse_identity",
    "parse_occupation_code",
    "parse_phone",
    "parse_region_code",
    "parse_region_prefix",
    "reconcile_birth_and_sex",
]
