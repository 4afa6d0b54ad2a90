"""A task's `ส่งรูปหลักฐาน` pressed in LINE: the person's next photos or files go to it without a question

Revision ID: 0020_line_upload_target
Revises: 0019_line_sent_messages
Create Date: 2026-12-07 17:10:00

`user.line_upload_task_id` holds the task whose bubble's `ส่งรูปหลักฐาน` the person pressed, `user.line_upload_until`
(UTC) until when the photos or files they send in their one-to-one chat go to it (tracker/line/uploads.py). No foreign
key, as for `line_reason_task_id`: user and task would refer to each other (a cycle the schema's drop and SQLite's
batch copies would have to break), and the id is only ever looked up among the person's organization's tasks, one
gone simply not found. Downgrade drops them.
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_line_upload_target'
down_revision = '0019_line_sent_messages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_upload_task_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('line_upload_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('line_upload_until')
        batch_op.drop_column('line_upload_task_id')
