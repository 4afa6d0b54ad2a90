"""the deployment's administrator: the one who sets the OIT items every agency publishes under

Revision ID: 0011_deployment_admin
Revises: 0010_next_fiscal_year
Create Date: 2026-12-05 10:00:00

The OIT items of a year are the deployment's, shared by every agency, so an agency's admin no longer changes them:
user.is_deployment_admin marks the people above the agencies' admins who do (off for everyone: the operator grants
it with `tracker users deployment-admin USERNAME`).

A change of the items is now an event of no organization, which every agency's audit trail shows; the changes
recorded so far belonged to the organization of whoever made them, so only that agency saw them. They move to no
organization too, so every agency sees who renumbered its items. A downgrade gives them back to their actor's.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_deployment_admin'
down_revision = '0010_next_fiscal_year'
branch_labels = None
depends_on = None

OIT_EVENTS = "action = 'oit_item.update'"


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_deployment_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.execute(f"UPDATE audit_event SET organization_id = NULL WHERE {OIT_EVENTS}")


def downgrade():
    op.execute('UPDATE audit_event SET organization_id = (SELECT "user".organization_id FROM "user" '
               f'WHERE "user".id = audit_event.actor_id) WHERE {OIT_EVENTS} AND organization_id IS NULL')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('is_deployment_admin')
