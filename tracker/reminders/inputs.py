"""What the reminder policy needs of one organization, read from the database into its plain dataclasses: every task
of it, for a forecast of many days (the daily sweep reads only the day's candidates: selection.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import selectinload

from ..access import reminder_audience, scoped
from ..clock import local_date
from ..extensions import db
from ..models import Organization, Task, TaskStatus, User
from ..organization import work_calendar
from ..plans.current import current_plan_id
from ..progress import CARRIED, DONE, record_of
from ..workdays import WorkCalendar
from .policy import DayPlan, Group, Person, Policy, TaskInfo, Week, plan_day


@dataclass
class Inputs:
    tasks: list[TaskInfo]
    people: list[Person]
    calendar: WorkCalendar
    policy: Policy
    groups: list[Group] = field(default_factory=list)
    line_ids: dict[int, str] = field(default_factory=dict)  # person id -> LINE user id
    group_ids: dict[int, str] = field(default_factory=dict)  # division id -> LINE group id
    summary_plan_id: int | None = None  # the plan the weekly summaries count: the current one
    # The weekly summaries' figures when `tasks` are not every task (the daily sweep's candidates, see
    # selection.py); None: counted from `tasks`.
    week: Week | None = None

    def plan(self, day: date, tasks: list[TaskInfo] | None = None, people: list[Person] | None = None) -> DayPlan:
        """Plan a day with these inputs, or with other tasks or people (a forecast, a dry run)."""
        return plan_day(day, self.tasks if tasks is None else tasks, self.people if people is None else people,
                        self.calendar, self.policy, self.groups, summary_plan_id=self.summary_plan_id, week=self.week)


def policy_of(reminder_days: list[int] | None, overdue_every: int, escalate_head_after: int,
              escalate_executive_after: int, idle_nudge_after: int) -> Policy:
    """The reminder policy of an organization's settings (its columns, in this order: selection.py reads them so)."""
    return Policy(tuple(reminder_days or ()), overdue_every, escalate_head_after, escalate_executive_after,
                  idle_nudge_after)


def task_info(task: Task) -> TaskInfo:
    """Describe a task as the policy sees it (its measure and division loaded)."""
    record = record_of(task)  # its status and day done, read as tracker.progress reads every task
    return TaskInfo(
        id=task.id,
        measure_order=task.measure.order,
        measure_title=task.measure.title,
        step_number=task.step_number,
        step_text=task.step_text,
        division_id=task.division_id,
        division_name=task.division.name,
        assignee_id=task.assignee_id,
        due=task.due_date,
        done=record.status == DONE,
        reminder_days=tuple(task.reminder_days) if task.reminder_days is not None else None,
        plan_id=task.measure.plan_id,
        done_on=record.done_on,
        carried=record.status == CARRIED,
        measure_id=task.measure_id,
        progress_override=task.measure.progress_override,
        progress_reason=task.measure.progress_reason,
        measure_weight=task.measure.weight,
        snoozed_until=task.snoozed_until,
        acknowledged_by=task.acknowledged_by.display_name if task.acknowledged_by else None,
        blocked_reason=task.blocked_reason,
        blocked_by=task.blocked_by.display_name if task.blocked_by else None,
        blocked_on=local_date(task.blocked_at) if task.blocked_at else None,
        doing=task.status is TaskStatus.DOING,
        last_activity_on=day_of(task.last_activity_at),
        escalated_head_on=day_of(task.escalated_head_at),
        escalated_executive_on=day_of(task.escalated_executive_at),
        nudged_on=day_of(task.nudged_at),
    )


def day_of(moment: datetime | None) -> date | None:
    """The local day of a moment (Asia/Bangkok: the day people lived it), or None."""
    return local_date(moment) if moment is not None else None


def load_inputs(organization: Organization, today: date) -> Inputs:
    """Read what the reminder policy needs of one organization, in a fixed number of queries."""
    rows = db.session.scalars(
        scoped(Task, organization.id).options(selectinload(Task.measure), selectinload(Task.division),
                                              selectinload(Task.acknowledged_by), selectinload(Task.blocked_by))
    ).all()
    users = db.session.scalars(scoped(User, organization.id)).all()
    people = [
        Person(u.id, u.display_name, u.role.value, u.division_id, u.active, u.line_user_id is not None,
               reminder_audience(u.role), paused_until=u.paused_until, by_line=u.reminders_by_line,
               quiet_days=frozenset(u.quiet_days or ()))
        for u in users
    ]
    policy = policy_of(organization.reminder_days, organization.overdue_every, organization.escalate_head_after,
                       organization.escalate_executive_after, organization.idle_nudge_after)
    grouped = [d for d in organization.divisions if d.line_group_id]
    return Inputs(
        [task_info(t) for t in rows], people, work_calendar(organization), policy,
        groups=[Group(d.id, d.name, d.line_group_members or 0) for d in grouped],
        line_ids={u.id: u.line_user_id for u in users if u.line_user_id},
        group_ids={d.id: d.line_group_id for d in grouped if d.line_group_id},  # (all are: the if is for mypy)
        summary_plan_id=current_plan_id(organization.id, today),
    )
