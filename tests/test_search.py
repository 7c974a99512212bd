"""Full-text search (crawler.db.search, `newsmon search`) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, inspect, text, update

from crawler import cli
from crawler.db.models import Article
from crawler.db.search import HIGHLIGHT, fts5_query, parse_query, search
from crawler.db.store import Store
from tests._analyst_data import (CORRIDOR_PHRASE, CORRIDOR_URL, INFOGRAPH_URL, OIL_URL,
                                 OPINION_URL, SUMMIT_URL, articles, populate)

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def populated(store: Store) -> Store:
    populate(store, NOW)
    return store


def urls(results: list[dict]) -> list[str]:
    return [r["url"] for r in results]


# --- the query language (no database) -------------------------------------------------

def test_parse_query_follows_websearch_rules():
    assert [c.required for c in parse_query("a b or c")] == [[["a"], ["b"]], [["c"]]]
    (only,) = parse_query('"peace talks" -hamas x - y')
    assert only.required == [["peace", "talks"], ["x"]]
    assert only.excluded == [["hamas"], ["y"]]
    assert [c.required for c in parse_query("or x or")] == [[["or"], ["x"], ["or"]]]
    assert parse_query("-only") == [] and parse_query(' " ,; ') == []


def test_fts5_query_quotes_every_term():
    assert fts5_query("gaza ceasefire") == '("gaza" AND "ceasefire")'
    assert fts5_query('x -"a b" or y') == '(("x") NOT "a b") OR ("y")'
    assert fts5_query('NEAR(a b) title:x* "c') == '("NEAR(a" AND "b)" AND "title:x*" AND "c")'
    assert fts5_query('say "" hi"') == '("say" AND "hi""")'
    assert fts5_query("") is None and fts5_query("-x") is None


# --- search on both databases ----------------------------------------------------------

def test_finds_an_article_by_a_phrase_from_its_body(populated: Store):
    results = search(populated.engine, f'"{CORRIDOR_PHRASE}"')
    assert urls(results) == [CORRIDOR_URL]
    hit = results[0]
    assert hit["title"] == "Humanitarian corridor opens in northern Gaza"
    assert hit["section"] == "Politics" and hit["category"] == "News"
    assert hit["published_at"] == NOW - timedelta(days=1)
    assert hit["rank"] > 0
    assert f"{HIGHLIGHT[0]}" in hit["snippet"] and "\n" not in hit["snippet"]
    # The same words without quotes: all required, in any order.
    assert CORRIDOR_URL in urls(search(populated.engine, "twelve hours corridor"))


def test_stemming_or_exclusion_and_ranking(populated: Store):
    engine = populated.engine
    assert OPINION_URL in urls(search(engine, "run"))            # "running"
    assert set(urls(search(engine, "sanctions or summit"))) == {OIL_URL, SUMMIT_URL}
    gaza = urls(search(engine, "gaza"))
    assert set(gaza) == {CORRIDOR_URL, OPINION_URL}
    assert urls(search(engine, "gaza -corridor")) == [OPINION_URL]
    # A word in the title weighs more than the same word in the body.
    ranked = urls(search(engine, "ceasefire or negotiations"))
    assert ranked[0] == OPINION_URL
    assert search(engine, "ceasefire", limit=1)[0]["url"] == OPINION_URL


def test_filters(populated: Store):
    engine = populated.engine
    assert urls(search(engine, "gaza", section="politics")) == [CORRIDOR_URL]
    assert urls(search(engine, "gaza", region="Palestine")) == [CORRIDOR_URL]
    assert urls(search(engine, "gaza", tag="CEASEFIRE")) == [OPINION_URL]
    assert urls(search(engine, "gaza", since=NOW - timedelta(days=2))) == [CORRIDOR_URL]
    assert urls(search(engine, "gaza", until=NOW - timedelta(days=2))) == [OPINION_URL]
    # An index page put the opinion piece in Europe: that counts as its region too.
    assert urls(search(engine, "ceasefire", region="europe")) == [OPINION_URL]
    assert search(engine, "gaza", section="Sports") == []
    assert search(engine, "gaza", tag="no such tag") == []
    assert urls(search(engine, "gaza", tag="Cease\x00fire")) == [OPINION_URL]  # NUL dropped
    with pytest.raises(ValueError):
        search(engine, "gaza", since=datetime(2025, 1, 1))  # naive
    with pytest.raises(ValueError):
        search(engine, "gaza", limit=0)


def test_both_databases_read_stop_words_and_a_dangling_or_alike(populated: Store):
    """PostgreSQL's `english` configuration drops stop words (`or` is one): a dangling
    `or`, a stop word alone or beside a word give the same answer on SQLite."""
    engine = populated.engine
    gaza = set(urls(search(engine, "gaza")))
    assert gaza == {CORRIDOR_URL, OPINION_URL}
    for query in ("gaza or", "or gaza", "gaza the", "the gaza", "gaza or the", "gaza -the"):
        assert set(urls(search(engine, query))) == gaza, query
    for query in ("the", "or", "the of and", "-gaza the"):
        assert search(engine, query) == [], query
    assert set(urls(search(engine, "sanctions or or summit"))) == {OIL_URL, SUMMIT_URL}


HOSTILE = ['"', '""', "'", "a'b", "NEAR(a b)", "title:gaza", "gaza*", "^gaza", "(", ")",
           "AND", "OR", "NOT", "gaza AND", "- -", "--", "a OR OR b", "x:y:z", "{a b}:c",
           "'; DROP TABLE articles; --", "%s %(x)s ? :name $1", "\\", "gaza\x00", "😀",
           "غزة", "!!", "&&", "<->", "a <-> b", "gaza | oil", "a" * 5000, "-gaza"]


@pytest.mark.parametrize("query", [pytest.param(q, id=f"q{i}") for i, q in enumerate(HOSTILE)])
def test_query_syntax_cannot_break_or_inject(populated: Store, query: str):
    results = search(populated.engine, query)
    assert isinstance(results, list)
    assert populated.count_articles() == 5


def test_index_follows_updates_and_deletes(populated: Store):
    engine = populated.engine
    with engine.begin() as conn:
        conn.execute(update(Article).where(Article.url == OIL_URL)
                     .values(title="Gas prices fall", summary=None, body="Quiet markets."))
    assert search(engine, "brent") == []
    assert urls(search(engine, "gas prices")) == [OIL_URL]
    with engine.begin() as conn:
        conn.execute(delete(Article).where(Article.url == OIL_URL))
    assert search(engine, "gas") == []
    populated.save_article(articles(NOW)[1], populated.start_run("x"), NOW)
    assert urls(search(engine, "brent")) == [OIL_URL]


def test_two_step_ranking_keeps_title_matches_and_the_limit(populated: Store, monkeypatch):
    """PostgreSQL ranks all matches on title and summary, the best on the whole text:
    with one candidate only, the title match still wins and --limit still holds."""
    import crawler.db.search as search_module

    everything = urls(search(populated.engine, "gaza or oil or cairo", limit=10))
    assert len(everything) == 4
    monkeypatch.setattr(search_module, "PG_RANK_CANDIDATES", 1)
    assert sorted(urls(search(populated.engine, "gaza or oil or cairo", limit=10))) == sorted(
        everything)
    # A body-only match (the summit's "statement") never outranks a title match.
    assert urls(search(populated.engine, "statement or corridor", limit=1)) == [CORRIDOR_URL]


def test_undated_article_is_found_and_listed_last(populated: Store):
    results = search(populated.engine, "war or gaza or numbers")
    assert INFOGRAPH_URL in urls(results)
    assert next(r for r in results if r["url"] == INFOGRAPH_URL)["published_at"] is None


def test_search_objects_exist(populated: Store):
    engine = populated.engine
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            columns = {c["name"]: c for c in inspect(conn).get_columns("articles")}
            assert {"search_vector", "lead_vector"} <= set(columns)
            indexdef = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_articles_search_vector'"
            )).scalar_one()
            assert "USING gin (search_vector)" in indexdef
        else:
            triggers = set(conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            assert {"articles_fts_insert", "articles_fts_delete",
                    "articles_fts_update"} <= triggers
            # The FTS index agrees with its content table.
            conn.execute(text(
                "INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"))


# --- the command ----------------------------------------------------------------------

def db_arg(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_search_command_json_and_text(populated: Store, capsys):
    assert cli.main(["search", "gaza", "--db", db_arg(populated), "--format", "json",
                     "--section", "Opinion"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["total"] == 1 and answer["offset"] == 0 and answer["sort"] == "relevance"
    results = answer["results"]
    assert [r["url"] for r in results] == [OPINION_URL]
    assert set(results[0]) == {"url", "title", "published_at", "category", "section",
                               "rank", "snippet"}
    assert results[0]["published_at"].endswith("+00:00")

    assert cli.main(["search", "corridor", "--db", db_arg(populated), "--limit", "5",
                     "--since", (NOW - timedelta(days=2)).date().isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. Humanitarian corridor opens in northern Gaza\n")
    assert "News > Politics" in out and CORRIDOR_URL in out and "**" in out

    assert cli.main(["search", "nothing-matches-this", "--db", db_arg(populated)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no article matches" in captured.err


def test_search_command_usage_errors(populated: Store, capsys):
    assert cli.main(["search", "x", "--db", db_arg(populated), "--limit", "0"]) == 2
    assert cli.main(["search", "x", "--db", db_arg(populated), "--until", "soon"]) == 2
    assert "--until" in capsys.readouterr().err


def test_search_command_needs_an_upgraded_schema(db_url: str, capsys):
    from crawler.db import migrate

    migrate.upgrade(db_url, "0001")
    assert cli.main(["search", "x", "--db", db_url]) == 1
    assert "newsmon db upgrade" in capsys.readouterr().err


def test_an_article_of_megabytes_of_distinct_words_is_stored_and_found(store: Store):
    # A tsvector holds at most 1 MB: PostgreSQL indexes the body's first 200,000
    # characters, so a giant article still stores (and is found by its start).
    import random

    from crawler.items import ArticleItem

    rng = random.Random(7)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=12)) for _ in range(110_000)]
    body = "zanzibarquokka " + " ".join(words)
    assert len(body) > 1_300_000
    item = ArticleItem(url="https://example.test/news/politics/giant", title="Giant page",
                       body=body, published_at=datetime(2025, 9, 15, 12, 54, tzinfo=UTC))
    outcome, _ = store.save_article(item, store.start_run("https://example.test"),
                                    datetime.now(UTC))
    assert outcome == "new"
    assert store.get_article(item.url)["body"] == body
    hits = search(store.engine, "zanzibarquokka")
    assert [h["url"] for h in hits] == [item.url]
