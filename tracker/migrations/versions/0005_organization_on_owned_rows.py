"""organization_id on measures, tasks and evidence: one tenant rule, organization-scoped index scans

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 19:30:00

A measure, a task and an evidence item were tied to their organization only through measure -> plan, so every
organization-scoped query joined its way there (and the code did it seven different ways). They now carry the
organization's id, filled here from the plan and kept equal to it by the models (tracker.models._keep_organizations).
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Parents first: a task's organization is read from its measure, which is filled just before.
FILL = (
    ("measure", "UPDATE measure SET organization_id = "
                "(SELECT plan.organization_id FROM plan WHERE plan.id = measure.plan_id)"),
    ("task", "UPDATE task SET organization_id = "
             "(SELECT measure.organization_id FROM measure WHERE measure.id = task.measure_id)"),
    ("evidence", "UPDATE evidence SET organization_id = "
                 "(SELECT task.organization_id FROM task WHERE task.id = evidence.task_id)"),
)


def upgrade():
    # People are listed per organization on every page that offers a choice of them.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_organization_id'), ['organization_id'], unique=False)
    for table, fill in FILL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
        op.execute(fill)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_organization_id'), ['organization_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_organization_id_organization'), 'organization',
                                        ['organization_id'], ['id'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_organization_id'))
    for table, _ in reversed(FILL):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_organization_id_organization'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_organization_id'))
            batch_op.drop_column('organization_id')
