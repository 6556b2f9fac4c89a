"""Paper that verifies: the PDFs carry the Chinese text (extracted back with pypdf), the
font embedded as a subset, A4 pages, a check link in the QR code's caption; one page stays
small."""

from __future__ import annotations

import io
import re

import pytest
from httpx import AsyncClient
from pypdf import PdfReader

from api.runtime import Runtime
from portfolio import bootstrap
from tests.web.pages import sign_in

DEMO_PASSWORD = "demo-password"
A4 = (595, 842)  # points, rounded
SMALL = 200_000  # bytes: a one-page certificate is far under this with a subset font


@pytest.fixture
async def demo(runtime: Runtime) -> None:
    """The demo data set: worker-1 has two certificates."""
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)


def _fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """Each font of the first page: its name and whether its program is embedded."""
    found = []
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        found.append((str(font["/BaseFont"]), embedded))
    return found


async def test_a_certificate_on_paper_reads_in_chinese_with_a_subset_font(
    web: AsyncClient, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    page = await web.get("/my/certificates")
    seqs = re.findall(r'href="/my/paper/certificates/(\d+)\.pdf"', page.text)
    assert len(seqs) == 2
    answer = await web.get(f"/my/paper/certificates/{seqs[0]}.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    pdf = answer.content
    assert len(pdf) < SMALL, f"a one-page certificate is {len(pdf)} bytes"
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4
    text = reader.pages[0].extract_text()
    assert "王小明" in text
    assert "证书编号" in text
    assert "/c/" in text  # the check page's address under its QR code
    fonts = _fonts(reader)
    assert fonts
    for name, embedded in fonts:
        assert embedded, name
        # A subset font's name starts with six capital letters and a plus (PDF 32000 9.6.4).
        assert re.match(r"^/[A-Z]{6}\+", name), name
    assert any("CJK" in name for name, _ in fonts)


async def test_the_archive_on_paper_lists_the_record(web: AsyncClient, demo: None) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    answer = await web.get("/my/paper/archive.pdf", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Archive of 王小明" in text
    assert text.count("/c/") == 2
    # Another worker's certificate is not among the papers.
    other = await web.get("/my/paper/certificates/999.pdf")
    assert other.status_code == 404
