"""The OIT items of each assessment year: under which item an agency publishes its plan, and its results report.

Rows, not constants (models.OitItem): the NACC renumbers items between frameworks, so next year's codes are set on
the admin page. They are the deployment's, every agency's at once (each one's public page anchors and report files),
so only the deployment's administrator sets them (access.Action.MANAGE_OIT_ITEMS), and the change is in every
agency's audit trail (audit.DEPLOYMENT_ROWS). A fiscal year created by an import starts with tracker/ita.py's defaults.
"""
from __future__ import annotations

import re
from typing import Any

from . import audit
from .access import Action, require
from .errors import DomainError
from .extensions import db
from .fields import one_line
from .ita import OIT_NAMES
from .labels import label
from .models import AuditAction, FiscalYear, OitItem, OitPurpose, Source, User
from .thai import to_arabic_digits

# "O26", as the assessment writes it; "o26", "O 26", "O-26" or Thai digits (O๒๖) read the same.
_CODE = re.compile(r"[Oo]\s*-?\s*(\d{1,3})")


def oit_item(fiscal_year: FiscalYear, purpose: OitPurpose) -> OitItem | None:
    """Return the OIT item a fiscal year's plan or results are published under, or None when the year has none."""
    return next((item for item in fiscal_year.oit_items if item.purpose is purpose), None)


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
                 *, source: Source) -> bool:
    """Set (or, with an empty code, remove) the OIT item of a fiscal year for one purpose; tell whether anything
    changed. An empty name takes the purpose's usual name."""
    require(actor, Action.MANAGE_OIT_ITEMS)
    cleaned = clean_code(code)
    item = oit_item(fiscal_year, purpose)
    if cleaned is None:
        if item is None:
            return False
        audit.record(actor, AuditAction.OIT_ITEM_UPDATE, item, before=_state(item), source=source)
        fiscal_year.oit_items.remove(item)  # delete-orphan: the row goes at the flush
        return True
    name = one_line(name, "ชื่อข้อ OIT", 300) or OIT_NAMES[purpose.value]
    other = next((i for i in fiscal_year.oit_items if i.purpose is not purpose and i.code == cleaned), None)
    if other is not None:
        raise DomainError(f"ปีงบประมาณ {fiscal_year.year_be} ใช้ {cleaned} กับ “{label(other.purpose)}” อยู่แล้ว"
                          " — แผนและรายงานผลเป็นคนละข้อ")
    if item is not None and item.code == cleaned and item.name == name:
        return False
    before = _state(item) if item is not None else None
    if item is None:
        item = OitItem(purpose=purpose, code=cleaned, name=name)
        fiscal_year.oit_items.append(item)
    else:
        item.code, item.name = cleaned, name
    db.session.flush()  # a new item gets its id, for the trail
    audit.record(actor, AuditAction.OIT_ITEM_UPDATE, item, before=before, after=_state(item), source=source)
    return True


def _state(item: OitItem) -> dict[str, Any]:
    return {"fiscal_year": item.fiscal_year.year_be, "purpose": item.purpose.value, "code": item.code,
            "name": item.name}
