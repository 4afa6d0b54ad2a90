"""My tasks, the task page, and what people do to a task from the web."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from .. import clock, evidence, labels, tasks
from ..access import (
    Action,
    can,
    get_evidence,
    get_task,
    get_user,
    my_tasks,
    require,
    scoped,
)
from ..audit import history_of
from ..errors import DomainError
from ..extensions import db
from ..forms import (
    ActionForm,
    AnswerForm,
    AssignForm,
    CannotDoForm,
    CommentForm,
    ProgressForm,
    PublishForm,
    ReopenForm,
    RescheduleForm,
    ReviewForm,
    SnoozeForm,
    TaskRemindersForm,
    answer_prefix,
)
from ..history import Names
from ..models import EvidenceReview, Measure, Source, Task, TaskStatus, User
from ..progress import StateKind
from ..reminders.settings import parse_lead_times, set_task_reminder_days
from ..thai import format_date
from . import calendar, requested_year, safe_next, send_evidence_file, task_state
from .pagecache import cached_page

bp = Blueprint("tasks", __name__)


@bp.get("/")
@login_required
def home():
    """Send each person to the page they work from: their tasks, or the dashboard."""
    if can(current_user, Action.VIEW_MY_TASKS):
        return redirect(url_for("tasks.mine"))
    return redirect(url_for("dashboard.index"))


@bp.get("/tasks")
@login_required
def mine():
    if not can(current_user, Action.VIEW_MY_TASKS):
        return redirect(url_for("dashboard.index"))

    def compute() -> dict:
        choice = requested_year()
        groups: dict[str, list[Task]] = {"overdue": [], "soon": [], "later": [], "done": [], "carried": []}
        query = (my_tasks(current_user).join(Task.measure).where(Measure.plan_id == choice.plan_id)
                 .options(selectinload(Task.acknowledged_by), selectinload(Task.blocked_by)))  # the rows' badges
        found = list(db.session.scalars(query.order_by(Task.due_date, Task.id)))
        for task in found:
            kind = task_state(task).kind  # done late is listed with the done ones, its chip says how late
            groups[StateKind.DONE if kind is StateKind.LATE else kind].append(task)
        groups["done"].sort(key=lambda t: t.done_at or t.due_date, reverse=True)
        # Tasks whose evidence a head sent back: one query for the whole list. A head: how much evidence waits.
        waiting = evidence.count_waiting(current_user) if can(current_user, Action.REVIEW_EVIDENCE) else 0
        return {"groups": groups, "choice": choice, "needs_work": evidence.tasks_needing_work(t.id for t in found),
                "waiting_review": waiting}

    return cached_page("tasks/mine.html", compute=compute)


def _division_people(task: Task) -> list[User]:
    return list(db.session.scalars(
        scoped(User, task.organization_id).where(User.division_id == task.division_id, User.active.is_(True))
        .order_by(User.display_name)
    ).all())


def _forms(task: Task, **given: FlaskForm) -> dict[str, FlaskForm]:
    """The task page's forms: the ones given hold what a person typed (a refused change shows it again), the others
    the task as it is."""
    forms: dict[str, FlaskForm] = {
        # The current status: saving a note must never move the task on by itself (closing is its own button).
        "progress": ProgressForm(status=task.status.value if task.status is not TaskStatus.DONE else None),
        "reopen": ReopenForm(),
        "comment": CommentForm(),
        "reschedule": RescheduleForm(due_date=task.due_date),
        "assign": AssignForm(_division_people(task), assignee=str(task.assignee_id or "")),
        "reminders": TaskRemindersForm(
            lead_times=", ".join(str(d) for d in task.reminder_days) if task.reminder_days is not None else ""
        ),
        "undo": ActionForm(),
        # The answers a reminder offers (LINE's buttons): on it, remind me later, cannot do it; the head's answer.
        "acknowledge": ActionForm(),
        "snooze": SnoozeForm(snooze_until=_snoozed(task)),
        "cannot_do": CannotDoForm(),
    }
    if task.blocked_reason is not None and can(current_user, Action.ASSIGN, task):
        forms["answer"] = AnswerForm(prefix=answer_prefix(task.id))
    for item in task.evidence:  # a head's check of each piece, under it
        if can(current_user, Action.REVIEW_EVIDENCE, item):
            forms[_review_key(item.id)] = ReviewForm(prefix=_review_key(item.id))
    forms.update(given)
    return forms


def _review_key(evidence_id: int) -> str:
    return f"review-{evidence_id}"


def _snoozed(task: Task) -> date | None:
    """The day the task's reminders are put off to, while they still are (they come again on that day)."""
    return task.snoozed_until if task.snoozed_until is not None and clock.today() < task.snoozed_until else None


def _answers(task: Task) -> dict:
    """What the task page says of the answers to a reminder and the days a snooze may pick: for an open task."""
    if not task.status.is_open:
        return {"snoozed": None, "snooze_bounds": None}
    return {"snoozed": _snoozed(task), "snooze_bounds": tasks.snooze_bounds(task, clock.today(), calendar()),
            "snooze_overdue_days": tasks.SNOOZE_OVERDUE_WORKING_DAYS}


def _context(task: Task, **given: FlaskForm) -> dict:
    people = {u.id: u for u in db.session.scalars(scoped(User, task.organization_id))}
    names = Names(people, {task.division.id: task.division})
    history = [(event, names.changes(event.before, event.after)) for event in history_of(task)]
    # Evidence sent back and not yet answered with newer evidence: said at the top of the page, with the reasons.
    sent_back = [item for item in task.evidence
                 if item.review is EvidenceReview.NEEDS_WORK and not evidence.answered(item)]
    return {"task": task, "forms": _forms(task, **given), "history": history, "sent_back": sent_back,
            "undo_until": tasks.undo_deadline(task, current_user), "answer_next": _next(), **_answers(task)}


def _page(task: Task, status: int = 200, **given: FlaskForm):
    """The task page with what a person typed in a refused form: rendered for this request only."""
    return render_template("tasks/show.html", **_context(task, **given)), status


@bp.get("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    task = get_task(current_user, task_id)
    require(current_user, Action.VIEW_TASK, task)
    # A task closed a moment ago offers its undo until a minute passes: that page is not kept.
    keep = tasks.undo_deadline(task, current_user) is None
    return cached_page("tasks/show.html", compute=lambda: _context(task), keep=keep)


def _back(task: Task):
    return redirect(url_for("tasks.show", task_id=task.id))


def _commit_or_flash(task: Task, message: str, cleanup=None, to: str | None = None):
    """Commit the request's one transaction and say so; on a refused change, undo everything and say why."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if cleanup:
            cleanup()
        raise
    flash(message, "success")
    return redirect(to) if to else _back(task)


def _refused(task: Task, message: str, cleanup=None, **typed: FlaskForm):
    """Undo the whole change and show the page again with what the person typed and why it was refused."""
    db.session.rollback()
    if cleanup:
        cleanup()
    flash(message, "error")
    return _page(task, 400, **typed)


def _invalid(form: FlaskForm) -> str:
    if "csrf_token" in form.errors:
        abort(400)  # CSRFProtect answers first; kept for a form used without it
    return "ข้อมูลไม่ครบหรือไม่ถูกต้อง โปรดดูข้อความใต้ช่องที่ต้องแก้"


@bp.post("/tasks/<int:task_id>/progress")
@login_required
def progress(task_id: int):
    """Report progress, with a note and evidence, as one change: all of it is saved, or none. The "close" button
    marks the task done as well; the select only moves it between not started and in progress."""
    task = get_task(current_user, task_id)
    require(current_user, Action.PROGRESS, task)
    form = ProgressForm()
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), progress=form)
    stored = None

    def cleanup() -> None:
        if stored is not None:  # the file must go if its row does not stay
            evidence.discard(stored)

    closing = bool(form.close.data)
    try:
        upload = form.file.data
        if upload and upload.filename:
            stored = evidence.store(upload, current_user.organization_id)
        if form.url.data or stored:
            tasks.add_evidence(task, current_user, source=Source.WEB, url=form.url.data, stored=stored)
        if closing:
            tasks.tick_off(task, current_user, source=Source.WEB, note=form.note.data)
        else:
            status = form.open_status()
            if status is None:
                raise DomainError("เลือกสถานะ: ยังไม่เริ่ม หรือ กำลังทำ (choose a status)")
            tasks.change_status(task, current_user, status, source=Source.WEB, note=form.note.data)
    except DomainError as error:
        message = error.message
        if stored is not None or (form.file.data and form.file.data.filename):
            message += " — เลือกไฟล์ใหม่อีกครั้ง (a file has to be chosen again)"
        return _refused(task, message, cleanup, progress=form)
    if closing:
        message = f"ปิดงานแล้ว — ยกเลิกได้ภายใน {tasks.UNDO_WINDOW.seconds // 60} นาทีถ้ากดผิด"
    else:
        message = "บันทึกความคืบหน้าแล้ว"
    return _commit_or_flash(task, message, cleanup)


@bp.post("/tasks/<int:task_id>/undo")
@login_required
def undo(task_id: int):
    """Take back closing a task, by the person who closed it, within a short time."""
    task = get_task(current_user, task_id)
    require(current_user, Action.PROGRESS, task)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        tasks.undo_tick_off(task, current_user, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message)
    return _commit_or_flash(task, f"ยกเลิกการปิดงานแล้ว — งานกลับเป็น “{labels.label(task.status)}”")


@bp.post("/tasks/<int:task_id>/reopen")
@login_required
def reopen(task_id: int):
    task = get_task(current_user, task_id)
    require(current_user, Action.REOPEN, task)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _refused(task, "ต้องระบุเหตุผลที่เปิดงานใหม่", reopen=form)
    try:
        tasks.reopen(task, current_user, form.reason.data, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message, reopen=form)
    return _commit_or_flash(task, "เปิดงานใหม่แล้ว")


@bp.post("/tasks/<int:task_id>/assign")
@login_required
def assign(task_id: int):
    task = get_task(current_user, task_id)
    require(current_user, Action.ASSIGN, task)
    form = AssignForm(_division_people(task))
    if not form.validate_on_submit():
        abort(400)
    assignee = get_user(current_user, int(form.assignee.data)) if form.assignee.data else None
    try:
        tasks.assign(task, current_user, assignee, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message, assign=form)
    return _commit_or_flash(task, f"มอบหมายให้ {assignee.display_name if assignee else 'ทั้งกอง'} แล้ว")


@bp.post("/tasks/<int:task_id>/due")
@login_required
def reschedule(task_id: int):
    task = get_task(current_user, task_id)
    require(current_user, Action.RESCHEDULE, task)
    form = RescheduleForm()
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), reschedule=form)
    try:
        tasks.reschedule(task, current_user, form.due_date.data, source=Source.WEB, reason=form.reason.data)
    except DomainError as error:
        return _refused(task, error.message, reschedule=form)
    return _commit_or_flash(task, "เปลี่ยนวันครบกำหนดแล้ว")


@bp.post("/tasks/<int:task_id>/reminders")
@login_required
def set_reminders(task_id: int):
    task = get_task(current_user, task_id)
    require(current_user, Action.RESCHEDULE, task)
    form = TaskRemindersForm()
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), reminders=form)
    try:
        text = (form.lead_times.data or "").strip()
        set_task_reminder_days(task, current_user, parse_lead_times(text) if text else None, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message, reminders=form)
    return _commit_or_flash(task, "บันทึกการแจ้งเตือนของงานนี้แล้ว")


@bp.post("/tasks/<int:task_id>/comments")
@login_required
def add_comment(task_id: int):
    task = get_task(current_user, task_id)
    require(current_user, Action.COMMENT, task)
    form = CommentForm()
    if not form.validate_on_submit():
        return _refused(task, "ต้องมีข้อความ", comment=form)
    try:
        tasks.comment(task, current_user, form.text.data, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message, comment=form)
    return _commit_or_flash(task, "บันทึกความเห็นแล้ว")


@bp.post("/evidence/<int:evidence_id>/review")
@login_required
def review_evidence(evidence_id: int):
    """A head accepts a piece of evidence, or sends it back with the reason (shown under the reason's box when
    missing)."""
    item = get_evidence(current_user, evidence_id)
    require(current_user, Action.REVIEW_EVIDENCE, item)
    task = item.task
    key = _review_key(item.id)
    form = ReviewForm(prefix=key)
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), **{key: form})
    if not (form.accept.data or form.needs_work.data):
        abort(400)  # one of the two buttons sends the form
    accepted = bool(form.accept.data)
    try:
        changed = evidence.review(item, current_user, accepted, form.reason.data, source=Source.WEB)
    except DomainError as error:
        form.reason.errors.append(error.message)
        return _refused(task, error.message, **{key: form})
    if not changed:
        message = "ไม่มีอะไรเปลี่ยนแปลง"
    elif accepted:
        message = f"ตรวจแล้ว: {evidence.describe(item)} ผ่าน"
    else:
        message = f"ส่งกลับให้แก้ไขแล้ว: {evidence.describe(item)} — ผู้แนบเห็นเหตุผลในหน้างานนี้"
    return _commit_or_flash(task, message)


@bp.post("/evidence/<int:evidence_id>/publish")
@login_required
def publish_evidence(evidence_id: int):
    """A head shows a piece of accepted evidence on the public pages, or takes it off."""
    item = get_evidence(current_user, evidence_id)
    require(current_user, Action.REVIEW_EVIDENCE, item)
    task = item.task
    form = PublishForm()
    if not form.validate_on_submit() or form.public.data not in ("0", "1"):
        abort(400)
    public = form.public.data == "1"
    try:
        evidence.publish(item, current_user, public, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message)
    return _commit_or_flash(task, f"{'เผยแพร่' if public else 'เลิกเผยแพร่'}หลักฐานแล้ว: {evidence.describe(item)}")


@bp.get("/evidence/<int:evidence_id>")
@bp.get("/evidence/<int:evidence_id>/files/<int:file_id>")
@login_required
def evidence_file(evidence_id: int, file_id: int | None = None):
    """One file of a piece of evidence, by its own id (without one, the piece's first: older links), for whoever
    sees the task; another organization's piece, or another piece's file, is not found."""
    item = get_evidence(current_user, evidence_id)
    require(current_user, Action.VIEW_TASK, item.task)
    return send_evidence_file(item, file_id)



# --- the answers a reminder offers, from the task page (and the head's answer, from the board too) ---------------


def _next() -> str | None:
    """Where a form posted from another page returns to (`?next=`, the board's answer form)."""
    return safe_next(request.args.get("next"))


def _unchanged(task: Task, message: str, to: str | None = None):
    """A form sent again (twice, or from a second device): nothing to change, and it says so."""
    db.session.rollback()
    flash(message, "info")
    return redirect(to) if to else _back(task)


@bp.post("/tasks/<int:task_id>/acknowledge")
@login_required
def acknowledge(task_id: int):
    """รับทราบ/กำลังทำ: the person is on it (a task not started becomes in progress)."""
    task = get_task(current_user, task_id)
    require(current_user, Action.PROGRESS, task)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        changed = tasks.acknowledge(task, current_user, source=Source.WEB)
    except DomainError as error:
        return _refused(task, error.message)
    if not changed:
        return _unchanged(task, f"คุณ{labels.ACKNOWLEDGED}ไว้ก่อนแล้ว — ไม่มีอะไรเปลี่ยนแปลง")
    return _commit_or_flash(task, f"บันทึกว่า{labels.ACKNOWLEDGED} — สถานะตอนนี้ “{labels.label(task.status)}”")


@bp.post("/tasks/<int:task_id>/snooze")
@login_required
def snooze(task_id: int):
    """เลื่อนการเตือน: no reminder before the day chosen, within the days `tasks.snooze_bounds` allows; the due date
    stays."""
    task = get_task(current_user, task_id)
    require(current_user, Action.PROGRESS, task)
    form = SnoozeForm()
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), snooze=form)
    until = form.snooze_until.data
    try:
        changed = tasks.snooze(task, current_user, until, calendar(), source=Source.WEB)
    except DomainError as error:
        form.snooze_until.errors.append(error.message)
        return _refused(task, error.message, snooze=form)
    if not changed:
        return _unchanged(task, f"{labels.SNOOZED_UNTIL} {format_date(until)} ไว้แล้ว — ไม่มีอะไรเปลี่ยนแปลง")
    return _commit_or_flash(task, f"{labels.SNOOZED_UNTIL} {format_date(until)} — วันครบกำหนดยังเป็น "
                                  f"{format_date(task.due_date)}")


@bp.post("/tasks/<int:task_id>/cannot-do")
@login_required
def cannot_do(task_id: int):
    """ทำไม่ได้, with the reason: flagged for the head until they reassign, reschedule or answer."""
    task = get_task(current_user, task_id)
    require(current_user, Action.PROGRESS, task)
    form = CannotDoForm()
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), cannot_do=form)
    try:
        changed = tasks.cannot_do(task, current_user, form.blocked_reason.data or "", source=Source.WEB)
    except DomainError as error:
        form.blocked_reason.errors.append(error.message)
        return _refused(task, error.message, cannot_do=form)
    if not changed:
        return _unchanged(task, f"แจ้งว่า{labels.CANNOT_DO}ด้วยเหตุผลนี้ไว้แล้ว — ไม่มีอะไรเปลี่ยนแปลง")
    return _commit_or_flash(task, f"แจ้งว่า{labels.CANNOT_DO}แล้ว — หัวหน้ากองเห็นเหตุผลในหน้างานของกอง"
                                  "และในสรุปถัดไป")


@bp.post("/tasks/<int:task_id>/cannot-do/answer")
@login_required
def answer_cannot_do(task_id: int):
    """The head's answer to a "cannot do", from the task page or the board's row (`?next=` the board): it clears
    the flag, and the answer is a note on the task."""
    task = get_task(current_user, task_id)
    require(current_user, Action.ASSIGN, task)
    back = _next()
    if task.blocked_reason is None:  # answered already (twice, or by someone else), reassigned or rescheduled
        return _unchanged(task, f"งานนี้ไม่มีเรื่อง{labels.CANNOT_DO}ที่รอคำตอบแล้ว — ตอบ มอบหมายใหม่ "
                                "หรือเปลี่ยนวันครบกำหนดไปแล้ว", back)
    form = AnswerForm(prefix=answer_prefix(task.id))
    if not form.validate_on_submit():
        return _refused(task, _invalid(form), answer=form)
    try:
        tasks.answer_cannot_do(task, current_user, form.answer.data, source=Source.WEB)
    except DomainError as error:
        form.answer.errors.append(error.message)
        return _refused(task, error.message, answer=form)
    return _commit_or_flash(task, f"{labels.ANSWER_CANNOT_DO}แล้ว — คำตอบอยู่ในบันทึกของงาน ผู้แจ้งเห็นในหน้างาน",
                            to=back)
