"""provider facts an imported register keeps

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 05:00:00

Why: officers' registers answer "holds personal information?" per provider, and keep the
company registration number, website, the services bought and the internal owner. Without
columns for them an import had to drop them, and no personal-information rule ever ran on
imported providers (issue 18).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holds_personal_info', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('registration_number',
                                      sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=True))
        batch_op.add_column(sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=True))
        batch_op.add_column(sa.Column('services',
                                      sqlmodel.sql.sqltypes.AutoString(length=4000),
                                      nullable=True))
        batch_op.add_column(sa.Column('internal_owner',
                                      sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        for name in ('internal_owner', 'services', 'website', 'registration_number',
                     'holds_personal_info'):
            batch_op.drop_column(name)
