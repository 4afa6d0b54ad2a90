"""`tracker` starts fast: a command imports what only some commands use when it runs (issue 19).

Checked by what a fresh interpreter has imported after `tracker --help`, which builds the app like every command
(FlaskGroup lists the app's commands), not by the clock: the machine running the suite is shared and noisy.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Each is imported by the code that uses it: the LINE SDK (with aiohttp and pydantic) when LINE is called, openpyxl
# (with Pillow) when an .xlsx is read or written, python-docx and WeasyPrint for a report, holidays when working days
# are counted, gunicorn by `tracker serve`, APScheduler by `tracker scheduler`.
DEFERRED = (
    "linebot", "aiohttp", "pydantic", "openpyxl", "PIL", "docx", "weasyprint", "holidays", "dateutil", "gunicorn",
    "apscheduler",
)

_RUN_HELP = """
import sys
from tracker.cli import main
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("LOADED", *sorted(sys.modules))
"""


def _loaded_after(args: list[str], tmp_path) -> set[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}", "SECRET_KEY": "start-test"}
    done = subprocess.run([sys.executable, "-c", _RUN_HELP, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED "))
    return set(line.split()[1:])


@pytest.mark.parametrize("args", [["--help"], ["users", "--help"]], ids=" ".join)
def test_a_command_starts_without_what_only_other_commands_use(args, tmp_path):
    loaded = _loaded_after(args, tmp_path)
    assert "tracker.views" in loaded  # the app was built, as for every command
    assert sorted({name.split(".")[0] for name in loaded} & set(DEFERRED)) == []

