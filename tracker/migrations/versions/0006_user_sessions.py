"""server-side sessions: signing out ends a session on the server, so a copied cookie stops working

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

The session cookie used to name the user and a digest of their password, which stayed valid after signing out. It
now names a `user_session` row by a random token (only the token's SHA-256 is stored); signing out, a password change
and deactivation delete rows, and rows expire (SESSION_IDLE_HOURS, SESSION_LIFETIME_HOURS). Cookies of the old form
name no row: everyone signs in once more after the upgrade. Downgrading drops the table, which signs everyone out too.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash')),
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
