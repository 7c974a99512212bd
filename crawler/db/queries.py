"""Read-only queries behind ``Store`` (which is the public API; use it instead)."""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crawler.db.filters import ArticleFilter
from crawler.db.models import (
    Article,
    ArticleLink,
    ArticleRegion,
    ArticleTag,
    Base,
    BreakingNews,
    CrawlRun,
    FetchError,
    RawPage,
    Region,
    Tag,
    UrlAlias,
)
from crawler.db.siblings import siblings_of
from crawler.items import ARTICLE_EXPORT_KEYS, ARTICLE_FIELDS

Executor = Connection | Session

_articles: Table = Article.__table__  # type: ignore[assignment]
# Extracted fields stored as columns of ``articles`` (the others live in child tables).
SCALAR_FIELDS = tuple(f for f in ARTICLE_FIELDS if f not in ("url", "regions", "tags", "related_urls"))


def _lists_by_article(conn: Executor, stmt: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for article_id, value in conn.execute(stmt):
        out[article_id].append(value)
    return out


def tags_of(conn: Executor, ids: Sequence[int]) -> dict[int, list[str]]:
    """Tag names per article, in stored order."""
    at, t = ArticleTag.__table__, Tag.__table__
    return _lists_by_article(conn, select(at.c.article_id, t.c.name)
                             .join(t, t.c.id == at.c.tag_id)
                             .where(at.c.article_id.in_(ids))
                             .order_by(at.c.article_id, at.c.position))


def regions_of(conn: Executor, ids: Sequence[int], *, metadata_only: bool = False
               ) -> dict[int, list[str]]:
    """Region names per article, sorted: the union of metadata- and index-derived
    regions, or only the metadata ones."""
    ar, r = ArticleRegion.__table__, Region.__table__
    flag = ar.c.from_metadata.is_(True) if metadata_only else or_(
        ar.c.from_metadata.is_(True), ar.c.from_index.is_(True))
    return _lists_by_article(conn, select(ar.c.article_id, r.c.name)
                             .join(r, r.c.id == ar.c.region_id)
                             .where(ar.c.article_id.in_(ids), flag)
                             .order_by(ar.c.article_id, r.c.name))


def links_of(conn: Executor, ids: Sequence[int]) -> dict[int, list[str]]:
    """Related URLs per article, in document order."""
    al = ArticleLink.__table__
    return _lists_by_article(conn, select(al.c.from_article_id, al.c.to_url)
                             .where(al.c.from_article_id.in_(ids))
                             .order_by(al.c.from_article_id, al.c.position))


def stored_fields(conn: Executor, row: Mapping[str, Any]) -> dict[str, Any]:
    """The extracted fields of a stored article (``row``: its ``articles`` row),
    shaped for comparison with a new extraction."""
    ids = [row["id"]]
    fields = {name: row[name] for name in SCALAR_FIELDS}
    fields["authors"] = list(fields["authors"] or [])
    fields["tags"] = tags_of(conn, ids).get(row["id"], [])
    fields["regions"] = regions_of(conn, ids, metadata_only=True).get(row["id"], [])
    fields["related_urls"] = links_of(conn, ids).get(row["id"], [])
    return fields


def _export_records(conn: Executor, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    ids = [row["id"] for row in rows]
    tags, regions, links = tags_of(conn, ids), regions_of(conn, ids), links_of(conn, ids)
    siblings = siblings_of(conn, ids)
    records = []
    for row in rows:
        extra = {"regions": regions.get(row["id"], []), "tags": tags.get(row["id"], []),
                 "related_urls": links.get(row["id"], []),
                 "siblings": [s["url"] for s in siblings.get(row["id"], [])],
                 "authors": list(row["authors"] or [])}
        records.append({key: extra[key] if key in extra else row[key]
                        for key in ARTICLE_EXPORT_KEYS})
    return records


def resolve_article_id(conn: Executor, url: str) -> int | None:
    found = conn.execute(select(_articles.c.id).where(_articles.c.url == url)).scalar()
    if found is None:
        ua = UrlAlias.__table__
        found = conn.execute(select(ua.c.article_id).where(ua.c.url == url)).scalar()
    return found


def get_article(conn: Executor, url: str) -> dict[str, Any] | None:
    article_id = resolve_article_id(conn, url)
    if article_id is None:
        return None
    row = conn.execute(select(_articles).where(_articles.c.id == article_id)).mappings().one()
    return _export_records(conn, [row])[0]


def iter_export_articles(conn: Connection, which: ArticleFilter, batch_size: int,
                         extra: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
    """``extra``: more WHERE clauses (``export --query``: the search match)."""
    stmt = select(_articles).where(*which.clauses(), *extra).order_by(
        _articles.c.published_at.asc().nulls_last(), _articles.c.url)
    # yield_per: a server-side cursor on PostgreSQL, fetchmany on SQLite (which steps
    # the statement lazily): memory stays constant whatever the number of rows.
    result = conn.execution_options(yield_per=batch_size).execute(stmt)
    for rows in result.mappings().partitions():
        yield from _export_records(conn, rows)


def iter_export_breaking(conn: Connection, since: datetime | None, batch_size: int,
                         until: datetime | None = None,
                         edition: str | None = None) -> Iterator[dict[str, Any]]:
    b = BreakingNews.__table__
    stmt = select(b.c.text, b.c.first_seen_at, b.c.last_seen_at).order_by(
        b.c.first_seen_at, b.c.id)
    if edition is not None:
        stmt = stmt.where(b.c.edition == edition)
    if since is not None:
        stmt = stmt.where(b.c.last_seen_at >= since)
    if until is not None:
        stmt = stmt.where(b.c.first_seen_at < until)
    for row in conn.execution_options(yield_per=batch_size).execute(stmt).mappings():
        yield dict(row)


def iter_raw_pages(engine: Engine, batch_size: int
                   ) -> Iterator[tuple[int, str, bytes, str | None, int | None]]:
    rp = RawPage.__table__
    last_id = None
    while True:
        stmt = select(rp.c.article_id, rp.c.url, rp.c.html_gz, rp.c.encoding,
                      rp.c.http_status).order_by(rp.c.article_id).limit(batch_size)
        if last_id is not None:
            stmt = stmt.where(rp.c.article_id > last_id)
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
        if not rows:
            return
        for article_id, url, html_gz, encoding, status in rows:
            yield article_id, url, gzip.decompress(html_gz), encoding, status
        last_id = rows[-1][0]


def count_rows(conn: Executor, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def counts(conn: Executor) -> dict[str, int]:
    return {table.name: count_rows(conn, table) for table in Base.metadata.sorted_tables}


def get_run(conn: Executor, run_id: int) -> dict[str, Any] | None:
    runs = CrawlRun.__table__
    row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
    return dict(row) if row is not None else None


def recent_runs(conn: Executor, limit: int) -> list[dict[str, Any]]:
    runs = CrawlRun.__table__
    stmt = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def fetch_errors(conn: Executor, run_id: int) -> list[dict[str, Any]]:
    fe = FetchError.__table__
    stmt = select(fe).where(fe.c.run_id == run_id).order_by(fe.c.occurred_at, fe.c.id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def article_urls_ending_with(conn: Connection, path: str, limit: int = 3) -> list[str]:
    """Stored article URLs whose path is ``path`` (on any host), for a URL given
    without its host; at most ``limit`` (more than one is ambiguous)."""
    articles = Article.__table__
    suffix = "/" + path.lstrip("/")
    # A LIKE pattern with the path's own % and _ escaped, anchored after the host.
    escaped = suffix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(select(articles.c.url).where(
        articles.c.url.like("%://%" + escaped, escape="\\")).limit(limit * 4))
    return [url for (url,) in rows if url.split("://", 1)[-1].partition("/")[2]
            == suffix[1:]][:limit]
