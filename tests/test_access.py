"""Who may do what, as one table: every role against every action, on their own division's rows, another division's,
and another organization's; and every getter by id refusing another organization's rows."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.exceptions import NotFound

from tracker import access
from tracker.access import GETTERS, RULES, Action, Appointment, Refused, can, find, require
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import DayOff, Division, Evidence, Measure, Role, Source, Task, User
from tracker.reminders.policy import Audience

from .factories import make_user, other_organization

PEOPLE = ("admin", "mayor", "clerk-head", "finance-head", "clerk-staff", "finance-staff")
EVERYONE = set(PEOPLE)
NOBODY: set[str] = set()

# (action, what it is asked about) -> who may. "clerk task": a task of สำนักปลัด, unassigned; "given task": a task of
# กองคลัง assigned to the clerk's staff member; "clerk division": the division itself; "deployment admin": a person of
# the organization who is the deployment's administrator (none of PEOPLE is); None: no object.
EXPECTED: dict[tuple[Action, str | None], set[str]] = {
    (Action.VIEW_MY_TASKS, None): {"clerk-head", "finance-head", "clerk-staff", "finance-staff"},
    (Action.VIEW_TASK, "clerk task"): {"admin", "mayor", "clerk-head", "clerk-staff"},
    (Action.VIEW_TASK, "given task"): {"admin", "mayor", "finance-head", "finance-staff", "clerk-staff"},
    (Action.COMMENT, "clerk task"): {"admin", "mayor", "clerk-head", "clerk-staff"},
    (Action.COMMENT, "given task"): {"admin", "mayor", "finance-head", "finance-staff", "clerk-staff"},
    (Action.PROGRESS, "clerk task"): {"clerk-head", "clerk-staff"},
    (Action.PROGRESS, "given task"): {"finance-head", "finance-staff", "clerk-staff"},
    (Action.PROGRESS, "clerk evidence"): {"clerk-head", "clerk-staff"},
    (Action.REOPEN, "clerk task"): {"clerk-head"},
    (Action.REOPEN, "given task"): {"finance-head"},
    (Action.ASSIGN, "clerk task"): {"admin", "clerk-head"},  # the admin too: a head may be away
    (Action.ASSIGN, "given task"): {"admin", "finance-head"},
    (Action.ASSIGN, "clerk division"): {"admin", "clerk-head"},
    (Action.RESCHEDULE, "clerk task"): {"admin", "clerk-head"},
    (Action.RESCHEDULE, "organization"): NOBODY,  # only about a task
    (Action.VIEW_DIVISION, "clerk division"): {"admin", "mayor", "clerk-head", "clerk-staff"},
    (Action.VIEW_ORGANIZATION, None): EVERYONE,
    (Action.VIEW_ORGANIZATION, "clerk task"): EVERYONE,
    (Action.VIEW_AUDIT, None): {"admin", "mayor"},
    (Action.IMPORT_PLAN, None): {"admin"},
    (Action.MANAGE_USERS, None): {"admin"},
    (Action.MANAGE_USERS, "clerk-staff"): {"admin"},
    (Action.MANAGE_USERS, "deployment admin"): NOBODY,  # only another deployment admin: else a reset takes it over
    (Action.MANAGE_DIVISIONS, "clerk division"): {"admin"},
    (Action.MANAGE_SETTINGS, "organization"): {"admin"},
    (Action.MANAGE_LINE_GROUP, "clerk division"): {"admin", "clerk-head"},
    (Action.MANAGE_LINE_GROUP, "clerk task"): NOBODY,  # only about a division
    (Action.VIEW_DIVISION, "clerk task"): {"admin", "mayor"},  # heads and staff: only a division of theirs
    # A measure's report: the heads of the divisions it names (all five for "shared measure", the clerk only for
    # "clerk measure"), and the admin; the mayor reads it.
    (Action.REPORT_MEASURE, "shared measure"): {"admin", "clerk-head", "finance-head"},
    (Action.REPORT_MEASURE, "clerk measure"): {"admin", "clerk-head"},
    (Action.REPORT_MEASURE, "clerk task"): NOBODY,  # only about a measure
    (Action.REVIEW_EVIDENCE, "clerk evidence"): {"admin", "clerk-head"},
    (Action.REVIEW_EVIDENCE, "clerk task"): NOBODY,  # only about a piece of evidence
    (Action.REVIEW_EVIDENCE, None): {"admin", "clerk-head", "finance-head"},  # checks some: has a review queue
    (Action.VIEW_OIT_ITEMS, None): {"admin"},
    (Action.MANAGE_OIT_ITEMS, None): NOBODY,  # every agency's numbering: only the deployment's administrator
    (Action.GIVE_ROLE, "head in the clerk division"): {"admin"},
    (Action.GIVE_ROLE, "head in no division"): NOBODY,  # a head (or staff member) needs a division
    (Action.GIVE_ROLE, "executive in no division"): {"admin"},
    (Action.GIVE_ROLE, "clerk-staff"): NOBODY,  # only about an Appointment
    (Action.CHANGE_ROLE, "clerk-staff"): {"admin"},
    (Action.CHANGE_ROLE, "admin"): NOBODY,  # one's own: an admin who demoted themself could not undo it
    (Action.DEACTIVATE_USER, "clerk-staff"): {"admin"},
    (Action.DEACTIVATE_USER, "admin"): NOBODY,  # one's own
    (Action.SESSION, "clerk-staff"): {"clerk-staff"},
    (Action.SESSION, "clerk task"): NOBODY,
    (Action.LINK_LINE, "clerk-staff"): {"clerk-staff"},
    # One's own reminders (a pause, LINE or none); the administrator's for anyone they manage, a head's never.
    (Action.PERSON_REMINDERS, "clerk-staff"): {"admin", "clerk-staff"},
    (Action.PERSON_REMINDERS, "admin"): {"admin"},
    (Action.PERSON_REMINDERS, "deployment admin"): NOBODY,  # only themself (or another deployment admin)
    (Action.PERSON_REMINDERS, "clerk task"): NOBODY,  # only about a person
}
# What the deployment's administrator (an admin of the organization too) may beyond what its admin may.
DEPLOYMENT_ADMIN_ALSO = {(Action.MANAGE_OIT_ITEMS, None), (Action.MANAGE_USERS, "deployment admin"),
                         (Action.CHANGE_ROLE, "admin"), (Action.DEACTIVATE_USER, "admin"),  # another admin's
                         (Action.PERSON_REMINDERS, "deployment admin")}  # their own


@pytest.fixture
def objects(seeded):
    clerk_task = seeded.tasks_of(seeded.clerk)[0]
    given_task = seeded.tasks_of(seeded.finance)[0]
    given_task.assignee = seeded.users["clerk-staff"]
    evidence = Evidence(task=clerk_task, url="https://example.go.th/proof")
    db.session.add(evidence)
    operator = make_user(seeded.org, "operator", Role.ADMIN, is_deployment_admin=True)
    db.session.commit()
    return {
        None: None,
        "clerk task": clerk_task,
        "given task": given_task,
        "clerk evidence": evidence,
        "clerk division": seeded.clerk,
        "organization": seeded.org,
        "clerk-staff": seeded.users["clerk-staff"],
        "admin": seeded.users["admin"],
        "head in the clerk division": Appointment(seeded.org.id, Role.HEAD, seeded.clerk),
        "head in no division": Appointment(seeded.org.id, Role.HEAD, None),
        "executive in no division": Appointment(seeded.org.id, Role.EXECUTIVE, None),
        "shared measure": seeded.plan.measures[0],
        "clerk measure": seeded.plan.measures[1],
        "deployment admin": operator,
    }


def test_every_action_has_one_rule():
    assert set(RULES) == set(Action)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action, about", list(EXPECTED))
def test_role_by_action(seeded, objects, person, action, about):
    allowed = person in EXPECTED[(action, about)]
    assert can(seeded.users[person], action, objects[about]) is allowed


def test_the_deployment_admin_may_what_an_admin_may_and_change_the_oit_items(seeded, objects):
    operator = objects["deployment admin"]
    for (action, about), allowed in EXPECTED.items():
        expected = "admin" in allowed or (action, about) in DEPLOYMENT_ADMIN_ALSO
        assert can(operator, action, objects[about]) is expected, (action, about)
    operator.role = Role.EXECUTIVE  # the flag, not the role, sets the items; the role still rules the agency's work
    assert can(operator, Action.MANAGE_OIT_ITEMS) and can(operator, Action.VIEW_OIT_ITEMS)
    assert not can(operator, Action.MANAGE_USERS) and not can(operator, Action.IMPORT_PLAN)


@pytest.mark.parametrize("action", list(Action))
def test_nobody_may_touch_another_organizations_rows(seeded, objects, action):
    _, other_division, other_head, other_task = other_organization()
    for person in (*seeded.users.values(), objects["deployment admin"]):
        for obj in (other_task, other_division, other_head, other_task.measure):
            assert not can(person, action, obj), (person.username, action, obj)


@pytest.mark.parametrize("action", list(Action))
def test_an_account_switched_off_or_nobody_signed_in_may_do_nothing(seeded, objects, action):
    head = seeded.users["clerk-head"]
    head.active = False
    db.session.commit()
    for obj in objects.values():
        assert not can(head, action, obj)
        assert not can(None, action, obj)


def test_nobody_signed_in_may_only_what_the_system_does_from_its_source(seeded, objects):
    # The operator at the command line imports plans; LINE's webhook attaches and detaches a division's group.
    assert can(None, Action.IMPORT_PLAN, source=Source.CLI)
    assert can(None, Action.MANAGE_LINE_GROUP, seeded.clerk, source=Source.LINE)
    allowed = {(Source.CLI, Action.IMPORT_PLAN), (Source.LINE, Action.MANAGE_LINE_GROUP)}
    for source in Source:
        for action in Action:
            assert can(None, action, source=source) is ((source, action) in allowed), (source, action)
    require(None, Action.IMPORT_PLAN, source=Source.CLI)
    with pytest.raises(Refused):
        require(None, Action.IMPORT_PLAN, source=Source.WEB)  # never from a page
    with pytest.raises(Refused):
        require(None, Action.IMPORT_PLAN)


def test_a_choice_to_correct_is_refused_on_the_form_the_rest_with_403(seeded):
    admin, staff = seeded.users["admin"], seeded.users["clerk-staff"]
    with pytest.raises(DomainError) as refused:
        require(admin, Action.GIVE_ROLE, Appointment(seeded.org.id, Role.STAFF, None))
    assert refused.value.status == 400 and "ต้องสังกัดกอง" in refused.value.message
    with pytest.raises(DomainError) as refused:
        require(admin, Action.CHANGE_ROLE, admin)
    assert "ของตนเอง" in refused.value.message and "ผู้ดูแลระบบคนอื่น" in refused.value.message
    with pytest.raises(Refused):
        require(staff, Action.MANAGE_USERS, admin)


def test_the_reminder_audience_of_each_role():
    assert access.AUDIENCE == {
        Role.STAFF: Audience(division_tasks=True),  # shares the division's unassigned tasks
        Role.HEAD: Audience(division_tasks_fallback=True, division_week=True),  # those without staff; the week
        Role.EXECUTIVE: Audience(organization_week=True),
        Role.ADMIN: Audience(),
    }
    assert all(access.reminder_audience(role) is access.AUDIENCE[role] for role in Role)


def _other_rows():
    org, division, head, task = other_organization()
    day_off = DayOff(organization_id=org.id, day=date(2026, 5, 5), name="วันหยุดของหน่วยงานอื่น")
    evidence = Evidence(task=task, url="https://other.example/proof")
    db.session.add_all([evidence, day_off])
    db.session.commit()
    return {Task: task, Measure: task.measure, Division: division, User: head, DayOff: day_off, Evidence: evidence}


def _own_rows(seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    day_off = DayOff(organization_id=seeded.org.id, day=date(2026, 5, 6), name="วันหยุดของเรา")
    evidence = Evidence(task=task, url="https://example.go.th/proof")
    db.session.add_all([evidence, day_off])
    db.session.commit()
    return {Task: task, Measure: task.measure, Division: seeded.clerk, User: seeded.users["clerk-staff"],
            DayOff: day_off, Evidence: evidence}


@pytest.mark.parametrize("model", list(GETTERS), ids=lambda m: m.__name__)
def test_each_getter_refuses_another_organizations_id(seeded, model):
    theirs, ours = _other_rows(), _own_rows(seeded)
    admin = seeded.users["admin"]
    getter = GETTERS[model]
    assert getter(admin, ours[model].id) is ours[model]
    with pytest.raises(NotFound):
        getter(admin, theirs[model].id)
    assert find(model, theirs[model].id, admin.organization_id) is None
    assert find(model, theirs[model].id, theirs[model].organization_id) is theirs[model]


def test_every_organization_owned_model_has_a_getter():
    owned = {m for m in (Task, Measure, Division, User, DayOff, Evidence) if hasattr(m, "organization_id")}
    assert owned == set(GETTERS)


def test_my_tasks_are_the_heads_division_or_the_staff_members_own_and_unassigned(seeded):
    clerk_tasks = seeded.tasks_of(seeded.clerk)
    clerk_tasks[0].assignee = seeded.users["clerk-head"]  # someone else's in the division
    given = seeded.tasks_of(seeded.finance)[0]
    given.assignee = seeded.users["clerk-staff"]
    db.session.commit()
    mine = {u: set(db.session.scalars(access.my_tasks(seeded.users[u]))) for u in ("clerk-head", "clerk-staff",
                                                                                   "mayor", "admin")}
    assert mine["clerk-head"] == set(clerk_tasks)
    assert mine["clerk-staff"] == set(clerk_tasks[1:]) | {given}
    assert mine["mayor"] == mine["admin"] == set()
