"""QR codes on pages: segno's SVG inline in the page (no image request, no other host).

The SVG is drawn with presentation attributes only (no ``style``), so the page's
Content-Security-Policy (no inline styles) lets it through; ``role="img"`` and the label make
it an image with a name for screen readers.
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, label: str) -> Markup:
    """An inline SVG QR code of ``url`` (error correction M, a quiet zone of two modules)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=2, light="#fff", svgclass="qr__code", lineclass=None)
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(labelled)  # noqa: S704 - segno's own SVG, the label escaped above
