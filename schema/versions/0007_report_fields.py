"""report fields: supplies for GDPR Art 30(1) and the AI Act summary, program-hashed
evidence, and the AI models a summary covers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:00:00

Why: the record of processing needs the categories of data subjects, of personal data and
of recipients and the erasure time limit as such (GDPR Art 30(1)(c), (d), (f)), not an
assessment's retention date; the public summary of training content follows the
Commission's template (2025-07-24), whose sections 1.2-3.3 need the model's scope and, per
supply, the size band, content types, collection period, crawlers, top-domains file,
generating model and the TDM opt-out and illegal-content measures; and an evidence's
SHA-256 counts as verified only when the program computed it (``hashed_on``), never when
it was typed (issue 14).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString

SUPPLY_COLUMNS = [
    ('data_subject_categories', _TEXT(length=2000)),
    ('personal_data_categories', _TEXT(length=2000)),
    ('recipients', _TEXT(length=2000)),
    ('retention_period', _TEXT(length=1000)),
    ('model_names', _TEXT(length=2000)),
    ('size_band', sa.Enum('small', 'medium', 'large', name='sizeband', native_enum=False,
                          create_constraint=False, length=40)),
    ('content_types', _TEXT(length=2000)),
    ('dataset_link', _TEXT(length=2000)),
    ('collection_start', sa.Date()),
    ('collection_end', sa.Date()),
    ('crawler_names', _TEXT(length=1000)),
    ('crawler_purposes', _TEXT(length=2000)),
    ('crawler_behaviour', _TEXT(length=4000)),
    ('top_domains_file', _TEXT(length=2000)),
    ('generating_model', _TEXT(length=300)),
    ('generating_provider', _TEXT(length=300)),
    ('implicit_labels_kept', sa.Boolean()),
    ('tdm_optout_measures', _TEXT(length=4000)),
    ('illegal_content_removal', _TEXT(length=4000)),
]


def upgrade() -> None:
    with op.batch_alter_table('supply', schema=None) as batch_op:
        for name, kind in SUPPLY_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hashed_on', sa.Date(), nullable=True))
    op.create_table(
        'ai_model',
        sa.Column('name', _TEXT(length=300), nullable=False),
        sa.Column('model_version', _TEXT(length=200), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('modifies_model', _TEXT(length=300), nullable=True),
        sa.Column('modifies_model_summary', _TEXT(length=2000), nullable=True),
        sa.Column('placed_on_market_on', sa.Date(), nullable=True),
        sa.Column('training_continues', sa.Boolean(), nullable=True),
        sa.Column('code_of_practice_signatory', sa.Boolean(), nullable=True),
        sa.Column('optout_protocols', _TEXT(length=4000), nullable=True),
        sa.Column('illegal_content_measures', _TEXT(length=4000), nullable=True),
        sa.Column('other_sources', _TEXT(length=4000), nullable=True),
        sa.Column('other_processing', _TEXT(length=4000), nullable=True),
        sa.Column('notes', _TEXT(length=20000), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ai_model', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_model_provider_id'), ['provider_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ai_model', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_model_provider_id'))
    op.drop_table('ai_model')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('hashed_on')
    with op.batch_alter_table('supply', schema=None) as batch_op:
        for name, _ in reversed(SUPPLY_COLUMNS):
            batch_op.drop_column(name)
