"""Importing a plan from the web, as an administrator would: upload, check the preview, confirm or cancel.

Each test builds its own organization where it needs one (the `seeded` fixture already holds the plan, which is
what the "already imported" case wants), signs in through the real form and posts with real CSRF tokens.
"""
from __future__ import annotations

import csv
import html
import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tracker.extensions import db
from tracker.labels import PLAN_COLUMN
from tracker.models import Division, Organization, Plan, Role, Source, Task
from tracker.plans.sheets import TEMPLATE_HEADER, write_template

from .factories import (
    count,
    counts,
    csrf_token,
    events,
    login,
    make_user,
    other_organization,
    post_form,
    with_stray_byte,
    write_csv,
)
from .test_import import CSV_HEADER, EVERY_KIND_OF_PROBLEM, assert_every_problem_in_file_order

ORG_NAME = "เทศบาลตำบลบางกระบือ"
TOKEN_IN_ACTION = re.compile(r'action="/imports/([0-9a-f]{32})/confirm"')


@pytest.fixture
def imports_dir(app, tmp_path) -> Path:
    app.instance_path = str(tmp_path / "instance")  # keep test uploads out of the real instance folder
    return Path(app.instance_path) / "imports"


@pytest.fixture
def admin(app, imports_dir):
    org = Organization(name=ORG_NAME)
    db.session.add(org)
    user = make_user(org, "web-admin", Role.ADMIN)
    db.session.commit()
    return user


def stored(imports_dir: Path) -> list[str]:
    return sorted(p.name for p in imports_dir.iterdir()) if imports_dir.exists() else []


def upload(client, path: Path, *, create_divisions=True, name: str | None = None, token: str | None = None):
    data = {
        "csrf_token": token or csrf_token(client, "/imports/new"),
        "file": FileStorage(io.BytesIO(path.read_bytes()), filename=name or path.name),
    }
    if create_divisions:
        data["create_divisions"] = "y"
    # Encoded in memory: the test client spools a body over 500 KB to a temporary file it never closes.
    boundary, body = encode_multipart(data)
    return client.post("/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def token_of(page: str) -> str:
    match = TOKEN_IN_ACTION.search(page)
    assert match, "no confirm form on the preview"
    return match.group(1)


def checked(page: str, measure: int) -> list[int]:
    return sorted(
        int(n) for n in re.findall(rf'name="indicators-{measure}" value="(\d+)"\s*checked', page)
    )


def confirm_data(client, page: str, choices: dict[int, list[int]]) -> dict:
    data = {"csrf_token": csrf_token(client, "/imports/new"), "create_divisions": "y"}
    for measure, numbers in choices.items():
        data[f"indicators-{measure}"] = [str(n) for n in numbers]
    return data


def no_inline_script_or_style(page: str) -> bool:
    """The page keeps to the content security policy: no style attribute, scripts only from /static."""
    scripts = re.findall(r"<script[^>]*>", page)
    return "style=" not in page and all(re.fullmatch(r'<script src="/static/[^"]+" defer>', tag) for tag in scripts)


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


# --- the happy path ----------------------------------------------------------------------------------------------


def test_upload_page_offers_the_form_and_the_template(client, admin):
    login(client, "web-admin")
    page = client.get("/imports/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert "สร้างกองที่ยังไม่มีในระบบ" in html
    assert "/imports/template.xlsx" in html and "/imports/template.csv" in html
    assert "ไม่เกิน 5 MB" in html  # a plan's own limit, below the evidence files' 10 MB
    assert no_inline_script_or_style(html)


def test_templates_download(client, admin):
    login(client, "web-admin")
    xlsx = client.get("/imports/template.xlsx")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert [c.value for c in workbook.worksheets[0][1]] == list(TEMPLATE_HEADER)
    text = client.get("/imports/template.csv").data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(TEMPLATE_HEADER)


def test_preview_then_confirm_with_a_changed_indicator(client, admin, seed_path, imports_dir):
    login(client, "web-admin")
    before = counts()
    response = upload(client, seed_path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ORG_NAME in page
    assert "พ.ศ. 2569" in page and "1 ต.ค. 2568 – 30 ก.ย. 2569" in page
    assert "96.39" in page
    assert "มาตรการ (3)" in page and "งาน 16" in page
    assert [checked(page, m) for m in (1, 2, 3)] == [[6], [7], [8]]
    assert "ตัวชี้วัดที่ 7" in page and "94.88" in page  # the report's own slip, as a warning
    assert "ครบกำหนด" in page and "สำนักปลัดเทศบาล" in page
    assert no_inline_script_or_style(page)
    assert counts() == before  # a preview writes nothing
    token = token_of(page)
    assert len(stored(imports_dir)) == 2  # the file and its note

    data = confirm_data(client, page, {1: [1], 2: [7], 3: [8]})
    response = client.post(f"/imports/{token}/confirm", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert any("นำเข้าแผนแล้ว" in message for message in flashes(client))
    db.session.expire_all()
    plan = db.session.scalar(select(Plan))
    assert plan.organization.name == ORG_NAME and plan.source == seed_path.name
    measures = sorted(plan.measures, key=lambda m: m.order)
    assert len(measures) == 3
    assert count(Task) == 16
    assert [i.number for i in measures[0].indicators] == [1] and measures[0].indicator_source == "confirmed"
    assert [i.number for i in measures[1].indicators] == [7]
    event = events("plan.import")[0]
    assert event.source is Source.WEB and event.actor_id == admin.id
    assert event.after["tasks"] == 16
    assert stored(imports_dir) == []  # the file is gone once imported


def test_cancel_deletes_the_file(client, admin, seed_path, imports_dir):
    login(client, "web-admin")
    before = counts()
    token = token_of(upload(client, seed_path).get_data(as_text=True))
    assert stored(imports_dir)
    response = post_form(client, f"/imports/{token}/cancel", token_from="/imports/new")
    assert response.status_code == 302
    assert stored(imports_dir) == []
    assert counts() == before
    # The token is spent: it cannot be confirmed afterwards.
    again = post_form(client, f"/imports/{token}/confirm", token_from="/imports/new")
    assert again.status_code == 404


def test_already_imported_plan_says_so(client, seeded, seed_path, imports_dir):
    login(client, "admin")
    page = upload(client, seed_path, create_divisions=False).get_data(as_text=True)
    assert "นำเข้าไว้แล้ว" in page
    token = token_of(page)
    before = counts()
    response = client.post(f"/imports/{token}/confirm", data=confirm_data(client, page, {1: [6], 2: [7], 3: [8]}))
    assert response.status_code == 302
    assert any("นำเข้าไว้แล้ว" in message for message in flashes(client))
    assert counts() == before


# --- refused files -------------------------------------------------------------------------------------------------


def test_csv_with_a_bad_period_names_file_row_and_column(client, admin, tmp_path, imports_dir):
    login(client, "web-admin")
    path = write_csv(tmp_path / "แผน.csv", [
        ["1", "จัดทำคู่มือการให้บริการ", "", "6", "1. จัดทำคู่มือ 2. เผยแพร่คู่มือ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"],
        ["2", "เผยแพร่ข้อมูลบนเว็บไซต์", "", "9", "1. ปรับปรุงเว็บไซต์", "ภายในปีนี้", "สำนักปลัด"],
    ], header=TEMPLATE_HEADER)
    before = counts()
    response = upload(client, path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"แผน.csv แถว 3 คอลัมน์ “{PLAN_COLUMN['period']}”" in page
    assert "ภายในปีนี้" in page
    assert counts() == before
    assert stored(imports_dir) == []


def test_other_file_types_are_refused(client, admin, tmp_path, imports_dir):
    login(client, "web-admin")
    path = tmp_path / "plan.odt"
    path.write_bytes(b"PK not a plan")
    response = upload(client, path)
    assert response.status_code == 400
    assert "ไม่รับไฟล์ชนิดนี้" in response.get_data(as_text=True)
    assert stored(imports_dir) == []


def test_a_file_over_the_size_limit_is_refused(client, app, admin, seed_path, imports_dir):
    login(client, "web-admin")
    token = csrf_token(client, "/imports/new")
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, seed_path, token=token)
    assert response.status_code == 413
    assert stored(imports_dir) == []


def test_a_report_of_another_organization_is_refused(client, app, seed_path, imports_dir):
    org, _, _, _ = other_organization()
    make_user(org, "other-admin", Role.ADMIN)
    db.session.commit()
    login(client, "other-admin")
    before = counts()
    response = upload(client, seed_path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"เป็นของ “{ORG_NAME}”" in page
    assert "/confirm" not in page and "อัปโหลดอีกครั้ง" in page
    assert counts() == before
    assert stored(imports_dir) == []


def test_unknown_divisions_are_problems_without_the_checkbox(client, admin, seed_path, imports_dir):
    login(client, "web-admin")
    response = upload(client, seed_path, create_divisions=False)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ไม่รู้จักกอง" in page and "/confirm" not in page
    assert stored(imports_dir) == []


# --- who may, and forged requests --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mayor", "clerk-head", "clerk-staff"])
def test_only_the_administrator_may_import(client, seeded, seed_path, role, imports_dir):
    admin_client = client.application.test_client()
    login(admin_client, "admin")
    token = token_of(upload(admin_client, seed_path).get_data(as_text=True))

    login(client, role)
    form_token = csrf_token(client, "/profile")
    assert client.get("/imports/new").status_code == 403
    assert client.get("/imports/template.xlsx").status_code == 403
    assert client.get("/imports/template.csv").status_code == 403
    refused = client.post("/imports", data={"csrf_token": form_token,
                                            "file": (io.BytesIO(seed_path.read_bytes()), seed_path.name)},
                          content_type="multipart/form-data")
    assert refused.status_code == 403
    assert client.post(f"/imports/{token}/confirm", data={"csrf_token": form_token}).status_code == 403
    assert client.post(f"/imports/{token}/cancel", data={"csrf_token": form_token}).status_code == 403
    assert len(stored(imports_dir)) == 2


def test_posts_without_csrf_token_are_refused(client, admin, seed_path, imports_dir):
    login(client, "web-admin")
    page = upload(client, seed_path).get_data(as_text=True)
    token = token_of(page)
    no_token = client.post("/imports", data={"file": (io.BytesIO(seed_path.read_bytes()), seed_path.name)},
                           content_type="multipart/form-data")
    assert no_token.status_code == 400
    assert client.post(f"/imports/{token}/confirm", data={"indicators-1": "6"}).status_code == 400
    assert client.post(f"/imports/{token}/cancel").status_code == 400
    assert count(Plan) == 0
    assert len(stored(imports_dir)) == 2


@pytest.mark.parametrize("forged", ["..%2Fx", "..%2F..%2Fsecret_key", "x", "ABCDEF0123456789ABCDEF0123456789",
                                    "0" * 32, "0" * 31 + ".json"])
def test_forged_tokens_are_not_found(client, admin, forged):
    login(client, "web-admin")
    form_token = csrf_token(client, "/imports/new")
    for action in ("confirm", "cancel"):
        assert client.post(f"/imports/{forged}/{action}", data={"csrf_token": form_token}).status_code == 404


def test_path_tricks_do_not_reach_a_route(client, admin):
    login(client, "web-admin")
    form_token = csrf_token(client, "/imports/new")
    assert client.post("/imports/../x/confirm", data={"csrf_token": form_token}).status_code == 404


def test_another_organizations_token_is_not_usable(client, admin, seed_path, imports_dir):
    login(client, "web-admin")
    token = token_of(upload(client, seed_path).get_data(as_text=True))

    org, _, _, _ = other_organization()
    make_user(org, "other-admin", Role.ADMIN)
    db.session.commit()
    intruder = client.application.test_client()
    login(intruder, "other-admin")
    form_token = csrf_token(intruder, "/imports/new")
    data = {"csrf_token": form_token, "create_divisions": "y", "indicators-1": "6"}
    assert intruder.post(f"/imports/{token}/confirm", data=data).status_code == 404
    assert intruder.post(f"/imports/{token}/cancel", data={"csrf_token": form_token}).status_code == 404
    assert len(stored(imports_dir)) == 2  # still there for its owner
    assert count(Plan, Plan.organization_id != org.id) == 0


def test_indicator_numbers_outside_the_framework_are_refused(client, admin, seed_path, imports_dir):
    login(client, "web-admin")
    page = upload(client, seed_path).get_data(as_text=True)
    token = token_of(page)
    response = client.post(f"/imports/{token}/confirm", data=confirm_data(client, page, {1: [11]}))
    assert response.status_code == 400
    assert count(Plan) == 0


# --- a division matched under another name; hostile uploads (issue 10) ---------------------------------------------


def test_preview_says_a_division_matched_under_another_name(client, admin, tmp_path, imports_dir):
    for name in ("สำนักปลัดเทศบาล", "กองสาธารณสุข"):
        db.session.add(Division(organization=admin.organization, name=name, aliases=[]))
    db.session.commit()
    login(client, "web-admin")
    path = write_csv(tmp_path / "plan.csv", [
        ["1", "ตรวจสุขาภิบาลอาหาร", "", "6", "1. ตรวจ 2. รายงาน", "ต.ค. 68 - ก.ย. 69", "กองสาธารณสุขและสิ่งแวดล้อม"],
    ], header=TEMPLATE_HEADER)
    response = upload(client, path, create_divisions=False)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "ชื่อกองที่แผนเขียนต่างไป" in page
    assert "<li>กองสาธารณสุขและสิ่งแวดล้อม → กองสาธารณสุข (ชื่อเรียกอื่น)</li>" in page
    assert token_of(page)  # a match under another name is said, and the plan can still be confirmed


def test_a_plan_file_over_its_own_limit_is_refused_without_being_kept(client, admin, tmp_path, imports_dir):
    login(client, "web-admin")
    path = tmp_path / "big.csv"
    path.write_bytes(b"a," * (3 * 1024 * 1024))  # 6 MB: under MAX_CONTENT_LENGTH, over a plan's 5 MB
    response = upload(client, path)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "big.csv: ไฟล์ใหญ่เกินที่รับได้ 5 MB" in page
    assert stored(imports_dir) == []


def zip_bomb(path: Path) -> Path:
    """The plan template with one more part that unpacks to 60 MB of spaces: about 60 KB on the wire."""
    write_template(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as part:
            for _ in range(60):
                part.write(b" " * 1024 * 1024)
    return path


def test_a_zip_bomb_is_refused_quickly(client, admin, tmp_path, imports_dir):
    login(client, "web-admin")
    path = zip_bomb(tmp_path / "แผน.xlsx")
    began = time.perf_counter()
    response = upload(client, path)
    assert time.perf_counter() - began < 3.0
    assert response.status_code == 400
    assert "แผน.xlsx: ไฟล์ .xlsx นี้เมื่อแตกออกมีขนาด 60.0 MB" in response.get_data(as_text=True)
    assert stored(imports_dir) == []


def test_a_hostile_report_is_refused_quickly(client, admin, seed_path, tmp_path, imports_dir):
    login(client, "web-admin")
    path = tmp_path / "report.txt"
    spaces = " " * 50_000
    path.write_text(f"IIT{spaces}x\nตัวชี้วัดที่ 1{spaces}x\n" * 20 + "ปีงบประมาณ 9999\n" + seed_path.read_text("utf-8"),
                    encoding="utf-8")
    began = time.perf_counter()
    response = upload(client, path)
    assert time.perf_counter() - began < 3.0
    assert response.status_code == 400
    assert "report.txt บรรทัด 41: ปีงบประมาณ 9999 ไม่ใช่ปีที่เป็นไปได้" in response.get_data(as_text=True)
    assert stored(imports_dir) == []


def test_a_large_but_legal_plan_is_previewed_in_time(client, admin, tmp_path, imports_dir):
    login(client, "web-admin")
    rows = [[str(n), f"มาตรการที่ {n} " + "ก" * 1_000, "ข" * 3_000, "6", "1. ร่าง\n2. เผยแพร่", "ต.ค. 68 - ก.ย. 69",
             "สำนักปลัด"] for n in range(1, 201)]
    path = write_csv(tmp_path / "plan.csv", rows, header=TEMPLATE_HEADER)
    assert path.stat().st_size > 2_000_000
    began = time.perf_counter()
    response = upload(client, path)
    assert time.perf_counter() - began < 15.0
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "มาตรการ (200)" in page and "งาน 400" in page
    assert token_of(page)


def test_a_report_with_a_stray_byte_is_refused_saying_its_line_and_column(client, admin, seed_path, tmp_path,
                                                                          imports_dir):
    login(client, "web-admin")
    text = seed_path.read_text(encoding="utf-8")
    path = tmp_path / "รายงาน.txt"
    path.write_bytes(with_stray_byte(text, line=4, column=6))  # after "รายงา"
    offset = len("\n".join(text.split("\n")[:3]).encode()) + 1 + len("รายงา".encode())
    before = counts()
    response = upload(client, path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"รายงาน.txt บรรทัด 4 ตัวอักษรที่ 6: อ่านไม่ได้ — ไบต์ 0xFF (ตำแหน่งไบต์ {offset:,})" in page
    assert f"byte 0xFF at line 4, column 6, byte offset {offset:,}" in page
    assert counts() == before
    assert stored(imports_dir) == []


# --- every problem of a file in one upload (issue 18) -----------------------------------------------------------------


def problems_on(page: str) -> list[str]:
    """The problems a page lists, as text."""
    section = re.search(r'<section class="card problems".*?</section>', page, re.S)
    assert section, "no problems on the page"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", section.group(0), re.S)]


def test_a_file_with_every_kind_of_problem_lists_them_all_in_one_upload(client, seeded, tmp_path, imports_dir):
    login(client, "admin")
    path = write_csv(tmp_path / "plan.csv", EVERY_KIND_OF_PROBLEM, header=CSV_HEADER)
    before = counts()
    # Without the checkbox an unknown division is a problem; with it, a division to create and no problem.
    response = upload(client, path, create_divisions=False)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_every_problem_in_file_order(problems_on(page))
    assert "/confirm" not in page
    with_checkbox = problems_on(upload(client, path, create_divisions=True).get_data(as_text=True))
    assert len(with_checkbox) == 4 and not any("กองไม่มีจริง" in problem for problem in with_checkbox)
    assert counts() == before
    assert stored(imports_dir) == []


def test_a_file_with_only_warnings_is_previewed_and_can_be_confirmed(client, admin, tmp_path, imports_dir):
    login(client, "web-admin")
    path = write_csv(tmp_path / "plan.csv", [
        ["1", "จัดทำคู่มือการให้บริการ", "", "6", "1. จัดทำคู่มือ 2. เผยแพร่คู่มือ", "ก.ย. 68 - ก.ย. 69", "กองคลัง"],
    ], header=TEMPLATE_HEADER)
    response = upload(client, path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "คำเตือน (1)" in page and "อยู่นอกปีงบประมาณ 2569" in page and 'class="card problems"' not in page
    token = token_of(page)
    confirmed = client.post(f"/imports/{token}/confirm", data=confirm_data(client, page, {1: [6]}))
    assert confirmed.status_code == 302 and count(Task) == 2
