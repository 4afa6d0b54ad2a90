"""Evidence files: checked by size and by what their bytes are, stored outside the web root under generated names."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app
from werkzeug.datastructures import FileStorage

from .errors import DomainError

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
