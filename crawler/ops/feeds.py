"""A watchlist's matches as an Atom feed (feedgen), for analysts who read feeds.

``write_feed`` writes the file atomically (a temporary file in the same folder, then
``os.replace``): a feed reader never sees half a feed. Entry ids are the alerts'
keys (``urn:newsmon:alert:<key>``), so an entry keeps its id across rewrites.
``FeedRefresher`` keeps the feeds of ``[alerts] feeds`` current for the scheduler.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.db import outbox

logger = logging.getLogger("newsmon.feeds")

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


class FeedRefresher:
    """The scheduler's feeds (``[alerts] feeds``: watchlist name -> file): rewritten
    when a new match has been stored since they were last written (after each job,
    and every heartbeat for the continuous monitor's matches). A feed that cannot be
    written (no such watchlist, a folder missing) is one warning, and is tried again
    when the next match arrives; the others are written."""

    def __init__(self, engine: Engine, feeds: dict[str, str]):
        self.engine = engine
        self.feeds = dict(feeds)
        self._tried_at: int | None = -1  # the newest alert id when last tried (-1: never)
        self._lock = threading.Lock()  # the job thread and the main loop both refresh
        self._last_error: str | None = None

    def refresh(self) -> int:
        """Write the feeds if a match arrived since they were last tried (or they never
        were); returns how many were written."""
        if not self.feeds:
            return 0
        with self._lock:
            try:
                newest = outbox.newest_alert_id(self.engine)
            except SQLAlchemyError as exc:  # no schema before the first crawl, an outage
                error = str(exc).strip().splitlines()[0][:200]
                if error != self._last_error:  # once, not at every heartbeat
                    logger.warning("feeds: not refreshed, the database did not answer: %s",
                                   error)
                self._last_error = error
                return 0
            self._last_error = None
            if newest == self._tried_at:
                return 0
            self._tried_at = newest  # a failing feed warns once per new match, not per beat
            return sum(self._write_one(name, path) for name, path in self.feeds.items())

    def _write_one(self, name: str, path: str) -> bool:
        from crawler.db.watchlists import get_watchlist

        try:
            with self.engine.connect() as conn:
                watchlist = get_watchlist(conn, name)
            if watchlist is None:
                logger.warning("feeds: no watchlist named %r ([alerts] feeds)", name)
                return False
            count = write_feed(self.engine, watchlist, Path(path).expanduser())
        except OSError as exc:
            logger.warning("feeds: cannot write %s: %s", path, exc.strerror or exc)
            return False
        except SQLAlchemyError as exc:
            logger.warning("feeds: the database did not answer: %s",
                           str(exc).strip().splitlines()[0][:200])
            return False
        except Exception:  # noqa: BLE001 - a feed's bug must not stop the scheduler
            logger.exception("feeds: could not write %s", path)
            return False
        logger.info("feeds: %s written to %s (%d entries)", name, path, count)
        return True
