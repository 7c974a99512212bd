"""Run the Alembic migrations programmatically (from any working directory).

The database URL is handed to ``migrations/env.py`` through ``Config.attributes``
(never written to a config file or logged) and the application's logging
configuration is left alone (no ini file, so ``env.py`` skips ``fileConfig``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from crawler.db.session import make_engine



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
    config = Config()
    # Config values go through ConfigParser interpolation: escape '%'.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.attributes["sqlalchemy.url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema of ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the schema of ``url`` to ``revision`` (``"base"``: drop everything)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision shipped with this version of newsmon."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None: not initialised)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_up_to_date(url: str) -> bool:
    """True when the database at ``url`` is at the head revision."""
    return current_revision(url) == head_revision()
