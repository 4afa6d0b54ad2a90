"""Every web form, in one place (Flask-WTF: each carries a CSRF token). Choices that depend on the organization or
on who is asking (its divisions, a division's people) are passed in, never read from globals.

`ActionForm` is the form of a button that changes something and asks nothing more: only the CSRF token.
"""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DecimalField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from .auth import MIN_PASSWORD_LENGTH
from .fields import MAX_TEXT
from .ita import AGENCY_TYPES, PLAN_YEAR_OFFSETS
from .labels import FIELD, PAUSED_UNTIL, REMINDERS_BY_LINE, ROLE, SNOOZED_UNTIL, WEEKDAY, label
from .models import Division, TaskStatus, User
from .plans import UPLOAD_SUFFIXES
from .reminders.settings import MOST_QUIET_DAYS, QUIET_WEEKDAYS
from .thai import BE_INPUT_HINT, BEDateError, format_be_input, parse_be_date


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


# --- days, typed in the Buddhist Era --------------------------------------------------------------------------------


class BEDateInput(TextInput):
    """A text box with its format said above it (and tied to it for screen readers), wherever the field is drawn."""

    def __call__(self, field: Field, **kwargs) -> Markup:
        hint_id = f"{field.id}-format"
        given = kwargs.pop("aria-describedby", None) or kwargs.pop("aria_describedby", None)
        kwargs["aria-describedby"] = f"{given} {hint_id}" if given else hint_id
        hint = Markup('<span class="hint be-date-format" id="{}">{}</span>').format(hint_id, field.description)
        return hint + super().__call__(field, **kwargs)


class BEDateField(Field):
    """A day typed as people write it, in the Buddhist Era (31/3/2569, 31 มี.ค. 2569, Thai digits), shown back as
    31/03/2569: a text box, not the browser's date picker, whose calendar is the Western one. A day that cannot be
    read is refused with `thai.parse_be_date`'s reason; `be-date.js` adds a Thai month grid where scripts run."""

    widget = BEDateInput()
    # A datetime.date once the form validates (DateRequired), None when blank or refused: typed Any like the data of
    # every other WTForms field (the library ships no types), so a validated form's views need not narrow it.
    data: Any

    def __init__(self, label: str | None = None, validators=None, **kwargs):
        render_kw = {
            # Digits and a separator on a phone's keypad ("." on iOS, "-" "/" on Android; 31032569 reads too).
            "inputmode": "decimal",
            "autocomplete": "off",
            "spellcheck": "false",
            "placeholder": "วว/ดด/ปปปป",
            "maxlength": 40,
            "data-be-date": "",  # be-date.js looks for this
            **(kwargs.pop("render_kw", None) or {}),
        }
        kwargs.setdefault("description", BE_INPUT_HINT)
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # a refused day is shown as it was typed, to be corrected
        return format_be_input(self.data) if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None  # whether a day is needed is the validators' say (DateRequired)
            return
        try:
            self.data = parse_be_date(valuelist[0])
        except BEDateError as error:
            self.data = None
            raise ValueError(str(error)) from None


class DateRequired:
    """A day must be given; a day that was typed but refused keeps its own reason, not this one."""

    field_flags = {"required": True}

    def __init__(self, message: str = "ต้องระบุวันที่"):
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(f"{self.message} ({BE_INPUT_HINT})")


# --- signing in, one's own password ----------------------------------------------------------------------------------

class LoginForm(FlaskForm):
    username = StringField("ชื่อผู้ใช้ (username)", validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("รหัสผ่าน (password)", validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField("รหัสผ่านปัจจุบัน", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField("รหัสผ่านใหม่ (อย่างน้อย 8 ตัวอักษร)", validators=[DataRequired()],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("ยืนยันรหัสผ่านใหม่", validators=[DataRequired()],
                            render_kw={"autocomplete": "new-password"})


# --- tasks -----------------------------------------------------------------------------------------------------------


OPEN_STATUSES = (TaskStatus.TODO, TaskStatus.DOING)


class ProgressForm(FlaskForm):
    """Report progress on a task: where it stands (not started, in progress), a note, evidence (a link and/or a
    file). Closing the task is the `close` button: a deliberate act, never a value the select happens to show."""

    # Not checked against the choices here: the close button needs no status; the view reads it (open_status).
    status = SelectField("สถานะ", choices=[SelectChoice(s.value, label(s)) for s in OPEN_STATUSES],
                         validate_choice=False)
    note = TextAreaField("บันทึกความคืบหน้า", validators=[Optional(), Length(max=2000)])
    url = StringField("ลิงก์หลักฐาน (ถ้ามี)", validators=[Optional(), Length(max=2000)],
                      render_kw={"inputmode": "url", "placeholder": "เช่น www.example.go.th/ita",
                                 "autocapitalize": "none", "spellcheck": "false"})
    file = FileField("ไฟล์หลักฐาน (PDF, รูปภาพ, Word, Excel)")
    save = SubmitField("บันทึกความคืบหน้า")
    close = SubmitField("บันทึกและปิดงาน (เสร็จแล้ว)")

    def open_status(self) -> TaskStatus | None:
        """The status chosen in the select, if it is one of its choices."""
        chosen = self.status.data
        return next((s for s in OPEN_STATUSES if s.value == chosen), None)


class ReopenForm(FlaskForm):
    reason = TextAreaField("เหตุผลที่เปิดงานใหม่", validators=[DataRequired(), Length(max=2000)])


class CommentForm(FlaskForm):
    text = TextAreaField("ความเห็น", validators=[DataRequired(), Length(max=2000)])


class RescheduleForm(FlaskForm):
    due_date = BEDateField("วันครบกำหนดใหม่", validators=[DateRequired("ต้องระบุวันครบกำหนดใหม่")])
    reason = StringField("เหตุผล", validators=[Optional(), Length(max=2000)])


def _people_choices(people: list[User]) -> list[SelectChoice]:
    return [SelectChoice("", "ทั้งกอง (ยังไม่มอบหมาย)")] + [SelectChoice(str(p.id), p.display_name) for p in people]


class AssignForm(FlaskForm):
    assignee = SelectField("มอบหมายให้", validate_choice=True)

    def __init__(self, people: list[User], **kwargs):
        super().__init__(**kwargs)
        self.assignee.choices = _people_choices(people)


class BulkAssignForm(FlaskForm):
    task_ids = SelectMultipleField("งาน", coerce=int, validate_choice=True)
    assignee = SelectField("มอบหมายให้", validate_choice=True)

    def __init__(self, people: list[User], task_ids: list[int], **kwargs):
        super().__init__(**kwargs)
        self.assignee.choices = _people_choices(people)
        self.task_ids.choices = [SelectChoice(i, str(i)) for i in task_ids]


class TaskRemindersForm(FlaskForm):
    lead_times = StringField("แจ้งเตือนงานนี้ก่อนครบกำหนด (วัน คั่นด้วยจุลภาค; เว้นว่าง = ตามหน่วยงาน)",
                             validators=[Optional(), Length(max=100)])


class SnoozeForm(FlaskForm):
    """เลื่อนการเตือน: no reminder of the task before the day chosen, its due date unchanged. The days allowed
    (tracker.tasks.snooze_bounds) are said next to the field; the domain refuses any other."""

    snooze_until = BEDateField(f"{SNOOZED_UNTIL}วันที่", validators=[DateRequired("ต้องระบุวันที่ให้เตือนอีกครั้ง")])


class CannotDoForm(FlaskForm):
    """ทำไม่ได้, with the reason the head reads on the board and in their digest."""

    blocked_reason = TextAreaField(FIELD["blocked_reason"], validators=[
        DataRequired(f"ต้องระบุ{FIELD['blocked_reason']}"),
        Length(max=MAX_TEXT, message=f"ยาวเกิน {MAX_TEXT} ตัวอักษร"),
    ])


class AnswerForm(FlaskForm):
    """A head's answer to a "cannot do", which clears it: prefixed with the task's id (`answer_prefix`), since the
    board holds one per flagged row."""

    answer = StringField(FIELD["answer"], validators=[
        DataRequired(f"ต้องระบุ{FIELD['answer']}"),
        Length(max=MAX_TEXT, message=f"ยาวเกิน {MAX_TEXT} ตัวอักษร"),
    ])


def answer_prefix(task_id: int) -> str:
    return f"answer-{task_id}"


class ReviewForm(FlaskForm):
    """A head's check of one piece of evidence (prefixed with its id: a task page holds one per piece)."""

    reason = TextAreaField("เหตุผลที่ต้องแก้ไข (ต้องระบุเมื่อส่งกลับให้แก้)", validators=[Optional()])
    accept = SubmitField("ผ่าน")
    needs_work = SubmitField("ต้องแก้ไข")


class PublishForm(FlaskForm):
    """Show one piece of evidence on the public pages ("1") or take it off ("0")."""

    public = HiddenField(validators=[DataRequired()])


# --- measures --------------------------------------------------------------------------------------------------------


class CompleteMeasureForm(FlaskForm):
    """A draft measure's period and divisions (tracker.plans.complete checks them and says why in Thai)."""

    period = StringField("ช่วงเวลาดำเนินการ", validators=[Length(max=200, message="ยาวได้ไม่เกิน 200 ตัวอักษร")])
    divisions = SelectMultipleField("ผู้รับผิดชอบ", coerce=int, validate_choice=True,
                                    invalid_value_message="เลือกได้เฉพาะกองของหน่วยงานนี้",
                                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def __init__(self, offered: list, **kwargs):
        super().__init__(**kwargs)
        self.divisions.choices = [SelectChoice(d.id, d.name) for d in offered]


class MeasureReportForm(FlaskForm):
    """What a measure's results report says. Limits and the rules between fields (a reason with an override) are
    the domain's (tracker.measures.report), whose message is shown under the field it names."""

    progress_override = IntegerField(
        "ร้อยละความคืบหน้าที่รายงาน (เว้นว่าง = คิดจากงานที่เสร็จ)",
        validators=[Optional()],
        invalid_value_message="ต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 100",
        render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"},
    )
    progress_reason = TextAreaField("เหตุผลที่กำหนดร้อยละเอง (ต้องระบุเมื่อกำหนดร้อยละ)")
    result = TextAreaField(FIELD["result"])  # the results report's columns (labels.RESULTS_COLUMN)
    problems = TextAreaField(FIELD["problems"])


# --- the administrator's pages --------------------------------------------------------------------------------------


PASSWORD_LABEL = f"รหัสผ่าน (อย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร)"
NO_DIVISION = SelectChoice("", "— ไม่สังกัดกอง —")
REQUIRED = "ต้องกรอกช่องนี้"
NOT_A_CHOICE = "ตัวเลือกไม่ถูกต้อง"


def _required():
    return DataRequired(REQUIRED)


def _longest(length: int):
    return Length(max=length, message=f"ยาวเกิน {length} ตัวอักษร")


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, name) for role, name in ROLE.items()]


def _division_choices(divisions: list[Division]) -> list[SelectChoice]:
    return [NO_DIVISION] + [SelectChoice(str(d.id), d.name) for d in divisions]


class _PersonFields(FlaskForm):
    display_name = StringField("ชื่อที่แสดง (ชื่อ-นามสกุล หรือตำแหน่ง)", validators=[_required(), _longest(200)])
    role = SelectField("บทบาท", validate_choice=True, invalid_choice_message=NOT_A_CHOICE)
    division = SelectField("กอง", validate_choice=True, invalid_choice_message=NOT_A_CHOICE)

    def __init__(self, divisions: list[Division], **kwargs):
        super().__init__(**kwargs)
        self.role.choices = _role_choices()
        self.division.choices = _division_choices(divisions)


class UserCreateForm(_PersonFields):
    # The username's rules (3-80 of a-z 0-9 . _ -) are the domain's, so the message is the same everywhere.
    username = StringField("ชื่อผู้ใช้ (username)", validators=[_required(), _longest(80)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(PASSWORD_LABEL, validators=[_required()], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("ยืนยันรหัสผ่าน", validators=[_required()], render_kw={"autocomplete": "new-password"})


class UserEditForm(_PersonFields):
    active = BooleanField("ใช้งานได้ (เข้าสู่ระบบได้)")


class PasswordResetForm(FlaskForm):
    new = PasswordField(PASSWORD_LABEL.replace("รหัสผ่าน", "รหัสผ่านใหม่", 1), validators=[_required()],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("ยืนยันรหัสผ่านใหม่", validators=[_required()], render_kw={"autocomplete": "new-password"})


class DivisionForm(FlaskForm):
    name = StringField("ชื่อกอง", validators=[_required(), _longest(200)],
                       render_kw={"list": "catalogue-names", "autocomplete": "off"})
    short_name = StringField("ชื่อย่อ (ถ้ามี)", validators=[Optional(), _longest(50)])
    name_en = StringField("ชื่อภาษาอังกฤษ (ถ้ามี)", validators=[Optional(), _longest(200)])
    aliases = TextAreaField("ชื่อเรียกอื่นที่แผนใช้ (บรรทัดละหนึ่งชื่อ)", validators=[Optional(), _longest(5000)])


class SettingsForm(FlaskForm):
    name = StringField("ชื่อหน่วยงาน", validators=[_required(), _longest(200)])
    kind = StringField("ประเภท (เช่น เทศบาลตำบล, องค์การบริหารส่วนตำบล)", validators=[Optional(), _longest(100)])
    # Which OIT items the agency answers (their codes differ by type); not sent: unchanged.
    agency_type = SelectField("ประเภทหน่วยงานตามแบบตรวจ ITA (ข้อ OIT ที่ใช้)",
                              choices=[SelectChoice(key, words) for key, words in AGENCY_TYPES.items()],
                              validate_choice=False)
    district = StringField("อำเภอ", validators=[Optional(), _longest(100)])
    province = StringField("จังหวัด", validators=[Optional(), _longest(100)])
    indicator_target = DecimalField(
        "เป้าหมายคะแนนตัวชี้วัด (0–100)",
        places=2,
        invalid_value_message="ต้องเป็นตัวเลข",
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100, message="ต้องอยู่ระหว่าง 0 ถึง 100")],
        render_kw={"min": 0, "max": 100, "step": "0.01", "inputmode": "decimal"},
    )


_OFFSET_CHOICES = [SelectChoice(str(offset), words) for offset, words in PLAN_YEAR_OFFSETS.items()]


class OitItemsForm(FlaskForm):
    """A fiscal year's OIT items (prefixed with the year: the page holds one form per year). An empty code: none."""

    plan_code = StringField("รหัสข้อ: เผยแพร่แผน", validators=[Optional(), _longest(20)],
                            render_kw={"placeholder": "เช่น O25", "autocapitalize": "characters"})
    plan_name = StringField("ชื่อข้อ (เว้นว่าง = ชื่อตามปกติ)", validators=[Optional(), _longest(300)])
    results_code = StringField("รหัสข้อ: รายงานผลการดำเนินการ", validators=[Optional(), _longest(20)],
                               render_kw={"placeholder": "เช่น O26", "autocapitalize": "characters"})
    results_name = StringField("ชื่อข้อ (เว้นว่าง = ชื่อตามปกติ)", validators=[Optional(), _longest(300)])
    # Which fiscal year's plan each item shows (OitItem.plan_year_offset); not sent: the item's own, or the year's rule.
    plan_offset = SelectField("แสดงแผนของปีงบประมาณ", choices=_OFFSET_CHOICES, validate_choice=False)
    results_offset = SelectField("แสดงแผนของปีงบประมาณ", choices=_OFFSET_CHOICES, validate_choice=False)

    def offset(self, purpose: str) -> int | None:
        """The offset chosen for a purpose's item, None when none was sent (or not one offered)."""
        value = getattr(self, f"{purpose}_offset").data
        return int(value) if value in {str(k) for k in PLAN_YEAR_OFFSETS} else None


class DayOffForm(FlaskForm):
    day = BEDateField("วันที่", validators=[DateRequired("ต้องระบุวันที่")])
    name = StringField("ชื่อวันหยุด", validators=[_required(), _longest(200)],
                       render_kw={"placeholder": "เช่น วันหยุดพิเศษตามมติ ครม."})

    def __init__(self, **kwargs):
        # Prefixed: it shares the settings page with the organization's form, whose "name" is another field.
        kwargs.setdefault("prefix", "day_off")
        super().__init__(**kwargs)


# --- reminders and the LINE account ----------------------------------------------------------------------------------


class PolicyForm(FlaskForm):
    lead_times = StringField("แจ้งเตือนก่อนครบกำหนด (วัน คั่นด้วยจุลภาค; 0 = วันครบกำหนด)", validators=[DataRequired()])
    overdue_every = IntegerField("เมื่อเกินกำหนด แจ้งซ้ำทุก (วันทำการ; 0 = ไม่แจ้ง)",
                                 validators=[NumberRange(min=0, max=20)])


def _working_days(key: str, hint: str, least: int = 0) -> IntegerField:
    """A number of days of the escalation settings; its bounds are the domain's (tracker.reminders.settings)."""
    return IntegerField(FIELD[key], description=hint, invalid_value_message="ต้องเป็นจำนวนเต็ม",
                        validators=[InputRequired(REQUIRED)],
                        render_kw={"inputmode": "numeric", "min": least, "step": 1, "autocomplete": "off"})


class EscalationForm(FlaskForm):
    """When overdue or idle work climbs: the organization's ladder (working days with no activity; 0 = off), the
    longest pause a person may take and how many weekdays they may keep quiet. Named as the organization's columns."""

    escalate_head_after = _working_days("escalate_head_after", "งานเกินกำหนดแล้วไม่มีใครทำอะไรครบกี่วันทำการ"
                                        " จึงแจ้งหัวหน้ากอง (0 = ไม่แจ้ง)")
    escalate_executive_after = _working_days("escalate_executive_after", "ครบกี่วันทำการจึงแจ้งผู้บริหาร"
                                             " ต้องมากกว่าขั้นหัวหน้ากอง (0 = ไม่แจ้ง)")
    idle_nudge_after = _working_days("idle_nudge_after", "งานที่กำลังทำแต่ไม่มีความเคลื่อนไหวครบกี่วันทำการ"
                                     " จึงเตือนผู้รับผิดชอบหนึ่งครั้ง (0 = ไม่เตือน)")
    longest_pause_days = _working_days("longest_pause_days", "ผู้ใช้พักการแจ้งเตือนของตนเอง (ลา อบรม)"
                                       " ได้นานที่สุดกี่วัน (วันปฏิทิน 1-365)", least=1)
    most_quiet_days = _working_days("most_quiet_days", "ผู้ใช้เลือกวันจันทร์-ศุกร์ที่ไม่รับการแจ้งเตือนของตนเอง"
                                    f" (เช่น วันที่ทำงานนอกสถานที่) ได้กี่วันต่อสัปดาห์ (0-{MOST_QUIET_DAYS}; 0 = ไม่ให้เลือก)")


class PauseForm(FlaskForm):
    """Pause a person's reminders to a day (inclusive), with the reason: on one's profile and the admin's user page.
    The days allowed (tracker.reminders.settings.pause_bounds) are said next to the field; the domain refuses any
    other."""

    paused_until = BEDateField(f"{PAUSED_UNTIL}วันที่", validators=[DateRequired("ต้องระบุวันสุดท้ายที่พัก")])
    pause_reason = StringField(FIELD["pause_reason"], validators=[
        DataRequired(f"ต้องระบุ{FIELD['pause_reason']}"),
        Length(max=MAX_TEXT, message=f"ยาวเกิน {MAX_TEXT} ตัวอักษร"),
    ], render_kw={"placeholder": "เช่น ลาพักผ่อน, ไปอบรมต่างจังหวัด", "autocomplete": "off"})


class RemindersByLineForm(FlaskForm):
    """Take one's reminders over LINE, or none at all."""

    by_line = RadioField("ช่องทางรับการแจ้งเตือน", validate_choice=True, invalid_choice_message=NOT_A_CHOICE,
                         choices=[SelectChoice("line", REMINDERS_BY_LINE[True]),
                                  SelectChoice("none", REMINDERS_BY_LINE[False])],
                         validators=[InputRequired("เลือกช่องทางก่อน")])

    def chosen(self) -> bool:
        """Whether LINE was chosen."""
        return self.by_line.data == "line"


class QuietDaysForm(FlaskForm):
    """The weekdays a person takes no reminders on (Monday to Friday), ticked: on one's profile and the admin's user
    page. Which and how many may be kept is the domain's say (tracker.reminders.settings.set_quiet_days)."""

    # Not checked against the choices here: a day that is not one of them gets the domain's reason, in Thai.
    quiet_days = SelectMultipleField(FIELD["quiet_days"], coerce=int, validate_choice=False,
                                     choices=[SelectChoice(day, WEEKDAY[day]) for day in QUIET_WEEKDAYS],
                                     invalid_value_message="เลือกได้เฉพาะวันจันทร์ถึงวันศุกร์",
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class LineAccountForm(FlaskForm):
    basic_id = StringField("Basic ID ของบัญชี LINE Official Account (เช่น @123abcde)", validators=[Optional()])
    bot_user_id = StringField("Bot user ID (U…, สำหรับหลายหน่วยงานในระบบเดียว)", validators=[Optional()])


class LinkForm(FlaskForm):
    link_token = HiddenField(validators=[DataRequired(), Length(max=200)])


# --- plan import -----------------------------------------------------------------------------------------------------


class UploadForm(FlaskForm):
    file = FileField("ไฟล์แผน (รายงาน .txt .docx .pdf หรือแม่แบบ .csv .xlsx)",
                     validators=[FileRequired("เลือกไฟล์ก่อน")],
                     render_kw={"accept": ",".join(UPLOAD_SUFFIXES)})
    create_divisions = BooleanField("สร้างกองที่ยังไม่มีในระบบ")


class ConfirmImportForm(FlaskForm):
    create_divisions = HiddenField()


class StartYearForm(FlaskForm):
    """Start the next fiscal year from a plan: the ways offered depend on whether that year has a plan already and
    on whether its unfinished tasks may be carried over yet (tracker.views.next_year), so they are passed in. None is
    chosen beforehand: carrying stops reminders of live tasks, so it is a choice a person makes, never a default."""

    how = RadioField("เริ่มปีงบประมาณใหม่อย่างไร", validate_choice=False,  # checked below, in Thai
                     validators=[InputRequired("เลือกวิธีเริ่มปีงบประมาณใหม่ก่อน แล้วจึงกดยืนยัน")])

    def __init__(self, choices: list[tuple[str, str]], **kwargs):
        super().__init__(**kwargs)
        self.how.choices = [SelectChoice(value, text) for value, text in choices]

    def validate_how(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices or ()}:
            raise StopValidation("วิธีนี้ไม่มีให้เลือกในหน้านี้แล้ว — ดูสิ่งที่จะเกิดขึ้นอีกครั้งแล้วเลือกใหม่")
