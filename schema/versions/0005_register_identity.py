"""register identity

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:05:00

Why: an export carries the identity of the register it came from, so importing it back
into the same register matches records by their ids (a provider renamed in the workbook
is the same provider), while a different, non-empty register refuses it instead of
duplicating every record.
"""
import uuid
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

setting = sa.table('setting', sa.column('key', sa.String), sa.column('value', sa.String),
                   sa.column('version', sa.Integer),
                   sa.column('updated_at', sa.DateTime(timezone=True)))


def upgrade() -> None:
    op.bulk_insert(setting, [{'key': 'register_id', 'value': f'"{uuid.uuid4()}"',
                              'version': 1, 'updated_at': datetime.now(timezone.utc)}])


def downgrade() -> None:
    op.execute(setting.delete().where(setting.c.key == 'register_id'))
