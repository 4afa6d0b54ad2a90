"""A task's state, once (issue 19): `tracker.progress.task_state` says where a task stands on a day, in working days,
and every surface words it with `tracker.labels`: My tasks, the board, the measure grid, the task page, the
dashboard, a LINE card, a reminder's text and cards, `สรุป`, the public page and the three report files. One task is
built in each state on a fixed day and read back from each surface that shows that state."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from tracker import clock, dashboard, labels, progress
from tracker.extensions import db
from tracker.labels import DUE_SOON, STATUS, state_status, state_text
from tracker.line import flex, replies
from tracker.models import Measure, Task, TaskStatus
from tracker.organization import work_calendar
from tracker.progress import Record, StateKind, TaskState, task_state
from tracker.publish import documents
from tracker.publish.results import Round, build, public_evidence_url
from tracker.reminders import outbox
from tracker.reminders.digest import digest_messages, render_digest
from tracker.thai import format_date
from tracker.workdays import WorkCalendar

from .factories import login
from .test_documents import docx_text, normal, pdf_text, xlsx_text

TODAY = date(2026, 4, 1)  # a Wednesday; 6 April (Chakri Day) and 13-15 April (Songkran) are holidays
CAL = WorkCalendar()
BASE_URL = "https://ita.example.go.th"
STEP = "ขั้นตอนทดสอบสถานะของงาน"  # the one task's step: found by its words on every page


# --- the rule, pure ------------------------------------------------------------------------------------------------


def test_the_status_names_are_task_statuses():
    assert {progress.TODO, progress.DOING, progress.DONE, progress.CARRIED} == {s.value for s in TaskStatus}


@pytest.mark.parametrize("record, today, state, words", [
    # due today (the day is the last working day before the due date): due soon, no day left
    (Record(date(2026, 3, 11), "todo"), date(2026, 3, 11), TaskState(StateKind.SOON, 0, "todo"), "ครบกำหนดวันนี้"),
    (Record(date(2026, 3, 14), "todo"), date(2026, 3, 13), TaskState(StateKind.SOON, 0, "todo"), "ครบกำหนดวันนี้"),
    (Record(date(2026, 3, 13), "doing"), date(2026, 3, 11), TaskState(StateKind.SOON, 2, "doing"), "เหลือ 2 วันทำการ"),
    # two working weeks is due soon, one more day is not (3 March 2026 is Makha Bucha)
    (Record(date(2026, 3, 17), "todo"), date(2026, 3, 2), TaskState(StateKind.SOON, 10, "todo"), "เหลือ 10 วันทำการ"),
    (Record(date(2026, 3, 18), "todo"), date(2026, 3, 2), TaskState(StateKind.LATER, 11, "todo"),
     "เหลือ 11 วันทำการ"),
    (Record(date(2026, 3, 9), "todo"), date(2026, 3, 11), TaskState(StateKind.OVERDUE, 2, "todo"),
     "เกินกำหนด 2 วันทำการ"),
    # due on a Saturday, seen on Monday: a working day late though none passed in between
    (Record(date(2026, 3, 7), "doing"), date(2026, 3, 9), TaskState(StateKind.OVERDUE, 1, "doing"),
     "เกินกำหนด 1 วันทำการ"),
    (Record(date(2026, 3, 2), "done", date(2026, 3, 2)), date(2026, 3, 11), TaskState(StateKind.DONE, 0, "done"),
     "เสร็จแล้ว"),
    (Record(date(2026, 3, 2), "done"), date(2026, 3, 11), TaskState(StateKind.DONE, 0, "done"), "เสร็จแล้ว"),
    (Record(date(2026, 3, 2), "done", date(2026, 3, 5)), date(2026, 3, 11), TaskState(StateKind.LATE, 2, "done"),
     "เสร็จช้า 2 วันทำการ"),
    # due Friday, closed on Saturday: late by a day
    (Record(date(2026, 3, 6), "done", date(2026, 3, 7)), date(2026, 3, 11), TaskState(StateKind.LATE, 1, "done"),
     "เสร็จช้า 1 วันทำการ"),
    (Record(date(2026, 3, 2), "carried"), date(2026, 3, 11), TaskState(StateKind.CARRIED, 0, "carried"),
     "ยกไปทำต่อในปีงบประมาณถัดไป"),
    # a report as of 31 March reads a step closed on 3 April as under way that day
    (Record(date(2026, 3, 31), "done", date(2026, 4, 3)).as_of(date(2026, 3, 31)), date(2026, 3, 31),
     TaskState(StateKind.SOON, 0, "doing"), "ครบกำหนดวันนี้"),
], ids=lambda value: value.kind.value if isinstance(value, TaskState) else getattr(value, "status", ""))
def test_a_tasks_state_and_its_words(record, today, state, words):
    found = task_state(record, today, CAL)
    assert found == state
    assert state_text(found) == words
    assert state_status(found) == STATUS[TaskStatus(state.status)]


def test_states_are_counted_once():
    states = [TaskState(kind, 1) for kind in StateKind]
    counted = progress.count_states(states)
    assert (counted.total, counted.done, counted.late, counted.overdue, counted.due_soon, counted.carried) == (
        6, 2, 1, 1, 1, 1)
    assert counted.on_track == 3 and counted.open == 4


# --- one task in each state, on the fixed day -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    status: TaskStatus
    due: date
    done_on: date | None
    state: TaskState  # what task_state says of it on TODAY
    lead: int | None = None  # a lead time of its own, so that TODAY gives it a reminder


CASES = {
    "todo": Case(TaskStatus.TODO, date(2026, 6, 30), None, TaskState(StateKind.LATER, 55, "todo"), lead=90),
    "doing": Case(TaskStatus.DOING, date(2026, 6, 30), None, TaskState(StateKind.LATER, 55, "doing"), lead=90),
    "done on time": Case(TaskStatus.DONE, date(2026, 3, 31), date(2026, 3, 30), TaskState(StateKind.DONE, 0, "done")),
    "done late": Case(TaskStatus.DONE, date(2026, 3, 27), date(2026, 4, 1), TaskState(StateKind.LATE, 3, "done")),
    "overdue": Case(TaskStatus.TODO, date(2026, 3, 27), None, TaskState(StateKind.OVERDUE, 3, "todo")),
    "due in N": Case(TaskStatus.DOING, date(2026, 5, 29), None, TaskState(StateKind.LATER, 35, "doing"), lead=58),
    "due soon": Case(TaskStatus.TODO, date(2026, 4, 8), None, TaskState(StateKind.SOON, 4, "todo")),
    "due today": Case(TaskStatus.DOING, TODAY, None, TaskState(StateKind.SOON, 0, "doing")),
    "carried": Case(TaskStatus.CARRIED, date(2026, 6, 30), None, TaskState(StateKind.CARRIED, 0, "carried")),
}
ORDER = 90  # the measure each case's task is the only step of


def make_task(seeded, case: Case, order: int = ORDER, step: str = STEP) -> Task:
    """A measure of the seed plan with one step, of the clerk's office, in the case's state."""
    measure = Measure(plan=seeded.plan, order=order, title=f"มาตรการทดสอบ {order}", period_start=date(2025, 10, 1),
                      period_end=date(2026, 9, 30), divisions=[seeded.clerk])
    done_at = (datetime.combine(case.done_on, time(10), tzinfo=clock.local_zone()).astimezone(UTC)
               if case.done_on else None)
    task = Task(measure=measure, step_number=1, step_text=step, division=seeded.clerk, due_date=case.due,
                status=case.status, done_at=done_at, reminder_days=[case.lead] if case.lead is not None else None)
    db.session.add_all([measure, task])
    db.session.commit()
    return task


CHIP = re.compile(r'<span class="chip (\w+)"[^>]*>([^<]*)</span>')
BADGE = re.compile(r'<span class="badge (\w+)">([^<]*)</span>')


def part_with(page: str, tag: str, text: str) -> str:
    """The innermost <tag>...</tag> of a page that holds `text`."""
    found = [m for m in re.finditer(rf"<{tag}[\s>](?:(?!<{tag}[\s>]).)*?</{tag}>", page, re.S) if text in m.group()]
    assert found, f"no <{tag}> with {text!r}"
    return found[0].group()


def chips(html: str) -> list[tuple[str, str]]:
    return [(kind, words.strip()) for kind, words in CHIP.findall(html)]


@pytest.mark.parametrize("name", CASES)
def test_one_task_reads_the_same_on_every_surface(app, client, linked, on_day, name):
    case = CASES[name]
    task = make_task(linked, case)
    state = task_state(task, TODAY, work_calendar(linked.org))
    assert state == case.state
    words, status_words, kind = state_text(state), state_status(state), state.kind.value
    chip = (kind, words)

    # The web: My tasks, the board (every status), the task page, the measure grid, the dashboard.
    login(client, "clerk-head")
    mine = client.get("/tasks").get_data(as_text=True)
    assert chips(part_with(mine, "li", STEP)) == [chip]
    board = client.get(f"/divisions/{linked.clerk.id}?status=").get_data(as_text=True)
    row = part_with(board, "tr", STEP)
    assert chips(row) == [chip] and BADGE.findall(row) == [(state.status, status_words)]
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert chip in chips(page) and (state.status, status_words) in BADGE.findall(page)
    grid = part_with(client.get(f"/measures/{task.measure_id}").get_data(as_text=True), "td", 'class="cell"')
    assert BADGE.findall(grid) == [(state.status, status_words)]
    assert chips(grid) == ([chip] if kind in ("overdue", "late") else [])  # the grid flags what went wrong only

    login(client, "mayor")
    board_page = client.get("/dashboard").get_data(as_text=True)
    listed = STEP in board_page
    assert listed is (kind in ("overdue", "soon"))  # the lists of overdue and due-soon tasks
    if listed:
        assert chips(part_with(board_page, "li", STEP)) == [chip]
    o = dashboard.build(linked.org.id, TODAY, work_calendar(linked.org)).overall
    assert ("เสร็จช้า 1 งาน" in board_page) is (kind == "late")  # the seed plan has nothing else done late
    assert (f"{STATUS[TaskStatus.CARRIED]} 1 งาน" in board_page) is (kind == "carried")
    assert f"งาน{DUE_SOON}" in board_page

    # LINE: the task's card (the chat's "งาน", the reply after a tick-off), and `สรุป` counting as the dashboard.
    card = replies.task_card(task)
    assert (card.state_kind, card.state_text) == chip
    bubble = flex.task_bubble(card, base_url=BASE_URL, postback=lambda action, task_id: "signed")
    assert bubble["header"]["contents"][0]["text"] == words
    summary = replies.summary_text(linked.users["mayor"])
    assert f"เสร็จแล้ว {o.done} จาก {o.total} งาน" in summary
    assert f"เกินกำหนด {o.overdue} งาน\n{DUE_SOON} {o.due_soon} งาน\n" in summary

    # A reminder of it today, where it has one: its text and its card say what the web says.
    digests = [d for d in outbox.plan_for(linked.org, TODAY).digests if d.person.name == "เจ้าหน้าที่สำนักปลัด"]
    text = render_digest(digests[0], BASE_URL) if digests else ""
    reminded = f"{BASE_URL}/tasks/{task.id}\n" in text + "\n"
    assert reminded is (kind in ("overdue", "soon", "later"))
    if reminded:
        assert re.search(rf"\d+\. (?:⚠ |⏰ )?{re.escape(words)}\n{STEP}\n", text), text
        assert "อีก " not in text  # calendar days no more: working days, as on the web
        carousel = digest_messages(digests[0], text, BASE_URL, linked.users["clerk-staff"].line_user_id, "s")[1]
        (bubble,) = [b for b in carousel["contents"]["contents"] if f"/tasks/{task.id}" in str(b["footer"])]
        assert bubble["header"]["contents"][0]["text"] == words

    # The public page: the step's status that day, marked by its state. The plan is 2569's, whose page's O26 shows
    # 2568's results: this plan's own progress is its #progress section (measures #p1, ...).
    public = client.get(f"/o/{linked.org.id}/2569").get_data(as_text=True)
    results = part_with(public, "article", f'id="p{ORDER}"')
    assert BADGE.findall(results) == [(state.status, status_words)]


def test_the_three_report_files_word_every_state_alike(app, linked, on_day):
    tasks = {name: make_task(linked, case, ORDER + i, f"{STEP} {i}") for i, (name, case) in enumerate(CASES.items())}
    report = build(linked.org, 2569, Round(TODAY, "ทดสอบ"), evidence_url=public_evidence_url, today=TODAY)
    calendar = work_calendar(linked.org)
    read = {"pdf": pdf_text, "docx": docx_text, "xlsx": xlsx_text}
    for fmt in documents.FORMATS:
        text = normal(read[fmt](documents.render(report, fmt)))
        for i, (name, task) in enumerate(tasks.items()):
            state = task_state(task, TODAY, calendar)
            expected = state_status(state)
            done_on = CASES[name].done_on
            if state.is_done and done_on:
                expected += f" {format_date(done_on)}"  # "เสร็จแล้ว 30 มี.ค. 2569"
            at = text.index(normal(f"1. {STEP} {i}"))
            assert normal(expected) in text[at:at + 200], (fmt, name, expected)


def test_the_database_counts_by_the_same_rule(app, linked, on_day):
    """The SQL twins of done and overdue agree with task_state on every state (the sweep's and `สรุป`'s counts)."""
    tasks = {name: make_task(linked, case, ORDER + i, f"{STEP} {i}") for i, (name, case) in enumerate(CASES.items())}
    calendar = work_calendar(linked.org)
    rows = db.session.execute(select(Task.id, progress.done_sql(Task.status),
                                     progress.overdue_sql(Task.status, Task.due_date, TODAY))).all()
    in_sql = {id_: (bool(done), bool(overdue)) for id_, done, overdue in rows}
    every = db.session.scalars(select(Task)).all()
    for task in every:
        state = task_state(task, TODAY, calendar)
        assert in_sql[task.id] == (state.is_done, state.kind is StateKind.OVERDUE), task.id
    assert {task_state(t, TODAY, calendar).kind for t in tasks.values()} == set(StateKind)
    # A query's row reads as the task does.
    for row in db.session.execute(select(Task.due_date, Task.status, Task.done_at, Task.id)):
        task = db.session.get(Task, row.id)
        assert task_state(row, TODAY, calendar) == task_state(task, TODAY, calendar)


def test_labels_name_every_group_of_states_and_line_colours_every_state():
    assert set(labels.STATE_GROUP) == set(StateKind) - {StateKind.LATE}  # listed with the done ones
    assert set(flex.STATE_KINDS) == {kind.value for kind in StateKind}
    assert DUE_SOON == f"ใกล้ครบกำหนด (ภายใน {progress.SOON_WORKING_DAYS} วันทำการ)"
