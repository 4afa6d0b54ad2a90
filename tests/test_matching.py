"""Division names and indicator inference: pure matching, no database."""
from __future__ import annotations

import time
from datetime import date
from types import SimpleNamespace

import pytest

from tracker.plans import build
from tracker.plans.build import spread_due_dates
from tracker.plans.matching import KnownDivision, infer_indicator, match_division
from tracker.plans.preview import division_spellings, spelling_text
from tracker.plans.report import read_report
from tracker.plans.rows import parse_indicator_numbers, split_divisions, split_numbered

KNOWN = [
    KnownDivision(1, "สำนักปลัดเทศบาล"),
    KnownDivision(2, "กองคลัง"),
    KnownDivision(3, "กองสาธารณสุขและสิ่งแวดล้อม"),
    KnownDivision(4, "กองช่าง", aliases=["ส่วนโยธาธิการ"]),
]


@pytest.mark.parametrize(
    "written, expected",
    [
        ("สำนักปลัด", 1),
        ("สำนักปลัดเทศบาล", 1),
        ("สำนัก ปลัด เทศบาล", 1),
        ("สำนักงานปลัด", 1),
        ("กองคลัง", 2),
        ("กอง คลัง.", 2),
        ("กองสาธารณสุข", 3),
        ("กองสาธารณสุขและสิ่งแวดล้อม", 3),
        ("ส่วนโยธาธิการ", 4),
        ("กองการศึกษา", None),
        ("กองประปา", None),
    ],
)
def test_division_names_match(written, expected):
    found = match_division(written, KNOWN)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    "cell, items",
    [
        ("๑.สำนักปลัด ๒.กองคลัง ๓.กองช่าง", ["สำนักปลัด", "กองคลัง", "กองช่าง"]),
        ("1. สำนักปลัด\n2. กองคลัง", ["สำนักปลัด", "กองคลัง"]),
        ("สำนักปลัด, กองคลัง", ["สำนักปลัด", "กองคลัง"]),
        ("สำนักปลัด และ กองคลัง", ["สำนักปลัด", "กองคลัง"]),
        ("สำนักปลัดเทศบาล", ["สำนักปลัดเทศบาล"]),
    ],
)
def test_division_cells_split(cell, items):
    assert split_divisions(cell) == items


def test_numbers_inside_a_step_do_not_split_it():
    assert split_numbered("1. เผยแพร่ผ่าน 3 ช่องทาง ข้อ 2.5 ของคู่มือ 2. ประเมินผล") == [
        "เผยแพร่ผ่าน 3 ช่องทาง ข้อ 2.5 ของคู่มือ",
        "ประเมินผล",
    ]
    assert split_numbered("- สำรวจ\n- ปรับปรุง") == ["สำรวจ", "ปรับปรุง"]


def test_seed_measures_infer_indicators_6_7_8(seed_path):
    draft = read_report(seed_path.read_text(encoding="utf-8"), "seed.txt")
    scores = draft.scores
    documents = {n: f"{scores.indicator_names[n]} {scores.indicator_analysis.get(n, '')}" for n in range(1, 11)}
    assert [infer_indicator(m.analysis, documents).numbers for m in draft.measures] == [[6], [7], [8]]


def test_no_text_infers_nothing():
    assert infer_indicator("", {1: "การปฏิบัติหน้าที่"}).numbers == []
    assert infer_indicator("xyzxyz", {1: "การปฏิบัติหน้าที่"}).numbers == []


@pytest.mark.parametrize(
    "start, end, steps, expected",
    [
        (date(2025, 10, 1), date(2026, 9, 30), 2, [date(2026, 3, 31), date(2026, 9, 30)]),
        (date(2025, 10, 1), date(2026, 9, 30), 4,
         [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]),
        (date(2025, 10, 1), date(2026, 9, 30), 1, [date(2026, 9, 30)]),
        # Shorter than a month a step: exact fractions, not month ends.
        (date(2026, 1, 1), date(2026, 1, 31), 3, [date(2026, 1, 11), date(2026, 1, 21), date(2026, 1, 31)]),
    ],
)
def test_due_dates_spread_over_the_period(start, end, steps, expected):
    assert spread_due_dates(start, end, steps) == expected


@pytest.mark.parametrize(
    "cell, numbers",
    [("6", [6]), ("ตัวชี้วัดที่ ๖, ๗", [6, 7]), ("9.1", [9]), ("1-3", [1, 2, 3]), ("ตัวชี้วัดที่ 9.1 และ 10", [9, 10])],
)
def test_indicator_cells(cell, numbers):
    problems: list[str] = []
    assert parse_indicator_numbers(cell, "plan.csv แถว 2", problems) == numbers
    assert problems == []


def test_indicator_out_of_range_and_oit_items_are_problems():
    problems: list[str] = []
    assert parse_indicator_numbers("11, O12", "plan.csv แถว 2", problems) == []
    assert len(problems) == 1 and "plan.csv แถว 2" in problems[0] and "[11]" in problems[0]


@pytest.mark.parametrize(
    "cell, numbers",
    [("3-1", [1, 2, 3]), ("1 – 10", list(range(1, 11))), ("๑-๓, ๙.๑", [1, 2, 3, 9]), ("06", [6])],
)
def test_indicator_ranges_read_by_their_ends(cell, numbers):
    problems: list[str] = []
    assert parse_indicator_numbers(cell, "plan.csv แถว 2", problems, 2569) == numbers
    assert problems == []


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("1-100000000", "[1-100000000]"),
        ("1 - 99999999999999999999", "[1 - 99999999999999999999]"),
        ("9" * 5_000, "[" + "9" * 30 + "…]"),  # more digits than Python turns into an int
        ("0, 6", "[0]"),
        ("10-11", "[10-11]"),
    ],
)
def test_indicator_numbers_outside_the_framework_are_named_not_expanded(cell, shown):
    problems: list[str] = []
    began = time.perf_counter()
    numbers = parse_indicator_numbers(cell, "plan.csv แถว 2 คอลัมน์ “ตัวชี้วัดที่”", problems, 2569)
    assert time.perf_counter() - began < 0.1
    assert numbers == ([6] if cell == "0, 6" else [])
    (problem,) = problems
    assert problem.startswith("plan.csv แถว 2 คอลัมน์ “ตัวชี้วัดที่”:") and "1-10" in problem and shown in problem


def resolution(divisions: dict[str, list]) -> build.Resolution:
    new = [d for ds in divisions.values() for d in ds if isinstance(d, build.NewDivision)]
    return build.Resolution(None, 2569, divisions, new, create=True)


def test_divisions_matched_under_another_name_are_listed():
    health, finance = SimpleNamespace(name="กองสาธารณสุข"), SimpleNamespace(name="กองคลัง")
    clerk = build.NewDivision("สำนักปลัดเทศบาล", {"สำนักปลัด", "สำนักปลัดเทศบาล"})
    spellings = division_spellings(resolution({
        "กองสาธารณสุขและสิ่งแวดล้อม": [health],
        "กอง คลัง.": [finance],  # spaces and a dot apart: the same name, not another
        "สำนักปลัด": [clerk],
        "สำนักปลัดเทศบาล": [clerk],
        "ทุกกอง": [health],  # every division, by none of their names
    }))
    assert spellings == [
        {"written": "กองสาธารณสุขและสิ่งแวดล้อม", "division": "กองสาธารณสุข", "new": False},
        {"written": "สำนักปลัด", "division": "สำนักปลัดเทศบาล", "new": True},
    ]
    assert [spelling_text(s) for s in spellings] == [
        "กองสาธารณสุขและสิ่งแวดล้อม → กองสาธารณสุข (ชื่อเรียกอื่น)",
        "สำนักปลัด → สำนักปลัดเทศบาล (ชื่อเรียกอื่น; กองที่จะสร้างใหม่)",
    ]


def test_a_plan_without_other_names_lists_none():
    assert division_spellings(resolution({"กองคลัง": [SimpleNamespace(name="กองคลัง")]})) == []


def test_the_division_catalogue_is_the_divisions_and_plans_import_it_not_the_reverse():
    """Imports flow plans → divisions: the catalogue of common division names lives in tracker/divisions.py."""
    import ast
    from pathlib import Path

    import tracker.divisions
    from tracker.plans import matching

    source = Path(tracker.divisions.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = (node.module or "").lstrip(".")
            imported |= {f"{module}.{alias.name}".lstrip(".") for alias in node.names} | {module}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert not {name for name in imported if name.startswith(("plans", "tracker.plans"))}, imported
    assert matching.catalogue_entry is tracker.divisions.catalogue_entry
    assert tracker.divisions.catalogue_entry("สำนักปลัด").name == "สำนักปลัดเทศบาล"
