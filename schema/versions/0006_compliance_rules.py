"""compliance rules of issue 14: the fields the new rules read

Why: the rules an authority would sign off need facts the register did not hold: whether a
supplier is a US DOJ covered person (28 CFR 202), where a supply's data subjects are (which
regimes apply), the PIPIA triggers of PIPL Art 55 beyond sensitive PI, the NDSMR's
important-data status (Art 29/37), scraped-PI handling (Art 24) and provision records
(Art 12), the DOJ data category, US-person counts and dealing, the document a transfer's
mechanism rests on (its standard contract or SCCs), the scope an approved security
assessment allows (NDSMR Art 38), a free-trade zone's negative list (2024 Provisions Art 6),
and when a reportable event was reported. Every column is nullable or has a default, so
existing rows stay valid and mean "not recorded".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covered_person', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('supply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_subject_countries', _TEXT(length=400), nullable=True))
        for name in ('automated_decisions', 'public_disclosure', 'significant_impact'):
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
        batch_op.add_column(sa.Column('important_data_status', sa.String(length=40),
                                      nullable=False, server_default='not_assessed'))
        batch_op.add_column(sa.Column('scraped_pi_handling', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('provided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('provision_log_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('doj_data_category', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('us_persons', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doj_transaction', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('doj_transaction_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('doj_onward_clause', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('doj_security_requirements', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('doj_records_until', sa.Date(), nullable=True))
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_transfer_agreement_id_agreement', 'agreement',
                                    ['agreement_id'], ['id'], ondelete='RESTRICT')
        batch_op.add_column(sa.Column('approved_people', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_scope', _TEXT(length=4000), nullable=True))
        batch_op.add_column(sa.Column('within_approved_scope', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('free_trade_zone', _TEXT(length=200), nullable=True))
        batch_op.add_column(sa.Column('negative_list_edition', _TEXT(length=200), nullable=True))
        batch_op.add_column(sa.Column('on_negative_list', sa.Boolean(), nullable=True))
    with op.batch_alter_table('review_trigger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review_trigger', schema=None) as batch_op:
        batch_op.drop_column('reported_on')
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_constraint('fk_transfer_agreement_id_agreement', type_='foreignkey')
        for name in ('on_negative_list', 'negative_list_edition', 'free_trade_zone',
                     'within_approved_scope', 'approved_scope', 'approved_people',
                     'agreement_id'):
            batch_op.drop_column(name)
    with op.batch_alter_table('supply', schema=None) as batch_op:
        for name in ('doj_records_until', 'doj_security_requirements', 'doj_onward_clause',
                     'doj_transaction_on', 'doj_transaction', 'us_persons', 'doj_data_category',
                     'provision_log_until', 'provided_on', 'scraped_pi_handling',
                     'important_data_status', 'significant_impact', 'public_disclosure',
                     'automated_decisions', 'data_subject_countries'):
            batch_op.drop_column(name)
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('covered_person')
