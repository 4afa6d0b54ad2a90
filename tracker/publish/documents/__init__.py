"""The results report as files an agency publishes or edits: PDF (pdf.py), DOCX (docx.py) and XLSX (xlsx.py).

The words every format prints live here (`Words`: the column labels, from labels.py, the heading, dates in the
Buddhist Era, Thai digits when the report asks for them, "-" for an empty cell, the signature block), so the three
files read the same and a wording is changed once. Each format only lays those words out.
"""
from __future__ import annotations

from datetime import date

from ...errors import DomainError
from ...labels import PLAN_COLUMN, RESULTS_COLUMN, WITH_OVERRIDDEN_PERCENT, draft_text, overridden_note
from ...thai import file_date, format_date, format_period, to_thai_digits
from ..model import MeasureRow, ResultsReport, StepRow

FORMATS = ("pdf", "docx", "xlsx")

_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

TITLE = "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"

# The plan's five columns as the plan prints them (the import template's headings too), then what was done.
MEASURE = PLAN_COLUMN["title"]
ANALYSIS = PLAN_COLUMN["analysis"]
STEPS = PLAN_COLUMN["steps"]
PERIOD = PLAN_COLUMN["period"]
DIVISIONS = PLAN_COLUMN["divisions"]
RESULT = RESULTS_COLUMN["result"]
PERCENT = RESULTS_COLUMN["percent"]
EVIDENCE = RESULTS_COLUMN["evidence"]
PROBLEMS = RESULTS_COLUMN["problems"]
COLUMNS = (MEASURE, ANALYSIS, STEPS, PERIOD, DIVISIONS, RESULT, PERCENT, EVIDENCE, PROBLEMS)

# A spreadsheet gives a step's status, its done day and the override's reason columns of their own (to sort and
# filter by); the other formats print them inside the step and percent cells.
STEP_STATUS = RESULTS_COLUMN["step_status"]
STEP_DONE_ON = RESULTS_COLUMN["step_done_on"]
PERCENT_REASON = RESULTS_COLUMN["percent_reason"]
OVERALL = "ความก้าวหน้าโดยรวม"
NOTES = "หมายเหตุ"

EMPTY = "-"  # what an empty result or problems cell prints, as agencies fill a table
DOTS = "." * 40  # a line to sign or write on by hand


def media_type(fmt: str) -> str:
    """Return the media type of a format's file."""
    return _MEDIA_TYPES[_known(fmt)]


def filename(report: ResultsReport, fmt: str) -> str:
    """Return an ASCII file name for the report, e.g. ita-results-2569-2569-03-31.pdf: the day in the Buddhist era."""
    # ASCII so every browser and mail client keeps it; the Thai name is the caller's (Content-Disposition filename*).
    return f"ita-results-{report.fiscal_year_be}-{file_date(report.as_of)}.{_known(fmt)}"


def render(report: ResultsReport, fmt: str) -> bytes:
    """Render the report as a file of the given format (one of FORMATS)."""
    # Imported on use: WeasyPrint loads Pango when imported, which neither the DOCX nor the XLSX needs.
    if _known(fmt) == "pdf":
        try:
            from .pdf import render_pdf
        except OSError as error:  # WeasyPrint could not load Pango: say what to install, not a traceback
            raise DomainError(
                "ทำไฟล์ PDF ไม่ได้: เครื่องนี้ยังไม่มี Pango ที่ WeasyPrint ใช้ (apt-get install libpango-1.0-0 "
                "libpangoft2-1.0-0) — ดาวน์โหลดเป็น Word หรือ Excel ได้ (PDF needs the system's Pango)"
            ) from error

        return render_pdf(report)
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(report)
    from .xlsx import render_xlsx

    return render_xlsx(report)


def _known(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


class Words:
    """The words of one report as every format prints them: Buddhist-Era dates, Thai digits when asked, "-" for
    nothing. URLs are never passed through here: a link must stay the address it is."""

    def __init__(self, report: ResultsReport) -> None:
        self.report = report

    def text(self, value: str | int | None) -> str:
        """Return a value as printed: its digits Thai when the report asks, "-" when there is nothing."""
        shown = "" if value is None else str(value).strip()
        if not shown:
            return EMPTY
        return to_thai_digits(shown) if self.report.thai_digits else shown

    def date(self, day: date) -> str:
        """Return a day as printed: "31 มี.ค. 2569"."""
        return format_date(day, thai_digits=self.report.thai_digits)

    def percent(self, value: int) -> str:
        """Return a percent as printed: "50%"."""
        return self.text(f"{value}%")

    # --- the heading ------------------------------------------------------------------------------------------

    def heading(self) -> tuple[str, ...]:
        """Return the lines above the table: title, agency and year, round and day, the OIT item when there is one."""
        report = self.report
        as_of = f"ข้อมูล ณ วันที่ {self.date(report.as_of)}"
        round_label = report.round_label.strip()
        # A round may already be "ข้อมูล ณ วันที่ ..." (a report between rounds): the day is not printed twice.
        when = self.text(round_label) if "ข้อมูล ณ" in round_label else f"{self.text(round_label)} {as_of}"
        lines = [
            TITLE,
            self.text(f"{report.organization} ประจำปีงบประมาณ พ.ศ. {report.fiscal_year_be}"),
            when,
        ]
        if report.oit_item:
            # The item of the assessment that asks for this report: 2569's O26 reports on the 2568 plan.
            asked = (f" (การประเมิน ITA ประจำปีงบประมาณ พ.ศ. {report.oit_year_be})"
                     if report.oit_year_be and report.oit_year_be != report.fiscal_year_be else "")
            lines.append(self.text(f"ข้อ {report.oit_item} {report.oit_name or ''}".rstrip() + asked))
        return tuple(lines)

    # --- a measure's cells --------------------------------------------------------------------------------------

    def analysis(self, measure: MeasureRow) -> tuple[str, ...]:
        """Return the analysis cell's paragraphs: the indicators' names, then the analysis."""
        lines = [self.text(name) for name in measure.indicators]
        if measure.analysis and measure.analysis.strip():
            lines.append(self.text(measure.analysis))
        return tuple(lines) or (EMPTY,)

    def step(self, measure: MeasureRow, step: StepRow) -> str:
        """Return a step's number and text, with its division when the measure has several."""
        text = f"{step.number}. {step.text.strip()}"
        if len(measure.divisions) > 1 and step.division:
            # The same step is done by each division: without its name the lines would read as repeats.
            text += f" ({step.division})"
        return self.text(text)

    def step_groups(self, measure: MeasureRow) -> list[tuple[str, list[tuple[str, StepRow]]]]:
        """Return a measure's steps as printed: each step's number and text once, then each division's part of it
        (its division, when the step has several, and where it stands). The plan gives a step to several divisions
        and the tracker makes a task of each part: printed one by one, the step's text would repeat per division.
        A draft's steps are the plan's, with no part yet (no task: nobody and no day to stand by)."""
        if not measure.steps and measure.draft_steps:
            return [(line, []) for line in self.draft_steps(measure)]
        groups: dict[tuple[int, str], list[StepRow]] = {}
        for step in measure.steps:
            groups.setdefault((step.number, step.text.strip()), []).append(step)
        printed = []
        for (number, text), parts in groups.items():
            several = len(parts) > 1
            printed.append((self.text(f"{number}. {text}"),
                            [(f"{self.text(part.division)}: {self.step_state(part)}" if several and part.division
                              else self.step_state(part), part) for part in parts]))
        return printed

    def step_state(self, step: StepRow) -> str:
        """Return where a step stands: its status label, and the day it was done."""
        if step.done_on is None:
            return self.text(step.status)
        return f"{self.text(step.status)} {self.date(step.done_on)}"

    def step_done_on(self, step: StepRow) -> str:
        """Return the day a step was done, or "-"."""
        return EMPTY if step.done_on is None else self.date(step.done_on)

    def draft_steps(self, measure: MeasureRow) -> tuple[str, ...]:
        """Return a draft's steps as the plan numbers them ("1. ..."): not tasks yet."""
        return tuple(self.text(f"{number}. {text.strip()}") for number, text in enumerate(measure.draft_steps, 1))

    def period(self, measure: MeasureRow) -> str:
        """Return the measure's period: "1 ต.ค. 2568 – 30 ก.ย. 2569"; a draft's not known yet: the plan's words for it
        when it gave some (an event's: "ตามห้วงเวลาจัดงานประเพณี"), else its draft text."""
        if measure.period_start is None or measure.period_end is None:
            return self.text(measure.period_text or draft_text(measure.draft or ("period",)))
        return format_period(measure.period_start, measure.period_end, thai_digits=self.report.thai_digits)

    def measure_percent(self, measure: MeasureRow) -> str:
        """Return a measure's percent as printed: "50%", or a draft's text ("ร่าง — ยังไม่กำหนดช่วงเวลา") in its
        place, as every surface shows a draft (labels.percent_text)."""
        if measure.is_draft:
            return self.text(draft_text(measure.draft or ()))
        return self.percent(measure.percent)

    def divisions(self, measure: MeasureRow) -> tuple[str, ...]:
        """Return the responsible divisions, one a line."""
        return tuple(self.text(name) for name in measure.divisions) or (EMPTY,)

    def percent_reason(self, measure: MeasureRow) -> str | None:
        """Return why the percent was set by hand, as a spreadsheet's column of its own holds it (the column marks
        it), or None when it was derived."""
        if not measure.percent_reason or not measure.percent_reason.strip():
            return None
        return self.text(measure.percent_reason)

    def percent_note(self, measure: MeasureRow) -> str | None:
        """Return the mark of a percent a head set, with why, as every surface shows it ("กำหนดเอง: <reason>",
        labels.py), printed under the percent; None when it was derived."""
        if not measure.overridden:
            return None
        return self.text(overridden_note(measure.percent_reason))

    def overall(self) -> str:
        """Return the line with the overall percent, marked when it counts a percent a head set."""
        return f"{OVERALL} {self.percent(self.report.overall_percent)}{self.overall_note()}"

    def overall_note(self) -> str:
        """Return " (รวมร้อยละที่กำหนดเอง)" after the overall percent when it counts a percent a head set, or ""."""
        return f" ({WITH_OVERRIDDEN_PERCENT})" if self.report.overall_overridden else ""

    # --- the signature block ------------------------------------------------------------------------------------

    def signature(self) -> tuple[str, ...]:
        """Return the signature block's lines: the line to sign on, the name, the position, the day."""
        signature = self.report.signature
        name = f"( {self.text(signature.name)} )" if signature.name else f"({DOTS})"
        day = self.date(signature.signed_on) if signature.signed_on else f"{'.' * 10}/{'.' * 16}/{'.' * 10}"
        return (f"ลงชื่อ {DOTS}", name, self.text(signature.position), f"วันที่ {day}")

    def notes(self) -> tuple[str, ...]:
        """Return the report's notes as printed."""
        return tuple(self.text(note) for note in self.report.notes if note.strip())
