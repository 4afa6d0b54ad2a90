"""Overdue work that climbs the line, idle work nudged, and people who pause their reminders

Revision ID: 0016_escalation_and_pauses
Revises: 0015_task_answers
Create Date: 2026-12-08 09:00:00

An organization sets after how many working days an overdue task nobody touches is named to its division's head
(`escalate_head_after`, 3) and to the executives (`escalate_executive_after`, 10), after how many a task in progress
with no activity gets one nudge (`idle_nudge_after`, 10), and how long a person may pause their reminders
(`longest_pause_days`, 60) and how many weekdays a person may keep quiet (`most_quiet_days`, 2). A task records the
day it reached each step and the day it was nudged; any activity on it clears them (its clock starts again). A person
may pause their reminders to a day with a reason (leave, training), keep weekdays quiet (`quiet_days`, NULL: none),
or take them by none of LINE.

Tasks in progress before this revision have no activity recorded (0015 added the column): their idle clock starts at
this upgrade, rather than nudging every one of them on the first day.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0016_escalation_and_pauses'
down_revision = '0015_task_answers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalate_head_after', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('escalate_executive_after', sa.Integer(), server_default='10',
                                      nullable=False))
        batch_op.add_column(sa.Column('idle_nudge_after', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('longest_pause_days', sa.Integer(), server_default='60', nullable=False))
        batch_op.add_column(sa.Column('most_quiet_days', sa.Integer(), server_default='2', nullable=False))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_head_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalated_executive_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('nudged_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_task_climbing_due_date', ['due_date'], unique=False,
                              sqlite_where=sa.text("status IN ('todo', 'doing') AND escalated_executive_at IS NULL"),
                              postgresql_where=sa.text(
                                  "status IN ('todo', 'doing') AND escalated_executive_at IS NULL"))
        batch_op.create_index('ix_task_escalated_executive_at', ['escalated_executive_at'], unique=False,
                              sqlite_where=sa.text('escalated_executive_at IS NOT NULL'),
                              postgresql_where=sa.text('escalated_executive_at IS NOT NULL'))
        batch_op.create_index('ix_task_idle_last_activity_at', ['last_activity_at'], unique=False,
                              sqlite_where=sa.text("status = 'doing'"),
                              postgresql_where=sa.text("status = 'doing'"))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pause_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reminders_by_line', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('quiet_days', sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_index('ix_user_quiet_days_organization_id', ['organization_id'], unique=False,
                              sqlite_where=sa.text('quiet_days IS NOT NULL'),
                              postgresql_where=sa.text('quiet_days IS NOT NULL'))
    task = sa.table('task', sa.column('status', sa.String), sa.column('last_activity_at', sa.DateTime))
    op.execute(task.update().where(task.c.status == 'doing', task.c.last_activity_at.is_(None))
               .values(last_activity_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0)))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_quiet_days_organization_id')
        for column in ('quiet_days', 'reminders_by_line', 'pause_reason', 'paused_until'):
            batch_op.drop_column(column)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_idle_last_activity_at')
        batch_op.drop_index('ix_task_escalated_executive_at')
        batch_op.drop_index('ix_task_climbing_due_date')
        for column in ('nudged_at', 'escalated_executive_at', 'escalated_head_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('organization', schema=None) as batch_op:
        for column in ('most_quiet_days', 'longest_pause_days', 'idle_nudge_after', 'escalate_executive_after',
                       'escalate_head_after'):
            batch_op.drop_column(column)
