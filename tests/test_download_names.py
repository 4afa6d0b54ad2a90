"""Files people download are named with Buddhist-era days (issue 18): ita-results-2569-2569-03-31.xlsx, as Thai
offices date their files, never the common era's 2026 (`thai.file_date`)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from .factories import login

TODAY = date(2026, 4, 20)  # after the 6-month round (31 March 2569)


def _filename(response) -> str:
    assert response.status_code == 200, response.status_code
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    return re.search(r'filename="?([^";]+)', disposition).group(1)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_public_pages_report_files_are_named_by_the_buddhist_era_day(client, seeded, on_day, fmt):
    name = _filename(client.get(f"/o/{seeded.org.id}/2569/report-6m.{fmt}"))  # nobody signed in
    assert name == f"ita-results-2569-2569-03-31.{fmt}"


def test_the_dashboards_report_file_is_named_by_the_buddhist_era_day(client, seeded, on_day):
    login(client, "mayor")
    names = [_filename(client.get(f"/reports/results?year=2569&format=xlsx&{asked}"))
             for asked in ("round=6m", "as_of=15/1/2569")]
    assert names == ["ita-results-2569-2569-03-31.xlsx", "ita-results-2569-2569-01-15.xlsx"]
    assert not any("2026" in name or "2025" in name for name in names)
