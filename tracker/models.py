"""The domain model: organizations, their plans, measures and tasks, and what happens to them.

Every row that belongs to an agency hangs off an Organization, directly or through its plan, so one deployment can
serve a whole province without mixing agencies. Timestamps are stored in UTC; due dates are plain dates.
"""
from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
    true,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import Base, db
from .ita import default_plan_year_offset

# The models' base class. Flask-SQLAlchemy builds `db.Model` at run time (Base's body with its own mixins: table
# names, binds, `query`), so to mypy it is a variable of type `type[...]`, which a class statement cannot derive from.
# The type checker reads the models as what they are declared with: the typed declarative Base of extensions.py.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as naive UTC and give them back aware.

    SQLite keeps no zone, PostgreSQL's `timestamp` neither: normalising at the boundary means every datetime the code
    sees is comparable and converts to Asia/Bangkok for display without guessing.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use tracker.models.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the value text with a CHECK constraint: portable across SQLite and PostgreSQL, and adding a value is a
    # plain migration rather than ALTER TYPE.
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Role(str, enum.Enum):
    ADMIN = "admin"  # imports plans, manages users, divisions, settings (of the agency; see User.is_deployment_admin)
    EXECUTIVE = "executive"  # นายกเทศมนตรี, ปลัดเทศบาล: reads everything, changes nothing
    HEAD = "head"  # ผู้อำนวยการกอง / หัวหน้าสำนักปลัด: ticks off, assigns, for the division
    STAFF = "staff"  # reports progress on own and the division's tasks


class TaskStatus(str, enum.Enum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    # Moved on to the next fiscal year's plan (tracker.plans.next_year): closed in its own plan without being done.
    # It gives no reminder and is never overdue; the work goes on in the task it was carried to.
    CARRIED = "carried"

    @property
    def is_open(self) -> bool:
        """Still to be worked on in its plan: not done, and not carried over to the next year (the sweep's OPEN)."""
        return self is TaskStatus.TODO or self is TaskStatus.DOING


class NotificationStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Source(str, enum.Enum):
    """Where a change came from, for the audit trail."""

    WEB = "web"
    CLI = "cli"
    LINE = "line"
    SYSTEM = "system"


class IndicatorSource(str, enum.Enum):
    """How a measure came to answer its indicators."""

    EXPLICIT = "explicit"  # the plan file named them
    INFERRED = "inferred"  # matched on the analysis text
    CONFIRMED = "confirmed"  # a person chose them on the import preview


class EvidenceReview(str, enum.Enum):
    """Where a head's check of a piece of evidence stands: only accepted evidence may be published."""

    PENDING = "pending"  # added by staff, not yet looked at
    ACCEPTED = "accepted"
    NEEDS_WORK = "needs_work"  # sent back, with the reason


class UploadStatus(str, enum.Enum):
    """Where a photo or file sent in the LINE chat stands (LineUpload): fetched from LINE, then attached to a task."""

    WAITING = "waiting"  # recorded with its event; not yet fetched from LINE
    STORED = "stored"  # fetched and stored; waiting for the person to pick a task
    REFUSED = "refused"  # not fetched or not accepted (too big, gone at LINE, not a type we take): the reason says
    ATTACHED = "attached"  # evidence of a task now


class OitPurpose(str, enum.Enum):
    """What an OIT item of an assessment year asks an agency to publish about its improvement plan."""

    PLAN = "plan"  # the plan itself: O42 in 2565-2567, O25 in 2569
    RESULTS = "results"  # the report of what was done: O43 in 2565-2567, O26 in 2569


class AuditAction(str, enum.Enum):
    """What an audit event records; stored as its value, e.g. "task.tick_off"."""

    PLAN_IMPORT = "plan.import"
    ORGANIZATION_CREATE = "organization.create"
    ASSESSMENT_IMPORT = "assessment.import"
    DIVISION_CREATE = "division.create"
    DIVISION_UPDATE = "division.update"
    DIVISION_LINE_GROUP = "division.line_group"
    DIVISION_LINE_GROUP_CODE = "division.line_group_code"
    DIVISION_LINE_GROUP_DETACH = "division.line_group_detach"
    TASK_PROGRESS = "task.progress"
    TASK_TICK_OFF = "task.tick_off"
    TASK_UNDO = "task.undo"
    TASK_REOPEN = "task.reopen"
    TASK_ASSIGN = "task.assign"
    TASK_RESCHEDULE = "task.reschedule"
    TASK_REMINDERS = "task.reminders"
    TASK_COMMENT = "task.comment"
    TASK_EVIDENCE = "task.evidence"
    TASK_ACKNOWLEDGE = "task.acknowledge"  # รับทราบ/กำลังทำ: the person is on it
    TASK_SNOOZE = "task.snooze"  # its reminders put off to a day, the due date unchanged
    TASK_CANNOT_DO = "task.cannot_do"  # ทำไม่ได้, with the reason
    TASK_CANNOT_DO_ANSWER = "task.cannot_do_answer"  # the head's answer, which clears it
    TASK_ESCALATE = "task.escalate"  # overdue with no activity: named to its head, or to the executives
    TASK_NUDGE = "task.nudge"  # in progress with no activity: its people were nudged
    TASK_CARRY = "task.carry"  # the old task, closed as carried to the next year
    TASK_CARRIED_IN = "task.carried_in"  # the new year's task that goes on with it
    TASK_CARRY_UNDO = "task.carry_undo"  # a carrying undone: the old task returns to its year
    TASK_CARRIED_IN_UNDO = "task.carried_in_undo"  # ... and the new year's task is removed (or unlinked)
    PLAN_COPY = "plan.copy"
    PLAN_CARRY_OVER = "plan.carry_over"  # one carrying of a plan's unfinished tasks, as a whole: what undo reads
    PLAN_CARRY_OVER_UNDO = "plan.carry_over_undo"
    EVIDENCE_REVIEW = "evidence.review"
    EVIDENCE_PUBLISH = "evidence.publish"
    MEASURE_REPORT = "measure.report"
    MEASURE_COMPLETE = "measure.complete"  # a draft given its period and divisions, and so its tasks
    OIT_ITEM_UPDATE = "oit_item.update"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_PASSWORD = "user.password"
    USER_SIGN_IN = "user.sign_in"
    USER_SIGN_OUT = "user.sign_out"
    USER_LINE_LINK = "user.line_link"
    USER_LINE_UNLINK = "user.line_unlink"
    USER_REMINDERS = "user.reminders"  # a person's pause of their reminders, or LINE or none
    DAY_OFF_ADD = "day_off.add"
    DAY_OFF_REMOVE = "day_off.remove"
    SETTINGS_UPDATE = "settings.update"
    SETTINGS_REMINDERS = "settings.reminders"
    SETTINGS_LINE = "settings.line"


class OrganizationOwned:
    """A row of one organization that is reached through its parent (a measure through its plan, a task through its
    measure, evidence and a comment through their task, an indicator score through its assessment) but carries the
    organization's id itself, like every other row of an agency (see `owner`).

    The id is what every organization-scoped query filters on (tracker.access), with an index, so a page or a sweep
    costs what the agency's own rows cost, never a join through the whole database. It is not set by hand: before
    every flush `_keep_organizations` copies it from the parent, and refuses a row whose parent belongs to another
    organization than the one it already has, or whose division is another organization's.
    """

    if TYPE_CHECKING:  # each model maps these itself; named here for the code that handles any of them
        id: Mapped[int]
        organization_id: Mapped[int | None]  # NOT NULL, but None on a row being built until the flush sets it
        organization: Mapped[Organization | None]


class Organization(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # เทศบาลตำบลบางกระบือ
    kind: Mapped[str | None] = mapped_column(String(100))  # เทศบาลตำบล, องค์การบริหารส่วนตำบล, ...
    # Which OIT items the agency answers (tracker.ita.AGENCY_TYPES): item codes differ by agency type (a vocational
    # college's O1-O23, a health-ministry unit's MOIT), so the items are keyed by assessment year and agency type.
    agency_type: Mapped[str] = mapped_column(String(20), default="local", server_default="local")
    district: Mapped[str | None] = mapped_column(String(100))  # อำเภอ
    province: Mapped[str | None] = mapped_column(String(100))  # จังหวัด
    # The score an indicator should reach for the dashboard to call it on target: 95 is the ITA's AA level, above the
    # 85 pass line; an agency sets its own.
    indicator_target: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=95.0, server_default="95")
    # Reminder lead times in calendar days before a due date (0 = on the day), and the overdue cadence in working days.
    reminder_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: [14, 7, 3, 1, 0], server_default="[14, 7, 3, 1, 0]"
    )
    overdue_every: Mapped[int] = mapped_column(default=3, server_default="3")
    # The escalation ladder, in working days an overdue task goes without activity: named to its division's head,
    # then to the executives (0 turns a step off); a task in progress with no activity for `idle_nudge_after` working
    # days gets one nudge; a person may pause their reminders for at most `longest_pause_days` days.
    escalate_head_after: Mapped[int] = mapped_column(default=3, server_default="3")
    escalate_executive_after: Mapped[int] = mapped_column(default=10, server_default="10")
    idle_nudge_after: Mapped[int] = mapped_column(default=10, server_default="10")
    longest_pause_days: Mapped[int] = mapped_column(default=60, server_default="60")
    most_quiet_days: Mapped[int] = mapped_column(default=2, server_default="2")  # weekdays a person may keep quiet
    # The LINE Official Account of the organization: its bot's user id is the `destination` of every webhook call,
    # which is how one deployment tells its organizations' channels apart. Secrets stay in the environment.
    line_bot_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    line_basic_id: Mapped[str | None] = mapped_column(String(32))  # "@123abcde": the add-friend link and QR code
    # The address the app serves this organization at, as `tracker demo --port N` records it: what links in messages
    # start with when PUBLIC_URL is not set (organization.public_url).
    public_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Counts the changes to the organization's rows (`_count_changes`): pages cache what they show under it, so a
    # cached page is fresh until anything of the agency changes, and costs nothing to check.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    divisions: Mapped[list[Division]] = relationship(back_populates="organization", order_by="Division.id")
    users: Mapped[list[User]] = relationship(back_populates="organization", order_by="User.id")
    plans: Mapped[list[Plan]] = relationship(back_populates="organization")


class FiscalYear(Model):
    """A Thai fiscal year, named by the BE year it ends in (FY 2569 = 1 Oct 2025 - 30 Sep 2026)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year_be: Mapped[int] = mapped_column(unique=True)
    start: Mapped[date]
    end: Mapped[date]

    indicators: Mapped[list[Indicator]] = relationship(back_populates="fiscal_year", order_by="Indicator.number")
    oit_items: Mapped[list[OitItem]] = relationship(back_populates="fiscal_year", order_by="OitItem.purpose",
                                                    cascade="all, delete-orphan")


class OitItem(Model):
    """The OIT item under which an agency publishes its plan, or its results, in one assessment year.

    The NACC renumbers items between frameworks (the plan was O42 in 2565-2567 and O25 in 2569), so they are rows an
    administrator keeps (tracker.oit), not constants: next year's numbering is a change of data.
    """

    __table_args__ = (UniqueConstraint("fiscal_year_id", "agency_type", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id"))
    # The agencies whose item this is (tracker.ita.AGENCY_TYPES; Organization.agency_type): codes differ by type.
    agency_type: Mapped[str] = mapped_column(String(20), default="local", server_default="local")
    purpose: Mapped[OitPurpose] = mapped_column(_enum(OitPurpose, "oit_purpose"))
    code: Mapped[str] = mapped_column(String(10))  # "O26"
    name: Mapped[str] = mapped_column(String(300))  # การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน
    # The fiscal year of the plan the item shows, relative to the assessment year: 0 the same year, -1 the year
    # before (2569's O26 reports on the 2568 plan). None on a row being built: `_default_plan_year_offset` sets it
    # from the year's rule (tracker.ita.default_plan_year_offset) before the insert.
    plan_year_offset: Mapped[int] = mapped_column(default=None, server_default="0")

    fiscal_year: Mapped[FiscalYear] = relationship(back_populates="oit_items")


@event.listens_for(OitItem, "before_insert")
def _default_plan_year_offset(mapper: Any, connection: Any, item: OitItem) -> None:
    """A new item that does not say which year's plan it shows takes its assessment year's rule (a fiscal year created
    by an import gets its items from tracker.ita.OIT_ITEMS, which name code and name only)."""
    if item.plan_year_offset is None:
        item.plan_year_offset = default_plan_year_offset(item.fiscal_year.year_be, item.purpose.value)


class Indicator(Model):
    """One of the ITA indicators of a fiscal year's framework; names change between years, so they are rows."""

    __table_args__ = (UniqueConstraint("fiscal_year_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    tool: Mapped[str | None] = mapped_column(String(10))  # IIT, EIT or OIT

    fiscal_year: Mapped[FiscalYear] = relationship(back_populates="indicators")


class Assessment(Model):
    """An organization's ITA result for one fiscal year, as its published report gives it."""

    __table_args__ = (UniqueConstraint("organization_id", "fiscal_year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id"))
    overall: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    iit: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    eit: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    oit: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    source: Mapped[str | None] = mapped_column(String(300))

    organization: Mapped[Organization] = relationship()
    fiscal_year: Mapped[FiscalYear] = relationship()
    scores: Mapped[list[IndicatorScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="IndicatorScore.indicator_id"
    )


class IndicatorScore(OrganizationOwned, Model):
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)  # the assessment's
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    score: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))
    # The report's own analysis of the indicator: the text measures are matched against.
    analysis: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship()
    assessment: Mapped[Assessment] = relationship(back_populates="scores")
    indicator: Mapped[Indicator] = relationship()


class Division(Model):
    """A division (กอง / สำนัก) of an organization: what tasks are owned by."""

    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    name: Mapped[str] = mapped_column(String(200))  # สำนักปลัดเทศบาล
    short_name: Mapped[str | None] = mapped_column(String(50))  # สป.
    name_en: Mapped[str | None] = mapped_column(String(200))  # Office of the Municipal Clerk
    # Other spellings plans use for this division (สำนักปลัด, สำนักงานปลัด): matched on import.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The division's LINE group, when the bot was attached to it: its weekly digest and overdue alerts go there.
    line_group_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    line_group_members: Mapped[int | None]  # LINE counts a push into a group once per member
    # A one-time code shown on the division page, typed into the group to attach the bot to it.
    line_group_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    line_group_code_expires: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship(back_populates="divisions")
    users: Mapped[list[User]] = relationship(back_populates="division")


class User(Model):
    __table_args__ = (
        # The daily sweep's people with quiet days, by organization (their reminders move to the day before).
        Index("ix_user_quiet_days_organization_id", "organization_id", sqlite_where=text("quiet_days IS NOT NULL"),
              postgresql_where=text("quiet_days IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    line_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The deployment's administrator (ผู้ดูแลระบบของทั้งระบบ), above every agency's admins: keeps what all agencies
    # share (the OIT items of each year). A person of the deployment who still signs in through an agency (every
    # user has one); granted only from the server's command line (`tracker users deployment-admin`), never the web.
    is_deployment_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # `ทำไม่ได้` pressed in LINE: the person's next chat message, until `line_reason_until`, is the reason why this
    # task cannot be done; negative, `ส่งกลับแก้ไข` pressed on the evidence of id -line_reason_task_id: the reason it
    # is sent back (tracker.line.answers.waiting_for). No foreign key (user and task would refer to each other): the
    # id is looked up among the person's organization's rows when the message comes, and one gone is not found.
    line_reason_task_id: Mapped[int | None]
    line_reason_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # `ส่งรูปหลักฐาน` pressed on a task's bubble in LINE: the photos or files the person sends in their one-to-one chat
    # until `line_upload_until` go to this task without a question (tracker.line.uploads). No foreign key, as for
    # line_reason_task_id: user and task would refer to each other, and a task gone is simply not found.
    line_upload_task_id: Mapped[int | None]
    line_upload_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Their reminders paused to this local day included (leave, training: `pause_reason`); their tasks' reminders go
    # to their division's head meanwhile. `reminders_by_line` False: they take no reminders over LINE at all.
    paused_until: Mapped[date | None]
    pause_reason: Mapped[str | None] = mapped_column(Text)
    reminders_by_line: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Weekdays (0 = Monday .. 4 = Friday) the person takes no reminders (part-time, a day in the field): a reminder
    # that falls on one comes on their working day before, as for a holiday. None: none (SQL NULL, not JSON null:
    # the sweep finds the few people who have some by a partial index).
    quiet_days: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))

    organization: Mapped[Organization] = relationship(back_populates="users")
    division: Mapped[Division | None] = relationship(back_populates="users")

    # Flask-Login's user interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    # The token of the server-side session (UserSession) this object was signed in or loaded through, set by
    # tracker.auth for the request; not a column. Declared for the type checker only: SQLAlchemy maps annotations.
    if TYPE_CHECKING:
        session_token: str | None
    else:
        session_token = None

    def get_id(self) -> str:
        # What Flask-Login puts in the cookie: the session's token, never the user's id, so the cookie is worth
        # something only while its UserSession row exists (signing out, a password change, deactivation end it).
        if not self.session_token:
            raise RuntimeError("no session: sign in through tracker.auth.start_session")
        return self.session_token

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password; the password itself is never kept."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)


class Plan(Model):
    """An organization's improvement plan for a fiscal year, as imported from one file."""

    __table_args__ = (UniqueConstraint("organization_id", "fiscal_year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id"))
    source: Mapped[str] = mapped_column(String(300))  # the file name it came from
    # Hash of the plan's content (not the file's bytes), so the same plan from a report, a CSV or an XLSX is
    # recognised as already imported.
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    organization: Mapped[Organization] = relationship(back_populates="plans")
    fiscal_year: Mapped[FiscalYear] = relationship()
    imported_by: Mapped[User | None] = relationship()
    measures: Mapped[list[Measure]] = relationship(
        back_populates="plan", order_by="Measure.order", cascade="all, delete-orphan"
    )


measure_division = Table(
    "measure_division",
    db.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("division_id", ForeignKey("division.id"), primary_key=True),
)

measure_indicator = Table(
    "measure_indicator",
    db.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicator.id"), primary_key=True),
)


class Measure(OrganizationOwned, Model):
    """One row of the improvement table: a มาตรการ/โครงการ/กิจกรรม."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan's organization, copied here (see OrganizationOwned): pages list an agency's measures by it.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    order: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    analysis: Mapped[str | None] = mapped_column(Text)  # ผลการวิเคราะห์: why the measure exists
    period_text: Mapped[str | None] = mapped_column(String(200))  # as the plan wrote it
    # None while the measure is a draft whose period the plan did not give (tracker.measures.draft_missing).
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    # The steps of a draft: a row the plan gave without a period or a division is imported without tasks (a task needs
    # both), its steps kept here until a person completes it (tracker.measures.complete); None once it has its tasks.
    # This column is what "draft" means (Measure.is_draft), so every surface asks the same question.
    draft_steps: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))  # None: SQL NULL, never JSON null
    # The plan's weight of the measure (a "น้ำหนัก" column): when every measure of a set has one, their percents
    # combine by it rather than by their tasks (tracker.progress.combined_percent).
    weight: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    # The plan's other columns, as written (budget, output, KPI, monthly targets): [[heading, text], …] in the plan's
    # order, shown on the measure's page and the public page (tracker.plans.rows.EXTRA_COLUMNS).
    details: Mapped[list[list[str]] | None] = mapped_column(JSON(none_as_null=True))
    # Stored as text (values of IndicatorSource), so a new way of linking needs no schema change.
    indicator_source: Mapped[str] = mapped_column(String(20), default=IndicatorSource.EXPLICIT.value)
    # What the results report says of the measure (tracker.measures.report). The percent is derived from the tasks
    # done unless a head overrides it, with the reason: a step can be half done, which tasks cannot say.
    progress_override: Mapped[int | None]  # 0-100
    progress_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # ผลการดำเนินการ
    problems: Mapped[str | None] = mapped_column(Text)  # ปัญหาอุปสรรค

    organization: Mapped[Organization] = relationship()
    plan: Mapped[Plan] = relationship(back_populates="measures")
    divisions: Mapped[list[Division]] = relationship(secondary=measure_division, order_by="Division.id")
    indicators: Mapped[list[Indicator]] = relationship(secondary=measure_indicator, order_by="Indicator.number")
    tasks: Mapped[list[Task]] = relationship(
        back_populates="measure", order_by="(Task.step_number, Task.division_id)", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        """A measure imported without its period or divisions, and so without tasks, until a person completes it."""
        return self.draft_steps is not None


class Task(OrganizationOwned, Model):
    """One step of a measure for one responsible division: the unit people tick off."""

    __table_args__ = (
        UniqueConstraint("measure_id", "step_number", "division_id"),
        # An agency's tasks by due date: My tasks, the dashboard, and the daily sweep's date ranges.
        Index("ix_task_organization_id_due_date", "organization_id", "due_date"),
        # The daily sweep across all agencies (tracker/reminders/selection.py): open tasks by due date (the day's
        # ranges, the earliest open task), and the few tasks with lead times of their own. Partial: each holds only
        # its rows, and a query names the same condition, written the same way, to use it.
        Index("ix_task_open_due_date", "due_date", sqlite_where=text("status IN ('todo', 'doing')"),
              postgresql_where=text("status IN ('todo', 'doing')")),
        Index("ix_task_own_reminders_due_date", "due_date",
              sqlite_where=text("CAST(reminder_days AS TEXT) <> 'null'"),  # neither NULL nor JSON null
              postgresql_where=text("CAST(reminder_days AS TEXT) <> 'null'")),
        # The few tasks someone said they cannot do, by when: the daily sweep's heads to tell, across all agencies.
        Index("ix_task_blocked_at", "blocked_at", sqlite_where=text("blocked_reason IS NOT NULL"),
              postgresql_where=text("blocked_reason IS NOT NULL")),
        # The escalation ladder's candidates: open tasks by due date that have not reached its last step; the few
        # that reached it, by when (the executives' weekly summary); tasks in progress by their last activity (the
        # idle nudge).
        Index("ix_task_climbing_due_date", "due_date",
              sqlite_where=text("status IN ('todo', 'doing') AND escalated_executive_at IS NULL"),
              postgresql_where=text("status IN ('todo', 'doing') AND escalated_executive_at IS NULL")),
        Index("ix_task_escalated_executive_at", "escalated_executive_at",
              sqlite_where=text("escalated_executive_at IS NOT NULL"),
              postgresql_where=text("escalated_executive_at IS NOT NULL")),
        Index("ix_task_idle_last_activity_at", "last_activity_at", sqlite_where=text("status = 'doing'"),
              postgresql_where=text("status = 'doing'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)  # the measure's
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    step_number: Mapped[int]
    step_text: Mapped[str] = mapped_column(Text)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"), index=True)  # the division board
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)  # a person's own tasks
    due_date: Mapped[date]
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "task_status"), default=TaskStatus.TODO)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Lead times of this task's reminders when they differ from the organization's; None: the organization's.
    reminder_days: Mapped[list[int] | None] = mapped_column(JSON)
    # The last year's task this one goes on with (tracker.plans.next_year); that one stays in its plan, with its
    # history, as CARRIED. Unique: a task is carried over once.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True, unique=True)
    # What the people doing it answered (a reminder's buttons in LINE, or the task page; tracker.tasks): who said
    # they are on it and when; the day from which its reminders come again (only the reminders move, never the due
    # date); why it cannot be done, until its head reassigns it, reschedules it or answers.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    snoozed_until: Mapped[date | None]
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The last time anyone did something on it (a status, a note, evidence, an acknowledgement, a new due date or
    # assignee): the clock overdue work climbs to the head and the executives by, and idle work is nudged by.
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it reached each step of the escalation ladder (named to its head, then to the executives) and when it was
    # nudged for being idle: each once, until activity clears them (tracker.tasks._touched) and the clock restarts.
    escalated_head_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_executive_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    measure: Mapped[Measure] = relationship(back_populates="tasks")
    carried_from: Mapped[Task | None] = relationship(remote_side=[id], back_populates="carried_to")
    carried_to: Mapped[Task | None] = relationship(back_populates="carried_from")
    division: Mapped[Division] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    blocked_by: Mapped[User | None] = relationship(foreign_keys=[blocked_by_id])
    evidence: Mapped[list[Evidence]] = relationship(back_populates="task", order_by="Evidence.created_at")
    comments: Mapped[list[Comment]] = relationship(back_populates="task", order_by="Comment.created_at")


class Comment(OrganizationOwned, Model):
    """A note on a task: progress reported, a question from the mayor, the reason it was reopened."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)  # the task's
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    task: Mapped[Task] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class Evidence(OrganizationOwned, Model):
    """Proof that a task was done: a link or a stored file, with a note; checked by the division's head, and public
    only once the head says so."""

    __table_args__ = (
        # A person's evidence sent back to them (tracker.evidence.needing_work_for: the LINE digest).
        Index("ix_evidence_created_by_id_review", "created_by_id", "review"),
        # The evidence waiting for a head, oldest first (tracker.evidence.waiting: the review queue and its counts).
        Index("ix_evidence_organization_id_review_created_at", "organization_id", "review", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)  # the task's
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    # Its stored files are rows of EvidenceFile (`files`, in order): none for a link, one for a file uploaded on the
    # web, several for a set of photos sent in the LINE chat.
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review: Mapped[EvidenceReview] = mapped_column(_enum(EvidenceReview, "evidence_review"),
                                                   default=EvidenceReview.PENDING, server_default="pending")
    review_reason: Mapped[str | None] = mapped_column(Text)  # why it needs work (required then)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Off until a head turns it on: a staff member's upload may hold personal data (PDPA), so nothing is public by
    # default, and only accepted evidence can be.
    public: Mapped[bool] = mapped_column(default=False, server_default=false())

    organization: Mapped[Organization] = relationship()
    task: Mapped[Task] = relationship(back_populates="evidence")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    # Loaded with the evidence, in one more query for every piece loaded at once (selectin): every page that lists
    # evidence lists its files, and none of them pays a query per piece.
    files: Mapped[list[EvidenceFile]] = relationship(back_populates="evidence", order_by="EvidenceFile.position",
                                                     cascade="all, delete-orphan", lazy="selectin")


class EvidenceFile(OrganizationOwned, Model):
    """One stored file of a piece of evidence: the file uploaded on the web, or one photo of a set sent in the LINE
    chat (in LINE's order). Served by its own id, with its evidence's permission checks (tracker/views/tasks.py)."""

    __table_args__ = (UniqueConstraint("evidence_id", "position"),)  # its index finds a piece's files

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)  # the evidence's
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    position: Mapped[int]  # 1, 2, ...: the order shown (a LINE image set's own)
    file_path: Mapped[str] = mapped_column(String(300))  # generated name under the upload folder
    file_name: Mapped[str] = mapped_column(String(300))  # the name the person uploaded
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    # The stored bytes' SHA-256 (the same file already evidence of another task is flagged to the head: the index),
    # and a photo's pixels as stored.
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    evidence: Mapped[Evidence] = relationship(back_populates="files")


class DayOff(Model):
    """A day the organization does not work beyond Thai public holidays: cabinet-announced extra days arrive late,
    and local days (a provincial festival) are the organization's own."""

    __table_args__ = (UniqueConstraint("organization_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(200))


class LoginAttempt(Model):
    """Sign-in attempts, kept to slow down password guessing across every web worker."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(default=False)


class UserSession(Model):
    """A signed-in browser. The session cookie carries a random token; only its SHA-256 is kept here, so a copy of
    the database (a backup) signs nobody in. Signing out deletes the row, and with it every copy of the cookie."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most every few minutes (tracker.auth.TOUCH_EVERY), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(String(64))  # where it signed in from
    user_agent: Mapped[str] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class AuditEvent(Model):
    """A change someone made: who, when, what, and the object before and after."""

    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id"),  # one task's history
        Index("ix_audit_event_organization_id_at", "organization_id", "at"),  # the audit page, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the system or a CLI operator
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(50))  # plan.import, task.tick_off, ...
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[Source] = mapped_column(_enum(Source, "audit_source"), default=Source.WEB)

    actor: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()


class Notification(Model):
    """The outbox: one message to one recipient, written by the daily sweep and sent by the deliverer.

    The unique (address, kind, for_date) makes a second sweep of the same day a no-op; the idempotency key is sent
    to LINE as X-Line-Retry-Key so that a retry after a lost answer is not delivered twice. The address is a person
    ("user:12") or a division's LINE group ("group:3").
    """

    __table_args__ = (UniqueConstraint("address", "kind", "for_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    address: Mapped[str] = mapped_column(String(40))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"))  # to the division's LINE group
    kind: Mapped[str] = mapped_column(String(30))  # digest: everything one person gets on one day
    task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The message as rendered by the sweep: a retry sends exactly what the first try sent.
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # LINE objects, rendered at delivery: empty ("[]", from the server default, so that the daily sweep's bulk insert
    # does not serialise an empty list for each of its rows) until then.
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default="[]")
    for_date: Mapped[date]
    status: Mapped[NotificationStatus] = mapped_column(
        _enum(NotificationStatus, "notification_status"), default=NotificationStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # backoff after a failed try
    # A deliverer owns a row until this instant; another process skips it meanwhile, and takes it over after, so a
    # crashed deliverer's rows are retried (with the same retry key: LINE answers 409 if it had already delivered).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    line_request_id: Mapped[str | None] = mapped_column(String(64))  # LINE's x-line-request-id, for support cases
    # Rendered with `messages`, one entry per message object: the task ids it carries (a digest's text: its tasks;
    # its task carousel: its cards'; anything else: none). Recorded with LINE's message ids once sent (LineSentMessage).
    # None: rendered before this was kept, or written with its text alone.
    message_tasks: Mapped[list[list[int]] | None] = mapped_column(JSON)

    recipient: Mapped[User | None] = relationship()
    division: Mapped[Division | None] = relationship()


class LineSentMessage(OrganizationOwned, Model):
    """A LINE message object a digest push delivered to a person, with the tasks it carries: a photo or file the person
    sends quoting it (LINE's quotedMessageId) goes to its task (tracker/line/uploads.py).

    Written by the outbox in the same short transaction that records its notification sent, from LINE's answer
    (sentMessages, one id per message object); removed after `uploads.KEEP_SENT_MESSAGES` by the daily cleanup.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)  # LINE's id of the message object sent
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    notification: Mapped[Notification] = relationship()


class LineEvent(Model):
    """A webhook event already handled: LINE redelivers (deliveryContext.isRedelivery), we act once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    type: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LineUpload(Model):
    """A photo or file a linked person sent the Official Account in their one-to-one chat (tracker/line/uploads.py):
    recorded with its webhook event, fetched from LINE after that commits, then attached to the task they pick.

    One row per LINE message: the photos of one imageSet are rows of the same `image_set_id`, `set_index` of
    `set_total`. Rows never attached (left waiting or stored) are removed with their files after a week
    (uploads.remove_unattached, from the scheduler's daily job).
    """

    __table_args__ = (Index("ix_line_upload_user_id_image_set_id", "user_id", "image_set_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    message_id: Mapped[str] = mapped_column(String(40), unique=True)  # LINE's, the content's address
    image_set_id: Mapped[str | None] = mapped_column(String(64))
    set_index: Mapped[int | None]  # 1-based, as LINE numbers them
    set_total: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(10))  # image | file: LINE's message type
    name_hint: Mapped[str | None] = mapped_column(String(300))  # a file message's fileName
    status: Mapped[UploadStatus] = mapped_column(_enum(UploadStatus, "upload_status"), default=UploadStatus.WAITING)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was refused, as the person was told
    file_path: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))  # attached to
    # The message it quotes (LINE's quotedMessageId): a digest's message recorded in line_sent_message says its task.
    quoted_message_id: Mapped[str | None] = mapped_column(String(40))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    task: Mapped[Task | None] = relationship()


class LinkNonce(Model):
    """The one-time nonce of LINE's account-link flow: issued to a signed-in person, used once, short-lived."""

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


# --- which organization a row is: the one definition (tracker.access compares and scopes with it) ---------------


def owner_column(model: type) -> Any:
    """Return the column that says which organization a model's rows are: an organization's own id, else the
    `organization_id` every row of an agency carries; None for the deployment's rows (fiscal years, indicators, OIT
    items) and for those reached only through a person (sessions, link nonces)."""
    if model is Organization:
        return Organization.id
    return getattr(model, "organization_id", None)


def owner(row: Any) -> tuple[Organization | None, int | None]:
    """Return which organization a row is, as (the organization object if the row holds one, its id): an
    organization is its own, any other row says it in `owner_column`; a row being built may hold only the object (no
    id before the flush). (None, None): a row of no organization. Never loads the organization itself."""
    if isinstance(row, Organization):
        return row, row.id
    organization = getattr(row, "__dict__", {}).get("organization")  # only if loaded or given: never a lazy load
    organization_id = getattr(row, "organization_id", None)
    if organization_id is None and isinstance(organization, Organization):
        organization_id = organization.id
    return organization if isinstance(organization, Organization) else None, organization_id


# The parent each OrganizationOwned row takes its organization from, and the order they are given it in (parents
# first: a new measure's tasks read its organization).
_PARENT = {"Measure": ("plan", "plan_id"), "Task": ("measure", "measure_id"), "Evidence": ("task", "task_id"),
           "EvidenceFile": ("evidence", "evidence_id"), "Comment": ("task", "task_id"),
           "IndicatorScore": ("assessment", "assessment_id"), "LineSentMessage": ("notification", "notification_id")}
_FLUSH_ORDER = {"IndicatorScore": 0, "Measure": 0, "Task": 1, "Evidence": 2, "Comment": 2, "EvidenceFile": 3,
                "LineSentMessage": 0}


def _same(a: tuple[Any, int | None], b: tuple[Any, int | None]) -> bool:
    if a[0] is not None and b[0] is not None:
        return a[0] is b[0]
    return a[1] is not None and a[1] == b[1]


def _moved(row: Any, *names: str) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _keep_organizations(session: Session, flush_context: Any, instances: Any) -> None:
    """Give each new organization-owned row its parent's organization, and refuse a row that would belong to two
    organizations (a task moved to another agency's measure or division). Rows whose parent did not change are not
    looked at again, so a flush of status changes costs nothing here."""
    rows = [row for row in session.new if isinstance(row, OrganizationOwned)]
    for row in session.dirty:
        if isinstance(row, OrganizationOwned):
            relation, column = _PARENT[type(row).__name__]
            names = (relation, column, "division", "division_id") if isinstance(row, Task) else (relation, column)
            if _moved(row, *names):
                rows.append(row)
    for row in sorted(rows, key=lambda r: _FLUSH_ORDER[type(r).__name__]):
        parent = getattr(row, _PARENT[type(row).__name__][0])
        if parent is None:
            continue  # the NOT NULL foreign key refuses it, with the database's own message
        theirs, mine = owner(parent), owner(row)
        if mine != (None, None) and not _same(mine, theirs):
            raise ValueError(f"{type(row).__name__} {row.id} belongs to organization {row.organization_id}, "
                             f"its {type(parent).__name__.lower()} to organization {parent.organization_id}")
        if theirs[0] is not None:
            row.organization = theirs[0]
        else:
            row.organization_id = theirs[1]
        if isinstance(row, Task) and (row.division is not None or row.division_id is not None):
            division = row.division
            if division is not None and not _same(owner(division), theirs):
                raise ValueError(f"task {row.id}: division “{division.name}” belongs to another organization")


# Rows whose changes no cached page shows: the outbox, the webhook's log, sign-ins and sessions, the trail itself.
_UNSEEN = ("Notification", "LineEvent", "LineUpload", "LineSentMessage", "LoginAttempt", "UserSession", "LinkNonce",
           "AuditEvent")


@event.listens_for(Session, "before_flush")
def _count_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """Add one to the revision of every organization whose rows this flush adds, changes or deletes (after
    `_keep_organizations` has given new rows their organization). One UPDATE per flush, in its transaction."""
    changed: set[int] = set()
    everyone = False
    # session.dirty is built anew on each access: read once (a dirty row only touched, not changed, is left out).
    modified = [row for row in session.dirty if session.is_modified(row)]
    for row in (*session.new, *modified, *session.deleted):
        if type(row).__name__ in _UNSEEN:
            continue
        if isinstance(row, OitItem):
            everyone = True  # the assessment's numbering is every agency's: any page may show it
            continue
        organization_id = owner(row)[1]
        if organization_id is not None:
            changed.add(organization_id)
    if changed or everyone:
        statement = update(Organization)
        if not everyone:
            statement = statement.where(Organization.id.in_(sorted(changed)))
        session.execute(
            statement.values(revision=Organization.revision + 1).execution_options(synchronize_session=False)
        )
