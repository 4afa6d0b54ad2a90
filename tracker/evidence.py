"""Evidence: files checked by size and by what their bytes are, stored outside the web root under generated names;
and a head's review of each piece (accepted, or sent back with the reason), which decides what may be made public.

Evidence is public only when a head (or the administrator) says so, and only once accepted: a staff member's upload
may hold personal data (PDPA). Each change checks permission through `access` and writes the audit trail, on the
evidence's task (its history is where the staff member reads why), in the caller's transaction. What waits for a
head is read here too: the review queue, oldest first, and how much waits (My tasks, the board, the weekly digest).
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload
from werkzeug.datastructures import FileStorage

from . import audit, clock
from .access import Action, can, require, reviewable_evidence, scoped
from .errors import DomainError
from .extensions import db
from .fields import free_text
from .models import AuditAction, Evidence, EvidenceFile, EvidenceReview, Measure, Source, Task, User

MAX_REVIEW_REASON = 1000

# Extension -> (content type, how the file's first bytes start). Checking the bytes, not only the name, keeps an
# HTML page renamed to .pdf out of the store.
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "webp": ("image/webp", (b"RIFF",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


# A host name (with a dot) at the start, then an optional port and path: "www.x.go.th/a", "x.go.th:8080".
_LOOKS_LIKE_HOST = re.compile(r"[\w-]+(\.[\w-]+)+(:\d+)?(/|$)")


@dataclass
class StoredFile:
    path: str  # relative to the upload folder
    name: str  # as the person uploaded it
    content_type: str
    size: int
    sha256: str | None = None  # of the bytes stored (LINE content, tracker/line/content.py)
    width: int | None = None  # a photo's pixels, as stored (upright)
    height: int | None = None


def upload_folder() -> Path:
    """Return the folder evidence files live in (UPLOAD_FOLDER, or instance/uploads)."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def max_bytes() -> int:
    """Return the largest evidence file accepted, in bytes."""
    return int(current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


def check_url(url: str) -> str:
    """Return a link given as evidence as a web address; anything else (javascript:, file:) is refused.

    People paste "www.bangkrabue.go.th/ita/o25" without a scheme, as browsers show addresses: such a link is taken as
    https, the scheme every government site serves.
    """
    url = url.strip()
    if "://" not in url and _LOOKS_LIKE_HOST.match(url):
        url = "https://" + url
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000 or any(c.isspace() for c in url):
        raise DomainError("ลิงก์หลักฐานต้องเป็นที่อยู่เว็บ เช่น https://www.example.go.th/ita (a web address is expected)")
    return url


def store(upload: FileStorage, organization_id: int) -> StoredFile:
    """Check an uploaded file and save it under a generated name; raise DomainError saying what is wrong."""
    name = Path(upload.filename or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise DomainError(
            f"ไม่รับไฟล์ชนิดนี้: “{name}” — รับ {', '.join(sorted(ALLOWED))} (file type not accepted)", 415
        )
    content_type, signatures = ALLOWED[extension]
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(f"ไฟล์ใหญ่เกิน {limit // (1024 * 1024)} MB (file too large)", 413)
    if not data:
        raise DomainError("ไฟล์ว่าง (the file is empty)")
    if not data.startswith(signatures):
        raise DomainError(f"เนื้อไฟล์ “{name}” ไม่ใช่ไฟล์ .{extension} จริง (content does not match the type)", 415)
    relative = Path(str(organization_id)) / f"{uuid.uuid4().hex}.{extension}"
    target = upload_folder() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return StoredFile(str(relative), name[:300], content_type, len(data))


def discard(stored: StoredFile) -> None:
    """Remove a stored file whose database row was not written (the transaction failed)."""
    (upload_folder() / stored.path).unlink(missing_ok=True)


def path_of(relative: str) -> Path:
    """Return the absolute path of a stored file, refusing anything that would leave the upload folder."""
    folder = upload_folder().resolve()
    target = (folder / relative).resolve()
    if folder not in target.parents:
        raise DomainError("ไม่พบไฟล์", 404)
    return target


def same_file_elsewhere(items: Sequence[Evidence]) -> set[int]:
    """Return the ids of these pieces' files (EvidenceFile) whose bytes (by SHA-256) are also a file of evidence of
    another task, of this organization or another, in one query through the index on evidence_file.sha256: the LINE
    reply and the review queue say so, file by file. Only that is told, nothing of the other task (another agency's
    is not theirs to read)."""
    files = [(item, file) for item in items for file in item.files if file.sha256]
    hashes = sorted({file.sha256 for _, file in files if file.sha256})
    if not hashes:
        return set()
    tasks: dict[str, set[int]] = {}
    for digest, task_id in db.session.execute(
            select(EvidenceFile.sha256, Evidence.task_id).join(Evidence, Evidence.id == EvidenceFile.evidence_id)
            .where(EvidenceFile.sha256.in_(hashes)).distinct()):
        tasks.setdefault(cast(str, digest), set()).add(task_id)  # one of the hashes asked for, never None
    return {file.id for item, file in files if tasks.get(cast(str, file.sha256), set()) - {item.task_id}}


# --- review and publishing -----------------------------------------------------------------------------------------


def describe(item: Evidence) -> str:
    """Name a piece of evidence as a person knows it: its file's name (the first, and how many more), or its link."""
    if item.files:
        more = len(item.files) - 1
        return item.files[0].file_name + (f" และอีก {more} ไฟล์" if more else "")
    return item.url or f"หลักฐาน #{item.id}"


def start_review(item: Evidence, actor: User) -> None:
    """Give new evidence its first review state: accepted when its author may review it (a head of the task's
    division), pending otherwise, for the head to look at."""
    if can(actor, Action.REVIEW_EVIDENCE, item):
        item.review, item.reviewed_by, item.reviewed_at = EvidenceReview.ACCEPTED, actor, clock.now()
        item.reviewed_by_id = actor.id  # now, not at the flush: the trail's snapshot of the new row reads it
    else:
        item.review = EvidenceReview.PENDING


def _state(item: Evidence) -> dict[str, Any]:
    return {"evidence_id": item.id, "review": item.review.value, "review_reason": item.review_reason,
            "public": item.public}


def _named(item: Evidence) -> dict[str, Any]:
    # Which piece, named in the after only: the task's history then says it beside what changed.
    return {"evidence": describe(item), **_state(item)}


def review(item: Evidence, actor: User, accepted: bool, reason: str | None, *, source: Source) -> bool:
    """Accept a piece of evidence, or send it back as needing work with the reason (which also takes it off the
    public pages); tell whether anything changed."""
    require(actor, Action.REVIEW_EVIDENCE, item)
    reason = free_text(reason, "เหตุผลที่ต้องแก้ไข" if not accepted else "หมายเหตุการตรวจ", MAX_REVIEW_REASON,
                       required=not accepted)
    verdict = EvidenceReview.ACCEPTED if accepted else EvidenceReview.NEEDS_WORK
    if item.review is verdict and item.review_reason == reason:
        return False
    before = _state(item)
    item.review, item.review_reason = verdict, reason
    item.reviewed_by, item.reviewed_at = actor, clock.now()
    if not accepted:
        item.public = False  # what needs work is not shown to the public meanwhile
    audit.record(actor, AuditAction.EVIDENCE_REVIEW, item.task, before=before, after=_named(item), source=source)
    return True


def publish(item: Evidence, actor: User, public: bool, *, source: Source) -> bool:
    """Show a piece of accepted evidence on the public pages, or take it off; tell whether anything changed."""
    require(actor, Action.REVIEW_EVIDENCE, item)
    if public and item.review is not EvidenceReview.ACCEPTED:
        raise DomainError("เผยแพร่ได้เฉพาะหลักฐานที่ตรวจแล้วว่าผ่าน — ตรวจหลักฐานก่อน (only accepted evidence can be"
                          " public)", 409)
    if item.public is public:
        return False
    before = _state(item)
    item.public = public
    audit.record(actor, AuditAction.EVIDENCE_PUBLISH, item.task, before=before, after=_named(item), source=source)
    return True


# --- what needs work -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedsWork:
    """A task whose evidence was sent back, with the head's reason."""

    task_id: int
    step_text: str
    reason: str | None


def _unanswered() -> ColumnElement[bool]:
    """Evidence sent back and not yet answered: no newer evidence on its task. A staff member answers by adding
    evidence again (they cannot take the old one away), and the head then looks at the new one."""
    newer = aliased(Evidence)
    return (Evidence.review == EvidenceReview.NEEDS_WORK) & ~exists().where(
        newer.task_id == Evidence.task_id, newer.id > Evidence.id
    )


def answered(item: Evidence) -> bool:
    """Tell whether evidence sent back was followed by newer evidence on its task (the loaded list, no query)."""
    return any(other.id > item.id for other in item.task.evidence)


def needing_work_for(user_ids: Iterable[int]) -> dict[int, list[NeedsWork]]:
    """Return, per person, the tasks whose evidence they added was sent back and not yet answered, in one query
    (through the index on evidence's author and review): what the LINE digest tells each of them."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Evidence.created_by_id, Task.id, Task.step_text, Evidence.review_reason)
        .join(Task, Task.id == Evidence.task_id)
        .where(Evidence.created_by_id.in_(ids), _unanswered())
        .order_by(Evidence.created_by_id, Task.due_date, Task.id, Evidence.id)
    )
    found: dict[int, list[NeedsWork]] = {}
    for user_id, task_id, step_text, reason in rows:  # user_id is one of the ids asked for, never None
        found.setdefault(cast(int, user_id), []).append(NeedsWork(task_id, step_text, reason))
    return found


def tasks_needing_work(task_ids: Iterable[int]) -> set[int]:
    """Return which of these tasks have evidence sent back and not yet answered (my tasks marks them)."""
    ids = sorted(set(task_ids))
    if not ids:
        return set()
    return set(db.session.scalars(
        select(Evidence.task_id).where(Evidence.task_id.in_(ids), _unanswered()).distinct()
    ))


# --- what waits for a head -----------------------------------------------------------------------------------------


def _waiting(user: User, division_id: int | None) -> Select[Evidence]:
    query = reviewable_evidence(user).where(Evidence.review == EvidenceReview.PENDING)
    return query if division_id is None else query.where(Task.division_id == division_id)


def waiting(user: User, division_id: int | None = None) -> list[Evidence]:
    """Return the evidence waiting for this person to accept or send back (of one division, when given), oldest
    first, with its task, measure, division and author, in one query: the review queue."""
    query = (
        _waiting(user, division_id)
        .join(Measure, Measure.id == Task.measure_id)
        .options(contains_eager(Evidence.task).contains_eager(Task.measure),
                 contains_eager(Evidence.task).joinedload(Task.division),
                 joinedload(Evidence.created_by))
        .order_by(Evidence.created_at, Evidence.id)
    )
    # The query narrows by the rule's terms; the rule itself (access.RULES) has the last word on each piece.
    return [item for item in db.session.scalars(query).unique() if can(user, Action.REVIEW_EVIDENCE, item)]


def count_waiting(user: User, division_id: int | None = None) -> int:
    """Count the evidence waiting for this person's review (of one division, when given), in one query: what My
    tasks and the division board say."""
    return db.session.scalar(_waiting(user, division_id).with_only_columns(func.count(Evidence.id))) or 0


def waiting_by_division(organization_id: int, division_ids: Iterable[int]) -> dict[int, int]:
    """Count, per division, the evidence waiting for its head, in one query: what the heads' weekly digests say."""
    ids = sorted(set(division_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        scoped(Evidence, organization_id)
        .with_only_columns(Task.division_id, func.count(Evidence.id), maintain_column_froms=True)
        .join(Task, Task.id == Evidence.task_id)
        .where(Evidence.review == EvidenceReview.PENDING, Task.division_id.in_(ids))
        .group_by(Task.division_id)
    )
    return {division_id: counted for division_id, counted in rows}
