"""The project's promises to a new user: a short README whose commands work, docs that list every setting, command
and module and whose links lead somewhere, the demo."""
from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import click
from sqlalchemy import select

from config.defaults import SETTINGS
from tracker.demo import DEMO_USERS, SEED_REPORT
from tracker.extensions import db
from tracker.models import Measure, Role, Task, User

from .conftest import SHARED_SEED
from .factories import count, login

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_configuration_doc_lists_every_setting():
    table = {m.group(1) for m in re.finditer(r"^\| `([A-Z_]+)` \|", doc("configuration.md"), re.MULTILINE)}
    assert table == {setting.name for setting in SETTINGS}


def test_commands_doc_lists_every_command(app):
    """Every command `tracker --help` lists (and each of a group's, such as `tracker line setup`) has a row of its own
    in docs/commands.md; of Flask-Migrate's `db` group the one a person runs, `db upgrade`. Flask's own `run`, `shell`
    and `routes` are named in one sentence there."""
    text = doc("commands.md")
    rows = [line for line in text.splitlines() if line.startswith("| `tracker ")]
    missing = []
    for name, command in sorted(app.cli.commands.items()):
        if command.hidden:
            continue
        if name == "db":
            words = ["db upgrade"]
        elif isinstance(command, click.Group):
            words = [f"{name} {sub}" for sub, c in sorted(command.commands.items()) if not c.hidden]
        else:
            words = [name]
        missing += [w for w in words if not any(re.match(rf"\| `tracker {re.escape(w)}[ `]", row) for row in rows)]
    assert missing == []
    assert "Flask's own `run`, `shell`, `routes` and `db`" in text


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^python3 -m venv .*$", README, re.MULTILINE)
    assert len(commands) == 2 and "tracker demo" in commands[0] and re.search(r"\.venv/bin/pytest\b", commands[1])
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


def test_architecture_layout_lists_every_module():
    """The layout table names every module (or the folder it is one of), so a new engineer finds each job's home."""
    rows = [line for line in doc("architecture.md").splitlines() if line.startswith("| `")]
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


def test_readme_is_short_and_leads_to_every_doc():
    """A newcomer reads the README in five minutes; everything else is one link away."""
    assert len(README.splitlines()) <= 120
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)[^)]*\)", README))
    assert linked == {f"docs/{path.name}" for path in DOCS.glob("*.md")}


def _anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation and symbols dropped (Thai vowels and tone marks kept),
    each space a hyphen."""
    kept = "".join(c for c in heading.strip().lower()
                   if c in "-_ " or unicodedata.category(c)[0] in "LMN")
    return kept.replace(" ", "-")


def _outside_code_blocks(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def _anchors(text: str) -> set[str]:
    return {_anchor(m.group(1).replace("`", "")) for m in
            re.finditer(r"^#+ (.+)$", _outside_code_blocks(text), re.MULTILINE)}


def _prose(text: str) -> str:
    """The text outside code blocks and inline code, where a `[x](y)` is a link."""
    return re.sub(r"`[^`\n]*`", "", _outside_code_blocks(text))


def test_every_relative_link_in_the_docs_leads_somewhere():
    """Each relative link of README.md and docs/*.md names a file that exists, and a heading of it when it has #."""
    broken = []
    for source in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", _prose(source.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, fragment = target.partition("#")
            file = (source.parent / path).resolve() if path else source
            if not file.is_file() or (fragment and file.suffix == ".md" and
                                      fragment not in _anchors(file.read_text(encoding="utf-8"))):
                broken.append(f"{source.relative_to(ROOT)}: {target}")
    assert broken == []
