"""provider aliases, searched with the registration number and website

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:35:00

Why: a Chinese provider is known to the team by its English name and the reverse (an
officer types `hangzhou` for 杭州标注科技有限公司), and a company is identified by its
registration number (unified social credit code) or its website. The providers filter
searched the legal name only. `aliases` holds the other names; the folded `search_name`
column now also holds the aliases, registration number and website, so it widens from 300
to 3000 characters and is recomputed for every provider (issue 17).
"""
import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SEARCHED = ('legal_name', 'aliases', 'registration_number', 'website')


def _search_name(values: dict[str, object]) -> str:
    # Frozen copy of tracker.domain.text.provider_search_name at the time of this migration.
    text = " | ".join(str(values[n]) for n in SEARCHED if values.get(n))
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())[:3000]


def _fill(*, with_aliases: bool) -> None:
    names = SEARCHED if with_aliases else ('legal_name',)
    provider = sa.table('provider', sa.column('id', sa.Integer),
                        sa.column('search_name', sa.String),
                        *(sa.column(n, sa.String) for n in names))
    connection = op.get_bind()
    rows = connection.execute(sa.select(provider.c.id, *(provider.c[n] for n in names))).all()
    for row in rows:
        values = dict(zip(names, row[1:]))
        connection.execute(provider.update().where(provider.c.id == row[0])
                           .values(search_name=_search_name(values)[:3000 if with_aliases
                                                                    else 300]))


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=True))
        batch_op.alter_column('search_name',
                              existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=3000),
                              existing_nullable=False)
    _fill(with_aliases=True)


def downgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('aliases')
    _fill(with_aliases=False)
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.alter_column('search_name',
                              existing_type=sqlmodel.sql.sqltypes.AutoString(length=3000),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=300),
                              existing_nullable=False)
