"""``python -m bench.paper``: how long a printable PDF takes to render and how big it is.

Renders the certificate and the archive summary templates (api/web/paper.py) with WeasyPrint
from sample data, in both languages, a few times each, and prints the median render time and
the size. No database: this measures the layout, the font subsetting and the QR codes.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime

from api.web.paper import pdf_of, render_html
from api.web.static import StaticFiles
from api.web.templating import Templates
from portfolio.archives.views import ArchiveSummary, OccupationLevel
from portfolio.sharing.paper import ArchiveSheet, CertificateSheet
from portfolio.sharing.views import SharedItem
from portfolio.vocabulary import SkillLevel

ROUNDS = 5
CHECK = "https://portfolio.example.gov.cn/c/"
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def _certificate(seq: int) -> SharedItem:
    return SharedItem(
        seq=seq,
        kind="certificate_issued",
        recorded_at=NOW,
        title="skill_level",
        occupation_code="6-31-01-03",
        level="intermediate",
        hours=None,
        number=f"S51010406260{seq:05d}",
        issuer="成都天府职业技能培训学校（职业技能等级认定社会培训评价组织）",
        on=date(2026, 6, 30),
        voided=False,
        check_token="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"[:-2] + f"{seq % 100:02d}",
    )


def _training(seq: int) -> SharedItem:
    return SharedItem(
        seq=seq,
        kind="training_completed",
        recorded_at=NOW,
        title="电工（中级）职业技能提升培训",
        occupation_code="6-31-01-03",
        level="intermediate",
        hours=80.0,
        number="",
        issuer="成都天府职业技能培训学校",
        on=date(2026, 5, 30),
        voided=False,
        check_token=None,
    )


def _measure(
    templates: Templates, language: str, template: str, context: dict[str, object]
) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        pdf = pdf_of(render_html(templates, language, template, context))
        times.append(time.perf_counter() - started)
        size = len(pdf)
    return statistics.median(times), size


def main() -> None:
    """Print the median render time and the size of each PDF."""
    templates = Templates(StaticFiles())
    certificate = CertificateSheet(name="王小明", certificate=_certificate(3), printed_at=NOW)
    archive = ArchiveSheet(
        name="王小明",
        archive_id="0" * 24,
        summary=ArchiveSummary(
            highest_levels=[
                OccupationLevel(occupation_code="6-31-01-03", level=SkillLevel.INTERMEDIATE)
            ],
            training_hours=240.0,
            trainings_completed=3,
            certificate_count=2,
            apprenticeships=[],
            vouchers_redeemed=1,
            voucher_amount_fen=120000,
            awards=0,
        ),
        items=[_certificate(9), _training(8), _certificate(5), _training(4), _training(2)],
        head_seq=11,
        printed_at=NOW,
    )
    pdf_of("<p>warm-up</p>")  # loads Pango and the fonts once
    print(f"{'document':<28}{'language':<10}{'median ms':>10}{'bytes':>10}")
    documents: list[tuple[str, str, dict[str, object]]] = [
        ("certificate (1 page)", "paper/certificate.html", {"sheet": certificate}),
        ("archive summary (1 page)", "paper/archive.html", {"sheet": archive}),
    ]
    for name, template, context in documents:
        for language in ("zh_Hans", "en"):
            seconds, size = _measure(
                templates, language, template, {**context, "check_base": CHECK}
            )
            print(f"{name:<28}{language:<10}{seconds * 1000:>10.0f}{size:>10,}")


if __name__ == "__main__":
    main()
