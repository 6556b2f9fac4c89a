"""Credentials: ES256 VC-JWT badges signed per second, and verifying a 50-entry CLR.

``python -m bench legacy:credentials``. It runs the service's own builders, signer and
verifier in memory (no database: what is measured is the cryptography and the JSON, which
is where a credential's cost lies). Environment: ``BENCH_CREDENTIALS_SIGN`` (badges to sign,
default 2000), ``BENCH_CREDENTIALS_ENTRIES`` (badges in the CLR, default 50),
``BENCH_CREDENTIALS_VERIFY`` (CLR verifications, default 20).
"""

from __future__ import annotations

import os
import time
from datetime import date

from cryptography.hazmat.primitives.asymmetric import ec

from portfolio import clock
from portfolio.credentials import builders, jws, status, verification

DID = "did:web:bench.example"
KID = f"{DID}#key-1"


def _record(n: int) -> builders.Record:
    return builders.Record(
        key=f"certificate:bench{n}:v0",
        kind="certificate",
        name=f"职业技能证书 4-03-02-01（{n}）",
        description="成都市职业技能鉴定指导中心颁发（skill_level）",
        occupation_code="4-03-02-01",
        level="junior",
        awarded=date(2026, 4, 1),
        creator_id=f"urn:portfolio:organisation:{n}",
        creator_name="成都烹饪职业培训学校",
        result="Passed",
        hours=40.0,
        human_code=f"S{n:08d}",
    )


def main() -> None:
    """Print signing throughput and the time to verify a CLR of N badges."""
    signs = int(os.environ.get("BENCH_CREDENTIALS_SIGN", "2000"))
    entries = int(os.environ.get("BENCH_CREDENTIALS_ENTRIES", "50"))
    signs = max(signs, entries)  # the CLR holds badges from the signing run
    verifies = int(os.environ.get("BENCH_CREDENTIALS_VERIFY", "20"))
    private = ec.generate_private_key(ec.SECP256R1())
    issuer = builders.Issuer(DID, "https://bench.example")
    holder = builders.Holder.of("王小明", "510104199001011234", "salt")
    now = clock.now()

    started = time.perf_counter()
    tokens = [
        jws.sign(builders.badge_claims(issuer, holder, _record(n), n, now), private, KID)
        for n in range(signs)
    ]
    elapsed = time.perf_counter() - started
    print(f"signed {signs} badges in {elapsed:.2f} s: {signs / elapsed:,.0f} credentials/s")

    badges = tokens[:entries]
    achievements = [builders.achievement(issuer, _record(n)) for n in range(entries)]
    clr = jws.sign(
        builders.clr_claims(issuer, holder, "bench", badges, achievements, entries, now),
        private,
        KID,
    )
    keys = {KID: private.public_key()}
    encoded = status.encode_list([])

    def lists(url: str) -> str | None:
        return encoded

    started = time.perf_counter()
    for _ in range(verifies):
        verdict = verification.verify(clr, keys, lists, clock.now())
        if not verdict.ok or len(verdict.parts) != entries:
            raise RuntimeError("the benchmark's CLR did not verify")
    per = (time.perf_counter() - started) / verifies
    print(
        f"verified a {entries}-entry CLR ({len(clr) / 1024:.0f} KiB) {verifies} times: "
        f"{per * 1000:.1f} ms each ({(entries + 1) / per:,.0f} signatures/s)"
    )


if __name__ == "__main__":
    main()
