"""Many agencies at once, written straight into the tables: the daily sweep's tests (and a quick measurement of it)
need hundreds or thousands of organizations, more than importing a plan for each would make in reasonable time.

Each agency has five divisions, ten measures of one plan of fiscal year 2569, `tasks_each` tasks due across the year
(a third on a month's last day, as plans tend to put them), an admin, an executive, a head and two staff members per
division (most linked to LINE, a few inactive), and at random: tasks done, assigned, with lead times of their own, a
division with a LINE group, a day off of its own, a policy of its own. The same seed makes the same agencies.
"""
from __future__ import annotations

import calendar
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert

from tracker.extensions import db
from tracker.models import DayOff, Division, Measure, Organization, Plan, Role, Task, TaskStatus, User
from tracker.plans.build import ensure_fiscal_year
from tracker.thai import fiscal_year_bounds

DIVISIONS = ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุข")
POLICIES = ([14, 7, 3, 1, 0], 3)  # the default lead times and cadence


def add_agencies(count: int, *, tasks_each: int = 40, seed: int = 1, done_before: date | None = None,
                 own_policy_share: float = 0.0, own_day_off_share: float = 0.0, own_lead_share: float = 0.02,
                 group_share: float = 0.1, name: str = "อปท.") -> list[int]:
    """Write `count` agencies (committed) and return their organization ids.

    A task due before `done_before` is done with probability 0.85 (none is done without it).
    """
    rng = random.Random(seed)
    fiscal_year = ensure_fiscal_year(2569)
    first, last = fiscal_year_bounds(2569)
    month_ends = [date(y, m, calendar.monthrange(y, m)[1]) for y, m in
                  [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]]
    db.session.commit()
    connection = db.session.connection()

    def rows_of(model, rows: list[dict]) -> list[int]:
        if not rows:
            return []
        statement = insert(model.__table__).returning(model.__table__.c.id, sort_by_parameter_order=True)
        return list(connection.execute(statement, rows).scalars())

    tag = f"{seed}-{rng.randrange(10**6)}"
    organizations = rows_of(Organization, [
        {"name": f"{name} {tag}-{i}",
         "reminder_days": [7, 1] if rng.random() < own_policy_share else POLICIES[0],
         "overdue_every": rng.choice([1, 2, 5]) if rng.random() < own_policy_share else POLICIES[1]}
        for i in range(count)])
    divisions = rows_of(Division, [
        {"organization_id": o, "name": d, "aliases": [],
         "line_group_id": f"C{tag}-{o}-{k}" if rng.random() < group_share / len(DIVISIONS) else None,
         "line_group_members": rng.randrange(3, 20)}
        for o in organizations for k, d in enumerate(DIVISIONS)])
    division_of = {o: divisions[i * len(DIVISIONS):(i + 1) * len(DIVISIONS)] for i, o in enumerate(organizations)}
    plans = rows_of(Plan, [{"organization_id": o, "fiscal_year_id": fiscal_year.id, "source": "agencies",
                            "content_hash": f"{tag}-{o}"} for o in organizations])
    measures = rows_of(Measure, [
        {"organization_id": o, "plan_id": p, "order": m + 1, "title": f"มาตรการที่ {m + 1} ของหน่วยงาน {o}",
         "period_start": first, "period_end": last}
        for o, p in zip(organizations, plans, strict=True) for m in range(10)])
    users: list[dict] = []
    for o in organizations:
        people = [("admin", Role.ADMIN, None), ("exec", Role.EXECUTIVE, None)]
        for k, division in enumerate(division_of[o]):
            people += [(f"head{k}", Role.HEAD, division), (f"staff{k}a", Role.STAFF, division),
                       (f"staff{k}b", Role.STAFF, division)]
        for username, role, division in people:
            users.append({"organization_id": o, "username": f"{tag}-{o}-{username}", "display_name": f"{username} {o}",
                          "role": role, "division_id": division, "active": rng.random() > 0.05,
                          "line_user_id": f"U{tag}-{o}-{username}" if rng.random() < 0.8 else None})
    user_ids = rows_of(User, users)
    staff_of: dict[int, list[int]] = {}
    for row, id_ in zip(users, user_ids, strict=True):
        if row["role"] is Role.STAFF:
            staff_of.setdefault(row["division_id"], []).append(id_)
    tasks: list[dict] = []
    for i, o in enumerate(organizations):
        for n in range(tasks_each):
            measure = measures[i * 10 + n % 10]
            division = division_of[o][n % len(DIVISIONS)]
            due = rng.choice(month_ends) if rng.random() < 1 / 3 else first + timedelta(days=rng.randrange(365))
            done = done_before is not None and due < done_before and rng.random() < 0.85
            tasks.append({
                "organization_id": o, "measure_id": measure, "step_number": n // 10 + 1,
                "step_text": f"ขั้นตอนที่ {n + 1}", "division_id": division, "due_date": due,
                "status": TaskStatus.DONE if done else rng.choice([TaskStatus.TODO, TaskStatus.TODO, TaskStatus.DOING]),
                "done_at": datetime.combine(due, time(3, 0), tzinfo=UTC) if done else None,
                "assignee_id": rng.choice(staff_of[division]) if rng.random() < 0.3 else None,
                "reminder_days": rng.choice([[1], [], [7, 0]]) if rng.random() < own_lead_share else None,
            })
    for start in range(0, len(tasks), 50_000):
        connection.execute(insert(Task.__table__), tasks[start:start + 50_000])
    days_off = [{"organization_id": o, "day": first + timedelta(days=rng.randrange(365)), "name": "วันหยุดของหน่วยงาน"}
                for o in organizations if rng.random() < own_day_off_share]
    if days_off:
        connection.execute(insert(DayOff.__table__), days_off)
    db.session.commit()
    return organizations
