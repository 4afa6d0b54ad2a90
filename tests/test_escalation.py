"""The escalation ladder, the idle nudge and paused reminders, as the pure policy plans them (no database).

An overdue task nobody touches climbs: after `escalate_head_after` working days (3) its division's head hears of it,
after `escalate_executive_after` (10) the executives, in their next weekly summary; each step once, and any activity
starts the clock again. A task in progress nobody touched for `idle_nudge_after` working days (10) gets one nudge. A
person who paused their reminders hears of nothing meanwhile: their head gets their tasks' reminders. Real dates of
2026 with real Thai holidays: Makha Bucha on Tuesday 3 March, Songkran on 13-15 April.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from tracker.access import reminder_audience
from tracker.models import Role
from tracker.reminders.policy import (
    DIGESTS,
    ESCALATIONS,
    NUDGES,
    REMINDERS,
    Covered,
    DayPlan,
    Digest,
    Group,
    Person,
    Policy,
    TaskInfo,
    Unreachable,
    escalation_step,
    is_weekly_digest_day,
    nudge_for,
    plan_day,
    reminder_for,
)
from tracker.workdays import WorkCalendar

CAL = WorkCalendar()
POLICY = Policy()  # head after 3 working days, executives after 10, a nudge after 10
DIVISIONS = {1: "สำนักปลัด", 2: "กองคลัง"}

# Due on Wednesday 4 March 2026. Tuesday 3 March is Makha Bucha; from the due date on, working days without activity:
# Fri 6 March 2, Mon 9 March 3 (a weekly digest day), Tue 17 March 9, Wed 18 March 10, Fri 20 March 12.
DUE = date(2026, 3, 4)
FRI_6, MON_9, TUE_10 = date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10)
WED_11, THU_12 = date(2026, 3, 11), date(2026, 3, 12)
MON_16, TUE_17, WED_18, FRI_20 = date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 20)
MON_23, TUE_24, MON_30 = date(2026, 3, 23), date(2026, 3, 24), date(2026, 3, 30)
# Last activity on Monday 2 March: Tuesday 17 March is its 10th working day without any (3 March is a holiday).
ACTIVE_ON = date(2026, 3, 2)
LATER_DUE = date(2026, 6, 30)  # no lead time of it falls in March


def task(id=1, due=DUE, *, division=1, assignee=None, done=False, **extra) -> TaskInfo:
    return TaskInfo(
        id=id,
        measure_order=1,
        measure_title="มาตรการที่ 1",
        step_number=id,
        step_text=f"ขั้นตอนที่ {id}",
        division_id=division,
        division_name=DIVISIONS[division],
        assignee_id=assignee,
        due=due,
        done=done,
        **extra,
    )


def person(id, name, role="staff", division=1, *, active=True, linked=True, **extra) -> Person:
    return Person(id=id, name=name, role=role, division_id=division, active=active, line_linked=linked,
                  audience=reminder_audience(Role(role)), **extra)


HEAD = person(1, "หัวหน้าสำนักปลัด", "head", 1)
STAFF = person(2, "สมชาย", "staff", 1)
MAYOR = person(3, "นายก", "executive", None)
FINANCE_HEAD = person(4, "ผอ.กองคลัง", "head", 2)
OTHER_STAFF = person(5, "สมศรี", "staff", 1)
PEOPLE = [HEAD, STAFF, MAYOR, FINANCE_HEAD]


def doing(id=2, *, assignee=STAFF.id, due=LATER_DUE, **extra) -> TaskInfo:
    """A task in progress (unless `doing=False`) whose last activity was on Monday 2 March."""
    return task(id, due, assignee=assignee, **{"doing": True, "last_activity_on": ACTIVE_ON, **extra})


def digests(plan: DayPlan) -> dict[int, Digest]:
    return {d.person.id: d for d in plan.digests}


def steps(plan: DayPlan) -> list[tuple[int, int, int]]:
    """The plan's escalations as (task id, step, working days idle)."""
    return [(e.task.id, e.step, e.idle_working_days) for e in plan.escalations]


def escalated_to(plan: DayPlan, person_id: int) -> list[tuple[int, int]]:
    digest = digests(plan).get(person_id)
    return [(e.task.id, e.step) for e in digest.escalated] if digest else []


def to_executives(plan: DayPlan) -> list[tuple[int, int]] | None:
    """What the mayor's weekly summary lists as climbed to the executives; None: no weekly summary that day."""
    digest = digests(plan).get(MAYOR.id)
    if digest is None or digest.organization is None:
        return None
    return [(e.task.id, e.step) for e in digest.organization.escalated]


# --- the steps ----------------------------------------------------------------------------------------------------


def test_the_dates_are_what_these_tests_say():
    assert not CAL.is_working_day(date(2026, 3, 3))  # Makha Bucha
    assert [CAL.is_working_day(date(2026, 4, d)) for d in (13, 14, 15)] == [False, False, False]  # Songkran
    assert [is_weekly_digest_day(d, CAL) for d in (MON_9, MON_16, WED_18, MON_23, MON_30)] == [
        True, True, False, True, True]


def test_two_working_days_without_activity_climb_nothing():
    assert escalation_step(task(), FRI_6, POLICY, CAL) is None
    plan = plan_day(FRI_6, [task(assignee=STAFF.id)], PEOPLE, CAL)
    assert plan.escalations == () and all(d.escalated == () for d in plan.digests)


def test_three_working_days_reach_step_one_which_only_the_head_hears():
    escalation = escalation_step(task(), MON_9, POLICY, CAL)
    assert (escalation.step, escalation.idle_working_days) == (1, 3)
    plan = plan_day(MON_9, [task(assignee=STAFF.id)], PEOPLE, CAL)  # a Monday: the weekly summaries go too
    assert steps(plan) == [(1, 1, 3)]
    assert escalated_to(plan, HEAD.id) == [(1, 1)]
    assert [r.kind for r in digests(plan)[STAFF.id].reminders] == ["overdue"]  # the staff: their reminder, as ever
    assert digests(plan)[STAFF.id].escalated == ()
    assert to_executives(plan) == []  # the mayor's weekly summary: nothing climbed that far
    assert escalated_to(plan, FINANCE_HEAD.id) == []  # another division's head: nothing of it


def test_ten_working_days_reach_step_two():
    assert escalation_step(task(), TUE_17, POLICY, CAL).step == 1  # 9
    escalation = escalation_step(task(), WED_18, POLICY, CAL)
    assert (escalation.step, escalation.idle_working_days) == (2, 10)


def test_holidays_are_not_counted_songkran():
    due = date(2026, 4, 9)  # Thursday before Songkran
    # Friday 10 April is 1; Thursday 16 April, seven days after the due date, only 2; Friday 17 April 3.
    assert escalation_step(task(due=due), date(2026, 4, 16), POLICY, CAL) is None
    escalation = escalation_step(task(due=due), date(2026, 4, 17), POLICY, CAL)
    assert (escalation.step, escalation.idle_working_days) == (1, 3)
    assert escalated_to(plan_day(date(2026, 4, 17), [task(due=due)], PEOPLE, CAL), HEAD.id) == [(1, 1)]


def test_activity_after_the_due_date_restarts_the_clock():
    touched = task(last_activity_on=MON_9)  # a note on the day it would have reached its head
    assert escalation_step(touched, MON_9, POLICY, CAL) is None
    assert escalation_step(touched, WED_11, POLICY, CAL) is None  # 2 working days since
    escalation = escalation_step(touched, THU_12, POLICY, CAL)
    assert (escalation.step, escalation.idle_working_days) == (1, 3)
    # Activity before the due date does not delay the clock, which starts at the due date at the earliest.
    assert escalation_step(task(last_activity_on=date(2026, 2, 2)), MON_9, POLICY, CAL).idle_working_days == 3


def test_a_step_set_to_0_is_off_and_both_turn_the_ladder_off():
    no_head = Policy(escalate_head_after=0)
    assert escalation_step(task(), MON_9, no_head, CAL) is None
    assert escalation_step(task(), TUE_17, no_head, CAL) is None
    assert escalation_step(task(), WED_18, no_head, CAL).step == 2
    # Its head is not told when it reaches the executives either (the organization turned that step off).
    reaching = plan_day(WED_18, [task(assignee=STAFF.id)], PEOPLE, CAL, no_head)
    assert escalated_to(reaching, HEAD.id) == [] and [e.head_told for e in reaching.escalations] == [False]
    no_executives = Policy(escalate_executive_after=0)
    assert escalation_step(task(), date(2026, 6, 30), no_executives, CAL).step == 1
    off = Policy(escalate_head_after=0, escalate_executive_after=0)
    assert escalation_step(task(), date(2026, 6, 30), off, CAL) is None
    assert plan_day(MON_23, [task(assignee=STAFF.id)], PEOPLE, CAL, off).escalations == ()


def test_done_or_carried_tasks_never_climb():
    for closed in (task(done=True, done_on=date(2026, 3, 20)), task(carried=True)):
        for day in (MON_9, WED_18, MON_23):
            assert escalation_step(closed, day, POLICY, CAL) is None
        plan = plan_day(MON_23, [closed], PEOPLE, CAL)
        assert plan.escalations == () and escalated_to(plan, HEAD.id) == [] and to_executives(plan) == []


# --- each step once -----------------------------------------------------------------------------------------------


def test_the_head_hears_on_the_day_the_step_is_reached_and_not_the_next():
    assert escalated_to(plan_day(MON_9, [task()], PEOPLE, CAL), HEAD.id) == [(1, 1)]
    recorded = task(escalated_head_on=MON_9)
    plan = plan_day(TUE_10, [recorded], PEOPLE, CAL)
    assert plan.escalations == () and escalated_to(plan, HEAD.id) == []
    assert escalated_to(plan_day(MON_16, [recorded], PEOPLE, CAL), HEAD.id) == []


def test_a_step_recorded_that_very_day_plans_the_same_day_again():
    # The sweep records the step; the deliverer plans the day again when it sends: the head still hears of it.
    before, after = plan_day(MON_9, [task()], PEOPLE, CAL), plan_day(MON_9, [task(escalated_head_on=MON_9)], PEOPLE,
                                                                      CAL)
    assert steps(after) == steps(before) == [(1, 1, 3)]
    assert escalated_to(after, HEAD.id) == escalated_to(before, HEAD.id) == [(1, 1)]
    assert [d.person.id for d in after.digests] == [d.person.id for d in before.digests]
    assert [d.kind for d in after.digests] == [d.kind for d in before.digests]


def test_a_task_first_seen_past_both_steps_reaches_its_head_once_and_the_executives_on_the_weekly_day():
    first = plan_day(FRI_20, [task()], PEOPLE, CAL)  # 12 working days: nothing recorded yet
    assert steps(first) == [(1, 2, 12)]
    assert escalated_to(first, HEAD.id) == [(1, 2)]  # the head hears of it (step 1 is passed on the way)
    assert to_executives(first) is None  # a Friday: no weekly summary
    recorded = task(escalated_head_on=FRI_20, escalated_executive_on=FRI_20)
    monday = plan_day(MON_23, [recorded], PEOPLE, CAL)
    assert escalated_to(monday, HEAD.id) == []  # once
    assert to_executives(monday) == [(1, 2)]
    assert monday.escalations == ()  # nothing new to record
    assert to_executives(plan_day(MON_30, [recorded], PEOPLE, CAL)) == []


def test_a_task_jumping_to_step_two_on_a_weekly_day_goes_to_its_head_and_the_executives_that_day():
    for recorded in (task(), task(escalated_head_on=MON_23, escalated_executive_on=MON_23)):
        plan = plan_day(MON_23, [recorded], PEOPLE, CAL)
        assert steps(plan) == [(1, 2, 13)]
        assert escalated_to(plan, HEAD.id) == [(1, 2)] and to_executives(plan) == [(1, 2)]
    assert to_executives(plan_day(MON_30, [recorded], PEOPLE, CAL)) == []


def test_step_two_reached_on_a_wednesday_is_in_the_next_mondays_summary_and_not_the_one_after():
    heard = task(escalated_head_on=MON_9)  # its head heard of it at step 1
    wednesday = plan_day(WED_18, [heard], PEOPLE, CAL)
    assert steps(wednesday) == [(1, 2, 10)]  # to record
    assert escalated_to(wednesday, HEAD.id) == []  # the head heard of it already
    assert to_executives(wednesday) is None  # not a weekly digest day
    reached = replace(heard, escalated_executive_on=WED_18)
    assert to_executives(plan_day(MON_23, [reached], PEOPLE, CAL)) == [(1, 2)]
    assert to_executives(plan_day(MON_30, [reached], PEOPLE, CAL)) == []
    # Not yet recorded (a sweep missed), the Monday after still lists it: it has not been told.
    assert to_executives(plan_day(MON_23, [heard], PEOPLE, CAL)) == [(1, 2)]


# --- the idle nudge -----------------------------------------------------------------------------------------------


def test_a_task_in_progress_untouched_for_ten_working_days_is_nudged_to_its_assignee():
    assert nudge_for(doing(), MON_16, POLICY, CAL) is None  # 9 working days
    nudge = nudge_for(doing(), TUE_17, POLICY, CAL)
    assert (nudge.kind, nudge.idle_working_days, nudge.days_left) == ("idle", 10, (LATER_DUE - TUE_17).days)
    plan = plan_day(TUE_17, [doing()], PEOPLE, CAL)
    assert [t.id for t in plan.nudged] == [2]
    assert list(digests(plan)) == [STAFF.id]  # the assignee only
    (reminder,) = digests(plan)[STAFF.id].reminders
    assert (reminder.kind, reminder.idle_working_days) == ("idle", 10)
    assert digests(plan)[STAFF.id].kind == NUDGES


def test_a_task_to_do_is_never_nudged():
    for offset in range(60):
        assert nudge_for(doing(doing=False), TUE_17 + timedelta(days=offset), POLICY, CAL) is None


def test_an_overdue_task_is_never_nudged():
    due_monday = doing(due=MON_16)  # overdue on the 17th: its overdue reminders and the ladder instead
    assert nudge_for(due_monday, TUE_17, POLICY, CAL) is None
    assert nudge_for(due_monday, MON_30, POLICY, CAL) is None
    assert plan_day(TUE_17, [due_monday], PEOPLE, CAL).nudged == ()


def test_a_task_nudged_is_not_nudged_again():
    nudged = doing(nudged_on=TUE_17)
    for offset in range(1, 60):
        assert nudge_for(nudged, TUE_17 + timedelta(days=offset), POLICY, CAL) is None


def test_a_nudge_recorded_that_very_day_plans_the_same_day_again():
    again = plan_day(TUE_17, [doing(nudged_on=TUE_17)], PEOPLE, CAL)
    assert [t.id for t in again.nudged] == [2]
    assert [(r.kind, r.idle_working_days) for r in digests(again)[STAFF.id].reminders] == [("idle", 10)]


def test_a_snoozed_task_is_not_nudged_before_the_day_it_was_put_off_to():
    snoozed = doing(snoozed_until=FRI_20)
    assert nudge_for(snoozed, TUE_17, POLICY, CAL) is None
    assert plan_day(TUE_17, [snoozed], PEOPLE, CAL).nudged == ()
    assert nudge_for(snoozed, FRI_20, POLICY, CAL).idle_working_days == 13


def test_a_lead_time_reminder_the_same_day_is_sent_instead_of_the_nudge():
    due_in_a_week = doing(due=TUE_24)  # 7 days before is Tuesday 17 March
    plan = plan_day(TUE_17, [due_in_a_week], PEOPLE, CAL)
    assert [(r.kind, r.days_left) for r in digests(plan)[STAFF.id].reminders] == [("before", 7)]
    assert plan.nudged == ()
    assert digests(plan)[STAFF.id].kind == REMINDERS


def test_the_nudge_is_off_at_0():
    assert nudge_for(doing(), TUE_17, Policy(idle_nudge_after=0), CAL) is None


def test_a_paused_assignee_is_not_nudged_and_nobody_is_in_their_place():
    paused = replace(STAFF, paused_until=FRI_20)
    plan = plan_day(TUE_17, [doing()], [HEAD, paused, MAYOR], CAL)
    assert plan.nudged == () and plan.digests == ()


# --- pauses -------------------------------------------------------------------------------------------------------


def test_a_paused_assignees_reminders_go_to_their_head_and_they_get_none():
    due = date(2026, 3, 31)  # reminded on Tue 24 March (7 days), Fri 27 (3 days: Saturday), Mon 30 (1 day)
    given = task(7, due, assignee=STAFF.id)
    away = replace(STAFF, paused_until=date(2026, 3, 27))  # to Friday 27 March included
    for day in (TUE_24, date(2026, 3, 27)):
        plan = plan_day(day, [given], [HEAD, away, MAYOR], CAL)
        assert STAFF.id not in digests(plan)
        head = digests(plan)[HEAD.id]
        assert head.reminders == ()
        assert head.covering == (Covered(reminder_for(given, day, POLICY, CAL), "สมชาย", date(2026, 3, 27)),)
        assert head.kind == REMINDERS
    back = plan_day(MON_30, [given], [HEAD, away, MAYOR], CAL)  # the day after the pause: theirs again
    assert [(r.task.id, r.kind) for r in digests(back)[STAFF.id].reminders] == [(7, "before")]
    assert digests(back)[HEAD.id].covering == ()  # (a Monday: the head's weekly summary only)


def test_a_paused_head_gets_no_weekly_summary_no_escalations_and_no_cannot_do():
    away = replace(HEAD, paused_until=MON_9)
    blocked = task(9, LATER_DUE, blocked_reason="รองบประมาณ", blocked_by="สมชาย", blocked_on=FRI_6)
    tasks_ = [task(assignee=STAFF.id), blocked]
    told = plan_day(MON_9, tasks_, PEOPLE, CAL)
    head = digests(told)[HEAD.id]
    assert head.division is not None and head.escalated and head.cannot_do  # what they would have got
    plan = plan_day(MON_9, tasks_, [away, STAFF, MAYOR, FINANCE_HEAD], CAL)
    assert HEAD.id not in digests(plan)
    assert steps(plan) == [(1, 1, 3)]  # the step is the task's, reached whether or not anyone is told
    assert digests(plan)[MAYOR.id].organization is not None  # the others' weekly summaries go as ever
    assert [r.kind for r in digests(plan)[STAFF.id].reminders] == ["overdue"]


def test_paused_staff_do_not_share_their_divisions_unassigned_tasks():
    due = date(2026, 3, 31)
    shared = task(7, due)  # given to nobody: the division's staff share it
    both = plan_day(TUE_24, [shared], [HEAD, STAFF, OTHER_STAFF], CAL)
    assert set(digests(both)) == {STAFF.id, OTHER_STAFF.id}
    one_away = plan_day(TUE_24, [shared], [HEAD, replace(STAFF, paused_until=TUE_24), OTHER_STAFF], CAL)
    assert set(digests(one_away)) == {OTHER_STAFF.id}
    assert digests(one_away)[OTHER_STAFF.id].covering == ()
    # Every one of them away: the division hears through its head, as a division without staff does.
    all_away = plan_day(TUE_24, [shared], [HEAD, replace(STAFF, paused_until=TUE_24),
                                           replace(OTHER_STAFF, paused_until=TUE_24)], CAL)
    assert set(digests(all_away)) == {HEAD.id}
    assert [r.task.id for r in digests(all_away)[HEAD.id].reminders] == [7]


# --- no LINE ------------------------------------------------------------------------------------------------------


def test_a_person_who_takes_no_reminders_by_line_is_unreachable_and_not_counted():
    web_only = replace(STAFF, by_line=False)
    given = task(7, date(2026, 3, 31), assignee=STAFF.id)
    plan = plan_day(TUE_24, [given, task(8, date(2026, 3, 31), assignee=OTHER_STAFF.id)],
                    [HEAD, web_only, OTHER_STAFF], CAL)
    assert plan.unreachable == (Unreachable(web_only, "no_line"),)
    assert [d.person.id for d in plan.digests] == [OTHER_STAFF.id]
    assert plan.message_count == 1 == sum(plan.messages_by_kind().values())


# --- counting the day's messages ----------------------------------------------------------------------------------


def test_messages_by_kind_add_up_to_the_message_count_on_a_busy_day():
    finance_staff = person(6, "สมหญิง", "staff", 2)
    people = [HEAD, STAFF, OTHER_STAFF, MAYOR, FINANCE_HEAD, finance_staff]
    idle_since = date(2026, 2, 20)  # Monday 9 March is its 10th working day without activity
    tasks_ = [
        task(1, assignee=STAFF.id),  # 3 working days late: the staff's overdue reminder, the head's step 1
        task(2, LATER_DUE, assignee=OTHER_STAFF.id, doing=True, last_activity_on=idle_since),  # a nudge alone
        task(3, division=2, assignee=finance_staff.id),  # overdue: into กองคลัง's group; step 1 to its head
    ]
    group = Group(2, DIVISIONS[2], members=4)
    plan = plan_day(MON_9, tasks_, people, CAL, groups=[group])  # a Monday: the weekly summaries too
    kinds = {d.person.id: d.kind for d in plan.digests}
    assert kinds == {STAFF.id: REMINDERS, HEAD.id: ESCALATIONS, FINANCE_HEAD.id: ESCALATIONS,
                     OTHER_STAFF.id: NUDGES, MAYOR.id: DIGESTS}
    (group_digest,) = plan.group_digests
    assert [r.task.id for r in group_digest.reminders] == [3] and group_digest.division is not None
    assert plan.messages_by_kind() == {REMINDERS: 1 + 4, ESCALATIONS: 2, NUDGES: 1, DIGESTS: 1}
    assert sum(plan.messages_by_kind().values()) == plan.message_count == 5 + 4
    # A group with its weekly digest alone counts its members as digests.
    quiet = plan_day(MON_9, [task(3, LATER_DUE, division=2)], people, CAL, groups=[group])
    assert quiet.messages_by_kind()[DIGESTS] == 4 + 1  # the group's members, the mayor
    assert sum(quiet.messages_by_kind().values()) == quiet.message_count


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 4, 14)], ids=["saturday", "songkran"])
def test_nothing_climbs_or_is_nudged_on_a_day_off(day):
    plan = plan_day(day, [task(due=date(2026, 2, 2)), doing(due=date(2026, 5, 29))], PEOPLE, CAL)
    assert plan == DayPlan(day, (), ())


# --- quiet days: weekdays a person takes no reminders -----------------------------------------------------------------

QUIET_FRIDAY = replace(STAFF, quiet_days=frozenset({4}))
THU_19 = date(2026, 3, 19)


def reminded(plan: DayPlan, person_id: int) -> list[tuple[int, str, str]]:
    """(task id, kind, the state's words) of a person's reminders in a plan."""
    from tracker.labels import state_text

    digest = digests(plan).get(person_id)
    return [(r.task.id, r.kind, state_text(r.state)) for r in digest.reminders] if digest else []


def test_a_lead_time_on_a_quiet_day_comes_the_working_day_before_and_nothing_on_the_quiet_day():
    # Due Monday 23 March: its 3-day lead time is Friday 20 March, the assignee's quiet day: Thursday 19 instead.
    mine = task(7, MON_23, assignee=STAFF.id)
    people = [HEAD, QUIET_FRIDAY, MAYOR]
    assert reminded(plan_day(THU_19, [mine], people, CAL), STAFF.id) == [(7, "before", "เหลือ 2 วันทำการ")]
    assert reminded(plan_day(FRI_20, [mine], people, CAL), STAFF.id) == []
    # Without quiet days: Friday, as before.
    assert reminded(plan_day(THU_19, [mine], PEOPLE, CAL), STAFF.id) == []
    assert reminded(plan_day(FRI_20, [mine], PEOPLE, CAL), STAFF.id) == [(7, "before", "เหลือ 1 วันทำการ")]


def test_a_due_date_on_a_quiet_day_is_reminded_the_day_before_in_the_organizations_words():
    mine = task(8, FRI_20, assignee=STAFF.id)
    (reminder,) = digests(plan_day(THU_19, [mine], [HEAD, QUIET_FRIDAY], CAL))[STAFF.id].reminders
    assert (reminder.kind, reminder.days_left) == ("due", 1)  # its own "on the day", moved back a working day
    assert reminder.state.days == 1  # "เหลือ 1 วันทำการ": Friday is a working day of the organization's


def test_a_division_task_reaches_a_quiet_colleague_the_day_before_and_the_others_on_the_day():
    shared = task(9, MON_23)  # unassigned: the division's staff share it
    people = [HEAD, QUIET_FRIDAY, OTHER_STAFF, MAYOR]
    thursday, friday = plan_day(THU_19, [shared], people, CAL), plan_day(FRI_20, [shared], people, CAL)
    assert [d.person.id for d in thursday.digests] == [STAFF.id]
    assert [d.person.id for d in friday.digests] == [OTHER_STAFF.id]


def test_overdue_reminders_skip_a_quiet_day_and_say_the_organizations_working_days():
    late = task(10, DUE, assignee=STAFF.id)  # overdue from Thursday 5 March
    policy = replace(POLICY, escalate_head_after=0, escalate_executive_after=0)
    sent = {day: reminded(plan_day(day, [late], [HEAD, QUIET_FRIDAY], CAL, policy), STAFF.id)
            for day in (date(2026, 3, d) for d in range(5, 28))}
    assert all(not r for day, r in sent.items() if day.weekday() == 4)  # never on a Friday
    overdue = {day: r[0][2] for day, r in sent.items() if r}
    # Every 3 of their working days (Mon-Thu, 3 March a holiday), in the organization's count of days late.
    assert overdue == {date(2026, 3, 10): "เกินกำหนด 4 วันทำการ", date(2026, 3, 16): "เกินกำหนด 8 วันทำการ",
                       date(2026, 3, 19): "เกินกำหนด 11 วันทำการ", date(2026, 3, 25): "เกินกำหนด 15 วันทำการ"}


def test_a_nudge_due_on_a_quiet_day_waits_for_the_next_day_of_theirs():
    idle = doing(11, last_activity_on=date(2026, 3, 6))  # Friday 6: its 10th working day is Friday 20 March
    people = [HEAD, QUIET_FRIDAY]
    friday = plan_day(FRI_20, [idle], people, CAL)
    assert reminded(friday, STAFF.id) == [] and friday.nudged == ()  # not sent, so not recorded
    monday = plan_day(MON_23, [idle], people, CAL)
    assert [(t, k) for t, k, _ in reminded(monday, STAFF.id)] == [(11, "idle")] and monday.nudged == (idle,)


def test_a_heads_quiet_day_holds_no_weekly_summary_back():
    quiet_head = replace(HEAD, quiet_days=frozenset({0}))
    plan = plan_day(MON_23, [task(12, DUE)], [quiet_head, STAFF, MAYOR], CAL, replace(POLICY, escalate_head_after=0,
                                                                                     escalate_executive_after=0))
    assert digests(plan)[HEAD.id].division is not None  # the head's weekly summary is not a reminder
