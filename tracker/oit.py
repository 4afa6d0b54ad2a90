"""The OIT items of each assessment year: under which item an agency publishes its plan, and its results report.

Rows, not constants (models.OitItem): the NACC renumbers items between frameworks, so next year's codes are set on
the admin page. They are the deployment's, every agency's at once (each one's public page anchors and report files),
so only the deployment's administrator sets them (access.Action.MANAGE_OIT_ITEMS), and the change is in every
agency's audit trail (audit.DEPLOYMENT_ROWS). A fiscal year created by an import starts with tracker/ita.py's defaults.

Items are keyed by assessment year and agency type (codes differ by type: Organization.agency_type), and each says
which fiscal year's plan it shows (`plan_year`): from 2569 the results item (O26) reports on the previous year's plan.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from . import audit
from .access import Action, require
from .errors import DomainError
from .extensions import db
from .fields import one_line
from .ita import AGENCY_TYPES, DEFAULT_AGENCY_TYPE, OIT_NAMES, PLAN_YEAR_OFFSETS
from .labels import label
from .models import AuditAction, FiscalYear, OitItem, OitPurpose, Organization, Source, User
from .thai import to_arabic_digits

# "O26", as the assessment writes it; "o26", "O 26", "O-26" or Thai digits (O๒๖) read the same.
_CODE = re.compile(r"[Oo]\s*-?\s*(\d{1,3})")


def oit_item(fiscal_year: FiscalYear, purpose: OitPurpose,
             agency_type: str = DEFAULT_AGENCY_TYPE) -> OitItem | None:
    """Return the OIT item of an assessment year, agency type and purpose, or None when the year has none for it.

    No other type's item stands in: codes differ by agency type, and a wrong code is worse than none."""
    return next((item for item in fiscal_year.oit_items
                 if item.purpose is purpose and item.agency_type == agency_type), None)


def item_of(organization: Organization, year_be: int, purpose: OitPurpose) -> OitItem | None:
    """The item an organization answers in an assessment year for a purpose (by its agency type), or None."""
    return db.session.scalar(
        select(OitItem).join(FiscalYear).where(FiscalYear.year_be == year_be, OitItem.purpose == purpose,
                                               OitItem.agency_type == organization.agency_type))


def plan_year(item: OitItem) -> int:
    """The fiscal year (BE) of the plan an item shows: its assessment year plus its offset (2569's O26: 2568)."""
    return item.fiscal_year.year_be + item.plan_year_offset


def results_item_for_plan(organization: Organization, plan_year_be: int) -> OitItem | None:
    """The results item a report of the plan of `plan_year_be` answers, for the organization's agency type: the item
    that shows that plan's results, of the latest assessment year when two do (2568's own O-item and 2569's O26)."""
    items = db.session.scalars(
        select(OitItem).join(FiscalYear).where(
            OitItem.purpose == OitPurpose.RESULTS, OitItem.agency_type == organization.agency_type,
            FiscalYear.year_be + OitItem.plan_year_offset == plan_year_be)
        .order_by(FiscalYear.year_be.desc())).all()
    return items[0] if items else None


def agency_type_name(agency_type: str) -> str:
    return AGENCY_TYPES.get(agency_type, agency_type)


def clean_code(code: str | None) -> str | None:
    """Return an OIT item code as the assessment writes it ("O26"), None when empty; refuse anything else."""
    text = to_arabic_digits(" ".join((code or "").split()))
    if not text:
        return None
    match = _CODE.fullmatch(text)
    if match is None:
        raise DomainError(f"รหัสข้อ OIT ต้องเป็นตัว O ตามด้วยตัวเลข เช่น O26 (ได้รับ “{text[:20]}”)")
    return f"O{int(match.group(1))}"


def set_oit_item(fiscal_year: FiscalYear, actor: User, purpose: OitPurpose, code: str | None, name: str | None,
                 *, source: Source, agency_type: str = DEFAULT_AGENCY_TYPE,
                 plan_year_offset: int | None = None) -> bool:
    """Set (or, with an empty code, remove) the OIT item of a fiscal year and agency type for one purpose; tell whether
    anything changed. An empty name takes the purpose's usual name; no offset keeps the item's (a new one: the year's
    rule, tracker.ita.default_plan_year_offset)."""
    require(actor, Action.MANAGE_OIT_ITEMS)
    if agency_type not in AGENCY_TYPES:
        raise DomainError(f"ไม่รู้จักประเภทหน่วยงาน “{agency_type[:20]}”")
    if plan_year_offset is not None and plan_year_offset not in PLAN_YEAR_OFFSETS:
        raise DomainError("ข้อ OIT แสดงแผนของปีงบประมาณเดียวกันหรือปีก่อนเท่านั้น")
    cleaned = clean_code(code)
    item = oit_item(fiscal_year, purpose, agency_type)
    if cleaned is None:
        if item is None:
            return False
        audit.record(actor, AuditAction.OIT_ITEM_UPDATE, item, before=_state(item), source=source)
        fiscal_year.oit_items.remove(item)  # delete-orphan: the row goes at the flush
        return True
    name = one_line(name, "ชื่อข้อ OIT", 300) or OIT_NAMES[purpose.value]
    other = next((i for i in fiscal_year.oit_items
                  if i.agency_type == agency_type and i.purpose is not purpose and i.code == cleaned), None)
    if other is not None:
        raise DomainError(f"ปีงบประมาณ {fiscal_year.year_be} ใช้ {cleaned} กับ “{label(other.purpose)}” อยู่แล้ว"
                          " — แผนและรายงานผลเป็นคนละข้อ")
    offset = plan_year_offset if plan_year_offset is not None else (item.plan_year_offset if item else None)
    if item is not None and item.code == cleaned and item.name == name and item.plan_year_offset == offset:
        return False
    before = _state(item) if item is not None else None
    if item is None:
        item = OitItem(agency_type=agency_type, purpose=purpose, code=cleaned, name=name, plan_year_offset=offset)
        fiscal_year.oit_items.append(item)
    else:
        item.code, item.name = cleaned, name
        if offset is not None:
            item.plan_year_offset = offset
    db.session.flush()  # a new item gets its id, for the trail
    audit.record(actor, AuditAction.OIT_ITEM_UPDATE, item, before=before, after=_state(item), source=source)
    return True


def _state(item: OitItem) -> dict[str, Any]:
    return {"fiscal_year": item.fiscal_year.year_be, "agency_type": item.agency_type, "purpose": item.purpose.value,
            "code": item.code, "name": item.name, "plan_year_offset": item.plan_year_offset}
