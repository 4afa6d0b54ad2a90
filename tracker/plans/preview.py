"""What an import would create, as data (the dry run's JSON) and as text for a person (Thai, dates in BE)."""
from __future__ import annotations

from datetime import date

from .. import labels
from ..divisions import division_key
from ..ita import PASS_LINE, indicators_for
from ..models import IndicatorSource
from ..thai import fiscal_year_bounds, format_date, format_period
from . import build
from .draft import PlanDraft
from .rows import means_every_division

OTHER_NAME = "ชื่อเรียกอื่น"


def division_names(resolution: build.Resolution, names: list[str], *, keep_unknown: bool = False) -> list[str]:
    """Return the names of the divisions a plan's names resolved to, in order, each once."""
    matched: list[str] = []
    for name in names:
        if name not in resolution.divisions:
            if keep_unknown and name not in matched:
                matched.append(name)
            continue
        for division in resolution.divisions[name]:
            if division.name not in matched:
                matched.append(division.name)
    return matched


def division_spellings(resolution: build.Resolution) -> list[dict]:
    """The plan's division names that mean a division under another name (กองสาธารณสุขและสิ่งแวดล้อม for the
    organization's กองสาธารณสุข, สำนักปลัด for the สำนักปลัดเทศบาล the import creates), in the order the plan first
    writes them: matched through the division's own other names or the catalogue's common spellings, so a person
    confirming the import sees every match that is not the name itself."""
    found = []
    for written, targets in resolution.divisions.items():
        if means_every_division(written) or len(targets) != 1:
            continue  # "ทุกกอง" means every division, by no name of theirs
        (target,) = targets
        if isinstance(target, build.NewDivision) and not resolution.create:
            continue  # an unknown division, refused with all its spellings: not a match
        if division_key(written) != division_key(target.name):  # not just spaces or a dot apart
            found.append({"written": written, "division": target.name, "new": isinstance(target, build.NewDivision)})
    return found


def spelling_text(spelling: dict) -> str:
    """One match of a division under another name, as the preview says it."""
    new = "; กองที่จะสร้างใหม่" if spelling["new"] else ""
    return f"{spelling['written']} → {spelling['division']} ({OTHER_NAME}{new})"


def _tasks(planned: list[build.PlannedTask], steps: list[str]) -> list[dict[str, str | None]]:
    """The tasks each division gets as the preview lists them; a row without dates lists its steps, undated."""
    if planned:
        return [{"text": t.text, "due": t.due.isoformat()} for t in planned]
    return [{"text": step, "due": None} for step in steps]


def preview(draft: PlanDraft, resolution: build.Resolution, status: str, problems: list[str]) -> dict:
    """Say what an import would create, as plain data: the dry run's JSON and the source of its text."""
    start, end = fiscal_year_bounds(resolution.fiscal_year)
    measures = []
    per_division: dict[str, int] = {}
    for m in draft.measures:
        divisions = division_names(resolution, m.division_names, keep_unknown=True)
        # The tasks the import will make (build.planned_tasks: a recurring period's rounds too); a draft makes none.
        planned = build.planned_tasks(m.steps, m.start, m.end, m.occurrences) if m.start and m.end else []
        tasks = [] if m.missing else planned
        for name in divisions:
            per_division[name] = per_division.get(name, 0) + len(tasks)
        measures.append(
            {
                "title": m.title,
                "place": m.place,
                "indicators": m.indicators,
                "indicator_source": m.indicator_source,
                "indicator_note": m.indicator_note,
                "start": m.start.isoformat() if m.start else None,
                "end": m.end.isoformat() if m.end else None,
                "period_text": m.period_text,
                "divisions": divisions,
                "steps": m.steps,
                # The tasks each division gets, as numbered, named and dated on import.
                "tasks": _tasks(planned, m.steps),
                "rounds": len(m.occurrences),
                "draft": list(m.missing),  # what the row lacks: it comes in as a draft, without tasks
                "undated": m.undated,
                "weight": m.weight,
                "details": [list(d) for d in m.details],
                "task_count": len(tasks) * len(divisions),
            }
        )
    scores = draft.scores
    org_name = (resolution.organization.name if resolution.organization
                else draft.organization.name if draft.organization else None)
    return {
        "source": draft.source,
        "status": status,
        "organization": org_name,
        "organization_exists": resolution.organization is not None,
        "fiscal_year": resolution.fiscal_year,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "scores": {
            "year": scores.year_be if scores else None,
            "overall": scores.overall if scores else None,
            "tools": dict(scores.tools) if scores else {},
            "indicators": {str(n): v for n, v in sorted(scores.indicators.items())} if scores else {},
        },
        "measures": measures,
        "indicator_names": {str(spec.number): spec.name for spec in indicators_for(resolution.fiscal_year)},
        "task_count": sum(m["task_count"] for m in measures),
        "tasks_per_division": per_division,
        "divisions_to_create": [d.name for d in resolution.new_divisions] if resolution.create else [],
        "unknown_divisions": [] if resolution.create else [d.name for d in resolution.new_divisions],
        "division_spellings": division_spellings(resolution),
        "warnings": list(draft.warnings),
        "problems": list(problems),
    }


_STATUS = {
    "would_create": "จะสร้างแผนนี้เมื่อสั่งนำเข้าจริง (would be created)",
    "created": "นำเข้าแล้ว (imported)",
    "unchanged": "แผนนี้นำเข้าไว้แล้ว ไม่มีอะไรเปลี่ยน (already imported, nothing changes)",
    "refused": "นำเข้าไม่ได้ — แก้ปัญหาข้างต้นก่อน (refused: nothing was written)",
}


def _day(iso: str | None) -> str:
    return format_date(date.fromisoformat(iso)) if iso else "?"


def preview_text(data: dict, *, dry_run: bool) -> str:
    """Render a preview for a person: Thai first, dates in the Buddhist Era."""
    names = data["indicator_names"]
    out = [f"แผนปรับปรุงจาก {data['source']}" + ("  [ตรวจอย่างเดียว ยังไม่บันทึก / dry run]" if dry_run else "")]
    org = data["organization"] or "(ไม่ทราบ)"
    if data["organization"] and not data["organization_exists"]:
        org += " (ยังไม่มีในระบบ จะสร้างใหม่)"
    out.append(f"หน่วยงาน: {org}")
    start, end = date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
    out.append(f"ปีงบประมาณ {data['fiscal_year']} ({format_period(start, end)})")
    scores = data["scores"]
    if scores["year"]:
        overall = f"{scores['overall']:.2f}" if scores["overall"] is not None else "ไม่ระบุ"
        tools = "".join(f", {tool} {value:.2f}" for tool, value in sorted(scores["tools"].items()))
        out.append(f"ผลการประเมิน ITA ปี {scores['year']}: ภาพรวม {overall}{tools}")
        for number, value in scores["indicators"].items():
            mark = "  ต่ำกว่าเกณฑ์" if value < PASS_LINE else ""
            out.append(f"  ตัวชี้วัดที่ {number:>2} {names.get(number, ''):<28} {value:6.2f}{mark}")
    out.append(f"มาตรการ {len(data['measures'])} รายการ งาน {data['task_count']} งาน")
    for number, m in enumerate(data["measures"], start=1):
        out.append(f"{number}. {m['title']}")
        linked = ", ".join(f"{n} {names.get(str(n), '')}" for n in m["indicators"]) or "ยังไม่ระบุ"
        how = (labels.of(IndicatorSource, m["indicator_source"]) if m["indicator_source"] != IndicatorSource.INFERRED
               else m["indicator_note"])
        out.append(f"   ตัวชี้วัด: {linked} ({how})")
        if m["draft"]:
            out.append(f"   [{labels.draft_text(m['draft'])} — ยังไม่สร้างงาน]")
        rounds = f", {m['rounds']} รอบ" if m["rounds"] else ""
        out.append(f"   ช่วงเวลา: {_day(m['start'])} – {_day(m['end'])}  [{m['period_text']}{rounds}]")
        out.append(f"   ผู้รับผิดชอบ ({len(m['divisions'])}): {', '.join(m['divisions'])}")
        if m["weight"] is not None:
            out.append(f"   {labels.weight_text(m['weight'])}")
        for heading, text in m["details"]:
            out.append(f"   {heading}: {text}")
        out.append(f"   ขั้นตอน ({len(m['steps'])}) → งาน {m['task_count']}:")
        for step, task in enumerate(m["tasks"], start=1):
            out.append(f"     {step}) {task['text']}  [ครบกำหนด {_day(task['due'])}]")
    if data["tasks_per_division"]:
        out.append("งานต่อกอง:")
        out.extend(f"  {name}: {count}" for name, count in data["tasks_per_division"].items())
    if data["divisions_to_create"]:
        out.append("กองที่จะสร้างใหม่: " + ", ".join(data["divisions_to_create"]))
    if data["division_spellings"]:
        out.append("ชื่อกองที่แผนเขียนต่างไป (divisions matched under another name):")
        out.extend(f"  {spelling_text(spelling)}" for spelling in data["division_spellings"])
    for title, items in (("คำเตือน", data["warnings"]), ("ปัญหา", data["problems"])):
        if items:
            out.append(f"{title} ({len(items)}):")
            out.extend(f"  - {item}" for item in items)
    out.append("สถานะ: " + _STATUS[data["status"]])
    return "\n".join(out)
