"""A photo or file sent in the LINE chat becomes a checked, stored evidence file (tracker/line/content.py), fetched
from the fake LINE's data host: stored by what its bytes are, without a photo's location, never whole in memory,
refused with a Thai message (too big, cut short, gone at LINE, not an accepted type, not a real photo, too slow)
and nothing left on disk."""
from __future__ import annotations

import hashlib
import io
import random
import time
import tracemalloc
import zipfile

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApiBlob
from PIL import ExifTags, Image

from tracker import create_app, evidence
from tracker.errors import DomainError
from tracker.line import content

from .conftest import app_settings
from .fake_line import Content, FakeLine

ORGANIZATION = 7
MB = 1024 * 1024


@pytest.fixture
def line():
    with FakeLine() as fake:
        yield fake
        assert fake.errors == []


@pytest.fixture
def app(line, tmp_path):
    """An app whose LINE data host is the fake; its API host leads nowhere, so only the data host can answer. The
    module writes no rows: the database is never opened."""
    app = create_app(app_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}", UPLOAD_FOLDER=str(tmp_path / "uploads"),
        LINE_CHANNEL_ACCESS_TOKEN=line.token, LINE_API_HOST="http://127.0.0.1:9", LINE_DATA_HOST=line.url,
        LINE_TIMEOUT_SECONDS=2,
    ))
    with app.app_context():
        yield app


def stored_files() -> list[str]:
    """Every file under the upload folder, hidden ones (a download in progress) too."""
    folder = evidence.upload_folder()
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def refused(message_id: str, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        content.fetch(message_id, ORGANIZATION, **kwargs)
    assert stored_files() == []  # nothing kept, not even the partial download
    return caught.value


def picture(image: Image.Image, format: str, **options) -> bytes:  # noqa: A002 - Pillow's word
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def location_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Orientation] = 6  # taken with the phone turned: shown a quarter turn clockwise
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (13.0, 45.0, 30.5),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (100.0, 30.0, 1.0),
    })
    return exif


def red_left_blue_right(width: int = 40, height: int = 30) -> Image.Image:
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def read_back(stored: evidence.StoredFile) -> bytes:
    return (evidence.upload_folder() / stored.path).read_bytes()


def office_zip(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


# --- stored ------------------------------------------------------------------------------------------------------


def test_a_photo_is_stored_upright_without_its_location_with_its_size_and_sha256(app, line):
    sent = picture(red_left_blue_right(), "JPEG", exif=location_exif())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the photo as the phone sent it
    line.content["5001"] = (sent, "image/jpeg")

    stored = content.fetch("5001", ORGANIZATION)

    assert stored.path.startswith(f"{ORGANIZATION}/") and stored.path.endswith(".jpg")
    assert stored.name == "LINE-5001.jpg"
    assert stored.content_type == "image/jpeg"
    assert (stored.width, stored.height) == (30, 40)  # turned upright: the EXIF's orientation applied
    data = read_back(stored)
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored_files() == [stored.path]
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == "JPEG" and kept.size == (30, 40)
        assert "exif" not in kept.info and "xmp" not in kept.info
        assert dict(kept.getexif()) == {} and kept.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        top, bottom = kept.convert("RGB").getpixel((15, 3)), kept.convert("RGB").getpixel((15, 36))
    assert b"Exif\x00\x00" not in data and b"Phone" not in data
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # the left (red) half is now on top


def test_the_request_carries_the_channel_token_to_the_data_host(app, line):
    line.content["5002"] = (b"%PDF-1.4\n%%EOF\n", "application/pdf")

    content.fetch("5002", ORGANIZATION, name_hint="a.pdf")

    [request] = line.content_requests("5002")
    assert (request["method"], request["path"]) == ("GET", "/v2/bot/message/5002/content")
    assert request["headers"]["authorization"] == f"Bearer {line.token}"
    assert request["status"] == 200 and line.counts["content"] == 1


def test_a_png_keeps_its_format_and_loses_its_exif(app, line):
    sent = picture(Image.new("RGBA", (64, 48), (0, 128, 0, 200)), "PNG", exif=location_exif())
    line.content["5003"] = (sent, "image/png")

    stored = content.fetch("5003", ORGANIZATION, name_hint="แผนผังสำนักงาน.png")

    assert stored.path.endswith(".png") and stored.name == "แผนผังสำนักงาน.png"
    assert (stored.content_type, stored.width, stored.height) == ("image/png", 48, 64)
    data = read_back(stored)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == "PNG" and kept.mode == "RGBA" and dict(kept.getexif()) == {}


def test_a_pdf_is_stored_as_sent_under_its_own_name(app, line):
    sent = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + bytes(range(256)) * 100 + b"\n%%EOF\n"
    line.content["5004"] = Content(sent, "application/pdf", chunk_size=4096)

    stored = content.fetch("5004", ORGANIZATION, name_hint="../../รายงานผล ITA ๒๕๖๘.pdf")

    assert read_back(stored) == sent
    assert stored.name == "รายงานผล ITA ๒๕๖๘.pdf"  # a name only: no folders
    assert (stored.content_type, stored.size, stored.sha256) == (
        "application/pdf", len(sent), hashlib.sha256(sent).hexdigest())
    assert (stored.width, stored.height) == (None, None)
    assert stored_files() == [stored.path]


def test_a_chunked_body_without_a_length_is_stored_whole(app, line):
    sent = b"%PDF-1.7\n" + b"x" * 300_000
    line.content["5005"] = Content(sent, "application/pdf", chunked=True)

    assert read_back(content.fetch("5005", ORGANIZATION)) == sent


@pytest.mark.parametrize(("main_part", "hint", "extension"), [
    ("word/document.xml", "แบบฟอร์ม.xlsx", "docx"),  # the bytes decide; the name is corrected
    ("xl/workbook.xml", "สรุป.xlsx", "xlsx"),
    ("xl/workbook.xml", None, "xlsx"),
])
def test_an_office_document_is_known_by_what_its_zip_holds(app, line, main_part, hint, extension):
    line.content["5006"] = (office_zip(main_part), "application/octet-stream")

    stored = content.fetch("5006", ORGANIZATION, name_hint=hint)

    assert stored.path.endswith(f".{extension}") and stored.name.endswith(f".{extension}")
    assert stored.content_type == evidence.ALLOWED[extension][0]


def test_a_word_97_file_is_known_by_its_stream_name(app, line):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "WordDocument".encode("utf-16-le") + bytes(500)
    line.content["5007"] = (ole, "application/octet-stream")

    stored = content.fetch("5007", ORGANIZATION, name_hint="บันทึก.xls")

    assert (stored.name, stored.content_type) == ("บันทึก.doc", "application/msword")


# --- refused -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["no length, chunked", "Content-Length"])
def test_a_30_mb_file_is_refused_while_reading_never_whole_in_memory(app, line, chunked):
    line.content["5010"] = Content(b"\xff\xd8\xff\xe0", "image/jpeg", size=30 * MB, chunked=chunked)
    limit = evidence.max_bytes()
    assert limit < 30 * MB

    tracemalloc.start()
    try:
        error = refused("5010")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.status == 413 and "ใหญ่เกิน 10 MB" in error.message
    assert peak < 4 * MB  # read and written a chunk at a time
    [request] = line.content_requests("5010")
    # The client stopped reading once past the limit (or, told the length, before reading): the rest was never sent.
    assert request["sent_bytes"] < 30 * MB
    if chunked:
        assert request["sent_bytes"] > limit


@pytest.mark.parametrize("chunked", [False, True], ids=["short of Content-Length", "chunked, connection dropped"])
def test_a_download_cut_short_is_refused(app, line, chunked):
    line.content["5011"] = Content(b"%PDF-1.7\n", "application/pdf", size=400_000, truncate_at=150_000,
                                   chunked=chunked)

    error = refused("5011")

    assert error.status == 502 and "ไม่ครบ" in error.message
    [request] = line.content_requests("5011")
    assert request["sent_bytes"] == 150_000


def test_content_gone_at_line_is_refused_with_a_thai_message(app, line):
    error = refused("5012")

    assert error.status == 404
    assert error.message.startswith("LINE ไม่มีไฟล์นี้แล้ว") and "ส่งไฟล์มาใหม่" in error.message
    assert line.counts["content_not_found"] == 1


@pytest.mark.parametrize("sent", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(2000),  # a Windows program
    b"\x7fELF\x02\x01\x01" + bytes(2000),  # a Linux one
    random.Random(5013).randbytes(4000),
    b"<!doctype html><html><script>alert(1)</script></html>",
    b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(100),  # RIFF, but a sound, not a WebP
], ids=["exe", "elf", "random", "html", "wav"])
def test_a_file_named_pdf_that_is_not_one_is_refused(app, line, sent):
    line.content["5013"] = (sent, "application/pdf")

    error = refused("5013", name_hint="ใบเสร็จ.pdf")

    assert error.status == 415
    assert error.message.startswith("ไม่รับไฟล์ “ใบเสร็จ.pdf”: เนื้อไฟล์ไม่ใช่ชนิดที่รับ")


def test_a_zip_that_holds_no_office_document_is_refused(app, line):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("classes.dex", b"dex\n035")
    line.content["5014"] = (buffer.getvalue(), "application/octet-stream")

    assert refused("5014", name_hint="งาน.docx").status == 415


def photo_cut_in_half() -> bytes:
    whole = picture(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    return whole[: len(whole) // 2]


def png_with_a_bad_checksum() -> bytes:
    data = bytearray(picture(Image.new("RGB", (20, 20), "white"), "PNG"))
    data[40] ^= 0xFF  # inside the image data: its CRC no longer matches
    return bytes(data)


@pytest.mark.parametrize("sent", [
    b"\xff\xd8\xff\xe0" + random.Random(5015).randbytes(3000),
    b"\xff\xd8\xff",
    photo_cut_in_half(),
    png_with_a_bad_checksum(),
    b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(8),
], ids=["jpeg signature then noise", "jpeg signature only", "jpeg cut in half", "png bad crc", "webp header only"])
def test_bytes_that_claim_to_be_a_photo_but_do_not_decode_are_refused(app, line, sent):
    line.content["5015"] = (sent, "image/jpeg")

    error = refused("5015")

    assert error.status == 415 and error.message.startswith("เปิดรูปนี้ไม่ได้")


def test_half_a_photo_is_refused_in_a_worker_that_has_drawn_a_pdf_report(app, line):
    # WeasyPrint, imported to draw the PDF report, lets Pillow load truncated images for the whole process.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES  # what WeasyPrint set: the worker's state this test is about
    line.content["5019"] = (photo_cut_in_half(), "image/jpeg")

    error = refused("5019")

    assert error.status == 415 and ImageFile.LOAD_TRUNCATED_IMAGES  # refused, and WeasyPrint's setting left as it was


def test_a_photo_with_too_many_pixels_is_refused_before_decoding(app, line, monkeypatch):
    monkeypatch.setattr(content, "MAX_PIXELS", 100 * 100)
    line.content["5016"] = (picture(Image.new("RGB", (101, 100)), "PNG"), "image/png")

    error = refused("5016")

    assert error.status == 413 and "(101×100)" in error.message


def test_a_slow_line_times_out(app, line):
    app.config["LINE_TIMEOUT_SECONDS"] = 0.3
    line.content["5017"] = Content(b"%PDF-1.7\n", "application/pdf", delay=3)
    started = time.monotonic()

    error = refused("5017")

    assert time.monotonic() - started < 1
    assert error.status == 504 and "ช้าเกิน 0.3 วินาที" in error.message


def test_a_body_that_trickles_in_is_cut_off_at_the_whole_download_limit(app, line, monkeypatch):
    app.config["LINE_TIMEOUT_SECONDS"] = 0.2
    monkeypatch.setattr(content, "WHOLE_DOWNLOAD_TIMEOUTS", 2)
    # Each chunk comes well within the timeout, but the whole would take over 3 seconds.
    line.content["5018"] = Content(b"%PDF-1.7\n", "application/pdf", size=1 * MB, chunk_size=16 * 1024, pause=0.05)
    started = time.monotonic()

    error = refused("5018")

    assert time.monotonic() - started < 1
    assert error.status == 504 and "ช้าเกิน 0.4 วินาที" in error.message


def test_line_unreachable_is_refused_with_a_thai_message(app, line):
    line.stop()

    error = refused("5019")

    assert error.status == 503 and error.message.startswith("ติดต่อ LINE ไม่ได้")


def test_a_refused_token_and_a_missing_one_say_so(app, line):
    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = "not-the-token"
    line.content["5020"] = (b"%PDF-1.7\n", "application/pdf")
    assert "LINE_CHANNEL_ACCESS_TOKEN" in refused("5020").message
    assert line.counts["unauthorized"] == 1

    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = None
    assert refused("5020").status == 503
    assert len(line.requests) == 1  # no token: LINE is not asked


@pytest.mark.parametrize("message_id", ["", "../quota", "5021/../../x", "abc"])
def test_only_a_message_id_goes_into_the_address(app, line, message_id):
    assert "รหัสข้อความ" in refused(message_id).message
    assert line.requests == []


def test_an_empty_body_is_refused(app, line):
    line.content["5022"] = (b"", "application/pdf")

    assert refused("5022").message.startswith("ไฟล์ว่าง")


def test_an_upload_folder_that_cannot_be_written_is_the_administrators_problem(app, line, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "a-file")
    (tmp_path / "a-file").write_text("not a folder")
    line.content["5023"] = (b"%PDF-1.7\n", "application/pdf")

    with pytest.raises(DomainError) as caught:
        content.fetch("5023", ORGANIZATION)

    assert caught.value.status == 507 and "แจ้งผู้ดูแลระบบ" in caught.value.message
    assert line.requests == []  # found out before LINE was asked


# --- the fake's content endpoint, through the SDK ----------------------------------------------------------------


def test_the_fake_serves_content_as_line_does_to_the_sdk(line):
    line.content["5030"] = (b"%PDF-1.7\nhello", "application/pdf")
    with ApiClient(Configuration(host=line.url, access_token=line.token)) as client:
        blob = MessagingApiBlob(client)
        response = blob.get_message_content_with_http_info("5030")
        assert (response.status_code, bytes(response.data)) == (200, b"%PDF-1.7\nhello")
        assert response.headers["Content-Type"] == "application/pdf"
        with pytest.raises(Exception) as missing:
            blob.get_message_content("5031")
    assert getattr(missing.value, "status", None) == 404
    assert [r["status"] for r in line.requests] == [200, 404]
