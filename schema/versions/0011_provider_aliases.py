"""provider aliases, searched with the registration number and website

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:35:00

Why: a Chinese provider is known to the team by its English name and the reverse (an
officer types `hangzhou` for 杭州标注科技有限公司), and a company is identified by its
registration number (unified social credit code) or its website. The providers filter
searched the legal name only. `aliases` holds the other names; `search_extra` is their
folded copy with the registration number and website, which the filter searches beside
`search_name` (issue 17). Columns are added, not altered: SQLite would rebuild the provider
table, which its foreign keys refuse while rows point at it.
"""
import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SEARCHED = ('aliases', 'registration_number', 'website')


def _search_extra(values: dict[str, object]) -> str:
    # Frozen copy of tracker.domain.text.provider_search_extra at the time of this migration.
    text = " | ".join(str(values[n]) for n in SEARCHED if values.get(n))
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())[:3000]


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=True))
        batch_op.add_column(sa.Column('search_extra',
                                      sqlmodel.sql.sqltypes.AutoString(length=3000),
                                      nullable=False, server_default=''))
    provider = sa.table('provider', sa.column('id', sa.Integer),
                        sa.column('search_extra', sa.String),
                        *(sa.column(n, sa.String) for n in SEARCHED))
    connection = op.get_bind()
    rows = connection.execute(sa.select(provider.c.id, *(provider.c[n] for n in SEARCHED))
                              .where(sa.or_(*(provider.c[n].is_not(None)
                                              for n in SEARCHED)))).all()
    for row in rows:
        connection.execute(provider.update().where(provider.c.id == row[0]).values(
            search_extra=_search_extra(dict(zip(SEARCHED, row[1:])))))


def downgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('search_extra')
        batch_op.drop_column('aliases')
