"""The demo organization: the seed report imported, people for every role (optionally a full office of them), and
a plan that tells a living story.

The seed plan is of fiscal year 2569, which is over; a newcomer's first dashboard would be 0 % done with everything
overdue. So the demo moves the plan into the fiscal year of today and plays out its first months: the heads set
early dates for the first steps, some were done on time with a note and a link as evidence, one was done late, some
are in progress, some are overdue. `as_published=True` keeps the plan exactly as the report has it (the reminder
forecast in README.md is computed on that).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from . import audit, clock
from .extensions import db
from .models import (
    AuditAction,
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
from .plans import PlanFileError, import_plan
from .plans.build import ensure_fiscal_year
from .thai import fiscal_year_of

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
        result = import_plan(SEED_REPORT, create_divisions=True, source=Source.CLI)
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
        users.append(user)
    if imported and not as_published:
        db.session.flush()
        _play_out(plan, today or clock.today(), users)
    return Demo(organization, plan, imported, users)


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


def _add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, calendar.monthrange(day.year + years, day.month)[1]))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.local_zone()).astimezone(UTC)


def _play_out(plan: Plan, today: date, users: list[User]) -> None:
    """Move the plan into today's fiscal year and give it a past: see the module's docstring."""
    years = fiscal_year_of(today) - plan.fiscal_year.year_be
    if years:
        plan.fiscal_year = ensure_fiscal_year(plan.fiscal_year.year_be + years)
        for measure in plan.measures:
            measure.period_start = _add_years(measure.period_start, years)
            measure.period_end = _add_years(measure.period_end, years)
            for task in measure.tasks:
                task.due_date = _add_years(task.due_date, years)
    heads = {u.division_id: u for u in users if u.role is Role.HEAD}
    admin = next((u for u in users if u.role is Role.ADMIN), None)
    tasks = sorted((t for m in plan.measures for t in m.tasks), key=lambda t: (t.due_date, t.measure.order, t.id))
    _early_first_steps(plan, tasks, today, heads, admin)
    past = sorted((t for t in tasks if t.due_date < today), key=lambda t: (t.due_date, t.measure.order, t.id))
    for index, task in enumerate(past):
        outcome = PAST_OUTCOMES[index % len(PAST_OUTCOMES)]
        _happened(task, outcome, heads.get(task.division_id))
    for task in [t for t in tasks if t.due_date >= today][:UNDER_WAY]:
        _happened(task, "doing", heads.get(task.division_id))
    staff = next((u for u in users if u.role is Role.STAFF and u.division_id is not None), None)
    if staff is not None:  # the head gave one open step to a staff member
        open_steps = [t for t in tasks if t.division_id == staff.division_id and t.status is not TaskStatus.DONE]
        if open_steps:
            before = {"assignee_id": None, "assignee": None}
            open_steps[-1].assignee = staff
            audit.record(heads.get(staff.division_id), AuditAction.TASK_ASSIGN, open_steps[-1], before=before,
                         after={"assignee_id": staff.id, "assignee": staff.display_name}, source=Source.CLI)


def _early_first_steps(plan: Plan, tasks: list[Task], today: date, heads: dict[int | None, User],
                       admin: User | None) -> None:
    """Early in a fiscal year no step is due yet: the heads set the first step of each measure to fall due in the
    weeks gone by (as offices do with the steps that start a plan), so the story has a past."""
    start = plan.fiscal_year.start
    if sum(t.due_date < today for t in tasks) >= 4 or (today - start).days < 14:
        return
    first = [t for t in tasks if t.step_number == 1]
    span = (today - timedelta(days=2) - start).days
    for index, task in enumerate(first):
        due = start + timedelta(days=span * (index + 1) // (len(first) + 1))
        before = {"due_date": task.due_date.isoformat()}
        task.due_date = due
        actor = heads.get(task.division_id) or admin
        audit.record(actor, AuditAction.TASK_RESCHEDULE, task, before=before,
                     after={"due_date": due.isoformat(), "reason": "เร่งขั้นตอนแรกของมาตรการให้เสร็จต้นปีงบประมาณ"},
                     source=Source.CLI)


def _happened(task: Task, outcome: str, head: User | None) -> None:
    """Record what became of a step, with its moment, as the person would have (a note, a link, the trail)."""
    if outcome == "todo":
        return
    before = {"status": task.status.value}
    if outcome == "doing":
        moment = _at(min(task.due_date, clock.today()) - timedelta(days=5))
        task.status = TaskStatus.DOING
        action = AuditAction.TASK_PROGRESS
    else:
        moment = _at(task.due_date + (timedelta(days=6) if outcome == "late" else -timedelta(days=2)))
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
