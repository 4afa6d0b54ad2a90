"""indexes for the daily sweep: open tasks by due date, tasks with lead times of their own

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:30:00

The sweep reads only the tasks whose due date can give a reminder that day, for all agencies at once
(tracker/reminders/selection.py): open tasks due in a few date ranges, the earliest due date of an open task, and the
open tasks with lead times of their own due from that day on. Both indexes are partial, so each holds only the rows it
answers for (tasks done leave the first; few tasks have lead times of their own), on SQLite and PostgreSQL alike; the
queries name the same conditions, written the same way, which is what lets both databases use them.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_task_open_due_date", "status <> 'done'"),
    ("ix_task_own_reminders_due_date", "CAST(reminder_days AS TEXT) <> 'null'"),  # neither NULL nor JSON null
)


def upgrade():
    for name, where in INDEXES:
        op.create_index(name, "task", ["due_date"], unique=False, sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def downgrade():
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="task")
