"""The Thai label of every value people read: task statuses, roles, where a change came from, audit actions, the
kinds of objects and fields the audit trail names, the columns of a plan and of its results report. One catalogue,
so a status reads the same on the web, in LINE and in the trail, and a plan's column the same in the template, the
import's messages and the report; tests/test_labels.py checks every enum value has its label here.

Pure: no Flask. Templates use the `label` filter; Python code calls `label(value)`.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable

from .models import (
    AuditAction,
    EvidenceReview,
    IndicatorSource,
    NotificationStatus,
    OitPurpose,
    Role,
    Source,
    TaskStatus,
    UploadStatus,
)
from .progress import SOON_WORKING_DAYS, MeasurePercent, StateKind, TaskState

STATUS = {
    TaskStatus.TODO: "ยังไม่เริ่ม",
    TaskStatus.DOING: "กำลังทำ",
    TaskStatus.DONE: "เสร็จแล้ว",
    TaskStatus.CARRIED: "ยกไปปีถัดไป",
}

NOT_DONE = "ยังไม่เสร็จ"  # todo or doing: the board's default filter, a reminder's card

# Where a task stands on a day (tracker.progress.task_state), as every surface words it: a chip on the web, a LINE
# card's header, a reminder's line. `state_text` words one state; these name the groups My tasks and the dashboard
# list tasks in, and the count of tasks due soon in `สรุป`.
DUE_SOON = f"ใกล้ครบกำหนด (ภายใน {SOON_WORKING_DAYS} วันทำการ)"
STATE_GROUP = {
    StateKind.OVERDUE: "เกินกำหนด",
    StateKind.SOON: DUE_SOON,
    StateKind.LATER: "งานถัดไป",
    StateKind.DONE: "เสร็จแล้ว",
    StateKind.CARRIED: "ยกไปทำต่อในปีงบประมาณถัดไป",
}


def state_text(state: TaskState) -> str:
    """Return where a task stands, in working days: "เกินกำหนด 3 วันทำการ", "ครบกำหนดวันนี้", "เหลือ 5 วันทำการ",
    "เสร็จแล้ว", "เสร็จช้า 2 วันทำการ", "ยกไปทำต่อในปีงบประมาณถัดไป"."""
    kind, days = state.kind, state.days
    if kind is StateKind.OVERDUE:
        return f"เกินกำหนด {days} วันทำการ"
    if kind is StateKind.LATE:
        return f"เสร็จช้า {days} วันทำการ"
    if kind is StateKind.DONE or kind is StateKind.CARRIED:
        return STATE_GROUP[kind]
    return "ครบกำหนดวันนี้" if days == 0 else f"เหลือ {days} วันทำการ"


def state_status(state: TaskState) -> str:
    """Return a task's status on the state's day (a report as of 31 March: a step closed in April was "กำลังทำ")."""
    return STATUS[TaskStatus(state.status)]

# A measure's percent that a head set by hand, with the reason, instead of the one counted from its tasks
# (tracker.progress.measure_percent): every surface that shows the figure marks it so, "50% (กำหนดเอง: <reason>)".
OVERRIDDEN_PERCENT = "กำหนดเอง"
# An indicator's or the plan's percent that counts such a figure (tracker.progress.combined_percent).
WITH_OVERRIDDEN_PERCENT = "รวมร้อยละที่กำหนดเอง"

# A draft measure (Measure.is_draft: its plan row lacked its period or divisions, so it has no tasks yet), as every
# surface that lists measures says it, in place of its percent: "ร่าง — ยังไม่กำหนดช่วงเวลา" (`draft_text`).
DRAFT = "ร่าง"
DRAFT_LACKS = {"period": "ช่วงเวลา", "divisions": "ผู้รับผิดชอบ"}  # what it lacks (tracker.measures.draft_missing)

ROLE = {
    Role.ADMIN: "ผู้ดูแลระบบ",
    Role.EXECUTIVE: "ผู้บริหาร (นายก/ปลัด)",
    Role.HEAD: "หัวหน้ากอง",
    Role.STAFF: "เจ้าหน้าที่",
}

SOURCE = {
    Source.WEB: "เว็บ",
    Source.LINE: "LINE",
    Source.CLI: "คำสั่งบนเครื่องแม่ข่าย (CLI)",
    Source.SYSTEM: "ระบบอัตโนมัติ",
}

INDICATOR_SOURCE = {
    IndicatorSource.EXPLICIT: "ระบุในไฟล์",
    IndicatorSource.CONFIRMED: "เลือกโดยผู้นำเข้า",
    IndicatorSource.INFERRED: "ระบบเสนอ",
}

NOTIFICATION_STATUS = {
    NotificationStatus.PENDING: "รอส่ง",
    NotificationStatus.SENT: "ส่งแล้ว",
    NotificationStatus.FAILED: "ส่งไม่สำเร็จ",
}

EVIDENCE_REVIEW = {
    EvidenceReview.PENDING: "รอตรวจ",
    EvidenceReview.ACCEPTED: "ผ่าน",
    EvidenceReview.NEEDS_WORK: "ต้องแก้ไข",
}

UPLOAD_STATUS = {
    UploadStatus.WAITING: "กำลังรับจาก LINE",
    UploadStatus.STORED: "รับแล้ว รอเลือกงาน",
    UploadStatus.REFUSED: "ไม่รับ",
    UploadStatus.ATTACHED: "แนบกับงานแล้ว",
}

# Shown on a piece of evidence whose file (the same bytes, by SHA-256) is also evidence of another task.
SAME_FILE_ELSEWHERE = "ไฟล์เดียวกับหลักฐานของงานอื่น"

OIT_PURPOSE = {
    OitPurpose.PLAN: "เผยแพร่แผน (มาตรการส่งเสริมคุณธรรมฯ)",
    OitPurpose.RESULTS: "รายงานผลการดำเนินการตามมาตรการ",
}

AUDIT_ACTION = {
    AuditAction.PLAN_IMPORT: "นำเข้าแผน",
    AuditAction.ORGANIZATION_CREATE: "สร้างหน่วยงาน",
    AuditAction.ASSESSMENT_IMPORT: "นำเข้าผลการประเมิน",
    AuditAction.DIVISION_CREATE: "เพิ่มกอง",
    AuditAction.DIVISION_UPDATE: "แก้ไขกอง",
    AuditAction.DIVISION_LINE_GROUP: "เชื่อมกลุ่ม LINE ของกอง",
    AuditAction.DIVISION_LINE_GROUP_CODE: "สร้างรหัสเชื่อมกลุ่ม LINE",
    AuditAction.DIVISION_LINE_GROUP_DETACH: "ยกเลิกกลุ่ม LINE ของกอง",
    AuditAction.TASK_PROGRESS: "รายงานความคืบหน้า",
    AuditAction.TASK_TICK_OFF: "ปิดงาน (เสร็จแล้ว)",
    AuditAction.TASK_UNDO: "ยกเลิกการปิดงาน",
    AuditAction.TASK_REOPEN: "เปิดงานใหม่",
    AuditAction.TASK_ASSIGN: "มอบหมายงาน",
    AuditAction.TASK_RESCHEDULE: "เปลี่ยนวันครบกำหนด",
    AuditAction.TASK_REMINDERS: "ตั้งการแจ้งเตือนของงาน",
    AuditAction.TASK_COMMENT: "แสดงความเห็น",
    AuditAction.TASK_EVIDENCE: "แนบหลักฐาน",
    AuditAction.TASK_ACKNOWLEDGE: "รับทราบ/กำลังทำ",
    AuditAction.TASK_SNOOZE: "เลื่อนการเตือน",
    AuditAction.TASK_CANNOT_DO: "แจ้งว่าทำไม่ได้",
    AuditAction.TASK_CANNOT_DO_ANSWER: "ตอบเรื่องทำไม่ได้",
    AuditAction.TASK_ESCALATE: "ส่งเรื่องงานค้างขึ้นไป",
    AuditAction.TASK_NUDGE: "เตือนงานที่ไม่มีความเคลื่อนไหว",
    AuditAction.TASK_CARRY: "ยกงานไปดำเนินการต่อในปีงบประมาณถัดไป",
    AuditAction.TASK_CARRIED_IN: "รับงานที่ยกมาจากปีงบประมาณก่อน",
    AuditAction.TASK_CARRY_UNDO: "ยกเลิกการยกงาน งานกลับมาในปีงบประมาณเดิม",
    AuditAction.TASK_CARRIED_IN_UNDO: "ยกเลิกการรับงานที่ยกมา (งานกลับไปปีงบประมาณเดิม)",
    AuditAction.PLAN_COPY: "คัดลอกแผนไปปีงบประมาณถัดไป",
    AuditAction.PLAN_CARRY_OVER: "ยกงานที่ยังไม่เสร็จไปปีงบประมาณถัดไป",
    AuditAction.PLAN_CARRY_OVER_UNDO: "ยกเลิกการยกงาน",
    AuditAction.EVIDENCE_REVIEW: "ตรวจหลักฐาน",
    AuditAction.EVIDENCE_PUBLISH: "ตั้งการเผยแพร่หลักฐาน",
    AuditAction.MEASURE_REPORT: "รายงานผลการดำเนินการของมาตรการ",
    AuditAction.MEASURE_COMPLETE: "กรอกมาตรการร่างให้ครบ (สร้างงาน)",
    AuditAction.OIT_ITEM_UPDATE: "แก้ไขข้อ OIT ของปีงบประมาณ",
    AuditAction.USER_CREATE: "เพิ่มผู้ใช้",
    AuditAction.USER_UPDATE: "แก้ไขผู้ใช้",
    AuditAction.USER_PASSWORD: "เปลี่ยนรหัสผ่าน",
    AuditAction.USER_SIGN_IN: "เข้าสู่ระบบ",
    AuditAction.USER_SIGN_OUT: "ออกจากระบบ",
    AuditAction.USER_LINE_LINK: "เชื่อมบัญชี LINE",
    AuditAction.USER_LINE_UNLINK: "ยกเลิกการเชื่อม LINE",
    AuditAction.USER_REMINDERS: "ตั้งค่าการแจ้งเตือนของตนเอง",
    AuditAction.DAY_OFF_ADD: "เพิ่มวันหยุด",
    AuditAction.DAY_OFF_REMOVE: "ลบวันหยุด",
    AuditAction.SETTINGS_UPDATE: "แก้ไขการตั้งค่า",
    AuditAction.SETTINGS_REMINDERS: "แก้ไขนโยบายการแจ้งเตือน",
    AuditAction.SETTINGS_LINE: "แก้ไขบัญชี LINE",
}

# Every enum whose values people read, with its labels: label() looks values up here, the test walks it.
CATALOGUE: dict[type[enum.Enum], dict] = {
    TaskStatus: STATUS,
    Role: ROLE,
    Source: SOURCE,
    IndicatorSource: INDICATOR_SOURCE,
    NotificationStatus: NOTIFICATION_STATUS,
    AuditAction: AUDIT_ACTION,
    EvidenceReview: EVIDENCE_REVIEW,
    OitPurpose: OIT_PURPOSE,
    UploadStatus: UPLOAD_STATUS,
}

# The audit trail names the kind of object an event is about by its model's name.
OBJECT = {
    "Task": "งาน",
    "User": "ผู้ใช้",
    "Division": "กอง",
    "Organization": "หน่วยงาน",
    "Plan": "แผน",
    "Measure": "มาตรการ",
    "Assessment": "ผลการประเมิน",
    "DayOff": "วันหยุด",
    "Evidence": "หลักฐาน",
    "OitItem": "ข้อ OIT",
}

# The fields an audit event's before and after hold, as a person reads them.
FIELD = {
    "status": "สถานะ",
    "assignee_id": "ผู้รับมอบหมาย",
    "assignee": "ผู้รับมอบหมาย",
    "done_by": "ผู้ปิดงาน",
    "due_date": "วันครบกำหนด",
    "done_at": "เสร็จเมื่อ",
    "done_by_id": "ผู้ปิดงาน",
    "note": "บันทึก",
    "reason": "เหตุผล",
    "text": "ข้อความ",
    "url": "ลิงก์",
    "file_name": "ไฟล์",
    "files": "ไฟล์",
    "size": "ขนาด (ไบต์)",
    "username": "ชื่อผู้ใช้",
    "display_name": "ชื่อที่แสดง",
    "role": "บทบาท",
    "division_id": "กอง",
    "active": "ใช้งานได้",
    "is_deployment_admin": "ผู้ดูแลระบบของทั้งระบบ",
    "line_user_id": "LINE",
    "changed": "เปลี่ยนรหัสผ่าน",
    "reset_by_admin": "ตั้งใหม่โดยผู้ดูแลระบบ",
    "name": "ชื่อ",
    "short_name": "ชื่อย่อ",
    "name_en": "ชื่อภาษาอังกฤษ",
    "aliases": "ชื่อเรียกอื่น",
    "kind": "ประเภท",
    "district": "อำเภอ",
    "province": "จังหวัด",
    "indicator_target": "เป้าหมายคะแนนตัวชี้วัด",
    "day": "วันที่",
    "source": "ไฟล์ต้นทาง",
    "fiscal_year": "ปีงบประมาณ",
    "measures": "จำนวนมาตรการ",
    "tasks": "จำนวนงาน",
    "overall": "คะแนนรวม",
    "reminder_days": "แจ้งเตือนก่อนครบกำหนด (วัน)",
    "overdue_every": "แจ้งซ้ำเมื่อเกินกำหนดทุก (วันทำการ)",
    "line_basic_id": "Basic ID ของบัญชี LINE",
    "line_bot_user_id": "Bot user ID ของบัญชี LINE",
    "line_linked": "เชื่อมบัญชี LINE",
    "line_group_id": "กลุ่ม LINE ของกอง",
    "line_group_members": "จำนวนสมาชิกกลุ่ม LINE",
    "line_group_code": "รหัสเชื่อมกลุ่ม LINE",
    "line_group_code_expires": "รหัสเชื่อมกลุ่มหมดอายุ",
    "members": "จำนวนสมาชิกกลุ่ม LINE",
    "expires": "หมดอายุ",
    "title": "ชื่อมาตรการ",
    "iit": "คะแนน IIT",
    "eit": "คะแนน EIT",
    "oit": "คะแนน OIT",
    "progress_override": "ร้อยละความคืบหน้า (กำหนดเอง)",
    "progress_reason": "เหตุผลที่กำหนดร้อยละเอง",
    "result": "ผลการดำเนินการ",
    "problems": "ปัญหาอุปสรรค",
    "evidence": "หลักฐาน",
    "review": "ผลการตรวจหลักฐาน",
    "review_reason": "เหตุผลของผลการตรวจ",
    "public": "เผยแพร่สาธารณะ",
    "purpose": "ใช้สำหรับ",
    "code": "รหัสข้อ OIT",
    "agency_type": "ประเภทหน่วยงาน",
    "plan_year_offset": "แสดงแผนของปีงบประมาณ",
    "from_fiscal_year": "จากปีงบประมาณ",
    "carried_from_id": "ยกมาจากงาน",
    "carried_to_id": "ยกไปเป็นงาน",
    "unmatched_indicators": "ตัวชี้วัดที่ไม่มีในปีใหม่",
    "step_text": "ขั้นตอน",
    "removed": "งานในแผนปีถัดไปที่นำออก",
    "removed_measure": "มาตรการที่นำออก",
    "acknowledged_by": "ผู้รับทราบ",
    "snoozed_until": "เลื่อนการเตือนถึง",
    "blocked_reason": "เหตุผลที่ทำไม่ได้",
    "answer": "คำตอบของหัวหน้า",
    "escalate_head_after": "แจ้งหัวหน้ากองเมื่องานเกินกำหนดโดยไม่มีความเคลื่อนไหว (วันทำการ)",
    "escalate_executive_after": "แจ้งผู้บริหารเมื่องานเกินกำหนดโดยไม่มีความเคลื่อนไหว (วันทำการ)",
    "idle_nudge_after": "เตือนงานที่กำลังทำแต่ไม่มีความเคลื่อนไหว (วันทำการ)",
    "longest_pause_days": "พักการแจ้งเตือนได้นานที่สุด (วัน)",
    "step": "ขั้น",
    "idle_working_days": "ไม่มีความเคลื่อนไหว (วันทำการ)",
    "paused_until": "พักการแจ้งเตือนถึง",
    "pause_reason": "เหตุผลที่พักการแจ้งเตือน",
    "reminders_by_line": "รับการแจ้งเตือนทาง LINE",
    "quiet_days": "วันงดรับการแจ้งเตือน",
    "most_quiet_days": "จำนวนวันงดรับการแจ้งเตือนที่เลือกได้ต่อสัปดาห์",
}

# A task's answers from the people doing it (tracker.tasks: acknowledge, snooze, cannot_do), as every surface words
# them: the task page, the board, My tasks, LINE's cards and replies, the head's digest.
ACKNOWLEDGED = "รับทราบแล้ว"
SNOOZED_UNTIL = "เลื่อนการเตือนถึง"
CANNOT_DO = "ทำไม่ได้"
# The task page's buttons for them, and the head's answer (the board's and the task page's).
ACKNOWLEDGE = "รับทราบ/กำลังทำ"
SNOOZE = "เลื่อนการเตือน"
ANSWER_CANNOT_DO = "ตอบเรื่องทำไม่ได้"

# The escalation ladder and the idle nudge (tracker.reminders.policy: escalation_step, nudge_for), as the task page,
# the board, the digests and the trail word them. A step is named by who hears of the task.
ESCALATION_STEP = {
    1: "แจ้งหัวหน้ากองแล้ว",
    2: "แจ้งผู้บริหารแล้ว",
}
IDLE = "ไม่มีความเคลื่อนไหว"  # "ไม่มีความเคลื่อนไหว 10 วันทำการ"
NUDGED = "เตือนเรื่องไม่มีความเคลื่อนไหวแล้ว"
PAUSED_UNTIL = "พักการแจ้งเตือนถึง"
# What a LINE message is for, in the quota forecast (tracker.reminders.policy.KINDS): the admin's page, the CLI.
MESSAGE_KIND = {
    "reminders": "แจ้งเตือนงาน",
    "escalations": "งานค้างถึงหัวหน้ากอง/ผู้บริหาร",
    "nudges": "เตือนงานที่ไม่มีความเคลื่อนไหว",
    "digests": "สรุปประจำสัปดาห์และเรื่องอื่น",
}
# A person's own reminders (tracker.reminders.settings: pause_reminders, set_reminders_by_line, set_quiet_days), as the
# profile and the administrator's user page word them.
PAUSE_REMINDERS = "พักการแจ้งเตือน"
RESUME_REMINDERS = "รับการแจ้งเตือนต่อ"
RECEIVING_REMINDERS = "รับการแจ้งเตือนตามปกติ"
REMINDERS_BY_LINE = {True: "รับทาง LINE", False: "ไม่รับทาง LINE"}
SIGN_IN_WITH_LINE = "เข้าสู่ระบบด้วย LINE"  # the sign-in page's button, when LINE Login is set up
# The weekdays (0 = Monday, as date.weekday()), by name: a person's quiet days are chosen among Monday to Friday.
WEEKDAY = {0: "จันทร์", 1: "อังคาร", 2: "พุธ", 3: "พฤหัสบดี", 4: "ศุกร์", 5: "เสาร์", 6: "อาทิตย์"}
NO_QUIET_DAYS = "ไม่มี (รับการแจ้งเตือนทุกวันทำการ)"


def weekdays_text(days: list[int] | None) -> str:
    """A person's quiet days as they read them: "จันทร์, ศุกร์", or that there are none."""
    return ", ".join(WEEKDAY.get(day, str(day)) for day in sorted(days)) if days else NO_QUIET_DAYS

# Why a person who should hear the day's reminders will not (tracker.reminders.policy.Unreachable.reason).
UNREACHABLE = {
    "not_linked": "ยังไม่เชื่อม LINE",
    "inactive": "ปิดการใช้งานแล้ว",
    "no_line": "เลือกไม่รับการแจ้งเตือนทาง LINE",
}

# The columns of an agency's improvement plan, as the ITA's form heads them: what the import template writes, what
# messages about a cell name, and the first five columns of the results report. tracker/plans/rows.py recognises each
# heading (and the other ways reports write them) by its words.
PLAN_COLUMN = {
    "order": "ลำดับ",
    "title": "มาตรการ/โครงการ/กิจกรรม",
    "analysis": "ผลการวิเคราะห์ตัวชี้วัด",
    "indicators": "ตัวชี้วัดที่",
    "steps": "ขั้นตอนหรือวิธีการดำเนินการ",
    "period": "ช่วงระยะเวลาการดำเนินการ",
    "divisions": "ผู้รับผิดชอบ",
}

# The plan's own extra columns the import keeps on a measure (tracker.plans.rows.EXTRA_COLUMNS), as the measure's
# page and the public page head them.
EXTRA_COLUMN = {
    "kpi": "ตัวชี้วัดความสำเร็จ",
    "weight": "น้ำหนัก (ร้อยละ)",
    "budget": "งบประมาณ",
    "output": "ผลผลิต",
}

# The columns the results report adds after the plan's: what was done. A spreadsheet also gives a step's status, its
# done day and the reason a percent was set by hand columns of their own (tracker/publish/documents/).
RESULTS_COLUMN = {
    "result": FIELD["result"],
    "percent": "ร้อยละความก้าวหน้า",
    "evidence": FIELD["evidence"],
    "problems": FIELD["problems"],
    "step_status": FIELD["status"],
    "step_done_on": "วันที่แล้วเสร็จ",
    "percent_reason": "เหตุผลที่ปรับร้อยละ",
}


def draft_text(lacks: Iterable[str]) -> str:
    """Return how a draft measure is shown: "ร่าง — ยังไม่กำหนดช่วงเวลา", "ร่าง — ยังไม่กำหนดผู้รับผิดชอบ",
    "ร่าง — ยังไม่กำหนดช่วงเวลาและผู้รับผิดชอบ" by what it lacks (tracker.measures.draft_missing); "ร่าง" for none."""
    named = [DRAFT_LACKS[lack] for lack in lacks if lack in DRAFT_LACKS]
    return f"{DRAFT} — ยังไม่กำหนด{'และ'.join(named)}" if named else DRAFT


def percent_text(percent: MeasurePercent) -> str:
    """Return a measure's percent as shown: "50%", or for a draft whose percent no head set its draft text (a draft
    has nothing to do yet: "0%" would read as nothing done)."""
    if percent.is_draft:
        return draft_text(percent.draft or ())
    return f"{percent.value}%"


def weight_text(weight: float | None) -> str:
    """Return a measure's weight as shown beside it: "น้ำหนัก 20", "น้ำหนัก 12.5"; "" without one."""
    return "" if weight is None else f"น้ำหนัก {weight:g}"


def percent_note(percent: MeasurePercent, reason_length: int | None = None) -> str:
    """Return the words in brackets after a measure's percent: "กำหนดเอง: <reason>" when a head set it (the reason
    cut to `reason_length` characters when given), "" when it is counted from the tasks."""
    return overridden_note(percent.reason, reason_length) if percent.overridden else ""


def overridden_note(reason: str | None, reason_length: int | None = None) -> str:
    """Return the mark of a percent a head set, with the reason: "กำหนดเอง: <reason>" ("กำหนดเอง" without one); the
    reason on one line and cut to `reason_length` characters when given (a chat message)."""
    reason = (reason or "").strip()
    if reason_length is not None:
        reason = " ".join(reason.split())
        if len(reason) > reason_length:
            reason = reason[:reason_length - 1].rstrip() + "…"
    return f"{OVERRIDDEN_PERCENT}: {reason}" if reason else OVERRIDDEN_PERCENT


def combined_note(percent: MeasurePercent) -> str:
    """Return the words in brackets after an indicator's or the plan's percent: that it counts a percent a head set,
    or ""."""
    return WITH_OVERRIDDEN_PERCENT if percent.overridden else ""


def label(value: enum.Enum | None) -> str:
    """Return the Thai label of a value of one of the catalogue's enums ("" for None)."""
    if value is None:
        return ""
    return CATALOGUE[type(value)][value]


def of(enum_type: type[enum.Enum], value: str | None) -> str:
    """Return the label of a stored text read as one enum (a status "done", an action "task.assign").

    A text the enum does not know (an audit action of an older version) is shown as it is rather than hidden.
    """
    if value is None:
        return ""
    try:
        return CATALOGUE[enum_type][enum_type(value)]
    except ValueError:
        return str(value)
