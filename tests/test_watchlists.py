"""Watchlists (crawler.db.watchlists, crawler.db.matcher) on SQLite and PostgreSQL:
the Python matcher agrees with the database search, and the store queues alerts in
the transaction that stores an article, a revision or a breaking item."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crawler.db.matcher import Analyzer, compile_query
from crawler.db.models import Alert
from crawler.db.search import search
from crawler.db.store import Store
from crawler.db.watchlists import WatchlistExists, WatchlistSpec, add_watchlist, remove_watchlist
from crawler.items import ArticleItem
from tests._analyst_data import BASE, articles, populate

NOW = datetime.now(UTC).replace(microsecond=0)

EXTRA = [  # words that stem, stop words inside phrases, diacritics, hyphens
    ("Ships rerouted from the Red Sea", "Shipping companies are avoiding the strait.",
     "Insurers raised premiums.\n\nThe Bank of England warned of inflation."),
    ("Hezbollah statement on Lebanon", "The resistance said it was ready.",
     "Al-Mayadeen correspondents reported strikes near the border."),
    ("Café owners protest in Beirut", "Prices doubled.", "Running costs are rising fast."),
    ("Yemen's forces target a vessel", "Sanaa says the ship was Israeli-linked.",
     "The operation came after warnings."),
]

QUERIES = ["gaza", "gaza aid", '"humanitarian corridor"', "ceasefire or oil", "gaza -aid",
           "negotiation", "running", '"bank of england"', '"the long road"', "shipping",
           "ship", "cafe", "café", "mayadeen", "yemen", "israeli", "sanctions -brent",
           '"red sea" or hezbollah', "the", "-gaza", "strikes border", "price doubled",
           "traders expect more", '"expect more"', "insurer premium"]


def _extra_items() -> list[ArticleItem]:
    return [ArticleItem(url=f"{BASE}/news/politics/extra-{n}", title=t, summary=s, body=b,
                        published_at=NOW - timedelta(hours=n + 1), category="News",
                        section="Politics", language="en")
            for n, (t, s, b) in enumerate(EXTRA)]


@pytest.fixture
def populated(store: Store) -> Store:
    populate(store, NOW)
    run = store.start_run(BASE)
    for item in _extra_items():
        store.save_article(item, run, NOW)
    return store


def test_python_matcher_agrees_with_the_database_search(populated: Store):
    analyzer = Analyzer(populated.engine.dialect.name)
    stored = articles(NOW) + _extra_items()
    documents = {a.url: analyzer.document(a.title, a.summary, a.body) for a in stored}
    checked_hits = 0
    for query in QUERIES:
        in_db = {r["url"] for r in search(populated.engine, query, limit=100)}
        compiled = compile_query(query, analyzer)
        in_python = {url for url, doc in documents.items()
                     if not compiled.everything and compiled.match(doc) is not None}
        assert in_python == in_db, query
        checked_hits += len(in_db)
    assert checked_hits > 20  # the queries do find things


def _alerts(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(Alert).order_by(Alert.id)).mappings()]


def _watch(store: Store, name: str, query: str, **options) -> int:
    with store.engine.begin() as conn:
        return add_watchlist(conn, WatchlistSpec(name, query, **options), NOW)


def _item(n: int, title: str, body: str, **fields) -> ArticleItem:
    return ArticleItem(url=f"{BASE}/news/politics/story-{n}", title=title,
                       summary=fields.pop("summary", "A summary."), body=body,
                       published_at=NOW, category="News",
                       section=fields.pop("section", "Politics"), language="en", **fields)


def test_new_articles_edits_and_breaking_items_queue_alerts(store: Store):
    red_sea = _watch(store, "red-sea", '"red sea" -football', section="politics",
                     notify=["json://127.0.0.1:9/hook"])
    yemen = _watch(store, "yemen", "", tag="Yemen")  # everything tagged Yemen
    strikes = _watch(store, "strikes", "strike", kinds=["breaking"])
    run = store.start_run(BASE)

    store.save_article(_item(1, "Navy patrols the Red Sea", "Ships were escorted."), run, NOW)
    store.save_article(_item(2, "Red Sea football cup", "A final."), run, NOW)
    store.save_article(_item(3, "Red Sea trade", "Ports.", section="Economy"), run, NOW)
    store.save_article(_item(4, "Sanaa news", "Talks.", tags=["yemen"]), run, NOW)
    old = replace(_item(5, "Red Sea history", "Ships."), published_at=NOW - timedelta(days=8))
    store.save_article(old, run, NOW)  # a backfilled old story is not news
    alerts = _alerts(store)
    assert [(a["watchlist_id"], a["kind"], a["url"][-7:]) for a in alerts] == [
        (red_sea, "new", "story-1"), (yemen, "new", "story-4")]
    first = alerts[0]
    assert first["title"] == "Navy patrols the Red Sea" and first["section"] == "Politics"
    assert "**Red** **Sea**" in first["snippet"] and first["revision"] == 1
    assert first["status"] == "pending" and alerts[1]["status"] == "unsent"  # no notifier
    assert len({a["key"] for a in alerts}) == 2 and len(first["key"]) == 32

    # An edit that does not touch what the watchlist follows says nothing...
    later = NOW + timedelta(hours=1)
    store.save_article(_item(1, "Navy patrols the Red Sea", "Ships were escorted twice."),
                       run, later)
    assert len(_alerts(store)) == 2
    # ...one that adds it does, with the diff.
    store.save_article(_item(1, "Navy patrols the Red Sea",
                             "Ships were escorted twice.\nA drone fell into the Red Sea."),
                       run, later + timedelta(minutes=1))
    edit = _alerts(store)[-1]
    assert (edit["kind"], edit["revision"], edit["watchlist_id"]) == ("edit", 3, red_sea)
    assert edit["diff"] == "+A drone fell into the Red Sea."  # only what changed
    assert edit["snippet"].startswith("A drone fell into the **Red** **Sea**")
    # Unchanged text: no revision, no alert.
    store.save_article(_item(1, "Navy patrols the Red Sea",
                             "Ships were escorted twice.\nA drone fell into the Red Sea."),
                       run, later + timedelta(minutes=2))
    assert len(_alerts(store)) == 3

    # Breaking items: on the query alone; a filtered watchlist never matches them.
    assert store.record_breaking(["Air strikes on Hodeidah", "Red Sea closed"], later) == 2
    assert store.record_breaking(["Air strikes on Hodeidah"], later) == 0  # not new
    breaking = [a for a in _alerts(store) if a["kind"] == "breaking"]
    assert [(a["watchlist_id"], a["title"]) for a in breaking] == [
        (strikes, "Air strikes on Hodeidah")]
    assert breaking[0]["breaking_id"] is not None and "**strikes**" in breaking[0]["snippet"]


def test_watchlist_names_are_unique_and_removal_drops_their_alerts(store: Store):
    _watch(store, "gaza", "gaza")
    with pytest.raises(WatchlistExists):
        _watch(store, "gaza", "aid")
    store.save_article(_item(1, "Gaza aid", "Convoys."), store.start_run(BASE), NOW)
    assert len(_alerts(store)) == 1
    with store.engine.begin() as conn:
        assert remove_watchlist(conn, "gaza") and not remove_watchlist(conn, "gaza")
    assert _alerts(store) == []
    # A removed watchlist stops matching at once (the compiled cache reloads).
    store.save_article(_item(2, "Gaza again", "More."), store.start_run(BASE), NOW)
    assert _alerts(store) == []


def test_an_alert_is_written_in_the_articles_transaction(store: Store):
    _watch(store, "gaza", "gaza")
    bad = replace(_item(1, "Gaza", "Text."), related_urls=["x"])
    original = store._replace_links

    def failing(*args, **kwargs):
        raise RuntimeError("crash after the alert was queued")
    store._replace_links = failing  # fails inside save_article's transaction
    with pytest.raises(RuntimeError):
        store.save_article(bad, store.start_run(BASE), NOW)
    store._replace_links = original
    assert _alerts(store) == [] and store.count_articles() == 0


def test_the_watchlist_index_finds_what_testing_every_watchlist_finds():
    from crawler.db.watchlists import CompiledWatchlist, WatchIndex, match_document

    for dialect in ("sqlite", "postgresql"):
        analyzer = Analyzer(dialect)
        watchlists = [CompiledWatchlist(n, f"w{n}", compile_query(q, analyzer), None, None,
                                        None, frozenset(["new"]), False)
                      for n, q in enumerate(QUERIES + ["", '"the bank" or premiums'])]
        index = WatchIndex(watchlists)
        for item in articles(NOW) + _extra_items():
            doc = analyzer.document(item.title, item.summary, item.body)
            indexed = [w.name for w, _ in match_document(index, "new", doc)]
            every = [w.name for w in watchlists if w.query.match(doc) is not None]
            assert indexed == every and "w25" in every  # the empty query: always


def test_notifier_urls_are_masked_wherever_they_are_shown():
    from crawler.ops.alerts import masked_notify_url

    shown = {url: masked_notify_url(url) for url in [
        "mailto://analyst:Pa55word@smtp.example.org:587?to=desk@example.org",
        "mailtos://desk%40example.org:Pa55word@smtp.example.org",
        "json://user:Pa55word@hooks.example.org/newsmon?token=Pa55word",
        "slack://Pa55wordA/Pa55wordB/Pa55wordC/#news",
        "ntfy://reader:Pa55word@ntfy.example.org/topic",
        "unknown://user:Pa55word@host/x?secret=Pa55word&apikey=Pa55word"]}
    for url, masked in shown.items():
        assert "Pa55word" not in masked, (url, masked)
    assert shown["mailto://analyst:Pa55word@smtp.example.org:587?to=desk@example.org"] \
        .startswith("mailto://***@smtp.example.org")
