"""The results report as PDF, DOCX and XLSX: each file read back the way its reader would see it.

The report is built by hand from the first two measures of the seed plan (เทศบาลตำบลบางกระบือ, 2569). The PDF's text
is read with pypdf, the DOCX's with python-docx, the XLSX's cells with openpyxl. The first PDF page is drawn to
test-artifacts/documents/ for a person to look at the Thai.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from tracker.ita import RESULTS_NAME
from tracker.labels import STATUS
from tracker.models import TaskStatus
from tracker.publish import documents
from tracker.publish.documents import COLUMNS, DOTS, FORMATS, TITLE
from tracker.publish.documents.pdf import _StaticFiles
from tracker.publish.model import EvidenceLink, MeasureRow, ResultsReport, Signature, StepRow
from tracker.thai import to_thai_digits

from .conftest import ROOT
from .factories import FORMULA_ATTACK, FORMULA_STARTS, xlsx_formulas

ARTIFACTS = ROOT / "test-artifacts" / "documents"
TODO, DOING, DONE = STATUS[TaskStatus.TODO], STATUS[TaskStatus.DOING], STATUS[TaskStatus.DONE]
# Digits in the address on purpose: a URL is printed as it is, even when every other digit is Thai.
MANUAL_URL = "https://www.bangkrabue.go.th/ita/2569/o26/manual-2.pdf"

MEASURE_1 = "การจัดทำคู่มือหรือแนวทางการปฏิบัติหน้าที่ของเจ้าหน้าที่ให้ครบทุกกระบวนการ"
MEASURE_2 = (
    "การเผยแพร่ และประชาสัมพันธ์ข้อมูลข่าวสารผ่านทางช่องทางที่หลากหลาย ได้แก่ เว็บไซต์หลักของหน่วยงาน "
    "และเฟสบุ๊กเทศบาลตำบลบางกระบือ"
)
FIVE_DIVISIONS = ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุข")
FY_START, FY_END = date(2025, 10, 1), date(2026, 9, 30)  # ต.ค. 68 - ก.ย. 69
OVERRIDE_REASON = "ปรับตามผลงานที่ตรวจแล้ว ขั้นตอนที่ 2 ทำไปกว่าครึ่ง"
PROBLEMS = "เจ้าหน้าที่ประชาสัมพันธ์มีจำนวนจำกัด"


def seed_report(**changes) -> ResultsReport:
    """The first two measures of the seed plan, half way through the fiscal year (31 มี.ค. 2569)."""
    first = MeasureRow(
        order=1,
        title=MEASURE_1,
        analysis=(
            "การดำเนินงานผู้รับบริการหรือผู้มาติดต่อราชการกับเทศบาลตำบลบางกระบือบางรายอาจเห็นว่าการปฏิบัติงาน "
            "หรือการให้บริการของเจ้าหน้าที่ของหน่วยงานไม่เป็นไปตามขั้นตอน ระยะเวลาที่กำหนด"
        ),
        indicators=("ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน",),
        period_start=FY_START,
        period_end=FY_END,
        divisions=FIVE_DIVISIONS,
        steps=(
            StepRow(1, "จัดทำคู่มือหรือแนวทางการปฏิบัติงานของเจ้าหน้าที่โดยระบุขั้นตอนและระยะเวลาที่ใช้",
                    "สำนักปลัด", date(2026, 1, 31), DONE, True, date(2026, 1, 15)),
            StepRow(2, "จัดทำคู่มือการขอรับบริการและประชาสัมพันธ์หรือเผยแพร่คู่มือดังกล่าวให้แก่ผู้รับบริการ",
                    "กองคลัง", date(2026, 6, 30), DOING, False, None),
        ),
        percent=50,
        percent_reason=None,
        result="สำนักปลัดจัดทำคู่มือการปฏิบัติงานแล้วเสร็จ\nกองคลังอยู่ระหว่างจัดทำคู่มือการขอรับบริการ",
        problems=None,
        evidence=(),
    )
    second = MeasureRow(
        order=2,
        title=MEASURE_2,
        analysis="ผู้รับบริการหรือผู้มาติดต่อราชการกับหน่วยงานบางรายให้ข้อมูลว่าการเผยแพร่ข้อมูลของหน่วยงานเข้าถึงได้ยาก",
        indicators=("ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร",),
        period_start=FY_START,
        period_end=FY_END,
        divisions=("สำนักปลัด",),
        steps=(
            StepRow(1, "จัดให้มีการเผยแพร่และประชาสัมพันธ์ข้อมูลข่าวสารผ่านช่องทางที่หลากหลาย",
                    "สำนักปลัด", date(2026, 2, 28), DONE, True, date(2026, 2, 20)),
            StepRow(2, "ดำเนินการปรับปรุงข้อมูลเว็บไซต์ของหน่วยงานให้มีความครบถ้วนเป็นปัจจุบัน",
                    "สำนักปลัด", date(2026, 8, 31), TODO, False, None),
        ),
        percent=70,
        percent_reason=OVERRIDE_REASON,
        result=None,
        problems=PROBLEMS,
        evidence=(EvidenceLink("คู่มือการเข้าใช้งานเว็บไซต์และเฟสบุ๊ก", MANUAL_URL),),
    )
    report = ResultsReport(
        organization="เทศบาลตำบลบางกระบือ",
        fiscal_year_be=2569,
        as_of=date(2026, 3, 31),
        round_label="รอบ 6 เดือน",
        oit_item="O26",
        oit_name=RESULTS_NAME,
        measures=(first, second),
        signature=Signature("นายสมชาย ตั้งใจดี", "นายกเทศมนตรีตำบลบางกระบือ", date(2026, 4, 2)),
        overall_percent=60,
    )
    return replace(report, **changes)


def big_report() -> ResultsReport:
    """30 measures of 6 steps each: a large agency's plan."""
    base = seed_report().measures[0]
    measures = tuple(
        replace(
            base,
            order=n,
            title=f"มาตรการที่ {n} {MEASURE_1}",
            steps=tuple(
                StepRow(s, f"ขั้นตอนที่ {s} ของมาตรการที่ {n} {base.steps[0].text}", FIVE_DIVISIONS[s % 5],
                        date(2026, 3, 1), (TODO, DOING, DONE)[s % 3], s % 3 == 2, date(2026, 2, s) if s % 3 == 2
                        else None)
                for s in range(1, 7)
            ),
        )
        for n in range(1, 31)
    )
    return seed_report(measures=measures)


# --- reading the files back -----------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_links(data: bytes) -> list[str]:
    links = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or ():
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    parts.extend(p.text for p in document.sections[0].footer.paragraphs)
    return "\n".join(parts)


def docx_links(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    return [
        link.address
        for table in document.tables for row in table.rows for cell in row.cells
        for paragraph in cell.paragraphs for link in paragraph.hyperlinks
    ]


def xlsx_text(data: bytes) -> str:
    """Every cell as a person sees it: a percent-formatted number as "50%"."""
    sheet = load_workbook(io.BytesIO(data)).active
    parts = []
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, (int, float)) and "%" in cell.number_format:
                shown = f"{round(cell.value * 100)}%"
                # The number format that shows Thai digits (Excel's numeral-shape code for Thai).
                parts.append(to_thai_digits(shown) if cell.number_format.startswith("[$-D00041E]") else shown)
            elif cell.value is not None:
                parts.append(str(cell.value))
    return "\n".join(parts)


def xlsx_links(data: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell.hyperlink.target for row in sheet.iter_rows() for cell in row if cell.hyperlink]


TEXT = {"pdf": pdf_text, "docx": docx_text, "xlsx": xlsx_text}
LINKS = {"pdf": pdf_links, "docx": docx_links, "xlsx": xlsx_links}


def normal(text: str) -> str:
    """Text compared without its line breaks and spaces (a cell wraps anywhere).

    A PDF's text layer gives SARA AM (ำ) back as SARA AA (า): HarfBuzz draws it as two glyphs, NIKHAHIT and SARA AA,
    and WeasyPrint maps only the second to text (WeasyPrint issue #2841), so both sides read it as า.
    """
    return re.sub(r"\s+", "", text).replace("\u0e33", "\u0e32").replace("\u0e4d", "")


@pytest.fixture(scope="module")
def rendered():
    """Each file rendered once per module: (report's name, format) -> bytes."""
    return {}


@pytest.fixture
def render(app, rendered):
    def render(fmt: str, name: str = "seed", **changes) -> bytes:
        key = (name, fmt)
        if key not in rendered:
            rendered[key] = documents.render(seed_report(**changes), fmt)
        return rendered[key]

    return render


# --- names ----------------------------------------------------------------------------------------------------------


def test_file_names_are_ascii_with_the_year_and_day_and_media_types_match():
    report = seed_report()
    assert documents.filename(report, "pdf") == "ita-results-2569-2569-03-31.pdf"  # the day in the Buddhist era
    assert documents.filename(report, "xlsx").isascii()
    assert documents.media_type("pdf") == "application/pdf"
    assert documents.media_type("docx").endswith("wordprocessingml.document")
    assert documents.media_type("xlsx").endswith("spreadsheetml.sheet")
    with pytest.raises(ValueError, match="odt"):
        documents.render(report, "odt")


# --- what every format prints ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_prints_the_heading_the_measures_and_where_each_step_stands(render, fmt):
    text = normal(TEXT[fmt](render(fmt)))
    for expected in (
        TITLE,
        "เทศบาลตำบลบางกระบือ ประจำปีงบประมาณ พ.ศ. 2569",
        "รอบ 6 เดือน",
        "ข้อมูล ณ วันที่ 31 มี.ค. 2569",
        f"ข้อ O26 {RESULTS_NAME}",
        *COLUMNS,
        MEASURE_1,
        MEASURE_2,
        "ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน",
        "1 ต.ค. 2568 – 30 ก.ย. 2569",  # the plan's "ต.ค. 68 - ก.ย. 69"
        *FIVE_DIVISIONS,
        DONE, DOING, TODO,
        "15 ม.ค. 2569",  # the day step 1 was done
        "20 ก.พ. 2569",
        "กองคลังอยู่ระหว่างจัดทำคู่มือการขอรับบริการ",
        "50%", "70%", "60%",
        OVERRIDE_REASON,
        PROBLEMS,
        "คู่มือการเข้าใช้งานเว็บไซต์และเฟสบุ๊ก",
        MANUAL_URL,
        "( นายสมชาย ตั้งใจดี )",
        "นายกเทศมนตรีตำบลบางกระบือ",
        "วันที่ 2 เม.ย. 2569",
    ):
        assert normal(expected) in text, expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_evidence_is_a_link_to_its_address(render, fmt):
    # The label and the printed address are both links (in a PDF one per line they wrap onto): all to the evidence.
    links = LINKS[fmt](render(fmt))
    assert links and set(links) == {MANUAL_URL}


@pytest.mark.parametrize("fmt", FORMATS)
def test_with_thai_digits_every_digit_is_thai_except_in_addresses(render, fmt):
    text = normal(TEXT[fmt](render(fmt, "thai", thai_digits=True)))
    assert normal(MANUAL_URL) in text  # the address still opens
    printed = text.replace(normal(MANUAL_URL), "")
    assert "๒๕๖๙" in printed and normal("๑ ต.ค. ๒๕๖๘") in printed and "๕๐%" in printed
    assert "2569" not in printed
    assert not re.search(r"[0-9]", printed), re.findall(r".{0,20}[0-9].{0,20}", printed)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unsigned_report_leaves_dotted_lines_for_the_name_and_the_day_and_prints_its_notes(render, fmt):
    note = "ร้อยละความก้าวหน้าคิดจากขั้นตอนที่แล้วเสร็จ"
    text = TEXT[fmt](render(fmt, "unsigned", signature=Signature(None, "นายกเทศมนตรีตำบลบางกระบือ", None),
                            notes=(note,)))
    assert normal(f"หมายเหตุ {note}") in normal(text)
    assert f"({DOTS})" in text
    assert re.search(r"วันที่ \.{5,}/\.{5,}/\.{5,}", text)
    assert "นายสมชาย" not in text


# --- PDF ------------------------------------------------------------------------------------------------------------


def test_the_pdf_is_a4_landscape_in_sarabun_only_with_page_numbers(render):
    reader = PdfReader(io.BytesIO(render("pdf")))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    # The vendored Sarabun's Thai and Latin halves, in the weights used: never a system font.
    assert fonts and all(name.startswith("Sarabun-") for name in fonts), fonts
    assert {"Sarabun-Thai", "Sarabun-Latin"} <= fonts
    assert normal(f"หน้า 1 / {len(reader.pages)}") in normal(reader.pages[0].extract_text())


def test_a_label_is_printed_as_text_never_read_as_html(app):
    report = seed_report()
    measure = replace(report.measures[1], evidence=(EvidenceLink("<b>คู่มือ</b><img src='file:///etc/passwd'>",
                                                                 MANUAL_URL),))
    text = normal(pdf_text(documents.render(replace(report, measures=(measure,)), "pdf")))
    assert normal("<b>คู่มือ</b><img src='file:///etc/passwd'>") in text


def test_the_pdf_fetches_nothing_but_the_apps_static_files(app):
    static = Path(app.static_folder).resolve()
    fetcher = _StaticFiles(static)
    response = fetcher.fetch((static / "fonts" / "sarabun-thai-400-normal.woff2").as_uri())
    try:
        assert response.read(4) == b"wOF2"
    finally:
        response.close()
    for url in ("file:///etc/hostname", static.as_uri() + "/%2e%2e/__init__.py", "http://127.0.0.1/x.css",
                "https://www.bangkrabue.go.th/logo.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_big_plan_runs_onto_pages_each_with_the_table_header_and_a_page_number(app):
    started = time.monotonic()
    data = documents.render(big_report(), "pdf")
    assert time.monotonic() - started < 20
    pages = [normal(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) > 1
    for number, text in enumerate(pages, 1):
        assert f"หน้า{number}/{len(pages)}" in text
        if "มาตรการที่" in text:  # a page of the table (the signature may stand on a page of its own)
            assert normal("ขั้นตอนหรือวิธีการดำเนินการ") in text, number  # the header row, repeated
    assert sum("มาตรการที่" in text for text in pages) > 1
    assert normal(f"มาตรการที่ 30 {MEASURE_1}") in "".join(pages[-2:])


def test_the_first_page_drawn_for_a_person_to_check_the_thai(render):
    # `pdftoppm` is poppler-utils; CI installs it (.ci/run), so there it must run.
    if shutil.which("pdftoppm") is None and not os.environ.get("CI"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "report.pdf"
    source.write_bytes(render("pdf"))
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(ARTIFACTS / "report-page-1")], check=True, timeout=60)
    with Image.open(ARTIFACTS / "report-page-1.png") as image:
        assert image.width > image.height  # landscape
        grey = image.convert("L")
        dark = sum(grey.histogram()[:100])
    assert dark > 10_000  # text and table lines, not a blank page


# --- DOCX -----------------------------------------------------------------------------------------------------------


def test_the_docx_is_an_editable_table_on_a4_landscape_in_sarabun_for_thai_too(render):
    document = Document(io.BytesIO(render("docx")))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)

    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == list(COLUMNS)
    # The header row repeats on every page.
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(table.rows) == 3  # the header and one row per measure
    first, second = table.rows[1].cells, table.rows[2].cells
    assert first[0].text == MEASURE_1
    assert DONE in first[2].text and "15 ม.ค. 2569" in first[2].text and DOING in first[2].text
    assert first[5].text == seed_report().measures[0].result  # its line break kept
    assert second[5].text == "-"  # no result yet
    assert first[8].text == "-"  # no problems
    assert OVERRIDE_REASON in second[6].text
    assert round(sum(cell.width for cell in first) / Mm(1)) <= 297 - 2 * 12  # the page less its margins

    # Thai is a complex script in Word: its font and size are w:cs and w:szCs, not the Latin ones.
    normal_style = document.styles["Normal"].element.rPr
    fonts = normal_style.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{script}")) for script in ("ascii", "hAnsi", "cs")} == {"Sarabun"}
    assert normal_style.find(qn("w:szCs")).get(qn("w:val")) == normal_style.find(qn("w:sz")).get(qn("w:val"))
    title_run = document.paragraphs[0].runs[0]._r.rPr
    assert title_run.find(qn("w:bCs")) is not None and title_run.find(qn("w:szCs")) is not None


def test_the_docx_page_numbers_are_thai_digits_when_the_report_is(render):
    footer = Document(io.BytesIO(render("docx", "thai", thai_digits=True))).sections[0].footer
    instructions = [field.get(qn("w:instr")) for field in footer._element.iter(qn("w:fldSimple"))]
    assert instructions == [r"PAGE \* ThaiArabic", r"NUMPAGES \* ThaiArabic"]


# --- XLSX -----------------------------------------------------------------------------------------------------------


def test_the_xlsx_has_a_row_per_step_a_frozen_header_and_the_percent_as_a_number(render):
    workbook = load_workbook(io.BytesIO(render("xlsx")))
    assert len(workbook.worksheets) == 1
    sheet = workbook.active
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == COLUMNS[0])
    assert sheet.freeze_panes == f"A{header + 1}"
    labels = [cell.value for cell in sheet[header]]
    steps, status, percent = (labels.index(label) + 1 for label in ("ขั้นตอนหรือวิธีการดำเนินการ", "สถานะ",
                                                                    "ร้อยละความก้าวหน้า"))

    first = header + 1
    assert sheet.cell(first, 1).value == MEASURE_1
    assert sheet.cell(first, steps).value.startswith("1. จัดทำคู่มือหรือแนวทาง")
    assert [sheet.cell(first + n, status).value for n in range(4)] == [DONE, DOING, DONE, TODO]
    # The measure's own cells span its steps' rows.
    assert f"A{first}:A{first + 1}" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.cell(first, percent).value == 0.5 and sheet.cell(first, percent).number_format == "0%"
    assert sheet.cell(first + 2, percent).value == 0.7
    assert sheet.cell(first, steps).alignment.wrap_text
    assert all(sheet.column_dimensions[chr(64 + n)].width >= 10 for n in range(1, len(labels) + 1))
    assert sheet.page_setup.orientation == "landscape"


def test_the_xlsx_percent_shows_in_thai_digits_when_the_report_is(render):
    sheet = load_workbook(io.BytesIO(render("xlsx", "thai", thai_digits=True))).active
    percents = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float)]
    assert percents and all(c.number_format == "[$-D00041E]0%" for c in percents)


# What people typed, each in the place the report prints it.
TYPED_FIELDS = ("title", "result", "percent_reason", "problems", "evidence label", "division", "organization",
                "signer's position", "note")


def with_typed(field: str, text: str) -> ResultsReport:
    """The seed report with `text` typed into one field of the first measure (or of the report)."""
    report = seed_report()
    if field == "organization":
        return replace(report, organization=text)
    if field == "signer's position":
        return replace(report, signature=replace(report.signature, position=text))
    if field == "note":
        return replace(report, notes=(text,))
    first, second = report.measures
    if field == "evidence label":
        change: dict = {"evidence": (EvidenceLink(text, MANUAL_URL),)}
    elif field == "division":
        change = {"divisions": (text, "กองคลัง")}
    else:
        change = {field: text}
    return replace(report, measures=(replace(first, **change), second))


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
@pytest.mark.parametrize("field", TYPED_FIELDS)
def test_the_xlsx_writes_what_people_typed_as_text_never_a_formula(app, field, start):
    typed = f"{start}{FORMULA_ATTACK}"
    data = documents.render(with_typed(field, typed), "xlsx")

    assert xlsx_formulas(data) == []  # no cell of the sheet's XML is a formula
    sheet = load_workbook(io.BytesIO(data)).active
    shown = typed.strip()  # as every format prints a value: without the spaces around it
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and FORMULA_ATTACK in c.value]
    # The typed text starts its cell (the evidence's address follows its label, the year the agency's name), as written.
    assert cells and all(c.value.startswith(shown) for c in cells)
    # A string cell; Excel's quote style (shown as written, still text when edited) on what starts like a formula.
    assert all(c.data_type == "s" and c.quotePrefix == (c.value[0] in "=+-@\t\r") for c in cells)
    percents = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float)]
    assert percents and all(c.data_type == "n" for c in percents)  # what the app computes stays a number
