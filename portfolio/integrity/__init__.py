"""Fraud rules for public money: each a small pure function over evidence, returning flags.

A rule never refuses a write: it flags it. A flag names its rule (``code``), says why in
plain words, keeps the evidence it saw (which records, which numbers) and a score, and the
flags travel with the claim to the agency's queue, where an officer reads them before paying.
Every threshold is a setting with a default (``Thresholds.of(settings)``); the rules and their
honest cases are documented in docs/integrity-money.md.

The package is below the areas: it reads training facts as the training area gives them
(``portfolio.training.evidence``) and plain numbers; the voucher area gathers the evidence,
runs the rules when a claim is written (and as a dry run) and stores the flags on the claim.
"""

from portfolio.integrity.flags import Flag, FlagCode, Thresholds, total_score
from portfolio.integrity.rules import ClaimCase, evaluate

__all__ = ["ClaimCase", "Flag", "FlagCode", "Thresholds", "evaluate", "total_score"]
