"""Draft measures, a measure's weight and the plan's other columns

Revision ID: 0022_measure_drafts_weights
Revises: 0021_oit_item_plan_year
Create Date: 2026-12-07 18:10:00

A plan row without a period or a responsible division is imported as a draft (`measure.draft_steps` holds its steps
until a person completes it; its period may be unknown, so `period_start`/`period_end` become nullable). A "น้ำหนัก"
column is kept as `measure.weight`, the plan's other columns (budget, output, KPI, monthly targets) as
`measure.details`. Existing rows are complete measures with neither.

Downgrade refuses while a draft exists (it has no dates to keep); otherwise it drops the columns.
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_measure_drafts_weights'
down_revision = '0021_oit_item_plan_year'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_steps', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.alter_column('period_start', existing_type=sa.Date(), nullable=True)
        batch_op.alter_column('period_end', existing_type=sa.Date(), nullable=True)


def downgrade():
    drafts = op.get_bind().execute(sa.text("SELECT count(*) FROM measure WHERE period_start IS NULL")).scalar()
    if drafts:
        raise RuntimeError(f"{drafts} draft measures have no period: complete or delete them before downgrading")
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.alter_column('period_end', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('period_start', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('details')
        batch_op.drop_column('weight')
        batch_op.drop_column('draft_steps')
