"""The administrator's pages: people, divisions, the organization's settings and its own days off, and the OIT
items of each assessment year (every agency's: an agency's admin reads them, the deployment's administrator sets them).

Thin like the other views: get the row through an organization-scoped getter (404 for another agency's ids),
`require` the permission, validate the form, call `tracker.people`, `tracker.divisions` or `tracker.organization`,
then commit and say so; a refused change is rolled back and the page is shown again with the reason.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from .. import clock
from .. import divisions as division_rules
from .. import oit as oit_rules
from .. import organization as organization_rules
from .. import people as people_rules
from ..access import Action, can, get_day_off, get_division, get_user, require, scoped
from ..errors import DomainError
from ..extensions import db
from ..forms import (
    ActionForm,
    DayOffForm,
    DivisionForm,
    OitItemsForm,
    PasswordResetForm,
    PauseForm,
    QuietDaysForm,
    SettingsForm,
    UserCreateForm,
    UserEditForm,
)
from ..ita import AGENCY_TYPES, DEFAULT_AGENCY_TYPE, PLAN_YEAR_OFFSETS, default_plan_year_offset
from ..models import (
    DayOff,
    Division,
    FiscalYear,
    OitPurpose,
    Organization,
    Role,
    Source,
    Task,
    TaskStatus,
    User,
)
from ..plans.build import ensure_fiscal_year
from ..progress import done_sql
from ..thai import fiscal_year_of, format_date
from ..workdays import WorkCalendar
from .auth import pause_from_form, quiet_from_form, reminders_context, resume_from_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- helpers -------------------------------------------------------------------------------------------------------


def _admin_only() -> None:
    require(current_user, Action.MANAGE_USERS)


def _divisions() -> list[Division]:
    return list(db.session.scalars(scoped(Division, current_user.organization_id).order_by(Division.id)).all())


def _chosen_division(value: str | None) -> Division | None:
    return get_division(current_user, int(value)) if value else None


def _refused(error: DomainError) -> None:
    db.session.rollback()
    flash(error.message, "error")


def _invalid(form: FlaskForm) -> None:
    if "csrf_token" in form.errors:  # CSRFProtect checks first; kept for a form used without it
        abort(400)
    flash("ข้อมูลไม่ครบหรือไม่ถูกต้อง โปรดดูข้อความแจ้งใต้ช่องที่ต้องแก้", "error")


# --- people ----------------------------------------------------------------------------------------------------------


def _users_page(form: UserCreateForm, status: int = 200):
    people = db.session.scalars(
        scoped(User, current_user.organization_id).order_by(User.active.desc(), User.role, User.display_name)
    ).all()
    return render_template("admin/users.html", people=people, form=form), status


@bp.get("/users")
@login_required
def users():
    _admin_only()
    return _users_page(UserCreateForm(_divisions(), role=Role.STAFF.value))


@bp.post("/users")
@login_required
def create_user():
    _admin_only()
    form = UserCreateForm(_divisions())
    if not form.validate_on_submit():
        _invalid(form)
        return _users_page(form, 400)
    division = _chosen_division(form.division.data)
    try:
        user = people_rules.create_user(current_user.organization, current_user, form.username.data,
                                        form.display_name.data, form.role.data, division, form.password.data,
                                        form.confirm.data, source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return _users_page(form, 400)
    db.session.commit()
    flash(f"เพิ่มผู้ใช้ {user.display_name} ({user.username}) แล้ว — แจ้งรหัสผ่านให้เจ้าตัว"
          " และให้เปลี่ยนรหัสผ่านเมื่อเข้าสู่ระบบครั้งแรก", "success")
    return redirect(url_for("admin.users"))


def _user_page(person: User, form: UserEditForm | None = None, password_form: PasswordResetForm | None = None,
               status: int = 200, pause_form: PauseForm | None = None, quiet_form: QuietDaysForm | None = None):
    divisions = _divisions()
    if form is None:
        form = UserEditForm(divisions, display_name=person.display_name, role=person.role.value,
                            division=str(person.division_id or ""), active=person.active)
    assigned = db.session.scalar(
        scoped(Task, person.organization_id).with_only_columns(func.count())
        .where(Task.assignee_id == person.id, Task.status.in_([s for s in TaskStatus if s.is_open]))
    )
    return render_template("admin/user.html", person=person, form=form,
                           password_form=password_form or PasswordResetForm(), open_assigned=assigned,
                           **reminders_context(person, pause_form, quiet_form)), status


@bp.get("/users/<int:user_id>")
@login_required
def user(user_id: int):
    person = get_user(current_user, user_id)
    require(current_user, Action.MANAGE_USERS, person)
    return _user_page(person)


@bp.post("/users/<int:user_id>")
@login_required
def update_user(user_id: int):
    person = get_user(current_user, user_id)
    require(current_user, Action.MANAGE_USERS, person)
    form = UserEditForm(_divisions())
    if not form.validate_on_submit():
        _invalid(form)
        return _user_page(person, form=form, status=400)
    division = _chosen_division(form.division.data)
    try:
        changed = people_rules.update_user(person, current_user, form.display_name.data, form.role.data, division,
                                           form.active.data, source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return _user_page(person, form=form, status=400)
    db.session.commit()
    flash(f"บันทึกข้อมูลของ {person.display_name} แล้ว" if changed else "ไม่มีอะไรเปลี่ยนแปลง",
          "success" if changed else "info")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/password")
@login_required
def reset_password(user_id: int):
    person = get_user(current_user, user_id)
    require(current_user, Action.MANAGE_USERS, person)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        _invalid(form)
        return _user_page(person, password_form=form, status=400)
    try:
        people_rules.reset_password(person, current_user, form.new.data, form.confirm.data, source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return _user_page(person, password_form=form, status=400)
    db.session.commit()
    flash(f"ตั้งรหัสผ่านใหม่ให้ {person.display_name} แล้ว — แจ้งเจ้าตัวและให้เปลี่ยนรหัสผ่านเมื่อเข้าสู่ระบบ",
          "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/reminders/pause")
@login_required
def pause_reminders(user_id: int):
    """Pause a person's reminders for them (someone on leave who cannot): the same rule and function as their own."""
    person = get_user(current_user, user_id)
    require(current_user, Action.MANAGE_USERS, person)  # this page's; the pause asks its own rule too
    return pause_from_form(person, lambda form: _user_page(person, pause_form=form, status=400),
                           url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/reminders/resume")
@login_required
def resume_reminders(user_id: int):
    person = get_user(current_user, user_id)
    require(current_user, Action.MANAGE_USERS, person)
    return resume_from_form(person, url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/reminders/quiet")
@login_required
def quiet_days(user_id: int):
    """Keep weekdays free of a person's reminders for them: the same rule and function as their own."""
    person = get_user(current_user, user_id)
    require(current_user, Action.MANAGE_USERS, person)
    return quiet_from_form(person, lambda form: _user_page(person, quiet_form=form, status=400),
                           url_for("admin.user", user_id=person.id))


# --- divisions -------------------------------------------------------------------------------------------------------


def _divisions_page(form: DivisionForm, status: int = 200):
    divisions = _divisions()
    counts = {
        division_id: (total, done)
        for division_id, total, done in db.session.execute(
            scoped(Task, current_user.organization_id)
            .with_only_columns(Task.division_id, func.count(Task.id),
                               func.coalesce(func.sum(case((done_sql(Task.status), 1), else_=0)), 0))
            .group_by(Task.division_id)
        )
    }
    people = dict(
        db.session.execute(
            scoped(User, current_user.organization_id).with_only_columns(User.division_id, func.count(User.id))
            .where(User.active.is_(True))
            .group_by(User.division_id)
        ).all()
    )
    return render_template("admin/divisions.html", divisions=divisions, counts=counts, people=people, form=form,
                           catalogue=division_rules.CATALOGUE), status


@bp.get("/divisions")
@login_required
def divisions():
    require(current_user, Action.MANAGE_DIVISIONS)
    return _divisions_page(DivisionForm())


@bp.post("/divisions")
@login_required
def create_division():
    require(current_user, Action.MANAGE_DIVISIONS)
    form = DivisionForm()
    if not form.validate_on_submit():
        _invalid(form)
        return _divisions_page(form, 400)
    try:
        division = division_rules.create_division(current_user.organization, current_user, form.name.data,
                                                  form.short_name.data, form.name_en.data,
                                                  division_rules.clean_aliases(form.aliases.data), source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return _divisions_page(form, 400)
    db.session.commit()
    flash(f"เพิ่ม{division.name}แล้ว", "success")
    return redirect(url_for("admin.divisions"))


def _division_page(division: Division, form: DivisionForm | None = None, status: int = 200):
    if form is None:
        form = DivisionForm(name=division.name, short_name=division.short_name, name_en=division.name_en,
                            aliases="\n".join(division.aliases or []))
    members = db.session.scalars(
        scoped(User, division.organization_id).where(User.division_id == division.id)
        .order_by(User.active.desc(), User.display_name)
    ).all()
    return render_template("admin/division.html", division=division, form=form, members=members,
                           catalogue=division_rules.CATALOGUE), status


@bp.get("/divisions/<int:division_id>")
@login_required
def division(division_id: int):
    item = get_division(current_user, division_id)
    require(current_user, Action.MANAGE_DIVISIONS, item)
    return _division_page(item)


@bp.post("/divisions/<int:division_id>")
@login_required
def update_division(division_id: int):
    item = get_division(current_user, division_id)
    require(current_user, Action.MANAGE_DIVISIONS, item)
    form = DivisionForm()
    if not form.validate_on_submit():
        _invalid(form)
        return _division_page(item, form, 400)
    try:
        changed = division_rules.update_division(item, current_user, form.name.data, form.short_name.data,
                                                 form.name_en.data, division_rules.clean_aliases(form.aliases.data),
                                                 source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return _division_page(item, form, 400)
    db.session.commit()
    flash(f"บันทึก{item.name}แล้ว" if changed else "ไม่มีอะไรเปลี่ยนแปลง", "success" if changed else "info")
    return redirect(url_for("admin.division", division_id=item.id))


# --- settings and days off ---------------------------------------------------------------------------------------


def public_holidays(year: int) -> list[tuple[date, str]]:
    """Return the Thai public and government holidays of a calendar year, as the working-day calendar knows them."""
    calendar = WorkCalendar()  # no days off of the organization's own: only what is already a holiday everywhere
    day, found = date(year, 1, 1), []
    while day.year == year:
        name = calendar.holiday_name(day)
        if name:
            found.append((day, name))
        day += timedelta(days=1)
    return found


def _settings_page(form: SettingsForm | None = None, day_off_form: DayOffForm | None = None, status: int = 200):
    organization = current_user.organization
    if form is None:
        form = SettingsForm(name=organization.name, kind=organization.kind, district=organization.district,
                            province=organization.province, indicator_target=organization.indicator_target,
                            agency_type=organization.agency_type)
    year = clock.today().year
    years = (year, year + 1)
    # Every day off is listed, so every one can be removed: those of other years (past ones, or one typed with a
    # wrong year before dates were read in the Buddhist Era) under a heading of their own.
    own = db.session.scalars(scoped(DayOff, organization.id).order_by(DayOff.day)).all()
    return render_template(
        "admin/settings.html",
        organization=organization,
        form=form,
        day_off_form=day_off_form or DayOffForm(),
        days_off={y: [d for d in own if d.day.year == y] for y in years},
        other_days_off=[d for d in own if d.day.year not in years],
        holidays={y: public_holidays(y) for y in years},
        years=years,
    ), status


@bp.get("/settings")
@login_required
def settings():
    require(current_user, Action.MANAGE_SETTINGS)
    return _settings_page()


@bp.post("/settings")
@login_required
def update_settings():
    require(current_user, Action.MANAGE_SETTINGS)
    form = SettingsForm()
    if not form.validate_on_submit():
        _invalid(form)
        return _settings_page(form=form, status=400)
    try:
        changed = organization_rules.update_settings(
            current_user.organization, current_user, form.name.data, form.kind.data, form.district.data,
            form.province.data, float(form.indicator_target.data), source=Source.WEB,
            agency_type=form.agency_type.data or None,
        )
    except DomainError as error:
        _refused(error)
        return _settings_page(form=form, status=400)
    db.session.commit()
    flash("บันทึกการตั้งค่าแล้ว" if changed else "ไม่มีอะไรเปลี่ยนแปลง", "success" if changed else "info")
    return redirect(url_for("admin.settings"))


@bp.post("/days-off")
@login_required
def add_day_off():
    require(current_user, Action.MANAGE_SETTINGS)
    form = DayOffForm()
    if not form.validate_on_submit():
        _invalid(form)
        return _settings_page(day_off_form=form, status=400)
    try:
        day_off = organization_rules.add_day_off(current_user.organization, current_user, form.day.data,
                                                 form.name.data, source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return _settings_page(day_off_form=form, status=400)
    db.session.commit()
    flash(f"เพิ่มวันหยุด “{day_off.name}” วันที่ {format_date(day_off.day, long=True)} แล้ว", "success")
    return redirect(url_for("admin.settings"))


@bp.post("/days-off/<int:day_off_id>/remove")
@login_required
def remove_day_off(day_off_id: int):
    day_off = get_day_off(current_user, day_off_id)
    require(current_user, Action.MANAGE_SETTINGS, day_off)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    name = day_off.name
    try:
        organization_rules.remove_day_off(day_off, current_user, source=Source.WEB)
    except DomainError as error:
        _refused(error)
        return redirect(url_for("admin.settings"))
    db.session.commit()
    flash(f"ลบวันหยุด “{name}” แล้ว", "success")
    return redirect(url_for("admin.settings"))


# --- OIT items per assessment year -----------------------------------------------------------------------------------


def _oit_years() -> dict[int, FiscalYear | None]:
    """The fiscal years the page offers, newest first: every year in the database, and this one and the next even
    before a plan of theirs is imported (next year's numbering can be set ahead)."""
    rows = db.session.scalars(select(FiscalYear).options(selectinload(FiscalYear.oit_items))).all()
    years: dict[int, FiscalYear | None] = {row.year_be: row for row in rows}
    current = fiscal_year_of(clock.today())
    for year_be in (current, current + 1):
        years.setdefault(year_be, None)
    return dict(sorted(years.items(), reverse=True))


def _agency_types(years: dict[int, FiscalYear | None]) -> list[str]:
    """The agency types the page lists items of: local governments' first, then any type an agency of the deployment
    is or an item is kept for, in tracker.ita.AGENCY_TYPES' order."""
    used = set(db.session.scalars(select(Organization.agency_type).distinct()))
    used |= {item.agency_type for year in years.values() if year is not None for item in year.oit_items}
    used.add(DEFAULT_AGENCY_TYPE)
    return [kind for kind in AGENCY_TYPES if kind in used]


def _oit_prefix(year_be: int, agency_type: str) -> str:
    return f"y{year_be}" if agency_type == DEFAULT_AGENCY_TYPE else f"y{year_be}-{agency_type}"


def _oit_form(year_be: int, fiscal_year: FiscalYear | None, agency_type: str) -> OitItemsForm:
    values = {}
    for purpose in OitPurpose:
        item = oit_rules.oit_item(fiscal_year, purpose, agency_type) if fiscal_year is not None else None
        values[f"{purpose.value}_code"] = item.code if item else ""
        values[f"{purpose.value}_name"] = item.name if item else ""
        values[f"{purpose.value}_offset"] = str(
            item.plan_year_offset if item else default_plan_year_offset(year_be, purpose.value))
    return OitItemsForm(prefix=_oit_prefix(year_be, agency_type), **values)


def _oit_page(given: OitItemsForm | None = None, given_key: tuple[int, str] | None = None, status: int = 200):
    years = _oit_years()
    types = _agency_types(years)
    shown = {"years": years, "agency_types": types, "type_names": AGENCY_TYPES, "purposes": list(OitPurpose),
             "offsets": PLAN_YEAR_OFFSETS, "default_type": DEFAULT_AGENCY_TYPE}
    if not can(current_user, Action.MANAGE_OIT_ITEMS):  # an agency's admin reads them
        return render_template("admin/oit_items.html", forms=None, **shown), status
    forms = {(year_be, kind): given if (year_be, kind) == given_key and given is not None
             else _oit_form(year_be, fiscal_year, kind)
             for year_be, fiscal_year in years.items() for kind in types}
    return render_template("admin/oit_items.html", forms=forms, **shown), status


@bp.get("/oit-items")
@login_required
def oit_items():
    require(current_user, Action.VIEW_OIT_ITEMS)
    return _oit_page()


@bp.post("/oit-items/<int:year_be>")
@bp.post("/oit-items/<int:year_be>/<agency_type>")
@login_required
def update_oit_items(year_be: int, agency_type: str = DEFAULT_AGENCY_TYPE):
    require(current_user, Action.MANAGE_OIT_ITEMS)
    if year_be not in _oit_years() or agency_type not in AGENCY_TYPES:
        abort(404)
    form = OitItemsForm(prefix=_oit_prefix(year_be, agency_type))
    if not form.validate_on_submit():
        _invalid(form)
        return _oit_page(form, (year_be, agency_type), 400)
    fiscal_year = ensure_fiscal_year(year_be)
    changed = False
    for purpose in OitPurpose:
        code_field = getattr(form, f"{purpose.value}_code")
        try:
            changed |= oit_rules.set_oit_item(fiscal_year, current_user, purpose, code_field.data,
                                              getattr(form, f"{purpose.value}_name").data, source=Source.WEB,
                                              agency_type=agency_type, plan_year_offset=form.offset(purpose.value))
        except DomainError as error:
            _refused(error)
            code_field.errors.append(error.message)
            return _oit_page(form, (year_be, agency_type), 400)
    db.session.commit()
    kind = "" if agency_type == DEFAULT_AGENCY_TYPE else f" ({AGENCY_TYPES[agency_type]})"
    flash(f"บันทึกข้อ OIT ของปีงบประมาณ {year_be}{kind} แล้ว" if changed else "ไม่มีอะไรเปลี่ยนแปลง",
          "success" if changed else "info")
    return redirect(url_for("admin.oit_items"))
