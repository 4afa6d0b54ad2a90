"""The demo organization: the seed report imported, and people for every role (optionally a full office of them)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .extensions import db
from .models import Division, Organization, Plan, Role, Source, User
from .plans import PlanFileError, import_plan

SEED_REPORT = Path(__file__).resolve().parent / "seed" / "ita-2568-bang-krabue.txt"
DEMO_PASSWORD = "demo-ita"

# username, display name, role, division (as the seed plan names it) or None
DEMO_USERS = (
    ("admin", "ผู้ดูแลระบบ", Role.ADMIN, None),
    ("mayor", "นายกเทศมนตรี (ตัวอย่าง)", Role.EXECUTIVE, None),
    ("clerk-head", "หัวหน้าสำนักปลัด (ตัวอย่าง)", Role.HEAD, "สำนักปลัดเทศบาล"),
    ("finance-head", "ผู้อำนวยการกองคลัง (ตัวอย่าง)", Role.HEAD, "กองคลัง"),
    ("clerk-staff", "เจ้าหน้าที่สำนักปลัด (ตัวอย่าง)", Role.STAFF, "สำนักปลัดเทศบาล"),
)

# A whole office for `--staff`: how a municipality of the seed's size is staffed, by share of its people.
OFFICE_SHARES = {"สำนักปลัดเทศบาล": 0.34, "กองคลัง": 0.19, "กองช่าง": 0.19, "กองการศึกษา": 0.14,
                 "กองสาธารณสุข": 0.14}


@dataclass
class Demo:
    organization: Organization
    plan: Plan
    imported: bool
    users: list[User]


def build(staff: int = 0) -> Demo:
    """Import the seed report if no plan exists, and add the demo users; with `staff`, a whole office of that size.

    Adds to the session; the caller commits. Running it again adds only what is missing.
    """
    plan = db.session.scalar(select(Plan))
    imported = plan is None
    if plan is None:
        result = import_plan(SEED_REPORT, create_divisions=True, source=Source.CLI)
        if not result.ok:
            raise PlanFileError(result.problems)
        plan = cast(Plan, result.plan)  # an import (not a dry run) without problems made one
    organization = plan.organization
    divisions = {d.name: d for d in organization.divisions}
    password_hash = generate_password_hash(DEMO_PASSWORD)  # one hash for all: scrypt is slow on purpose
    wanted = list(DEMO_USERS)
    if staff:
        wanted += _office(staff - len(DEMO_USERS), divisions)
    users = []
    for username, name, role, division_name in wanted:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(organization=organization, username=username, display_name=name, role=role,
                        division=divisions.get(division_name) if division_name else None, password_hash=password_hash)
            db.session.add(user)
        users.append(user)
    return Demo(organization, plan, imported, users)


def _office(count: int, divisions: dict[str, Division]) -> list[tuple]:
    """People beyond the five demo users: a deputy mayor and the municipal clerk, every head, then staff."""
    people: list[tuple] = [("deputy-mayor", "รองนายกเทศมนตรี (ตัวอย่าง)", Role.EXECUTIVE, None),
                           ("municipal-clerk", "ปลัดเทศบาล (ตัวอย่าง)", Role.EXECUTIVE, None)]
    for index, name in enumerate(n for n in OFFICE_SHARES if n not in ("สำนักปลัดเทศบาล", "กองคลัง")):
        people.append((f"head-{index + 1}", f"ผู้อำนวยการ{name} (ตัวอย่าง)", Role.HEAD, name))
    remaining = max(0, count - len(people))
    names = [n for n in OFFICE_SHARES if n in divisions]
    quotas = {n: int(remaining * OFFICE_SHARES[n]) for n in names}
    for n in names[: remaining - sum(quotas.values())]:
        quotas[n] += 1
    for name in names:
        for i in range(quotas[name]):
            people.append((f"staff-{names.index(name) + 1}-{i + 1:02d}", f"เจ้าหน้าที่{name} {i + 1}", Role.STAFF, name))
    return people[:count]
