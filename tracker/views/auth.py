"""Signing in (a password, or LINE) and out, one's own password and profile, and one's own reminders (a pause, quiet
weekdays, LINE or none)."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import Field

from .. import clock, labels
from ..access import Action, require
from ..auth import change_password, end_session, record_sign_in, sign_in, start_session
from ..errors import DomainError
from ..extensions import db
from ..forms import ActionForm, LoginForm, PasswordForm, PauseForm, QuietDaysForm, RemindersByLineForm
from ..line import login as line_login
from ..line.account import add_friend_url
from ..models import Source, User
from ..organization import DEFAULT_PUBLIC_URL
from ..reminders.settings import pause_bounds, pause_of, pause_reminders, set_quiet_days, set_reminders_by_line
from ..thai import format_date
from . import safe_next

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
# The session key of the one sign-in with LINE under way in this browser (tracker.line.login.Attempt).
LINE_ATTEMPT = "line_login"
F = TypeVar("F", bound=FlaskForm)


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    one_tap = _one_tap_from_line() if request.method == "GET" else None
    if one_tap is not None:
        # A link tapped in a LINE chat (a reminder's) opens LINE's own browser, where LINE Login signs the person in
        # without a password or a consent screen once they have agreed: one tap from the reminder to the task.
        return redirect(url_for("auth.line_start", next=safe_next(request.args.get("next")) or None,
                                org=one_tap.organization_id))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            # The connection's address, or the client's as PROXY_COUNT reverse proxies forwarded it (create_app).
            user = sign_in(form.username.data, form.password.data, _address())
        except DomainError as error:
            db.session.commit()  # the failed attempt must be counted
            flash(error.message, "error")
            status = error.status
        else:
            return _signed_in(user, Source.WEB, form.next.data)
    elif request.method == "POST":
        status = 400
    return _login_page(form, status, _organization_asked())


# LINE's in-app browser names itself in its User-Agent: "... Safari Line/14.3.0" (iOS), "... Line/14.3.0/IAB" (Android).
_LINE_BROWSER = re.compile(r"\bLine/\d")


def _one_tap_from_line() -> line_login.LoginChannel | None:
    """The LINE Login channel to send this sign-in page straight to, when it is opened inside LINE and the person did
    not ask for the password form (`?password=1`: the page's own link after a refusal, so it never sends them round
    again): the channel of the organization asked (`org`), or of the task `next` names (a reminder's link: its
    organization's own channel), else the deployment's; None when none is set up."""
    config = current_app.config
    if (not line_login.any_enabled(config) or request.args.get("password")
            or _LINE_BROWSER.search(request.user_agent.string or "") is None):
        return None
    organization_id = _organization_asked()
    if organization_id is None:
        organization_id = line_login.organization_of_next(safe_next(request.args.get("next")))
    return line_login.channel_for(config, organization_id)


def _organization_asked() -> int | None:
    """The organization a sign-in page or `/login/line` names (`?org=<organization id>`, the id of its public page
    /o/<id>), or None."""
    value = request.args.get("org", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _login_page(form: LoginForm, status: int = 200, organization_id: int | None = None) -> ResponseReturnValue:
    """The sign-in page; its LINE button signs in with the organization's own LINE Login channel when one is named
    and has one, else the deployment's; no button when neither is set up."""
    channel = line_login.channel_for(current_app.config, organization_id)
    inside_line = _LINE_BROWSER.search(request.user_agent.string or "") is not None
    return render_template("auth/login.html", form=form, line_login=channel is not None,
                           line_org=channel.organization_id if channel else None, inside_line=inside_line), status


def _signed_in(user: User, source: Source, next_page: str | None) -> ResponseReturnValue:
    """Start the session of a person who has just proved who they are (a password, LINE): on the trail, a
    server-side session, its cookie; then on to `next` or their own page."""
    record_sign_in(user, source=source)
    start_session(user, _address(), request.user_agent.string)
    db.session.commit()
    login_user(user)  # never remember=True: a sign-in lives as long as its server-side session only
    return redirect(safe_next(next_page) or url_for("tasks.home"))


def _line_callback_url() -> str:
    """Where LINE sends the browser back to: under PUBLIC_URL when it is set, else under the address this request
    came to (behind PROXY_COUNT proxies, the one they forwarded). A sign-in belongs to no organization yet, so no
    organization's recorded address (organization.public_url) applies. LINE accepts only the callback URLs
    registered on the channel."""
    configured = current_app.config["PUBLIC_URL"]
    if configured != DEFAULT_PUBLIC_URL:
        return configured + url_for("auth.line_callback")
    return url_for("auth.line_callback", _external=True)


@bp.get("/login/line")
def line_start():
    """Send the browser to LINE to sign in, keeping this attempt's state, nonce, code verifier and channel in its
    session: the channel of the organization asked (`org`), else the deployment's."""
    channel = line_login.channel_for(current_app.config, _organization_asked())
    if channel is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    attempt, authorize_url = line_login.begin(channel, _line_callback_url(), safe_next(request.args.get("next")))
    session[LINE_ATTEMPT] = attempt.to_dict()  # a new attempt replaces one left unfinished
    return redirect(authorize_url)


@bp.get("/login/line/callback")
def line_callback():
    """Where LINE sends the browser back: sign in the person whose linked LINE account the ID token proves, or say
    on the sign-in page why not (nothing signed in)."""
    if not line_login.any_enabled(current_app.config):
        abort(404)
    attempt = line_login.Attempt.from_dict(session.pop(LINE_ATTEMPT, None))  # used once, whatever comes of it
    try:
        # The calls to LINE, before the database is asked anything: no transaction waits on LINE.
        line_user_id = line_login.finish(attempt, request.args)
        # An organization's own channel proved an id of its provider: only a person of that organization.
        user = line_login.person_for(line_user_id, attempt.organization_id if attempt else None)
    except line_login.LineLoginRefused as error:
        db.session.rollback()
        log.warning("sign-in with LINE refused from %s: %s", _address(), error.reason)
        flash(error.message, "error")
        return _login_page(LoginForm(next=attempt.next if attempt else ""), error.status,
                           attempt.organization_id if attempt else None)
    return _signed_in(user, Source.LINE, attempt.next if attempt else None)


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user._get_current_object(), source=Source.WEB)  # every copy of the cookie stops working
    db.session.commit()
    logout_user()
    flash("ออกจากระบบแล้ว", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data, form.confirm.data, source=Source.WEB)
        except DomainError as error:
            flash(error.message, "error")
        else:
            # The new password ended every session of the person, this one too: this browser gets a new one.
            user = current_user._get_current_object()
            start_session(user, _address(), request.user_agent.string)
            db.session.commit()
            login_user(user)
            flash("เปลี่ยนรหัสผ่านแล้ว — อุปกรณ์อื่นที่เข้าสู่ระบบไว้จะต้องเข้าสู่ระบบใหม่", "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)


# --- one's own reminders, and the administrator's for a person (tracker.views.admin uses these too) ----------------


def _whose(person: User) -> str:
    """Whose reminders a notice speaks of: nobody named for one's own, the person's name for the administrator."""
    return "" if person.id == current_user.id else f"{person.display_name}: "


def reminders_context(person: User, pause_form: PauseForm | None = None,
                      quiet_form: QuietDaysForm | None = None) -> dict:
    """What a page that shows a person's reminders needs: the pause in force, the days a pause may last to, its form
    (what was typed, after a refusal; else the pause in force); the form of their quiet days (what was ticked, after
    a refusal; else the days kept) and how many they may keep."""
    today = clock.today()
    pause = pause_of(person, today)
    if pause_form is None:
        pause_form = PauseForm(formdata=None, paused_until=pause, pause_reason=person.pause_reason if pause else None)
    if quiet_form is None:
        quiet_form = QuietDaysForm(formdata=None, quiet_days=person.quiet_days or [])
    return {"pause": pause, "pause_form": pause_form, "pause_bounds": pause_bounds(person.organization, today),
            "longest_pause": person.organization.longest_pause_days, "quiet_form": quiet_form,
            "most_quiet": person.organization.most_quiet_days}


def _setting_from_form(person: User, form: F, field: Field, page: Callable[[F], ResponseReturnValue], back: str,
                       change: Callable[[], bool], said: Callable[[bool], str]) -> ResponseReturnValue:
    """Apply one of a person's reminder settings from the form sent (`change`, the domain's verb: whether anything
    changed): back to `back` saying so (`said(changed)`), or `page` again (400) with what was sent and why it was
    refused, under `field`."""
    require(current_user, Action.PERSON_REMINDERS, person)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)  # CSRFProtect answers first; kept for a form used without it
        flash("ข้อมูลไม่ครบหรือไม่ถูกต้อง โปรดดูข้อความใต้ช่องที่ต้องแก้", "error")
        return page(form)
    try:
        changed = change()
    except DomainError as error:
        db.session.rollback()
        field.errors.append(error.message)
        flash(error.message, "error")
        return page(form)
    if changed:
        db.session.commit()
    else:
        db.session.rollback()
    flash(f"{_whose(person)}{said(changed)}", "success" if changed else "info")
    return redirect(back)


def pause_from_form(person: User, page: Callable[[PauseForm], ResponseReturnValue], back: str) -> ResponseReturnValue:
    """Pause a person's reminders (or change the pause) from the form sent."""
    form = PauseForm()
    until = form.paused_until.data
    return _setting_from_form(
        person, form, form.paused_until, page, back,
        lambda: pause_reminders(person, current_user, until, form.pause_reason.data, source=Source.WEB),
        lambda changed: (f"{labels.PAUSED_UNTIL} {format_date(until, long=True)} แล้ว" if changed
                         else f"{labels.PAUSED_UNTIL} {format_date(until)} ไว้แล้ว — ไม่มีอะไรเปลี่ยนแปลง"))


def resume_from_form(person: User, back: str) -> ResponseReturnValue:
    """Resume a person's paused reminders now, and go back to `back` saying so."""
    require(current_user, Action.PERSON_REMINDERS, person)
    if not ActionForm().validate_on_submit():
        abort(400)
    if pause_reminders(person, current_user, None, None, source=Source.WEB):
        db.session.commit()
        flash(f"{_whose(person)}{labels.RESUME_REMINDERS}แล้ว", "success")
    else:
        db.session.rollback()
        flash(f"{_whose(person)}ไม่ได้พักการแจ้งเตือนอยู่ — ไม่มีอะไรเปลี่ยนแปลง", "info")
    return redirect(back)


def quiet_from_form(person: User, page: Callable[[QuietDaysForm], ResponseReturnValue],
                    back: str) -> ResponseReturnValue:
    """Keep the weekdays ticked free of a person's reminders (none ticked: none)."""
    form = QuietDaysForm()

    def said(changed: bool) -> str:
        days = labels.weekdays_text(person.quiet_days)
        return (f"บันทึก{labels.FIELD['quiet_days']}แล้ว: {days}" if changed
                else f"{labels.FIELD['quiet_days']}: {days} อยู่แล้ว — ไม่มีอะไรเปลี่ยนแปลง")

    return _setting_from_form(
        person, form, form.quiet_days, page, back,
        lambda: set_quiet_days(person, current_user, form.quiet_days.data or [], source=Source.WEB), said)


def _profile_page(pause_form: PauseForm | None = None, line_form: RemindersByLineForm | None = None,
                  status: int = 200, quiet_form: QuietDaysForm | None = None) -> ResponseReturnValue:
    person = current_user._get_current_object()
    basic_id = person.organization.line_basic_id
    line_form = line_form or RemindersByLineForm(formdata=None, by_line="line" if person.reminders_by_line else "none")
    return render_template("auth/profile.html", add_friend_url=add_friend_url(basic_id) if basic_id else None,
                           line_form=line_form, **reminders_context(person, pause_form, quiet_form)), status


@bp.get("/profile")
@login_required
def profile():
    return _profile_page()


@bp.post("/profile/reminders/pause")
@login_required
def pause():
    return pause_from_form(current_user._get_current_object(), lambda form: _profile_page(form, status=400),
                           url_for("auth.profile"))


@bp.post("/profile/reminders/resume")
@login_required
def resume():
    return resume_from_form(current_user._get_current_object(), url_for("auth.profile"))


@bp.post("/profile/reminders/quiet")
@login_required
def quiet_days():
    """Keep weekdays free of one's reminders."""
    return quiet_from_form(current_user._get_current_object(), lambda form: _profile_page(quiet_form=form, status=400),
                           url_for("auth.profile"))


@bp.post("/profile/reminders/line")
@login_required
def reminders_by_line():
    """Take one's reminders over LINE, or none at all."""
    person = current_user._get_current_object()
    require(current_user, Action.PERSON_REMINDERS, person)
    form = RemindersByLineForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash("เลือกช่องทางรับการแจ้งเตือนก่อน", "error")
        return _profile_page(line_form=form, status=400)
    by_line = form.chosen()
    if set_reminders_by_line(person, current_user, by_line, source=Source.WEB):
        db.session.commit()
        flash(f"บันทึกแล้ว: {labels.REMINDERS_BY_LINE[by_line]}", "success")
    else:
        db.session.rollback()
        flash(f"{labels.REMINDERS_BY_LINE[by_line]}อยู่แล้ว — ไม่มีอะไรเปลี่ยนแปลง", "info")
    return redirect(url_for("auth.profile"))
