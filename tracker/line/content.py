"""A photo or file sent in the LINE chat, fetched from LINE and made a checked, stored evidence file.

`fetch(message_id, organization_id, name_hint=...)` downloads `GET {LINE_DATA_HOST}/v2/bot/message/{id}/content`
with the organization's channel token and returns an `evidence.StoredFile`, or raises DomainError saying in Thai what
is wrong: too big, not an accepted type, a photo that does not decode, gone at LINE, LINE unreachable or too slow.
What it stores obeys the rules of the web upload (`evidence.store`): the size limit, the accepted types known by
their bytes (the name LINE gives a file is a hint only), the organization's folder, a generated name. A photo is
also decoded and saved again from its pixels, which leaves its EXIF behind (where it was taken: personal data under
the PDPA) with its orientation applied. It writes no rows: the caller attaches the file to a task in its own
transaction, outside any transaction while this calls LINE, and `evidence.discard`s the file if that fails.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import urllib3
from flask import current_app

from .. import evidence
from ..errors import DomainError
from .channel import credentials_for

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK = 64 * 1024  # read and written this much at a time: the body is never in memory whole
# The whole download may take this many LINE_TIMEOUT_SECONDS (60 s by default: 10 MB at under 2 Mbit/s). The timeout
# itself bounds each wait for bytes; this bounds a body that trickles in just fast enough never to trip it.
WHOLE_DOWNLOAD_TIMEOUTS = 6
# Largest photo decoded, in pixels: a 50-megapixel phone camera's, well under Pillow's own guard (89 million), and
# about 200 MB to decode. A larger image is refused before its pixels are read.
MAX_PIXELS = 64_000_000
JPEG_QUALITY = 90  # a photo saved again without its EXIF: text on a photographed document stays sharp

_MESSAGE_ID = re.compile(r"[0-9]{1,40}")  # LINE's message ids are numbers; nothing else goes into the address
_IMAGES = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}  # extension -> the format Pillow must find
_OFFICE_ZIP = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}  # OOXML: the folder of the main part in the zip
# OLE2 (Word 97 and Excel 97 files): the name of the stream that makes it one, as it is written in the directory.
_OFFICE_OLE = {"doc": "WordDocument".encode("utf-16-le"), "xls": "Workbook".encode("utf-16-le")}
_SAME = {"jpeg": "jpg"}


def fetch(message_id: str, organization_id: int, *, name_hint: str | None = None) -> evidence.StoredFile:
    """Download a message's content from LINE and store it as the organization's evidence file; return it.

    `name_hint` is the name the file was sent with (a file message's fileName; photos have none): it becomes the
    stored name, its extension corrected to the type the bytes show. Nothing is left on disk when this raises.
    """
    if not _MESSAGE_ID.fullmatch(message_id or ""):
        raise DomainError("รหัสข้อความ LINE ไม่ถูกต้อง (not a LINE message id)")
    token = credentials_for(organization_id).token
    if not token:
        raise DomainError("หน่วยงานนี้ยังไม่ได้ตั้งค่า LINE — รับไฟล์จาก LINE ไม่ได้ (no LINE channel token)", 503)
    config = current_app.config
    url = f"{config['LINE_DATA_HOST']}/v2/bot/message/{message_id}/content"
    folder = evidence.upload_folder() / str(organization_id)
    _store(lambda: folder.mkdir(parents=True, exist_ok=True))
    # The download goes to a hidden file beside where it will be kept (the same file system, so the move is a
    # rename); whatever happens, it is gone when this returns.
    part = folder / f".line-{uuid.uuid4().hex}.part"
    target: Path | None = None
    try:
        digest, size = _download(url, token, part, evidence.max_bytes(), float(config["LINE_TIMEOUT_SECONDS"]))
        name = _clean_name(name_hint)
        extension = _kind(part, name)
        if extension is None:
            shown = f" “{name}”" if name else ""
            raise DomainError(f"ไม่รับไฟล์{shown}: เนื้อไฟล์ไม่ใช่ชนิดที่รับ — รับ {', '.join(sorted(evidence.ALLOWED))} "
                              "(file type not accepted)", 415)
        target = folder / f"{uuid.uuid4().hex}.{extension}"
        width = height = None
        if extension in _IMAGES:
            upright, options = _decode_without_metadata(part, _IMAGES[extension])
            width, height = upright.size
            _store(lambda: upright.save(target, _IMAGES[extension], **options))
            digest, size = _sha256(target), target.stat().st_size
        else:
            _store(lambda: os.replace(part, target))
    except BaseException:
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    finally:
        part.unlink(missing_ok=True)
    content_type = evidence.ALLOWED[extension][0]
    stored = evidence.StoredFile(str(target.relative_to(evidence.upload_folder())), _named(name, extension, message_id),
                                 content_type, size, sha256=digest, width=width, height=height)
    log.info("LINE content %s stored as %s (%s, %d bytes)", message_id, stored.path, content_type, size)
    return stored


# --- the download -----------------------------------------------------------------------------------------------


def _download(url: str, token: str, part: Path, limit: int, timeout: float) -> tuple[str, int]:
    """Stream the body into `part`, refusing it once it passes `limit` bytes or falls short of its Content-Length;
    return its SHA-256 and size.

    urllib3 directly, not line-bot-sdk's MessagingApiBlob.get_message_content: the SDK reads the whole body into
    memory (even with _preload_content=False its ApiResponse takes `.data`), which a 30 MB file must not cost. The
    token, host and timeout are the SDK calls' own (channel.py); like them, no silent retries (retries=False: a person
    sends the file again), and no redirects followed, so the token goes to LINE's data host only.
    """
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity", "User-Agent": "ita-tracker"}
    with urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=timeout, read=timeout)) as pool:
        try:
            response = pool.request("GET", url, headers=headers, preload_content=False, decode_content=False)
        except urllib3.exceptions.HTTPError as error:
            raise _network_error(error, timeout, url) from error
        cut = threading.Event()

        def cut_off() -> None:  # from the timer's thread: wakes the read waiting for the next bytes
            cut.set()
            try:
                response.shutdown()
            except (OSError, ValueError, RuntimeError):  # already finished
                pass

        watchdog = threading.Timer(timeout * WHOLE_DOWNLOAD_TIMEOUTS, cut_off)
        watchdog.daemon = True
        watchdog.start()
        try:
            _refuse_status(response)
            declared = _length(response)
            if declared is not None and declared > limit:
                raise _too_big(limit)
            digest, size = hashlib.sha256(), 0
            out = _store(lambda: part.open("xb"))
            with out:
                # decode_content=False with Accept-Encoding: identity: the bytes counted are the bytes stored, and
                # a compressed body (never asked for) is refused by its content below rather than inflated here.
                for chunk in response.stream(CHUNK, decode_content=False):
                    size += len(chunk)
                    if size > limit:
                        raise _too_big(limit)
                    _store(lambda: out.write(chunk))  # noqa: B023 - called at once, in this iteration
                    digest.update(chunk)
        except urllib3.exceptions.HTTPError as error:
            if cut.is_set():
                raise _too_slow(timeout * WHOLE_DOWNLOAD_TIMEOUTS) from error
            if isinstance(error, urllib3.exceptions.TimeoutError):
                raise _too_slow(timeout) from error
            log.warning("LINE content download broke off: %s", error)
            raise _incomplete() from error
        finally:
            watchdog.cancel()
            response.close()  # not back to the pool: a body read part way leaves the connection unusable
    if cut.is_set():  # a body without a length just ends when cut off
        raise _too_slow(timeout * WHOLE_DOWNLOAD_TIMEOUTS)
    if declared is not None and size != declared:
        log.warning("LINE content ended at %d of %d bytes", size, declared)
        raise _incomplete()
    if size == 0:
        raise DomainError("ไฟล์ว่าง (the file is empty)")
    return digest.hexdigest(), size


def _store(step: Callable[[], T]) -> T:
    """Run one write to the upload folder; a disk that is full or not writable is the administrator's to fix, and
    the person is told so rather than shown an error page."""
    try:
        return step()
    except OSError as error:
        log.exception("LINE content could not be written to the upload folder")
        raise DomainError("ระบบเก็บไฟล์ไม่ได้ตอนนี้ (ที่เก็บไฟล์เต็มหรือเขียนไม่ได้) — แจ้งผู้ดูแลระบบ "
                          "(the file could not be stored)", 507) from error


def _refuse_status(response: Any) -> None:
    status = response.status
    if status == 200:
        return
    body = response.read(2000, decode_content=True)  # LINE's JSON message, for the log only
    log.warning("LINE content answered %s: %r", status, body[:500])
    if status == 404:
        raise DomainError("LINE ไม่มีไฟล์นี้แล้ว (LINE เก็บไฟล์ที่ส่งในแชตไว้ระยะหนึ่งเท่านั้น) — ส่งไฟล์มาใหม่อีกครั้ง "
                          "(the content has expired at LINE or does not exist)", 404)
    if status in (401, 403):
        raise DomainError(f"LINE ไม่ยอมให้ดาวน์โหลดไฟล์ ({status}) — ผู้ดูแลระบบตรวจ LINE_CHANNEL_ACCESS_TOKEN "
                          "(the channel access token was refused)", 502)
    if 200 <= status < 300:  # 202: a video or audio LINE is still preparing
        raise DomainError("LINE ยังเตรียมไฟล์ไม่เสร็จ — ลองอีกครั้งในอีกสักครู่ (the content is not ready yet)", 503)
    if status == 429 or status >= 500:
        raise DomainError(f"LINE ไม่พร้อมให้ดาวน์โหลดตอนนี้ ({status}) — ลองอีกครั้งในอีกสักครู่ "
                          "(LINE is busy or unavailable)", 503)
    raise DomainError(f"LINE ตอบ {status} เมื่อดาวน์โหลดไฟล์ (LINE refused the download)", 502)


def _length(response: Any) -> int | None:
    if "chunked" in (response.headers.get("Transfer-Encoding") or "").lower():
        return None
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _network_error(error: urllib3.exceptions.HTTPError, timeout: float, url: str) -> DomainError:
    # A refused connection is a NewConnectionError, which urllib3 makes a kind of ConnectTimeoutError: ask it first.
    if isinstance(error, urllib3.exceptions.TimeoutError) and not isinstance(
            error, urllib3.exceptions.NewConnectionError):
        return _too_slow(timeout)
    log.warning("LINE content: %s unreachable: %s: %s", url, type(error).__name__, error)
    return DomainError("ติดต่อ LINE ไม่ได้ — ลองส่งไฟล์อีกครั้งในอีกสักครู่ (LINE is unreachable)", 503)


def _too_big(limit: int) -> DomainError:
    return DomainError(f"ไฟล์ใหญ่เกิน {limit // (1024 * 1024)} MB (file too large)", 413)


def _too_slow(seconds: float) -> DomainError:
    return DomainError(f"LINE ส่งไฟล์ช้าเกิน {seconds:g} วินาที — ลองส่งไฟล์อีกครั้งในอีกสักครู่ (LINE timed out)", 504)


def _incomplete() -> DomainError:
    return DomainError("ดาวน์โหลดไฟล์จาก LINE ไม่ครบ (การเชื่อมต่อขาด) — ลองส่งไฟล์อีกครั้ง (the download was cut short)",
                       502)


# --- what the bytes are ------------------------------------------------------------------------------------------


def _kind(path: Path, name: str | None) -> str | None:
    """Return the extension (a key of evidence.ALLOWED) of what the file is by its bytes, or None: not accepted.

    The first bytes narrow it (evidence.ALLOWED's signatures); a zip must hold a Word, Excel or PowerPoint document
    and an OLE2 file a Word or Excel 97 one, and among those the name is only a tie-breaker.
    """
    with path.open("rb") as file:
        head = file.read(16)
    matching = [ext for ext, (_, signatures) in evidence.ALLOWED.items() if head.startswith(signatures)]
    hinted = _extension(name)
    if not matching:
        return None
    if "webp" in matching:
        return "webp" if head[8:12] == b"WEBP" else None  # RIFF is also WAV and AVI
    if set(matching) <= set(_OFFICE_ZIP):
        return _office_zip(path, hinted)
    if set(matching) <= set(_OFFICE_OLE):
        return _office_ole(path, hinted)
    kinds = {_SAME.get(ext, ext) for ext in matching}
    return kinds.pop() if len(kinds) == 1 else None


def _office_zip(path: Path, hinted: str | None) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:  # reads the directory only; nothing is inflated
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    found = [ext for ext, folder in _OFFICE_ZIP.items() if any(n.startswith(folder) for n in names)]
    if not found or "[Content_Types].xml" not in names:
        return None  # a zip, an APK, a JAR: not a document
    return hinted if hinted in found else found[0]


def _office_ole(path: Path, hinted: str | None) -> str | None:
    found = set()
    tail = b""
    with path.open("rb") as file:
        while block := file.read(1024 * 1024):
            window = tail + block
            found |= {ext for ext, marker in _OFFICE_OLE.items() if marker in window}
            tail = block[-32:]
    if not found:
        return None
    if hinted in found:
        return hinted
    return "doc" if "doc" in found else found.pop()  # a Word document may hold an Excel sheet, rarely the reverse


# --- photos ------------------------------------------------------------------------------------------------------


def _decode_without_metadata(source: Path, pillow_format: str) -> tuple[Image.Image, dict[str, Any]]:
    """Decode a photo; return its pixels, upright, to be saved in the same format without EXIF or XMP (where and when
    it was taken, the camera), and the options that keep its colour profile (and a JPEG's quality)."""
    # Pillow here, not at the top: the webhook's module imports this one, and every `tracker` command that builds the
    # app would pay for Pillow (tests/test_cli_start.py).
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings(), _truncated_images_refused():
            # Pillow warns of damaged EXIF and the like: what counts is whether the pixels decode, and the EXIF is
            # left behind anyway. A decompression bomb stays an error.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=[pillow_format]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _too_many_pixels(probe.width, probe.height)
                probe.verify()  # the file's structure (PNG checksums); verify leaves the image unusable, so reopen
            with Image.open(source, formats=[pillow_format]) as image:
                image.load()  # every pixel: a truncated or corrupt photo fails here
                icc_profile = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)  # a new image, turned as the EXIF said
                upright.info = {}  # nothing of the original's metadata rides along, whatever Pillow's save copies
                options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
                if pillow_format == "JPEG":
                    options["quality"] = JPEG_QUALITY
                return upright, options
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        log.info("LINE photo refused: %s", error)
        raise _too_many_pixels(0, 0) from error
    except Exception as error:  # Pillow raises many kinds on damaged input; each means "does not decode"
        log.info("LINE photo does not decode: %s: %s", type(error).__name__, error)
        raise DomainError("เปิดรูปนี้ไม่ได้ — ไฟล์เสียหรือไม่ใช่รูปจริง ลองถ่ายหรือส่งใหม่ (the image does not decode)",
                          415) from error


@contextmanager
def _truncated_images_refused() -> Iterator[None]:
    """Have Pillow refuse a photo cut short while it is decoded here. WeasyPrint (the PDF report) sets
    PIL.ImageFile.LOAD_TRUNCATED_IMAGES for the whole process when it is imported, which would let half a photo
    through as evidence in any worker that has drawn a report; the flag is put back as it was (sync workers: one
    request at a time)."""
    from PIL import ImageFile

    was = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = was


def _too_many_pixels(width: int, height: int) -> DomainError:
    size = f" ({width}×{height})" if width else ""
    return DomainError(f"รูปใหญ่เกิน {MAX_PIXELS // 1_000_000} ล้านพิกเซล{size} — ส่งรูปที่เล็กลง (the image has too many "
                       "pixels)", 413)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# --- names -------------------------------------------------------------------------------------------------------


def _clean_name(name_hint: str | None) -> str | None:
    """The file's own name, as a name only: no folders, no control characters."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", Path((name_hint or "").replace("\\", "/")).name).strip()
    return name or None


def _extension(name: str | None) -> str | None:
    if not name or "." not in name:
        return None
    extension = name.rsplit(".", 1)[-1].lower()
    return _SAME.get(extension, extension)


def _named(name: str | None, extension: str, message_id: str) -> str:
    """The name the file is shown and downloaded under: the one it was sent with, ending as its bytes are."""
    if not name:
        return f"LINE-{message_id}.{extension}"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if _extension(name) != extension:
        name = f"{stem}.{extension}"  # a photo named .pdf is downloaded as the photo it is
    if len(name) > 300:
        name = f"{stem[:290]}.{extension}"
    return name
