"""The `tracker` command: every operation of the app, on top of Flask's own (`run`, `shell`, `routes`) and
Flask-Migrate's `db`.

It starts fast (issue 19): this module imports click and Flask's command group only, and each command imports what
it uses when it runs. The commands are the group's own, so listing them (`tracker --help`) or a command's `--help`
builds no app and imports neither SQLAlchemy nor the models; a command that needs the app builds it when it runs
(`with_app`). `db` imports Flask-Migrate (with Alembic) only when it is run or asked for its help. The
same commands are the app's (`register`), where Flask's test runner finds them.
"""
from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo

from .thai import (
    FIRST_BE_YEAR,
    LAST_BE_YEAR,
    MONTHS_SHORT,
    BEDateError,
    be_year,
    fiscal_year_bounds,
    format_date,
    parse_be_date,
)

if TYPE_CHECKING:
    from flask import Flask

    from .models import Organization


class TrackerGroup(FlaskGroup):
    """Flask's command group, listing only the commands it holds itself: Flask's, any `flask.commands` plugin's, and
    the tracker's, which are the app's too (`register`; tests/test_cli_start.py checks that nothing is the app's
    alone). Flask's group builds the app to list the commands of `app.cli`; this one builds it only to run a command
    that needs it, or to look up a name it does not hold (Flask's `get_command`, unchanged)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


class LazyGroup(click.Group):
    """A command group imported from elsewhere when it is run, asked for its help or completed: until then only its
    name and help, for the list of commands. `load` returns the group."""

    def __init__(self, name: str, load: Callable[[], click.Group], help: str) -> None:
        super().__init__(name, help=help)
        self._load = load
        self._loaded: click.Group | None = None

    def loaded(self) -> click.Group:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # The context is the loaded group's: click runs a subcommand as `ctx.command.invoke(ctx)`.
        return self.loaded().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        return self.loaded().invoke(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.loaded().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.loaded().list_commands(ctx)


def with_app(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command in the app context of the command's own app, built when the command runs: what Flask's group
    does for a command of `app.cli` as it looks it up (flask/cli.py, `FlaskGroup.get_command`), done here once the
    command is run, not for its `--help`. The app is the one the command line's ScriptInfo loads (`create_app`, or the
    test runner's app), pushed above any other app's context already pushed (a test calling `main` in its own
    process); without a ScriptInfo, as Flask's `with_appcontext`: the current app, else one loaded."""

    @click.pass_context
    def run(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        info = ctx.find_object(ScriptInfo)
        if info is not None or not current_app:
            app = (info or ctx.ensure_object(ScriptInfo)).load_app()
            if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
                ctx.with_resource(app.app_context())
        return ctx.invoke(command, *args, **kwargs)

    return functools.update_wrapper(run, command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


def register(app: Flask) -> None:
    """Add the tracker's commands to the app, where the test runner (`app.test_cli_runner()`) finds them."""
    for command in COMMANDS:
        app.cli.add_command(command)


def group() -> TrackerGroup:
    """The `tracker` command group: Flask's commands (run, shell, routes), `db` and the tracker's."""
    cli = TrackerGroup(create_app=_create_app, help="ติดตามแผนปรับปรุง ITA — ITA improvement plan tracker.")
    for command in COMMANDS:
        cli.add_command(command)
    return cli


def main(args: list[str] | None = None) -> None:
    """Entry point of the `tracker` console script. `args` (default: the command line) lets a test run the same
    command in its own process; it ends, as the script does, with SystemExit and the command's exit code."""
    group().main(args=args, prog_name="tracker")


def reports_database_faults(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command; if the database cannot be used (locked, read-only, cannot open or connect), print one line
    saying what is wrong and what to do, and exit with ExitCode.DATABASE instead of a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Exception as error:
            from .extensions import db
            from .faults import ExitCode, database_fault

            fault = database_fault(error)
            if fault is None:
                raise  # a bug: its traceback is what a person needs
            try:
                db.session.rollback()
            except Exception:  # the connection may be gone too; the line below is what matters
                pass
            click.echo(fault.message, err=True)
        sys.exit(ExitCode.DATABASE)

    return run


def _migrations_group() -> click.Group:
    """Flask-Migrate's `db` group, whose `upgrade` says in one line (exit 3) that the database cannot be written, as
    the tracker's own commands do, instead of Alembic's traceback after its first lines: a copy of the group with
    `upgrade` wrapped, run in the command's own app (`with_app`); Flask-Migrate's own objects stay as they are."""
    # (types-Flask-Migrate has no stub of flask_migrate.cli)
    from flask_migrate.cli import db as group  # type: ignore[import-not-found]

    original = group.commands["upgrade"]
    assert original.callback is not None
    upgrade_command = copy.copy(original)
    upgrade_command.callback = _upgrade_checked(original.callback)
    wrapped = copy.copy(group)
    assert group.callback is not None
    wrapped.callback = with_app(group.callback)  # the command's own app, as for the tracker's commands
    wrapped.commands = {**group.commands, "upgrade": upgrade_command}
    return wrapped


# Flask-Migrate's `db` (Alembic, Mako, Pygments: a third of a second) is imported when it runs; its help is the one
# it has (tests/test_cli_start.py checks them the same).
migrations_group = LazyGroup("db", _migrations_group, help="Perform database migrations.")


def _upgrade_checked(upgrade_callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(upgrade_callback)
    def run(**options: Any) -> Any:
        if not options.get("sql"):  # --sql writes the SQL out and touches no database
            from . import schema
            from .extensions import db

            with db.engine.connect() as connection:
                if schema.behind(schema.revision_of(connection)) is not None:  # there is something to write
                    schema.check_writable(connection)
        return upgrade_callback(**options)

    return with_app(reports_database_faults(run))


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
@click.option("--org", "org_name",
              help="Organization to import into (default: the one the file names, or the only one).")
@click.option("--fiscal-year", type=int, help="Fiscal year (BE) of a CSV/XLSX/DOCX plan whose periods do not tell.")
@click.option("--indicator", "indicators", multiple=True, metavar="N=I[,I]",
              help="Link measure N to indicator(s) I, replacing the inferred link. Repeatable.")
@click.option("--allow-drafts", is_flag=True,
              help="Import rows without a period or a division as draft measures (no tasks) to complete on the web.")
@with_app
@reports_database_faults
def import_command(
    file: Path, dry_run: bool, as_json: bool, create_divisions: bool, org_name: str | None,
    fiscal_year: int | None, indicators: tuple[str, ...], allow_drafts: bool,
) -> None:
    """นำเข้าแผนจากรายงาน (.txt, .docx, .pdf), CSV หรือ XLSX — import a plan from a report, CSV or XLSX."""
    from sqlalchemy import select

    from .extensions import db
    from .faults import ExitCode
    from .models import Organization, Source
    from .plans import PlanFileError, import_plan
    from .plans.preview import preview_text

    organization = None
    if org_name:
        organization = db.session.scalar(select(Organization).where(Organization.name == org_name))
        if organization is None:
            raise click.ClickException(f"ไม่พบหน่วยงาน “{org_name}” (no such organization)")
    try:
        result = import_plan(
            file, None, organization=organization, fiscal_year=fiscal_year, create_divisions=create_divisions,
            indicator_choices=_parse_indicator_choices(indicators), allow_drafts=allow_drafts, dry_run=dry_run,
            source=Source.CLI,
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
        sys.exit(ExitCode.REFUSED)
    if result.status == "created":
        db.session.commit()
    else:
        db.session.rollback()
    if as_json:
        click.echo(json.dumps(result.preview, ensure_ascii=False, indent=2))
    else:
        click.echo(preview_text(result.preview, dry_run=dry_run))
    sys.exit(ExitCode.OK if result.ok else ExitCode.REFUSED)


@click.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def template_command(file: Path) -> None:
    """เขียนแม่แบบแผนเปล่า (.xlsx หรือ .csv) — write an empty plan template."""
    from .plans.sheets import write_template

    if file.exists():
        raise click.ClickException(f"{file} มีอยู่แล้ว — ไม่เขียนทับ (exists; not overwritten)")
    try:
        write_template(file)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"เขียนแม่แบบแล้ว: {file}")


def _reuse_or_start_over(fresh: bool) -> None:
    """Before the demo is built: say that the database exists and is used, or with `fresh` delete it (a SQLite file
    only, not open in another process); refuse a database that holds more than the demo."""
    from sqlalchemy.engine import make_url

    from . import demo
    from .extensions import db
    from .faults import ExitCode

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    path = demo.sqlite_file(url)
    where = str(path) if path else make_url(url).render_as_string(hide_password=True)
    if fresh and path is None:
        raise click.ClickException(f"--fresh ลบได้เฉพาะฐานข้อมูลตัวอย่างที่เป็นไฟล์ SQLite ไม่ลบ {where} "
                                   f"(--fresh deletes only a SQLite demo database: not {where}; drop it yourself "
                                   "if that is what you mean)")
    found = demo.found()
    db.session.remove()  # end the read: the migrations that follow alter these tables
    if found.other:
        refused = ("ไม่ลบ", "not deleted") if fresh else ("ไม่เพิ่มผู้ใช้ตัวอย่างลงไป", "no demo accounts added to it")
        raise click.ClickException(f"ฐานข้อมูล {where} มีข้อมูลที่ไม่ใช่ของตัวอย่าง: {found.other} — {refused[0]} "
                                   f"ใช้ DATABASE_URL อื่น (the database holds more than the demo: {refused[1]}; "
                                   "point DATABASE_URL at another database)")
    if fresh and path is not None and path.exists():
        from . import backup

        db.engine.dispose()  # this command's own connections must not count as another process's
        if backup.in_use(url):
            click.echo("ฐานข้อมูลตัวอย่างเปิดอยู่ในโปรเซสอื่น — หยุด tracker demo ที่รันอยู่ก่อน (another process has "
                       "the demo database open: stop the running demo first)", err=True)
            sys.exit(ExitCode.DATABASE)
        demo.delete_sqlite(path)
        click.echo(f"ลบฐานข้อมูลตัวอย่างเดิมแล้ว: {where} — สร้างใหม่ (deleted the demo database; building it anew)")
    elif found.demo:
        start_over = ("เริ่มใหม่ด้วย tracker demo --fresh", "start over with tracker demo --fresh") if path else (
            "เริ่มใหม่ด้วยฐานข้อมูลว่าง", "start over on an empty database")
        click.echo(f"ฐานข้อมูลมีอยู่แล้ว: {where} ใช้ต่อ — {start_over[0]} (the database exists: using it; "
                   f"{start_over[1]})")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-run", is_flag=True, help="Build the demo database and exit.")
@click.option("--staff", default=0, type=int, help="People in the demo office (e.g. 50 for a municipality like the "
              "seed's), to see how many LINE messages a month its plan costs.")
@click.option("--as-published", is_flag=True, help="Keep the seed plan as the report publishes it (fiscal year 2569, "
              "nothing done), e.g. for `tracker reminders --month FY2569`; by default the demo plan is moved into "
              "this fiscal year with its first months played out.")
@click.option("--fresh", is_flag=True, help="Delete the demo's database and build it anew, without asking: only a "
              "SQLite file holding nothing but the demo (its organization and people). Any other database, "
              "PostgreSQL or one with data of its own, is refused rather than asked about: the demo is a throwaway, a "
              "real database deleted by a habitual 'y' is not.")
@with_app
@reports_database_faults
def demo_command(host: str, port: int, no_run: bool, staff: int, as_published: bool, fresh: bool) -> None:
    """สร้างฐานข้อมูลตัวอย่างจากรายงานจริงแล้วเปิดเว็บ — build the demo from the seed report and serve it."""
    from . import demo
    from .extensions import db
    from .organization import DEFAULT_PUBLIC_URL
    from .processes import outside_app_context

    address = f"http://{host}:{port}"
    records_address = current_app.config["PUBLIC_URL"] == DEFAULT_PUBLIC_URL
    if records_address:
        # Messages link to task pages under the demo's own address, unless PUBLIC_URL was set on purpose: in this
        # process, and through the organization's recorded address for `tracker reminders` and `deliver` beside it.
        current_app.config["PUBLIC_URL"] = address
    from flask_migrate import upgrade  # with Alembic: only the commands that migrate import it

    _reuse_or_start_over(fresh)
    upgrade()
    built = demo.build(staff, as_published=as_published)
    if records_address:
        built.organization.public_url = address
    db.session.commit()
    if built.imported:
        tasks = sum(len(m.tasks) for m in built.plan.measures)
        click.echo(f"นำเข้ารายงานตัวอย่างแล้ว: มาตรการ {len(built.plan.measures)} งาน {tasks} "
                   f"(แผนปีงบประมาณ {built.plan.fiscal_year.year_be})")
    click.echo(f"หน่วยงาน: {built.organization.name}\nผู้ใช้ตัวอย่าง (รหัสผ่าน {demo.DEMO_PASSWORD}):")
    for user in built.users[:len(demo.DEMO_USERS)]:
        click.echo(f"  {user.username:<13} {user.role.value:<10} {user.display_name}")
    if len(built.users) > len(demo.DEMO_USERS):
        click.echo(f"  และอีก {len(built.users) - len(demo.DEMO_USERS)} คน (รวม {len(built.users)} คน)")
    if no_run:
        return
    click.echo(f"เปิดเว็บที่ http://{host}:{port}/ แล้วเข้าสู่ระบบเป็น mayor เพื่อดูภาพรวม หรือ clerk-head เพื่อติ๊กงาน"
               "  (Ctrl+C เพื่อหยุด)")
    # Flask's app.run() refuses to start inside a CLI command; the development server it wraps does not. It serves
    # outside this command's app context, as `tracker serve` does (tracker/processes.py).
    # (Flask types current_app as the Flask app, not as the LocalProxy it is, so mypy does not know this method.)
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    outside_app_context(run_simple, host, port, app, threaded=True)


@click.command("report")
@click.option("--org", "org_name", help="The organization (its full name); may be left out when there is only one.")
@click.option("--fiscal-year", "year_be", type=click.IntRange(FIRST_BE_YEAR, LAST_BE_YEAR), required=True,
              help="Fiscal year of the plan (BE), e.g. 2569.")
@click.option("--as-of", "as_of_text", help="The report's day: 2026-03-31, or in Thai 31 มี.ค. 2569 (default: the "
              "latest round ended, 6 months to 31 March or 12 months to 30 September, else today).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "xlsx"]), default="pdf", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--thai-digits", is_flag=True, help="Print every digit as a Thai digit (๑๒๓), as many agencies publish.")
@click.option("--signer", help="The executive's name under the signature line (default: a dotted line to write in).")
@with_app
@reports_database_faults
def report_command(org_name, year_be, as_of_text, fmt, output, thai_digits, signer) -> None:
    """Write the results report of a plan (the ITA's O26 in 2569) as PDF, DOCX or XLSX."""
    from . import clock
    from .errors import DomainError
    from .plans.current import NoSuchPlan
    from .publish import documents
    from .publish.results import build, public_evidence_url, round_for

    organizations = _organizations(org_name)
    if len(organizations) > 1:
        raise click.ClickException("มีหลายหน่วยงานในระบบ — ระบุ --org ชื่อหน่วยงาน: "
                                   + ", ".join(o.name for o in organizations[:5]))
    as_of = None
    if as_of_text:
        try:
            as_of = date.fromisoformat(as_of_text.strip())
        except ValueError:
            try:
                as_of = parse_be_date(as_of_text)
            except BEDateError as error:
                raise click.BadParameter(str(error), param_hint="--as-of") from None
    try:
        report = build(organizations[0], year_be, round_for(year_be, as_of, clock.today()),
                       evidence_url=public_evidence_url, thai_digits=thai_digits, signer_name=signer,
                       today=clock.today())
    except NoSuchPlan:
        raise click.ClickException(f"{organizations[0].name} ไม่มีแผนของปีงบประมาณ {year_be}") from None
    try:
        content = documents.render(report, fmt)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    output.write_bytes(content)
    click.echo(f"{output}: {report.organization} ปีงบประมาณ {year_be} {report.round_label}, "
               f"{len(report.measures)} มาตรการ, ความคืบหน้ารวม {report.overall_percent}%")


def _organizations(name: str | None) -> list[Organization]:
    from sqlalchemy import select

    from .extensions import db
    from .models import Organization

    query = select(Organization).order_by(Organization.id)
    if name:
        query = query.where(Organization.name == name)
    organizations = list(db.session.scalars(query).all())
    if not organizations:
        raise click.ClickException(f"ไม่พบหน่วยงาน “{name}”" if name else "ยังไม่มีหน่วยงานในระบบ")
    return organizations


def _print_plan(organization: Organization, day) -> None:
    from .labels import UNREACHABLE, label
    from .models import Role
    from .organization import public_url
    from .reminders import outbox
    from .reminders.digest import render_digest

    real = outbox.plan_for(organization, day)
    everyone = outbox.plan_for(organization, day, as_if_all_linked=True)
    linked = {digest.person.id for digest in real.digests}
    click.echo(f"{format_date(day)}: {real.message_count} ข้อความถึงผู้ที่เชื่อม LINE "
               f"(ถ้าทุกคนเชื่อม: {everyone.message_count})")
    for digest in everyone.digests:
        note = "" if digest.person.id in linked else f"  [{UNREACHABLE['not_linked']}: จะไม่ได้รับ]"
        click.echo(f"\n--- ถึง {digest.person.name} ({label(Role(digest.person.role))}){note} ---")
        click.echo(render_digest(digest, public_url(organization)))
    inactive = [u for u in real.unreachable if u.reason == "inactive"]
    for item in inactive:
        click.echo(f"\nข้าม {item.person.name}: {UNREACHABLE['inactive']} — มอบหมายงานของเขาให้คนอื่น")
    for item in (u for u in real.unreachable if u.reason == "no_line"):
        click.echo(f"\nข้าม {item.person.name}: {UNREACHABLE['no_line']}")


@click.command("reminders")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day (YYYY-MM-DD, CE).")
@click.option("--month", help="Count messages per day of a month (YYYY-MM) or a fiscal year (FY2569).")
@click.option("--dry-run", is_flag=True, help="Only show who would get what; write nothing.")
@click.option("--as-is", is_flag=True, help="With --month: keep open tasks open past their due date "
              "(overdue reminders counted) instead of assuming each is done on time.")
@click.option("--org", "org_name", help="One organization (default: all).")
@with_app
@reports_database_faults
def reminders_command(on, month, dry_run, as_is, org_name) -> None:
    """แจ้งเตือนของวัน หรือจำนวนข้อความต่อเดือน — a day's reminders, or messages per day of a month."""
    if bool(on) == bool(month):
        raise click.UsageError("give either --on YYYY-MM-DD or --month YYYY-MM")
    from .extensions import db
    from .reminders import forecast, outbox

    organizations = _organizations(org_name)
    if on and not dry_run:
        # Every organization's day at once, a batch at a time, reading only the tasks due a reminder that day.
        day, swept = on.date(), {}
        names = [(o.id, o.name) for o in organizations]  # read before the commits below expire them
        for results in outbox.sweep_batches(day, [id_ for id_, _ in names]):
            db.session.commit()
            swept.update(results)
        for organization_id, name in names:
            result = swept.get(organization_id)
            click.echo(f"== {name}")
            click.echo(f"{format_date(day)}: เพิ่ม {result.created if result else 0} ข้อความลงกล่องส่ง "
                       f"(มีอยู่แล้ว {result.existing if result else 0}); {_when_sent(day)}")
        return
    for organization in organizations:
        click.echo(f"== {organization.name}")
        if on:
            _print_plan(organization, on.date())
            continue
        start, end = _month_range(month)
        counts = forecast.forecast(organization, start, end, assume_done_on_time=not as_is)
        _print_counts(counts, month)


def _when_sent(day) -> str:
    """Say when a swept day's messages go out: a later day's wait in the outbox for it (delivery never sends early)."""
    from . import clock

    if day > clock.today():
        return (f"ข้อความจะรอในกล่องส่งจนถึงวันที่ {format_date(day)} แล้วจึงส่ง "
                f"(the messages wait for their day, {day.isoformat()}: the scheduler or `tracker deliver` on that day "
                "sends them)")
    return "ส่งด้วย `tracker deliver`"


def _month_range(text: str):
    from calendar import monthrange
    from datetime import date

    text = text.strip().upper()
    if text.startswith("FY"):
        return fiscal_year_bounds(int(text[2:]))
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1), date(year, month, monthrange(year, month)[1])
    except ValueError:
        raise click.BadParameter(f"“{text}”: expected YYYY-MM (e.g. 2026-03) or FY2569") from None


def _print_counts(counts, label: str) -> None:
    from itertools import groupby

    from .labels import MESSAGE_KIND
    from .reminders.forecast import by_kind

    months = [(key, list(days)) for key, days in groupby(counts, key=lambda c: (c.day.year, c.day.month))]
    for (year, month), days in months:
        if len(months) == 1:
            for count in days:
                if count.if_all_linked:
                    click.echo(
                        f"  {format_date(count.day)}  {count.messages:4d}  (ถ้าทุกคนเชื่อม LINE: {count.if_all_linked})"
                    )
        total = sum(c.messages for c in days)
        everyone = sum(c.if_all_linked for c in days)
        # by kind, were everyone linked: what the month would cost once they are
        kinds = " · ".join(f"{MESSAGE_KIND[kind]} {count}"
                           for kind, count in by_kind(days, if_all_linked=True).items())
        click.echo(f"{MONTHS_SHORT[month - 1]} {be_year(year)}: {total} ข้อความ (ถ้าทุกคนเชื่อม LINE: {everyone})"
                   f" — {kinds}")


@click.command("deliver")
@with_app
@reports_database_faults
def deliver_command() -> None:
    """ส่งข้อความที่ค้างในกล่องส่ง — deliver what is pending in the outbox now."""
    from .line.channel import channel_for
    from .reminders import outbox

    for organization in _organizations(None):
        channel = channel_for(organization.id)
        result = outbox.deliver(channel, organization_ids=[organization.id])
        click.echo(f"{organization.name} ({channel.name}): ส่งแล้ว {result.sent}, รอส่งใหม่ {result.retried}, "
                   f"ล้มเหลว {result.failed}")


@click.command("scheduler")
@with_app
@reports_database_faults
def scheduler_command() -> None:
    """รันตัวตั้งเวลาส่งแจ้งเตือน (โปรเซสแยก) — run the reminder scheduler, as its own process."""
    from jobs import scheduler

    scheduler.run(current_app._get_current_object())  # type: ignore[attr-defined]  # the app behind the proxy


@click.group("line")
def line_group() -> None:
    """ตั้งค่าบัญชี LINE Official Account — set up the LINE Official Account."""


@line_group.command("setup")
@click.option("--org", "org_name", help="The organization whose channel to set up (LINE_CHANNELS); default: the "
              "deployment's channel (LINE_CHANNEL_ACCESS_TOKEN).")
@with_app
@reports_database_faults
def setup_command(org_name: str | None) -> None:
    """ติดตั้งเมนูลัดใต้แชต (งานของฉัน · สรุป · เปิดเว็บ) ให้ทุกคน — install the rich menu as everyone's default."""
    from sqlalchemy import select

    from .extensions import db
    from .line import richmenu  # the LINE SDK and Pillow: this command's alone
    from .line.channel import credentials_for
    from .models import Organization

    config = current_app.config
    token = config.get("LINE_CHANNEL_ACCESS_TOKEN")
    if org_name:
        organization = db.session.scalar(select(Organization).where(Organization.name == org_name))
        if organization is None:
            raise click.ClickException(f"ไม่พบหน่วยงาน “{org_name}”")
        token = credentials_for(organization.id).token
    if not token:
        raise click.ClickException("ยังไม่ได้ตั้ง LINE_CHANNEL_ACCESS_TOKEN — ใส่ token ของบัญชี LINE OA ก่อน "
                                   "(no channel access token configured; nothing was sent)")
    base_url = config["PUBLIC_URL"]
    host = urlsplit(base_url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."):
        click.echo(f"คำเตือน: PUBLIC_URL คือ {base_url} — ปุ่ม “เปิดเว็บ” บนมือถือจะเปิดไม่ได้; ตั้ง PUBLIC_URL "
                   "เป็นที่อยู่จริงแล้วรันใหม่ (warning: phones cannot open this address)", err=True)
    try:
        menu_id = richmenu.setup(token, config["LINE_API_HOST"], config["LINE_DATA_HOST"], base_url,
                                 config["LINE_TIMEOUT_SECONDS"])
    except ValueError as error:
        raise click.ClickException(f"PUBLIC_URL ใช้ไม่ได้: {error}") from None
    except richmenu.RichMenuError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"ตั้งเมนูลัดเป็นเมนูหลักแล้ว (rich menu set as default): {menu_id}")


# --- production: the web service, backups ------------------------------------------------------------------------


@click.command("serve")
@click.option("--bind", help="host:port or unix:/path of a socket (default: the BIND setting, 127.0.0.1:8000).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes (default: the WEB_WORKERS setting, else 2 × CPU cores + 1).")
@with_app
@reports_database_faults
def serve_command(bind: str | None, workers: int | None) -> None:
    """เปิดเว็บสำหรับใช้งานจริง (gunicorn) — serve the app in production with gunicorn; never runs the scheduler."""
    from config.defaults import address

    from . import schema, serve
    from .extensions import db
    from .faults import ExitCode

    if bind is not None:
        try:
            bind = address(bind)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--bind") from None
    with db.engine.connect() as connection:
        problem = schema.behind(schema.revision_of(connection))
    if problem:
        click.echo(f"ฐานข้อมูลยังไม่พร้อม (the database is not ready): {problem}", err=True)
        sys.exit(ExitCode.DATABASE)
    serve.run(current_app._get_current_object(), bind=bind, workers=workers)  # type: ignore[attr-defined]


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--wait", type=click.FloatRange(min=0), metavar="SECONDS",
              help="How long to wait for a database another process holds locked before giving up with exit code 3 "
                   "(default: 30).")
@with_app
@reports_database_faults
def backup_command(file: Path, wait: float | None) -> None:
    """สำรองฐานข้อมูลลงไฟล์ ขณะระบบทำงานอยู่ก็ได้ — back up the database to FILE, safe while the app runs (SQLite: the
    online backup API; PostgreSQL: pg_dump --format=custom)."""
    from . import backup

    try:
        made = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], file,
                             wait=backup.LOCK_WAIT_SECONDS if wait is None else wait)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(error.exit_code)
    click.echo(f"สำรองแล้ว: {made.path} ({made.kind}, {_size(made.size)}, schema {made.revision})")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_app
@reports_database_faults
def restore_command(file: Path, yes: bool) -> None:
    """กู้ฐานข้อมูลจากไฟล์สำรอง (หยุด tracker-web และ tracker-scheduler ก่อน) — replace the database with a backup
    made by `tracker backup`; stop the web service and the scheduler first."""
    from sqlalchemy.engine import make_url

    from . import backup, schema
    from .extensions import db
    from .faults import ExitCode

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    shown = make_url(url).render_as_string(hide_password=True)
    db.session.remove()
    db.engine.dispose()  # this command's own connections must not count as another process's
    try:
        made = backup.check_restorable(file, url)
        if backup.in_use(url):
            raise backup.BackupError(
                "ฐานข้อมูลกำลังถูกใช้ — หยุดบริการก่อน: sudo systemctl stop tracker-web tracker-scheduler "
                "(another process has the database open: stop the web service and the scheduler, then try again)",
                ExitCode.DATABASE)
        click.echo(f"ไฟล์สำรอง {file}: {made.kind}, {_size(made.size)}, schema {made.revision}")
        if not yes:
            click.confirm(f"แทนที่ฐานข้อมูล {shown} ด้วยไฟล์นี้? (replace the database with this backup?)",
                          abort=True)
        if backup.has_data(url):
            kept = backup.backup(url, backup.keep_path(file, made.kind, datetime.now()))
            click.echo(f"เก็บฐานข้อมูลเดิมไว้ที่ {kept.path} (the database replaced is kept there)")
        revision = backup.restore(made, url)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(error.exit_code)
    click.echo(f"กู้ข้อมูลแล้ว: {shown} (schema {revision})")
    problem = schema.behind(revision)
    if problem:
        click.echo(f"ต่อไป: {problem}")
    click.echo("แล้วเปิดบริการอีกครั้ง: sudo systemctl start tracker-web tracker-scheduler")


# --- the deployment's administrators -----------------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """ผู้ใช้ของทั้งระบบ — the people of the whole deployment."""


@users_group.command("deployment-admin")
@click.argument("username", required=False)
@click.option("--revoke", is_flag=True, help="Take it away instead.")
@with_app
@reports_database_faults
def deployment_admin_command(username: str | None, revoke: bool) -> None:
    """ตั้งผู้ดูแลระบบของทั้งระบบ ผู้เดียวที่แก้ข้อ OIT ของแต่ละปีได้ — make USERNAME the deployment's administrator,
    above every agency's admins: the one who sets the OIT items all agencies publish under; without USERNAME, list
    them."""
    from sqlalchemy import select

    from . import people
    from .extensions import db
    from .models import Source, User

    if username is None:
        if revoke:
            raise click.UsageError("--revoke needs the USERNAME whose role to take away")
        admins = db.session.scalars(select(User).where(User.is_deployment_admin.is_(True)).order_by(User.username))
        found = False
        for admin in admins:
            found = True
            off = "" if admin.active else " — ปิดใช้งาน (inactive)"
            click.echo(f"  {admin.username:<20} {admin.display_name} ({admin.organization.name}){off}")
        if not found:
            click.echo("ยังไม่มีผู้ดูแลระบบของทั้งระบบ (no deployment administrator yet)")
        return
    user = db.session.scalar(select(User).where(User.username == people.normalise_username(username)))
    if user is None:
        raise click.ClickException(f"ไม่พบผู้ใช้ “{username}” (no such user)")
    changed = people.set_deployment_admin(user, not revoke, source=Source.CLI)
    db.session.commit()
    name = f"{user.display_name} ({user.username}, {user.organization.name})"
    if not changed:
        click.echo(f"ไม่มีอะไรเปลี่ยนแปลง: {name} {'ไม่ได้' if revoke else ''}เป็นผู้ดูแลระบบของทั้งระบบอยู่แล้ว")
    elif revoke:
        click.echo(f"{name} ไม่เป็นผู้ดูแลระบบของทั้งระบบแล้ว")
    else:
        click.echo(f"{name} เป็นผู้ดูแลระบบของทั้งระบบแล้ว: กำหนดข้อ OIT ของแต่ละปีได้ที่ /admin/oit-items")


# The tracker's commands, in the group of `tracker` (main) and the app's (register).
COMMANDS: tuple[click.Command, ...] = (
    import_command, template_command, demo_command, reminders_command, deliver_command, scheduler_command, line_group,
    serve_command, backup_command, restore_command, report_command, users_group, migrations_group,
)
