"""The database layer: schema (models), connection (session), migrations (migrate)
and the only writer (store). See docs/SCHEMA.md and docs/CONTRACTS.md."""

from crawler.db.migrate import upgrade
from crawler.db.session import (
    DatabaseUnavailable,
    check_connection,
    make_engine,
    redact_url,
    resolve_database_url,
)
from crawler.db.store import Store

__all__ = [
    "DatabaseUnavailable",
    "Store",
    "check_connection",
    "make_engine",
    "redact_url",
    "resolve_database_url",
    "upgrade",
]
