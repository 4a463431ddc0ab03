"""Makes versions/ a package so the wheel ships the migrations; Alembic skips this file."""
