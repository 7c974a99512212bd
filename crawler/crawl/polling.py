"""When the monitor looks at each page again: learned change rates and a shared budget.

Pure code (no Scrapy, no database): ``crawler.spiders.monitor`` feeds it what each poll
saw and asks which page is due; ``crawler.crawl.polling_state`` keeps it in the database.

- A page's rate of change (new articles per second) is learned from its polls:
  ``PageRate.observe(now, new_items)``. Two exponentially decayed estimates, a long one
  (``half_life``: recent history weighs more) and a short one (``burst_half_life``: a
  page that just produced stories is looked at sooner); the rate used is the larger.
  A prior (``PRIOR_COUNT`` changes in ``prior_seconds``) keeps a page never seen to
  change from being forgotten.
- The budget (requests per hour) is shared out by the square-root rule: for the delay
  of new items, polling page i at frequency f_i proportional to sqrt(rate_i) minimises
  the expected delay sum(rate_i / (2 f_i)) under sum(f_i) = budget (Cho and
  Garcia-Molina's freshness results; Lagrange). ``allocate`` does it with bounds
  (``min_interval``, ``max_interval``) by clamping and re-sharing the rest.
- A floor: whatever its learned rate, no page waits longer than the budget can pay
  for every page with ``FLOOR_SHARE`` of it (a quiet section never featured anywhere
  is found only on its own index), nor longer than ``max_interval``.
- ``PollPlan`` holds every page, the budget left for polls once article fetches are
  paid (``extra_per_second``, measured by the spider), and answers ``due(now)``.
  Pages of a kind in ``NO_TICKER`` (sitemaps) are polled like the others but do not
  show the ticker: the ticker is read on the HTML page due next, early reads taking
  at most a share of the budget that shrinks with a budget too small to follow it.
- Coverage: once a sitemap has shown news (``long_count`` >= 1: dated history or new
  URLs), the other pages lose their prior: they are credited only with what it did not
  show first, so a prior would only keep claiming polls for news the sitemap lists.
  They keep the floor (which then holds even when the budget cannot pay every page at
  ``max_interval``: a quarter of it shared by all), and the ticker reads.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

PRIOR_COUNT = 0.5
FLOOR_SHARE = 0.25      # of the poll budget: every page at least this often
MAX_INTERVAL_SHARE = 0.5  # of the poll budget: at most this for every page at max_interval
TICKER_SHARE = 0.5      # of the poll budget: at most this much spent reading the ticker early,
TICKER_FULL_READS = 2.0  # ... once it pays this many reads per ticker interval (less: less)
NO_TICKER = frozenset({"sitemap"})  # kinds of page that do not show the ticker


@dataclass
class PollingConfig:
    """The monitor's knobs, in seconds of the site's clock (``speedup`` > 1 only for
    a replica running faster than real time)."""
    budget_per_hour: float = 240.0      # requests per hour: polls and what they find
    min_interval: float = 30.0          # no page more often than this
    max_interval: float = 3600.0        # every page at least this often
    ticker_interval: float = 45.0       # the ticker read this often (60 s, with a margin)
    half_life: float = 6 * 3600.0
    burst_half_life: float = 900.0
    prior_seconds: float = 6 * 3600.0
    min_poll_share: float = 0.25        # of the budget, kept for polls whatever articles cost
    speedup: float = 1.0

    def real(self, seconds: float) -> float:
        """Site seconds -> real seconds."""
        return seconds / self.speedup


@dataclass
class PageRate:
    """What the monitor learned about one page (persisted by ``polling_state``)."""
    url: str
    kind: str = "section"
    name: str = ""
    long_count: float = 0.0
    long_exposure: float = 0.0
    short_count: float = 0.0
    short_exposure: float = 0.0
    polls: int = 0
    changes: int = 0
    last_polled: float | None = None    # epoch seconds (real)
    last_change: float | None = None
    interval: float | None = None       # the target interval last planned (site seconds)

    def observe(self, now: float, new_items: int, config: PollingConfig) -> None:
        """A poll at ``now`` (real epoch seconds) showed ``new_items`` articles the page
        did not show before (None before the first poll: nothing to compare)."""
        if self.last_polled is not None:
            elapsed = max(0.0, (now - self.last_polled) * config.speedup)  # site seconds
            long_decay = 0.5 ** (elapsed / config.half_life)
            short_decay = 0.5 ** (elapsed / config.burst_half_life)
            self.long_count = self.long_count * long_decay + new_items
            self.long_exposure = self.long_exposure * long_decay + elapsed
            self.short_count = self.short_count * short_decay + new_items
            self.short_exposure = self.short_exposure * short_decay + elapsed
            if new_items:
                self.changes += 1
                self.last_change = now
        self.polls += 1
        self.last_polled = now

    def rate(self, config: PollingConfig, with_prior: bool = True) -> float:
        """Learned new articles per site second (``with_prior=False``: what it showed
        only, for a page a sitemap covers)."""
        prior_count = PRIOR_COUNT if with_prior else 0.0
        prior = prior_count / config.prior_seconds
        long_rate = (self.long_count + prior_count) / (self.long_exposure + config.prior_seconds)
        short_rate = (self.short_count / self.short_exposure
                      if self.short_exposure >= config.burst_half_life / 4 else 0.0)
        return max(long_rate, short_rate, prior)


def allocate(rates: dict[str, float], polls_per_second: float, min_interval: float,
             max_interval: float) -> dict[str, float]:
    """Intervals (seconds) per page: frequency proportional to sqrt(rate), the
    frequencies summing to ``polls_per_second``, each interval within the bounds (the
    upper bound is dropped when the budget cannot pay every page at it)."""
    if not rates:
        return {}
    if len(rates) / max_interval > polls_per_second:
        # The budget cannot even pay every page at the longest interval: no page is
        # held to it, the busy ones keep their larger share.
        max_interval = math.inf
    fixed: dict[str, float] = {}
    free = dict(rates)
    while free:
        budget = polls_per_second - sum(1.0 / t for t in fixed.values())
        roots = {url: math.sqrt(max(rate, 1e-12)) for url, rate in free.items()}
        total = sum(roots.values())
        if budget <= 0:
            fixed.update({url: max_interval for url in free})
            break
        intervals = {url: total / (budget * root) for url, root in roots.items()}
        too_long = {u for u, t in intervals.items() if t > max_interval}
        too_short = {u for u, t in intervals.items() if t < min_interval}
        if not too_long and not too_short:
            fixed.update(intervals)
            break
        # Clamp the worst side first, then share what is left among the others.
        for url in (too_long or too_short):
            fixed[url] = max_interval if url in too_long else min_interval
            del free[url]
    return fixed


@dataclass
class PollPlan:
    """Every page the monitor watches and when each is due."""
    config: PollingConfig
    pages: dict[str, PageRate] = field(default_factory=dict)
    extra_per_second: float = 0.0       # article fetches etc., measured (site time)
    last_any_poll: float | None = None  # real epoch seconds
    last_ticker_read: float | None = None  # real epoch seconds of the last HTML poll
    intervals: dict[str, float] = field(default_factory=dict)
    _recent: deque = field(default_factory=deque)   # real times of polls, last hour
    _ticker_reads: deque = field(default_factory=deque)  # ... of those of HTML pages

    def add(self, page: PageRate) -> None:
        self.pages.setdefault(page.url, page)

    def remove(self, url: str) -> None:
        """Stop watching ``url`` (a sitemap the site no longer has)."""
        self.pages.pop(url, None)
        self.intervals.pop(url, None)

    def longest_interval(self) -> float:
        """Site seconds no page may wait longer than: ``max_interval``, shorter when
        ``FLOOR_SHARE`` of the poll budget pays for every page more often; longer (the
        floor that share pays) when every page at ``max_interval`` would take more than
        ``MAX_INTERVAL_SHARE`` of the budget: the pages that show the news keep most."""
        floor_rate = FLOOR_SHARE * self.poll_budget()
        if not self.pages or floor_rate <= 0:
            return self.config.max_interval
        floor = max(self.config.min_interval, len(self.pages) / floor_rate)
        if len(self.pages) / self.config.max_interval > \
                MAX_INTERVAL_SHARE * self.poll_budget():
            return floor  # max_interval for all would take the budget: the floor holds
        return min(self.config.max_interval, floor)

    def poll_budget(self) -> float:
        """Polls per site second left once article fetches are paid."""
        budget = self.config.budget_per_hour / 3600.0
        return max(budget * self.config.min_poll_share, budget - self.extra_per_second)

    def covered(self) -> bool:
        """A sitemap has shown news: the other pages need no prior (see module doc)."""
        return any(p.kind in NO_TICKER and p.long_count >= 1.0 for p in self.pages.values())

    def replan(self) -> dict[str, float]:
        covered = self.covered()
        rates = {url: page.rate(self.config, with_prior=not covered or page.kind in NO_TICKER)
                 for url, page in self.pages.items()}
        self.intervals = allocate(rates, self.poll_budget(), self.config.min_interval,
                                  self.longest_interval())
        for url, interval in self.intervals.items():
            self.pages[url].interval = interval
        return self.intervals

    def due_at(self, url: str) -> float:
        """Real epoch seconds when ``url`` is due (a page never polled: now)."""
        page = self.pages[url]
        if page.last_polled is None:
            return 0.0
        interval = self.intervals.get(url) or page.interval or self.config.max_interval
        return page.last_polled + self.config.real(interval)

    def record_poll(self, url: str, now: float, new_items: int | None) -> None:
        page = self.pages[url]
        if new_items is None:  # first look: nothing to compare with
            page.polls += 1
            page.last_polled = now
        else:
            page.observe(now, new_items, self.config)
        self.replan()

    def issued(self, now: float, first_look: bool = False, ticker: bool = True) -> None:
        """A poll was sent at ``now`` (counted against the budget from then on; a page's
        first look, once per page when the monitor starts, is not); ``ticker``: of a
        page that shows the ticker."""
        self.last_any_poll = now
        if ticker:
            self.last_ticker_read = now
        if not first_look:
            self._recent.append(now)
            if ticker:
                self._ticker_reads.append(now)

    def polls_last_hour(self, now: float, ticker_only: bool = False) -> int:
        window = self.config.real(3600.0)
        for times in (self._recent, self._ticker_reads):
            while times and times[0] < now - window:
                times.popleft()
        return len(self._ticker_reads if ticker_only else self._recent)

    def due(self, now: float) -> list[str]:
        """Pages due at ``now``, most overdue first. When no page was read for
        ``ticker_interval``, the page due next is due now (every page shows the ticker).
        Nothing is due while the polls of the last hour already spent the poll budget."""
        if self.polls_last_hour(now) >= self.poll_budget() * 3600.0 and \
                self.last_any_poll is not None:
            return []
        if not self.intervals:
            self.replan()
        scored = sorted((self.due_at(url), url) for url in self.pages)
        due = [url for at, url in scored if at <= now]
        html = [url for _at, url in scored if self.pages[url].kind not in NO_TICKER]
        read = self.last_ticker_read
        if html and read is not None and now >= read + self.config.real(
                self.config.ticker_interval) and not set(due) & set(html) and \
                self.polls_last_hour(now, ticker_only=True) < \
                self.ticker_share() * self.poll_budget() * 3600.0:
            # The ticker is on every HTML page: read it on the one nearest its turn,
            # relative to its interval (a look ahead of time there rather than one
            # more look at the page with the shortest interval). While the HTML pages'
            # polls of the last hour are within a share of the budget (whatever the
            # sitemaps take): a small budget goes to the pages' own turns first.
            due.append(max(html, key=lambda url: self._ripeness(url, now)))
        return due

    def ticker_share(self) -> float:
        """The share of the poll budget early ticker reads may take: ``TICKER_SHARE``
        when the budget pays ``TICKER_FULL_READS`` reads per ticker interval, less in
        proportion below it. A budget too small to follow the ticker anyway (a tenth
        of a crawl's) is better spent on the pages and sitemaps that show articles."""
        full = TICKER_FULL_READS / self.config.ticker_interval  # reads per site second
        return TICKER_SHARE * min(1.0, self.poll_budget() / full)

    def _ripeness(self, url: str, now: float) -> float:
        """How far into its interval a page is (1: due)."""
        page = self.pages[url]
        interval = self.intervals.get(url) or page.interval or self.config.max_interval
        if page.last_polled is None:
            return math.inf
        return (now - page.last_polled) / max(self.config.real(interval), 1e-9)


def seed_from_history(page: PageRate, dated: list[float | None], now: float,
                      config: PollingConfig) -> None:
    """Start ``page``'s learned counts from the dates (real epoch seconds) of what it
    lists, as if it had been polled over the last half-life (and burst half-life): a
    sitemap's entries, or the articles on an index page's cards. A listing shows only
    so much (an index page its newest ten cards, then old ones in a sidebar): with
    ``n`` >= 3 items dated within a window, the time they cover is back to the oldest
    of them, and ``n - 1`` of them count (for arrivals at random, the rate's unbiased
    estimate from the time back to the n-th newest); so a busy page's full listing is
    not read as a slow one. Fewer: counted over the whole window."""
    times = sorted((t for t in dated if t is not None and t <= now), reverse=True)

    def within(seconds: float) -> tuple[float, float]:
        recent = [t for t in times if t >= now - config.real(seconds)]
        if len(recent) < 3:
            return float(len(recent)), seconds
        covered = config.speedup * (now - recent[-1])  # site seconds
        return float(len(recent) - 1), max(covered, 1.0)

    page.long_count, page.long_exposure = within(config.half_life)
    page.short_count, page.short_exposure = within(config.burst_half_life)
