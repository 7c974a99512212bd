"""What the monitor learned about each index page (table ``monitor_pages``, 0009).

Rows are plain dicts keyed as the table's columns; ``crawler.crawl.polling_state``
turns them into ``crawler.crawl.polling.PageRate`` and back (this layer knows no crawl).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from crawler.db.models import MonitorPage
from crawler.db.upsert import upsert

_table = MonitorPage.__table__
COLUMNS = tuple(c.name for c in _table.columns)
_LEARNED = tuple(c for c in COLUMNS if c not in ("base_url", "url"))


def load_pages(engine: Engine, base_url: str) -> list[dict[str, Any]]:
    """Every page learned for ``base_url``."""
    with engine.connect() as conn:
        rows = conn.execute(select(_table).where(_table.c.base_url == base_url)
                            .order_by(_table.c.url)).mappings()
        return [dict(row) for row in rows]


def save_pages(engine: Engine, base_url: str, pages: list[dict[str, Any]],
               now: datetime | None = None) -> None:
    """Insert or update these pages (dicts with every column but ``base_url`` and
    ``updated_at``) in one transaction."""
    if not pages:
        return
    now = now or datetime.now(UTC)
    rows = [{**page, "base_url": base_url, "updated_at": now} for page in pages]
    with engine.begin() as conn:
        upsert(conn, _table, rows, ["base_url", "url"], list(_LEARNED))


def delete_pages(engine: Engine, base_url: str, urls: list[str]) -> None:
    """Forget these pages (a sitemap the site no longer has, last month's)."""
    if not urls:
        return
    with engine.begin() as conn:
        conn.execute(delete(_table).where(_table.c.base_url == base_url,
                                          _table.c.url.in_(urls)))


def freshness(engine: Engine, base_url: str | None = None,
              now: datetime | None = None) -> list[dict[str, Any]]:
    """Per site and page kind (``newsmon status``): how many pages, the page looked at
    longest ago (``worst_url``, ``worst_age`` seconds) against its target interval
    (``worst_target``, real seconds), and how many are overdue (not looked at for
    twice their target)."""
    now = now or datetime.now(UTC)
    query = select(_table)
    if base_url:
        query = query.where(_table.c.base_url == base_url)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            key = (row["base_url"], row["page_kind"])
            entry = out.setdefault(key, dict(base_url=key[0], page_kind=key[1], pages=0,
                                             overdue=0, worst_url=None, worst_age=None,
                                             worst_target=None, worst_ratio=-1.0))
            entry["pages"] += 1
            if row["last_polled_at"] is None:
                continue
            age = (now - row["last_polled_at"]).total_seconds()
            target = row["interval_seconds"] or 0.0
            ratio = age / target if target else 0.0
            if ratio > 2:
                entry["overdue"] += 1
            if ratio > entry["worst_ratio"]:
                entry.update(worst_url=row["url"], worst_age=age, worst_target=target,
                             worst_ratio=ratio)
    return [out[key] for key in sorted(out)]
