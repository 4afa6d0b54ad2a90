"""Who may do what, and which rows are whose: the one place permissions and the tenant rule are decided.

Permissions: `RULES` maps each Action to one rule; views, templates (`can('assign', task)`) and the LINE bot ask
`can` or `require`, never a role. Tenancy: every row of an organization carries `organization_id` (tasks, measures,
evidence, comments and indicator scores too: see models.OrganizationOwned; models.owner is the one definition), so
"is it theirs" is one comparison (`belongs_to`, `same_organization`), every query of an agency's rows starts from
`scoped` (of several agencies at once: `scoped_to`), and every lookup by id goes through a getter here that answers
404 for another organization's rows: no view can forget the tenant.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort
from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.base import ExecutableOption as ORMOption
from werkzeug.exceptions import Forbidden

from .errors import DomainError
from .extensions import db
from .models import DayOff, Division, Evidence, Measure, Role, Source, Task, User, owner, owner_column
from .reminders.policy import Audience


class Action(str, enum.Enum):
    VIEW_MY_TASKS = "view_my_tasks"  # a personal task list: people who carry out tasks
    VIEW_TASK = "view_task"
    PROGRESS = "progress"  # todo -> doing -> done, with a note and evidence
    REOPEN = "reopen"
    ASSIGN = "assign"  # a task, or (on a division) several of its tasks at once
    RESCHEDULE = "reschedule"  # due date and the task's own reminder lead times
    COMMENT = "comment"
    VIEW_DIVISION = "view_division"
    VIEW_ORGANIZATION = "view_organization"  # dashboard, measures
    VIEW_AUDIT = "view_audit"
    IMPORT_PLAN = "import_plan"
    MANAGE_USERS = "manage_users"
    MANAGE_DIVISIONS = "manage_divisions"
    MANAGE_SETTINGS = "manage_settings"  # the organization's details, days off, reminder policy, LINE account
    MANAGE_LINE_GROUP = "manage_line_group"  # attach or detach a division's LINE group
    REPORT_MEASURE = "report_measure"  # a measure's percent, result and problems for the results report
    REVIEW_EVIDENCE = "review_evidence"  # accept evidence or send it back; make it public or not
    VIEW_OIT_ITEMS = "view_oit_items"  # read each assessment year's OIT item codes and names
    MANAGE_OIT_ITEMS = "manage_oit_items"  # change them: the deployment's, every agency's at once
    START_YEAR = "start_year"  # copy a plan into the next fiscal year, carry its unfinished tasks over
    GIVE_ROLE = "give_role"  # a role, to someone new or not (an Appointment): heads and staff belong to a division
    CHANGE_ROLE = "change_role"  # a person's role to another: never one's own
    DEACTIVATE_USER = "deactivate_user"  # switch a person's account off: never one's own
    SESSION = "session"  # sign in (and have it on the trail), sign out: one's own session
    LINK_LINE = "link_line"  # link or unlink a LINE account: one's own
    PERSON_REMINDERS = "person_reminders"  # pause a person's reminders, or take them by LINE or none


# --- the rules ---------------------------------------------------------------------------------------------------

Rule = Callable[[User, Any], bool]


def _task(obj: Any) -> Task | None:
    if isinstance(obj, Evidence):
        return obj.task
    return obj if isinstance(obj, Task) else None


def _division_id(obj: Any) -> int | None:
    if isinstance(obj, Division):
        return obj.id
    task = _task(obj)
    return task.division_id if task is not None else None


def _in_division(user: User, obj: Any) -> bool:
    """The object is a task (or evidence) of the user's division, or that division itself."""
    return user.division_id is not None and _division_id(obj) == user.division_id


def _roles(*roles: Role) -> Rule:
    def rule(user: User, obj: Any) -> bool:
        return user.role in roles

    rule.__doc__ = "role is " + " or ".join(r.value for r in roles)
    return rule


def _see_task(user: User, obj: Any) -> bool:
    """Executives and admins see every task; others their division's and the ones given to them."""
    task = _task(obj)
    if task is None:
        return False
    return user.role in (Role.ADMIN, Role.EXECUTIVE) or _in_division(user, task) or task.assignee_id == user.id


def _carry_out(user: User, obj: Any) -> bool:
    """A head reports progress on the division's tasks; staff on the division's and on those given to them."""
    task = _task(obj)
    if task is None:
        return False
    if user.role is Role.HEAD:
        return _in_division(user, task)
    if user.role is Role.STAFF:
        return _in_division(user, task) or task.assignee_id == user.id
    return False


def _head_of(user: User, obj: Any) -> bool:
    """The head of the task's (or the division's) division."""
    return user.role is Role.HEAD and _in_division(user, obj)


def _plan_work(user: User, obj: Any) -> bool:
    """Who gives a task (or a division's tasks) to someone and sets its dates: the division's head, or the
    administrator for any division (a head may be away, and the work must not wait)."""
    if not isinstance(obj, (Task, Evidence, Division)):
        return False
    return user.role is Role.ADMIN or _head_of(user, obj)


def _see_division(user: User, obj: Any) -> bool:
    """Executives and admins see every division's board; others their own."""
    if user.role in (Role.ADMIN, Role.EXECUTIVE):
        return True
    return isinstance(obj, Division) and _in_division(user, obj)


def _manage_line_group(user: User, obj: Any) -> bool:
    """A division's LINE group: the administrator, or the head of that division."""
    return isinstance(obj, Division) and (user.role is Role.ADMIN or _head_of(user, obj))


def _report_measure(user: User, obj: Any) -> bool:
    """A measure's report: the administrator, or the head of a division the measure names as responsible."""
    if not isinstance(obj, Measure):
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.HEAD and any(d.id == user.division_id for d in obj.divisions)


def _review_evidence(user: User, obj: Any) -> bool:
    """Evidence is checked and published by the head of its task's division, or the administrator; asked about no
    piece in particular, whether the person checks any (the queue of evidence waiting, `reviewable_evidence`)."""
    if obj is None:
        return user.role is Role.ADMIN or (user.role is Role.HEAD and user.division_id is not None)
    return isinstance(obj, Evidence) and (user.role is Role.ADMIN or _head_of(user, obj))


def _everyone(user: User, obj: Any) -> bool:
    return True


def _deployment_admin(user: User, obj: Any) -> bool:
    """The deployment's administrator, above every agency's admins (User.is_deployment_admin)."""
    return user.is_deployment_admin


def _read_oit_items(user: User, obj: Any) -> bool:
    """An agency's administrator reads the OIT items its public page and reports use; the deployment's changes them."""
    return user.role is Role.ADMIN or user.is_deployment_admin


def _manage_users(user: User, obj: Any) -> bool:
    """The administrator manages the agency's people, except the deployment's administrators among them: only a
    deployment administrator does (a password reset would otherwise hand an agency's admin the deployment)."""
    if user.role is not Role.ADMIN:
        return False
    return not (isinstance(obj, User) and obj.is_deployment_admin) or user.is_deployment_admin


@dataclass(frozen=True)
class Appointment:
    """A role given in an organization, in one of its divisions or none (Action.GIVE_ROLE): to `person`, or to
    someone new (None)."""

    organization_id: int
    role: Role
    division: Division | None
    person: User | None = None


ROLES_IN_A_DIVISION = (Role.HEAD, Role.STAFF)  # they carry out a division's tasks: a head or staff needs one


def _give_role(user: User, obj: Any) -> bool:
    """The administrator gives roles; a head or a staff member belongs to a division."""
    if not isinstance(obj, Appointment) or not _manage_users(user, obj.person):
        return False
    return obj.role not in ROLES_IN_A_DIVISION or obj.division is not None


def _someone_else(user: User, obj: Any) -> bool:
    """The administrator changes a person's role or switches their account off, never their own: an admin who
    demoted or switched off themself could not undo it, and the agency might be left without one."""
    return isinstance(obj, User) and _manage_users(user, obj) and obj.id != user.id


def _oneself(user: User, obj: Any) -> bool:
    """A person's own account: only they sign in and out as themself, and link or unlink their LINE."""
    return isinstance(obj, User) and obj.id == user.id


def _own_or_managed(user: User, obj: Any) -> bool:
    """A person's own reminders (a pause for leave or training, LINE or none), or the administrator's for a person of
    the organization they manage (someone away who cannot do it themself)."""
    return isinstance(obj, User) and (obj.id == user.id or _manage_users(user, obj))


RULES: dict[Action, Rule] = {
    Action.VIEW_MY_TASKS: _roles(Role.HEAD, Role.STAFF),
    Action.VIEW_TASK: _see_task,
    Action.COMMENT: _see_task,
    Action.PROGRESS: _carry_out,
    Action.REOPEN: _head_of,
    Action.ASSIGN: _plan_work,
    Action.RESCHEDULE: _plan_work,
    Action.VIEW_DIVISION: _see_division,
    Action.VIEW_ORGANIZATION: _everyone,
    Action.VIEW_AUDIT: _roles(Role.ADMIN, Role.EXECUTIVE),
    Action.IMPORT_PLAN: _roles(Role.ADMIN),
    Action.MANAGE_USERS: _manage_users,
    Action.MANAGE_DIVISIONS: _roles(Role.ADMIN),
    Action.MANAGE_SETTINGS: _roles(Role.ADMIN),
    Action.MANAGE_LINE_GROUP: _manage_line_group,
    Action.REPORT_MEASURE: _report_measure,
    Action.REVIEW_EVIDENCE: _review_evidence,
    # The numbering is the assessment's, shared by every agency of the deployment (a fiscal year is no agency's):
    # an agency's admin reads it; only the deployment's administrator, above them all, changes it.
    Action.VIEW_OIT_ITEMS: _read_oit_items,
    Action.MANAGE_OIT_ITEMS: _deployment_admin,
    # Whoever imports plans starts the next year's: it creates a plan as an import does.
    Action.START_YEAR: _roles(Role.ADMIN),
    Action.GIVE_ROLE: _give_role,
    Action.CHANGE_ROLE: _someone_else,
    Action.DEACTIVATE_USER: _someone_else,
    Action.SESSION: _oneself,
    Action.LINK_LINE: _oneself,
    Action.PERSON_REMINDERS: _own_or_managed,
}

# What is done with nobody signed in (the actor None), by the deployment itself, per source: the operator at the
# server's command line imports a plan, for a new organization too (they hold the database and its settings already:
# there is nobody to ask, and the trail says "the system, from the command line"); LINE, through the webhook it signs,
# attaches a division's group where a one-time code was typed (whoever made the code was asked, MANAGE_LINE_GROUP)
# and detaches the one the bot was removed from. Named per source and action, so that no new verb is open to nobody
# by accident, and nothing ever is from a page (Source.WEB).
SYSTEM: dict[Source, frozenset[Action]] = {
    Source.CLI: frozenset({Action.IMPORT_PLAN}),
    Source.LINE: frozenset({Action.MANAGE_LINE_GROUP}),
}


# Why a refusal, per Action: what the person tried and who may, said on the 403 page (Thai). "{division}" is the
# division the task (or division) belongs to, named only when it is the person's own organization's.
REASONS: dict[Action, str] = {
    Action.VIEW_MY_TASKS: "หน้างานของฉันมีเฉพาะหัวหน้ากองและเจ้าหน้าที่ ผู้บริหารและผู้ดูแลระบบติดตามงานจากหน้าภาพรวม",
    Action.VIEW_TASK: "ดูงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{division} ผู้ที่ได้รับมอบหมายงานนี้ ผู้บริหาร และผู้ดูแลระบบ",
    Action.COMMENT: "แสดงความเห็นในงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{division} ผู้ที่ได้รับมอบหมายงานนี้ ผู้บริหาร"
                    " และผู้ดูแลระบบ",
    Action.PROGRESS: "รายงานความคืบหน้าหรือปิดงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{division}"
                     " หรือผู้ที่ได้รับมอบหมายงานนี้",
    Action.REOPEN: "เปิดงานนี้ใหม่ได้เฉพาะหัวหน้าของ{division}",
    Action.ASSIGN: "มอบหมายงานของ{division}ได้เฉพาะหัวหน้าของ{division}และผู้ดูแลระบบ",
    Action.RESCHEDULE: "เปลี่ยนวันครบกำหนดหรือการแจ้งเตือนของงานนี้ได้เฉพาะหัวหน้าของ{division}และผู้ดูแลระบบ",
    Action.VIEW_DIVISION: "ดูงานของ{division}ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{division} ผู้บริหาร และผู้ดูแลระบบ",
    Action.VIEW_ORGANIZATION: "ดูภาพรวมและมาตรการได้เฉพาะผู้ใช้ของหน่วยงานที่ยังใช้งานได้",
    Action.VIEW_AUDIT: "ดูประวัติการแก้ไขได้เฉพาะผู้บริหารและผู้ดูแลระบบ",
    Action.IMPORT_PLAN: "นำเข้าแผนได้เฉพาะผู้ดูแลระบบ",
    Action.MANAGE_USERS: "จัดการผู้ใช้ได้เฉพาะผู้ดูแลระบบ และบัญชีของผู้ดูแลระบบของทั้งระบบ"
                         "ได้เฉพาะผู้ดูแลระบบของทั้งระบบ",
    Action.MANAGE_DIVISIONS: "จัดการกองได้เฉพาะผู้ดูแลระบบ",
    Action.MANAGE_SETTINGS: "ตั้งค่าหน่วยงาน วันหยุด การแจ้งเตือน และบัญชี LINE ได้เฉพาะผู้ดูแลระบบ",
    Action.MANAGE_LINE_GROUP: "เชื่อมหรือยกเลิกกลุ่ม LINE ของ{division}ได้เฉพาะหัวหน้าของ{division}และผู้ดูแลระบบ",
    Action.REPORT_MEASURE: "รายงานผลการดำเนินการของมาตรการได้เฉพาะหัวหน้ากองที่รับผิดชอบมาตรการนั้นและผู้ดูแลระบบ",
    Action.REVIEW_EVIDENCE: "ตรวจหรือเผยแพร่หลักฐานของ{division}ได้เฉพาะหัวหน้าของ{division}และผู้ดูแลระบบ",
    Action.VIEW_OIT_ITEMS: "ดูข้อ OIT ของแต่ละปีงบประมาณได้เฉพาะผู้ดูแลระบบ",
    Action.MANAGE_OIT_ITEMS: "ข้อ OIT ของแต่ละปีงบประมาณใช้กับทุกหน่วยงานในระบบ"
                             " จึงเปลี่ยนได้เฉพาะผู้ดูแลระบบของทั้งระบบ",
    Action.START_YEAR: "เริ่มปีงบประมาณใหม่ (คัดลอกแผน ยกงานที่ยังไม่เสร็จไปปีถัดไป) ได้เฉพาะผู้ดูแลระบบ",
    Action.GIVE_ROLE: "หัวหน้ากองและเจ้าหน้าที่ต้องสังกัดกอง — โปรดเลือกกอง",
    Action.CHANGE_ROLE: "เปลี่ยนบทบาทของตนเองจากผู้ดูแลระบบไม่ได้ — คุณจะเข้าหน้านี้ไม่ได้อีกและอาจไม่เหลือผู้ดูแลระบบ"
                        " ให้ผู้ดูแลระบบคนอื่นเป็นผู้เปลี่ยนแทน",
    Action.DEACTIVATE_USER: "ปิดการใช้งานบัญชีของตนเองไม่ได้ — คุณจะถูกออกจากระบบทันทีและอาจไม่เหลือผู้ดูแลระบบ"
                            " ให้ผู้ดูแลระบบคนอื่นเป็นผู้ปิดแทน",
    Action.SESSION: "เข้าหรือออกจากระบบได้เฉพาะเจ้าของบัญชีที่ยังใช้งานได้",
    Action.LINK_LINE: "เชื่อมหรือยกเลิกการเชื่อมบัญชี LINE ได้เฉพาะเจ้าของบัญชีที่ยังใช้งานได้",
    Action.PERSON_REMINDERS: "พักการแจ้งเตือน เลือกวันงดรับ หรือเลือกช่องทางรับการแจ้งเตือนของผู้ใช้ได้เฉพาะเจ้าตัว"
                             "และผู้ดูแลระบบของหน่วยงาน",
}
SOME_DIVISION = "กองที่รับผิดชอบ"  # when the division cannot be named
# Refusals a person corrects on the form they sent (choose a division; leave one's own role and account alone): said
# on that form as any other mistake there is (a DomainError, 400), not on the 403 page. The administrator is asked
# MANAGE_USERS first, so these only ever refuse what was chosen, never who chose it.
ON_THE_FORM = frozenset({Action.GIVE_ROLE, Action.CHANGE_ROLE, Action.DEACTIVATE_USER})


class Refused(Forbidden):
    """403: the person may not do this; `reason` says, in Thai, what they tried and who may (see REASONS)."""

    def __init__(self, reason: str):
        super().__init__(description=reason)
        self.reason = reason


def organization_id_of(obj: Any) -> int | None:
    """Return the id of the organization a row belongs to (models.owner), or None for a row of none."""
    return owner(obj)[1]


def belongs_to(obj: Any, organization_id: int | None) -> bool:
    """Tell whether a row (or an organization) is the organization's of this id: how any code asks "is it theirs"."""
    own = organization_id_of(obj)
    return own is not None and own == organization_id


def same_organization(a: Any, b: Any) -> bool:
    """Tell whether two rows (or organizations) are of one organization."""
    return belongs_to(a, organization_id_of(b))


def can(user: Any, action: Action, obj: Any = None, *, source: Source | None = None) -> bool:
    """Tell whether `user` may do `action` (to `obj`, where the action is about one); nobody (None) may, from a
    `source` SYSTEM allows it for."""
    if user is None and source is not None:
        return action in SYSTEM.get(source, ())
    if not isinstance(user, User) or not user.active:
        return False  # nobody signed in, or an account switched off
    if obj is not None and organization_id_of(obj) != user.organization_id:
        return False  # never another organization's data, whatever the role
    return RULES[action](user, obj)


def require(user: Any, action: Action, obj: Any = None, *, source: Source | None = None) -> None:
    """Stop the request with 403, saying why, unless `user` may do `action` (one of ON_THE_FORM: with a
    DomainError, 400, saying why on the form)."""
    if not can(user, action, obj, source=source):
        if action in ON_THE_FORM:
            raise DomainError(reason(user, action, obj))
        raise Refused(reason(user, action, obj))


def reason(user: Any, action: Action, obj: Any = None) -> str:
    """Say in Thai what `action` is and who may do it, naming the division only if it is `user`'s organization's."""
    division = obj if isinstance(obj, Division) else getattr(_task(obj), "division", None)
    name = SOME_DIVISION
    if isinstance(user, User) and division is not None and organization_id_of(division) == user.organization_id:
        name = division.name
    return REASONS[action].format(division=name)


# What a person hears of over LINE besides the tasks given to them (tracker/reminders/policy.py plans the day's
# messages from it): staff share their division's tasks given to nobody; a head hears of those when the division has
# no staff, and gets the division's weekly digest; an executive the whole plan's weekly summary; an administrator,
# who sets the reminders up, nothing of their own.
AUDIENCE: dict[Role, Audience] = {
    Role.STAFF: Audience(division_tasks=True),
    Role.HEAD: Audience(division_tasks_fallback=True, division_week=True),
    Role.EXECUTIVE: Audience(organization_week=True),
    Role.ADMIN: Audience(),
}


def reminder_audience(role: Role) -> Audience:
    """Say what a person of this role hears of over LINE besides their own tasks (a look-up: the sweep asks it once
    per person it reads)."""
    return AUDIENCE[role]


def follows_division(user: User) -> bool:
    """Tell whether a person follows their division's progress (heads, staff) or the whole organization's."""
    return user.role in (Role.HEAD, Role.STAFF)


# --- organization-scoped queries and getters ---------------------------------------------------------------------

Owned = TypeVar("Owned")


def scoped(model: type[Owned], organization_id: int) -> Select[Owned]:
    """Select the rows of a model that belong to one organization: the start of every organization's query."""
    return select(model).where(owner_column(model) == organization_id)


Query = TypeVar("Query", bound=Select)  # a select of any columns


def scoped_to(query: Query, model: type, organization_ids: Iterable[int] | None) -> Query:
    """Restrict a query to the rows of `model` of these organizations (of every one: None): the readers of many
    agencies at once (the daily sweep, the deliverer), whose statements each name the organizations they read."""
    if organization_ids is None:
        return query
    return query.where(owner_column(model).in_(sorted(set(organization_ids))))


def held_elsewhere(model: type, organization_id: int, *where: Any) -> bool:
    """Tell whether a row of `model` of another organization matches `where`: for a value unique across the
    deployment (a LINE account, a LINE group), which one organization's change refuses rather than take from
    another's. Reads, never changes, the other organization's row."""
    return bool(db.session.scalar(select(exists().where(owner_column(model) != organization_id, *where))))


def find(model: type[Owned], row_id: int, organization_id: int, *options: ORMOption) -> Owned | None:
    """Return a row of the organization by id, or None (another organization's row is not found); `options` load
    what the caller will read of it (selectinload...) in the same few queries."""
    # Owned is any model with an id and an organization_id, which a TypeVar cannot say (hence the ignores).
    statement = scoped(model, organization_id).where(model.id == row_id)  # type: ignore[attr-defined]
    return db.session.scalar(statement.options(*options))


def _get(model: type[Owned], row_id: int, user: User, *options: ORMOption) -> Owned:
    row = find(model, row_id, user.organization_id, *options)
    if row is None:
        abort(404)  # another organization's ids do not exist for them
    return row


def tasks_of(user: User) -> Select[Task]:
    """Select the tasks of the user's organization."""
    return scoped(Task, user.organization_id)


def my_tasks(user: User) -> Select[Task]:
    """Select the tasks a person works on: a head's whole division; a staff member's own and the division's
    unassigned ones; nothing for the others (they read the dashboard)."""
    query = tasks_of(user).options(
        selectinload(Task.measure).selectinload(Measure.plan), selectinload(Task.division), selectinload(Task.assignee)
    )
    if user.role is Role.HEAD:
        return query.where(Task.division_id == user.division_id)
    if user.role is Role.STAFF:
        return query.where(
            or_(Task.assignee_id == user.id, (Task.division_id == user.division_id) & Task.assignee_id.is_(None))
        )
    return query.where(false())


def reviewable_evidence(user: User) -> Select[Evidence]:
    """Select the evidence a person may accept or send back, joined to its task: Action.REVIEW_EVIDENCE as a query
    (the administrator: the organization's; a head: the division's; anyone else: none). Through the index on
    evidence (organization_id, review, created_at) once the caller names the review state."""
    query = scoped(Evidence, user.organization_id).join(Task, Task.id == Evidence.task_id)
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.HEAD and user.division_id is not None:
        return query.where(Task.division_id == user.division_id)
    return query.where(false())


def get_task(user: User, task_id: int, *options: ORMOption) -> Task:
    """Return a task of the user's organization, or 404."""
    return _get(Task, task_id, user, *options)


def get_measure(user: User, measure_id: int, *options: ORMOption) -> Measure:
    """Return a measure of the user's organization, or 404."""
    return _get(Measure, measure_id, user, *options)


def get_division(user: User, division_id: int) -> Division:
    """Return a division of the user's organization, or 404."""
    return _get(Division, division_id, user)


def get_user(user: User, user_id: int) -> User:
    """Return a person of the user's organization, or 404."""
    return _get(User, user_id, user)


def get_day_off(user: User, day_off_id: int) -> DayOff:
    """Return one of the user's organization's days off, or 404."""
    return _get(DayOff, day_off_id, user)


def get_evidence(user: User, evidence_id: int) -> Evidence:
    """Return evidence on a task of the user's organization, or 404."""
    return _get(Evidence, evidence_id, user)


# Every getter by id, for the test that proves each refuses another organization's id.
GETTERS = {Task: get_task, Measure: get_measure, Division: get_division, User: get_user, DayOff: get_day_off,
           Evidence: get_evidence}
