"""team mode: the audit trail written inside the database on PostgreSQL

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00

Why: on a server several people reach, the author of a change must be the database login
the server authenticated, not a name the client claims; a change typed in psql behind the
program's back must be audited too; two writers must not fork the chain; and no login but
the owner may edit or delete audit events. So on PostgreSQL the database chains every event
(a BEFORE INSERT trigger on audit_event), every business table has a deferred trigger that
audits a transaction that recorded nothing itself, and the audit tables refuse UPDATE,
DELETE and TRUNCATE from other logins (tracker/store/team.py holds the SQL; `tracker team
init` installs it again, so tables added by later migrations are covered). SQLite: nothing
changes (one writer on one machine, the program chains in Python).
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TRIGGER_FUNCTIONS = ('tracker_chain_event', 'tracker_chain_head', 'tracker_audit_immutable', 'tracker_audit_direct',
                     'tracker_json_value')


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != 'postgresql':
        return
    from tracker.store.team import install_audit

    install_audit(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != 'postgresql':
        return
    for function in TRIGGER_FUNCTIONS:
        op.execute(f'DROP FUNCTION IF EXISTS {function} CASCADE')
