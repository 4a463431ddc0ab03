"""Persistence: engine, migrations, the audit trail and the service functions."""
