"""What a measure's results report says: its percent of progress, the result and the problems met.

The percent is the tasks done, unless a head of a responsible division (or the administrator) gives another with the
reason (a step half done is not a task done); the rule itself is `progress.measure_percent`, and every surface shows
what it gives: `percent_of` for a measure loaded with its tasks, `with_task_counts` for measures counted in the
database; with the measure's weight (an indicator's and the plan's percent combine by it) and, for a draft measure,
what it lacks (`draft_missing`: every surface shows a draft as such). Like tracker.tasks, `report` checks permission,
changes the measure and writes the audit trail in the caller's transaction.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, exists, func

from . import audit
from .access import Action, require
from .errors import DomainError
from .fields import free_text
from .labels import FIELD
from .models import AuditAction, Measure, Source, Task, User, measure_division
from .progress import DONE, MeasurePercent, done_sql, measure_percent, record_of

# Long enough for what agencies publish per measure (a paragraph or a few), short enough for one table cell.
MAX_RESULT = 4000
MAX_PROBLEMS = 2000
MAX_REASON = 500


class ReportError(DomainError):
    """A refused report, naming the field it is about, so a form can show the message next to that field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def draft_missing(measure: Measure) -> tuple[str, ...] | None:
    """Say what a draft measure (Measure.is_draft) lacks to be completed: "period" (its dates are unknown) and/or
    "divisions" (nobody is responsible yet), as labels.draft_text words it; None for a measure that is no draft."""
    if not measure.is_draft:  # (first: a complete measure's divisions are not loaded for this)
        return None
    return _lacks(measure.period_start is None, not measure.divisions)


def _lacks(no_period: bool, no_divisions: bool) -> tuple[str, ...]:
    return tuple(lack for lack, lacking in (("period", no_period), ("divisions", no_divisions)) if lacking)


def percent_of(measure: Measure) -> MeasurePercent:
    """Return the percent a measure shows everywhere: the override a head set, or its tasks done; with its weight, and
    what it lacks when it is a draft."""
    done = sum(record_of(task).status == DONE for task in measure.tasks)  # a state's done (tracker.progress)
    return measure_percent(done, len(measure.tasks), measure.progress_override, measure.progress_reason,
                           measure.weight, draft_missing(measure))


# A draft (Measure.is_draft) in SQL (the column stores None as SQL NULL: models.Measure.draft_steps).
_IS_DRAFT = Measure.draft_steps.is_not(None)
# It has a responsible division (draft_missing's "divisions", in SQL).
_HAS_DIVISIONS = exists().where(measure_division.c.measure_id == Measure.id)

# What a measure's percent is counted from, read in the database one row a measure (`with_task_counts`), in
# `counted_percent`'s order; done is a state's done, in SQL (tracker.progress.done_sql). The draft's columns are of
# the measure itself, so the same on each of its (no) task rows: max() reads them without grouping by a JSON column
# (PostgreSQL cannot compare json).
_COUNTED = (Measure.progress_override, Measure.progress_reason, Measure.weight,
            func.max(case((_IS_DRAFT, 1), else_=0)), func.max(case((Measure.period_start.is_(None), 1), else_=0)),
            case((_HAS_DIVISIONS, 1), else_=0), func.count(Task.id),
            func.sum(case((done_sql(Task.status), 1), else_=0)))
COUNTED_COLUMNS = len(_COUNTED)


def with_task_counts(query: Select) -> Select:
    """Add to a query of measures' columns what their percents are counted from, grouped one row a measure: read
    each row's last COUNTED_COLUMNS columns with `counted_percent`."""
    return (query.add_columns(*_COUNTED).outerjoin(Task, Task.measure_id == Measure.id)
            .group_by(Measure.id, *query.selected_columns, Measure.progress_override, Measure.progress_reason,
                      Measure.weight))


def counted_percent(override: int | None, reason: str | None, weight: float | None, draft: int | None,
                    no_period: int | None, has_divisions: int | None, total: int, done: int | None) -> MeasurePercent:
    """Return the percent of a measure from the last COUNTED_COLUMNS columns of a `with_task_counts` row: as
    `percent_of` gives it of the measure loaded."""
    lacks = _lacks(bool(no_period), not has_divisions) if draft else None
    return measure_percent(done or 0, total, override, reason, weight, lacks)


def _state(measure: Measure) -> dict[str, Any]:
    return {"progress_override": measure.progress_override, "progress_reason": measure.progress_reason,
            "result": measure.result, "problems": measure.problems}


def _text(value: str | None, what: str, max_length: int, field: str, *, required: bool = False) -> str | None:
    try:
        return free_text(value, what, max_length, required=required)
    except DomainError as error:
        raise ReportError(error.message, field) from None


def report(
    measure: Measure,
    actor: User,
    *,
    progress_override: int | None,
    progress_reason: str | None,
    result: str | None,
    problems: str | None,
    source: Source,
) -> bool:
    """Set what a measure's results report says; tell whether anything changed."""
    require(actor, Action.REPORT_MEASURE, measure)
    if progress_override is not None and (
        isinstance(progress_override, bool) or not isinstance(progress_override, int)
        or not 0 <= progress_override <= 100
    ):
        raise ReportError("ร้อยละความคืบหน้าต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 100", "progress_override")
    # The reason belongs to the override: without one it is dropped, so a stale reason never explains a derived figure.
    reason = None
    if progress_override is not None:
        reason = _text(progress_reason, FIELD["progress_reason"], MAX_REASON, "progress_reason", required=True)
    result = _text(result, FIELD["result"], MAX_RESULT, "result")
    problems = _text(problems, FIELD["problems"], MAX_PROBLEMS, "problems")
    before = _state(measure)
    if before == {"progress_override": progress_override, "progress_reason": reason, "result": result,
                  "problems": problems}:
        return False
    measure.progress_override, measure.progress_reason = progress_override, reason
    measure.result, measure.problems = result, problems
    audit.record(actor, AuditAction.MEASURE_REPORT, measure, before=before, after=_state(measure), source=source)
    return True
