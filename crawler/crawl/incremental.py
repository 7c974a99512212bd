"""What a crawl remembers from earlier ones: which links lead to stored articles,
which are due for a revisit, which failed for good, and the validators to send.

The spider asks ``CrawlMemory`` (read-only; the pipeline does every write):

- ``known(urls)``: the articles stored *before this run started* that the URLs lead
  to (canonical URL or any alias: redirect sources, tracking-parameter variants
  canonicalise to the same URL already). Articles stored during the run are not
  "known": a first crawl paginates exactly as it always did.
- ``is_due(article, card_title, previous_card_title)``: the revisit policy
  (``RevisitPolicy``); a card's title counts against what that card showed last time.
- ``is_gone(url)``: answered 404/410 in the last ``NEWSMON_RETRY_FAILED_AFTER``: not
  asked again.
- ``conditional_headers(url)``: If-None-Match / If-Modified-Since from the stored
  validators.
- ``seen_by_complete_crawl(when)``: whether an article stored, or a listing observed,
  at ``when`` was stored by a crawl that finished every index chain. A crawl that was
  killed or stopped (``crawl_runs.index_complete`` false) may have stored an article
  listed on page 1 of a chain and died before it read page 3: what it stored must not
  make a later crawl stop reading that chain early. So the spider decides how deep to
  read a chain as if runs since the last complete crawl had stored nothing (it still
  does not fetch their articles again); the first crawl that completes closes every
  chain they left open (docs/RELIABILITY.md).

Settings: ``NEWSMON_INCREMENTAL`` (False: remember nothing, fetch everything, as a
first crawl does), ``NEWSMON_REVISIT_SCHEDULE``, ``NEWSMON_REVISIT_AFTER``,
``NEWSMON_RETRY_FAILED_AFTER``, ``NEWSMON_CONDITIONAL_REQUESTS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.config import parse_duration
from crawler.db.monitoring import KnownArticle
from crawler.db.text import normalize_text

logger = logging.getLogger(__name__)

NEVER = None


def parse_schedule(value: Any) -> list[tuple[float | None, float | None]]:
    """``"1d=1h, 7d=12h, *=never"`` -> ``[(86400, 3600), (604800, 43200), (None, None)]``.

    Each tier is ``AGE=INTERVAL``: an article younger than AGE (by published_at, else
    first seen) is revisited once INTERVAL has passed since it was last fetched; the
    first matching tier applies. AGE ``*`` matches any age; INTERVAL ``never`` means
    only when an index page shows a changed title. Older than every tier: never.
    A dict (``{"1d": "1h"}``) or a list of pairs works too.
    """
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, (list, tuple)):
        pairs = [tuple(p) for p in value]
    else:
        pairs = []
        for part in str(value or "").replace(";", ",").split(","):
            if part.strip():
                age, sep, interval = part.partition("=")
                if not sep:
                    raise ValueError(f"revisit schedule: expected AGE=INTERVAL, got {part!r}")
                pairs.append((age, interval))
    tiers = []
    for age, interval in pairs:
        age_s = None if str(age).strip() in ("*", "") else parse_duration(age)
        text = str(interval).strip().lower()
        interval_s = NEVER if text in ("never", "off", "none") else parse_duration(interval)
        tiers.append((age_s, interval_s))
    return tiers


@dataclass
class RevisitPolicy:
    """When is a stored article due for a new fetch?

    ``after`` (``--revisit-after``) overrides the tiers: due once that long has passed
    since the last fetch (0: always). An index card whose title differs from the
    stored title makes the article due in any case.
    """
    tiers: list[tuple[float | None, float | None]] = field(default_factory=list)
    after: float | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> RevisitPolicy:
        after = settings.get("NEWSMON_REVISIT_AFTER")
        return cls(tiers=parse_schedule(settings.get("NEWSMON_REVISIT_SCHEDULE")),
                   after=None if after in (None, "") else parse_duration(after))

    def interval(self, article: KnownArticle, now: datetime) -> float | None:
        """Seconds between two fetches of this article now (None: never)."""
        if self.after is not None:
            return self.after
        age = (now - (article.published_at or article.first_seen_at)).total_seconds()
        for max_age, interval in self.tiers:
            if max_age is None or age < max_age:
                return interval
        return NEVER

    def is_due(self, article: KnownArticle, now: datetime,
               card_title: str | None = None, previous_card_title: str | None = None
               ) -> bool:
        """Due by age, or because an index card shows a new title: another than the
        same card showed last time (``previous_card_title``), or, for a card never seen
        before, than the article's title at its last fetch. A card whose headline is
        simply shorter or different from the article's makes it due once, not on
        every crawl."""
        if card_title and title_changed(card_title, previous_card_title or article.title):
            return True
        interval = self.interval(article, now)
        if interval is None:
            return False
        return now - article.last_fetched_at >= timedelta(seconds=interval)


def title_changed(card_title: str, stored_title: str | None) -> bool:
    """An index card shows another title than the stored one (a card that shortens
    the title, "Long title…", is not a change)."""
    card, stored = normalize_text(card_title), normalize_text(stored_title)
    if len(card) < 8 or not stored:
        return False
    shortened = card.rstrip(".… ")
    return card != stored and not (shortened != card and stored.startswith(shortened))


class CrawlMemory:
    """Read-only view of earlier crawls for one run (see the module docstring)."""

    def __init__(self, store: Any | None, policy: RevisitPolicy, started_at: datetime, *,
                 retry_failed_after: float = 86400.0, conditional: bool = True):
        self.store = store
        self.policy = policy
        self.started_at = started_at
        self.retry_failed_after = retry_failed_after
        self.conditional = conditional and store is not None
        self._known: dict[str, KnownArticle | None] = {}
        self._gone: dict[str, bool] = {}
        # End of the last crawl of the site that read every index chain (None: none).
        self.complete_before: datetime | None = None

    @classmethod
    def from_settings(cls, settings: Any, started_at: datetime | None = None) -> CrawlMemory:
        started_at = started_at or datetime.now(UTC)
        policy = RevisitPolicy.from_settings(settings)
        if not settings.getbool("NEWSMON_INCREMENTAL", True):
            return cls(None, policy, started_at, conditional=False)
        from crawler.db.session import make_engine, resolve_database_url
        from crawler.db.store import Store

        url = resolve_database_url(settings.get("NEWSMON_DATABASE_URL") or None)
        from crawler.crawl.outage import OutageTolerantReads  # database lost: nothing known

        return cls(OutageTolerantReads(Store(make_engine(url))), policy, started_at,
                   retry_failed_after=parse_duration(
                       settings.get("NEWSMON_RETRY_FAILED_AFTER") or 0),
                   conditional=settings.getbool("NEWSMON_CONDITIONAL_REQUESTS", True))

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def close(self) -> None:
        if self.store is not None:
            self.store.engine.dispose()

    def known(self, urls: list[str]) -> dict[str, KnownArticle]:
        """Articles stored before this run that ``urls`` lead to, by URL (cached)."""
        if self.store is None:
            return {}
        missing = [u for u in dict.fromkeys(urls) if u not in self._known]
        if missing:
            found = self.store.known_articles(missing, known_before=self.started_at)
            gone = (self.store.recent_failures(
                missing, self.started_at - timedelta(seconds=self.retry_failed_after))
                if self.retry_failed_after > 0 else set())
            for url in missing:
                self._known[url] = found.get(url)
                self._gone[url] = url in gone
        return {u: k for u in urls if (k := self._known.get(u)) is not None}

    def forget_cached(self, limit: int) -> None:
        """Empty the cache of ``known``/``is_gone`` answers once it holds more than
        ``limit`` URLs (a process that never ends; the database answers again)."""
        if len(self._known) > limit or len(self._gone) > limit:
            self._known.clear()
            self._gone.clear()

    def recall_last_complete_crawl(self, base_url: str) -> None:
        """Load ``complete_before`` for the site (call once, before the crawl reads)."""
        if self.store is not None:
            self.complete_before = self.store.last_complete_crawl(base_url)
            logger.debug("last crawl that read every index chain ended %s",
                         self.complete_before)

    def seen_by_complete_crawl(self, when: datetime | None) -> bool:
        """Stored (or observed) no later than the end of the last crawl that read every
        index chain: what a later killed or stopped crawl stored is not."""
        return self.complete_before is not None and when is not None \
            and when <= self.complete_before

    def is_gone(self, url: str) -> bool:
        if self.store is None:
            return False
        if url not in self._gone:
            self.known([url])
        return self._gone.get(url, False)

    def is_due(self, article: KnownArticle, card_title: str | None = None,
               previous_card_title: str | None = None) -> bool:
        return self.policy.is_due(article, datetime.now(UTC), card_title,
                                  previous_card_title)

    def conditional_headers(self, url: str) -> dict[str, str]:
        if not self.conditional:
            return {}
        found = self.store.validators([url]).get(url)
        if found is None:
            return {}
        headers = {}
        if found.etag:
            headers["If-None-Match"] = found.etag
        if found.last_modified:
            headers["If-Modified-Since"] = found.last_modified
        return headers

    def stored_listing(self, url: str) -> dict[str, Any] | None:
        """The listing an index page showed last time (replayed on a 304)."""
        return self.store.index_listing(url) if self.store is not None else None
