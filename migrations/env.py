"""Alembic environment for newsmon.

The database URL comes from, in order: ``config.attributes["sqlalchemy.url"]``
(set by ``crawler.db.migrate``), the ``sqlalchemy.url`` option (alembic.ini or
``Config.set_main_option``), then ``NEWSMON_DATABASE_URL`` / the default SQLite
file. A ready connection can also be passed as ``config.attributes["connection"]``.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from crawler.db.models import Base
from crawler.db.schema_extras import include_name
from crawler.db.session import make_engine, normalize_url, resolve_database_url

config = context.config
target_metadata = Base.metadata

# Only the alembic command line (with an ini file) configures logging; called
# programmatically there is no ini file and the application's logging is kept.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return (config.attributes.get("sqlalchemy.url")
            or config.get_main_option("sqlalchemy.url")
            or resolve_database_url(None))


def _options(dialect_name: str) -> dict:
    return {"target_metadata": target_metadata, "compare_type": True,
            # SQLite cannot ALTER most things: emit "move and copy" batches.
            "render_as_batch": dialect_name == "sqlite",
            # Autogenerate must not propose dropping the full-text search objects.
            "include_name": include_name}


def run_migrations_offline() -> None:
    url = normalize_url(_url())
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **_options(url.get_backend_name()))
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_pragma(connection: Connection, sql: str) -> list:
    # PRAGMA foreign_keys is a no-op inside a transaction: use the DBAPI
    # connection directly, outside SQLAlchemy's transaction handling.
    return connection.connection.driver_connection.execute(sql).fetchall()


def _run(connection: Connection) -> None:
    # Batch migrations on SQLite drop and recreate tables: with foreign keys on,
    # dropping "articles" would cascade-delete every child row. Turn them off
    # for the migration and check integrity afterwards.
    toggle_fks = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if toggle_fks:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, **_options(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
        if toggle_fks:
            if connection.in_transaction():
                connection.commit()
            problems = _sqlite_pragma(connection, "PRAGMA foreign_key_check")
            if problems:
                raise RuntimeError(f"foreign key violations after migration: {problems[:5]}")
    finally:
        if toggle_fks:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # No statement timeout: building an index on a big table may take a while.
    engine = make_engine(_url(), statement_timeout_ms=0)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
