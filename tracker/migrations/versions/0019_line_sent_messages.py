"""Which LINE messages a digest push delivered, and the tasks each carries: a photo quoting one goes to its task

Revision ID: 0019_line_sent_messages
Revises: 0018_evidence_files
Create Date: 2026-12-07 17:00:00

`line_sent_message` has one row per message object of a digest pushed to a person (LINE's sentMessages id), with the
task ids it carries, written by the outbox when it records the push sent, removed after 30 days by the daily
cleanup. `notification.message_tasks` keeps, beside the rendered messages, the task ids of each (a retry sends the
same messages and records the same tasks); `line_upload.quoted_message_id` keeps the message a photo or file quoted
until its image set is settled. Downgrade drops them.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_line_sent_messages'
down_revision = '0018_evidence_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'line_sent_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=40), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('task_ids', sa.JSON(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'],
                                name=op.f('fk_line_sent_message_notification_id_notification')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_line_sent_message_organization_id_organization')),
        sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('fk_line_sent_message_recipient_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_line_sent_message')),
        sa.UniqueConstraint('message_id', name=op.f('uq_line_sent_message_message_id')),
    )
    with op.batch_alter_table('line_sent_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_sent_message_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_line_sent_message_sent_at'), ['sent_at'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_tasks', sa.JSON(), nullable=True))
    with op.batch_alter_table('line_upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quoted_message_id', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('line_upload', schema=None) as batch_op:
        batch_op.drop_column('quoted_message_id')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('message_tasks')
    with op.batch_alter_table('line_sent_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_sent_message_sent_at'))
        batch_op.drop_index(batch_op.f('ix_line_sent_message_organization_id'))
    op.drop_table('line_sent_message')
