"""`tracker` starts fast: a command imports what only some commands use when it runs (issue 19).

Checked by what a fresh interpreter has imported after a command, not by the clock: the machine running the suite is
shared and noisy. `tracker --help` and a group's `--help` build no app: the tracker's commands are the command group's
own (tracker/cli.py), so listing them needs neither SQLAlchemy nor the models nor the views. A command that uses the
database builds the app when it runs, without Flask-Migrate and Alembic unless it migrates (`tracker db`).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tracker import cli

# Each is imported by the code that uses it: the LINE SDK (with aiohttp and pydantic) when LINE is called, openpyxl
# (with Pillow) when an .xlsx is read or written, python-docx and WeasyPrint for a report (python-docx, pypdf and
# fontTools also when a plan is read from a .docx or .pdf), holidays when working days
# are counted, gunicorn by `tracker serve`, APScheduler by `tracker scheduler`; Flask-Migrate with Alembic (and its
# Mako and Pygments) by `tracker db` and the commands that check a schema (`serve`, `restore`); the demo by
# `tracker demo`.
DEFERRED = (
    "linebot", "aiohttp", "pydantic", "openpyxl", "PIL", "docx", "weasyprint", "holidays", "dateutil", "gunicorn",
    "apscheduler", "flask_migrate", "alembic", "mako", "pygments", "tracker.demo", "pypdf", "fontTools",
)
# ... and, for a list of commands or a command's help, the app itself: SQLAlchemy (its ORM alone is a third of a
# second), the extensions, the models, the views.
NOT_FOR_HELP = ("sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_caching", "tracker.extensions",
                "tracker.models", "tracker.views")

_RUN = """
import sys
from tracker.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
print("LOADED", *sorted(sys.modules))
"""


def _run(args: list[str], tmp_path: Path) -> tuple[str, set[str]]:
    """What `tracker ARGS` printed, and the modules its interpreter had imported by the end."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}", "SECRET_KEY": "start-test"}
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    output, _, loaded = done.stdout.rpartition("LOADED ")
    return output, set(loaded.split())


def _among(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    """Which of `names` (a package stands for its modules) were imported."""
    return sorted(name for name in names if any(module == name or module.startswith(name + ".") for module in loaded))


@pytest.mark.parametrize("args", [["--help"], ["users", "--help"], ["line", "setup", "--help"], ["backup", "--help"]],
                         ids=" ".join)
def test_help_builds_no_app(args, tmp_path):
    output, loaded = _run(args, tmp_path)
    assert "Usage: tracker" in output
    assert _among(loaded, DEFERRED + NOT_FOR_HELP) == []


def test_the_list_of_commands_is_the_apps(app, tmp_path):
    """`tracker --help` lists, without building the app, every command the app has (docs/commands.md has a row for
    each, tests/test_project.py): nothing is the app's alone, and Flask's own are there too."""
    output, _ = _run(["--help"], tmp_path)
    listed = re.findall(r"^  (\S+)  ", output.partition("Commands:")[2], re.MULTILINE)
    assert listed == sorted({*app.cli.commands, "run", "shell", "routes"})
    tracker = cli.group()
    assert all(tracker.commands.get(name) is command for name, command in app.cli.commands.items())


def test_db_is_flask_migrates_group_imported_when_it_runs():
    from flask_migrate.cli import db

    assert cli.migrations_group.help == db.help  # what `tracker --help` says of it
    with click.Context(cli.migrations_group) as ctx:
        assert cli.migrations_group.list_commands(ctx) == db.list_commands(ctx)


def test_a_database_command_builds_the_app_without_the_migrations(tmp_path):
    output, loaded = _run(["db", "upgrade"], tmp_path)
    assert _among(loaded, ("alembic", "flask_migrate")) == ["alembic", "flask_migrate"]  # `db` migrates

    output, loaded = _run(["users", "deployment-admin"], tmp_path)
    assert "no deployment administrator yet" in output
    assert _among(loaded, ("tracker.views", "sqlalchemy.orm")) == ["sqlalchemy.orm", "tracker.views"]  # the app
    assert _among(loaded, DEFERRED) == []

    output, loaded = _run(["backup", str(tmp_path / "start.backup")], tmp_path)
    assert (tmp_path / "start.backup").exists(), output
    assert _among(loaded, DEFERRED) == []


def test_a_command_called_in_process_runs_on_its_own_app(app, tmp_path, monkeypatch, capsys):
    """As under Flask's group, a command builds the app of its command line and runs in that app's context, above
    any other app's context already pushed (here the test's, on a migrated database): `main` called in a test's process
    (tests/test_ops.py) reads the database it is given."""
    from tracker.faults import ExitCode

    for name, value in {"DATABASE_URL": f"sqlite:///{tmp_path / 'never-built.sqlite3'}", "SECRET_KEY": "start-test",
                        "FLASK_RUN_FROM_CLI": "true"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exit:
        cli.main(["users", "deployment-admin"])
    assert exit.value.code == ExitCode.DATABASE, capsys.readouterr()
    assert "tracker db upgrade" in capsys.readouterr().err  # that database has no schema; the test's has
