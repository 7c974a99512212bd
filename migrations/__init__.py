"""Alembic migrations of the newsmon database (``crawler.db.migrate`` runs them)."""
