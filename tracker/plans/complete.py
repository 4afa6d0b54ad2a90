"""Complete a draft measure: the period and divisions its plan row left out, and so its tasks.

A plan row without a period (or with an event's, "ตามห้วงเวลาจัดงานประเพณี") or without a responsible division is
imported as a draft (Measure.is_draft): its steps wait in `draft_steps`. Completing it reads the period as an import
reads a plan's (thai.read_period: a recurring period gives a task per round) and makes the tasks with the import's own
rule (build.planned_tasks), so a measure completed later has the tasks it would have had in the file. Like
tracker.tasks, it checks permission, changes the measure and writes the audit trail in the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Sequence

from .. import audit
from ..access import Action, require, scoped
from ..errors import DomainError
from ..extensions import db
from ..models import AuditAction, Division, Measure, Source, User
from ..thai import PeriodError, UndatedPeriod, format_period, read_period
from .build import add_tasks, planned_tasks
from .rows import clean


class CompleteError(DomainError):
    """A refused completion, naming the field it is about, so the form can show the message next to it."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def _state(measure: Measure) -> dict:
    return {
        "period_text": measure.period_text,
        "period": (format_period(measure.period_start, measure.period_end)
                   if measure.period_start and measure.period_end else None),
        "divisions": [d.name for d in measure.divisions],
        "draft_steps": measure.draft_steps,
        "tasks": len(measure.tasks),
    }


def complete(
    measure: Measure, actor: User, *, period_text: str, division_ids: Sequence[int], source: Source
) -> int:
    """Give a draft its period and divisions and make its tasks; return how many. Raise CompleteError (field
    "period" or "divisions") when either is missing or cannot be read."""
    require(actor, Action.IMPORT_PLAN, measure)
    if not measure.is_draft:
        raise CompleteError("มาตรการนี้ครบแล้ว มีงานแล้ว — แก้ไขที่งานแต่ละงานแทน", "period")
    text = clean(period_text)
    if not text:
        raise CompleteError("กรอกช่วงเวลา เช่น ต.ค. 68 - ก.ย. 69, ไตรมาส 2 หรือ ทุกเดือน", "period")
    if len(text) > 200:
        raise CompleteError("ช่วงเวลายาวได้ไม่เกิน 200 ตัวอักษร", "period")
    try:
        period = read_period(text, measure.plan.fiscal_year.year_be)
    except UndatedPeriod:  # the event's words again: what it lacks is a date
        raise CompleteError(f"“{text}” ยังไม่ได้ระบุวันที่ — กรอกเป็นเดือน ไตรมาส หรือรอบ เช่น ไตรมาส 2 หรือ "
                            "พ.ค. 69 ตามห้วงเวลาที่จะจัดจริง", "period") from None
    except PeriodError as error:
        raise CompleteError(str(error), "period") from None
    # Only the measure's own organization's divisions: an id of another agency's is no division here.
    wanted = set(division_ids)
    divisions = list(db.session.scalars(
        scoped(Division, measure.organization_id).where(Division.id.in_(wanted)).order_by(Division.id)
    )) if wanted else []
    if not divisions or len(divisions) != len(wanted):
        raise CompleteError("เลือกกองที่รับผิดชอบอย่างน้อยหนึ่งกอง (กองของหน่วยงานนี้)", "divisions")
    before = _state(measure)
    steps = list(measure.draft_steps or [])
    measure.period_text, measure.period_start, measure.period_end = text, period.start, period.end
    measure.divisions = divisions
    measure.draft_steps = None
    count = add_tasks(measure, planned_tasks(steps, period.start, period.end, period.occurrences), divisions)
    db.session.flush()
    audit.record(actor, AuditAction.MEASURE_COMPLETE, measure, before=before, after=_state(measure), source=source)
    return count
