"""The demo organization: the seed report imported, people for every role (optionally a full office of them), and
a plan that tells a living story.

The seed plan is of fiscal year 2569, which is over; a newcomer's first dashboard would be 0 % done with everything
overdue. So the demo moves the plan into the fiscal year of today and plays out its first months: the heads set
early dates for the first steps, some were done on time with a note and a link as evidence, one was done late, some
are in progress, some are overdue, and the next steps fall due in the coming weeks. Every moment of that past is at
office hours on a working day between the plan's start and yesterday, never the minute the demo was built.
`as_published=True` keeps the plan exactly as the report has it (the reminder forecast in docs/line.md, "Quota", is
computed on that).

`found` tells a database that holds the demo (or nothing) from one that holds anything else, which the demo neither
adds its people with a known password to nor deletes (`tracker demo --fresh`).
"""
from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock
from .access import scoped
from .extensions import db
from .models import (
    AuditAction,
    AuditEvent,
    Comment,
    Division,
    Evidence,
    EvidenceReview,
    Organization,
    Plan,
    Role,
    Source,
    Task,
    TaskStatus,
    User,
)
from .plans import PlanFileError, import_plan, read_plan_file
from .plans.build import ensure_fiscal_year
from .thai import fiscal_year_of
from .workdays import WorkCalendar

SEED_REPORT = Path(__file__).resolve().parent / "seed" / "ita-2568-bang-krabue.txt"
DEMO_PASSWORD = "demo-ita"

# username, display name, role, division (as the seed plan names it) or None
DEMO_USERS = (
    ("admin", "ผู้ดูแลระบบ", Role.ADMIN, None),
    ("mayor", "นายกเทศมนตรี (ตัวอย่าง)", Role.EXECUTIVE, None),
    ("clerk-head", "หัวหน้าสำนักปลัด (ตัวอย่าง)", Role.HEAD, "สำนักปลัดเทศบาล"),
    ("finance-head", "ผู้อำนวยการกองคลัง (ตัวอย่าง)", Role.HEAD, "กองคลัง"),
    ("clerk-staff", "เจ้าหน้าที่สำนักปลัด (ตัวอย่าง)", Role.STAFF, "สำนักปลัดเทศบาล"),
)
# The demo's one agency is its whole deployment: its admin is the deployment's too, so the OIT items page is editable.
DEPLOYMENT_ADMIN = "admin"

# A whole office for `--staff`: how a municipality of the seed's size is staffed, by share of its people.
OFFICE_SHARES = {"สำนักปลัดเทศบาล": 0.34, "กองคลัง": 0.19, "กองช่าง": 0.19, "กองการศึกษา": 0.14,
                 "กองสาธารณสุข": 0.14}


@dataclass
class Demo:
    organization: Organization
    plan: Plan
    imported: bool
    users: list[User]


def build(staff: int = 0, *, as_published: bool = False, today: date | None = None) -> Demo:
    """Import the seed report if no plan exists, and add the demo users; with `staff`, a whole office of that size.
    Unless `as_published`, a newly imported plan is moved into today's fiscal year and its first months played out.

    Adds to the session; the caller commits. Running it again adds only what is missing.
    """
    plan = db.session.scalar(select(Plan))
    imported = plan is None
    if plan is None:
        result = import_plan(SEED_REPORT, None, create_divisions=True, source=Source.CLI)
        if not result.ok:
            raise PlanFileError(result.problems)
        plan = cast(Plan, result.plan)  # an import (not a dry run) without problems made one
    organization = plan.organization
    divisions = {d.name: d for d in organization.divisions}
    password_hash = generate_password_hash(DEMO_PASSWORD)  # one hash for all: scrypt is slow on purpose
    wanted = list(DEMO_USERS)
    if staff:
        wanted += _office(staff - len(DEMO_USERS), divisions)
    users = []
    for username, name, role, division_name in wanted:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(organization=organization, username=username, display_name=name, role=role,
                        division=divisions.get(division_name) if division_name else None, password_hash=password_hash)
            db.session.add(user)
        if username == DEPLOYMENT_ADMIN:
            user.is_deployment_admin = True  # also on a demo database built before there was such a role
        users.append(user)
    if imported and not as_published:
        db.session.flush()
        _play_out(plan, today or clock.today(), users)
    return Demo(organization, plan, imported, users)


# --- what a database holds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """What a database holds, as the demo sees it before building into it."""

    demo: bool = False  # the demo already
    other: str | None = None  # what it holds besides the demo, in words (Thai, then English); None when nothing


def found() -> Found:
    """Look at what the database holds before the demo is built into it or deleted (`tracker demo --fresh`).

    The demo's database holds the seed's organization alone, with the demo's people, one of them at least still
    signing in with the demo password. A real agency's database, the seed's own municipality's too, has people of
    its own; another application's has tables of its own. Ends no transaction: the caller does.
    """
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    if not tables:
        return Found()
    if not {"organization", "user"} <= tables:
        return Found(other="ตารางของโปรแกรมอื่น (another application's tables)")
    names = set(db.session.scalars(select(Organization.name)))  # one column: any schema revision has it
    if not names:
        return Found()
    others = sorted(names - {_seed_organization()})
    if others:
        return Found(other=f"หน่วยงานอื่น: {', '.join(others[:3])} (another organization)")
    hashes = db.session.scalars(select(User.password_hash).where(User.username.in_([u for u, *_ in DEMO_USERS])))
    if not any(h and check_password_hash(h, DEMO_PASSWORD) for h in hashes):
        return Found(other="ผู้ใช้ที่ไม่ใช่ของตัวอย่าง (people who are not the demo's)")
    return Found(demo=True)


@functools.cache
def _seed_organization() -> str:
    draft = read_plan_file(SEED_REPORT)
    assert draft.organization is not None  # the seed report names its agency
    return draft.organization.name


def sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite database URL; None for any other database, or SQLite in memory."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):  # a URI filename (`sqlite:///file:path?mode=ro&uri=true`)
        database = database[len("file:"):].split("?")[0]
    return Path(database)


def delete_sqlite(path: Path) -> None:
    """Delete a SQLite database and the files SQLite keeps beside it (write-ahead log, shared memory, journal)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- the story ---------------------------------------------------------------------------------------------------

# What became of the steps that fell due before today, in order of their due dates (repeated as needed).
PAST_OUTCOMES = ("done", "done", "late", "doing", "done", "todo", "done")
NOTES = {
    "done": "ดำเนินการแล้ว เผยแพร่บนเว็บไซต์เทศบาล แนบลิงก์เป็นหลักฐาน",
    "late": "ดำเนินการแล้ว ล่าช้ากว่ากำหนดเพราะรอการอนุมัติจากผู้บริหาร",
    "doing": "อยู่ระหว่างรวบรวมข้อมูลจากกองต่าง ๆ",
}
EVIDENCE_URL = "https://www.example.go.th/ita/demo/{task}"  # example.go.th: a demo link that leads nowhere real
UNDER_WAY = 2  # the next steps to fall due are in progress
# Open steps due in the next 30 days, so My tasks and the reminders have something to show: so many days from today,
# three of them reminder lead times (a working day's reminders name them), and those within two working weeks due soon
# on the dashboard too (tracker.progress.SOON_WORKING_DAYS).
DUE_SOON = (3, 7, 14, 24)
SOON_DAYS = 30
FIRST_STEPS_REASON = "เร่งขั้นตอนแรกของมาตรการให้เสร็จต้นปีงบประมาณ"
NEXT_STEPS_REASON = "กำหนดวันเสร็จของขั้นตอนถัดไป"


class _Story:
    """The days the story's moments fall on: working days, the import on the last one before the plan's year, the
    rest from the year's first one to the one before today, so that no moment is in the future."""

    def __init__(self, start: date, today: date):
        self.calendar = WorkCalendar()  # the demo organization has no days off of its own
        self.today = today
        self.setup = self.calendar.previous_working_day(start - timedelta(days=1))
        self.first = self.calendar.next_working_day(start)
        self.last = self.calendar.previous_working_day(today - timedelta(days=1))

    @property
    def has_past(self) -> bool:
        """Whether a working day of the plan's year has gone by."""
        return self.first <= self.last

    def day(self, target: date, floor: date | None = None) -> date:
        """The working day on or before `target`, not before `floor` (nor the year's first working day), before
        today; the day before the year when the year has no such day yet."""
        floor = max(floor or self.first, self.first)
        day = self.calendar.previous_working_day(min(target, self.last))
        if day < floor:
            day = self.calendar.next_working_day(floor)
        return day if day <= self.last else self.setup


def _at(day: date, minutes: int) -> datetime:
    """The instant `minutes` after 09:00 on `day` where the organization is, in UTC as stored."""
    return datetime.combine(day, time(9), tzinfo=clock.local_zone()).astimezone(UTC) + timedelta(minutes=minutes)


def _office_hours(n: int) -> int:
    """Minutes after 09:00 of the n-th piece of work in the story: 10:00 to 16:30, spread, the same every build."""
    return 60 + (n * 47) % 79 * 5


def _planning(n: int) -> int:
    """Minutes after 09:00 of the n-th date a head set: 09:05 to 09:55, before the day's work is reported."""
    return 5 + n % 11 * 5


def _add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, calendar.monthrange(day.year + years, day.month)[1]))


def _in_order(tasks) -> list[Task]:
    return sorted(tasks, key=lambda t: (t.due_date, t.measure.order, t.step_number, t.division_id))


def _play_out(plan: Plan, today: date, users: list[User]) -> None:
    """Move the plan into today's fiscal year and give it a past: see the module's docstring."""
    years = fiscal_year_of(today) - plan.fiscal_year.year_be
    if years:
        plan.fiscal_year = ensure_fiscal_year(plan.fiscal_year.year_be + years)
        for measure in plan.measures:
            if measure.period_start is not None and measure.period_end is not None:  # (a draft's may be unknown)
                measure.period_start = _add_years(measure.period_start, years)
                measure.period_end = _add_years(measure.period_end, years)
            for task in measure.tasks:
                task.due_date = _add_years(task.due_date, years)
    story = _Story(plan.fiscal_year.start, today)
    _imported_before_the_year(plan, users, story)
    heads = {u.division_id: u for u in users if u.role is Role.HEAD}
    admin = next((u for u in users if u.role is Role.ADMIN), None)
    tasks = _in_order(t for m in plan.measures for t in m.tasks)
    _early_first_steps(plan, tasks, story, heads, admin)
    if story.has_past:
        past = _in_order(t for t in tasks if t.due_date < today)
        for index, task in enumerate(past):
            _happened(task, PAST_OUTCOMES[index % len(PAST_OUTCOMES)], heads.get(task.division_id), story)
    set_on = _next_steps_due_soon(plan, tasks, story, heads, admin)
    tasks = _in_order(tasks)
    if story.has_past:
        for task in [t for t in tasks if t.due_date >= today][:UNDER_WAY]:
            _happened(task, "doing", heads.get(task.division_id), story, floor=set_on.get(task.id))
    staff = next((u for u in users if u.role is Role.STAFF and u.division_id is not None), None)
    if staff is not None:  # the head gave the division's next open step to a staff member
        open_steps = [t for t in tasks if t.division_id == staff.division_id and t.status is not TaskStatus.DONE]
        coming = [t for t in open_steps if t.due_date >= today]
        if open_steps:
            task = coming[0] if coming else open_steps[-1]
            task.assignee = staff
            before = {"assignee_id": None, "assignee": None}
            event = audit.record(heads.get(staff.division_id), AuditAction.TASK_ASSIGN, task, before=before,
                                 after={"assignee_id": staff.id, "assignee": staff.display_name}, source=Source.CLI)
            day = story.day(today - timedelta(days=3), set_on.get(task.id)) if story.has_past else story.setup
            event.at = _at(day, _office_hours(task.id + 1))


def _imported_before_the_year(plan: Plan, users: list[User], story: _Story) -> None:
    """Date the import, the organization and the demo's people on the last working day before the plan's year, at
    09:00, as the plan of the year is published before it; the trail says it is this year's plan."""
    moment = _at(story.setup, 0)
    plan.organization.created_at = plan.imported_at = moment
    for user in users:
        user.created_at = moment
    db.session.flush()
    for event in db.session.scalars(scoped(AuditEvent, plan.organization_id)):
        event.at = moment
        if event.after:  # a new dict: the JSON column sees an assignment, not a change in place
            stamped: dict[str, Any] = {key: moment.isoformat() for key in ("created_at", "imported_at")
                                       if key in event.after}
            if event.action == AuditAction.PLAN_IMPORT.value and "fiscal_year" in event.after:
                stamped["fiscal_year"] = plan.fiscal_year.year_be
            event.after = {**event.after, **stamped}


def _early_first_steps(plan: Plan, tasks: list[Task], story: _Story, heads: dict[int | None, User],
                       admin: User | None) -> None:
    """Early in a fiscal year no step is due yet: the heads set the first step of each measure to fall due in the
    weeks gone by (as offices do with the steps that start a plan), on the year's first working day, so the story
    has a past."""
    start, today = plan.fiscal_year.start, story.today
    if sum(t.due_date < today for t in tasks) >= 4 or (today - start).days < 14:
        return
    first = [t for t in tasks if t.step_number == 1]
    span = (today - timedelta(days=2) - start).days
    for index, task in enumerate(first):
        due = max(story.first, story.calendar.previous_working_day(
            start + timedelta(days=span * (index + 1) // (len(first) + 1))))
        _set_due(task, due, FIRST_STEPS_REASON, heads.get(task.division_id) or admin,
                 _at(story.day(story.first), _planning(index)))


def _next_steps_due_soon(plan: Plan, tasks: list[Task], story: _Story, heads: dict[int | None, User],
                         admin: User | None) -> dict[int, date]:
    """Unless enough open steps (DUE_SOON) fall due in the next 30 days already, the heads set the dates of their
    next steps (the first open step of a measure in a division) within them, two weeks ago, inside the year and the
    measure's period. Return the day each date was set, by task id."""
    today = story.today
    end = min(today + timedelta(days=SOON_DAYS), plan.fiscal_year.end)
    wanted = len(DUE_SOON) - sum(t.status is not TaskStatus.DONE and today <= t.due_date <= end for t in tasks)
    if wanted <= 0:
        return {}
    next_steps: dict[tuple[int, int], Task] = {}
    for task in sorted(tasks, key=lambda t: t.step_number):
        if task.status is not TaskStatus.DONE:
            next_steps.setdefault((task.measure_id, task.division_id), task)
    later = _in_order(t for t in next_steps.values() if t.due_date > end)
    set_on = story.day(today - timedelta(days=14)) if story.has_past else story.setup
    days: dict[int, date] = {}
    for task in later:
        if len(days) == wanted:
            break
        due = max(today, story.calendar.previous_working_day(min(today + timedelta(days=DUE_SOON[len(days)]), end)))
        start, end_of_measure = task.measure.period_start, task.measure.period_end
        if start is None or end_of_measure is None or not start <= due <= end_of_measure:
            continue  # (a measure with tasks has its period; mypy cannot know)
        _set_due(task, due, NEXT_STEPS_REASON, heads.get(task.division_id) or admin, _at(set_on, _planning(len(days))))
        days[task.id] = set_on
    return days


def _set_due(task: Task, due: date, reason: str, actor: User | None, moment: datetime) -> None:
    before = {"due_date": task.due_date.isoformat()}
    task.due_date = due
    event = audit.record(actor, AuditAction.TASK_RESCHEDULE, task, before=before,
                         after={"due_date": due.isoformat(), "reason": reason}, source=Source.CLI)
    event.at = moment


def _happened(task: Task, outcome: str, head: User | None, story: _Story, floor: date | None = None) -> None:
    """Record what became of a step, with its moment, as the person would have (a note, a link, the trail): done two
    days before its due date, late a week after it, in progress since five days before it (or before today)."""
    if outcome == "todo":
        return
    if outcome == "late":
        day = story.day(task.due_date + timedelta(days=6), floor)
        if day <= task.due_date:  # no working day has passed since it fell due: still at it
            outcome = "doing"
    if outcome == "done":
        day = story.day(task.due_date - timedelta(days=2), floor)
    elif outcome == "doing":
        day = story.day(min(task.due_date, story.today) - timedelta(days=5), floor)
    moment = _at(day, _office_hours(task.id))
    before = {"status": task.status.value}
    if outcome == "doing":
        task.status = TaskStatus.DOING
        action = AuditAction.TASK_PROGRESS
    else:
        task.status, task.done_at, task.done_by = TaskStatus.DONE, moment, head
        action = AuditAction.TASK_TICK_OFF
        # The head's own evidence, accepted as it is added, and published: the demo's public page shows it.
        db.session.add(Evidence(task=task, url=EVIDENCE_URL.format(task=task.id), note="ประกาศบนเว็บไซต์",
                                created_by=head, created_at=moment, review=EvidenceReview.ACCEPTED,
                                reviewed_by_id=head.id if head else None, reviewed_at=moment, public=True))
    if head is not None:
        db.session.add(Comment(task=task, author=head, text=NOTES[outcome], created_at=moment))
    db.session.flush()
    event = audit.record(head, action, task, before=before,
                         after={"status": task.status.value, "note": NOTES[outcome],
                                "done_by": head.display_name if head and task.done_at else None},
                         source=Source.CLI)
    event.at = moment


def _office(count: int, divisions: dict[str, Division]) -> list[tuple]:
    """People beyond the five demo users: a deputy mayor and the municipal clerk, every head, then staff."""
    people: list[tuple] = [("deputy-mayor", "รองนายกเทศมนตรี (ตัวอย่าง)", Role.EXECUTIVE, None),
                           ("municipal-clerk", "ปลัดเทศบาล (ตัวอย่าง)", Role.EXECUTIVE, None)]
    for index, name in enumerate(n for n in OFFICE_SHARES if n not in ("สำนักปลัดเทศบาล", "กองคลัง")):
        people.append((f"head-{index + 1}", f"ผู้อำนวยการ{name} (ตัวอย่าง)", Role.HEAD, name))
    remaining = max(0, count - len(people))
    names = [n for n in OFFICE_SHARES if n in divisions]
    quotas = {n: int(remaining * OFFICE_SHARES[n]) for n in names}
    for n in names[: remaining - sum(quotas.values())]:
        quotas[n] += 1
    for name in names:
        for i in range(quotas[name]):
            people.append((f"staff-{names.index(name) + 1}-{i + 1:02d}", f"เจ้าหน้าที่{name} {i + 1}", Role.STAFF, name))
    return people[:count]
