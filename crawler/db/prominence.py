"""Where the site put a story, from the placement runs (``placements``, see
docs/SCHEMA.md): what an index page showed at a moment, and where and how long one
article was listed.

A placement row is a run: the article stayed at that position of that page from
``first_seen_at`` to ``last_seen_at``, in every observation of the page between.
The page **at a moment T** is its listing at its last observation at or before T:
every run that started at or before T and was still seen then (a run that covers
T, or one that ended at that observation). Precision: the crawl interval. When two
runs claim one position, the one that started later wins (the older one ended
between observations).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, and_, func, select

from crawler.db.filters import aware_utc
from crawler.db.models import Article, Placement

_articles: Table = Article.__table__  # type: ignore[assignment]
_placements: Table = Placement.__table__  # type: ignore[assignment]


def _page_clauses(page: str, page_number: int, edition: str = "en") -> list[Any]:
    """The placements of one page of one edition (each edition has its home page)."""
    p = _placements
    clauses = [p.c.page_number == page_number, p.c.edition == edition]
    if page.lower() == "home":
        clauses.append(p.c.page_kind == "home")
    else:
        clauses += [p.c.page_kind != "home", func.lower(p.c.page_name) == func.lower(page)]
    return clauses


def frontpage(engine: Engine, at: datetime, page: str = "home",
              page_number: int = 1, edition: str = "en") -> dict[str, Any]:
    """The listing of ``page`` (``home``, or a section or region name, any case) at
    ``at``: ``{page, observed_at, items: [{position, url, title, section,
    published_at, listed_since, listed_until}]}``. ``observed_at``: the last
    observation at or before ``at`` that the runs record (None, and no items, when
    the page was not observed by then)."""
    at = aware_utc(at, "at")
    p = _placements
    where = _page_clauses(page, page_number, edition)
    started = and_(*where, p.c.first_seen_at <= at)
    with engine.connect() as conn:
        # The last observation at or before T that the runs record: a run's start
        # or end (a run covering T was seen at its start, and at T's side of it).
        starts = conn.execute(select(func.max(p.c.first_seen_at)).where(started)).scalar()
        ends = conn.execute(select(func.max(p.c.last_seen_at))
                            .where(*where, p.c.last_seen_at <= at)).scalar()
        if starts is None:
            return {"page": page, "observed_at": None, "items": []}
        observed = max(starts, ends) if ends is not None else starts
        rows = conn.execute(
            select(p.c.position, p.c.page_name, p.c.first_seen_at.label("listed_since"),
                   p.c.last_seen_at.label("listed_until"), _articles.c.url,
                   _articles.c.title, _articles.c.section, _articles.c.published_at)
            .join(_articles, _articles.c.id == p.c.article_id)
            .where(started, p.c.last_seen_at >= observed)
            .order_by(p.c.position, p.c.first_seen_at.desc(), _articles.c.url)
        ).mappings().all()
    items: dict[int, dict[str, Any]] = {}
    for row in rows:
        items.setdefault(row["position"], dict(row))  # the later run at a position
    name = rows[0]["page_name"] if rows else page
    return {"page": name, "observed_at": observed,
            "items": [{k: v for k, v in item.items() if k != "page_name"}
                      for item in items.values()]}


def prominence(engine: Engine, article_id: int) -> dict[str, Any]:
    """Where and how long an article was listed: ``{runs: [{page_kind, page_name,
    page_number, position, first_seen_at, last_seen_at, seconds}], pages:
    [{page_kind, page_name, first_seen_at, last_seen_at, seconds, best_position,
    runs}]}``; runs in time order, pages home first, then by first sighting.
    ``seconds``: from first to last sighting of each run (added up per page)."""
    p = _placements
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.c.page_kind, p.c.page_name, p.c.page_number, p.c.position,
                   p.c.first_seen_at, p.c.last_seen_at)
            .where(p.c.article_id == article_id)
            .order_by(p.c.first_seen_at, p.c.page_kind, p.c.page_name, p.c.position)
        ).mappings().all()
    runs = [{**row, "seconds": int((row["last_seen_at"] - row["first_seen_at"])
                                   .total_seconds())} for row in rows]
    pages: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        key = (run["page_kind"], run["page_name"])
        page = pages.setdefault(key, {
            "page_kind": run["page_kind"], "page_name": run["page_name"],
            "first_seen_at": run["first_seen_at"], "last_seen_at": run["last_seen_at"],
            "seconds": 0, "best_position": run["position"], "runs": 0})
        page["last_seen_at"] = max(page["last_seen_at"], run["last_seen_at"])
        page["seconds"] += run["seconds"]
        page["best_position"] = min(page["best_position"], run["position"])
        page["runs"] += 1
    ordered = sorted(pages.values(), key=lambda pg: (pg["page_kind"] != "home",
                                                     pg["first_seen_at"], pg["page_name"]))
    return {"runs": runs, "pages": ordered}


def lead_stories(engine: Engine, since: datetime, until: datetime,
                 page: str = "home", position: int = 1,
                 edition: str = "en") -> list[dict[str, Any]]:
    """The runs at ``position`` (default: the lead) of ``page`` overlapping
    [since, until), in time order: ``{url, title, first_seen_at, last_seen_at}``."""
    since, until = aware_utc(since, "since"), aware_utc(until, "until")
    p = _placements
    with engine.connect() as conn:
        rows = conn.execute(
            select(_articles.c.url, _articles.c.title, p.c.first_seen_at, p.c.last_seen_at)
            .join(_articles, _articles.c.id == p.c.article_id)
            .where(*_page_clauses(page, 1, edition), p.c.position == position,
                   p.c.first_seen_at < until, p.c.last_seen_at >= since)
            .order_by(p.c.first_seen_at, _articles.c.url)).mappings().all()
    return [dict(row) for row in rows]
