"""What the bot answers in a chat: the help text, the person's tasks as a carousel, the progress summary.

Replies are free (they do not count against LINE's monthly quota); only reminders are pushed.
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import clock
from ..access import follows_division, my_tasks, scoped
from ..extensions import db
from ..labels import DUE_SOON, combined_note, label, percent_note, percent_text, state_text
from ..measures import counted_percent, with_task_counts
from ..models import Measure, Task, TaskStatus, User
from ..organization import public_url, work_calendar
from ..plans.current import current_plan_id
from ..progress import MeasurePercent, combined_percent, count_states, task_state
from ..workdays import WorkCalendar
from . import flex, postback

HELP = (
    "พิมพ์ “งาน” เพื่อดูงานของคุณที่ยังไม่เสร็จ\n"
    "พิมพ์ “สรุป” เพื่อดูความคืบหน้าของกอง (หัวหน้ากอง) หรือของหน่วยงาน (ผู้บริหาร)\n"
    "Type “tasks” or “summary”."
)
_TASK_WORDS = {"งาน", "งานของฉัน", "งานฉัน", "งานผม", "งานของผม", "งานของหนู", "task", "tasks", "mytasks"}
_SUMMARY_WORDS = {"สรุป", "สรุปงาน", "summary"}


def command_of(text: str) -> str:
    """Read a chat text as a command: tasks, summary, or help (spaces, case and ฉัน/ผม do not matter)."""
    key = re.sub(r"\s+", "", text or "").lower()
    if key in _TASK_WORDS:
        return "tasks"
    if key in _SUMMARY_WORDS:
        return "summary"
    return "help"


def secret() -> str:
    return current_app.config["SECRET_KEY"]


def task_card(task: Task, calendar: WorkCalendar | None = None) -> flex.TaskCard:
    """Describe a task for a LINE bubble, where it stands today in working days as the web says it (pass the
    calendar for many)."""
    calendar = calendar or work_calendar(task.organization_id)
    state = task_state(task, clock.today(), calendar)
    return flex.TaskCard(
        id=task.id, measure_order=task.measure.order, measure_title=task.measure.title,
        step_number=task.step_number, step_text=task.step_text, division_name=task.division.name,
        due=task.due_date, state_kind=state.kind.value, state_text=state_text(state),
        status_label=label(task.status), done=task.status is TaskStatus.DONE,
    )


def tasks_reply(user: User) -> list[dict]:
    """The person's open tasks as a carousel, overdue first, with a link to the rest past LINE's 12 bubbles."""
    open_tasks = [t for t in db.session.scalars(my_tasks(user).order_by(Task.due_date, Task.id))
                  if t.status.is_open]
    if not open_tasks:
        return [flex.text("ไม่มีงานค้าง 🎉")]
    calendar = work_calendar(user.organization_id)  # once, not once per task
    cards = [task_card(t, calendar) for t in open_tasks]  # by due date: the overdue ones come first
    line_user_id = user.line_user_id or ""
    address = public_url(user.organization)  # where the web pages are, as every message links to them
    message = flex.task_carousel(
        cards,
        base_url=address,
        postback=lambda action, task_id: postback.sign(action, task_id, line_user_id, secret()),
        alt_text=f"งานของคุณ {len(cards)} งาน (เกินกำหนด {sum(c.state_kind == 'overdue' for c in cards)})",
        more_url=f"{address}/tasks",
    )
    return [message]


MEASURE_TITLE_LENGTH = 40  # a measure named in a chat line: enough to tell it from the others
REASON_LENGTH = 60  # the reason of a percent a head set, in a chat line


def measure_line(order: int, title: str, percent: MeasurePercent) -> str:
    """A measure's line in a summary (LINE `สรุป`, the weekly digest): its number, title and percent as every surface
    shows it (a draft's: that it is a draft), marked when a head set it."""
    title = " ".join(title.split())
    if len(title) > MEASURE_TITLE_LENGTH:
        title = title[:MEASURE_TITLE_LENGTH - 1].rstrip() + "…"
    note = percent_note(percent, REASON_LENGTH)
    return f"{order}. {title} {percent_text(percent)}" + (f" ({note})" if note else "")


def summary_text(user: User) -> str:
    """Progress of the current plan, as the dashboard counts it: of a head's or staff member's division, or of the
    organization for executives and admins; then the percent of each measure (of the division's, for a division)."""
    today = clock.today()
    plan_id = current_plan_id(user.organization_id, today)
    query = scoped(Task, user.organization_id).join(Task.measure).where(Measure.plan_id == plan_id)
    measures = with_task_counts(scoped(Measure, user.organization_id).with_only_columns(Measure.order, Measure.title)
                                .where(Measure.plan_id == plan_id)).order_by(Measure.order)
    of_division = follows_division(user)
    if of_division:
        if user.division is None:
            return "คุณยังไม่ได้อยู่ในกองใด"
        query = query.where(Task.division_id == user.division_id)
        title = user.division.name
        theirs = aliased(Task)  # (the counts' own join reads every task of the measure)
        measures = measures.where(
            Measure.id.in_(select(theirs.measure_id).where(theirs.division_id == user.division_id)))
    else:
        title = user.organization.name
    calendar = work_calendar(user.organization_id)
    found = db.session.execute(query.with_only_columns(Task.due_date, Task.status, Task.done_at)).all()
    progress = count_states(task_state(row, today, calendar) for row in found)  # as the dashboard counts them
    # (each row's last columns are its percent's: measures.COUNTED_COLUMNS, read by counted_percent)
    lines = [(order, name, counted_percent(*counted)) for order, name, *counted in db.session.execute(measures)]
    text = f"สรุป{title}\n"
    if of_division:
        # A division's share of the tasks; a measure's percent is the whole measure's (its lines below).
        percent = f"{progress.pct_done:.0f}%" if progress.total else "-"
        text += f"เสร็จแล้ว {progress.done} จาก {progress.total} งาน ({percent})\n"
    else:
        overall = combined_percent(percent for _, _, percent in lines)  # the dashboard's and the report's overall
        note = combined_note(overall)
        text += (f"ความก้าวหน้าโดยรวม {overall.value}%" + (f" ({note})" if note else "")
                 + f"\nเสร็จแล้ว {progress.done} จาก {progress.total} งาน\n")
    text += f"เกินกำหนด {progress.overdue} งาน\n{DUE_SOON} {progress.due_soon} งาน\n"
    if lines:
        text += "ความก้าวหน้ารายมาตรการ:\n" + "".join(f"{measure_line(*line)}\n" for line in lines)
    return text + f"{public_url(user.organization)}/dashboard"
