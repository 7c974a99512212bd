"""The monitor spider (`newsmon monitor`): one crawl that does not end, polling each
index page when it is due and fetching every new article at once.

It is the crawl's spider (``AlmayadeenSpider``: the same parsing, items, pipelines,
placements, fetch errors, incremental memory) with another clock:

- the home page is read first (its menu names the section and region indexes to
  watch); every index page is then a ``PageRate`` in a ``PollPlan``
  (``crawler.crawl.polling``): polled when due, its learned rate updated by how many
  articles it shows that its previous poll did not;
- a tick (``TICK`` real seconds) issues the polls due; the spider never goes idle for
  good (``spider_idle`` -> ``DontCloseSpider``): it ends when the crawl is stopped
  (SIGTERM), which is its normal end;
- articles are requested at once, before any poll (higher priority); an article met
  again is fetched again only when a card shows another title (an edit), or by
  ``NEWSMON_MONITOR_REVISIT_SCHEDULE`` (default: never) for articles stored before;
- the ticker is on every page of the site: every poll records it (first/last seen);
  when no page was read for the ticker interval, the page due next is read early;
- a page's next page is read only when its first page shows nothing but new cards
  (more news than a page holds), or on its first poll as in a crawl;
- the site's sitemaps, where it has them, are pages of the plan too
  (``crawler.spiders.monitor_sitemaps``); an index page is credited with the new
  cards it shows except those a sitemap showed first, so a sitemap that pays gets the
  polls and the index pages it finds out fall to the floor;
- a page watched for the first time starts from the publication dates of the articles
  on its cards (stored before, or fetched as it catches up: ``seed_from_history``), so
  a busy section is polled often from its first minutes, a quiet one rarely;
- learned rates are saved after each poll (``crawler.crawl.polling_state``) and loaded
  at the start: a restarted monitor keeps them.

Settings (``NEWSMON_MONITOR_*``, durations like "30s", "1h"): ``BUDGET`` (requests
per hour), ``MIN_INTERVAL``, ``MAX_INTERVAL``, ``TICKER_INTERVAL``, ``HALF_LIFE``,
``BURST_HALF_LIFE``, ``SPEEDUP`` (for a replica faster than real time),
``REVISIT_SCHEDULE``, ``RUN_EVERY`` (default 1h: the run record is closed and a new
one started, ``crawler.crawl.signals.run_checkpoint``, so that `newsmon runs` and
`newsmon status` see a monitor at work without a row per poll).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.config import parse_duration
from crawler.crawl.incremental import CrawlMemory, RevisitPolicy, parse_schedule, title_changed
from crawler.crawl.polling import PageRate, PollingConfig, PollPlan, seed_from_history
from crawler.crawl.polling_state import PollingState, epoch_seconds
from crawler.crawl.recent import RecentDict, RecentSet
from crawler.crawl.resume import unfollowed_links
from crawler.crawl.signals import run_checkpoint
from crawler.items import ArticleItem, BreakingItem, IndexPageItem, MenuItem
from crawler.sites.almayadeen.index import parse_index
from crawler.sites.almayadeen.navigation import Menu
from crawler.sites.almayadeen.urls import canonicalize_url, same_origin
from crawler.spiders.almayadeen import AlmayadeenSpider
from crawler.spiders.monitor_sitemaps import SitemapWatch

TICK = 0.2                  # real seconds between two looks at the plan
IN_FLIGHT_LIMIT = 300.0     # real seconds after which a poll with no answer is forgotten
SEED_WAIT = 120.0           # real seconds a new page waits for its cards' dates, at most
PUBLISHED_KEPT = 5000       # publication dates of the articles met last, for the above
SEEN_KEPT = 20_000          # articles requested, parsed, titled, looked up: the newest kept
ARTICLE_PRIORITY = 20       # before polls (10): a new article is fetched at once


def polling_config(settings: Any) -> PollingConfig:
    """The ``NEWSMON_MONITOR_*`` settings (ValueError naming the one that is wrong)."""
    def read(name: str, parse: Any, default: Any) -> Any:
        try:
            return parse(name, default)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    def seconds(name: str, default: str) -> float:
        return read(name, lambda n, d: parse_duration(settings.get(n) or d), default)

    def number(name: str, default: float) -> float:
        return read(name, settings.getfloat, default)

    return PollingConfig(
        budget_per_hour=number("NEWSMON_MONITOR_BUDGET", 240.0),
        min_interval=seconds("NEWSMON_MONITOR_MIN_INTERVAL", "30s"),
        max_interval=seconds("NEWSMON_MONITOR_MAX_INTERVAL", "1h"),
        ticker_interval=seconds("NEWSMON_MONITOR_TICKER_INTERVAL", "45s"),
        half_life=seconds("NEWSMON_MONITOR_HALF_LIFE", "6h"),
        burst_half_life=seconds("NEWSMON_MONITOR_BURST_HALF_LIFE", "15m"),
        speedup=number("NEWSMON_MONITOR_SPEEDUP", 1.0) or 1.0)


class MonitorSpider(SitemapWatch, AlmayadeenSpider):
    name = "monitor"
    # A stop (SIGTERM) is how a monitor ends: the run is not "interrupted" for it.
    ends_by_stopping = True

    def __init__(self, *args: Any, stop_requested: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Asked to stop before Scrapy handled the signals (``newsmon monitor``)?
        self.stop_requested = stop_requested or (lambda: False)
        self.plan = PollPlan(PollingConfig())
        self.state: PollingState | None = None
        self.listings: dict[str, set[str]] = {}     # page -> cards of its previous poll
        self.in_flight: dict[str, float] = {}       # page -> real time its poll was issued
        # What it remembers per article is bounded: it never ends (crawler.crawl.recent).
        self.articles_requested = RecentSet(SEEN_KEPT)
        self.articles_parsed = RecentSet(SEEN_KEPT)
        self.titles: RecentDict[str, str] = RecentDict(SEEN_KEPT)  # article -> title seen
        self.extra: deque[float] = deque()          # real times of requests not polls
        # Index pages seen for the first time wait for their cards' publication dates
        # (the articles are fetched as catching up) to start from them, not a prior.
        self.card_seeds: dict[str, tuple[float, list[str]]] = {}  # page -> (look, cards)
        self.published: RecentDict[str, float | None] = RecentDict(PUBLISHED_KEPT)
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> MonitorSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_scheduled, signal=signals.request_scheduled)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.memory = CrawlMemory.from_settings(self.settings)
        self.memory.policy = RevisitPolicy(tiers=parse_schedule(
            self.settings.get("NEWSMON_MONITOR_REVISIT_SCHEDULE") or "*=never"))
        self.plan = PollPlan(polling_config(self.settings))
        self.state = PollingState.from_settings(self.settings, self.base_url)
        for page in self.state.load():
            self.plan.add(page)
        self.plan.add(PageRate(self.base_url, "home", "Home"))
        self.logger.info("Monitoring %s: %d pages known, budget %.0f requests/hour",
                         self.base_url, len(self.plan.pages), self.plan.config.budget_per_hour)
        yield self._poll(self.base_url)
        yield self._discover_sitemaps()
        for request in self._follow_articles(unfollowed_links(self.memory)):
            yield _catching_up(request)
        self.run_every = parse_duration(self.settings.get("NEWSMON_MONITOR_RUN_EVERY") or "1h")
        self.run_started = time.time()
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(TICK, now=False)

    def closed(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.state is not None:
            self.state.save(list(self.plan.pages.values()))
            self.state.close()
        super().closed(reason)

    def on_idle(self) -> None:
        raise DontCloseSpider  # polls are due later: the tick issues them

    def on_scheduled(self, request: scrapy.Request, spider: Any = None) -> None:
        # What polls find costs the budget too; catching up on a first look does not.
        if not request.meta.get("newsmon_poll") and not request.meta.get("newsmon_catch_up"):
            self.extra.append(time.time())

    # -- the clock -----------------------------------------------------------------

    def _tick(self) -> None:
        now = time.time()
        for url, since in list(self.in_flight.items()):
            if now - since > IN_FLIGHT_LIMIT:
                del self.in_flight[url]
        window = self.plan.config.real(900.0)  # article fetches over the last 15 minutes
        while self.extra and self.extra[0] < now - window:
            self.extra.popleft()
        self.plan.extra_per_second = len(self.extra) / 900.0
        if self.card_seeds:
            self._seed_from_cards(now)
        self.memory.forget_cached(SEEN_KEPT)
        engine = self.crawler.engine
        if engine is None or not engine.running:
            return
        if self.stop_requested():
            self.stop_requested = lambda: False
            self.logger.info("SIGTERM received while starting: stopping")
            self.crawler.stop()
            return
        if now - self.run_started >= self.plan.config.real(self.run_every):
            self.run_started = now  # one run row per hour of monitoring, not per poll
            self.crawler.signals.send_catch_log(run_checkpoint)
        for url in self.plan.due(now):
            if url not in self.in_flight:
                engine.crawl(self._poll(url))

    def _poll(self, url: str) -> scrapy.Request:
        page = self.plan.pages[url]
        self.in_flight[url] = time.time()
        self.plan.issued(time.time(), first_look=not page.polls, ticker=page.kind != "sitemap")
        if page.kind == "sitemap":
            return self._sitemap_request(url)
        request = self._index_request(url, kind=page.kind, name=page.name or page.kind,
                                      page=1)
        return request.replace(meta={**request.meta, "newsmon_poll": True})

    # -- index pages -----------------------------------------------------------------

    def _index_request(self, url: str, **kwargs: Any) -> scrapy.Request:
        return super()._index_request(url, **kwargs).replace(dont_filter=True)

    def parse_index_page(self, response: Response, kind: str, name: str, page: int,
                         chain: str) -> Iterator[Any]:
        url = canonicalize_url(response.url)
        poll = response.meta.get("newsmon_poll") and page == 1
        if poll and url not in self.listings:
            stored = self.memory.stored_listing(url)
            if stored is not None and self.plan.pages.get(url, PageRate(url)).polls:
                self.listings[url] = set(stored["article_urls"])
        first_look = not self.plan.pages.get(url, PageRate(url)).polls
        before = self.listings.get(url, set())
        links: list[str] | None = None
        fresh: set[str] = set()   # cards of articles the monitor had not met before
        for output in super().parse_index_page(response, kind, name, page, chain):
            if isinstance(output, IndexPageItem):
                links = output.article_urls
                fresh = {u for u in links
                         if canonicalize_url(u) not in self.articles_requested}
            elif (poll and not first_look and isinstance(output, scrapy.Request)
                  and output.callback == self.parse_index_page
                  and not _overflows(links or [], before)):
                continue  # its first page shows every new card: no need for the next
            if first_look and isinstance(output, scrapy.Request):
                output = _catching_up(output)
            yield output
        if kind != "home" and response.status == 200:  # the ticker is on every page
            breaking = parse_index(response, pagination=False, edition=self.edition).breaking
            if breaking:
                yield BreakingItem(texts=breaking)
        if poll and first_look and links and not self.plan.pages.get(url, PageRate(url)).polls:
            self._await_card_dates(url, links)
        if poll and links is not None:
            # Index pages overlap by design (the home page features section articles):
            # each is credited with what it newly shows, unless a sitemap showed it first.
            self._polled(url, links, {u for u in set(links) - before
                                      if u in fresh or u not in self.sitemap_found})

    def _polled(self, url: str, links: list[str], credited: set[str]) -> None:
        """A poll of ``url`` showed ``links``; ``credited``: the new ones its learned
        rate counts."""
        before = self.listings.get(url)
        new = None if before is None else len(credited)
        self.listings[url] = set(links)
        self.in_flight.pop(url, None)
        self.plan.record_poll(url, time.time(), new)
        if new:
            self.crawler.stats.inc_value("newsmon/monitor_changes")
            self.logger.debug("%s: %d new (interval now %.0fs)", url, new,
                              self.plan.intervals.get(url, 0))
        self.crawler.stats.inc_value("newsmon/monitor_polls")
        if self.state is not None:
            self.state.save([self.plan.pages[url]])

    def _await_card_dates(self, url: str, links: list[str]) -> None:
        """A page never watched before: its rate starts from when the articles on its
        cards were published (those stored before are known; the others are being
        fetched), not from the prior every unknown page has (``seed_from_history``)."""
        cards = [canonicalize_url(u) for u in links]
        for card, known in self.memory.known(cards).items():
            self._dated(card, known.published_at)
        self.card_seeds[url] = (time.time(), cards)

    def _seed_from_cards(self, now: float) -> None:
        """Seed the pages whose cards' articles are all met (dated or not), or that
        waited ``SEED_WAIT`` real seconds (an article that failed: what is known).
        Once the sitemaps asked on starting have answered: the cards of articles a
        sitemap lists do not count (as a poll is not credited with what a sitemap
        showed first), so where a sitemap lists the news the pages are not seeded
        with it and keep to the floor."""
        listed: set[str] | None = None
        for url, (looked, cards) in list(self.card_seeds.items()):
            if now - looked < SEED_WAIT and (self.sitemaps_pending or any(
                    c not in self.published for c in cards)):
                continue
            del self.card_seeds[url]
            page = self.plan.pages.get(url)
            if page is not None:
                listed = self.listed_by_sitemaps() if listed is None else listed
                seed_from_history(page, [self.published.get(c) for c in cards
                                         if c not in listed], looked, self.plan.config)
                self.plan.replan()

    def _dated(self, article: str, published: Any) -> None:
        """Remember when ``article`` was published (the newest ``PUBLISHED_KEPT``)."""
        self.published[article] = epoch_seconds(published)

    def _follow_menu(self, menu: Menu) -> Iterator[MenuItem | scrapy.Request]:
        first = not self.index_paths
        self.index_paths = menu.index_paths()
        if first:
            yield MenuItem(sections=[(category, name) for category, name, _ in menu.sections],
                           regions=[name for name, _ in menu.regions])
        for _category, section, url in menu.sections:
            if same_origin(url, self.base_url):
                self.plan.add(PageRate(canonicalize_url(url), "section", section))
        for region, url in menu.regions:
            if same_origin(url, self.base_url):
                self.plan.add(PageRate(canonicalize_url(url), "region", region))

    # -- articles ------------------------------------------------------------------

    def _article_request(self, url: str, known: Any = None,
                         card_title: str | None = None,
                         previous_card_title: str | None = None,
                         placed: bool = True) -> Iterator[scrapy.Request]:
        url = canonicalize_url(url)
        if known is not None:
            self.titles.setdefault(url, known.title or "")
        if url in self.articles_requested:
            seen = self.titles.get(url)
            if not (card_title and seen and title_changed(card_title, seen)):
                return
            self.articles_requested.discard(url)  # edited: fetch and store it again
            self.articles_parsed.discard(url)
            self.titles[url] = card_title
            self.crawler.stats.inc_value("newsmon/monitor_edits_seen")
        for request in super()._article_request(url, known, card_title,
                                                previous_card_title, placed):
            yield request.replace(dont_filter=True, priority=ARTICLE_PRIORITY)

    def _refetch(self, url: str) -> Iterator[scrapy.Request]:
        """Fetch an article again (its sitemap entry says it changed), conditionally."""
        url = canonicalize_url(url)
        known = self.memory.known([url]).get(url)
        self.articles_requested.add(url)
        self.articles_parsed.discard(url)
        meta: dict[str, Any] = {"handle_httpstatus_list": [304]}
        headers: dict[str, str] = {}
        if known is not None:
            meta["newsmon_article_id"] = known.id
            headers = self.memory.conditional_headers(url)
        yield scrapy.Request(url, callback=self.parse_article_page, errback=self.on_error,
                             headers=headers, meta=meta, dont_filter=True,
                             priority=ARTICLE_PRIORITY)

    def parse_article_page(self, response: Response) -> Iterator[Any]:
        for output in super().parse_article_page(response):
            if isinstance(output, ArticleItem):
                for asked in {output.url, *output.requested_urls}:  # redirected: the card's
                    self._dated(asked, output.published_at)
            if isinstance(output, ArticleItem) and output.title:
                self.titles[output.url] = output.title
            elif isinstance(output, scrapy.Request) and response.meta.get("newsmon_catch_up"):
                output = _catching_up(output)
            yield output

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        if request.meta.get("newsmon_sitemap") and request.meta.get("newsmon_catch_up"):
            self._discovered()
        if request.meta.get("newsmon_poll"):  # looked at, nothing learned
            url = request.meta.get("newsmon_sitemap") or canonicalize_url(request.url)
            self.in_flight.pop(url, None)
            if url in self.plan.pages:
                self.plan.pages[url].last_polled = time.time()
        yield from super().on_error(failure)


def _overflows(links: list[str], before: set[str]) -> bool:
    """A first page showing no card of its previous poll: more news than it holds (or
    reshuffled); the next page may hold new cards too."""
    return bool(links) and not (set(links) & before)


def _catching_up(request: scrapy.Request) -> scrapy.Request:
    """Mark a request made on a page's first look (what the monitor catches up on when
    it starts): not counted as what polls cost."""
    return request.replace(meta={**request.meta, "newsmon_catch_up": True})
