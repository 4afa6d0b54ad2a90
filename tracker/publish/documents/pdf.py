"""The results report as a PDF: templates/publish/report_print.html laid out by WeasyPrint.

WeasyPrint shapes Thai through Pango and HarfBuzz (vowels and tone marks stacked as they should be, lines broken
between words), with the vendored Sarabun loaded by @font-face; it fetches nothing but those files (`_StaticFiles`),
so no address in a report can make the server open a connection or read another file. Needs a Flask app context.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..model import ResultsReport
from . import COLUMNS, NOTES, Words

TEMPLATE = "publish/report_print.html"
STYLESHEET = "css/report-print.css"


class _StaticFiles(URLFetcher):
    """Fetch only files under the app's static folder (the stylesheet, the fonts)."""

    def __init__(self, static: Path) -> None:
        super().__init__(allowed_protocols={"file"})
        self._static = static

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        # The path as the file handler will open it: decoded, "..", and links resolved.
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or not path.is_relative_to(self._static):
            raise ValueError(f"the report fetches only its own static files, not {url}")
        return super().fetch(url, headers)


def render_pdf(report: ResultsReport) -> bytes:
    """Render the report as an A4 landscape PDF."""
    static = Path(current_app.static_folder or "").resolve()
    html = render_template(
        TEMPLATE,
        report=report,
        words=Words(report),
        columns=COLUMNS,
        NOTES=NOTES,
        stylesheet_url=(static / STYLESHEET).as_uri(),
    )
    # One font configuration per document: @font-face fonts are registered into it and dropped with it.
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=_StaticFiles(static))
    return document.write_pdf(font_config=fonts)
