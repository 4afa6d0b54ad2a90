"""Answers to a task: acknowledged, reminders put off, cannot be done (why), and when anything was last done on it

Revision ID: 0015_task_answers
Revises: 0014_comment_score_organization
Create Date: 2026-12-07 14:00:00

A reminder's buttons in LINE (and the task page) let the person doing a task say they are on it, put its reminders
off without moving its due date, or say they cannot do it and why, which the head answers. `last_activity_at` is the
clock overdue work escalates by. `user.line_reason_*` hold a `ทำไม่ได้` pressed in LINE until the person types why.
Existing tasks have no activity recorded: their clock starts at their due date.
"""
import sqlalchemy as sa
from alembic import op


revision = '0015_task_answers'
down_revision = '0014_comment_score_organization'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('snoozed_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('blocked_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('blocked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_task_acknowledged_by_id_user'), 'user',
                                    ['acknowledged_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_task_blocked_by_id_user'), 'user', ['blocked_by_id'], ['id'])
        batch_op.create_index('ix_task_blocked_at', ['blocked_at'], unique=False,
                              sqlite_where=sa.text('blocked_reason IS NOT NULL'),
                              postgresql_where=sa.text('blocked_reason IS NOT NULL'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_reason_task_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('line_reason_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('line_reason_until')
        batch_op.drop_column('line_reason_task_id')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_blocked_at')
        batch_op.drop_constraint(batch_op.f('fk_task_blocked_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_task_acknowledged_by_id_user'), type_='foreignkey')
        for column in ('last_activity_at', 'blocked_by_id', 'blocked_at', 'blocked_reason', 'snoozed_until',
                       'acknowledged_by_id', 'acknowledged_at'):
            batch_op.drop_column(column)
