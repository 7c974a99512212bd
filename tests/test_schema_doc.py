"""docs/SCHEMA.md cannot go stale: every SQL block in it runs (and returns rows) on
SQLite and PostgreSQL against a populated database, and every table, view and column
of the database is documented there.

A block whose first line is ``-- PostgreSQL`` or ``-- SQLite`` runs on that database
only; statements in a block are separated by ``;`` at the end of a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from crawler.db.migrate import upgrade
from crawler.db.schema_extras import is_fts_table
from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from tests._analyst_data import populate
from tests.conftest import _postgres_database

DOC = Path(__file__).resolve().parent.parent / "docs" / "SCHEMA.md"
DIALECTS = {"-- postgresql": "postgresql", "-- sqlite": "sqlite"}


def sql_blocks() -> list[tuple[str, str | None, list[str]]]:
    """(id, dialect or None for both, statements) for every ```sql block."""
    blocks = []
    for number, match in enumerate(re.finditer(r"```sql\n(.*?)```", DOC.read_text(),
                                               re.S), 1):
        body = match.group(1)
        first = body.strip().splitlines()[0].strip().lower()
        dialect = DIALECTS.get(first)
        statements = [s.strip() for s in re.split(r";\s*$", body, flags=re.M) if s.strip()]
        title = re.sub(r"\W+", "-", " ".join(statements[0].split()[:6]).lower())[:40]
        blocks.append((f"{number}-{dialect or 'both'}-{title}", dialect, statements))
    return blocks


BLOCKS = sql_blocks()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def populated(request, tmp_path_factory) -> Iterator[Engine]:
    """One populated database per backend for the whole module (read-only tests)."""
    def ready(url: str) -> Iterator[Engine]:
        upgrade(url)
        engine = make_engine(url)
        now = datetime.now(UTC).replace(microsecond=0)
        populate(Store(engine), now)
        populate_editions(engine, now)
        yield engine
        engine.dispose()

    if request.param == "sqlite":
        yield from ready(sqlite_url(tmp_path_factory.mktemp("doc") / "doc.sqlite3"))
    else:
        for url in _postgres_database():
            yield from ready(url)


def populate_editions(engine: Engine, now: datetime) -> None:
    """The same story in Arabic and Spanish beside the English data (migration 0012's
    columns and sibling evidence have rows to show)."""
    from crawler.items import ArticleItem, IndexPageItem, ListingItem

    from tests._analyst_data import BASE

    image = f"{BASE}/media/image/2025/9/30/9f02bd6e-ebf6-453f.jpg?width=1000"
    ar_url, es_url = "https://www.almayadeen.net/news/قمة", "https://espanol.almayadeen.net/n/2046797/c"
    for edition, url, title, alternates in (
            ("ar", ar_url, "قمة القاهرة", [es_url]),
            ("es", es_url, "Cumbre de El Cairo", [])):
        store = Store(engine, edition=edition)
        run = store.start_run(url.rsplit("/", 3)[0])
        item = ArticleItem(url=url, title=title, body=title, language=edition,
                           edition=edition, image_url=image, alternate_urls=alternates,
                           published_at=now)
        store.save_article(item, run, now, listings=[ListingItem(
            url, url.rsplit("/", 3)[0] + "/", "home", "Home", 1, 1, now)])
        store.record_breaking([f"{title} ({edition})"], now)
        store.record_index_page(IndexPageItem(url.rsplit("/", 3)[0] + "/", "home", "Home", 1,
                                              now, [url]))
        store.finish_run(run, "ok", pages_fetched=1, articles_new=1, articles_updated=0,
                         articles_unchanged=0, errors=0)


def test_the_document_has_enough_queries():
    assert len(BLOCKS) >= 10
    both = sum(1 for _, dialect, _ in BLOCKS if dialect is None)
    assert both >= 10, "write queries that run on both databases where possible"
    for _, _, statements in BLOCKS:
        for statement in statements:
            assert not re.search(r"(?<![:\w]):\w", statement), "no bind parameters"


@pytest.mark.parametrize("block", [pytest.param(b, id=b[0]) for b in BLOCKS])
def test_documented_query_runs(populated: Engine, block):
    _id, dialect, statements = block
    if dialect is not None and dialect != populated.dialect.name:
        pytest.skip(f"written for {dialect}")
    with populated.connect() as conn:
        for statement in statements:
            rows = conn.execute(text(statement)).all()
            assert rows, f"no rows from:\n{statement}"


# --- every table, view and column is documented ----------------------------------------

def documented_columns() -> set[tuple[str, str]]:
    """(table or view, column) pairs named in the document's column tables: the rows
    under a ``### `name` ...`` heading (a first column "table" names the table)."""
    found: set[tuple[str, str]] = set()
    tables: list[str] = []
    named_table = False
    for line in DOC.read_text().splitlines():
        if line.startswith("#"):
            tables = re.findall(r"`(\w+)`", line) if line.startswith("### ") else []
            continue
        if not (tables and line.startswith("|")):
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if cells[0] in ("column", "table") or set(cells[0]) <= set("-: "):
            named_table = cells[0] == "table" if cells[0] in ("column", "table") \
                else named_table
            continue
        table, names = (cells[0], cells[1]) if named_table else (tables[0], cells[0])
        found |= {(table, name.strip().strip("`")) for name in names.split(",")}
    return found


def test_every_table_view_and_column_is_documented(populated: Engine):
    inspector = inspect(populated)
    names = [t for t in inspector.get_table_names()
             if t != "alembic_version" and not is_fts_table(t)] + inspector.get_view_names()
    actual = {(name, column["name"]) for name in names
              for column in inspector.get_columns(name)}
    missing = sorted(actual - documented_columns())
    assert not missing, f"document these in docs/SCHEMA.md: {missing}"
