"""Run the Alembic migrations programmatically (from any working directory).

A database at ``SCHEMA_HEAD`` needs nothing more: commands check that by reading the
``alembic_version`` table themselves, and import Alembic (a third of a second) only
when there is something to migrate.

The database URL is handed to ``migrations/env.py`` through ``Config.attributes``
(never written to a config file or logged) and the application's logging
configuration is left alone (no ini file, so ``env.py`` skips ``fileConfig``).
"""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import migrations
from crawler.db.session import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions/ (tests/test_migrations.py checks it
# against Alembic's own reading of the scripts, so a new migration must bump it).
SCHEMA_HEAD = "0014"


def _migrations_dir() -> Path:
    # Via __path__ rather than __file__: works for an editable install made
    # before migrations/__init__.py existed (a namespace package) too.
    for entry in migrations.__path__:
        if (Path(entry) / "env.py").is_file():
            return Path(entry).resolve()
    raise RuntimeError("the migrations package has no env.py")


MIGRATIONS_DIR = _migrations_dir()


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config for the installed ``migrations`` package and ``url``."""
    from alembic.config import Config

    config = Config()
    # Config values go through ConfigParser interpolation: escape '%'.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.attributes["sqlalchemy.url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema of ``url`` to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the schema of ``url`` to ``revision`` (``"base"``: drop everything)."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision shipped with this version of newsmon, as Alembic reads the
    scripts (``SCHEMA_HEAD`` says the same without loading them)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None: not initialised)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not engine.dialect.has_table(connection, "alembic_version"):
                return None
            try:
                rows = connection.execute(text("SELECT version_num FROM alembic_version"))
                versions = [row[0] for row in rows]
            except DBAPIError:  # the table went away under us: as if never made
                return None
    finally:
        engine.dispose()
    # More than one row: branches Alembic would have to merge; never the head.
    return versions[0] if len(versions) == 1 else None


def is_up_to_date(url: str) -> bool:
    """True when the database at ``url`` is at the head revision."""
    return current_revision(url) == SCHEMA_HEAD


def upgrade_if_needed(url: str) -> None:
    """Upgrade ``url`` to the head unless it is there already (no Alembic import then)."""
    if current_revision(url) != SCHEMA_HEAD:
        upgrade(url)
