"""Schema revisions, oldest first. Alembic reads these files; nothing imports them."""
