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
  it is no measure of the plan, and carrying moves on what is left of it. A draft measure (imported without its
  period or divisions, Measure.is_draft) is copied as a draft: its steps still waiting, its period a year on when it
  had one, unknown when it had none; it has no tasks to copy or to carry into. A plan is never copied over another (one
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
- When carrying is allowed (`may_carry_over`, pure): from the first day of the last quarter (1 July) of the fiscal
  year of the plan carried from, and for ever after. "The current fiscal year" is today's (thai.fiscal_year_of):
  the plan of it is the live one, whose open tasks My tasks, the dashboard and the reminders run on. Carrying from a
  plan of a year already ended is always allowed (in December 2569 carrying the 2569 plan's leftovers into 2570 is
  the normal case); from the live plan only in its last quarter (July – September), when the next year is being
  prepared; from a plan of a year not begun yet (the copy made in December) never: its tasks are not due to be
  carried anywhere. Before that, carrying would empty everyone's list of the live year and stop its reminders, so it
  is neither offered nor done (the view and `carry_over` both ask the rule); copying a plan a year on changes nothing
  live and is always allowed.
- Undoing (`undo_carry_over`): each carrying is recorded as one event (AuditAction.PLAN_CARRY_OVER, on the plan
  carried from) that says what it did: each task's status before, the task of the new plan it went on in, whether
  the carrying made that task (and the leftovers measure, and a division it named on a measure) or found it there,
  and the date it moved. For UNDO_DAYS days the administrator may undo it: every task returns to its plan and
  status (its history never left it) and reminds again; a task the carrying made is removed, one it found (a
  copy's) stays, unlinked, with its date back. The removal is said in the trail, task by task (TASK_CARRIED_IN_UNDO,
  with what the task was) and as one event (PLAN_CARRY_OVER_UNDO), beside the carrying's own events, which stay. A
  task made by the carrying that someone has worked on since (progress, a note, evidence, a new assignee or date)
  would lose that work: then the undo is refused, naming the tasks, and nothing changes. The copy of the plan, if the
  same click made one, stays: it changes nothing live.
- When it is due: the same day one year later, which lies in the new year. If that day has already passed (carrying
  late), the new year's 31 March, the day the six-month report counts to, so the work shows in it; if that has passed
  too, the year's last day. A task the new plan already had keeps its own date, unless it is open and already past,
  when the same rule moves it. A new task is given to the old one's assignee if still active, else to the division.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit, clock
from ..access import Action, find, reminder_audience, require, scoped
from ..errors import DomainError
from ..extensions import db
from ..ita import indicators_for
from ..measures import draft_missing
from ..models import AuditAction, AuditEvent, Division, FiscalYear, Measure, Plan, Source, Task, TaskStatus, User
from ..reminders.inputs import task_info
from ..reminders.policy import Person, recipients_for
from ..thai import ce_year, fiscal_year_bounds, fiscal_year_of, format_date
from .build import ensure_fiscal_year, round_a_year_on
from .current import plan_of_year, plan_years

OPEN_STATUSES = tuple(status for status in TaskStatus if status.is_open)


def copied_from(year_be: int) -> str:
    """The source a copied plan names (Plan.source: where a plan came from)."""
    return f"สำเนาจากแผนปีงบประมาณ {year_be}"


def leftovers_title(year_be: int) -> str:
    """The title of the measure holding tasks carried from `year_be` that no measure of the new plan takes."""
    return f"งานยกมาจากปีงบประมาณ {year_be}"


# --- when (pure) ---------------------------------------------------------------------------------------------------

UNDO_DAYS = 7  # a carrying may be undone on the day it was done and the 7 days after


def carrying_opens(year_be: int) -> date:
    """Return the first day the unfinished tasks of fiscal year `year_be`'s plan may be carried over: the first day
    of that year's last quarter (1 July)."""
    _, end = fiscal_year_bounds(year_be)
    return date(end.year, 7, 1)


def may_carry_over(year_be: int, today: date) -> bool:
    """Tell whether the unfinished tasks of a plan of fiscal year `year_be` may be carried into the next year today:
    always once that year has ended, in its last quarter while it is today's, never before (see the module)."""
    return today >= carrying_opens(year_be)


def not_yet_text(year_be: int) -> str:
    """Say why, and until when, a plan's unfinished tasks are not carried over (the page, a refusal)."""
    return (f"ยกงานที่ยังไม่เสร็จของแผนปีงบประมาณ {year_be} ไปทำต่อในปีงบประมาณ {year_be + 1} ได้ตั้งแต่"
            f" {format_date(carrying_opens(year_be))} (ไตรมาสสุดท้ายของปีงบประมาณ {year_be}) — ก่อนหน้านั้นงานเหล่านี้"
            f"ยังเป็นงานของปีนี้ที่ทุกคนทำและได้รับการแจ้งเตือนอยู่ (carrying opens in the year's last quarter)")


def undo_last_day(carried_on: date) -> date:
    """Return the last day a carrying done on `carried_on` may be undone."""
    return carried_on + timedelta(days=UNDO_DAYS)


def may_undo(carried_on: date, today: date) -> bool:
    """Tell whether a carrying done on `carried_on` may still be undone today."""
    return today <= undo_last_day(carried_on)


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


@dataclass(frozen=True)
class Reminded:
    """A division's unfinished tasks and the people who hear of them now: the people whose reminders of these tasks
    stop when they are carried over."""

    division: str
    tasks: int
    people: list[str]  # display names: assignees, and the division's staff for a task given to nobody
    unassigned: int  # of `tasks`, those given to nobody (the whole division hears of them)


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
    may_carry: bool = True  # may_carry_over today
    reminded: list[Reminded] = field(default_factory=list)  # per division, by name: who hears of `unfinished` now

    @property
    def measures(self) -> int:
        return len(self.plan.measures)

    def count(self, where: str) -> int:
        return sum(1 for carry in self.carries if carry.where == where)


def unfinished_count(organization_id: int, plan_id: int) -> int:
    """Count the tasks of an organization's plan still to be done (neither done nor carried over already)."""
    return db.session.scalar(
        scoped(Task, organization_id).join(Task.measure)
        .where(Measure.plan_id == plan_id, Task.status.in_(OPEN_STATUSES)).with_only_columns(func.count())
    ) or 0


def source_year(organization_id: int, today: date) -> int | None:
    """The plan a new fiscal year is started from when nobody says: the year just ended while it still has something
    to start (no plan of this year yet) or to carry (unfinished tasks), else this year's plan, else the newest."""
    years = {plan.year_be: plan for plan in plan_years(organization_id)}
    current = fiscal_year_of(today)
    last = years.get(current - 1)
    if last is not None and (current not in years or unfinished_count(organization_id, last.plan_id)):
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
                   sorted(numbers - known), may_carry_over(year - 1, today), reminded(unfinished))


def reminded(tasks: list[Task]) -> list[Reminded]:
    """Say, per division, who hears of these tasks now (the reminder policy's recipients_for): the people whose
    reminders of them stop if they are carried over."""
    if not tasks:
        return []
    users = db.session.scalars(scoped(User, tasks[0].organization_id)).all()
    people = [Person(u.id, u.display_name, u.role.value, u.division_id, u.active, u.line_user_id is not None,
                     reminder_audience(u.role)) for u in users]
    by_division: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_division[task.division.name].append(task)
    found = []
    for name in sorted(by_division):
        names: dict[str, None] = {}
        for task in by_division[name]:
            names |= dict.fromkeys(p.name for p in recipients_for(task_info(task), people))
        found.append(Reminded(name, len(by_division[name]), sorted(names),
                              sum(1 for t in by_division[name] if _still_active(t.assignee) is None)))
    return found


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
    # Never a draft: it has no tasks until a person gives it its period and divisions (tracker.plans.complete), and a
    # task carried into it would make it neither; the task goes on in the leftovers measure instead.
    same = [m for m in measures if not m.is_draft and _words(m.title) == _words(old.title)]
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
            period_start=_year_later(measure.period_start), period_end=_year_later(measure.period_end),
            indicator_source=measure.indicator_source, divisions=list(measure.divisions),
            indicators=[indicators[i.number] for i in measure.indicators if i.number in indicators],
            # The plan's weight and other columns are the plan's, as the title is. A draft stays a draft, its steps
            # waiting as they did (it has no tasks to copy): completing it is a person's, in either year.
            weight=measure.weight, details=[list(pair) for pair in measure.details] if measure.details else None,
            draft_steps=list(measure.draft_steps) if measure.draft_steps is not None else None,
        )
        db.session.add(new)  # (a row reaches the session by add, never through its parent's relationship)
        for task in measure.tasks:
            db.session.add(Task(
                # A recurring step's round moves on with its due date ("(รอบ ต.ค. 68)" -> "(รอบ ต.ค. 69)").
                measure=new, step_number=task.step_number, step_text=round_a_year_on(task.step_text),
                division=task.division,
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


def _year_later(day: date | None) -> date | None:
    """A measure's period day one year later; a draft's unknown one stays unknown."""
    return one_year_later(day) if day is not None else None


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
                "start": m.period_start.isoformat() if m.period_start else None,
                "end": m.period_end.isoformat() if m.period_end else None,
                "divisions": sorted(d.name for d in m.divisions),
                "steps": (list(m.draft_steps) if m.draft_steps is not None
                          else [text for _, text in sorted({(t.step_number, t.step_text) for t in m.tasks})]),
                # What only a plan of these has, as the import hashes it (so a plan without them hashes as before).
                **({"draft": list(draft_missing(m) or ())} if m.is_draft else {}),
                **({"weight": m.weight} if m.weight is not None else {}),
                **({"details": [list(d) for d in m.details]} if m.details else {}),
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
    if not may_carry_over(year, today):
        raise DomainError(not_yet_text(year), 409)
    had_leftovers = any(m.title == leftovers_title(year) for m in into.measures)
    named: list[tuple[Measure, Division]] = []  # divisions the carrying adds to a measure
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
                named.append((measure, old.division))
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
    if pairs:  # one event for the whole carrying: what undo_carry_over reads to take it back
        leftovers = next((m for m in into.measures if m.title == leftovers_title(year)), None)
        undo = {
            "carried_on": today.isoformat(),
            "into_plan_id": into.id,
            "tasks": [{"task_id": old.id, "status": was.value, "carried_to_id": new.id, "created": before is None,
                       "due_date": before.get("due_date") if before else None}
                      for old, was, new, before in pairs],
            "measure_id": leftovers.id if leftovers is not None and not had_leftovers else None,
            "divisions": [[measure.id, division.id] for measure, division in named],
        }
        audit.record(actor, AuditAction.PLAN_CARRY_OVER, plan,
                     after={"fiscal_year": year + 1, "from_fiscal_year": year, "tasks": len(pairs), "undo": undo},
                     source=source)
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


# --- undoing -------------------------------------------------------------------------------------------------------


@dataclass
class CarryOver:
    """A carrying over as its event (AuditAction.PLAN_CARRY_OVER) records it, and whether it was undone."""

    event: AuditEvent
    plan: Plan  # carried from
    undone: bool

    @property
    def year(self) -> int:
        """The fiscal year the tasks went to."""
        return int(self.event.after["fiscal_year"])  # type: ignore[index]

    @property
    def tasks(self) -> int:
        return len(self._undo["tasks"])

    @property
    def carried_on(self) -> date:
        return date.fromisoformat(self._undo["carried_on"])

    @property
    def last_day(self) -> date:
        """The last day it may be undone."""
        return undo_last_day(self.carried_on)

    def may_undo(self, today: date) -> bool:
        return not self.undone and may_undo(self.carried_on, today)

    @property
    def _undo(self) -> dict[str, Any]:
        return (self.event.after or {})["undo"]


def carry_overs(organization_id: int, event_id: int | None = None) -> list[CarryOver]:
    """Return an organization's carryings over (or the one of `event_id`), newest first, each knowing whether it was
    undone. Read through the plans' events (the index on the object), never the whole trail."""
    plans = scoped(Plan, organization_id).with_only_columns(Plan.id)
    events = db.session.scalars(
        scoped(AuditEvent, organization_id)
        .where(AuditEvent.object_type == Plan.__name__, AuditEvent.object_id.in_(plans),
               AuditEvent.action.in_([AuditAction.PLAN_CARRY_OVER.value, AuditAction.PLAN_CARRY_OVER_UNDO.value]))
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    ).all()
    undone = {(e.after or {}).get("carry_event_id") for e in events
              if e.action == AuditAction.PLAN_CARRY_OVER_UNDO.value}
    carried = [e for e in events if e.action == AuditAction.PLAN_CARRY_OVER.value
               and (event_id is None or e.id == event_id)]
    plans_by_id = {p.id: p for p in db.session.scalars(
        scoped(Plan, organization_id).where(Plan.id.in_({e.object_id for e in carried})))} if carried else {}
    return [CarryOver(e, plans_by_id[e.object_id], e.id in undone) for e in carried if e.object_id in plans_by_id]


def undoable(organization_id: int, today: date) -> list[CarryOver]:
    """Return the carryings over an organization's administrator may still undo today, newest first."""
    return [c for c in carry_overs(organization_id) if c.may_undo(today)]


def undo_carry_over(carry: CarryOver, actor: User, *, source: Source, today: date | None = None) -> list[Task]:
    """Take a carrying over back: every task it closed returns to its plan and status, and reminds again; a task it
    made in the next year's plan is removed, one it found there is unlinked and its date put back (see the module).
    Refused after UNDO_DAYS days, when undone already, or when a task it made has been worked on since. Return the
    tasks that returned."""
    plan = carry.plan
    require(actor, Action.START_YEAR, plan)
    today = today or clock.today()
    # One undo at a time: a second one waits here for the first to commit, then finds it undone (PostgreSQL; SQLite
    # has one writer anyway).
    db.session.execute(select(Plan.id).where(Plan.id == plan.id).with_for_update())
    fresh = carry_overs(plan.organization_id, carry.event.id)
    if not fresh or fresh[0].undone:
        raise DomainError("การยกงานครั้งนี้ถูกยกเลิกไปแล้ว (already undone)", 409)
    if not may_undo(carry.carried_on, today):
        raise DomainError(
            f"ยกเลิกการยกงานได้ภายใน {UNDO_DAYS} วันหลังยกงาน (ถึง {format_date(carry.last_day)}) ซึ่งเลยมาแล้ว"
            f" — งานที่ยกไปยังอยู่ในแผนปีงบประมาณ {carry.year} (the {UNDO_DAYS} days to undo are over)", 409)
    record: dict[str, Any] = carry.event.after["undo"]  # type: ignore[index]
    entries = record["tasks"]
    ids = [e["task_id"] for e in entries] + [e["carried_to_id"] for e in entries]
    tasks = {t.id: t for t in db.session.scalars(
        scoped(Task, plan.organization_id).where(Task.id.in_(ids))
        .options(selectinload(Task.evidence), selectinload(Task.comments), selectinload(Task.measure)))}
    made = [e["carried_to_id"] for e in entries if e["created"]]
    # Anyone's change to a task of the next year since the carrying is in the trail after the carrying's own events.
    changed_since = set(db.session.scalars(
        scoped(AuditEvent, plan.organization_id).with_only_columns(AuditEvent.object_id)
        .where(AuditEvent.object_type == Task.__name__,
               AuditEvent.object_id.in_([e["carried_to_id"] for e in entries]), AuditEvent.id > carry.event.id)))
    moved, worked_on = [], []
    for entry in entries:
        old, new = tasks.get(entry["task_id"]), tasks.get(entry["carried_to_id"])
        if old is None or new is None or old.status is not TaskStatus.CARRIED or new.carried_from_id != old.id \
                or new.carried_to is not None:
            moved.append(old or new)
        elif entry["created"] and (new.status is not TaskStatus.TODO or new.evidence or new.comments
                                   or new.id in changed_since):
            worked_on.append(new)
    if moved or worked_on:
        raise DomainError(_undo_refusal(carry, moved, worked_on), 409)

    returned = []
    for entry in entries:
        old, new = tasks[entry["task_id"]], tasks[entry["carried_to_id"]]
        was = TaskStatus(entry["status"])
        audit.record(actor, AuditAction.TASK_CARRY_UNDO, old,
                     before={"status": old.status.value, "carried_to_id": new.id},
                     after={"status": was.value, "fiscal_year": plan.fiscal_year.year_be}, source=source)
        old.status = was
        new.carried_from = None
        if entry["created"]:  # made by the carrying: removed, the trail keeps what it was
            audit.record(actor, AuditAction.TASK_CARRIED_IN_UNDO, new,
                         before={"carried_from_id": old.id, "step_text": new.step_text, "division_id": new.division_id,
                                 "due_date": new.due_date.isoformat(), "assignee_id": new.assignee_id,
                                 "assignee": new.assignee.display_name if new.assignee else None},
                         after=None, source=source)
            new.measure.tasks.remove(new)  # delete-orphan: the row goes at the flush
        else:  # the copy's task: it stays, as the copy made it
            before: dict[str, Any] = {"carried_from_id": old.id}
            after: dict[str, Any] = {"carried_from_id": None}
            if entry["due_date"] is not None and new.id not in changed_since:  # (a date set since stays)
                before["due_date"], after["due_date"] = new.due_date.isoformat(), entry["due_date"]
                new.due_date = date.fromisoformat(entry["due_date"])
            audit.record(actor, AuditAction.TASK_CARRIED_IN_UNDO, new, before=before, after=after, source=source)
        returned.append(old)
    db.session.flush()
    removed_measure = _take_back_measures(plan.organization_id, record)
    after = {"fiscal_year": carry.year, "from_fiscal_year": plan.fiscal_year.year_be, "tasks": len(returned),
             "removed": len(made), "carry_event_id": carry.event.id}
    if removed_measure:
        after["removed_measure"] = removed_measure
    audit.record(actor, AuditAction.PLAN_CARRY_OVER_UNDO, plan, after=after, source=source)
    return returned


def _take_back_measures(organization_id: int, record: dict[str, Any]) -> str | None:
    """Take the divisions the carrying named on measures off them again where no task of theirs is left, and remove
    the leftovers measure it made if empty; return that measure's title if removed."""
    for measure_id, division_id in record["divisions"]:
        measure = find(Measure, measure_id, organization_id)
        if measure is not None and not any(t.division_id == division_id for t in measure.tasks):
            measure.divisions = [d for d in measure.divisions if d.id != division_id]
    measure = find(Measure, record["measure_id"], organization_id) if record["measure_id"] is not None else None
    if measure is None or measure.tasks:
        return None
    title = measure.title
    db.session.delete(measure)
    db.session.flush()
    return title


def _undo_refusal(carry: CarryOver, moved: list[Task | None], worked_on: list[Task]) -> str:
    if moved:
        return (f"งาน {len(moved)} งานของการยกงานครั้งนี้เปลี่ยนไปแล้ว (ยกต่อ ลบ หรือเปิดใหม่) จึงยกเลิกการยกงานไม่ได้"
                " — ไม่มีอะไรเปลี่ยน (tasks changed since the carrying)")
    steps = ", ".join(f"“{t.step_text[:60]}” ({t.division.name})" for t in worked_on[:3])
    more = f" และอีก {len(worked_on) - 3} งาน" if len(worked_on) > 3 else ""
    return (f"งานที่ยกไปแผนปีงบประมาณ {carry.year} มีการดำเนินการแล้ว {len(worked_on)} งาน: {steps}{more}"
            " — ยกเลิกการยกงานจะทำให้สิ่งที่บันทึกไว้หายไป จึงยกเลิกไม่ได้ ไม่มีอะไรเปลี่ยน"
            " (tasks made by the carrying have been worked on since)")
