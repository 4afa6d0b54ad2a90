"""My tasks, the task page, and what people do to a task from the web."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import evidence, labels, tasks
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
    AssignForm,
    CommentForm,
    ProgressForm,
    PublishForm,
    ReopenForm,
    RescheduleForm,
    ReviewForm,
    TaskRemindersForm,
)
from ..history import Names
from ..models import EvidenceReview, Measure, Source, Task, TaskStatus, User
from ..progress import StateKind
from ..reminders.settings import parse_lead_times, set_task_reminder_days
from . import requested_year, send_evidence_file, task_state
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
        query = my_tasks(current_user).join(Task.measure).where(Measure.plan_id == choice.plan_id)
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
    }
    for item in task.evidence:  # a head's check of each piece, under it
        if can(current_user, Action.REVIEW_EVIDENCE, item):
            forms[_review_key(item.id)] = ReviewForm(prefix=_review_key(item.id))
    forms.update(given)
    return forms


def _review_key(evidence_id: int) -> str:
    return f"review-{evidence_id}"


def _context(task: Task, **given: FlaskForm) -> dict:
    people = {u.id: u for u in db.session.scalars(scoped(User, task.organization_id))}
    names = Names(people, {task.division.id: task.division})
    history = [(event, names.changes(event.before, event.after)) for event in history_of(task)]
    # Evidence sent back and not yet answered with newer evidence: said at the top of the page, with the reasons.
    sent_back = [item for item in task.evidence
                 if item.review is EvidenceReview.NEEDS_WORK and not evidence.answered(item)]
    return {"task": task, "forms": _forms(task, **given), "history": history, "sent_back": sent_back,
            "undo_until": tasks.undo_deadline(task, current_user)}


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


def _commit_or_flash(task: Task, message: str, cleanup=None):
    """Commit the request's one transaction and say so; on a refused change, undo everything and say why."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if cleanup:
            cleanup()
        raise
    flash(message, "success")
    return _back(task)


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
@login_required
def evidence_file(evidence_id: int):
    item = get_evidence(current_user, evidence_id)
    require(current_user, Action.VIEW_TASK, item.task)
    return send_evidence_file(item)

