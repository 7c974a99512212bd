"""`newsmon export`: filters, Parquet, streaming, on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import itertools
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import insert

from crawler import cli
from crawler.db.store import Store
from crawler.db.export import parquet_schema, write_parquet
from crawler.db.models import Article
from crawler.items import ARTICLE_EXPORT_KEYS
from tests._analyst_data import (CORRIDOR_URL, INFOGRAPH_URL, OIL_URL, OPINION_URL,
                                 SUMMIT_URL, populate)

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def populated(store: Store) -> Store:
    populate(store, NOW)
    return store


def db_arg(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def export_jsonl(store: Store, capsys, *args: str) -> list[dict]:
    assert cli.main(["export", "--db", db_arg(store), "--format", "jsonl", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_filters(populated: Store, capsys):
    def exported(*args: str) -> list[str]:
        return [r["url"] for r in export_jsonl(populated, capsys, *args)]

    everything = exported()
    assert everything == [SUMMIT_URL, OPINION_URL, OIL_URL, CORRIDOR_URL, INFOGRAPH_URL]
    day = lambda n: (NOW - timedelta(days=n)).isoformat()  # noqa: E731
    assert exported("--since", day(2)) == [OIL_URL, CORRIDOR_URL, INFOGRAPH_URL]
    assert exported("--until", day(2)) == [SUMMIT_URL, OPINION_URL]
    assert exported("--since", day(3), "--until", day(1)) == [OPINION_URL, OIL_URL]
    assert exported("--section", "politics") == [SUMMIT_URL, CORRIDOR_URL]
    assert exported("--region", "MENA") == [SUMMIT_URL, OPINION_URL, CORRIDOR_URL]
    assert exported("--region", "Europe") == [OPINION_URL, OIL_URL]  # index-derived too
    assert exported("--tag", "gaza", "--section", "Opinion") == [OPINION_URL]
    assert exported("--tag", "nothing") == []
    texts = [r["text"] for r in export_jsonl(populated, capsys, "--kind", "breaking",
                                             "--until", (NOW - timedelta(hours=5)).isoformat())]
    assert sorted(texts) == ["Israeli strikes hit Khan Younis", "UN convoy reaches Gaza City"]
    assert export_jsonl(populated, capsys, "--kind", "breaking", "--until", day(1)) == []


def test_usage_errors(populated: Store, tmp_path: Path, capsys):
    db = db_arg(populated)
    assert cli.main(["export", "--db", db, "--format", "parquet"]) == 2
    assert "--out" in capsys.readouterr().err
    assert cli.main(["export", "--db", db, "--format", "csv", "--kind", "breaking",
                     "--tag", "Gaza"]) == 2
    assert cli.main(["export", "--db", db, "--format", "csv", "--until", "tomorrow"]) == 2


def test_parquet_holds_the_same_records_as_jsonl(populated: Store, tmp_path: Path, capsys):
    records = export_jsonl(populated, capsys)
    out = tmp_path / "articles.parquet"
    assert cli.main(["export", "--db", db_arg(populated), "--format", "parquet",
                     "--out", str(out)]) == 0
    assert "exported 5 articles" in capsys.readouterr().err
    table = pq.read_table(out)
    assert table.schema == parquet_schema("articles")
    assert table.column_names == list(ARTICLE_EXPORT_KEYS)
    rows = table.to_pylist()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, datetime):
                assert value.utcoffset() == timedelta(0)
                row[key] = value.isoformat()
    assert rows == records
    assert not list(tmp_path.glob("*.partial"))

    breaking = tmp_path / "breaking.parquet"
    assert cli.main(["export", "--db", db_arg(populated), "--format", "parquet",
                     "--kind", "breaking", "--out", str(breaking)]) == 0
    assert pq.read_table(breaking).num_rows == 2


def test_parquet_batches_and_empty_export(tmp_path: Path):
    record = {key: None for key in ARTICLE_EXPORT_KEYS}
    record.update(url="u", authors=[], regions=["MENA"], tags=[], related_urls=[],
                  revision=1, first_seen_at=NOW, last_seen_at=NOW)
    path = tmp_path / "a.parquet"
    count = write_parquet(({**record, "url": f"u{i}"} for i in range(25)), "articles",
                          str(path), batch_rows=10)
    assert count == 25
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_rows == 25 and metadata.num_row_groups == 3
    assert write_parquet(iter(()), "articles", str(path)) == 0
    assert pq.read_table(path).num_rows == 0

    def failing():
        yield {**record}
        raise RuntimeError("database gone")
    with pytest.raises(RuntimeError):
        write_parquet(failing(), "articles", str(tmp_path / "b.parquet"))
    assert not (tmp_path / "b.parquet").exists()
    assert not list(tmp_path.glob("*.partial"))


def test_export_streams_in_constant_memory(db_engine, store: Store, tmp_path: Path):
    """Peak memory while exporting 8,000 articles (16 MB of text) is about that of
    2,000: records are fetched and written in batches, never all at once."""
    body = "word " * 400
    rows = [{"url": f"https://example.net/news/{n}", "title": f"Title {n}",
             "body": f"{body}{n}", "authors": ["A"], "field_sources": {},
             "content_hash": f"{n:064d}", "published_at": NOW - timedelta(minutes=n),
             "first_seen_at": NOW, "last_seen_at": NOW, "last_fetched_at": NOW}
            for n in range(8000)]
    with db_engine.begin() as conn:  # bulk: the Store would take minutes
        conn.execute(insert(Article), rows)
    del rows
    batched = Store(db_engine, batch_size=250)

    def peak(limit: int) -> int:
        records = itertools.islice(batched.iter_export_articles(), limit)
        gc.collect()
        tracemalloc.start()
        try:
            count = write_parquet(records, "articles", str(tmp_path / "x.parquet"),
                                  batch_rows=500)
            assert count == limit
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(2000)  # warm-up: caches of the driver and of SQLAlchemy's compiler
    few, many = peak(2000), peak(8000)
    assert many < few * 1.3, (few, many)
    assert many < 8000 * len(body) / 3
