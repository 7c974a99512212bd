"""Placement history as runs, index-page observations, and migration 0002, on SQLite and
PostgreSQL; the analyst queries of docs/SCHEMA.md run against them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, insert, select, text

from crawler.db import migrate
from crawler.db.models import Article, ArticleRevision, IndexPageRecord, Placement
from crawler.db.store import Store
from crawler.items import IndexPageItem, ListingItem
from tests.test_store import BASE, T0, article

POLITICS = f"{BASE}/news/politics"
MENA = f"{BASE}/regions/mena"


def observe(store: Store, page_url: str, kind: str, name: str, at, urls: list[str],
            ids: dict[str, int], not_modified: bool = False) -> None:
    """What the pipeline does with one observation of an index page."""
    store.record_index_page(IndexPageItem(
        page_url=page_url, page_kind=kind, page_name=name, page_number=1, observed_at=at,
        article_urls=urls, etag=f'W/"{at.minute}"', not_modified=not_modified))
    for position, url in enumerate(urls, 1):
        store.record_listing(ListingItem(article_url=url, page_url=page_url, page_kind=kind,
                                         page_name=name, page_number=1, position=position,
                                         observed_at=at), ids[url], at)


def runs(engine: Engine) -> set[tuple]:
    p, a = Placement.__table__, Article.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(a.c.title, p.c.page_name, p.c.position, p.c.first_seen_at,
                                   p.c.last_seen_at).join(a, a.c.id == p.c.article_id)).all()
    return {tuple(row) for row in rows}


def scenario(store: Store) -> tuple[list, dict[str, int]]:
    """Politics page 1 seen four times (ten minutes apart), MENA once."""
    run = store.start_run(BASE)
    ids = {}
    for n in (1, 2, 3):
        ids[article(n).url] = store.save_article(article(n), run, T0)[1]
    a, b, c = (article(n).url for n in (1, 2, 3))
    t = [T0 + timedelta(minutes=10 * i) for i in range(4)]
    observe(store, POLITICS, "section", "Politics", t[0], [a, b], ids)
    observe(store, POLITICS, "section", "Politics", t[1], [a, b], ids, not_modified=True)
    observe(store, MENA, "region", "MENA", t[1], [a], ids)
    observe(store, POLITICS, "section", "Politics", t[2], [c, a], ids)  # b gone, a moves
    observe(store, POLITICS, "section", "Politics", t[3], [b, a], ids)  # b is back
    return t, ids


def test_runs_of_first_and_last_seen_per_position(store: Store, db_engine: Engine):
    t, _ids = scenario(store)
    assert runs(db_engine) == {
        ("Title 1", "Politics", 1, t[0], t[1]), ("Title 1", "Politics", 2, t[2], t[3]),
        ("Title 2", "Politics", 2, t[0], t[1]), ("Title 2", "Politics", 1, t[3], t[3]),
        ("Title 3", "Politics", 1, t[2], t[2]), ("Title 1", "MENA", 1, t[1], t[1])}
    # An older sighting arriving late extends nothing and starts no run.
    store.record_listing(ListingItem(article_url=article(1).url, page_url=POLITICS,
                                     page_kind="section", page_name="Politics",
                                     page_number=1, position=2, observed_at=t[2]),
                         _ids[article(1).url], t[2])
    assert len(runs(db_engine)) == 6
    # Listings move the article's last_seen_at on without a fetch.
    assert store.get_article(article(2).url)["last_seen_at"] == t[3]


def test_index_page_observations_and_validators(store: Store):
    t, ids = scenario(store)
    listing = store.index_listing(POLITICS)
    assert listing["article_urls"] == [article(2).url, article(1).url]
    assert listing["last_seen_at"] == t[3]
    # The 304 of t[1] kept the validators of t[0]; later answers replaced them.
    assert store.validators([POLITICS])[POLITICS].etag == f'W/"{t[3].minute}"'
    # An older observation does not replace the listing.
    observe(store, POLITICS, "section", "Politics", t[0], [article(3).url], ids)
    assert store.index_listing(POLITICS)["article_urls"] == [article(2).url, article(1).url]
    assert store.index_listing(f"{BASE}/nowhere") is None


# The queries of docs/SCHEMA.md ("Placement history"), in both spellings.
TIME_ON_PAGE = {
    "postgresql": """
        SELECT a.title, min(p.first_seen_at) AS entered, max(p.last_seen_at) AS last_seen,
               sum(p.last_seen_at - p.first_seen_at) AS time_on_page,
               min(p.position) AS best_position, count(*) AS runs
        FROM placements p JOIN articles a ON a.id = p.article_id
        WHERE p.page_kind = 'section' AND p.page_name = 'Politics' AND p.page_number = 1
        GROUP BY a.id, a.title ORDER BY time_on_page DESC""",
    "sqlite": """
        SELECT a.title, min(p.first_seen_at) AS entered, max(p.last_seen_at) AS last_seen,
               round(sum(julianday(p.last_seen_at) - julianday(p.first_seen_at)) * 1440)
                 AS minutes_on_page,
               min(p.position) AS best_position, count(*) AS runs
        FROM placements p JOIN articles a ON a.id = p.article_id
        WHERE p.page_kind = 'section' AND p.page_name = 'Politics' AND p.page_number = 1
        GROUP BY a.id, a.title ORDER BY minutes_on_page DESC""",
}
ENTERED_REGION = """
    SELECT a.title, min(p.first_seen_at) AS entered
    FROM placements p JOIN articles a ON a.id = p.article_id
    WHERE p.page_kind = 'region' AND p.page_name = 'MENA'
    GROUP BY a.id, a.title ORDER BY entered DESC"""
PAGE_AT = """
    SELECT p.position, a.title
    FROM placements p JOIN articles a ON a.id = p.article_id
    WHERE p.page_url = :page AND p.first_seen_at <= :at AND p.last_seen_at >= :at
    ORDER BY p.position"""


def test_documented_placement_queries(store: Store, db_engine: Engine):
    t, _ids = scenario(store)
    backend = db_engine.dialect.name
    with db_engine.connect() as conn:
        rows = conn.execute(text(TIME_ON_PAGE[backend])).mappings().all()
        entered = conn.execute(text(ENTERED_REGION)).mappings().all()
        shown = conn.execute(text(PAGE_AT), {"page": POLITICS, "at": _bind(t[1], backend)}
                             ).all()
    first = rows[0]
    assert first["title"] == "Title 1" and first["runs"] == 2 and first["best_position"] == 1
    on_page = first["time_on_page"] if backend == "postgresql" else \
        timedelta(minutes=first["minutes_on_page"])
    assert on_page == timedelta(minutes=20)  # t0..t1 at 1, t2..t3 at 2
    assert [(r["title"], _utc(r["entered"])) for r in entered] == [("Title 1", t[1])]
    assert [tuple(r) for r in shown] == [(1, "Title 1"), (2, "Title 2")]


def _bind(value, backend: str):
    # SQLite keeps UTC times as text "YYYY-MM-DD HH:MM:SS.ffffff" (docs/SCHEMA.md).
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if backend == "sqlite" else value


def _utc(value):
    from datetime import datetime, timezone
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# --- migration 0002 on a database with data -------------------------------------------

def test_migration_0002_keeps_and_converts_existing_data(db_url: str, db_engine: Engine):
    migrate.upgrade(db_url, "0001")
    a, p = Article.__table__, Placement.__table__
    row = {"url": f"{BASE}/x", "title": "T", "summary": "S", "body": "B", "authors": [],
           "content_hash": "0" * 64, "revision": 3, "field_sources": {},
           "first_seen_at": T0, "last_seen_at": T0, "last_fetched_at": T0 + timedelta(hours=1),
           "modified_at": T0}
    with db_engine.begin() as conn:
        article_id = conn.execute(insert(a).values(row).returning(a.c.id)).scalar_one()
        conn.execute(insert(p), [
            {"article_id": article_id, "page_url": POLITICS, "page_kind": "section",
             "page_name": "Politics", "page_number": 1, "position": pos,
             "first_seen_at": T0 + timedelta(hours=pos), "last_seen_at": T0 + timedelta(hours=5)}
            for pos in (1, 2)])
    migrate.upgrade(db_url, "0002")
    with db_engine.connect() as conn:
        revision = conn.execute(select(ArticleRevision.__table__)).mappings().one()
        ip = IndexPageRecord.__table__  # the columns 0002 has (later ones added since)
        page = conn.execute(select(ip.c.url, ip.c.article_urls, ip.c.last_seen_at)
                            ).mappings().one()
    assert (revision["revision"], revision["title"], revision["fetched_at"]) == (
        3, "T", T0 + timedelta(hours=1))
    assert (page["url"], page["article_urls"], page["last_seen_at"]) == (
        POLITICS, [], T0 + timedelta(hours=5))
    with db_engine.begin() as conn:  # a second run at the same place is allowed now
        conn.execute(insert(p).values(
            article_id=article_id, page_url=POLITICS, page_kind="section", page_name="Politics",
            page_number=1, position=1, first_seen_at=T0 + timedelta(days=1),
            last_seen_at=T0 + timedelta(days=2)))
    migrate.downgrade(db_url, "0001")
    db_engine.dispose()
    with db_engine.connect() as conn:
        placements = conn.execute(select(p.c.position, p.c.first_seen_at, p.c.last_seen_at)
                                  .order_by(p.c.position)).all()
    # Back to one row per position: the first run stretched to the last.
    assert [tuple(r) for r in placements] == [
        (1, T0 + timedelta(hours=1), T0 + timedelta(days=2)),
        (2, T0 + timedelta(hours=2), T0 + timedelta(hours=5))]
