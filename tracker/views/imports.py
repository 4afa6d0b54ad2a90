"""Importing a plan from the web: upload a file, check the preview (and the indicator links), confirm or cancel.

The uploaded file waits in `<instance>/imports/` under a random token between the preview and the confirmation,
outside the web root, beside a small JSON note saying whose organization uploaded it and what the file was called.
Every route is the administrator's (Action.IMPORT_PLAN); a token is only ever 32 hex digits and only usable by the
organization that uploaded it.
"""
from __future__ import annotations

import io
import json
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from ..access import Action, require
from ..extensions import db
from ..forms import ActionForm, ConfirmImportForm, UploadForm
from ..ita import PASS_LINE
from ..labels import INDICATOR_SOURCE
from ..models import IndicatorSource, Source
from ..plans import MAX_PLAN_FILE_BYTES, UPLOAD_SUFFIXES, PlanFileError, RowChoice, import_plan, too_large
from ..plans.preview import spelling_text
from ..plans.sheets import TEMPLATE_HEADER, write_template
from ..thai import format_period

bp = Blueprint("imports", __name__)

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 60 * 60  # a preview nobody confirmed or cancelled is dropped a day later
TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


# --- the waiting file ----------------------------------------------------------------------------------------------


@dataclass
class Upload:
    token: str
    organization_id: int
    name: str  # as the person uploaded it: shown in messages and kept as the plan's source
    suffix: str

    @property
    def path(self) -> Path:
        return folder() / f"{self.token}{self.suffix}"


def folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _note_path(token: str) -> Path:
    return folder() / f"{token}.json"


def _save(data: bytes, name: str, suffix: str) -> Upload:
    _drop_stale()
    upload = Upload(secrets.token_hex(16), current_user.organization_id, name, suffix)
    folder().mkdir(parents=True, exist_ok=True)
    upload.path.write_bytes(data)
    note = {"organization_id": upload.organization_id, "user_id": current_user.id, "name": name, "suffix": suffix}
    _note_path(upload.token).write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
    return upload


def _load(token: str) -> Upload:
    """Return the waiting upload of the person's organization, or 404 for anything else: no path is built from
    anything but 32 hex digits and a suffix from our own list."""
    if not TOKEN.fullmatch(token):
        abort(404)
    try:
        note = json.loads(_note_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        abort(404)
    if note.get("organization_id") != current_user.organization_id or note.get("suffix") not in UPLOAD_SUFFIXES:
        abort(404)
    upload = Upload(token, note["organization_id"], str(note.get("name") or f"plan{note['suffix']}"), note["suffix"])
    if not upload.path.is_file():
        abort(404)
    return upload


def _discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)
    _note_path(upload.token).unlink(missing_ok=True)


def _drop_stale() -> None:
    if not folder().is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for path in folder().iterdir():
        if TOKEN.fullmatch(path.name.split(".", 1)[0]) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


# --- what the pages show -------------------------------------------------------------------------------------------


def _days(data: dict) -> dict:
    """Turn the preview's ISO dates into dates the templates format in the Buddhist Era."""
    start, end = date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
    measures = []
    for measure in data["measures"]:
        measures.append(
            {
                **measure,
                "start": date.fromisoformat(measure["start"]) if measure["start"] else None,
                "end": date.fromisoformat(measure["end"]) if measure["end"] else None,
                "step_dues": [(t["text"], date.fromisoformat(t["due"]) if t["due"] else None)
                              for t in measure["tasks"]],
                "source_label": INDICATOR_SOURCE[IndicatorSource(measure["indicator_source"])],
            }
        )
    return {**data, "measures": measures, "period_text": format_period(start, end)}


def _preview_page(
    upload: Upload | None, data: dict, create_divisions: bool, status_code: int = 200,
    fill: dict[int, dict] | None = None,
):
    """The preview; `fill` is what the person is completing of each row the file left a draft (position -> what the
    row lacks and what they typed), from _fill."""
    confirmable = upload is not None and not data["problems"] and data["status"] in ("would_create", "unchanged")
    if fill is None:
        fill = {position: {"lacks": m["draft"], "period": "", "divisions": []}
                for position, m in enumerate(data["measures"], start=1) if m["draft"]}
    return render_template(
        "imports/preview.html",
        upload=upload,
        data=_days(data),
        confirmable=confirmable,
        confirm_form=ConfirmImportForm(create_divisions="y" if create_divisions else ""),
        cancel_form=ActionForm(),
        pass_line=PASS_LINE,
        spellings=[spelling_text(spelling) for spelling in data["division_spellings"]],
        fill=fill,
        division_options=_division_options(data),
        drafts=sum(1 for m in data["measures"] if m["draft"]),
    ), status_code


def _division_options(data: dict) -> list[str]:
    """The divisions a person may give a row without one: the organization's, and those the import creates."""
    names = [d.name for d in current_user.organization.divisions] if current_user.organization else []
    return names + [name for name in data["divisions_to_create"] if name not in names]


def _upload_page(form: UploadForm, problems: list[str] | None = None, status_code: int = 200):
    # The smaller of a plan's own limit and the requests' (which the evidence files' setting sets).
    largest = min(MAX_PLAN_FILE_BYTES / 2**20, current_app.config["MAX_UPLOAD_MB"])
    return render_template(
        "imports/new.html", form=form, problems=problems or [], accepted=UPLOAD_SUFFIXES,
        template_header=TEMPLATE_HEADER, largest_mb=f"{largest:g}",
    ), status_code


# --- routes --------------------------------------------------------------------------------------------------------


@bp.get("/imports/new")
@login_required
def new():
    require(current_user, Action.IMPORT_PLAN)
    return _upload_page(UploadForm())


@bp.get("/imports/template.<any(xlsx, csv):kind>")
@login_required
def template(kind: str):
    """Hand out an empty plan template, written by the same code the CLI's `tracker template` uses."""
    require(current_user, Action.IMPORT_PLAN)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"ita-plan-template.{kind}"
        write_template(path)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), mimetype=TEMPLATE_TYPES[kind], as_attachment=True, download_name=path.name)


@bp.post("/imports")
@login_required
def upload():
    """Save the file, run the import as a dry run, and show what it would create."""
    require(current_user, Action.IMPORT_PLAN)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, status_code=400)
    name = Path((form.file.data.filename or "").replace("\\", "/")).name.strip()[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        problem = (
            f"ไม่รับไฟล์ชนิดนี้: “{name}” — รับ .txt (ข้อความรายงาน), .docx (รายงาน Word), .pdf, .csv หรือ .xlsx "
            "(file type not accepted)"
        )
        return _upload_page(form, [problem], 400)
    # Read one byte past the plan's limit, never the whole stream: MAX_CONTENT_LENGTH is the evidence files' limit,
    # larger than any plan, and a file past the plan's limit is refused without being kept.
    data = form.file.data.stream.read(MAX_PLAN_FILE_BYTES + 1)
    if not data:
        return _upload_page(form, [f"ไฟล์ “{name}” ว่าง (the file is empty)"], 400)
    if len(data) > MAX_PLAN_FILE_BYTES:
        return _upload_page(form, [too_large(name)], 413)
    saved = _save(data, name, suffix)
    create_divisions = bool(form.create_divisions.data)
    try:
        result = import_plan(
            saved.path, current_user, source_name=name, organization=current_user.organization,
            create_divisions=create_divisions, allow_drafts=True, dry_run=True, source=Source.WEB,
        )
    except PlanFileError as error:
        db.session.rollback()
        _discard(saved)
        return _upload_page(form, error.problems, 400)
    except Exception:
        db.session.rollback()
        _discard(saved)
        raise
    db.session.rollback()  # a dry run writes nothing; make sure nothing it touched lingers
    if result.problems:
        _discard(saved)  # nothing to confirm: the person fixes the file and uploads again
        return _preview_page(None, result.preview, create_divisions, 400)
    return _preview_page(saved, result.preview, create_divisions)


def _shown(upload: Upload, create_divisions: bool) -> dict:
    """The preview as the file alone gives it (what the person saw first): which rows are drafts, which indicator
    links the file states."""
    shown = import_plan(
        upload.path, current_user, source_name=upload.name, organization=current_user.organization,
        create_divisions=create_divisions, allow_drafts=True, dry_run=True, source=Source.WEB,
    ).preview
    db.session.rollback()
    return shown


def _fill(shown: dict) -> dict[int, dict]:
    """What the person typed for each row the file left a draft: its period, the divisions ticked (each one offered,
    or the request is not this page's)."""
    offered = set(_division_options(shown))
    fill: dict[int, dict] = {}
    for position, measure in enumerate(shown["measures"], start=1):
        if not measure["draft"]:
            continue
        period = " ".join(request.form.get(f"period-{position}", "").split())[:200]
        divisions = request.form.getlist(f"divisions-{position}")
        if any(name not in offered for name in divisions):
            abort(400)
        fill[position] = {"lacks": measure["draft"], "period": period, "divisions": divisions}
    return fill


def _row_choices(fill: dict[int, dict]) -> dict[int, RowChoice]:
    return {position: RowChoice(row["period"] or None, tuple(row["divisions"])) for position, row in fill.items()}


def _indicator_choices(shown: dict) -> dict[int, list[int]]:
    """Read the ticked indicators per measure. A link the file stated and the person left alone stays "explicit";
    every other measure's ticks are what the person confirmed."""
    numbers = {int(n) for n in shown["indicator_names"]}
    choices: dict[int, list[int]] = {}
    for position, measure in enumerate(shown["measures"], start=1):
        ticked = set()
        for value in request.form.getlist(f"indicators-{position}"):
            if not value.isdigit() or int(value) not in numbers:
                abort(400)
            ticked.add(int(value))
        if measure["indicator_source"] == IndicatorSource.EXPLICIT and ticked == set(measure["indicators"]):
            continue
        choices[position] = sorted(ticked)
    return choices


@bp.post("/imports/<token>/confirm")
@login_required
def confirm(token: str):
    """Import the waiting file for real, with the indicator links the person ticked and what they gave the rows the
    file left drafts, in one transaction; or, with the "check" button, show the preview again with those (the file
    kept), so a period typed is seen as its dates before anything is written. A row still incomplete comes in as a
    draft, to complete on the measure's page."""
    require(current_user, Action.IMPORT_PLAN)
    saved = _load(token)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    create_divisions = form.create_divisions.data == "y"
    shown = _shown(saved, create_divisions)
    fill = _fill(shown)
    checking = request.form.get("action") == "check"
    try:
        result = import_plan(
            saved.path, current_user, source_name=saved.name, organization=current_user.organization,
            create_divisions=create_divisions, indicator_choices=_indicator_choices(shown),
            row_choices=_row_choices(fill), allow_drafts=True, dry_run=checking, source=Source.WEB,
        )
    except PlanFileError as error:
        db.session.rollback()
        _discard(saved)
        return _upload_page(UploadForm(), error.problems, 400)
    if checking:
        db.session.rollback()
        return _preview_page(saved, result.preview, create_divisions, 200 if result.ok else 400, fill)
    if result.status == "created":
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        _discard(saved)
        drafts = sum(1 for m in result.preview["measures"] if m["draft"])
        flash(f"นำเข้าแผนแล้ว: มาตรการ {len(result.preview['measures'])} รายการ "
              f"งาน {result.preview['task_count']} งาน"
              + (f" — มาตรการร่าง {drafts} รายการ กรอกช่วงเวลาและผู้รับผิดชอบในหน้ามาตรการ" if drafts else ""),
              "success")
        return redirect(url_for("dashboard.index"))
    db.session.rollback()
    _discard(saved)
    if result.status == "unchanged":
        flash("นำเข้าไว้แล้ว — แผนนี้มีอยู่ในระบบแล้ว ไม่มีอะไรเปลี่ยน", "info")
        return redirect(url_for("dashboard.index"))
    return _preview_page(None, result.preview, create_divisions, 400)


@bp.post("/imports/<token>/cancel")
@login_required
def cancel(token: str):
    require(current_user, Action.IMPORT_PLAN)
    saved = _load(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    _discard(saved)
    flash("ยกเลิกการนำเข้าแล้ว ลบไฟล์ที่อัปโหลดแล้ว", "info")
    return redirect(url_for("imports.new"))
