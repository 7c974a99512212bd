"""The monitor's learned rates in the database, so that a restart keeps them.

``PollingState(db_url, base_url)`` loads the ``PageRate`` of every page learned for the
site (``load``) and saves pages after their polls (``save``). The database may be away
(the monitor keeps polling from memory and saves when it is back): an unavailable
database is logged once per outage, never raised.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from crawler.crawl.outage import is_unavailable
from crawler.crawl.polling import PageRate
from crawler.db import monitor_pages
from crawler.db.session import make_engine, resolve_database_url

logger = logging.getLogger(__name__)

_FIELDS = ("long_count", "long_exposure", "short_count", "short_exposure", "polls",
           "changes")


def epoch_seconds(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _aware(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def to_row(page: PageRate) -> dict:
    return dict(url=page.url, page_kind=page.kind, page_name=page.name,
                **{name: getattr(page, name) for name in _FIELDS},
                last_polled_at=_aware(page.last_polled), last_change_at=_aware(page.last_change),
                interval_seconds=page.interval)


def from_row(row: dict) -> PageRate:
    return PageRate(url=row["url"], kind=row["page_kind"], name=row["page_name"],
                    **{name: row[name] for name in _FIELDS},
                    last_polled=epoch_seconds(row["last_polled_at"]),
                    last_change=epoch_seconds(row["last_change_at"]),
                    interval=row["interval_seconds"])


class PollingState:
    def __init__(self, db_url: str, base_url: str):
        self.engine = make_engine(db_url)
        self.base_url = base_url
        self.down = False

    @classmethod
    def from_settings(cls, settings, base_url: str) -> PollingState:
        """The state in the crawl's database (``NEWSMON_DATABASE_URL``)."""
        return cls(resolve_database_url(settings.get("NEWSMON_DATABASE_URL") or None),
                   base_url)

    def load(self) -> list[PageRate]:
        try:
            return [from_row(row) for row in monitor_pages.load_pages(self.engine,
                                                                      self.base_url)]
        except Exception as exc:  # noqa: BLE001 - only an unavailable database
            if not is_unavailable(exc):
                raise
            logger.warning("Learned polling rates not loaded (database unavailable): "
                           "starting from the priors")
            return []

    def save(self, pages: list[PageRate]) -> bool:
        """Write these pages; False (and nothing raised) while the database is away."""
        try:
            monitor_pages.save_pages(self.engine, self.base_url, [to_row(p) for p in pages])
        except Exception as exc:  # noqa: BLE001 - only an unavailable database
            if not is_unavailable(exc):
                raise
            if not self.down:
                logger.warning("Learned polling rates not saved (database unavailable); "
                               "kept in memory")
            self.down = True
            return False
        self.down = False
        return True

    def forget(self, urls: list[str]) -> None:
        """Delete these pages' rows (a page no longer watched); nothing raised while
        the database is away (the row stays: the page is dropped again next time)."""
        try:
            monitor_pages.delete_pages(self.engine, self.base_url, urls)
        except Exception as exc:  # noqa: BLE001 - only an unavailable database
            if not is_unavailable(exc):
                raise

    def close(self) -> None:
        self.engine.dispose()
