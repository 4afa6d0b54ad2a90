"""The results report (รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน) as plain data.

Built once from the database (results.py) and rendered by each output (the public page, PDF, DOCX, XLSX), so every
output shows the same figures. It holds no personal data: division names, never people's names, usernames or LINE
ids (PDPA); the only name is the signer's, whom the agency chooses to print on its published report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..labels import EXTRA_COLUMN
from ..progress import TaskState


@dataclass(frozen=True)
class EvidenceLink:
    """One piece of public evidence: what it is called and where anyone can open it (an absolute URL)."""

    label: str
    url: str


@dataclass(frozen=True)
class StepRow:
    """One step of a measure (ขั้นตอนหรือวิธีการดำเนินการ) with where it stands on the report's day."""

    number: int
    text: str
    division: str  # the responsible division's name
    due: date
    status: str  # its status on the report's day in words (labels.state_status): ยังไม่เริ่ม / กำลังทำ / เสร็จแล้ว
    done: bool
    done_on: date | None  # local (Asia/Bangkok) day it was done, when done by the report's day
    state: TaskState | None = None  # where it stood that day (tracker.progress.task_state): a page's badge


@dataclass(frozen=True)
class MeasureRow:
    """One measure with the plan's five columns, then what was done: result, percent, evidence, problems."""

    order: int
    title: str  # ๑. มาตรการ หรือโครงการ หรือกิจกรรม
    analysis: str | None  # ๒. ผลการวิเคราะห์ตัวชี้วัด
    indicators: tuple[str, ...]  # "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล"
    period_start: date | None  # ๔. ช่วงระยะเวลาการดำเนินการ (None: a draft's, not known yet)
    period_end: date | None
    divisions: tuple[str, ...]  # ๕. ผู้รับผิดชอบ (none yet: a draft's)
    steps: tuple[StepRow, ...]  # ๓. ขั้นตอนหรือวิธีการดำเนินการ
    percent: int  # 0-100: tracker.progress.measure_percent's figure: derived from the steps, or a head's override
    percent_reason: str | None  # why a head overrode the derived percent (None when derived)
    result: str | None  # ผลการดำเนินการ
    problems: str | None  # ปัญหาอุปสรรค
    evidence: tuple[EvidenceLink, ...]  # public evidence only
    # A draft measure (no tasks yet: tracker.measures.draft_missing): what it lacks, "period" and/or "divisions";
    # None for a measure that is no draft. Its steps are the plan's, not yet tasks: `draft_steps`.
    draft: tuple[str, ...] | None = None
    draft_steps: tuple[str, ...] = ()
    period_text: str | None = None  # the period as the plan wrote it (a draft's may be an event's, without dates)
    weight: float | None = None  # the plan's weight of the measure (น้ำหนัก)
    details: tuple[tuple[str, str], ...] = ()  # the plan's other columns, (heading, text): budget, output, KPI, ...

    @property
    def overridden(self) -> bool:
        """Whether a head set the percent (with its reason) rather than it being counted from the steps."""
        return self.percent_reason is not None

    @property
    def detail_rows(self) -> tuple[tuple[str, str], ...]:
        """The plan's other columns as a page lists them, its weight first (kept as a number, not among them)."""
        if self.weight is None:
            return self.details
        return ((EXTRA_COLUMN["weight"], f"{self.weight:g}"), *self.details)

    @property
    def is_draft(self) -> bool:
        """Shown as a draft rather than a percent: a draft whose percent no head set (progress.MeasurePercent)."""
        return self.draft is not None and not self.overridden


@dataclass(frozen=True)
class Signature:
    """The signature block under the report: the executive who approves it."""

    name: str | None  # printed under the dotted line; None leaves the line for a hand-written name
    position: str  # นายกเทศมนตรีตำบลบางกระบือ
    signed_on: date | None  # None leaves the date for the signer to write


@dataclass(frozen=True)
class ResultsReport:
    """The report of one organization's plan for one fiscal year, as of one day (a round: 6 or 12 months)."""

    organization: str  # เทศบาลตำบลบางกระบือ
    fiscal_year_be: int  # 2569
    as_of: date
    round_label: str  # "รอบ 6 เดือน" / "รอบ 12 เดือน" / "ข้อมูล ณ วันที่ 15 ม.ค. 2569"
    oit_item: str | None  # "O26": the OIT item this report answers in that assessment year (data, per year)
    oit_name: str | None
    measures: tuple[MeasureRow, ...]
    signature: Signature
    # The assessment year whose item it is: 2569 for the 2568 plan's report under O26 (the item shows last year's plan).
    oit_year_be: int | None = None
    overall_percent: int = 0  # the measures' percents combined (tracker.progress.combined_percent)
    overall_overridden: bool = False  # it counts a percent a head set (marked as the dashboard marks it)
    thai_digits: bool = False  # print digits as Thai digits (๑๒๓), as many agencies publish
    generated_at: date | None = None
    notes: tuple[str, ...] = field(default=())
