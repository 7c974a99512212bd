"""The analysts' answers at scale, for bench/search_bench.py: monitoring data added
to its synthetic articles, then each answer timed.

Added to the database (as the crawls of a month would leave them):
- ``article_revisions``: revision 1 of every article, and a revision 2 (an edit of
  the body, or of the title: a stealth edit in one case of three) for 2% of them;
- ``placements``: the home page (the 20 newest stories) and each section's page
  (its 20 newest) observed every 30 minutes over the last 30 days, stored as runs;
- ``breaking_news``: 20 items a day over those 30 days.

Timed (each answer once to warm up, then ``ROUNDS`` times: median and max, ms):
search with the count of all matches in relevance and newest-first order, changes
of the last 7 days, the home page and a section page at a moment, stats by tag over
30 days with the rising terms, and the HTML report of the last 7 days.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update

from crawler.db.models import Article, ArticleRevision, BreakingNews, Placement
from crawler.db.session import make_engine

ROUNDS = 5
OBSERVE_EVERY = timedelta(minutes=30)
LISTED = 20
DAYS = 30
EDITED_SHARE = 0.02


def fill_monitoring(url: str, now: datetime, seed: int = 11) -> dict[str, int]:
    """Add revisions, placement runs and breaking news; returns rows added."""
    rng = random.Random(seed)
    engine = make_engine(url, statement_timeout_ms=0)
    a, r = Article.__table__, ArticleRevision.__table__
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO article_revisions (article_id, revision, title, summary, body, "
            "content_hash, fetched_at, modified_at) SELECT id, 1, title, summary, body, "
            "content_hash, first_seen_at, modified_at FROM articles"))
        rows = conn.execute(select(a.c.id, a.c.title, a.c.body, a.c.published_at)
                            .order_by(a.c.id)).all()  # the same sample on both databases
    edits = []
    for row in rng.sample(rows, int(len(rows) * EDITED_SHARE)):
        fetched = min(row.published_at + timedelta(hours=rng.randint(1, 72)), now)
        stealth = rng.random() < 1 / 3
        edits.append({"article_id": row.id, "revision": 2,
                      "title": row.title + " (updated)" if stealth else row.title,
                      "summary": None, "body": row.body if stealth else
                      row.body + "\n\nThis article was updated with new figures.",
                      "content_hash": f"{row.id:063x}e", "fetched_at": fetched,
                      "modified_at": row.published_at if stealth else fetched})
    with engine.begin() as conn:
        conn.execute(insert(r), edits)
        conn.execute(update(a).where(a.c.id.in_([e["article_id"] for e in edits]))
                     .values(revision=2))
        recent = conn.execute(
            select(a.c.id, a.c.published_at, a.c.section, a.c.category)
            .where(a.c.published_at >= now - timedelta(days=DAYS + 2))
            .order_by(a.c.published_at)).all()
    pages: dict[tuple[str, str], list[Any]] = {("home", "Home"): list(recent)}
    for row in recent:
        pages.setdefault(("section", row.section or row.category), []).append(row)
    placements = []
    for (kind, name), listed in pages.items():
        placements += _runs(kind, name, listed, now)
    breaking = [{"text": f"Breaking {day}-{n}: synthetic ticker item",
                 "text_hash": f"{day:032x}{n:032x}",
                 "first_seen_at": now - timedelta(days=day, minutes=72 * n),
                 "last_seen_at": now - timedelta(days=day, minutes=72 * n - 90)}
                for day in range(DAYS) for n in range(20)]
    with engine.begin() as conn:
        for first in range(0, len(placements), 5000):
            conn.execute(insert(Placement), placements[first:first + 5000])
        conn.execute(insert(BreakingNews), breaking)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                          else "PRAGMA optimize"))
    engine.dispose()
    return {"revisions_2": len(edits), "placements": len(placements),
            "breaking": len(breaking)}


def _runs(kind: str, name: str, articles: list[Any], now: datetime) -> list[dict]:
    """Placement runs of a page that lists its ``LISTED`` newest articles, observed
    every ``OBSERVE_EVERY`` for ``DAYS`` days (``articles``: oldest first)."""
    page_url = f"https://english.almayadeen.net/{name.lower().replace(' ', '-')}"
    open_runs: dict[tuple[int, int], dict] = {}
    done: list[dict] = []
    observed, published = now - timedelta(days=DAYS), 0
    while observed <= now:
        while published < len(articles) and articles[published].published_at <= observed:
            published += 1
        shown = articles[max(0, published - LISTED):published][::-1]
        current = {(row.id, position) for position, row in enumerate(shown, 1)}
        for key in list(open_runs):
            if key not in current:
                done.append(open_runs.pop(key))
        for key in current:
            run = open_runs.setdefault(key, {
                "article_id": key[0], "page_url": page_url, "page_kind": kind,
                "page_name": name, "page_number": 1, "position": key[1],
                "first_seen_at": observed})
            run["last_seen_at"] = observed
        observed += OBSERVE_EVERY
    return done + list(open_runs.values())


def _timed(*calls: Callable[[], Any], rounds: int = ROUNDS) -> dict[str, float]:
    """Median and max (ms) of every call, each timed alone, ``rounds`` times."""
    for call in calls:
        call()  # warm-up: caches, pool, plans
    times = []
    for _ in range(rounds):
        for call in calls:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "calls": len(times)}


def measure_analysis(url: str, queries: list[dict], now: datetime, workdir: Path) -> dict:
    """Each answer's median and max time (ms); ``queries``: search_bench's mix."""
    from crawler.cli.report import write_report
    from crawler.db.changes import changes
    from crawler.db.prominence import frontpage
    from crawler.db.search import count_matches, search
    from crawler.db.trends import period_rows, periods, rising, stats

    engine = make_engine(url)
    # Topical and very common words: a common one matches a fifth of the articles.
    words = ([q["query"] for q in queries if q["kind"] == "word"][:8]
             + [q["query"] for q in queries if q["kind"] == "common word"][:4])
    week, month = now - timedelta(days=7), now - timedelta(days=DAYS)

    def search_with_count(query: str, sort: str) -> Callable[[], Any]:
        return lambda: (search(engine, query, sort=sort, limit=20),
                        count_matches(engine, query))

    def stats_and_rising(since: datetime) -> Any:  # as `newsmon stats --by tag` does
        rows = period_rows(engine, periods(since, now)[0], now, regions=False)
        return stats(engine, since, now, "tag", rows), rising(engine, since, now, rows=rows)

    moments = [now - timedelta(hours=h, minutes=17) for h in (1, 30, 200, 500)]
    result = {
        "search_and_count_relevance": _timed(*(search_with_count(q, "relevance")
                                               for q in words)),
        "search_and_count_newest": _timed(*(search_with_count(q, "newest") for q in words)),
        "changes_7d": _timed(lambda: changes(engine, since=week, limit=50)),
        "frontpage_home": _timed(*(lambda at=at: frontpage(engine, at, "home")
                                   for at in moments)),
        "frontpage_section": _timed(*(lambda at=at: frontpage(engine, at, "Politics")
                                      for at in moments)),
        "stats_by_tag_30d_with_rising": _timed(lambda: stats_and_rising(month)),
        "report_7d": _timed(lambda: write_report(engine, week, now,
                                                 str(workdir / "report.html")), rounds=2),
        "changes_7d_found": len(changes(engine, since=week, limit=1000)),
        "search_words": words,
    }
    engine.dispose()
    return result
