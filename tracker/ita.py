"""The ITA assessment framework as data per fiscal year: indicator numbers, names and tools, and the OIT items.

The NACC renames indicators and renumbers OIT items between frameworks (the improvement plan was item O42 in
2565-2567 and O25 in 2569), so nothing here is a constant of the code: each fiscal year's rows are copied into the
Indicator and OitItem tables when the year is first used, and a report's own indicator list is checked against them.
"""
from __future__ import annotations

from dataclasses import dataclass

PASS_LINE = 85.0  # the score an indicator, a tool and the overall result must reach


@dataclass(frozen=True)
class IndicatorSpec:
    number: int
    name: str
    tool: str  # IIT: staff survey; EIT: service users' survey; OIT: published information


_INDICATORS_2565_2569 = (
    IndicatorSpec(1, "การปฏิบัติหน้าที่", "IIT"),
    IndicatorSpec(2, "การใช้งบประมาณ", "IIT"),
    IndicatorSpec(3, "การใช้อำนาจ", "IIT"),
    IndicatorSpec(4, "การใช้ทรัพย์สินของราชการ", "IIT"),
    IndicatorSpec(5, "การแก้ไขปัญหาการทุจริต", "IIT"),
    IndicatorSpec(6, "คุณภาพการดำเนินงาน", "EIT"),
    IndicatorSpec(7, "ประสิทธิภาพการสื่อสาร", "EIT"),
    IndicatorSpec(8, "การปรับปรุงการทำงาน", "EIT"),
    IndicatorSpec(9, "การเปิดเผยข้อมูล", "OIT"),
    IndicatorSpec(10, "การป้องกันการทุจริต", "OIT"),
)

INDICATORS: dict[int, tuple[IndicatorSpec, ...]] = {
    year: _INDICATORS_2565_2569 for year in (2565, 2566, 2567, 2568, 2569)
}

# The OIT items a NEW fiscal year row is given (tracker.plans.build.ensure_fiscal_year), by purpose ("plan",
# "results"): code and name. Once a year has its rows they are data the administrator keeps (tracker.oit, the admin
# page), and these defaults are not read again; a year not listed here (2568, the next one) starts with none.
PLAN_NAME = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
RESULTS_NAME = "การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
OIT_NAMES: dict[str, str] = {"plan": PLAN_NAME, "results": RESULTS_NAME}
_O42_O43 = {"plan": ("O42", PLAN_NAME), "results": ("O43", RESULTS_NAME)}
# 2569: under "การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร"
OIT_ITEMS: dict[int, dict[str, tuple[str, str]]] = {
    2565: _O42_O43,
    2566: _O42_O43,
    2567: _O42_O43,
    2569: {"plan": ("O25", PLAN_NAME), "results": ("O26", RESULTS_NAME)},
}


def indicators_for(year_be: int) -> tuple[IndicatorSpec, ...]:
    """Return the indicator list of a fiscal year's framework, or the nearest earlier one we know."""
    known = [y for y in INDICATORS if y <= year_be] or [min(INDICATORS)]
    return INDICATORS[max(known)]
