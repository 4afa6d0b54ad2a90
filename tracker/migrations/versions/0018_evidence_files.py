"""A piece of evidence holds several files: every stored file of evidence is a row of evidence_file

Revision ID: 0018_evidence_files
Revises: 0017_line_uploads
Create Date: 2026-12-07 17:00:00

A set of photos sent in the LINE chat is one piece of evidence with its photos in LINE's order, not one piece per
photo. Every stored file of evidence lives in `evidence_file` (position 1, 2, ... within its piece), and evidence
keeps only its link and note: the task page, the review queue, the measure page, the public O25/O26 page and the
reports read a piece's files from one place, whether it has one or several, and the same file elsewhere (sha256) is
looked up in one index. (The other way, evidence keeping its first file with the further ones here, would have
every surface read two places and merge them.)

Upgrade moves each existing piece's file into evidence_file as its position 1, with its organization (a row of the
evidence's agency, like every owned row) and the piece's time, then drops evidence's file columns. Downgrade puts
each piece's first file back on evidence and drops the table: the further files of a piece (an image set) are no
longer listed then, though they stay on disk.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_evidence_files'
down_revision = '0017_line_uploads'
branch_labels = None
depends_on = None

FILE_COLUMNS = ('file_path', 'file_name', 'content_type', 'size', 'sha256', 'width', 'height')


def upgrade():
    op.create_table(
        'evidence_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('file_path', sa.String(length=300), nullable=False),
        sa.Column('file_name', sa.String(length=300), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_file_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_evidence_file_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
        sa.UniqueConstraint('evidence_id', 'position', name=op.f('uq_evidence_file_evidence_id_position')),
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_sha256'), ['sha256'], unique=False)
    op.execute(
        "INSERT INTO evidence_file (organization_id, evidence_id, position, file_path, file_name, content_type, size,"
        " sha256, width, height, created_at)"
        " SELECT organization_id, id, 1, file_path, COALESCE(file_name, 'file'),"
        " COALESCE(content_type, 'application/octet-stream'), COALESCE(size, 0), sha256, width, height, created_at"
        " FROM evidence WHERE file_path IS NOT NULL"
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_sha256'))
        for column in FILE_COLUMNS:
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_path', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('file_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('content_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_sha256'), ['sha256'], unique=False)
    # Each piece's first file, column by column (a correlated subquery reads the same on SQLite and PostgreSQL).
    first = ("(SELECT f.{column} FROM evidence_file f WHERE f.evidence_id = evidence.id AND f.position ="
             " (SELECT MIN(g.position) FROM evidence_file g WHERE g.evidence_id = evidence.id))")
    op.execute(
        "UPDATE evidence SET " + ", ".join(f"{column} = {first.format(column=column)}" for column in FILE_COLUMNS)
        + " WHERE EXISTS (SELECT 1 FROM evidence_file f WHERE f.evidence_id = evidence.id)"
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_organization_id'))
    op.drop_table('evidence_file')
