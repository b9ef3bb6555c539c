"""Alembic migrations, shipped inside the package and run by `adapters.persistence.migrate`."""
