"""What the site publishes, counted: articles per section, region, tag, author, day
or hour of a period, against the period of the same length just before it, and the
**rising** terms (tags, and names from the titles) whose share of the articles grew
most.

An article belongs to the period of its publication date (an undated one: when
first seen), as in ``crawler.db.filters``. A **name** is a run of capitalised words
in a title after its first word ("Khan Younis", "Cairo"); titles in scripts without
capitals (Arabic) give none. A term's **share** is the fraction of the period's
articles that carry it; a rising term has at least ``min_count`` articles in the
period and is ranked by the growth of its share (percentage points), then count.

The rows are read once per call (the two periods) and counted in Python, so both
databases give the same answer by construction; an article's tags come in order from
the index ``ix_article_tags_article_id_position`` alone, its regions only when
counted by region.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, Text, cast, or_, select, union_all

from crawler.db.filters import ArticleFilter, aware_utc
from crawler.db.models import Article, ArticleRegion, ArticleTag, Region, Tag

BY = ("section", "region", "tag", "author", "day", "hour")
NONE_KEY = "(none)"
_NAME = re.compile(r"(?:[A-Z][\w'’-]*\w)(?:\s+(?:al-|bin\s)?[A-Z][\w'’-]*\w)*")
_NOT_NAMES = {"The", "A", "An", "In", "On", "Of", "And", "For", "To", "As", "At", "By",
              "With", "From", "After", "Before", "Over", "Is", "Are", "Why", "How", "What"}

_articles: Table = Article.__table__  # type: ignore[assignment]


def _ids_in_period(start: datetime, end: datetime) -> Any:
    """Ids of the articles published in [start, end) (undated: first seen then), as
    two index range scans (``published_at``; its NULLs) rather than a scan of every
    article for ``coalesce(published_at, first_seen_at)``."""
    a = _articles
    return union_all(
        select(a.c.id).where(a.c.published_at >= start, a.c.published_at < end),
        select(a.c.id).where(a.c.published_at.is_(None), a.c.first_seen_at >= start,
                             a.c.first_seen_at < end))


def period_rows(engine: Engine, start: datetime, end: datetime,
                edition: str | None = None, language: str | None = None, *,
                regions: bool = True) -> list[dict[str, Any]]:
    """Articles published in [start, end) (undated: first seen): ``{id, when,
    section, category, authors_json, title, tags, regions}``; read once, then counted
    by ``stats``, ``rising`` and ``daily_by_section`` (pass it as ``rows``).
    ``edition``, ``language``: only those articles (``ArticleFilter``).
    ``regions=False``: not read (left empty), for counts that do not use them."""
    start, end = aware_utc(start, "start"), aware_utc(end, "end")
    a = _articles
    scope = ArticleFilter(edition=edition, language=language).clauses()
    # Only columns stored before the body: SQLite then reads each row's first page.
    # The authors as JSON text, decoded only to count by author (a JSON type would
    # decode every row).
    columns = (a.c.id, a.c.section, a.c.category, cast(a.c.authors, Text).label("authors"),
               a.c.title)
    ids = _ids_in_period(start, end).subquery("in_period")
    at, t = ArticleTag.__table__, Tag.__table__
    ar, r = ArticleRegion.__table__, Region.__table__
    with engine.connect() as conn:
        found = conn.execute(select(*columns, a.c.published_at.label("when"))
                             .where(a.c.published_at >= start, a.c.published_at < end,
                                    *scope)).all()
        found += conn.execute(select(*columns, a.c.first_seen_at.label("when"))
                              .where(a.c.published_at.is_(None), a.c.first_seen_at >= start,
                                     a.c.first_seen_at < end, *scope)).all()
        tags = conn.execute(select(at.c.article_id, t.c.name).join(t, t.c.id == at.c.tag_id)
                            .where(at.c.article_id.in_(select(ids.c.id)))
                            .order_by(at.c.article_id, at.c.position)).all()
        places = conn.execute(
            select(ar.c.article_id, r.c.name).join(r, r.c.id == ar.c.region_id)
            .where(ar.c.article_id.in_(select(ids.c.id)),
                   or_(ar.c.from_metadata.is_(True), ar.c.from_index.is_(True)))
            .order_by(ar.c.article_id, r.c.name)).all() if regions else []
    # The authors stay JSON text until counted by author (decoding every row's list
    # was a tenth of `stats --by tag`).
    rows = {row.id: {"id": row.id, "section": row.section, "category": row.category,
                     "authors_json": row.authors, "title": row.title, "when": row.when,
                     "tags": [], "regions": []}
            for row in found}
    for article_id, name in tags:
        if article_id in rows:  # (another edition's, when filtered)
            rows[article_id]["tags"].append(name)
    for article_id, name in places:
        if article_id in rows:
            rows[article_id]["regions"].append(name)
    return list(rows.values())


def names_in(title: str | None) -> set[str]:
    """Capitalised runs of words in a title, its first word left out."""
    words = (title or "").split(maxsplit=1)
    if len(words) < 2:
        return set()
    return {m.group(0) for m in _NAME.finditer(words[1]) if m.group(0) not in _NOT_NAMES}


def _keys(row: dict[str, Any], by: str) -> list[str]:
    if by == "section":
        return [row["section"] or row["category"] or NONE_KEY]
    if by == "region":
        return row["regions"] or [NONE_KEY]
    if by == "tag":
        return row["tags"] or [NONE_KEY]
    if by == "author":
        return list(json.loads(row["authors_json"] or "[]") or []) or [NONE_KEY]
    if by == "day":
        return [row["when"].strftime("%Y-%m-%d")]
    return [row["when"].strftime("%H")]  # hour of the day, UTC


def periods(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The previous period's start, and this one's length check."""
    since, until = aware_utc(since, "since"), aware_utc(until, "until")
    if until <= since:
        raise ValueError("the period must end after it starts")
    return since - (until - since), until


def stats(engine: Engine, since: datetime, until: datetime, by: str = "section",
          rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Counts by ``by`` in [since, until) and in the period as long just before:
    ``{by, since, until, previous_since, total, previous_total, rows: [{key, count,
    previous, change}]}``, most articles first (by day and hour: in time order;
    ``day`` has every day of the period, ``previous`` None). ``rows``: the
    ``period_rows`` of both periods, when already read."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    previous_since, until = periods(since, until)
    since = aware_utc(since, "since")
    if rows is None:
        rows = period_rows(engine, previous_since, until, regions=by == "region")
    now = Counter(k for row in rows if row["when"] >= since for k in _keys(row, by))
    before = Counter(k for row in rows if row["when"] < since for k in _keys(row, by))
    total = sum(1 for row in rows if row["when"] >= since)
    if by == "day":
        day, keys = since.replace(hour=0, minute=0, second=0, microsecond=0), []
        while day < until:
            keys.append(day.strftime("%Y-%m-%d"))
            day += timedelta(days=1)
        table = [{"key": k, "count": now[k], "previous": None, "change": None} for k in keys]
    else:
        keys = sorted(set(now) | set(before))
        table = [{"key": k, "count": now[k], "previous": before[k],
                  "change": now[k] - before[k]} for k in keys]
        if by != "hour":
            table.sort(key=lambda row: (-row["count"], -row["previous"], row["key"]))
    return {"by": by, "since": since, "until": until, "previous_since": previous_since,
            "total": total, "previous_total": len(rows) - total, "rows": table}


def rising(engine: Engine, since: datetime, until: datetime, min_count: int = 3,
           top: int = 10, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Rising tags and names of [since, until) against the period before:
    ``{tags: [...], names: [...]}``, each ``{term, count, previous, share,
    previous_share, growth}`` (shares in percent, growth in points), best first."""
    previous_since, until = periods(since, until)
    since = aware_utc(since, "since")
    if rows is None:
        rows = period_rows(engine, previous_since, until, regions=False)
    current = [row for row in rows if row["when"] >= since]
    earlier = [row for row in rows if row["when"] < since]
    terms_of = {"tags": lambda row: set(row["tags"]),
                "names": lambda row: names_in(row["title"])}
    out = {}
    for kind, terms in terms_of.items():
        now = Counter(term for row in current for term in terms(row))
        before = Counter(term for row in earlier for term in terms(row))
        found = []
        for term, count in now.items():
            if count < min_count:
                continue
            share = 100 * count / len(current)
            previous_share = 100 * before[term] / len(earlier) if earlier else 0.0
            found.append({"term": term, "count": count, "previous": before[term],
                          "share": round(share, 2),
                          "previous_share": round(previous_share, 2),
                          "growth": round(share - previous_share, 2)})
        found = [t for t in found if t["growth"] > 0]  # rising: a larger share only
        found.sort(key=lambda t: (-t["growth"], -t["count"], t["term"]))
        out[kind] = found[:top]
    return out


def top_terms(engine: Engine, since: datetime, until: datetime, by: str = "tag",
              top: int = 15, rows: list[dict[str, Any]] | None = None
              ) -> list[dict[str, Any]]:
    """The ``top`` rows of ``stats`` (without the none key)."""
    return [row for row in stats(engine, since, until, by, rows)["rows"]
            if row["key"] != NONE_KEY][:top]


def daily_by_section(engine: Engine, since: datetime, until: datetime,
                     top: int = 6, rows: list[dict[str, Any]] | None = None
                     ) -> dict[str, Any]:
    """Articles per day of [since, until) by section: ``{days: [YYYY-MM-DD],
    sections: {name: [count per day]}}``; the ``top`` sections with most articles,
    the rest as "other" (a section-less article counts under its category)."""
    since, until = aware_utc(since, "since"), aware_utc(until, "until")
    if rows is None:
        rows = period_rows(engine, since, until, regions=False)
    rows = [row for row in rows if since <= row["when"] < until]
    day, days = since.replace(hour=0, minute=0, second=0, microsecond=0), []
    while day < until:
        days.append(day.strftime("%Y-%m-%d"))
        day += timedelta(days=1)
    totals = Counter(_keys(row, "section")[0] for row in rows)
    kept = [name for name, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    sections = {name: [0] * len(days) for name in kept}
    index = {d: i for i, d in enumerate(days)}
    for row in rows:
        name = _keys(row, "section")[0]
        name = name if name in sections else "other"
        sections.setdefault(name, [0] * len(days))[index[row["when"].strftime("%Y-%m-%d")]] += 1
    return {"days": days, "sections": sections}
