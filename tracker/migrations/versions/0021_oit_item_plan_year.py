"""OIT items keyed by assessment year and agency type, and which fiscal year's plan each shows

Revision ID: 0021_oit_item_plan_year
Revises: 0020_line_upload_target
Create Date: 2026-12-07 17:20:00

`oit_item.plan_year_offset`: the fiscal year of the plan an item shows, relative to its assessment year (0 the same,
-1 the year before). From 2569 the results item (O26) reports on the previous year's plan, so 2569 and later get
RESULTS -1, PLAN 0. For 2565-2568 the rows reproduce what the code did until now: the public page of year Y showed,
under the results item, the results of the plan of Y itself (tracker/views/public.py built one report of the page's
year for both sections), so every item of those years gets 0.

`oit_item.agency_type` and `organization.agency_type`: item codes differ by agency type (tracker.ita.AGENCY_TYPES);
every existing row is a local government's, "local" (organization.kind's Thai words are not read: every agency this
app has served is one). The unique key becomes (fiscal_year_id, agency_type, purpose).

Downgrade keeps the "local" items only (the old key allows one item per year and purpose) and drops the columns.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_oit_item_plan_year'
down_revision = '0020_line_upload_target'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('oit_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_type', sa.String(length=20), server_default='local', nullable=False))
        batch_op.add_column(sa.Column('plan_year_offset', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_oit_item_fiscal_year_id_purpose', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_oit_item_fiscal_year_id_agency_type_purpose'),
                                          ['fiscal_year_id', 'agency_type', 'purpose'])
    op.execute("UPDATE oit_item SET plan_year_offset = -1 WHERE purpose = 'results' AND fiscal_year_id IN "
               "(SELECT id FROM fiscal_year WHERE year_be >= 2569)")
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_type', sa.String(length=20), server_default='local', nullable=False))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('agency_type')
    op.execute("DELETE FROM oit_item WHERE agency_type <> 'local'")
    with op.batch_alter_table('oit_item', schema=None) as batch_op:
        batch_op.drop_constraint('uq_oit_item_fiscal_year_id_agency_type_purpose', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_oit_item_fiscal_year_id_purpose'),
                                          ['fiscal_year_id', 'purpose'])
        batch_op.drop_column('plan_year_offset')
        batch_op.drop_column('agency_type')
