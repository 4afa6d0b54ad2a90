"""Every web form, in one place (Flask-WTF: each carries a CSRF token). Choices that depend on the organization or
on who is asking (its divisions, a division's people) are passed in, never read from globals.

`ActionForm` is the form of a button that changes something and asks nothing more: only the CSRF token.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from .auth import MIN_PASSWORD_LENGTH
from .labels import ROLE, label
from .models import Division, TaskStatus, User
from .plans import UPLOAD_SUFFIXES


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


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


class ProgressForm(FlaskForm):
    """Report progress on a task: its new status, a note, and evidence (a link and/or a file)."""

    status = SelectField("สถานะ", choices=[SelectChoice(s.value, label(s)) for s in TaskStatus])
    note = TextAreaField("บันทึกความคืบหน้า", validators=[Optional(), Length(max=2000)])
    url = StringField("ลิงก์หลักฐาน (ถ้ามี)", validators=[Optional(), Length(max=2000)],
                      render_kw={"inputmode": "url", "placeholder": "https://"})
    file = FileField("ไฟล์หลักฐาน (PDF, รูปภาพ, Word, Excel)")


class ReopenForm(FlaskForm):
    reason = TextAreaField("เหตุผลที่เปิดงานใหม่", validators=[DataRequired(), Length(max=2000)])


class CommentForm(FlaskForm):
    text = TextAreaField("ความเห็น", validators=[DataRequired(), Length(max=2000)])


class RescheduleForm(FlaskForm):
    due_date = DateField("วันครบกำหนดใหม่", validators=[DataRequired()])
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
    district = StringField("อำเภอ", validators=[Optional(), _longest(100)])
    province = StringField("จังหวัด", validators=[Optional(), _longest(100)])
    indicator_target = DecimalField(
        "เป้าหมายคะแนนตัวชี้วัด (0–100)",
        places=2,
        invalid_value_message="ต้องเป็นตัวเลข",
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100, message="ต้องอยู่ระหว่าง 0 ถึง 100")],
        render_kw={"min": 0, "max": 100, "step": "0.01", "inputmode": "decimal"},
    )


class DayOffForm(FlaskForm):
    day = DateField("วันที่", validators=[InputRequired("ต้องระบุวันที่")], invalid_value_message="วันที่ไม่ถูกต้อง")
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


class LineAccountForm(FlaskForm):
    basic_id = StringField("Basic ID ของบัญชี LINE Official Account (เช่น @123abcde)", validators=[Optional()])
    bot_user_id = StringField("Bot user ID (U…, สำหรับหลายหน่วยงานในระบบเดียว)", validators=[Optional()])


class LinkForm(FlaskForm):
    link_token = HiddenField(validators=[DataRequired(), Length(max=200)])


# --- plan import -----------------------------------------------------------------------------------------------------


class UploadForm(FlaskForm):
    file = FileField("ไฟล์แผน (.txt รายงาน, .csv หรือ .xlsx)", validators=[FileRequired("เลือกไฟล์ก่อน")],
                     render_kw={"accept": ",".join(UPLOAD_SUFFIXES)})
    create_divisions = BooleanField("สร้างกองที่ยังไม่มีในระบบ")


class ConfirmImportForm(FlaskForm):
    create_divisions = HiddenField()
