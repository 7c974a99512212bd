"""Search for people and scripts: sort by date, the count of every match, pages
(--limit/--offset), and `export --query`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crawler import cli
from crawler.db.search import count_matches, iter_export_matches, search
from crawler.db.store import Store
from crawler.items import ARTICLE_EXPORT_KEYS
from tests._analyst_data import (CORRIDOR_URL, INFOGRAPH_URL, OPINION_URL, SUMMIT_URL,
                                 populate)

NOW = datetime.now(UTC).replace(microsecond=0)
GAZA_ANY = "gaza or war or cairo"  # corridor (1 day), opinion (3), summit (4), undated


@pytest.fixture
def populated(store: Store) -> Store:
    populate(store, NOW)
    return store


def db_arg(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def urls(results: list[dict]) -> list[str]:
    return [r["url"] for r in results]


def test_sort_by_date_and_pages(populated: Store):
    engine = populated.engine
    newest = urls(search(engine, GAZA_ANY, sort="newest"))
    assert newest == [CORRIDOR_URL, OPINION_URL, SUMMIT_URL, INFOGRAPH_URL]
    assert urls(search(engine, GAZA_ANY, sort="oldest")) == [
        SUMMIT_URL, OPINION_URL, CORRIDOR_URL, INFOGRAPH_URL]
    # Pages of two, in both orders, add up to the whole list.
    assert (urls(search(engine, GAZA_ANY, sort="newest", limit=2))
            + urls(search(engine, GAZA_ANY, sort="newest", limit=2, offset=2))) == newest
    best = urls(search(engine, GAZA_ANY, limit=10))
    assert (urls(search(engine, GAZA_ANY, limit=3))
            + urls(search(engine, GAZA_ANY, limit=3, offset=3))) == best
    assert search(engine, GAZA_ANY, offset=10) == []
    # Date order still carries rank and snippet for each result.
    first = search(engine, "corridor", sort="newest")[0]
    assert first["rank"] > 0 and "**" in first["snippet"]
    with pytest.raises(ValueError):
        search(engine, "gaza", sort="random")
    with pytest.raises(ValueError):
        search(engine, "gaza", offset=-1)


def test_count_matches_counts_all_with_filters(populated: Store):
    engine = populated.engine
    assert count_matches(engine, GAZA_ANY) == 4
    assert count_matches(engine, "gaza") == 2
    assert count_matches(engine, "gaza", section="Opinion") == 1
    assert count_matches(engine, "gaza", since=NOW - timedelta(days=2)) == 1
    assert count_matches(engine, "-gaza") == 0 and count_matches(engine, "nothingatall") == 0


def test_export_matches_has_every_field(populated: Store):
    records = list(iter_export_matches(populated.engine, "gaza"))
    assert [r["url"] for r in records] == [OPINION_URL, CORRIDOR_URL]  # published order
    assert all(list(r) == list(ARTICLE_EXPORT_KEYS) for r in records)
    assert records[1]["tags"] == ["Gaza", "Aid"]
    assert list(iter_export_matches(populated.engine, "gaza", tag="aid"))[0]["url"] == \
        CORRIDOR_URL


def test_search_command_count_sort_offset(populated: Store, capsys):
    assert cli.main(["search", GAZA_ANY, "--db", db_arg(populated), "--sort", "newest",
                     "--limit", "2", "--offset", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("2. The long road to a ceasefire\n")
    assert "\n3. Summit in Cairo" in captured.out
    assert captured.err == "newsmon: 4 matches, showing 2-3\n"

    assert cli.main(["search", GAZA_ANY, "--db", db_arg(populated), "--format", "json",
                     "--sort", "oldest", "--since", "84h"]) == 0
    answer = json.loads(capsys.readouterr().out)
    # The summit (4 days old) is out; the undated infograph was first seen 6 hours ago.
    assert answer["total"] == 3 and answer["sort"] == "oldest"
    assert urls(answer["results"]) == [OPINION_URL, CORRIDOR_URL, INFOGRAPH_URL]

    assert cli.main(["search", "gaza", "--db", db_arg(populated), "--offset", "-1"]) == 2
    assert capsys.readouterr().err == "newsmon: error: --offset must not be negative\n"
    # argparse's error: one line, exit 2 (main() returns it rather than raising)
    assert cli.main(["search", "gaza", "--db", db_arg(populated), "--sort", "x"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_export_command_with_a_query(populated: Store, tmp_path, capsys):
    out = tmp_path / "gaza.jsonl"
    assert cli.main(["export", "--db", db_arg(populated), "--format", "jsonl",
                     "--query", "gaza", "--out", str(out)]) == 0
    assert capsys.readouterr().err == "newsmon: exported 2 articles\n"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["url"] for r in rows] == [OPINION_URL, CORRIDOR_URL]
    assert rows[1]["body"].startswith("Trucks carrying flour")
    assert cli.main(["export", "--db", db_arg(populated), "--format", "jsonl",
                     "--kind", "breaking", "--query", "gaza"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
