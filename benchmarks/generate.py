"""Generate a deployment of N agencies shaped like a Thai municipality, for the page and sweep benchmarks.

    .venv/bin/python benchmarks/generate.py --tasks 20000 --database sqlite:///benchmarks/data/tasks-20k.sqlite3
    .venv/bin/python benchmarks/generate.py --tasks 20000 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/ita_bench_20k

Per agency (issue 11: "100 agencies x 5 divisions x 50 people x 200 tasks = 20,000 tasks"): an Organization, an
Assessment of last fiscal year with its 10 indicator scores, 5 divisions, 50 people (1 admin, 3 executives, 5 heads,
41 staff; all LINE-linked unless --linked says otherwise; every password "bench-pass", one precomputed hash), the
plan of the fiscal year containing today (what every page shows by default) with 10 measures x 4 steps x 5 divisions
= 200 tasks, due dates spread over the year by the importer's own rule (tracker.plans.build.spread_due_dates) so some
are past; about 30 % done (done_at, done_by, an Evidence link, a Comment), about 35 % in progress, 60 % assigned to a
staff member; and the audit history the app writes (tracker/tasks.py _state before/after): organization.create,
assessment.import, division.create, user.create and plan.import per agency, then per task task.assign,
task.progress, task.evidence, task.tick_off, task.reschedule and task.comment as its story has them (about 3 a task).

Agency 1 (usernames a1-admin, a1-mayor, a1-head1..5, a1-staff01..41) is the one pages are measured on; the others
are everybody else's rows in the same tables.

The schema is built with the real migrations (flask_migrate.upgrade in create_app's context); the fiscal years and
their indicators with tracker.plans.build.ensure_fiscal_year; everything else with SQLAlchemy Core executemany in
chunks (SQLite) or psycopg COPY (PostgreSQL; --no-copy for Core executemany there too). Primary keys are assigned
here, so rows can name each other (a comment's id in its audit event); PostgreSQL's sequences are moved past them at
the end. Nothing the app relies on is switched off: foreign keys stay on, every index exists while rows go in. On
SQLite the generating connection only uses synchronous=OFF (the file is synced once at the end); the app's own
connections keep WAL and synchronous=NORMAL. PostgreSQL gets VACUUM ANALYZE at the end (what autovacuum would do
after a bulk load); SQLite gets no ANALYZE (the app never runs one), unless --analyze.

Refuses a database that already has organizations (--force: start from an empty file or database).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import JSON, Enum, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.clock import DEFAULT_ZONE  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.ita import indicators_for  # noqa: E402
from tracker.models import (  # noqa: E402
    Assessment,
    AuditAction,
    AuditEvent,
    Comment,
    Division,
    Evidence,
    IndicatorScore,
    Measure,
    Organization,
    Plan,
    Role,
    Source,
    Task,
    TaskStatus,
    User,
    UTCDateTime,
    measure_division,
    measure_indicator,
)
from tracker.plans.build import ensure_fiscal_year, spread_due_dates  # noqa: E402
from tracker.thai import fiscal_year_bounds, fiscal_year_of, format_period  # noqa: E402

PASSWORD = "bench-pass"
TASKS_PER_AGENCY = 200
BANGKOK = DEFAULT_ZONE  # the agencies are generated in the TIMEZONE setting's default
DATA = Path(__file__).resolve().parent / "data"

# The shape (issue 11): 5 divisions, 50 people: 1 admin, 3 executives, 5 heads, 41 staff.
DIVISIONS = (  # name, short name, English name, staff
    ("สำนักปลัดเทศบาล", "สป.", "Office of the Municipal Clerk", 9),
    ("กองคลัง", "กค.", "Finance Division", 8),
    ("กองช่าง", "กช.", "Public Works Division", 8),
    ("กองการศึกษา", "กศ.", "Education Division", 8),
    ("กองสาธารณสุขและสิ่งแวดล้อม", "กส.", "Public Health and Environment Division", 8),
)
EXECUTIVES = (("mayor", "นายกเทศมนตรี"), ("deputy", "รองนายกเทศมนตรี"), ("clerk", "ปลัดเทศบาล"))

# Ten measures: title, indicators answered, first month (0 = October), months long. Four steps each, due dates by
# the importer's rule: whole-year measures fall due at the ends of December, March, June and September (the tight
# months of the forecast in docs/line.md), shorter ones earlier, so that some steps are past due whenever the data is
# made.
MEASURES = (
    ("มาตรการเผยแพร่ข้อมูลสาธารณะบนเว็บไซต์ของหน่วยงาน", (9,), 0, 12),
    ("มาตรการส่งเสริมการปฏิบัติหน้าที่อย่างโปร่งใส", (1, 3), 0, 4),
    ("มาตรการบริหารงบประมาณอย่างคุ้มค่าและตรวจสอบได้", (2,), 0, 6),
    ("มาตรการป้องกันการใช้ทรัพย์สินของราชการเพื่อประโยชน์ส่วนตน", (4,), 1, 4),
    ("มาตรการเสริมสร้างวัฒนธรรมองค์กรต่อต้านการทุจริต", (5, 10), 3, 6),
    ("มาตรการยกระดับคุณภาพการให้บริการประชาชน", (6,), 5, 7),
    ("มาตรการปรับปรุงช่องทางการสื่อสารกับผู้รับบริการ", (7,), 0, 3),
    ("มาตรการปรับปรุงกระบวนการทำงานด้วยระบบดิจิทัล", (8,), 6, 6),
    ("มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", (9, 2), 0, 12),
    ("มาตรการจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ", (10, 5), 9, 3),
)
STEPS = (
    "แต่งตั้งคณะทำงานและมอบหมายผู้รับผิดชอบ",
    "จัดทำแนวทางและเผยแพร่ให้บุคลากรทราบ",
    "ดำเนินการตามแนวทางและติดตามผล",
    "สรุปและรายงานผลการดำเนินงานต่อผู้บริหาร",
)
NOTES = ("ดำเนินการแล้วบางส่วน รอเอกสารจากกองคลัง", "อยู่ระหว่างจัดทำร่าง", "ประชุมคณะทำงานแล้ว",
         "เผยแพร่บนเว็บไซต์แล้ว", "รวบรวมข้อมูลเรียบร้อย")
DONE_NOTES = ("ดำเนินการแล้วเสร็จ แนบหลักฐานแล้ว", "รายงานผลต่อนายกฯ แล้ว", "เผยแพร่แล้วตามลิงก์")
QUESTIONS = ("ขอให้รายงานความคืบหน้าในการประชุมครั้งหน้า", "เร่งดำเนินการให้ทันกำหนด", "ดีมาก ขอบคุณครับ")

# Task stories: the share done overall, in progress, assigned to one person, rescheduled once, asked about by the
# mayor (about 3 audit events a task in all). Done tasks are mostly those already due: a past-due task is done with
# probability DONE_WHEN_DUE (the rest are overdue), a later one as much as it takes for DONE overall.
DONE, DOING, ASSIGNED, RESCHEDULED, QUESTIONED, DONE_WHEN_DUE = 0.30, 0.35, 0.60, 0.10, 0.30, 0.75
REASSIGNED, NOTED_AGAIN = 0.20, 0.90  # of the assigned: given to another first; of the started: a second note


def _utc(local_day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(local_day.year, local_day.month, local_day.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


@dataclass
class Ids:
    """The next primary key of each table: assigned here so rows can name each other before they are written."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


TABLES = [Organization.__table__, Division.__table__, User.__table__, Assessment.__table__,
          IndicatorScore.__table__, Plan.__table__, Measure.__table__, measure_division, measure_indicator,
          Task.__table__, Comment.__table__, Evidence.__table__, AuditEvent.__table__]  # parents first
WITH_IDS = [t.name for t in TABLES if "id" in t.c]


class Batch:
    """Rows of some agencies, by table, waiting to be written."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}

    def add(self, table: str, **values: Any) -> None:
        self.rows[table].append(values)

    def __len__(self) -> int:
        return sum(len(r) for r in self.rows.values())


class Writer:
    """Writes a batch: Core executemany in chunks, or PostgreSQL's COPY."""

    def __init__(self, connection, *, copy: bool, chunk: int):
        self.connection = connection
        self.copy = copy and connection.dialect.name == "postgresql"
        self.chunk = chunk
        self.counts: dict[str, int] = {t.name: 0 for t in TABLES}
        self.seconds: dict[str, float] = {t.name: 0.0 for t in TABLES}

    def write(self, batch: Batch) -> None:
        for table in TABLES:
            rows = batch.rows[table.name]
            if not rows:
                continue
            started = time.perf_counter()
            if self.copy:
                self._copy(table, rows)
            else:
                for i in range(0, len(rows), self.chunk):
                    self.connection.execute(table.insert(), rows[i:i + self.chunk])
            self.seconds[table.name] += time.perf_counter() - started
            self.counts[table.name] += len(rows)

    def _copy(self, table, rows: list[dict[str, Any]]) -> None:
        names = list(rows[0])
        convert = [_copy_converter(table.c[name].type) for name in names]
        quote = self.connection.dialect.identifier_preparer
        columns = ", ".join(quote.quote(n) for n in names)
        raw = self.connection.connection.driver_connection  # the same psycopg connection, the same transaction
        with raw.cursor() as cursor, cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([c(row[n]) if c else row[n] for c, n in zip(convert, names, strict=True)])


def _copy_converter(column_type):
    """What SQLAlchemy's bind processing would do to a value of this type, for COPY (which bypasses it)."""
    if isinstance(column_type, UTCDateTime):
        return lambda v: None if v is None else v.astimezone(UTC).replace(tzinfo=None)
    if isinstance(column_type, JSON):
        return lambda v: json.dumps(v, ensure_ascii=False)  # None -> JSON null, as the app's ORM writes it
    if isinstance(column_type, Enum):
        return lambda v: v.value if hasattr(v, "value") else v
    return None


def _state(status: TaskStatus, assignee: tuple[int, str] | None, due: date, done_at: datetime | None,
           done_by: tuple[int, str] | None) -> dict[str, Any]:
    """A task as tracker/tasks.py _state records it in the trail."""
    return {
        "status": status.value,
        "assignee_id": assignee[0] if assignee else None,
        "assignee": assignee[1] if assignee else None,
        "due_date": due.isoformat(),
        "done_at": done_at.isoformat() if done_at else None,
        "done_by_id": done_by[0] if done_by else None,
        "done_by": done_by[1] if done_by else None,
    }


class Generator:
    def __init__(self, *, fiscal_year: int, assessment_year_id: int, plan_year_id: int,
                 indicator_ids: dict[tuple[int, int], int], ids: Ids, now: datetime, linked: float, seed: int):
        self.fy = fiscal_year
        self.fy_start, self.fy_end = fiscal_year_bounds(fiscal_year)
        self.assessment_year_id, self.plan_year_id = assessment_year_id, plan_year_id
        self.indicator_ids = indicator_ids  # (fiscal year id, number) -> id
        self.ids = ids
        self.now = now
        self.today = now.astimezone(BANGKOK).date()
        self.linked = linked
        self.rng = random.Random(seed)
        self.password_hash = generate_password_hash(PASSWORD)  # scrypt: once for everybody
        # The plan every agency imported (the same template; each agency's story differs).
        self.measures = []
        for title, indicators, first, months in MEASURES:
            start = _add_months(self.fy_start, first)
            end = _add_months(start, months) - timedelta(days=1)
            self.measures.append((title, indicators, start, end, spread_due_dates(start, end, len(STEPS))))
        dues = [d for *_, dues in self.measures for d in dues]
        past = sum(1 for d in dues if d < self.today) / len(dues)
        self.done_when_due = min(DONE_WHEN_DUE, DONE / past) if past else 0.0
        self.done_later = max(0.0, (DONE - self.done_when_due * past) / (1 - past)) if past < 1 else 0.0
        self.imported_at = min(_utc(self.fy_start, 9), now - timedelta(hours=1))

    def _moment(self, start: datetime, end: datetime) -> datetime:
        """A moment between two instants, at most now, during office hours when there is room."""
        end = min(end, self.now)
        if end <= start:
            return end
        moment = start + (end - start) * self.rng.random()
        local = moment.astimezone(BANGKOK)
        if end - start > timedelta(days=1) and not 8 <= local.hour < 17:
            moment = _utc(local.date(), self.rng.randint(8, 16), self.rng.randint(0, 59))
            moment = min(max(moment, start), end)
        return moment.replace(microsecond=self.rng.randint(0, 999_999))

    def agency(self, batch: Batch, number: int) -> None:
        rng, take, add = self.rng, self.ids.take, batch.add
        at = self.imported_at
        org = take("organization")
        organization = dict(id=org, name=f"เทศบาลตำบลทดสอบ {number:04d}", kind="เทศบาลตำบล",
                            district=f"อำเภอทดสอบ {number % 878 + 1}", province=f"จังหวัดทดสอบ {number % 76 + 1}",
                            indicator_target=95.0, reminder_days=[14, 7, 3, 1, 0], overdue_every=3,
                            line_bot_user_id=None, line_basic_id=None, created_at=at)
        add("organization", **organization)
        add("audit_event", id=take("audit_event"), organization_id=org, actor_id=None, at=at,
            action=AuditAction.ORGANIZATION_CREATE.value, object_type="Organization", object_id=org, before=None,
            after=_snapshot(organization), source=Source.CLI)

        # Last year's ITA result, which the plan answers.
        assessment = take("assessment")
        scores = {n: round(rng.uniform(55, 99), 2) for n in range(1, 11)}
        row = dict(id=assessment, organization_id=org, fiscal_year_id=self.assessment_year_id,
                   overall=round(sum(scores.values()) / 10, 2), iit=round(rng.uniform(70, 99), 2),
                   eit=round(rng.uniform(70, 99), 2), oit=round(rng.uniform(50, 99), 2),
                   source=f"ita-{self.fy - 1}-{number:04d}.txt")
        add("assessment", **row)
        for n, score in scores.items():
            add("indicator_score", id=take("indicator_score"), organization_id=org, assessment_id=assessment,
                indicator_id=self.indicator_ids[(self.assessment_year_id, n)], score=score,
                analysis=f"ผลการประเมินตัวชี้วัดที่ {n} ได้ {score} คะแนน ควรปรับปรุงการดำเนินงานและเผยแพร่ข้อมูลให้ครบถ้วน")
        add("audit_event", id=take("audit_event"), organization_id=org, actor_id=None, at=at,
            action=AuditAction.ASSESSMENT_IMPORT.value, object_type="Assessment", object_id=assessment, before=None,
            after=_snapshot(row), source=Source.CLI)

        divisions = []
        for name, short, english, _ in DIVISIONS:
            division = dict(id=take("division"), organization_id=org, name=name, short_name=short, name_en=english,
                            aliases=[], line_group_id=None, line_group_members=None, line_group_code=None,
                            line_group_code_expires=None)
            add("division", **division)
            add("audit_event", id=take("audit_event"), organization_id=org, actor_id=None, at=at,
                action=AuditAction.DIVISION_CREATE.value, object_type="Division", object_id=division["id"],
                before=None, after=_snapshot(division), source=Source.CLI)
            divisions.append(division["id"])

        people = [("admin", "ผู้ดูแลระบบ", Role.ADMIN, None)]
        people += [(u, f"{t} (ทดสอบ {number})", Role.EXECUTIVE, None) for u, t in EXECUTIVES]
        people += [(f"head{i}", f"ผู้อำนวยการ{name} (ทดสอบ {number})", Role.HEAD, divisions[i - 1])
                   for i, (name, *_) in enumerate(DIVISIONS, start=1)]
        k = 0
        for i, (*_, staff) in enumerate(DIVISIONS):
            for _ in range(staff):
                k += 1
                people.append((f"staff{k:02d}", f"เจ้าหน้าที่ {k:02d} {DIVISIONS[i][1]} (ทดสอบ {number})", Role.STAFF,
                               divisions[i]))
        heads: dict[int, tuple[int, str]] = {}
        staff_of: dict[int, list[tuple[int, str]]] = {d: [] for d in divisions}
        admin = mayor = None
        for username, name, role, division in people:
            user = take("user")
            values = dict(id=user, organization_id=org, username=f"a{number}-{username}", display_name=name,
                          role=role, division_id=division, active=True, created_at=at)
            add("audit_event", id=take("audit_event"), organization_id=org, actor_id=None, at=at,
                action=AuditAction.USER_CREATE.value, object_type="User", object_id=user, before=None,
                after={**_snapshot(values), "line_user_id": None}, source=Source.CLI)
            values.update(password_hash=self.password_hash,
                          line_user_id=f"U{user:032x}" if rng.random() < self.linked else None)
            add("user", **values)
            if role is Role.HEAD:
                heads[division] = (user, name)
            elif role is Role.STAFF:
                staff_of[division].append((user, name))
            elif role is Role.ADMIN:
                admin = user
            elif username == "mayor":
                mayor = (user, name)
        assert admin is not None and mayor is not None

        plan = take("plan")
        content_hash = hashlib.sha256(f"bench plan {number}".encode()).hexdigest()
        add("plan", id=plan, organization_id=org, fiscal_year_id=self.plan_year_id, source="แผนปรับปรุง ITA.xlsx",
            content_hash=content_hash, imported_at=at, imported_by_id=admin)
        add("audit_event", id=take("audit_event"), organization_id=org, actor_id=admin, at=at,
            action=AuditAction.PLAN_IMPORT.value, object_type="Plan", object_id=plan, before=None,
            after={"source": "แผนปรับปรุง ITA.xlsx", "fiscal_year": self.fy, "measures": len(self.measures),
                   "tasks": len(self.measures) * len(STEPS) * len(divisions), "content_hash": content_hash},
            source=Source.WEB)

        for order, (title, indicators, start, end, dues) in enumerate(self.measures, start=1):
            measure = take("measure")
            add("measure", id=measure, organization_id=org, plan_id=plan, order=order, title=title,
                analysis=f"ผลการประเมินตัวชี้วัดที่ {', '.join(map(str, indicators))} ต่ำกว่าเป้าหมาย",
                period_text=format_period(start, end), period_start=start, period_end=end, indicator_source="explicit")
            for division in divisions:
                add("measure_division", measure_id=measure, division_id=division)
            for n in indicators:
                add("measure_indicator", measure_id=measure, indicator_id=self.indicator_ids[(self.plan_year_id, n)])
            for step, (step_text, due) in enumerate(zip(STEPS, dues, strict=True), start=1):
                for division in divisions:
                    self._task(batch, org, measure, step, step_text, division, due, heads[division],
                               staff_of[division], mayor)

    def _task(self, batch: Batch, org: int, measure: int, step: int, step_text: str, division: int, due: date,
              head: tuple[int, str], staff: list[tuple[int, str]], mayor: tuple[int, str]) -> None:
        rng, take, add = self.rng, self.ids.take, batch.add
        task = take("task")
        roll = rng.random()
        done = roll < (self.done_when_due if due < self.today else self.done_later)
        doing = not done and rng.random() < DOING / (1 - DONE)
        assignee = rng.choice(staff) if rng.random() < ASSIGNED else None
        events: list[dict[str, Any]] = []

        def event(action: AuditAction, actor: int | None, moment: datetime, before: Any, after: Any,
                  source: Source = Source.WEB) -> None:
            events.append(dict(id=take("audit_event"), organization_id=org, actor_id=actor, at=moment,
                               action=action.value, object_type="Task", object_id=task, before=before, after=after,
                               source=source))

        def comment(author: int, words: str, moment: datetime) -> int:
            note = take("comment")
            add("comment", id=note, organization_id=org, task_id=task, author_id=author, text=words,
                created_at=moment)
            return note

        # When things happened: closed around the due date (a few days late, some) or early; started before that.
        if done:
            if due < self.today:
                done_at = self._moment(_utc(due, 8) - timedelta(days=10), _utc(due, 17) + timedelta(days=4))
            else:
                done_at = self._moment(self.imported_at + timedelta(days=3), self.now)
            started = self._moment(self.imported_at, done_at)
        else:
            done_at = None
            started = self._moment(self.imported_at, self.now)
        assigned_at = self._moment(self.imported_at, min(started, self.imported_at + timedelta(days=14)))

        if rng.random() < RESCHEDULED:  # the head moved the date once, with a reason (before any progress)
            earlier = due - timedelta(days=rng.choice((7, 14, 30)))
            reason = "ขอเลื่อนเนื่องจากรอการอนุมัติงบประมาณ"
            comment(head[0], f"เลื่อนกำหนดส่ง: {reason}", assigned_at)
            event(AuditAction.TASK_RESCHEDULE, head[0], assigned_at, _state(TaskStatus.TODO, None, earlier, None, None),
                  {**_state(TaskStatus.TODO, None, due, None, None), "reason": reason})
        if assignee:
            first = rng.choice(staff) if rng.random() < REASSIGNED else assignee
            event(AuditAction.TASK_ASSIGN, head[0], assigned_at, _state(TaskStatus.TODO, None, due, None, None),
                  _state(TaskStatus.TODO, first, due, None, None))
            if first != assignee:  # given to someone else, then to the one who has it now
                event(AuditAction.TASK_ASSIGN, head[0], assigned_at, _state(TaskStatus.TODO, first, due, None, None),
                      _state(TaskStatus.TODO, assignee, due, None, None))
        worker = assignee or rng.choice(staff)
        if done or doing:
            note = rng.choice(NOTES)
            comment(worker[0], note, started)
            event(AuditAction.TASK_PROGRESS, worker[0], started, _state(TaskStatus.TODO, assignee, due, None, None),
                  {**_state(TaskStatus.DOING, assignee, due, None, None), "note": note})
            if rng.random() < NOTED_AGAIN:  # a second note on the way
                later = self._moment(started, done_at - timedelta(minutes=2) if done_at else self.now)
                note = rng.choice(NOTES)
                comment(worker[0], note, later)
                event(AuditAction.TASK_PROGRESS, worker[0], later, _state(TaskStatus.DOING, assignee, due, None, None),
                      {**_state(TaskStatus.DOING, assignee, due, None, None), "note": note})
        done_by = None
        if done:
            assert done_at is not None
            done_by = head if rng.random() < 0.3 else worker  # the head ticks off, or the one who did it
            evidence = take("evidence")
            shown = done_at - timedelta(minutes=1)
            values = dict(id=evidence, organization_id=org, task_id=task,
                          url=f"https://www.example.go.th/ita/{org}/{task}", note="หลักฐานการดำเนินงาน",
                          created_by_id=worker[0], created_at=shown)
            add("evidence", **values)
            event(AuditAction.TASK_EVIDENCE, worker[0], shown, None,
                  {**_snapshot(values), "file_path": None, "file_name": None, "content_type": None, "size": None})
            note = rng.choice(DONE_NOTES)
            comment(done_by[0], note, done_at)
            event(AuditAction.TASK_TICK_OFF, done_by[0], done_at, _state(TaskStatus.DOING, assignee, due, None, None),
                  {**_state(TaskStatus.DONE, assignee, due, done_at, done_by), "note": note},
                  Source.LINE if rng.random() < 0.2 else Source.WEB)
        if rng.random() < QUESTIONED:  # the mayor asks about it
            asked = self._moment(self.imported_at, self.now)
            words = rng.choice(QUESTIONS)
            note = comment(mayor[0], words, asked)
            event(AuditAction.TASK_COMMENT, mayor[0], asked, None, {"comment_id": note, "text": words})
        add("task", id=task, organization_id=org, measure_id=measure, step_number=step, step_text=step_text,
            division_id=division, assignee_id=assignee[0] if assignee else None, due_date=due,
            status=TaskStatus.DONE if done else TaskStatus.DOING if doing else TaskStatus.TODO,
            done_at=done_at, done_by_id=done_by[0] if done_by else None)
        batch.rows["audit_event"].extend(events)


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """Column values as JSON-ready data, as tracker.audit.snapshot writes them."""
    out = {}
    for key, value in values.items():
        if key == "password_hash":
            continue
        if hasattr(value, "value"):
            value = value.value
        elif isinstance(value, (datetime, date)):
            value = value.isoformat()
        out[key] = value
    return out


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


# --- the database --------------------------------------------------------------------------------------------------


def prepare_database(url: str, force: bool) -> None:
    """Make sure the database exists and is empty when --force: remove the SQLite file, or drop and create the
    PostgreSQL database (connecting to its server's `postgres` database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        if force:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine

    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = parsed.database
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and force:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def generate(url: str, tasks: int, *, force: bool, seed: int, linked: float, copy: bool, chunk: int,
             batch_agencies: int, analyze: bool | None, today: date | None) -> dict[str, Any]:
    if tasks % TASKS_PER_AGENCY:
        raise SystemExit(f"--tasks must be a multiple of {TASKS_PER_AGENCY} (one agency's plan)")
    agencies = tasks // TASKS_PER_AGENCY
    began = time.perf_counter()
    prepare_database(url, force)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        if db.session.scalar(select(func.count()).select_from(Organization)):
            raise SystemExit(f"{url} already has organizations: use --force to start from an empty database")
        # The data is made as of the start of today in Bangkok (or of --today): every moment in it is in the past,
        # and the same seed on the same day gives the same rows on SQLite and PostgreSQL.
        now = _utc(today or datetime.now(BANGKOK).date(), 0)
        fy = fiscal_year_of(now.astimezone(BANGKOK).date())
        last_year, this_year = ensure_fiscal_year(fy - 1), ensure_fiscal_year(fy)
        db.session.commit()
        indicator_ids = {(y.id, i.number): i.id for y in (last_year, this_year) for i in y.indicators}
        assert len(indicator_ids) == 2 * len(indicators_for(fy))
        schema_seconds = time.perf_counter() - began

        connection = db.session.connection()
        kind = connection.dialect.name
        if kind == "sqlite":
            connection.exec_driver_sql("PRAGMA synchronous=OFF")  # this connection only: synced once at the end
            connection.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB of page cache while loading
        ids = Ids({name: (db.session.scalar(text(f'SELECT max(id) FROM "{name}"')) or 0) + 1 for name in WITH_IDS})
        generator = Generator(fiscal_year=fy, assessment_year_id=last_year.id, plan_year_id=this_year.id,
                              indicator_ids=indicator_ids, ids=ids, now=now, linked=linked, seed=seed)
        writer = Writer(connection, copy=copy, chunk=chunk)
        python_seconds = 0.0
        next_report = max(1, agencies // 10)
        loaded = time.perf_counter()
        for first in range(1, agencies + 1, batch_agencies):
            started = time.perf_counter()
            batch = Batch()
            for number in range(first, min(first + batch_agencies, agencies + 1)):
                generator.agency(batch, number)
            python_seconds += time.perf_counter() - started
            writer.write(batch)
            db.session.commit()
            connection = db.session.connection()
            writer.connection = connection
            done = min(first + batch_agencies - 1, agencies)
            if done >= next_report or done == agencies:
                next_report = done + max(1, agencies // 10)
                elapsed = time.perf_counter() - loaded
                print(f"  {done:>5}/{agencies} agencies, {done * TASKS_PER_AGENCY:>9,} tasks, {elapsed:7.1f} s",
                      flush=True)
        load_seconds = time.perf_counter() - loaded

        finishing = time.perf_counter()
        if kind == "postgresql":
            for name in WITH_IDS:
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                        f"(SELECT max(id) FROM \"{name}\"))"))
            db.session.commit()
        db.session.close()
        if kind == "postgresql" and analyze is not False:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.exec_driver_sql("VACUUM ANALYZE")
        if kind == "sqlite":
            with db.engine.connect() as plain:
                if analyze:
                    plain.exec_driver_sql("ANALYZE")
                plain.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                plain.commit()
        finish_seconds = time.perf_counter() - finishing
        with db.engine.connect() as plain:
            counts = {t.name: plain.scalar(text(f'SELECT count(*) FROM "{t.name}"')) for t in TABLES}
            counts["fiscal_year"] = plain.scalar(text("SELECT count(*) FROM fiscal_year"))
            counts["indicator"] = plain.scalar(text("SELECT count(*) FROM indicator"))
            size = _size(plain, url)
            done_tasks = plain.scalar(text("SELECT count(*) FROM task WHERE status = 'done'"))
        db.engine.dispose()
    total = time.perf_counter() - began
    return dict(database=kind, url=url, agencies=agencies, tasks=tasks, fiscal_year=fy,
                made_on=now.astimezone(BANGKOK).date().isoformat(), counts=counts, done=done_tasks,
                size_bytes=size, seconds=dict(total=round(total, 1), schema=round(schema_seconds, 1),
                                              load=round(load_seconds, 1), python=round(python_seconds, 1),
                                              finish=round(finish_seconds, 1),
                                              per_table={k: round(v, 1) for k, v in writer.seconds.items()}),
                method="copy" if writer.copy else "core executemany")


def _size(connection, url: str) -> int | None:
    if connection.dialect.name == "postgresql":
        return connection.scalar(text("SELECT pg_database_size(current_database())"))
    path = make_url(url).database
    return os.path.getsize(path) if path and os.path.exists(path) else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, required=True, help="tasks in all: 200 per agency (20000 = 100 agencies)")
    parser.add_argument("--database", help="SQLAlchemy URL; default sqlite:///benchmarks/data/tasks-<N>.sqlite3")
    parser.add_argument("--force", action="store_true", help="start from an empty database (drops what is there)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--linked", type=float, default=1.0, help="share of people linked to LINE (default all)")
    parser.add_argument("--today", type=date.fromisoformat,
                        help="make the data as of the start of this day (default: today in Bangkok)")
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="PostgreSQL: Core executemany instead of COPY")
    parser.add_argument("--chunk", type=int, default=10_000, help="rows per executemany (default 10000)")
    parser.add_argument("--batch", type=int, default=50, help="agencies generated per transaction (default 50)")
    parser.add_argument("--analyze", action=argparse.BooleanOptionalAction, default=None,
                        help="run ANALYZE at the end (default: PostgreSQL yes, with VACUUM; SQLite no)")
    parser.add_argument("--json", type=Path, help="write the summary to this file too")
    args = parser.parse_args(argv)
    url = args.database or f"sqlite:///{DATA / f'tasks-{args.tasks}.sqlite3'}"
    print(f"generating {args.tasks:,} tasks ({args.tasks // TASKS_PER_AGENCY:,} agencies) into {url}", flush=True)
    result = generate(url, args.tasks, force=args.force, seed=args.seed, linked=args.linked, copy=args.copy,
                      chunk=args.chunk, batch_agencies=args.batch, analyze=args.analyze, today=args.today)
    print(f"database {result['database']} ({result['method']}), fiscal year {result['fiscal_year']}, "
          f"made as of {result['made_on']}; {result['done']:,} tasks done "
          f"({100 * result['done'] / result['tasks']:.1f} %)")
    for name, count in result["counts"].items():
        spent = result["seconds"]["per_table"].get(name)
        print(f"  {name:<18} {count:>11,}" + (f"  {spent:7.1f} s writing" if spent is not None else ""))
    s = result["seconds"]
    size = result["size_bytes"]
    print(f"rows {sum(result['counts'].values()):,}; size {size / 2**20:,.0f} MiB" if size else "")
    print(f"time {s['total']:.1f} s: schema {s['schema']:.1f} s, load {s['load']:.1f} s "
          f"(generating rows in Python {s['python']:.1f} s), finish {s['finish']:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
