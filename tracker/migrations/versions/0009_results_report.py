"""results report data: a measure's percent, result and problems; evidence reviewed and published; OIT items per year

Revision ID: 0009_results_report
Revises: 0008
Create Date: 2026-12-04 17:30:00

The results report (OIT O26 in 2569, O43 in 2565-2567) says per measure its percent of progress, the result and the
problems met, with public evidence. Measures get those fields. Evidence gets a head's review and a public flag, off
for every existing row: nothing uploaded so far was checked for personal data. The OIT items an agency publishes
under become rows per fiscal year and purpose (plan, results), taking over fiscal_year.plan_oit_item.

The numbering below is this migration's own copy, as it stood when it was written: a migration must do the same
thing whenever it runs, whatever tracker/ita.py says by then.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_results_report'
down_revision = '0008'
branch_labels = None
depends_on = None

PLAN_NAME = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
RESULTS_NAME = "การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
# year BE -> (plan item, results item)
KNOWN = {2565: ("O42", "O43"), 2566: ("O42", "O43"), 2567: ("O42", "O43"), 2569: ("O25", "O26")}

REVIEW = sa.Enum('pending', 'accepted', 'needs_work', name='evidence_review', native_enum=False,
                 create_constraint=True, length=20)
PURPOSE = sa.Enum('plan', 'results', name='oit_purpose', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_override', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('progress_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('result', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('problems', sa.Text(), nullable=True))

    # Existing evidence: pending and not public (the server defaults), so a head looks at it before anyone outside.
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', REVIEW, nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('review_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_evidence_reviewed_by_id_user'), 'user', ['reviewed_by_id'], ['id'])
        batch_op.create_index('ix_evidence_created_by_id_review', ['created_by_id', 'review'], unique=False)

    oit_item = op.create_table('oit_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year_id', sa.Integer(), nullable=False),
    sa.Column('purpose', PURPOSE, nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['fiscal_year_id'], ['fiscal_year.id'], name=op.f('fk_oit_item_fiscal_year_id_fiscal_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oit_item')),
    sa.UniqueConstraint('fiscal_year_id', 'purpose', name=op.f('uq_oit_item_fiscal_year_id_purpose'))
    )
    connection = op.get_bind()
    rows = []
    for fiscal_year_id, year_be, plan_item in connection.execute(
        sa.text("SELECT id, year_be, plan_oit_item FROM fiscal_year ORDER BY year_be")
    ):
        known_plan, known_results = KNOWN.get(year_be, (None, None))
        if plan_item or known_plan:  # the year's own value first: an operator may have corrected it
            rows.append({"fiscal_year_id": fiscal_year_id, "purpose": "plan", "code": plan_item or known_plan,
                         "name": PLAN_NAME})
        if known_results:
            rows.append({"fiscal_year_id": fiscal_year_id, "purpose": "results", "code": known_results,
                         "name": RESULTS_NAME})
    if rows:
        op.bulk_insert(oit_item, rows)
    with op.batch_alter_table('fiscal_year', schema=None) as batch_op:
        batch_op.drop_column('plan_oit_item')


def downgrade():
    with op.batch_alter_table('fiscal_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_oit_item', sa.String(length=10), nullable=True))
    op.execute("UPDATE fiscal_year SET plan_oit_item = (SELECT oit_item.code FROM oit_item "
               "WHERE oit_item.fiscal_year_id = fiscal_year.id AND oit_item.purpose = 'plan')")
    op.drop_table('oit_item')

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_created_by_id_review')
        batch_op.drop_constraint(batch_op.f('fk_evidence_reviewed_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_evidence_evidence_review'), type_='check')
        batch_op.drop_column('public')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('review_reason')
        batch_op.drop_column('review')

    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_column('problems')
        batch_op.drop_column('result')
        batch_op.drop_column('progress_reason')
        batch_op.drop_column('progress_override')
