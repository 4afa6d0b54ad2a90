"""Rows for tests: the seed plan imported, a person per role, a second organization; and signing in with CSRF."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Division, Organization, Plan, Role, Source, Task, User
from tracker.plans import import_plan

PASSWORD = "correct-horse-42"
# Hashing is deliberately slow (scrypt, ~0.1 s); hash once and share it, as the users' passwords are the same.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


def make_user(org: Organization, username: str, role: Role, division: Division | None = None, **extra) -> User:
    user = User(organization=org, username=username, display_name=extra.pop("display_name", username), role=role,
                division=division, **extra)
    user.password_hash = _PASSWORD_HASH
    db.session.add(user)
    return user


@dataclass
class Seeded:
    org: Organization
    plan: Plan
    clerk: Division  # สำนักปลัดเทศบาล: 8 tasks
    finance: Division  # กองคลัง: 2 tasks
    users: dict[str, User]

    def tasks_of(self, division: Division) -> list[Task]:
        return db.session.scalars(select(Task).where(Task.division_id == division.id).order_by(Task.id)).all()


def seed_organization(seed_path) -> Seeded:
    """Import the seed report and add: admin, mayor, clerk-head, finance-head, clerk-staff, finance-staff."""
    result = import_plan(seed_path, create_divisions=True, source=Source.CLI)
    assert result.ok, result.problems
    plan = result.plan
    org = plan.organization
    clerk = db.session.scalar(select(Division).where(Division.name == "สำนักปลัดเทศบาล"))
    finance = db.session.scalar(select(Division).where(Division.name == "กองคลัง"))
    users = {
        "admin": make_user(org, "admin", Role.ADMIN),
        "mayor": make_user(org, "mayor", Role.EXECUTIVE, display_name="นายกเทศมนตรี"),
        "clerk-head": make_user(org, "clerk-head", Role.HEAD, clerk, display_name="หัวหน้าสำนักปลัด"),
        "finance-head": make_user(org, "finance-head", Role.HEAD, finance, display_name="ผอ.กองคลัง"),
        "clerk-staff": make_user(org, "clerk-staff", Role.STAFF, clerk, display_name="เจ้าหน้าที่สำนักปลัด"),
        "finance-staff": make_user(org, "finance-staff", Role.STAFF, finance, display_name="เจ้าหน้าที่กองคลัง"),
    }
    db.session.commit()
    return Seeded(org, plan, clerk, finance, users)


def other_organization() -> tuple[Organization, Division, User, Task]:
    """A second agency in the same deployment, with one division, a head and one task of its own."""
    from datetime import date

    from tracker.models import Measure, Plan
    from tracker.plans.build import ensure_fiscal_year

    org = Organization(name="เทศบาลตำบลอื่น")
    division = Division(organization=org, name="กองคลัง", aliases=[])
    head = make_user(org, "other-head", Role.HEAD, division)
    plan = Plan(organization=org, fiscal_year=ensure_fiscal_year(2569), source="other.csv", content_hash="x")
    measure = Measure(plan=plan, order=1, title="มาตรการของหน่วยงานอื่น", period_start=date(2025, 10, 1),
                      period_end=date(2026, 9, 30), divisions=[division])
    task = Task(measure=measure, step_number=1, step_text="งานของหน่วยงานอื่น", division=division,
                due_date=date(2026, 9, 30))
    db.session.add_all([org, division, plan, measure, task])
    db.session.commit()
    return org, division, head, task


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"|'
                    r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/login") -> str:
    """Read a CSRF token from a page, as a browser's form would carry it."""
    page = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return next(group for group in match.groups() if group)


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the real form, CSRF token included (signing out first whoever is signed in)."""
    if client.get("/login").status_code == 302:
        client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})
