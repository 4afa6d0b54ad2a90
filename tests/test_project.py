"""The project's promises to a new user: documented settings, the README's commands, the demo."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sqlalchemy import select

from config.defaults import SETTINGS
from tracker.demo import DEMO_USERS, SEED_REPORT
from tracker.extensions import db
from tracker.models import Measure, Role, Task, User

from .conftest import SHARED_SEED
from .factories import count, login

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_setting():
    table = {m.group(1) for m in re.finditer(r"^\| `([A-Z_]+)` \|", README, re.MULTILINE)}
    assert table == {setting.name for setting in SETTINGS}


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^python3 -m venv .*$", README, re.MULTILINE)
    assert len(commands) == 2 and "tracker demo" in commands[0] and commands[1].endswith("pytest")
    assert "grep -m1 -E '^python3 -m venv .*pytest' README.md" in (ROOT / ".ci" / "run").read_text()
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0


def test_packaged_seed_is_the_shared_one():
    if SHARED_SEED.exists():
        assert SEED_REPORT.read_bytes() == SHARED_SEED.read_bytes()


def test_demo_builds_the_seed_plan_and_a_user_per_role(app, runner, client):
    result = runner.invoke(args=["demo", "--no-run"])
    assert result.exit_code == 0, result.output
    assert "มาตรการ 3 งาน 16" in result.output
    assert count(Measure) == 3
    assert count(Task) == 16
    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == set(Role)
    assert all(u.check_password("demo-ita") and not u.check_password("wrong") for u in users)
    assert all(u.password_hash and "demo-ita" not in u.password_hash for u in users)
    heads = [u for u in users if u.role is Role.HEAD]
    assert {u.division.name for u in heads} == {d for _, _, r, d in DEMO_USERS if r is Role.HEAD}
    assert [u.username for u in users if u.is_deployment_admin] == ["admin"]  # the OIT items page is editable

    again = runner.invoke(args=["demo", "--no-run"])
    assert again.exit_code == 0 and count(User) == len(users)

    login(client, "mayor", "demo-ita")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "เทศบาลตำบลบางกระบือ" in page and "มาตรการ 3 · งาน 16" in page


def test_readme_layout_lists_every_module():
    """The layout table names every module (or the folder it is one of), so a new engineer finds each job's home."""
    rows = [line for line in README.splitlines() if line.startswith("| `")]
    missing = []
    for path in sorted([*ROOT.glob("tracker/**/*.py"), *ROOT.glob("jobs/*.py"), *ROOT.glob("config/*.py")]):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or (path.name == "__init__.py" and len(path.read_text().splitlines()) < 15):
            continue  # a package's docstring only
        folder = f"`{relative.parent}/`"
        if not any(f"`{relative}`" in row or (row.startswith(f"| {folder}") or (folder[:-1] in row and
                   f"`{path.name}`" in row)) for row in rows):
            missing.append(str(relative))
    assert missing == []
