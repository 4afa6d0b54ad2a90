"""Photos and files sent in the LINE chat: staged until attached, and evidence that knows its file's SHA-256

Revision ID: 0017_line_uploads
Revises: 0016_escalation_and_pauses
Create Date: 2026-12-07 16:30:00

`line_upload` holds each photo or file a linked person sends the Official Account in their one-to-one chat: recorded
with its webhook event (waiting), fetched from LINE after that commits (stored, or refused with the reason), then
attached to the task the person picks. Evidence gains the stored bytes' SHA-256 (indexed: the same file already
evidence of another task is flagged to the head) and a photo's width and height. Existing evidence has none.
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_line_uploads'
down_revision = '0016_escalation_and_pauses'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'line_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=40), nullable=False),
        sa.Column('image_set_id', sa.String(length=64), nullable=True),
        sa.Column('set_index', sa.Integer(), nullable=True),
        sa.Column('set_total', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name_hint', sa.String(length=300), nullable=True),
        sa.Column('status', sa.Enum('waiting', 'stored', 'refused', 'attached', name='upload_status',
                                    native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('file_path', sa.String(length=300), nullable=True),
        sa.Column('file_name', sa.String(length=300), nullable=True),
        sa.Column('content_type', sa.String(length=100), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('evidence_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attached_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_line_upload_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_line_upload_organization_id_organization')),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_line_upload_task_id_task')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_line_upload_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_line_upload')),
        sa.UniqueConstraint('message_id', name=op.f('uq_line_upload_message_id')),
    )
    with op.batch_alter_table('line_upload', schema=None) as batch_op:
        batch_op.create_index('ix_line_upload_user_id_image_set_id', ['user_id', 'image_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_line_upload_organization_id'), ['organization_id'], unique=False)
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_sha256'))
        for column in ('height', 'width', 'sha256'):
            batch_op.drop_column(column)
    with op.batch_alter_table('line_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_upload_organization_id'))
        batch_op.drop_index('ix_line_upload_user_id_image_set_id')
    op.drop_table('line_upload')
