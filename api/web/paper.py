"""Paper that verifies: A4 PDFs rendered from the templates under ``templates/paper/``.

WeasyPrint lays the HTML out with Pango, which finds Debian's ``fonts-noto-cjk`` through
fontconfig; it embeds only the glyphs a document uses (a subset), so a one-page certificate
stays near 70 KB instead of carrying a 20 MB font. One weight only (regular): a second weight
would embed a second subset for the same characters. Every certificate carries a QR code of
its public check page (``/c/<token>``), drawn as SVG (segno), so it stays sharp in print.

Rendering takes a few hundred milliseconds of CPU: it runs in a worker thread, so the event
loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response

from api.web.templating import Templates, language_of
from portfolio.sharing.paper import ArchiveSheet, CertificateSheet

PDF = "application/pdf"


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI for an ``<img>`` (the PDF keeps it vector)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, light="#fff", lineclass=None)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_html(templates: Templates, language: str, template: str, context: dict[str, Any]) -> str:
    """``template`` with ``context`` in ``language`` (a language code), as HTML."""
    env = templates.environments[language]
    return env.get_template(template).render({**context, "qr": qr_data_uri})


def _html(request: Request, template: str, context: dict[str, Any]) -> str:
    templates: Templates = request.app.state.web.templates
    return render_html(templates, language_of(request).code, template, context)


def pdf_of(html: str) -> bytes:
    """The PDF of ``html`` (CPU-bound: call it in a thread from async code)."""
    from weasyprint import HTML  # imported on first use: it loads Pango at import

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


async def render_pdf(request: Request, template: str, context: dict[str, Any]) -> bytes:
    """``template`` with ``context`` in the request's language, as PDF bytes."""
    return await asyncio.to_thread(pdf_of, _html(request, template, context))


async def certificate_pdf(request: Request, sheet: CertificateSheet, check_base: str) -> bytes:
    """One certificate on A4 with the QR code of its check page."""
    return await render_pdf(
        request, "paper/certificate.html", {"sheet": sheet, "check_base": check_base}
    )


async def archive_pdf(request: Request, sheet: ArchiveSheet, check_base: str) -> bytes:
    """The archive summary on A4, each certificate with the QR code of its check page."""
    return await render_pdf(
        request, "paper/archive.html", {"sheet": sheet, "check_base": check_base}
    )


def pdf_response(content: bytes, filename: str) -> Response:
    """A PDF download (not kept by caches: it is personal data)."""
    return Response(
        content,
        media_type=PDF,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
