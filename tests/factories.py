"""Rows for tests: the seed plan imported, a person per role, a second organization; signing in and posting forms
with CSRF; and the small look-ups and files that tests in more than one module need."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Assessment, AuditEvent, Division, Measure, Organization, Plan, Role, Source, Task, User
from tracker.plans import import_plan

PASSWORD = "correct-horse-42"
# The test people's hash is a cheap one (one round of PBKDF2), which werkzeug's check_password_hash reads as it reads
# the app's scrypt: every sign-in of a test verifies it, and scrypt (~0.1 s idle, deliberately slow) made hundreds of
# sign-ins the suite's largest cost. Only rows written here get it; the app's own hashing (User.set_password, the
# admin's new users, a password change, the demo) stays scrypt, which tests/test_fixtures.py checks.
TEST_HASH_METHOD = "pbkdf2:sha256:1"
_PASSWORD_HASH = generate_password_hash(PASSWORD, method=TEST_HASH_METHOD)


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


CLERK = "สำนักปลัดเทศบาล"
FINANCE = "กองคลัง"
# The people of the seeded organization, in this order: username, role, division (clerk/finance), display name.
SEED_PEOPLE = [
    ("admin", Role.ADMIN, None, None),
    ("mayor", Role.EXECUTIVE, None, "นายกเทศมนตรี"),
    ("clerk-head", Role.HEAD, CLERK, "หัวหน้าสำนักปลัด"),
    ("finance-head", Role.HEAD, FINANCE, "ผอ.กองคลัง"),
    ("clerk-staff", Role.STAFF, CLERK, "เจ้าหน้าที่สำนักปลัด"),
    ("finance-staff", Role.STAFF, FINANCE, "เจ้าหน้าที่กองคลัง"),
]


def seed_organization(seed_path) -> Seeded:
    """Import the seed report and add: admin, mayor, clerk-head, finance-head, clerk-staff, finance-staff."""
    result = import_plan(seed_path, None, create_divisions=True, source=Source.CLI)
    assert result.ok, result.problems
    plan = result.plan
    org = plan.organization
    divisions = {name: division_named(name, org) for name in (CLERK, FINANCE)}
    users = {}
    for username, role, division, display_name in SEED_PEOPLE:
        extra = {"display_name": display_name} if display_name else {}
        users[username] = make_user(org, username, role, divisions.get(division), **extra)
    db.session.commit()
    return Seeded(org, plan, divisions[CLERK], divisions[FINANCE], users)


def find_seeded(organization_name: str) -> Seeded:
    """The rows `seed_organization` made, looked up by name in the current database (a copy of the seeded one)."""
    org = db.session.scalar(select(Organization).where(Organization.name == organization_name))
    assert org is not None, (f"no organization {organization_name!r}: the database is not a copy of the seeded one "
                             "(ask for the `seeded` fixture as an argument, so that `app` copies the seeded database)")
    plan = db.session.scalars(select(Plan).where(Plan.organization_id == org.id).order_by(Plan.id)).first()
    people = {u.username: u for u in db.session.scalars(
        select(User).where(User.organization_id == org.id, User.username.in_([p[0] for p in SEED_PEOPLE])))}
    users = {username: people[username] for username, *_ in SEED_PEOPLE}
    return Seeded(org, plan, division_named(CLERK, org), division_named(FINANCE, org), users)


def other_organization() -> tuple[Organization, Division, User, Task]:
    """A second agency in the same deployment, with one division, a head and one task of its own."""
    from datetime import date

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
        logout(client)
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def logout(client):
    """Sign out through the form, with a token from a page every signed-in person may open."""
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})


def signed_in(app, username: str, password: str = PASSWORD):
    """A new client (its own cookies) signed in as `username`."""
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def post_form(client, url: str, data: dict | None = None, *, token: bool = True, token_from: str = "/profile",
              **kwargs):
    """Post a form as a signed-in browser would, with a CSRF token read from `token_from` (by default a page every
    role may open); `token=False` leaves it out. Other keyword arguments go to `client.post` (e.g. content_type)."""
    data = dict(data or {})
    if token:
        data["csrf_token"] = csrf_token(client, token_from)
    return client.post(url, data=data, **kwargs)


def post_progress(client, task, **data):
    """Report progress on a task through its page's form, files included (e.g. file=(BytesIO(...), "a.pdf"))."""
    return post_form(client, f"/tasks/{task.id}/progress", data, token_from=f"/tasks/{task.id}",
                     content_type="multipart/form-data")


# --- looking rows up ---------------------------------------------------------------------------------------------


def count(model, *where) -> int:
    """How many rows of `model` there are (that match `where`)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


PLAN_MODELS = (Organization, Division, Plan, Measure, Task, Assessment, AuditEvent)


def counts(models: Iterable[type] = PLAN_MODELS) -> dict[str, int]:
    """How many rows of each model there are, by model name: what an import writes, to compare before and after."""
    return {model.__name__: count(model) for model in models}


def events(action: str) -> list[AuditEvent]:
    """The audit events of one action, oldest first."""
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def user_named(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def division_named(name: str, org: Organization | None = None) -> Division | None:
    """The division of that name (of `org`, where one is given)."""
    where = [Division.name == name] + ([Division.organization_id == org.id] if org is not None else [])
    return db.session.scalar(select(Division).where(*where))


# --- files -------------------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: Iterable[Sequence], *, header: Sequence | None = None, encoding: str = "utf-8-sig",
              delimiter: str = ",") -> Path:
    """Write rows (after a header row, where one is given) as a CSV file, as a spreadsheet program saves one."""
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence], title: str = "Sheet") -> Path:
    """Write rows as the one sheet of a new workbook (named as a new workbook's first sheet is, unless told)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def xlsx_formulas(data: bytes) -> list[str]:
    """The `<f>` elements in every worksheet of an .xlsx, read from its XML: where a formula would be stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
        assert names, "no worksheet in the workbook"
        return [f for name in names for f in re.findall(r"<f[\s>/][^<]*", archive.read(name).decode("utf-8"))]


# What a spreadsheet may take for the start of a formula (OWASP): = + - @, a tab or a carriage return (before an "=").
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\t=", "\r="]
FORMULA_ATTACK = "cmd|' /C calc'!A0"


def with_stray_byte(text: str, line: int, column: int, stray: bytes = b"\xff", encoding: str = "utf-8") -> bytes:
    """`text` encoded, with a byte no text has put before the `column`-th character (1-based) of line `line`."""
    lines = text.split("\n")
    before = "\n".join([*lines[: line - 1], lines[line - 1][: column - 1]])
    return before.encode(encoding) + stray + text[len(before):].encode(encoding)
