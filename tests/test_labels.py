"""One catalogue of Thai labels: every value people read has one, and every page and message uses it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker import labels
from tracker.models import AuditAction, Role, Source, TaskStatus

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("enum_type", list(labels.CATALOGUE), ids=lambda e: e.__name__)
def test_every_value_has_a_thai_label(enum_type):
    catalogue = labels.CATALOGUE[enum_type]
    assert set(catalogue) == set(enum_type)
    for value in enum_type:
        assert labels.label(value).strip()
        assert re.search(r"[\u0E00-\u0E7F]", labels.label(value)) or value.value in ("line",), value


def test_every_audit_action_written_in_the_code_is_an_enum_member():
    # Actions are recorded as AuditAction members; a string literal would bypass the catalogue.
    written = set()
    for path in (ROOT / "tracker").rglob("*.py"):
        written |= set(re.findall(r"AuditAction\.([A-Z_]+)", path.read_text(encoding="utf-8")))
    assert written <= {a.name for a in AuditAction}
    assert written == {a.name for a in AuditAction}, "an action nobody records: remove it or record it"


def test_stored_text_reads_as_its_label_and_unknown_text_stays_visible():
    assert labels.of(TaskStatus, "doing") == "กำลังทำ"
    assert labels.of(Role, "head") == "หัวหน้ากอง"
    assert labels.of(AuditAction, "task.tick_off") == "ปิดงาน (เสร็จแล้ว)"
    assert labels.of(AuditAction, "task.from_an_older_version") == "task.from_an_older_version"
    assert labels.of(Source, None) == "" and labels.label(None) == ""


def test_no_template_or_module_keeps_its_own_status_or_role_words():
    # The words of statuses and roles live in labels.py only.
    words = [labels.STATUS[TaskStatus.TODO], labels.STATUS[TaskStatus.DOING], labels.ROLE[Role.EXECUTIVE]]
    offenders = []
    for path in [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]:
        if path.name == "labels.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: {w}" for w in words if f'"{w}"' in text or f">{w}<" in text]
    assert offenders == []


def test_the_plans_column_headings_are_written_once_and_read_back_by_the_importer():
    from tracker.plans.rows import header_columns
    from tracker.publish.documents import COLUMNS

    headings = list(labels.PLAN_COLUMN.values())
    assert header_columns(headings) == {column: i for i, column in enumerate(labels.PLAN_COLUMN)}
    assert COLUMNS[:5] == tuple(labels.PLAN_COLUMN[c] for c in ("title", "analysis", "steps", "period", "divisions"))
    words = [labels.PLAN_COLUMN[c] for c in ("title", "analysis", "steps", "period")]
    words += [labels.RESULTS_COLUMN[c] for c in ("percent", "step_done_on", "percent_reason")]
    offenders = []
    for path in (ROOT / "tracker").rglob("*.py"):
        if path.name != "labels.py":
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {w}" for w in words if f'"{w}"' in text]
    assert offenders == []
