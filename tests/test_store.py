"""crawler.db.store and crawler.db.session, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import Session

from crawler.db.models import Article, Placement, RawPage, Section, Tag, UrlAlias
from crawler.db.session import (
    DatabaseUnavailable,
    check_connection,
    make_engine,
    redact_url,
    resolve_database_url,
)
from crawler.db.store import Store, content_hash, upsert
from crawler.items import ARTICLE_EXPORT_KEYS, ArticleItem, ListingItem

T0 = datetime(2025, 9, 15, 12, 0, tzinfo=timezone.utc)
BASE = "https://www.example.net"


def article(n: int = 1, **overrides) -> ArticleItem:
    values = dict(
        url=f"{BASE}/news/{n}/story", title=f"Title {n}", summary="Summary",
        authors=["Author A", "Author B"], source="Example", published_at=T0,
        modified_at=T0 + timedelta(minutes=5), category="News", section="Politics",
        regions=["MENA"], tags=["Gaza", "Lebanon"], body="First.\n\nSecond.",
        image_url=f"{BASE}/img/{n}.jpg", image_caption="Caption", read_time_minutes=3,
        language="ar", related_urls=[f"{BASE}/news/{n + 100}/x", f"{BASE}/news/{n + 200}/y"],
        field_sources={"title": "jsonld"}, fetched_url=f"{BASE}/news/{n}/story",
        requested_urls=[f"{BASE}/news/{n}"], raw_html=b"<html><body>x</body></html>",
        encoding="utf-8", http_status=200)
    values.update(overrides)
    return ArticleItem(**values)


def listing(kind: str = "region", name: str = "Europe", position: int = 1, n: int = 1,
            page: int = 1) -> ListingItem:
    return ListingItem(article_url=f"{BASE}/news/{n}/story", page_url=f"{BASE}/{kind}/{name}",
                       page_kind=kind, page_name=name, page_number=page, position=position)


def one(store: Store, url: str) -> dict:
    record = store.get_article(url)
    assert record is not None
    return record


# --- session ------------------------------------------------------------------------

def test_resolve_database_url_precedence(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("NEWSMON_DATABASE_URL", raising=False)
    default = resolve_database_url(None)
    assert default == f"sqlite:///{tmp_path}/xdg/newsmon/newsmon.sqlite3"
    assert (tmp_path / "xdg" / "newsmon").is_dir()
    monkeypatch.setenv("NEWSMON_DATABASE_URL", "postgresql://u@h/env")
    assert resolve_database_url(None) == "postgresql://u@h/env"
    assert resolve_database_url("postgresql://u@h/cli") == "postgresql://u@h/cli"
    assert resolve_database_url(str(tmp_path / "f.db")) == f"sqlite:///{tmp_path}/f.db"


def test_make_engine_uses_psycopg_and_redacts():
    for url in ("postgres://u:s3cret@db.example/news", "postgresql://u:s3cret@db.example/news"):
        engine = make_engine(url)
        assert engine.url.drivername == "postgresql+psycopg"
        engine.dispose()
    assert redact_url("postgresql://u:s3cret@h/db") == "postgresql://u:***@h/db"
    with pytest.raises(ValueError) as info:
        make_engine("not a url s3cret")
    assert "s3cret" not in str(info.value)


def test_check_connection_reports_one_line_without_password():
    engine = make_engine("postgresql://postgres:s3cret@127.0.0.1:1/nowhere")
    with pytest.raises(DatabaseUnavailable) as info:
        check_connection(engine)
    message = str(info.value)
    assert "s3cret" not in message and "\n" not in message and "127.0.0.1" in message
    engine.dispose()


def test_engine_settings(db_engine):
    check_connection(db_engine)
    with db_engine.connect() as conn:
        if db_engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        else:
            assert db_engine.url.drivername == "postgresql+psycopg"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "1min"


# --- articles -------------------------------------------------------------------------

def test_new_unchanged_updated(store: Store):
    run = store.start_run(BASE)
    status, article_id = store.save_article(article(), run, T0)
    assert status == "new"
    assert store.save_article(article(), run, T0 + timedelta(hours=1)) == ("unchanged", article_id)
    record = one(store, article().url)
    assert record["revision"] == 1
    assert record["first_seen_at"] == T0
    assert record["last_seen_at"] == T0 + timedelta(hours=1)

    status, same_id = store.save_article(article(title="Changed"), run, T0 + timedelta(hours=2))
    assert (status, same_id) == ("updated", article_id)
    record = one(store, article().url)
    assert record["title"] == "Changed" and record["revision"] == 2
    assert record["first_seen_at"] == T0
    # A change in a list field (tags) is an update too, but not a new revision (only
    # title, summary and body make one); an older sighting does not move
    # last_seen_at back.
    assert store.save_article(article(title="Changed", tags=["Gaza"]), run, T0)[0] == "updated"
    record = one(store, article().url)
    assert record["revision"] == 2 and record["last_seen_at"] == T0 + timedelta(hours=2)
    assert record["tags"] == ["Gaza"]
    assert store.count_articles() == 1


def test_content_hash_and_field_sources_stored(store: Store, db_engine):
    store.save_article(article(), store.start_run(BASE), T0)
    with Session(db_engine) as session:
        row = session.scalars(select(Article)).one()
    item = article()
    assert row.content_hash == content_hash(item.title, item.summary, item.body)
    assert content_hash("A  b", None, "c") == content_hash(" A b ", "", "c")
    assert row.field_sources == {"title": "jsonld"}
    assert row.last_fetched_at == T0


def test_export_values_are_utc_aware(store: Store):
    paris = timezone(timedelta(hours=2))
    store.save_article(article(published_at=datetime(2025, 9, 15, 14, 0, tzinfo=paris)),
                       store.start_run(BASE), T0)
    record = one(store, article().url)
    assert record["published_at"] == T0
    for key in ("published_at", "modified_at", "first_seen_at", "last_seen_at"):
        assert record[key].tzinfo is not None and record[key].utcoffset() == timedelta(0)


def test_naive_datetimes_are_rejected(store: Store):
    run = store.start_run(BASE)
    with pytest.raises(ValueError):
        store.save_article(article(), run, datetime(2025, 1, 1))
    with pytest.raises(Exception, match="naive"):
        store.save_article(article(published_at=datetime(2025, 1, 1)), run, T0)
    assert store.count_articles() == 0


def test_tags_regions_links_are_replaced_in_order(store: Store):
    run = store.start_run(BASE)
    store.save_article(article(tags=["b", "a", "c", "a"], related_urls=["u2", "u1"]), run, T0)
    record = one(store, article().url)
    assert record["tags"] == ["b", "a", "c"]
    assert record["related_urls"] == ["u2", "u1"]
    store.save_article(article(tags=["c", "z"], related_urls=["u3"], regions=["Asia", "MENA"]),
                       run, T0)
    record = one(store, article().url)
    assert record["tags"] == ["c", "z"]
    assert record["related_urls"] == ["u3"]
    assert record["regions"] == ["Asia", "MENA"]
    assert store.counts()["article_tags"] == 2


def test_metadata_regions_keep_index_regions(store: Store):
    run = store.start_run(BASE)
    _, article_id = store.save_article(article(regions=["MENA", "Asia"]), run, T0)
    store.record_listing(listing("region", "Europe"), article_id, T0)
    store.record_listing(listing("region", "MENA", position=4), article_id, T0)
    store.record_listing(listing("section", "Politics"), article_id, T0)
    assert one(store, article().url)["regions"] == ["Asia", "Europe", "MENA"]
    # The page no longer names MENA or Asia: MENA stays (an index listed it), Asia goes.
    status, _ = store.save_article(article(regions=[]), run, T0 + timedelta(hours=1))
    assert status == "updated"
    assert one(store, article().url)["regions"] == ["Europe", "MENA"]
    # Unchanged metadata regions: index regions do not count as a change.
    assert store.save_article(article(regions=[]), run, T0)[0] == "unchanged"


def test_aliases_resolve_to_the_article(store: Store):
    item = article(fetched_url=f"{BASE}/news/1/story?amp", requested_urls=[
        f"{BASE}/news/1", f"{BASE}/news/1/story?utm_source=x"])
    _, article_id = store.save_article(item, store.start_run(BASE), T0)
    for url in (item.url, item.fetched_url, *item.requested_urls):
        assert store.resolve_article_id(url) == article_id
    assert store.resolve_article_id(f"{BASE}/news/2/other") is None
    assert store.get_article(f"{BASE}/news/1")["url"] == item.url


def test_placements_upsert_and_keep_first_seen(store: Store, db_engine):
    _, article_id = store.save_article(article(), store.start_run(BASE), T0)
    home = listing("home", "Home", position=2)
    store.record_listing(home, article_id, T0)
    store.record_listing(home, article_id, T0 + timedelta(hours=3))
    store.record_listing(home, article_id, T0 + timedelta(hours=1))  # late, older sighting
    store.record_listing(listing("home", "Home", position=5), article_id, T0)
    with db_engine.connect() as conn:
        rows = conn.execute(select(Placement.__table__).order_by(Placement.position)
                            ).mappings().all()
    assert [(r["position"], r["first_seen_at"], r["last_seen_at"]) for r in rows] == [
        (2, T0, T0 + timedelta(hours=3)), (5, T0, T0)]
    assert rows[0]["page_kind"] == "home" and rows[0]["page_url"] == f"{BASE}/home/Home"
    store.touch_article(article_id, T0 + timedelta(days=1))
    assert one(store, article().url)["last_seen_at"] == T0 + timedelta(days=1)


def test_breaking_first_and_last_seen(store: Store):
    assert store.record_breaking(["Alert one", "Alert two", "Alert one", " "], T0) == 2
    assert store.record_breaking(["Alert  one"], T0 + timedelta(minutes=10)) == 0
    assert store.record_breaking(["Alert three"], T0 + timedelta(minutes=20)) == 1
    assert store.record_breaking([], T0) == 0
    by_text = {r["text"]: r for r in store.iter_export_breaking()}
    assert set(by_text) == {"Alert one", "Alert two", "Alert three"}
    assert by_text["Alert one"]["first_seen_at"] == T0
    assert by_text["Alert one"]["last_seen_at"] == T0 + timedelta(minutes=10)
    assert by_text["Alert two"]["last_seen_at"] == T0
    since = [r["text"] for r in store.iter_export_breaking(since=T0 + timedelta(minutes=5))]
    assert since == ["Alert one", "Alert three"]


# --- export ---------------------------------------------------------------------------

def test_export_keys_order_and_since(store: Store):
    run = store.start_run(BASE)
    store.save_article(article(3, published_at=T0 + timedelta(days=2)), run, T0)
    store.save_article(article(1, published_at=T0), run, T0)
    store.save_article(article(2, published_at=T0), run, T0)
    store.save_article(article(4, published_at=None), run, T0 + timedelta(days=5))
    records = list(store.iter_export_articles())
    assert all(tuple(r) == ARTICLE_EXPORT_KEYS for r in records)
    assert [r["url"].split("/")[-2] for r in records] == ["1", "2", "3", "4"]
    first = records[0]
    assert first["authors"] == ["Author A", "Author B"]
    assert first["tags"] == ["Gaza", "Lebanon"] and first["regions"] == ["MENA"]
    assert first["related_urls"] == [f"{BASE}/news/101/x", f"{BASE}/news/201/y"]
    assert first["revision"] == 1 and first["read_time_minutes"] == 3
    since = [r["url"].split("/")[-2] for r in store.iter_export_articles(T0 + timedelta(days=1))]
    assert since == ["3", "4"]  # published after, or undated and first seen after


def test_export_streams_in_batches(db_engine, store: Store):
    small = Store(db_engine, batch_size=2)
    run = small.start_run(BASE)
    for n in range(1, 8):
        small.save_article(article(n, tags=[f"t{n}", "common"], published_at=T0 + timedelta(n)),
                           run, T0)
    records = list(small.iter_export_articles())
    assert len(records) == 7
    assert [r["tags"] for r in records] == [[f"t{n}", "common"] for n in range(1, 8)]
    assert sum(1 for _ in small.iter_raw_pages()) == 7


# --- raw pages, runs, errors ---------------------------------------------------------

def test_raw_pages_compressed_and_iterated(store: Store, db_engine):
    html = "<html><p>نص عربي</p>\x00</html>".encode("utf-8")
    _, article_id = store.save_article(article(raw_html=html, http_status=203,
                                               encoding="utf-8"), store.start_run(BASE), T0)
    store.save_article(article(2, raw_html=None), store.start_run(BASE), T0)
    with db_engine.connect() as conn:
        stored = conn.execute(select(RawPage.html_gz)).scalar_one()
    assert gzip.decompress(stored) == html
    assert list(store.iter_raw_pages()) == [(article_id, article().url, html, "utf-8", 203)]


def test_runs_and_fetch_errors(store: Store):
    run = store.start_run(BASE, trigger="cron", started_at=T0)
    assert store.get_run(run)["status"] == "running"
    store.record_fetch_error(run, f"{BASE}/x", "HTTP 404", status=404, occurred_at=T0)
    store.record_fetch_error(run, f"{BASE}/y", "timeout")
    store.finish_run(run, "degraded", pages_fetched=10, articles_new=3, articles_updated=1,
                     articles_unchanged=4, errors=2, error_summary="2 errors",
                     finished_at=T0 + timedelta(minutes=3))
    got = store.get_run(run)
    assert got["status"] == "degraded" and got["trigger"] == "cron"
    assert got["finished_at"] == T0 + timedelta(minutes=3) and got["errors"] == 2
    assert [(e["url"], e["status"]) for e in store.fetch_errors(run)] == [
        (f"{BASE}/x", 404), (f"{BASE}/y", None)]
    assert store.recent_runs(1)[0]["id"] == run
    with pytest.raises(ValueError):
        store.finish_run(run, "bogus", pages_fetched=0, articles_new=0, articles_updated=0,
                         articles_unchanged=0, errors=0)
    with pytest.raises(ValueError):
        store.start_run(BASE, trigger="bogus")


def test_deleting_an_article_cascades(store: Store, db_engine):
    _, article_id = store.save_article(article(), store.start_run(BASE), T0)
    store.record_listing(listing(), article_id, T0)
    with db_engine.begin() as conn:
        conn.execute(delete(Article).where(Article.id == article_id))
    counts = store.counts()
    for table in ("articles", "article_tags", "article_regions", "article_links",
                  "placements", "url_aliases", "raw_pages"):
        assert counts[table] == 0, table
    assert counts["tags"] == 2  # the vocabulary stays


def test_upsert_helper(store: Store, db_engine):
    with Session(db_engine) as session, session.begin():
        upsert(session, Tag, [{"name": "x"}, {"name": "y"}], ["name"])
        upsert(session, Tag, {"name": "x"}, ["name"])
        assert upsert(session, Tag, [], ["name"]) is None
    with Session(db_engine) as session:
        assert session.scalars(select(Tag.name).order_by(Tag.name)).all() == ["x", "y"]


def test_upsert_statements_are_reused_only_for_the_same_update_clause(store: Store, db_engine):
    # upsert builds a statement once per table and clause (crawler.db.store._UPSERTS):
    # another literal, or a callable closing over a value of this call, is a new one.
    def category() -> str | None:
        return conn.scalar(select(Section.category).where(Section.name == "s1"))

    with db_engine.begin() as conn:
        upsert(conn, Section, {"name": "s1", "category": None}, ["name"])
        for value in ("A", "B"):
            upsert(conn, Section, {"name": "s1", "category": None}, ["name"],
                   {"category": value})
            assert category() == value
        for value in ("x", "y"):
            upsert(conn, Section, {"name": "s1", "category": None}, ["name"],
                   {"category": lambda ex: literal(value)})  # noqa: B023 - on purpose
            assert category() == value
        upsert(conn, Section, {"name": "s1", "category": "from the row"}, ["name"],
               ["category"])
        assert category() == "from the row"


# --- concurrency and hostile text ----------------------------------------------------

def test_two_writers_same_url_end_with_one_row(db_engine, store: Store):
    run = store.start_run(BASE)
    statuses: list[str] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(worker: int) -> None:
        own = Store(db_engine)
        try:
            for n in range(1, 6):
                barrier.wait(timeout=30)
                item = article(n, tags=["shared", f"w{worker % 2}"], regions=["MENA", "Asia"])
                statuses.append(own.save_article(item, run, T0 + timedelta(seconds=n))[0])
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    counts = Counter(statuses)
    assert counts["new"] == 5 and sum(counts.values()) == 20
    assert store.count_articles() == 5
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Tag)).scalar_one() == 3
        aliases = conn.execute(select(func.count()).select_from(UrlAlias)).scalar_one()
    assert aliases == 10  # canonical + requested URL, once each


def test_nul_sql_and_html_text_stored_safely(store: Store):
    nasty = "Robert'); DROP TABLE articles;-- \x00<script>alert('x')</script> %s %(x)s ?"
    item = article(title=nasty, body="a\x00b\n\n" + nasty, tags=["t\x00ag", "'; --"],
                   authors=["\x00O'Brien"], field_sources={"title\x00": "json\x00ld"},
                   related_urls=[f"{BASE}/a?q='x'"])
    run = store.start_run(BASE)
    assert store.save_article(item, run, T0)[0] == "new"
    record = one(store, item.url)
    clean = nasty.replace("\x00", "")
    assert record["title"] == clean
    assert record["body"] == "ab\n\n" + clean
    assert record["tags"] == ["tag", "'; --"]
    assert record["authors"] == ["O'Brien"]
    assert record["related_urls"] == [f"{BASE}/a?q='x'"]
    assert store.save_article(item, run, T0)[0] == "unchanged"
    store.record_breaking([nasty], T0)
    assert [r["text"] for r in store.iter_export_breaking()] == [clean.strip()]
    store.record_fetch_error(run, f"{BASE}/\x00", "bad\x00 ' text")
    assert store.fetch_errors(run)[0]["error"] == "bad ' text"
    assert store.count_articles() == 1
