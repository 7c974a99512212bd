"""Alembic revision scripts (this file only makes the folder ship as a package)."""
