"""The `tracker` command: every operation of the app, on top of Flask's own (`run`, `shell`, `db` from Migrate)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from .extensions import db
from .models import Division, Organization, Plan, Role, Source, User
from .plans import PlanFileError, import_plan
from .plans.preview import preview_text
from .plans.sheets import write_template

SEED_REPORT = Path(__file__).resolve().parent / "seed" / "ita-2568-bang-krabue.txt"


def register(app) -> None:
    """Add the tracker's commands to the app, where `tracker` and the test runner both find them."""
    for command in (import_command, template_command, demo_command):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `tracker` console script: Flask's commands (run, shell, db) and the tracker's."""
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="ติดตามแผนปรับปรุง ITA — ITA improvement plan tracker.")
    cli(prog_name="tracker")


def _parse_indicator_choices(values: tuple[str, ...]) -> dict[int, list[int]]:
    choices: dict[int, list[int]] = {}
    for value in values:
        measure, _, numbers = value.partition("=")
        try:
            choices[int(measure)] = [int(n) for n in numbers.split(",") if n.strip()]
        except ValueError:
            raise click.BadParameter(f"“{value}”: expected MEASURE=INDICATOR[,INDICATOR], e.g. 1=6") from None
    return choices


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be created; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--create-divisions", is_flag=True, help="Create divisions the plan names that do not exist yet.")
@click.option("--org", "org_name", help="Organization to import into (default: the one the file names, or the only one).")
@click.option("--fiscal-year", type=int, help="Fiscal year (BE) of a CSV/XLSX plan whose periods do not tell.")
@click.option("--indicator", "indicators", multiple=True, metavar="N=I[,I]",
              help="Link measure N to indicator(s) I, replacing the inferred link. Repeatable.")
@with_appcontext
def import_command(
    file: Path, dry_run: bool, as_json: bool, create_divisions: bool, org_name: str | None,
    fiscal_year: int | None, indicators: tuple[str, ...],
) -> None:
    """นำเข้าแผนจากรายงาน (.txt), CSV หรือ XLSX — import a plan from a report, CSV or XLSX."""
    organization = None
    if org_name:
        organization = db.session.scalar(select(Organization).where(Organization.name == org_name))
        if organization is None:
            raise click.ClickException(f"ไม่พบหน่วยงาน “{org_name}” (no such organization)")
    try:
        result = import_plan(
            file, organization=organization, fiscal_year=fiscal_year, create_divisions=create_divisions,
            indicator_choices=_parse_indicator_choices(indicators), dry_run=dry_run, source=Source.CLI,
        )
    except PlanFileError as error:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"source": file.name, "status": "refused", "problems": error.problems},
                                  ensure_ascii=False, indent=2))
        else:
            click.echo("นำเข้าไม่ได้ (nothing was written):", err=True)
            for problem in error.problems:
                click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    if result.status == "created":
        db.session.commit()
    else:
        db.session.rollback()
    if as_json:
        click.echo(json.dumps(result.preview, ensure_ascii=False, indent=2))
    else:
        click.echo(preview_text(result.preview, dry_run=dry_run))
    sys.exit(0 if result.ok else 1)


@click.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def template_command(file: Path) -> None:
    """เขียนแม่แบบแผนเปล่า (.xlsx หรือ .csv) — write an empty plan template."""
    if file.exists():
        raise click.ClickException(f"{file} มีอยู่แล้ว — ไม่เขียนทับ (exists; not overwritten)")
    try:
        write_template(file)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"เขียนแม่แบบแล้ว: {file}")


DEMO_PASSWORD = "demo-ita"
DEMO_USERS = (
    # username, display name, role, division (common name) or None
    ("admin", "ผู้ดูแลระบบ", Role.ADMIN, None),
    ("mayor", "นายกเทศมนตรี (ตัวอย่าง)", Role.EXECUTIVE, None),
    ("clerk-head", "หัวหน้าสำนักปลัด (ตัวอย่าง)", Role.HEAD, "สำนักปลัดเทศบาล"),
    ("finance-head", "ผู้อำนวยการกองคลัง (ตัวอย่าง)", Role.HEAD, "กองคลัง"),
    ("clerk-staff", "เจ้าหน้าที่สำนักปลัด (ตัวอย่าง)", Role.STAFF, "สำนักปลัดเทศบาล"),
)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-run", is_flag=True, help="Build the demo database and exit.")
@with_appcontext
def demo_command(host: str, port: int, no_run: bool) -> None:
    """สร้างฐานข้อมูลตัวอย่างจากรายงานจริงแล้วเปิดเว็บ — build the demo from the seed report and serve it."""
    upgrade()
    plan = db.session.scalar(select(Plan))
    if plan is None:
        result = import_plan(SEED_REPORT, create_divisions=True, source=Source.CLI)
        if not result.ok:
            raise click.ClickException("\n".join(result.problems))
        db.session.commit()
        plan = result.plan
        click.echo(f"นำเข้ารายงานตัวอย่างแล้ว: มาตรการ {len(plan.measures)} งาน {result.preview['task_count']}")
    organization = plan.organization
    click.echo(f"หน่วยงาน: {organization.name}\nผู้ใช้ตัวอย่าง (รหัสผ่าน {DEMO_PASSWORD}):")
    for username, name, role, division_name in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            division = db.session.scalar(
                select(Division).where(Division.organization_id == organization.id, Division.name == division_name)
            ) if division_name else None
            user = User(organization=organization, username=username, display_name=name, role=role,
                        division=division)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
        click.echo(f"  {username:<13} {role.value:<10} {name}")
    db.session.commit()
    if no_run:
        return
    click.echo(f"เปิดเว็บที่ http://{host}:{port}/ แล้วเข้าสู่ระบบเป็น mayor เพื่อดูภาพรวม หรือ clerk-head เพื่อติ๊กงาน"
               "  (Ctrl+C เพื่อหยุด)")
    # Flask's app.run() refuses to start inside a CLI command; the development server it wraps does not.
    run_simple(host, port, current_app._get_current_object(), threaded=True)
