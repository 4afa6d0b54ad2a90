"""Importing a plan from a Word document (.docx): the plan table read from the document's own tables.

The documents are made here with python-docx from the seed report: its text as paragraphs, its score table as a
table, and its plan as a Word table the way agencies lay one out (merged cells, a step a row), so the seed read from
Word must give the same figures as the seed read from its text.
"""
from __future__ import annotations

import json
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table

from tracker.plans import PlanFileError, read_plan_file
from tracker.plans.draft import PlanDraft
from tracker.plans.report import read_report
from tracker.plans.rows import MAX_MEASURES, is_header

from .conftest import SEED  # the shared seed, or the copy packaged with the app when shared/ is not beside the repo
from .factories import counts, login
from .test_imports_web import admin, imports_dir, stored, token_of, upload  # noqa: F401  (fixtures)

HEADER = (
    "ลำดับ",
    "มาตรการ/โครงการ/ กิจกรรม",
    "ผลการวิเคราะห์ ตัวชี้วัดตามหลักเกณฑ์ การ ประเมิน ITA",
    "ขั้นตอนหรือวิธีการดำเนินการ",
    "ช่วง ระยะเวลา การดำเนินการ",
    "ผู้รับผิดชอบ",
)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_draft() -> PlanDraft:
    return read_report(seed_text(), SEED.name)


def fill(table: Table, rows: list[list[str]]) -> None:
    for cells, row in zip(rows, table.rows, strict=True):
        for text, cell in zip(cells, row.cells, strict=True):
            cell.text = text


def plan_table(document, draft: PlanDraft, *, merge: bool = True, title_row: bool = True) -> Table:
    """The seed's plan as a Word table: a title row spanning the table, the header, then each measure over as many
    rows as it has steps (a step a row), its order, title, analysis and period merged down over them; the measures
    of one responsible division share one "ผู้รับผิดชอบ" cell merged down over all of them. With `merge` False the
    continuing rows are left empty instead of merged, as a table typed without merging is (each measure then names
    its own divisions)."""
    body = sum(len(m.steps) for m in draft.measures)
    top = 1 if title_row else 0
    table = document.add_table(rows=top + 1 + body, cols=len(HEADER))
    if title_row:
        banner = table.cell(0, 0).merge(table.cell(0, len(HEADER) - 1))
        banner.text = "แผนการนำผลการประเมิน ITA ไปสู่การปรับปรุง"
    fill_row = table.rows[top].cells
    for text, cell in zip(HEADER, fill_row, strict=True):
        cell.text = text
    row = top + 1
    spans: list[tuple[int, int, str]] = []  # divisions: first row, last row, text
    for number, measure in enumerate(draft.measures, start=1):
        first, last = row, row + len(measure.steps) - 1
        for offset, step in enumerate(measure.steps):
            table.cell(row + offset, 3).text = f"{offset + 1}.{step}".translate(THAI_DIGITS)
        values = {
            0: str(number).translate(THAI_DIGITS),
            1: measure.title,
            2: measure.analysis,
            4: measure.period_text,
        }
        for column, text in values.items():
            cell = table.cell(first, column)
            if merge and last > first:
                cell = cell.merge(table.cell(last, column))
            cell.text = text
        divisions = "\n".join(
            f"{i}.{name}".translate(THAI_DIGITS) if len(measure.division_names) > 1 else name
            for i, name in enumerate(measure.division_names, start=1)
        )
        if merge and spans and spans[-1][2] == divisions:
            spans[-1] = (spans[-1][0], last, divisions)
        else:
            spans.append((first, last, divisions))
        row = last + 1
    for first, last, text in spans:
        cell = table.cell(first, 5)
        if merge and last > first:
            cell = cell.merge(table.cell(last, 5))
        cell.text = text
    return table


def seed_docx(path: Path, *, merge: bool = True, text: bool = True, split: int | None = None) -> Path:
    """The seed as a Word document: its lines as paragraphs, its runs of tab-separated lines as tables, and its
    plan table laid out by plan_table; with `split`, as two plan tables, the first with the first `split` measures,
    the second (its header repeated, no title row) with the rest, a title paragraph between them."""
    draft = seed_draft()
    document = Document()
    run: list[list[str]] = []

    def flush() -> None:
        if not run:
            return
        if is_header(run[0]) and split is not None:
            plan_table(document, replace(draft, measures=draft.measures[:split]), merge=merge)
            document.add_paragraph("แผนการนำผลการประเมินไปสู่การปรับปรุง (ต่อ)")
            plan_table(document, replace(draft, measures=draft.measures[split:]), merge=merge, title_row=False)
        elif is_header(run[0]):
            plan_table(document, draft, merge=merge)
        else:
            width = max(len(cells) for cells in run)
            fill(document.add_table(rows=len(run), cols=width), [cells + [""] * (width - len(cells)) for cells in run])
        run.clear()

    for line in seed_text().splitlines():
        if "\t" in line:
            run.append(line.split("\t"))
            continue
        flush()
        if text:
            document.add_paragraph(line)
    flush()
    document.save(str(path))
    return path


def figures(draft: PlanDraft) -> list[tuple]:
    return [
        (m.title, m.analysis, m.steps, m.start, m.end, m.period_text, m.division_names, m.indicators)
        for m in draft.measures
    ]


def problems_of(path: Path, fiscal_year: int | None = None) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path, fiscal_year=fiscal_year)
    return caught.value.problems


# --- reading -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("merge", [True, False], ids=["merged", "unmerged"])
def test_the_seed_as_a_word_table_imports_to_the_same_figures(tmp_path: Path, merge: bool) -> None:
    expected = seed_draft()
    draft = read_plan_file(seed_docx(tmp_path / "แผน.docx", merge=merge))
    assert draft.source == "แผน.docx"
    assert figures(draft) == figures(expected)
    assert [len(m.steps) for m in draft.measures] == [2, 2, 4]
    assert draft.measures[2].division_names == ["สำนักปลัดเทศบาล"]  # from the cell merged down over measures 2-3
    assert draft.fiscal_year == expected.fiscal_year == 2569
    assert draft.organization == expected.organization
    assert draft.scores == expected.scores
    assert draft.measures[0].place == "แผน.docx ตาราง 2 แถว 3"


def test_a_table_alone_takes_its_year_from_the_periods_or_the_caller(tmp_path: Path) -> None:
    draft = read_plan_file(seed_docx(tmp_path / "plan.docx", text=False))
    assert draft.fiscal_year == 2569 and draft.organization is None
    assert figures(draft) == figures(seed_draft())


def test_problems_say_the_table_row_and_column(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("เทศบาลตำบลทดสอบ")
    table = document.add_table(rows=3, cols=4)
    fill(table, [
        ["มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"],
        ["จัดทำคู่มือ", "1. จัดทำคู่มือ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"],
        ["เผยแพร่ข้อมูล", "1. ปรับปรุงเว็บไซต์", "ภายในปีนี้", "สำนักปลัด"],
    ])
    document.save(str(tmp_path / "plan.docx"))
    (problem,) = problems_of(tmp_path / "plan.docx")
    assert problem.startswith("plan.docx ตาราง 1 แถว 3 คอลัมน์ “") and "ภายในปีนี้" in problem


def test_a_document_without_a_plan_table_is_refused_in_thai(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("รายงานผลการประเมิน ITA ปีงบประมาณ พ.ศ. ๒๕๖๘")
    fill(document.add_table(rows=2, cols=2), [["ตัวชี้วัดที่", "คะแนน"], ["1", "100"]])
    document.save(str(tmp_path / "report.docx"))
    (problem,) = problems_of(tmp_path / "report.docx")
    assert problem.startswith("report.docx: ไม่พบตารางแผนปรับปรุงในเอกสาร Word")
    assert "มีตาราง 1 ตาราง" in problem and "“ขั้นตอน" in problem and "nothing was imported" in problem

    empty = Document()
    empty.add_paragraph("ไม่มีตาราง")
    empty.save(str(tmp_path / "empty.docx"))
    assert "เอกสารไม่มีตารางเลย" in problems_of(tmp_path / "empty.docx")[0]


def test_a_table_short_of_a_column_says_which(tmp_path: Path) -> None:
    document = Document()
    fill(document.add_table(rows=2, cols=3), [["มาตรการ", "ขั้นตอน", "ผู้รับผิดชอบ"], ["ก", "1. ข", "ค"]])
    document.save(str(tmp_path / "plan.docx"))
    (problem,) = problems_of(tmp_path / "plan.docx")
    assert "ตาราง 1 แถว 1 ใกล้เคียงที่สุด แต่ขาดคอลัมน์ “" in problem


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"], ids=["empty", "text", "cut"])
def test_a_file_that_is_not_a_word_document_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert problem.startswith("plan.docx: เปิดเป็นไฟล์ Word (.docx) ไม่ได้")


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "สวัสดี")
    (problem,) = problems_of(path)
    assert problem.startswith("plan.docx: เปิดเป็นไฟล์ Word (.docx) ไม่ได้")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = seed_docx(tmp_path / "plan.docx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/media/huge.xml", "w", force_zip64=True) as part:
            for _ in range(60):
                part.write(b" " * 1024 * 1024)
    assert path.stat().st_size < 1_000_000
    began = time.perf_counter()
    (problem,) = problems_of(path)
    assert time.perf_counter() - began < 1.0
    assert problem.startswith("plan.docx: ไฟล์ .docx นี้เมื่อแตกออกมีขนาด") and "ทั้งหมด 50 MB" in problem


def test_reading_a_docx_does_not_load_python_docx_until_then() -> None:
    import subprocess
    import sys

    code = "import sys, tracker.plans; print('docx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def plan_document(path: Path, *tables: list[list[str]], title: str = "เทศบาลตำบลทดสอบ") -> Path:
    """A document of tables (each its rows, a cell a string) under a title paragraph, a paragraph between them."""
    document = Document()
    if title:
        document.add_paragraph(title)
    for number, rows in enumerate(tables):
        if number:
            document.add_paragraph("ตัวชี้วัดที่ 2 (ต่อ)")
        fill(document.add_table(rows=len(rows), cols=len(rows[0])), rows)
    document.save(str(path))
    return path


SHORT_HEADER = ["ลำดับ", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"]


@pytest.mark.parametrize("merge", [True, False], ids=["merged", "unmerged"])
def test_a_plan_over_two_tables_reads_as_one_plan(tmp_path: Path, merge: bool) -> None:
    whole = read_plan_file(seed_docx(tmp_path / "one.docx", merge=merge))
    draft = read_plan_file(seed_docx(tmp_path / "แผน.docx", merge=merge, split=2))
    assert figures(draft) == figures(whole) == figures(seed_draft())
    assert draft.fiscal_year == whole.fiscal_year == 2569
    assert (draft.organization, draft.scores) == (whole.organization, whole.scores)
    assert [m.place for m in draft.measures] == ["แผน.docx ตาราง 2 แถว 3", "แผน.docx ตาราง 2 แถว 5",
                                                 "แผน.docx ตาราง 3 แถว 2"]


def test_the_cli_imports_a_plan_over_two_tables_in_order(runner, tmp_path):
    path = seed_docx(tmp_path / "plan.docx", split=1)
    result = runner.invoke(args=["import", str(path), "--dry-run", "--json", "--create-divisions"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["organization"] == "เทศบาลตำบลบางกระบือ" and data["fiscal_year"] == 2569
    expected = seed_draft().measures
    assert [m["title"] for m in data["measures"]] == [m.title for m in expected]
    assert [m["steps"] for m in data["measures"]] == [m.steps for m in expected]
    assert [m["place"] for m in data["measures"]] == [
        "plan.docx ตาราง 2 แถว 3", "plan.docx ตาราง 3 แถว 2", "plan.docx ตาราง 3 แถว 4"
    ]
    assert data["task_count"] == 16
    result = runner.invoke(args=["import", str(path), "--create-divisions"])
    assert result.exit_code == 0, result.output
    assert counts()["Plan"] == 1 and counts()["Measure"] == 3


def test_tables_of_a_plan_give_their_divisions_and_a_year_to_periods_without_one(tmp_path: Path) -> None:
    path = plan_document(
        tmp_path / "plan.docx",
        [SHORT_HEADER, ["1", "จัดทำคู่มือ", "1. จัดทำคู่มือ\n2. เผยแพร่คู่มือ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"]],
        [SHORT_HEADER, ["2", "เผยแพร่ข้อมูล", "1. ปรับปรุงเว็บไซต์", "ตลอดปีงบประมาณ", "กองคลัง, กองช่าง"],
         ["3", "ประชุมชี้แจง", "1. ประชุม", "มี.ค.", "กองช่าง"]],
    )
    draft = read_plan_file(path)
    assert draft.fiscal_year == 2569 and draft.organization is not None
    assert [m.title for m in draft.measures] == ["จัดทำคู่มือ", "เผยแพร่ข้อมูล", "ประชุมชี้แจง"]
    assert [m.division_names for m in draft.measures] == [["สำนักปลัด"], ["กองคลัง", "กองช่าง"], ["กองช่าง"]]
    assert [(str(m.start), str(m.end)) for m in draft.measures[1:]] == [
        ("2025-10-01", "2026-09-30"), ("2026-03-01", "2026-03-31")
    ]
    assert [m.place for m in draft.measures] == ["plan.docx ตาราง 1 แถว 2", "plan.docx ตาราง 2 แถว 2",
                                                 "plan.docx ตาราง 2 แถว 3"]


def test_a_problem_in_the_second_table_names_it_and_its_row(tmp_path: Path) -> None:
    path = plan_document(
        tmp_path / "plan.docx",
        [SHORT_HEADER, ["1", "จัดทำคู่มือ", "1. จัดทำคู่มือ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"]],
        [["แผนปรับปรุง ตัวชี้วัดที่ 9", "", "", "", ""], SHORT_HEADER,
         ["2", "เผยแพร่ข้อมูล", "1. ปรับปรุงเว็บไซต์", "ต.ค. 68 - ธ.ค. 68", "สำนักปลัด"],
         ["3", "ประชุมชี้แจง", "1. ประชุม", "ภายในปีนี้", "สำนักปลัด"]],
    )
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    (problem,) = caught.value.problems
    assert problem.startswith("plan.docx ตาราง 2 แถว 4 คอลัมน์ “") and "ภายในปีนี้" in problem
    draft = caught.value.draft
    assert draft is not None and draft.fiscal_year == 2569 and len(draft.measures) == 3


def test_a_table_whose_periods_end_in_another_fiscal_year_is_a_problem(tmp_path: Path) -> None:
    path = plan_document(
        tmp_path / "plan.docx",
        [SHORT_HEADER, ["1", "จัดทำคู่มือ", "1. จัดทำคู่มือ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"],
         ["2", "อบรม", "1. อบรม", "ตลอดปีงบประมาณ", "สำนักปลัด"]],
        [SHORT_HEADER, ["3", "เผยแพร่ข้อมูล", "1. ปรับปรุงเว็บไซต์", "ต.ค. 69 - ก.ย. 70", "สำนักปลัด"],
         ["4", "ประชุม", "1. ประชุม", "ภายในปีนี้", "สำนักปลัด"]],
    )
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    problems = caught.value.problems
    assert len(problems) == 2, problems
    assert problems[0].startswith("plan.docx: ช่วงเวลาของมาตรการในตารางแผนสิ้นสุดในหลายปีงบประมาณ")
    assert "2569 (ตาราง 1 แถว 2)" in problems[0] and "2570 (ตาราง 2 แถว 2)" in problems[0]
    # What no year would cure is still said; a period wanting a year ("ตลอดปีงบประมาณ") is not.
    assert problems[1].startswith("plan.docx ตาราง 2 แถว 3 คอลัมน์ “") and "ภายในปีนี้" in problems[1]
    draft = caught.value.draft
    assert draft is not None and draft.fiscal_year is None and draft.year_refused and len(draft.measures) == 4

    # Told the year, the tables are read in it (the import then warns of the periods outside it).
    assert len(problems_of(path, fiscal_year=2569)) == 1


def test_tables_without_a_year_anywhere_say_so_once(tmp_path: Path) -> None:
    path = plan_document(
        tmp_path / "plan.docx",
        [SHORT_HEADER, ["1", "จัดทำคู่มือ", "1. จัดทำคู่มือ", "ตลอดปีงบประมาณ", "สำนักปลัด"]],
        [SHORT_HEADER, ["2", "เผยแพร่ข้อมูล", "1. ปรับปรุงเว็บไซต์", "มี.ค.", "สำนักปลัด"]],
    )
    (problem,) = problems_of(path)
    assert problem.startswith("plan.docx: ไม่มีช่วงเวลาใดระบุปี")
    draft = read_plan_file(path, fiscal_year=2570)
    assert draft.fiscal_year == 2570 and [str(m.end) for m in draft.measures] == ["2027-09-30", "2027-03-31"]


def test_the_measure_limit_counts_every_table(tmp_path: Path) -> None:
    def rows(first: int, count: int) -> list[list[str]]:
        return [SHORT_HEADER] + [
            [str(n), f"มาตรการที่ {n}", "1. ดำเนินการ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"]
            for n in range(first, first + count)
        ]

    first = MAX_MEASURES - 50
    path = plan_document(tmp_path / "plan.docx", rows(1, first), rows(first + 1, 60))
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    (problem,) = caught.value.problems
    # Table 2's 51st measure (row 52, under its header) is the plan's first past the limit; 210 are counted in all.
    assert problem.startswith(f"plan.docx ตาราง 2 แถว 52: ตารางมีมาตรการ{MAX_MEASURES + 10:,} แถว")
    assert "นับรวมตารางแผนทั้ง 2 ตาราง" in problem
    draft = caught.value.draft
    assert draft is not None and len(draft.measures) == MAX_MEASURES
    assert draft.measures[-1].title == f"มาตรการที่ {MAX_MEASURES}"
    assert draft.measures[-1].place == "plan.docx ตาราง 2 แถว 51"

    path = plan_document(tmp_path / "fits.docx", rows(1, first), rows(first + 1, 50))
    assert len(read_plan_file(path).measures) == MAX_MEASURES


def test_a_table_without_a_header_after_the_plan_tables_is_context(tmp_path: Path) -> None:
    path = plan_document(
        tmp_path / "plan.docx",
        [SHORT_HEADER, ["1", "จัดทำคู่มือ", "1. จัดทำคู่มือ", "ต.ค. 68 - ก.ย. 69", "สำนักปลัด"]],
        [SHORT_HEADER, ["2", "เผยแพร่ข้อมูล", "1. ปรับปรุงเว็บไซต์", "ตลอดปีงบประมาณ", "กองคลัง"]],
        [["ลงชื่อ", "นายก เทศบาลตำบลทดสอบ"], ["วันที่", "1 ต.ค. 2568"]],
        title="",
    )
    draft = read_plan_file(path)
    assert [m.title for m in draft.measures] == ["จัดทำคู่มือ", "เผยแพร่ข้อมูล"]
    assert draft.organization is not None and draft.organization.name == "เทศบาลตำบลทดสอบ"  # from the last table


# --- the web and the command line ----------------------------------------------------------------------------------


def test_the_web_upload_of_a_docx_shows_the_preview(client, admin, tmp_path, imports_dir):  # noqa: F811
    login(client, "web-admin")
    before = counts()
    response = upload(client, seed_docx(tmp_path / "แผน ITA.docx"))
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "เทศบาลตำบลบางกระบือ" in page and "พ.ศ. 2569" in page
    assert "มาตรการ (3)" in page and "งาน 16" in page
    assert token_of(page)
    assert counts() == before
    assert len(stored(imports_dir)) == 2


def test_the_upload_form_offers_docx(client, admin):  # noqa: F811
    login(client, "web-admin")
    page = client.get("/imports/new").get_data(as_text=True)
    assert ".docx" in page


def test_the_cli_imports_a_docx(runner, tmp_path):
    path = seed_docx(tmp_path / "plan.docx")
    result = runner.invoke(args=["import", str(path), "--dry-run", "--json", "--create-divisions"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["organization"] == "เทศบาลตำบลบางกระบือ" and data["fiscal_year"] == 2569
    assert [len(m["steps"]) for m in data["measures"]] == [2, 2, 4]
    assert data["task_count"] == 16
    result = runner.invoke(args=["import", str(path), "--create-divisions"])
    assert result.exit_code == 0, result.output
    assert counts()["Plan"] == 1


def test_a_header_cell_spanning_two_columns_names_one_column(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=3, cols=5)
    fill(table, [
        ["มาตรการ", "ขั้นตอน", "ระยะเวลา", "", "ผู้รับผิดชอบ"],
        ["จัดทำคู่มือ", "1. จัดทำคู่มือ\n2. เผยแพร่คู่มือ", "ต.ค. 68 - ก.ย. 69", "ไตรมาส 1-4", "สำนักปลัด, กองคลัง"],
        ["", "3. ประเมินผล", "", "", ""],
    ])
    table.cell(0, 2).merge(table.cell(0, 3)).text = "ช่วงระยะเวลา การดำเนินการ"
    document.save(str(tmp_path / "plan.docx"))
    (measure,) = read_plan_file(tmp_path / "plan.docx").measures
    assert measure.steps == ["จัดทำคู่มือ", "เผยแพร่คู่มือ", "ประเมินผล"]
    assert measure.period_text == "ต.ค. 68 - ก.ย. 69" and measure.division_names == ["สำนักปลัด", "กองคลัง"]
    assert measure.place == "plan.docx ตาราง 1 แถว 2"
