"""A watchlist's matches as an Atom feed (feedgen), for analysts who read feeds.

``write_feed`` writes the file atomically (a temporary file in the same folder, then
``os.replace``): a feed reader never sees half a feed. Entry ids are the alerts'
keys (``urn:newsmon:alert:<key>``), so an entry keeps its id across rewrites.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator
from sqlalchemy import Engine

from crawler.db import outbox

FEED_ENTRIES = 100
KIND_LABELS = {"new": "New", "edit": "Edited", "breaking": "Breaking"}


def build_feed(watchlist: dict[str, Any], alerts: list[dict[str, Any]]) -> bytes:
    """The Atom XML of a watchlist (``watchlists`` row) and its alerts, newest first."""
    feed = FeedGenerator()
    feed.id(f"urn:newsmon:watchlist:{watchlist['name']}")
    feed.title(f"newsmon watchlist: {watchlist['name']}")
    feed.subtitle(f"Matches of {watchlist['query'] or '(everything)'}"
                  + "".join(f", {k} {watchlist[k]}" for k in ("section", "region", "tag")
                            if watchlist.get(k)))
    feed.author({"name": "newsmon"})
    feed.generator("newsmon")
    feed.updated(alerts[0]["matched_at"] if alerts else watchlist["updated_at"])
    for alert in reversed(alerts):  # feedgen prepends: add oldest first
        entry = feed.add_entry()
        entry.id(f"urn:newsmon:alert:{alert['key']}")
        entry.title(f"{KIND_LABELS[alert['kind']]}: {alert['title']}")
        if alert["url"]:
            entry.link(href=alert["url"])
        entry.updated(alert["matched_at"])
        entry.published(alert["published_at"] or alert["matched_at"])
        if alert["section"]:
            entry.category(term=alert["section"])
        text = alert["snippet"] or ""
        if alert["diff"]:
            text += f"\n\nWhat changed:\n{alert['diff']}"
        entry.content(text.strip() or alert["title"], type="text")
    return feed.atom_str(pretty=True)


def write_feed(engine: Engine, watchlist: dict[str, Any], path: str | Path,
               limit: int = FEED_ENTRIES) -> int:
    """Write the feed of ``watchlist``'s latest ``limit`` matches to ``path``
    atomically; returns the number of entries."""
    alerts = outbox.list_alerts(engine, watchlist=watchlist["name"], limit=limit)
    data = build_feed(watchlist, alerts)
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(alerts)
