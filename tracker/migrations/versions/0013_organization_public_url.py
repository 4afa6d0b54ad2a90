"""the address an organization's pages are served at, as the demo records it

Revision ID: 0013_organization_public_url
Revises: 0012_review_queue
Create Date: 2026-12-07 10:00:00

`tracker demo --port N` serves the app at http://HOST:N; `tracker reminders` and `tracker deliver`, run beside it as
processes of their own, did not know that and linked to PUBLIC_URL's default port. organization.public_url records
the address the demo serves; links use PUBLIC_URL when it is set, else this address, else PUBLIC_URL's default
(tracker.organization.public_url). Empty for every organization until the demo records one.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_organization_public_url'
down_revision = '0012_review_queue'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_url', sa.String(length=1000), nullable=True))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('public_url')
