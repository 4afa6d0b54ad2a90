"""Web forms (Flask-WTF: every one carries a CSRF token). Choices that depend on who is asking are passed in."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .models import TaskStatus, User
from .tasks import STATUS_LABELS


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


class ProgressForm(FlaskForm):
    """Report progress on a task: its new status, a note, and evidence (a link and/or a file)."""

    status = SelectField("สถานะ", choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in TaskStatus])
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
