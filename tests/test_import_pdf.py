"""Importing a plan from a PDF report: its text layer read as a report's text, unless its Thai reads wrong.

The PDFs are made here with WeasyPrint and the vendored Sarabun (as the results report is, tests/test_documents.py):
the seed report a line a paragraph, its tables one cell a line (the flattened form the report reader knows), on pages
wide enough that no line wraps.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tracker.plans import PlanFileError, read_plan_file
from tracker.plans.pdf import damaged_thai, pdf_text
from tracker.plans.report import read_report
from tracker.plans.thai_words import join_split_words

from .factories import counts, login
from .test_import_docx import SEED, figures, seed_draft, seed_text
from .test_imports_web import admin, imports_dir, token_of, upload  # noqa: F401  (fixtures)

STATIC = Path(__file__).resolve().parents[1] / "tracker" / "static"
ADVICE = "ให้อัปโหลดไฟล์ Word (.docx) หรือแม่แบบ .xlsx แทน"


def render(paragraphs: list[str], path: Path) -> Path:
    """A PDF of one paragraph a line, in Sarabun embedded (WeasyPrint, Pango and HarfBuzz, as the results report)."""
    weasyprint = pytest.importorskip("weasyprint", exc_type=OSError)  # Pango missing: skipped, as it cannot render
    from weasyprint.text.fonts import FontConfiguration

    fonts = (STATIC / "css" / "report-print.css").read_text(encoding="utf-8").split("@page")[0]
    fonts = fonts.replace('url("../fonts/', f'url("{(STATIC / "fonts").as_uri()}/')
    css = fonts + """
        @page { size: 1000mm 400mm; margin: 10mm }
        body { font-family: "Sarabun Thai", "Sarabun Latin"; font-size: 9pt }
        p { white-space: pre; margin: 0 }"""
    body = "".join(f"<p>{html.escape(line) or '&#160;'}</p>" for line in paragraphs)
    document = weasyprint.HTML(string=f"<style>{css}</style>{body}", base_url=STATIC.as_uri() + "/")
    path.write_bytes(document.write_pdf(font_config=FontConfiguration()))
    return path


def seed_pdf(path: Path) -> Path:
    lines: list[str] = []
    for line in seed_text().splitlines():
        lines.extend(line.split("\t"))  # a table one cell a line, as text pulled out of a PDF often is
    return render(lines, path)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    return caught.value.problems


def test_the_seed_as_a_pdf_imports_to_the_same_figures(tmp_path: Path) -> None:
    # The same figures as the seed's text, but for the spaces its wrapped table cells leave inside words, which a PDF's
    # text is mended of ("ในการเข้าใช้ งาน" -> "ในการเข้าใช้งาน").
    expected = read_report(join_split_words(seed_text()), SEED.name)
    draft = read_plan_file(seed_pdf(tmp_path / "รายงาน.pdf"))
    assert draft.source == "รายงาน.pdf"
    # SARA AM (ำ), which the text layer drops (WeasyPrint maps only SARA AA), is read back from the embedded font.
    assert figures(draft) == figures(expected)
    assert figures(expected) != figures(seed_draft())
    assert "ในการเข้าใช้งาน" in draft.measures[1].steps[0]
    assert draft.measures[0].division_names[0] == "สำนักปลัด"
    assert draft.fiscal_year == 2569 and draft.organization == expected.organization
    assert draft.scores is not None and draft.scores.overall == 96.39


# Words of the plan that a PDF's text layer might break with a space, as the words of a table cell's wrapped lines.
SPLITS = {
    "ประชาสัมพันธ์": "ประชา สัมพันธ์",
    "หน่วยงาน": "หน่วย งาน",
    "เจ้าหน้าที่": "เจ้า หน้าที่",
    "ผู้รับบริการ": "ผู้รับ บริการ",
    "สำนักปลัด": "สำนัก ปลัด",
    "ระยะเวลา": "ระยะ เวลา",
}


def split_seed_pdf(path: Path) -> Path:
    lines: list[str] = []
    for line in seed_text().splitlines():
        for word, broken in SPLITS.items():
            line = line.replace(word, broken)
        lines.extend(line.split("\t"))
    return render(lines, path)


def test_spaces_inside_words_of_a_pdf_are_removed(tmp_path: Path) -> None:
    path = split_seed_pdf(tmp_path / "แผน.pdf")
    text = pdf_text(path, path.name)
    assert "ประชา สัมพันธ์" in text and "สำนัก ปลัด" in text and "หน่วย งาน" in text  # as the PDF has them
    draft = read_plan_file(path)
    assert figures(draft) == figures(read_report(join_split_words(seed_text()), SEED.name))
    title, steps = draft.measures[1].title, draft.measures[1].steps
    # Joined where a word was split; a space between two whole words ("และ", "ประชาสัมพันธ์") stays.
    assert title.startswith("การเผยแพร่ และ ประชาสัมพันธ์ข้อมูลข่าวสารผ่านทาง ช่องทางที่หลากหลาย")
    assert "หลักของหน่วยงาน" in steps[0] and "โดยมอบหมายหน้าที่ให้ เจ้าหน้าที่รับผิดชอบโดยตรง" in steps[1]
    assert draft.measures[0].division_names == ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุข"]
    assert draft.measures[1].division_names == ["สำนักปลัดเทศบาล"]
    everything = " ".join([m.title + m.analysis + "".join(m.steps) for m in draft.measures])
    assert not any(broken in everything for broken in SPLITS.values())


def test_text_whose_marks_precede_their_consonants_is_refused_with_advice(tmp_path: Path) -> None:
    # What a PDF writer that stores glyphs in drawing order gives back: each mark before the consonant it sits on.
    damaged = [
        "".join(_marks_first(word) for word in line.split(" ")) if line else line
        for line in seed_text().replace("\t", " ").splitlines()
    ]
    (problem,) = problems_of(render(damaged, tmp_path / "report.pdf"))
    assert problem.startswith("report.pdf: ข้อความใน PDF นี้อ่านได้ไม่ถูกต้อง (สระหรือวรรณยุกต์")
    assert ADVICE in problem


def _marks_first(word: str) -> str:
    out: list[str] = []
    for character in word:
        if "\u0e34" <= character <= "\u0e3a" or "\u0e47" <= character <= "\u0e4e" or character == "\u0e31":
            out.insert(max(len(out) - 1, 0), character)
        else:
            out.append(character)
    return "".join(out)


def test_a_pdf_without_text_is_refused_with_advice(tmp_path: Path) -> None:
    path = render(["", "", ""], tmp_path / "scan.pdf")
    (problem,) = problems_of(path)
    assert problem.startswith("scan.pdf: PDF นี้ไม่มีข้อความให้อ่าน (น่าจะเป็นภาพสแกน)") and ADVICE in problem


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 not a plan", b"not a pdf at all"], ids=["empty", "cut", "text"])
def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert problem.startswith("plan.pdf: ")
    assert "ไม่ใช่ PDF" in problem or "ไม่มีข้อความ" in problem


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\ue001\ue002\ue003\ue004\ue005 แผนปรับปรุง", "ตารางรหัสตัวอักษร"),
        ("การ ประเม ิน ค ุณธรรม แผ น ่ งาน " * 5, "สระหรือวรรณยุกต์"),
        ("ก า ร ป ร ะ เ ม น ค ณ ธ ร ร ม " * 5, "ช่องว่างแทรกกลางคำ"),
    ],
    ids=["private-use", "lone-marks", "spaced-letters"],
)
def test_kinds_of_damaged_thai_are_told_apart(text: str, reason: str) -> None:
    found = damaged_thai(text)
    assert found is not None and reason in found[0]


def test_the_seed_text_is_not_damaged() -> None:
    assert damaged_thai(seed_text()) is None
    assert damaged_thai(SEED.read_text(encoding="utf-8").replace("\t", "\n")) is None


def test_the_preview_shows_the_words_a_pdf_split_whole(client, admin, tmp_path, imports_dir):  # noqa: F811
    login(client, "web-admin")
    response = upload(client, split_seed_pdf(tmp_path / "แผน.pdf"))
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "การเผยแพร่ และ ประชาสัมพันธ์ข้อมูลข่าวสาร" in page and "สำนักปลัด" in page and token_of(page)
    assert not any(broken in page for broken in SPLITS.values())


def test_the_web_upload_of_a_pdf_shows_the_preview(client, admin, tmp_path, imports_dir):  # noqa: F811
    login(client, "web-admin")
    before = counts()
    response = upload(client, seed_pdf(tmp_path / "แผน ITA.pdf"))
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "เทศบาลตำบลบางกระบือ" in page and "มาตรการ (3)" in page and "งาน 16" in page
    assert token_of(page)
    assert counts() == before


def test_the_cli_imports_a_pdf(runner, tmp_path):
    result = runner.invoke(args=["import", str(seed_pdf(tmp_path / "plan.pdf")), "--dry-run", "--json",
                                 "--create-divisions"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["organization"] == "เทศบาลตำบลบางกระบือ" and data["task_count"] == 16
