"""One tenant rule: every row of an agency carries its organization's id (measures, tasks, evidence, comments and
indicator scores too, always equal to their parent's); the migrations fill it for data that was there before; which
organization a row is has one definition (models.owner), and every statement of an agency's rows outside access.py
is listed below with the reason it needs no `access.scoped`."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

import tracker
from tracker import access, create_app
from tracker.extensions import db
from tracker.line import linking
from tracker.models import (
    Comment,
    Division,
    Evidence,
    IndicatorScore,
    Measure,
    Organization,
    OrganizationOwned,
    Plan,
    Task,
    owner,
    owner_column,
)

from .conftest import app_settings
from .factories import other_organization


def test_every_imported_row_belongs_to_its_plans_organization(seeded):
    mismatched = db.session.execute(
        sa.select(Task.id)
        .join(Measure, Task.measure_id == Measure.id)
        .join(Plan, Measure.plan_id == Plan.id)
        .where((Task.organization_id != Plan.organization_id) | (Measure.organization_id != Plan.organization_id))
    ).all()
    assert mismatched == []
    assert {t.organization_id for t in seeded.tasks_of(seeded.clerk)} == {seeded.org.id}


def test_new_rows_take_their_parents_organization(seeded):
    measure = seeded.plan.measures[0]
    task = Task(measure=measure, step_number=9, step_text="ขั้นตอนเพิ่ม", division=seeded.clerk,
                due_date=date(2026, 9, 30))
    db.session.add(task)
    db.session.flush()
    evidence = Evidence(task=task, url="https://example.go.th/proof")
    db.session.add(evidence)
    db.session.commit()
    assert task.organization_id == evidence.organization_id == seeded.org.id


def test_comments_and_indicator_scores_take_their_parents_organization(seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    comment = Comment(task=task, author=seeded.users["clerk-head"], text="บันทึก")
    db.session.add(comment)
    db.session.commit()
    assert comment.organization_id == seeded.org.id
    scores = db.session.scalars(sa.select(IndicatorScore)).all()
    assert scores and {score.organization_id for score in scores} == {seeded.org.id}
    assert all(score.organization_id == score.assessment.organization_id for score in scores)


def test_a_comment_cannot_move_to_another_organizations_task(seeded):
    _, _, _, theirs = other_organization()
    comment = Comment(task=seeded.tasks_of(seeded.clerk)[0], author=seeded.users["clerk-head"], text="บันทึก")
    db.session.add(comment)
    db.session.commit()
    comment.task = theirs
    with pytest.raises(ValueError, match="belongs to organization"):
        db.session.flush()
    db.session.rollback()


def test_a_task_cannot_move_to_another_organizations_measure(seeded):
    _, _, _, theirs = other_organization()
    ours = seeded.tasks_of(seeded.clerk)[0]
    ours.measure = theirs.measure
    with pytest.raises(ValueError, match="belongs to organization"):
        db.session.flush()
    db.session.rollback()


def test_a_task_cannot_be_given_to_another_organizations_division(seeded):
    _, their_division, _, _ = other_organization()
    ours = seeded.tasks_of(seeded.clerk)[0]
    ours.division = their_division
    with pytest.raises(ValueError, match="another organization"):
        db.session.flush()
    db.session.rollback()


def test_a_status_change_is_not_checked_again(seeded, monkeypatch):
    """Rows whose parent did not change are not looked at: a flush of status changes loads no measures."""
    tasks = seeded.tasks_of(seeded.clerk)
    db.session.expire_all()
    statements: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for task in db.session.scalars(sa.select(Task).where(Task.id.in_([t.id for t in tasks]))):
        task.step_text = task.step_text + " "
    before = len(statements)
    db.session.flush()
    assert not [s for s in statements[before:] if s.lstrip().upper().startswith("SELECT")]
    db.session.rollback()


def _rows_at_0004(url: str) -> None:
    """Data as a deployment on revision 0004 has it: two organizations, each a plan, a measure, a task, evidence."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        run = connection.execute
        run(sa.text("INSERT INTO fiscal_year (id, year_be, start, \"end\") "
                    "VALUES (1, 2569, '2025-10-01', '2026-09-30')"))
        for org in (1, 2):
            run(sa.text("INSERT INTO organization (id, name, created_at) VALUES (:o, :n, '2026-01-01')"),
                {"o": org, "n": f"เทศบาล {org}"})
            run(sa.text("INSERT INTO division (id, organization_id, name, aliases) VALUES (:o, :o, 'กองคลัง', '[]')"),
                {"o": org})
            run(sa.text("INSERT INTO plan (id, organization_id, fiscal_year_id, source, content_hash, imported_at) "
                        "VALUES (:o, :o, 1, 'plan.txt', 'x', '2026-01-01')"), {"o": org})
            run(sa.text("INSERT INTO measure (id, plan_id, \"order\", title, period_start, period_end, "
                        "indicator_source) VALUES (:o, :o, 1, 'มาตรการ', '2025-10-01', '2026-09-30', 'explicit')"),
                {"o": org})
            for step in (1, 2):
                run(sa.text("INSERT INTO task (id, measure_id, step_number, step_text, division_id, due_date, status) "
                            "VALUES (:t, :o, :s, 'ขั้นตอน', :o, '2026-09-30', 'todo')"),
                    {"t": org * 10 + step, "o": org, "s": step})
            run(sa.text("INSERT INTO evidence (id, task_id, url, created_at) VALUES (:o, :t, 'https://x', "
                        "'2026-01-01')"), {"o": org, "t": org * 10 + 1})
            run(sa.text("INSERT INTO \"user\" (id, organization_id, username, display_name, role, active, created_at) "
                        "VALUES (:o, :o, :u, 'หัวหน้า', 'head', :yes, '2026-01-01')"),
                {"o": org, "u": f"head-{org}", "yes": True})
            for step in (1, 2):
                run(sa.text("INSERT INTO comment (id, task_id, author_id, text, created_at) "
                            "VALUES (:t, :t, :o, 'บันทึก', '2026-01-01')"), {"t": org * 10 + step, "o": org})
            run(sa.text("INSERT INTO assessment (id, organization_id, fiscal_year_id) VALUES (:o, :o, 1)"), {"o": org})
            for number in (1, 2):
                run(sa.text("INSERT INTO indicator (id, fiscal_year_id, number, name) "
                            "VALUES (:i, 1, :n, 'ตัวชี้วัด')"), {"i": org * 10 + number, "n": org * 10 + number})
                run(sa.text("INSERT INTO indicator_score (id, assessment_id, indicator_id, score) "
                            "VALUES (:i, :o, :i, 90)"), {"i": org * 10 + number, "o": org})
    engine.dispose()


def _migrate_filled_rows(url: str) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade(revision="0004")
        _rows_at_0004(url)
        upgrade()
        with db.engine.connect() as connection:
            for table in ("measure", "task", "evidence", "comment", "indicator_score"):
                rows = connection.execute(sa.text(f"SELECT id, organization_id FROM {table} ORDER BY id")).all()
                assert rows and all(org == (row_id if row_id < 10 else row_id // 10) for row_id, org in rows), rows
        db.engine.dispose()


def test_the_migration_fills_the_organization_of_existing_rows_sqlite(tmp_path):
    _migrate_filled_rows(f"sqlite:///{tmp_path / 'old.sqlite3'}")


def test_the_migration_fills_the_organization_of_existing_rows_postgresql(postgres_database):
    _migrate_filled_rows(postgres_database)


# --- which organization a row is: one definition ------------------------------------------------------------------

# Every mapped model whose rows are an organization's, by the one definition (models.owner_column).
OWNED = {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers
         if owner_column(mapper.class_) is not None}


def test_every_row_reached_through_a_parent_carries_its_organization():
    assert {"Measure", "Task", "Evidence", "Comment", "IndicatorScore"} <= {
        name for name, model in OWNED.items() if issubclass(model, OrganizationOwned)}
    assert owner_column(Organization) is Organization.id
    assert {"FiscalYear", "Indicator", "OitItem"}.isdisjoint(OWNED)  # the deployment's, no agency's


def test_access_asks_the_models_definition(seeded):
    _, their_division, their_head, their_task = other_organization()
    task = seeded.tasks_of(seeded.clerk)[0]
    for row in (seeded.org, seeded.clerk, task, task.measure, seeded.users["clerk-head"], their_task, their_head):
        assert access.organization_id_of(row) == owner(row)[1] is not None
    assert access.same_organization(task, seeded.org) and access.same_organization(seeded.clerk, task)
    assert not access.same_organization(task, their_task) and not access.belongs_to(their_division, seeded.org.id)
    assert not access.same_organization(None, None)  # a row of none is nobody's
    new = Organization(name="ยังไม่บันทึก")
    assert owner(Division(organization=new, name="กองใหม่")) == (new, None)  # before the flush: the object only


def test_a_division_of_another_organization_gets_no_member_count(seeded):
    _, their_division, _, _ = other_organization()
    their_division.line_group_id = "C" + "9" * 32
    db.session.commit()
    linking.record_group_members(seeded.org, their_division.id, their_division.line_group_id, 40)
    db.session.commit()
    db.session.expire_all()
    assert their_division.line_group_members is None


# --- every statement of an agency's rows starts from access.scoped, or is listed here with its reason --------------

TRACKER = Path(tracker.__file__).resolve().parent
STATEMENTS = {"select", "update", "delete", "select_from", "get"}  # get: db.session.get(Model, id)
# The organization itself is the tenant, looked up by its id, its name, its bot's id (the webhook): not listed.
OWNED_ROWS = set(OWNED) - {"Organization"}

# Where a statement names an agency's rows outside tracker/access.py without starting from `access.scoped` or being
# restricted by `access.scoped_to`, and why that is right: "file:function verb(Models)" -> the reason. A new such
# statement fails the test below until it goes through access or is listed here, with its reason.
UNSCOPED = {
    # Looked up across the deployment by a value unique across it, before any organization is known.
    "tracker/auth.py:sign_in select(User)": "signing in finds a person by username, unique across the deployment",
    "tracker/auth.py:session_user select(User)": "a session's token (unique) names its person: no agency yet",
    "tracker/line/login.py:person_for select(User)":
        "a verified LINE ID token's user id (unique across the deployment) names its person at sign-in: no agency yet",
    "tracker/line/login.py:organization_of_next select(Task)":
        "a reminder's link opened in LINE before sign-in: the task id is all that is known, and only its organization "
        "is read, to pick that organization's LINE Login channel; nothing of the task is shown",
    "tracker/people.py:_check_username select(User)": "a new username must be free in every agency (sign-in asks none)",
    "tracker/cli.py:deployment_admin_command select(User)":
        "the operator at the server's command line names the deployment's administrators, of any agency",
    # The readers and writers of every agency at once (the daily sweep, the deliverer).
    "tracker/reminders/selection.py:_task_rows select(Task, Measure, Division)":
        "the sweep's task columns; each caller restricts them (scoped_to, or ids read through scoped_to)",
    "tracker/reminders/outbox.py:_claim update(Notification)":
        "the deliverer claims the due rows whose ids it has just read (scoped_to): every agency's, by design",
    "tracker/reminders/outbox.py:_claim select(Notification)": "the rows this claim's own token marked",
    "tracker/reminders/outbox.py:organizations_with_pending select(Notification)":
        "which agencies have rows to send now: the deliverer's question about all of them",
    "tracker/reminders/outbox.py:_read_claimed select(Notification, Division, User)":
        "the claimed rows by id, each with its own division's or person's LINE id (joined on the row's own keys)",
    "tracker/reminders/outbox.py:_Renderer.ready update(Notification)": "the deliverer's own claimed row, by id",
    "tracker/reminders/outbox.py:_record update(Notification)": "the deliverer's own claimed row, by id",
    "tracker/reminders/outbox.py:record_steps.mark update(Task)":
        "the sweep records the steps of the tasks its plans were made of, by id, each read through scoped_to",
    # Keyed by rows of one organization the caller already holds.
    "tracker/evidence.py:needing_work_for select(Evidence, Task)":
        "by the people of one organization the digest goes to: the evidence they added themselves",
    "tracker/evidence.py:tasks_needing_work select(Evidence)": "by task ids the caller read through access",
    "tracker/evidence.py:same_file_elsewhere select(EvidenceFile, Evidence)":
        "by the hashes of evidence the caller holds, across agencies by design: only whether another task has the "
        "same bytes is told, nothing of that task",
    "tracker/line/uploads.py:_attach update(LineUpload)":
        "claims the person's own uploads by the ids just read through access.find and scoped",
    "tracker/line/uploads.py:remove_unattached delete(LineUpload)":
        "the daily cleanup of every agency's uploads never attached, by status and age: every agency's, by design",
    "tracker/line/uploads.py:remove_old_sent_messages delete(LineSentMessage)":
        "the daily cleanup of every agency's record of digest messages sent, by age: every agency's, by design",
    "tracker/plans/next_year.py:undo_carry_over select(Plan)": "locks the plan the caller holds (FOR UPDATE), by id",
    # The audit trail of one agency and of the deployment, which has no organization (models.owner: none).
    "tracker/audit.py:trail select(AuditEvent)": "an organization's events or the deployment's: scoped cannot say or",
    "tracker/audit.py:history_of select(AuditEvent)":
        "the events of one object the caller holds, by its type and id; an OIT item's are the deployment's",
    # The demo fills a database of its own with the seed organization only.
    "tracker/demo.py:build select(Plan)": "the demo's database holds the seed organization only: its plan",
    "tracker/demo.py:build select(User)": "the demo's people, by username (unique across the deployment)",
    "tracker/demo.py:found select(User)": "whether a database is the demo's: its people, by username",
}


def _statements(path: Path) -> list[tuple[str, str, int]]:
    """The statements of a source file that name an agency's rows and are not routed through access: (key, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # A module's own names for an agency's columns (select(*_TASK_COLUMNS)) name the models they are made of.
    named = {target.id: [n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name) and n.id in OWNED_ROWS]
             for statement in tree.body if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value
             for target in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
             if isinstance(target, ast.Name)}
    routed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == "scoped_to" and node.args:
            base = node.args[0]  # select(...).where(...)...: the select at the bottom of the chain is routed
            while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and isinstance(
                    base.func.value, ast.Call):
                base = base.func.value
            routed.add(id(base))
    found = []

    def visit(node: ast.AST, where: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, [*where, child.name])
                continue
            if isinstance(child, ast.Call) and id(child) not in routed and _name(child.func) in STATEMENTS:
                arguments = child.args[:1] if _name(child.func) == "get" else child.args
                models = [model for a in arguments for n in ast.walk(a) if isinstance(n, ast.Name)
                          for model in ([n.id] if n.id in OWNED_ROWS else named.get(n.id, []))]
                if models:
                    unique = ", ".join(dict.fromkeys(models))
                    found.append((f"{'.'.join(where) or '<module>'} {_name(child.func)}({unique})", child.lineno))
            visit(child, where)

    visit(tree, [])
    return [(key, str(path), line) for key, line in found]


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def test_every_statement_of_an_agencys_rows_goes_through_access_or_is_listed():
    seen: dict[str, list[str]] = {}
    for path in sorted(TRACKER.rglob("*.py")):
        relative = path.relative_to(TRACKER.parent).as_posix()
        if relative == "tracker/access.py" or relative.startswith("tracker/migrations/"):
            continue
        for key, _, line in _statements(path):
            seen.setdefault(f"{relative}:{key}", []).append(f"{relative}:{line}")
    unlisted = {key: lines for key, lines in seen.items() if key not in UNSCOPED}
    assert not unlisted, ("statements of an agency's rows that neither start from access.scoped (scoped_to) nor are "
                          f"listed in UNSCOPED with their reason: {unlisted}")
    gone = UNSCOPED.keys() - seen.keys()
    assert not gone, f"listed but no longer there (take them off UNSCOPED): {gone}"


def test_the_scan_finds_a_new_unscoped_statement(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "COLUMNS = (Task.id, Task.due_date)\n"
        "def sweep(ids):\n"
        "    scoped_to(select(Task.id).where(OPEN), Task, ids).order_by(Task.id)\n"
        "    select(func.count()).select_from(Evidence)\n"
        "    select(*COLUMNS)\n"
        "class Reader:\n"
        "    def read(self, measure_id):\n"
        "        return db.session.get(Measure, measure_id), db.session.execute(update(Comment).values(text=''))\n",
        encoding="utf-8")
    assert [key for key, _, _ in _statements(source)] == [
        "sweep select_from(Evidence)", "sweep select(Task)", "Reader.read get(Measure)", "Reader.read update(Comment)"]
