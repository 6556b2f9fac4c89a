"""One typed configuration for every part of the service (environment prefix ``PORTFOLIO_``)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A master key decodes to at least this many bytes, and is not a pattern: a key of few distinct
# bytes ("aaaa…", a repeated word) is a typed secret, not a random one.
MASTER_KEY_MIN_BYTES = 32
_MASTER_KEY_MIN_DISTINCT_BYTES = 16


def strong_master_key(value: str) -> bool:
    """True when ``value`` is base64 (standard or URL-safe) of 32 or more random-looking bytes."""
    text = value.strip()
    try:
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= MASTER_KEY_MIN_BYTES and len(set(raw)) >= _MASTER_KEY_MIN_DISTINCT_BYTES


class Settings(BaseSettings):
    """Everything configurable. Read from the environment and an optional ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="PORTFOLIO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    # Without a URI the embedded store (nx-27017) is started in data_dir.
    mongodb_uri: SecretStr | None = None
    database: str = "portfolio"
    data_dir: Path = Path("var")
    # Encrypts every key kept in MongoDB; generated into data_dir in development only.
    master_key: SecretStr | None = None
    # Signs checkpoints of every hash chain (an Ed25519 PEM file; `portfolio checkpoint`).
    # Keep it apart from the master key and out of the data directory and the database.
    checkpoint_key_file: Path | None = None
    server_selection_timeout_ms: int = Field(default=2000, ge=100)
    # Connecting, and the driver's heartbeat: a heartbeat that times out marks the server down
    # and interrupts every operation in flight. At the selection timeout (2 s), a store busy
    # for a few seconds turned 65 of 84 contended writes into 503s at 100,000 archives; with
    # 10 s, none. An unreachable store still gives a 503 after the selection timeout.
    connect_timeout_ms: int = Field(default=10_000, ge=100)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where people reach the service (scheme, host, optional port; no path): QR codes, links
    # in credentials and share links point here, and page forms accept this origin. Unset:
    # the address each request arrived at.
    public_url: Annotated[str, Field(pattern=r"^https?://[^/?#\s]+$")] | None = None

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_bulk_body_bytes: int = Field(default=20_000_000, ge=1024)

    jwt_issuer: str = "portfolio"
    jwt_audience: str = "portfolio-api"
    access_token_ttl_seconds: int = Field(default=900, ge=30)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60)
    signing_key_retire_after_seconds: int = Field(default=24 * 3600, ge=0)
    # How often a replica re-reads the signing keys, so a `keys rotate` elsewhere reaches it.
    signing_key_refresh_seconds: int = Field(default=60, ge=1)
    # Clock skew tolerated between replicas when checking exp/nbf/iat.
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=300)
    # A login session (refresh token family) ends this long after the login, however often
    # it is refreshed.
    session_max_age_seconds: int = Field(default=90 * 24 * 3600, ge=60)
    # How long a process may trust what it read about a session and its principal (revoked?
    # disabled? token version?) before reading it again: the bound on how late a revocation
    # made by another process takes effect here (the process that revokes forgets at once).
    session_cache_seconds: int = Field(default=30, ge=0, le=30)

    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=2, ge=1)
    # Hashes running at once in one process (each takes argon2_memory_cost_kib); more wait.
    argon2_max_concurrent: int = Field(default=2, ge=1)
    # Credential attempts (POST /auth/token, /auth/activate) per window and client address,
    # counted in MongoDB so every replica shares them.
    login_rate_window_seconds: int = Field(default=60, ge=1)
    login_rate_per_client: int = Field(default=100, ge=1)
    # Verifications (POST /credentials/verify and the /verify page) per minute and client
    # address: each is a few signature checks (a 50-badge CLR about 30 ms of CPU), so one
    # client must not be able to keep the service's cores busy.
    verify_rate_per_minute: int = Field(default=60, ge=1)
    # Failed logins of one username (known or not) before a client that failed on it must
    # wait: base * 2^(failures - free), up to the maximum. Failures are forgotten after a
    # quiet memory period. See SECURITY.md ("Abuse limits").
    login_free_failures: int = Field(default=5, ge=1)
    login_backoff_base_seconds: int = Field(default=1, ge=1)
    login_backoff_max_seconds: int = Field(default=900, ge=1)
    login_failure_memory_seconds: int = Field(default=24 * 3600, ge=60, le=7 * 24 * 3600)
    password_min_length: int = Field(default=10, ge=8, le=128)

    # The repair routine leaves alone what is younger than this (a request may still be at it).
    # 0 (a single process): only the start-up run, before any request, repairs.
    repair_grace_seconds: int = Field(default=30, ge=0)
    # A challenge unanswered by the organisation that wrote the entry goes to the agency after.
    challenge_answer_days: int = Field(default=15, ge=1)
    # With a grace period, `portfolio serve` repairs again once it has passed, then this often
    # (0: not again), so half-done work does not wait for the next restart.
    repair_interval_seconds: int = Field(default=300, ge=0)
    # A pending Idempotency-Key whose request died (a killed process) is taken over by a retry
    # after this long; it must outlast the slowest request.
    idempotency_lease_seconds: int = Field(default=30, ge=1)

    # A voucher claim needs confirmed attendance of at least this share of the planned hours.
    claim_min_attendance_share: float = Field(default=0.8, ge=0, le=1)

    # Integrity of voucher money (docs/integrity-money.md): how long a claim waits for the
    # worker's attestation (a policy may say otherwise), whether the fraud rules run when a
    # claim is written (off only to measure their cost), and each fraud rule's threshold.
    claim_attestation_wait_days: int = Field(default=14, ge=0, le=365)
    fraud_rules_enabled: bool = True
    fraud_late_attendance_days: int = Field(default=7, ge=1)
    fraud_shared_device_workers: int = Field(default=3, ge=2)
    fraud_retirement_age_male: int = Field(default=60, ge=40, le=100)
    fraud_retirement_age_female: int = Field(default=55, ge=40, le=100)
    fraud_surge_quiet_days: int = Field(default=90, ge=1)
    fraud_surge_window_days: int = Field(default=14, ge=1)
    fraud_surge_min_enrolments: int = Field(default=20, ge=1)
    fraud_max_claims_per_year: int = Field(default=2, ge=1)
    fraud_identical_min_sessions: int = Field(default=3, ge=2)
    fraud_identical_min_workers: int = Field(default=5, ge=1)

    activation_code_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)

    # Report cells counting fewer people than this show as "<5" (0 shows every figure).
    report_min_cell: int = Field(default=5, ge=0)

    # Time rules (docs/integrity-time.md): attendance is recorded within this many days after
    # a session (later only as a late correction an agency officer approves); an
    # apprenticeship completes no earlier than its planned end minus this many days.
    attendance_window_days: int = Field(default=3, ge=0, le=60)
    apprenticeship_completion_tolerance_days: int = Field(default=30, ge=0, le=365)

    # Apprenticeship subsidy per apprentice per year, integer fen (5,000 yuan by default), and
    # per-region standards keyed by region-code prefix, e.g. '{"5101": 600000}' (the longest
    # matching prefix of the employer's region wins). An agreement keeps the figure it got.
    apprenticeship_subsidy_fen: int = Field(default=500_000, ge=0)
    apprenticeship_subsidy_by_region: dict[
        Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,2}$")], Annotated[int, Field(ge=0)]
    ] = Field(default_factory=dict)

    # Development only: the domain clock (portfolio/clock.py) runs this many days ahead (or
    # behind), so a person trying the service can stage weeks of training in minutes.
    clock_offset_days: int = Field(default=0, ge=-3650, le=3650)

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.env == "production":
            missing = [
                name
                for name, value in (
                    ("master_key", self.master_key),
                    ("mongodb_uri", self.mongodb_uri),
                )
                if value is None or not value.get_secret_value()
            ]
            if missing:
                names = ", ".join(f"PORTFOLIO_{m.upper()}" for m in missing)
                raise ValueError(f"production mode requires {names}")
            assert self.master_key is not None
            if not strong_master_key(self.master_key.get_secret_value()):
                raise ValueError(
                    "PORTFOLIO_MASTER_KEY must be at least 32 random bytes in base64 "
                    "(for example: openssl rand -base64 32)"
                )
            if self.clock_offset_days:
                raise ValueError("PORTFOLIO_CLOCK_OFFSET_DAYS is for development only")
        return self

    @property
    def uses_embedded_store(self) -> bool:
        """True when no external MongoDB is configured."""
        return self.mongodb_uri is None
