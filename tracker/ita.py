"""The ITA assessment framework as data per fiscal year: indicator numbers, names and tools, and the OIT items.

The NACC renames indicators and renumbers OIT items between frameworks (the improvement plan was item O42 in
2565-2567 and O25 in 2569), so nothing here is a constant of the code: each fiscal year's rows are copied into the
Indicator and OitItem tables when the year is first used, and a report's own indicator list is checked against them.
"""
from __future__ import annotations

from dataclasses import dataclass

# The ITA's pass rule (issue 22, after the NACC's assessment): the total AND each tool (IIT, EIT, OIT) at 85 or more;
# a total over the line with one tool under it is not a pass. The reports print the same line ("OIT ... ๘๕ คะแนน
# ขึ้นไป", tests/test_report.py).
PASS_LINE = 85.0  # the score an indicator, a tool and the overall result must reach
TOOLS = ("IIT", "EIT", "OIT")


@dataclass(frozen=True)
class ItaRating:
    """An assessment's rating: whether it passes, and which of the total and the tools stand under the line."""

    passes: bool
    total: float | None
    tools: dict[str, float | None]  # IIT, EIT, OIT: None when the report gives no figure
    under: tuple[str, ...]  # the tools under the pass line ("OIT"), even when the total passes
    total_under: bool

    @property
    def known(self) -> bool:
        """Every figure the rule needs is there (a report may give the total only: then no verdict is given)."""
        return self.total is not None and all(score is not None for score in self.tools.values())


def rate(total: float | None, iit: float | None, eit: float | None, oit: float | None) -> ItaRating:
    """Rate an assessment by the ITA's rule: a pass needs the total and each tool at PASS_LINE or more.

    A missing figure fails nothing by itself, but gives no pass either (`known` says the verdict is incomplete)."""
    tools = {"IIT": iit, "EIT": eit, "OIT": oit}
    under = tuple(tool for tool, score in tools.items() if score is not None and score < PASS_LINE)
    total_under = total is not None and total < PASS_LINE
    complete = total is not None and all(score is not None for score in tools.values())
    return ItaRating(passes=complete and not under and not total_under, total=total, tools=tools, under=under,
                     total_under=total_under)


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


# Which OIT items an agency answers: the NACC's forms differ by agency type (a local government's O1-O36 and O25/O26
# in 2569; a vocational college's O1-O23; a health-ministry unit's MOIT), so OitItem rows are keyed by assessment year
# and agency type. Organization.agency_type holds the key; "local" is every agency this app was built for.
DEFAULT_AGENCY_TYPE = "local"
AGENCY_TYPES: dict[str, str] = {
    "local": "องค์กรปกครองส่วนท้องถิ่น",
    "state": "ส่วนราชการและหน่วยงานของรัฐ",
    "vocational": "สถานศึกษาอาชีวศึกษา",
    "moph": "หน่วยงานในสังกัดกระทรวงสาธารณสุข (MOIT)",
}

# From 2569 the results item (O26) reports on the previous fiscal year's plan: "O26 รายงานผลการดำเนินการเพื่อส่งเสริม
# คุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ พ.ศ. 2568" in the 2569 assessment. Before, the page showed the
# results of the assessment year's own plan. Data per item once it exists (OitItem.plan_year_offset).
RESULTS_OF_PREVIOUS_YEAR_FROM = 2569
# What an item may show, as the admin page words it: the assessment year's own plan, or the year before's.
PLAN_YEAR_OFFSETS: dict[int, str] = {0: "ปีเดียวกัน", -1: "ปีก่อน"}


def default_plan_year_offset(year_be: int, purpose: str) -> int:
    """The fiscal year of the plan a new item shows, relative to its assessment year: 0 the same, -1 the year before."""
    return -1 if purpose == "results" and year_be >= RESULTS_OF_PREVIOUS_YEAR_FROM else 0


def indicators_for(year_be: int) -> tuple[IndicatorSpec, ...]:
    """Return the indicator list of a fiscal year's framework, or the nearest earlier one we know."""
    known = [y for y in INDICATORS if y <= year_be] or [min(INDICATORS)]
    return INDICATORS[max(known)]
