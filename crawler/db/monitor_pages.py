"""What the monitor learned about each index page (table ``monitor_pages``, 0009).

Rows are plain dicts keyed as the table's columns; ``crawler.crawl.polling_state``
turns them into ``crawler.crawl.polling.PageRate`` and back (this layer knows no crawl).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
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


def freshness(engine: Engine, base_url: str | None = None) -> list[dict[str, Any]]:
    """Per site and page kind: pages, the oldest last poll, the longest planned
    interval, polls and changes (``newsmon status``)."""
    query = select(_table)
    if base_url:
        query = query.where(_table.c.base_url == base_url)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            key = (row["base_url"], row["page_kind"])
            entry = out.setdefault(key, dict(base_url=key[0], page_kind=key[1], pages=0,
                                             oldest_poll=None, newest_poll=None,
                                             longest_interval=None, polls=0, changes=0))
            entry["pages"] += 1
            entry["polls"] += row["polls"]
            entry["changes"] += row["changes"]
            polled = row["last_polled_at"]
            if polled is not None:
                entry["oldest_poll"] = min(filter(None, [entry["oldest_poll"], polled]))
                entry["newest_poll"] = max(filter(None, [entry["newest_poll"], polled]))
            if row["interval_seconds"] is not None:
                entry["longest_interval"] = max(entry["longest_interval"] or 0.0,
                                                row["interval_seconds"])
    return [out[key] for key in sorted(out)]
