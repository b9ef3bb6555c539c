"""Persistence: SQLAlchemy tables, imperative mapping, repositories, unit of work and outbox."""
