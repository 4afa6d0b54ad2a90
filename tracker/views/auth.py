"""Signing in and out, one's own password and profile."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import change_password, end_session, record_sign_in, sign_in, start_session
from ..errors import DomainError
from ..extensions import db
from ..forms import LoginForm, PasswordForm
from ..line.account import add_friend_url
from ..models import Source
from . import safe_next

bp = Blueprint("auth", __name__)


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
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
            record_sign_in(user, source=Source.WEB)
            start_session(user, _address(), request.user_agent.string)
            db.session.commit()
            login_user(user)  # never remember=True: a sign-in lives as long as its server-side session only
            return redirect(safe_next(form.next.data) or url_for("tasks.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


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


@bp.get("/profile")
@login_required
def profile():
    basic_id = current_user.organization.line_basic_id
    return render_template("auth/profile.html", add_friend_url=add_friend_url(basic_id) if basic_id else None)
