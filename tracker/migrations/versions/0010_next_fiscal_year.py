"""the next fiscal year: a task carried over to the next year's plan, and the status that closes the old one

Revision ID: 0010_next_fiscal_year
Revises: 0009_results_report
Create Date: 2026-12-04 18:00:00

A task of the next year's plan may go on with an unfinished task of last year's (tracker/plans/next_year.py):
task.carried_from_id names it, unique (a task is carried over once). The old task is closed with a new status,
"carried", which the CHECK constraint of task.status must allow. Open tasks are now "todo" and "doing" only, so the
sweep's partial index of open tasks by due date is rewritten with the condition the sweep's queries name
(tracker/reminders/selection.py OPEN): a carried task gives no reminder.

Both partial indexes of task are dropped before the table is rebuilt and made again after it: SQLite's batch mode
copies the table and recreates its indexes from what it reflects, which need not keep an index's WHERE.

A downgrade has no word for "carried": such tasks become "doing" again (unfinished, as they were), and their links
to the new year's tasks are dropped with the column.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_next_fiscal_year'
down_revision = '0009_results_report'
branch_labels = None
depends_on = None

OPEN_BEFORE = "status <> 'done'"
OPEN_AFTER = "status IN ('todo', 'doing')"
OWN_REMINDERS = "CAST(reminder_days AS TEXT) <> 'null'"  # as 0008 made it: neither NULL nor JSON null
STATUSES_BEFORE = "status IN ('todo', 'doing', 'done')"
STATUSES_AFTER = "status IN ('todo', 'doing', 'done', 'carried')"


def _drop_partial_indexes():
    op.drop_index('ix_task_own_reminders_due_date', table_name='task')
    op.drop_index('ix_task_open_due_date', table_name='task')


def _create_partial_indexes(open_condition: str):
    for name, where in (('ix_task_open_due_date', open_condition), ('ix_task_own_reminders_due_date', OWN_REMINDERS)):
        op.create_index(name, 'task', ['due_date'], unique=False, sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def upgrade():
    _drop_partial_indexes()
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_task_carried_from_id_task'), 'task', ['carried_from_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_task_carried_from_id'), ['carried_from_id'], unique=True)
        batch_op.drop_constraint(batch_op.f('ck_task_task_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_task_task_status'), sa.text(STATUSES_AFTER))
    _create_partial_indexes(OPEN_AFTER)


def downgrade():
    _drop_partial_indexes()
    op.execute("UPDATE task SET status = 'doing' WHERE status = 'carried'")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_task_task_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_task_task_status'), sa.text(STATUSES_BEFORE))
        batch_op.drop_index(batch_op.f('ix_task_carried_from_id'))
        batch_op.drop_constraint(batch_op.f('fk_task_carried_from_id_task'), type_='foreignkey')
        batch_op.drop_column('carried_from_id')
    _create_partial_indexes(OPEN_BEFORE)
