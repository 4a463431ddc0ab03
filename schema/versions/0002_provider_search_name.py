"""provider search name: a case-folded copy of legal_name

SQLite's LIKE folds ASCII only (MEASURED.md: MÜLLER found 0 of 4,299 Müller), so searching
non-ASCII names needs a column folded by Python. Existing rows are backfilled here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:21:54.878550
"""
import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _fold(name: str) -> str:
    # Frozen copy of tracker.domain.text.search_key at the time of this migration.
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sqlmodel.sql.sqltypes.AutoString(length=300),
                                      nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_provider_search_name'), ['search_name'], unique=False)
    connection = op.get_bind()
    provider = sa.table('provider', sa.column('id', sa.Integer),
                        sa.column('legal_name', sa.String), sa.column('search_name', sa.String))
    rows = connection.execute(sa.select(provider.c.id, provider.c.legal_name)).all()
    for row_id, name in rows:
        connection.execute(provider.update().where(provider.c.id == row_id)
                           .values(search_name=_fold(name)))


def downgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_search_name'))
        batch_op.drop_column('search_name')
