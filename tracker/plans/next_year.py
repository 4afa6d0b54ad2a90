"""The next fiscal year: a plan copied forward, and last year's unfinished tasks carried over into the new plan.

Each agency's plan covers one fiscal year (ต.ค. – ก.ย.). When the year turns, the administrator starts the next one
without retyping it: copy the plan (`copy_plan`), copy it and carry the unfinished tasks over (`copy_plan`, then
`carry_over`), or carry them into a next year's plan imported from a new report (`carry_over`). Last year's plan
stays as it was, readable and reportable: nothing of it is moved or deleted. Like tracker.tasks, each function checks
permission (Action.START_YEAR: the administrator, who imports plans), changes rows and writes the audit trail in the
caller's transaction; `outlook` says beforehand what they would do, for the page a person confirms on.

Decisions, and why:
- A copy takes every measure with its divisions and steps, and its indicators as the new year's framework numbers
  them (indicators are rows per year: matched by number; one the new year lacks is left out, and the audit event
  says which). Dates move one year on (29 Feb -> 28 Feb). What belongs to last year stays there: statuses (the copy
  starts "not started"), done dates, evidence, comments, the results report's percent, result and problems. People
  still active keep the tasks given to them, and a task keeps its own reminder lead times: both are how the office
  works, not what happened last year. The measure of tasks carried into last year ("งานยกมาจาก...") is not copied:
  it is no measure of the plan, and carrying moves on what is left of it. A plan is never copied over another (one
  plan a year per organization): when the next year has a plan, imported or copied, the copy is refused and carrying
  into that plan offered instead.
- Carrying closes each unfinished task (todo or doing) of the old plan as TaskStatus.CARRIED and links the task of the
  new plan that goes on with it (Task.carried_from; the old one knows it as carried_to). A status rather than a flag
  beside it, because everything that asks "is it open" already reads the status: the daily sweep's OPEN and its
  partial index (migration 0010 writes both as status IN ('todo', 'doing')), so the old task gives no reminder any
  more; tracker.progress counts it in its plan's total, never as done, overdue, due soon or late, so last year's
  figures stay honest; the task page, My tasks and the division board show it as carried, and tracker.tasks refuses
  progress on it. Its history, evidence and comments stay where they are.
- Where a task goes on: in the new plan's measure of the same title (of the same order first); there, in the step of
  the same text for the same division when there is one (a copied plan has it: that task goes on with the old one,
  rather than a second copy beside it, which the unique (measure, step, division) would refuse anyway), else in a
  new step of that measure; with no such measure, in a measure "งานยกมาจากปีงบประมาณ <old year>".
- When it is due: the same day one year later, which lies in the new year. If that day has already passed (carrying
  late), the new year's 31 March, the day the six-month report counts to, so the work shows in it; if that has passed
  too, the year's last day. A task the new plan already had keeps its own date, unless it is open and already past,
  when the same rule moves it. A new task is given to the old one's assignee if still active, else to the division.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from .. import audit, clock
from ..access import Action, require
from ..errors import DomainError
from ..extensions import db
from ..ita import indicators_for
from ..models import AuditAction, FiscalYear, Measure, Plan, Source, Task, TaskStatus, User
from ..thai import ce_year, fiscal_year_bounds, fiscal_year_of
from .build import ensure_fiscal_year
from .current import plan_of_year, plan_years

OPEN_STATUSES = tuple(status for status in TaskStatus if status.is_open)


def copied_from(year_be: int) -> str:
    """The source a copied plan names (Plan.source: where a plan came from)."""
    return f"สำเนาจากแผนปีงบประมาณ {year_be}"


def leftovers_title(year_be: int) -> str:
    """The title of the measure holding tasks carried from `year_be` that no measure of the new plan takes."""
    return f"งานยกมาจากปีงบประมาณ {year_be}"


# --- dates (pure) --------------------------------------------------------------------------------------------------


def one_year_later(day: date) -> date:
    """Return the same day a year later; 29 February, which the next year lacks, becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def carried_due(due: date, year_be: int, today: date) -> date:
    """Return when a task due on `due` last year is due once carried into fiscal year `year_be` (see the module)."""
    start, end = fiscal_year_bounds(year_be)
    moved = min(max(one_year_later(due), start), end)
    if moved >= today:
        return moved
    six_months = date(ce_year(year_be), 3, 31)
    return six_months if six_months >= today else end


# --- what would happen ---------------------------------------------------------------------------------------------


@dataclass
class Carry:
    """One unfinished task of last year and where it goes on in the next year's plan."""

    task: Task
    due: date
    # continues: in the new plan's task of the same step and division (`existing`; a copy's, before it is made)
    # new_step: in a new step of the new plan's measure of the same title (`measure`)
    # leftovers: in the measure "งานยกมาจากปีงบประมาณ ..."
    where: str
    existing: Task | None = None
    measure: Measure | None = None


@dataclass
class Outlook:
    """What starting the year after a plan's would do: the page shows it before anyone confirms."""

    plan: Plan
    year: int  # the next fiscal year, BE
    next_plan: Plan | None
    tasks: int
    unfinished: list[Task]
    carries: list[Carry]  # into next_plan, or (without one) into the copy `copy_plan` would make
    unmatched_indicators: list[int] = field(default_factory=list)  # numbers the next year's framework lacks

    @property
    def measures(self) -> int:
        return len(self.plan.measures)

    def count(self, where: str) -> int:
        return sum(1 for carry in self.carries if carry.where == where)


def unfinished_count(plan_id: int) -> int:
    """Count the tasks of a plan still to be done (neither done nor carried over already)."""
    return db.session.scalar(
        select(func.count()).select_from(Task).join(Task.measure)
        .where(Measure.plan_id == plan_id, Task.status.in_(OPEN_STATUSES))
    ) or 0


def source_year(organization_id: int, today: date) -> int | None:
    """The plan a new fiscal year is started from when nobody says: the year just ended while it still has something
    to start (no plan of this year yet) or to carry (unfinished tasks), else this year's plan, else the newest."""
    years = {plan.year_be: plan for plan in plan_years(organization_id)}
    current = fiscal_year_of(today)
    last = years.get(current - 1)
    if last is not None and (current not in years or unfinished_count(last.plan_id)):
        return last.year_be
    if current in years:
        return current
    return max(years, default=None)


def outlook(plan: Plan, today: date) -> Outlook:
    """Say what starting the next fiscal year from `plan` would create and carry, changing nothing."""
    year = plan.fiscal_year.year_be + 1
    next_plan = plan_of_year(plan.organization_id, year)
    unfinished = _unfinished(plan)
    if next_plan is not None:
        carries = _carries(unfinished, next_plan, today)
    else:  # the copy has every step: each unfinished task goes on in its copy, due as copied unless already past
        carries = [Carry(task, _due_of_copy(task, one_year_later(task.due_date), year, today), "continues")
                   for task in unfinished]
    numbers = {i.number for m in plan.measures for i in m.indicators}
    known = {i.number for i in next_plan.fiscal_year.indicators} if next_plan else _framework_numbers(year)
    return Outlook(plan, year, next_plan, sum(len(m.tasks) for m in plan.measures), unfinished, carries,
                   sorted(numbers - known))


def _framework_numbers(year_be: int) -> set[int]:
    """The indicator numbers of a year: its row's, or (before the year is first used) those ensure_fiscal_year gives."""
    row = db.session.scalar(select(FiscalYear).where(FiscalYear.year_be == year_be))
    if row is not None:
        return {i.number for i in row.indicators}
    return {spec.number for spec in indicators_for(year_be)}


def _unfinished(plan: Plan) -> list[Task]:
    return [task for measure in plan.measures for task in measure.tasks if task.status.is_open]


def _words(text: str) -> str:
    return " ".join(text.split())


def _measure_for(old: Measure, measures: list[Measure]) -> Measure | None:
    same = [m for m in measures if _words(m.title) == _words(old.title)]
    return next((m for m in same if m.order == old.order), same[0] if same else None)


def _division_id(task: Task) -> int:
    # A task added in this transaction has its division as an object until the flush.
    return task.division_id if task.division_id is not None else task.division.id


def _carries(unfinished: list[Task], into: Plan, today: date) -> list[Carry]:
    year = into.fiscal_year.year_be
    taken: set[int] = set()
    carries = []
    for task in unfinished:
        measure = _measure_for(task.measure, into.measures)
        existing = None
        if measure is not None:
            existing = next((t for t in measure.tasks
                             if id(t) not in taken and t.carried_from is None and _division_id(t) == task.division_id
                             and _words(t.step_text) == _words(task.step_text)), None)
        if existing is not None:
            taken.add(id(existing))
            carries.append(Carry(task, _due_of_copy(task, existing.due_date, year, today, existing.status.is_open),
                                 "continues", existing, measure))
        else:
            carries.append(Carry(task, carried_due(task.due_date, year, today),
                                 "new_step" if measure is not None else "leftovers", None, measure))
    return carries


def _due_of_copy(task: Task, due: date, year_be: int, today: date, is_open: bool = True) -> date:
    """A task the new plan has keeps its date, unless it is open and the date has passed: then the carried rule."""
    return carried_due(task.due_date, year_be, today) if is_open and due < today else due


# --- copying -------------------------------------------------------------------------------------------------------


def copy_plan(plan: Plan, actor: User, *, source: Source) -> Plan:
    """Copy a plan into the next fiscal year: every measure with its indicators, divisions and steps, dates one year
    later, nothing done yet. Refused when the organization has a plan of that year already."""
    require(actor, Action.START_YEAR, plan)
    year = plan.fiscal_year.year_be + 1
    existing = plan_of_year(plan.organization_id, year)
    if existing is not None:
        raise DomainError(
            f"{plan.organization.name} มีแผนปีงบประมาณ {year} อยู่แล้ว (จาก {existing.source}) จึงคัดลอกซ้ำไม่ได้"
            f" — เลือก “ยกงานที่ยังไม่เสร็จไปแผนปีงบประมาณ {year}” แทน (a plan of {year} exists: carry into it)", 409)
    fiscal_year = ensure_fiscal_year(year)
    indicators = {indicator.number: indicator for indicator in fiscal_year.indicators}
    copy = Plan(organization=plan.organization, fiscal_year=fiscal_year, source=copied_from(year - 1),
                content_hash="", imported_by=actor)
    db.session.add(copy)
    unmatched: set[int] = set()
    for measure in plan.measures:
        if measure.title == leftovers_title(year - 2):
            continue  # tasks carried into last year once, not a measure of the plan: carrying moves what is left
        unmatched |= {i.number for i in measure.indicators if i.number not in indicators}
        new = Measure(
            plan=copy, order=measure.order, title=measure.title, analysis=measure.analysis,
            period_text=None,  # the plan's own words for last year's period; the dates below say the new one
            period_start=one_year_later(measure.period_start), period_end=one_year_later(measure.period_end),
            indicator_source=measure.indicator_source, divisions=list(measure.divisions),
            indicators=[indicators[i.number] for i in measure.indicators if i.number in indicators],
        )
        db.session.add(new)  # (a row reaches the session by add, never through its parent's relationship)
        for task in measure.tasks:
            db.session.add(Task(
                measure=new, step_number=task.step_number, step_text=task.step_text, division=task.division,
                due_date=one_year_later(task.due_date), status=TaskStatus.TODO, assignee=_still_active(task.assignee),
                reminder_days=list(task.reminder_days) if task.reminder_days is not None else None,
            ))
    copy.content_hash = content_hash(copy)
    db.session.flush()
    after: dict[str, Any] = {
        "source": copy.source, "fiscal_year": year, "from_fiscal_year": year - 1,
        "measures": len(copy.measures), "tasks": sum(len(m.tasks) for m in copy.measures),
        "content_hash": copy.content_hash,
    }
    if unmatched:
        after["unmatched_indicators"] = sorted(unmatched)
    audit.record(actor, AuditAction.PLAN_COPY, copy, after=after, source=source)
    return copy


def _still_active(person: User | None) -> User | None:
    return person if person is not None and person.active else None


def content_hash(plan: Plan) -> str:
    """Hash what a plan says, as an import hashes the plan a file holds (tracker.plans): year, measures, their
    indicators, periods, divisions and steps."""
    content = {
        "fiscal_year": plan.fiscal_year.year_be,
        "measures": [
            {
                "title": m.title,
                "analysis": m.analysis,
                "indicators": [i.number for i in m.indicators],
                "start": m.period_start.isoformat(),
                "end": m.period_end.isoformat(),
                "divisions": sorted(d.name for d in m.divisions),
                "steps": [text for _, text in sorted({(t.step_number, t.step_text) for t in m.tasks})],
            }
            for m in plan.measures
        ],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# --- carrying ------------------------------------------------------------------------------------------------------


def carry_over(plan: Plan, actor: User, *, into: Plan, source: Source, today: date | None = None) -> list[Task]:
    """Carry the unfinished tasks of `plan` over into `into`, the next fiscal year's plan: each goes on in a task of
    it (see the module for which, and when due), and is closed as carried. Return the tasks that go on with them."""
    require(actor, Action.START_YEAR, plan)
    require(actor, Action.START_YEAR, into)
    year = plan.fiscal_year.year_be
    if into.fiscal_year.year_be != year + 1:
        raise DomainError(f"ยกงานจากแผนปีงบประมาณ {year} ได้เฉพาะไปแผนปีงบประมาณ {year + 1}"
                          f" (not {into.fiscal_year.year_be})")
    today = today or clock.today()
    pairs: list[tuple[Task, TaskStatus, Task, dict[str, Any] | None]] = []
    for carry in _carries(_unfinished(plan), into, today):
        old = carry.task
        if carry.existing is not None:
            new = carry.existing
            changed: dict[str, Any] = {"carried_from_id": None}
            if new.due_date != carry.due:
                changed["due_date"] = new.due_date.isoformat()
                new.due_date = carry.due
            before: dict[str, Any] | None = changed
        else:
            measure = carry.measure or _leftovers(into, year)
            if old.division not in measure.divisions:
                measure.divisions.append(old.division)  # the measure's page has a column per division
            new = Task(measure=measure, step_number=_step_number(measure, old), step_text=old.step_text,
                       division=old.division, due_date=carry.due, status=TaskStatus.TODO,
                       assignee=_still_active(old.assignee),
                       reminder_days=list(old.reminder_days) if old.reminder_days is not None else None)
            db.session.add(new)
            before = None
        new.carried_from = old
        pairs.append((old, old.status, new, before))
        old.status = TaskStatus.CARRIED
    db.session.flush()  # the new tasks get their ids: one flush, whatever the number of tasks
    for old, was, new, before in pairs:
        audit.record(actor, AuditAction.TASK_CARRY, old, before={"status": was.value},
                     after={"status": old.status.value, "fiscal_year": year + 1, "carried_to_id": new.id},
                     source=source)
        after: dict[str, Any] = {"carried_from_id": old.id, "from_fiscal_year": year}
        if before is None:
            after |= {"step_text": new.step_text, "division_id": new.division_id, "due_date": new.due_date.isoformat(),
                      "assignee_id": new.assignee_id, "assignee": new.assignee.display_name if new.assignee else None}
        elif "due_date" in before:
            after["due_date"] = new.due_date.isoformat()
        audit.record(actor, AuditAction.TASK_CARRIED_IN, new, before=before, after=after, source=source)
    return [new for _, _, new, _ in pairs]


def _leftovers(into: Plan, year_be: int) -> Measure:
    """The new plan's measure for tasks carried from `year_be` that none of its measures takes (made once)."""
    title = leftovers_title(year_be)
    found = next((m for m in into.measures if m.title == title), None)
    if found is not None:
        return found
    measure = Measure(
        plan=into, order=max((m.order for m in into.measures), default=0) + 1, title=title,
        analysis=f"งานตามแผนปีงบประมาณ {year_be} ที่ยังไม่เสร็จ และแผนปีงบประมาณ {year_be + 1} ไม่มีมาตรการเดียวกัน"
                 " จึงยกมาดำเนินการต่อ",
        period_start=into.fiscal_year.start, period_end=into.fiscal_year.end, divisions=[], indicators=[],
    )
    db.session.add(measure)
    return measure


def _step_number(measure: Measure, task: Task) -> int:
    """The step of `measure` that says what `task` says, where the task's division has none yet; else a new last
    step (the unique (measure, step, division) allows one task a step and division)."""
    same = sorted({t.step_number for t in measure.tasks if _words(t.step_text) == _words(task.step_text)})
    for number in same:
        if not any(t.step_number == number and _division_id(t) == task.division_id for t in measure.tasks):
            return number
    return max((t.step_number for t in measure.tasks), default=0) + 1
