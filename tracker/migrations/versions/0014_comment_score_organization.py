"""organization_id on comments and indicator scores: every row of an agency says whose it is

Revision ID: 0014_comment_score_organization
Revises: 0013_organization_public_url
Create Date: 2026-12-08 10:00:00

A comment was tied to its organization only through its task, an indicator score only through its assessment, so
the code that asked whose a row is had to know both ways round (and did, in two places). They now carry the
organization's id like measures, tasks and evidence (0005), filled here from the parent and kept equal to it by the
models (tracker.models.OrganizationOwned, `_keep_organizations`).
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_comment_score_organization'
down_revision = '0013_organization_public_url'
branch_labels = None
depends_on = None

FILL = (
    ("comment", "UPDATE comment SET organization_id = "
                "(SELECT task.organization_id FROM task WHERE task.id = comment.task_id)"),
    ("indicator_score", "UPDATE indicator_score SET organization_id = "
                        "(SELECT assessment.organization_id FROM assessment "
                        "WHERE assessment.id = indicator_score.assessment_id)"),
)


def upgrade():
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
    for table, _ in reversed(FILL):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_organization_id_organization'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_organization_id'))
            batch_op.drop_column('organization_id')
