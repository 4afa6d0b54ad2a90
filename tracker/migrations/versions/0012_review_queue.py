"""the review queue: the evidence of an agency waiting for a head, oldest first, found through an index

Revision ID: 0012_review_queue
Revises: 0011_deployment_admin
Create Date: 2026-12-06 10:00:00

The queue (/reviews) and its counts on My tasks, the division board and the head's weekly digest read an agency's
evidence in one review state, by the date it was added (tracker.evidence.waiting); the index on organization_id alone
read every piece the agency ever added to find the few still waiting.
"""
from alembic import op

revision = '0012_review_queue'
down_revision = '0011_deployment_admin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_evidence_organization_id_review_created_at', 'evidence',
                    ['organization_id', 'review', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_evidence_organization_id_review_created_at', table_name='evidence')
