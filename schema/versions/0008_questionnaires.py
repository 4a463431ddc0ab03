"""supplier questionnaires

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:50:00

Why: every due-diligence review starts by asking the supplier thirty questions and chasing
the answers (issue 15). A questionnaire records the workbook sent (to whom, when, by when,
the token and the fingerprint that tie a returned file to it) and what came back; each
answer, correction and promised evidence file is a questionnaire_response row, so the
supplier's own words stay beside the review they fed and the officer decides each
correction on its own.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=40)


def upgrade() -> None:
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('status', _enum('sent', 'answered', 'reviewed', 'overdue',
                              name='questionnairestatus'), nullable=False),
    sa.Column('language', _enum('en', 'zh', 'both', name='questionnairelanguage'),
              nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('sent_to', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('structure_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('answers_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_sent_on'), ['sent_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_due_on'), ['due_on'], unique=False)

    op.create_table('questionnaire_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('section', _enum('checklist', 'ai', 'supply', 'transfer', 'evidence',
                               name='responsesection'), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('target_entity', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('target_field', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('held_value', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('received', sa.Boolean(), nullable=True),
    sa.Column('decision', _enum('pending', 'accepted', 'rejected', name='correctiondecision'),
              nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('questionnaire_id', 'code')
    )
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_response_questionnaire_id'), ['questionnaire_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_response_questionnaire_id'))
    op.drop_table('questionnaire_response')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_due_on'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_sent_on'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_provider_id'))
    op.drop_table('questionnaire')
