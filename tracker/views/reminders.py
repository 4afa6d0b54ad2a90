"""Reminders for the administrator: LINE's quota against the month's forecast, the policy, the escalation of work
that waits (and the longest pause and the most quiet days a person may take), who cannot be reached, and what the
outbox did."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from .. import clock
from ..access import Action, require, scoped
from ..errors import DomainError
from ..extensions import db
from ..forms import EscalationForm, LineAccountForm, PolicyForm
from ..line import account as line_account
from ..line.channel import channel_for
from ..models import Notification, NotificationStatus, Source
from ..reminders import forecast, outbox
from ..reminders.settings import update_escalation, update_reminder_policy

bp = Blueprint("reminders", __name__, url_prefix="/admin/reminders")


def _page(form: PolicyForm | None = None, status: int = 200, account_form: LineAccountForm | None = None,
          escalation_form: EscalationForm | None = None):
    organization = current_user.organization
    today = clock.today()
    channel = channel_for(organization.id)
    view = forecast.outlook(organization, channel, today)
    plan = outbox.plan_for(organization, today)
    counts = dict(db.session.execute(
        scoped(Notification, organization.id).with_only_columns(Notification.status, func.count())
        .group_by(Notification.status)
    ).all())
    failures = db.session.scalars(
        scoped(Notification, organization.id).where(Notification.status == NotificationStatus.FAILED)
        .options(selectinload(Notification.recipient)).order_by(Notification.id.desc()).limit(20)
    ).all()
    form = form or PolicyForm(lead_times=", ".join(str(d) for d in organization.reminder_days or []),
                              overdue_every=organization.overdue_every)
    account_form = account_form or LineAccountForm(basic_id=organization.line_basic_id or "",
                                                   bot_user_id=organization.line_bot_user_id or "")
    escalation_form = escalation_form or EscalationForm(obj=organization)
    return render_template("admin/reminders.html", account_form=account_form, escalation_form=escalation_form,
                           outlook=view, channel=channel, plan=plan,
                           counts=counts, failures=failures, form=form, day=today, status_sent=NotificationStatus.SENT,
                           status_pending=NotificationStatus.PENDING, status_failed=NotificationStatus.FAILED), status


@bp.get("")
@login_required
def index():
    require(current_user, Action.MANAGE_SETTINGS)
    return _page()


@bp.post("")
@login_required
def update_policy():
    require(current_user, Action.MANAGE_SETTINGS)
    form = PolicyForm()
    if not form.validate_on_submit():
        flash("ตรวจสอบค่าที่กรอก", "error")
        return _page(form, 400)
    try:
        changed = update_reminder_policy(current_user.organization, current_user, form.lead_times.data,
                                         form.overdue_every.data, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(form, 400)
    db.session.commit()
    flash("บันทึกนโยบายการแจ้งเตือนแล้ว" if changed else "ไม่มีอะไรเปลี่ยน", "success")
    return redirect(url_for("reminders.index"))


@bp.post("/escalation")
@login_required
def update_escalation_settings():
    require(current_user, Action.MANAGE_SETTINGS)
    form = EscalationForm()
    if not form.validate_on_submit():
        flash("ตรวจสอบค่าที่กรอก", "error")
        return _page(status=400, escalation_form=form)
    try:
        changed = update_escalation(current_user.organization, current_user, head_after=form.escalate_head_after.data,
                                    executive_after=form.escalate_executive_after.data,
                                    idle_after=form.idle_nudge_after.data,
                                    longest_pause=form.longest_pause_days.data,
                                    most_quiet=form.most_quiet_days.data, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(status=400, escalation_form=form)
    db.session.commit()
    flash("บันทึกการตั้งค่าเมื่องานค้างแล้ว" if changed else "ไม่มีอะไรเปลี่ยน", "success")
    return redirect(url_for("reminders.index"))


@bp.post("/line-account")
@login_required
def update_line_account():
    require(current_user, Action.MANAGE_SETTINGS)
    form = LineAccountForm()
    if not form.validate_on_submit():
        return _page(status=400, account_form=form)
    try:
        changed = line_account.update_line_account(current_user.organization, current_user, form.basic_id.data,
                                                   form.bot_user_id.data, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(status=400, account_form=form)
    db.session.commit()
    flash("บันทึกบัญชี LINE แล้ว" if changed else "ไม่มีอะไรเปลี่ยน", "success")
    return redirect(url_for("reminders.index"))
