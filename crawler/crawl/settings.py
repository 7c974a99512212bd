"""Scrapy settings for newsmon. Short on purpose: politeness first, the rest default.

Every value can be overridden per run with `newsmon crawl --set NAME=VALUE`
(or `scrapy crawl almayadeen -s NAME=VALUE`).
"""

from crawler import config as _defaults  # lower-case: not a setting itself

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness: obey robots.txt, one or two requests at a time, a delay, AutoThrottle.
ROBOTSTXT_OBEY = _defaults.DEFAULT_OBEY_ROBOTS
NEWSMON_CONTACT_URL = _defaults.DEFAULT_CONTACT_URL
USER_AGENT = f"newsmon/0.1 (+{NEWSMON_CONTACT_URL})"
CONCURRENT_REQUESTS = _defaults.DEFAULT_CONCURRENT_REQUESTS
CONCURRENT_REQUESTS_PER_DOMAIN = _defaults.DEFAULT_CONCURRENCY
DOWNLOAD_DELAY = _defaults.DEFAULT_DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = _defaults.DEFAULT_AUTOTHROTTLE
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control extension runs Python sent over HTTP (behind a token it
# writes to ~/.local/state/scrapy/job_files/): no listening socket in a crawler.
REMOTE_CONTROL_ENABLED = False
# Items of one response processed at a time. The pipelines are synchronous, so more
# buys nothing, and Scrapy starts this many tasks for every response (the default,
# 100, cost about 1.5 ms of CPU per article page: docs/BENCHMARKS.md).
CONCURRENT_ITEMS = 16

# Stay on the base URL's origin (scheme, host and port), redirects included.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.crawl.middlewares.SameOriginMiddleware": 50,
    # crawler/crawl/fetch_guards.py: 429/503 Retry-After honoured (before RetryMiddleware,
    # 550); a redirect loop or a redirect off the origin refused with a fetch error
    # (before RedirectMiddleware, 600).
    "crawler.crawl.fetch_guards.RetryAfterMiddleware": 560,
    # Scrapy's robots.txt filter, fixed for requests that wait for robots.txt together.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.crawl.fetch_guards.RobotsTxtMiddleware": 100,
    "crawler.crawl.fetch_guards.RedirectGuardMiddleware": 610,
    "crawler.crawl.browser.RenderingMiddleware": 960,  # browser requests that cannot render
}

# Pages that need JavaScript (crawler/crawl/rendering.py decides which, crawler/crawl/browser.py
# renders them): scrapy-playwright with Debian's Chromium, per request, never for
# every page. NEWSMON_JAVASCRIPT = False, or no Chromium: they are recorded as skipped.
DOWNLOAD_HANDLERS = {"http": "crawler.crawl.browser.BrowserDownloadHandler",
                     "https": "crawler.crawl.browser.BrowserDownloadHandler"}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # needed by it
NEWSMON_JAVASCRIPT = True
NEWSMON_CHROMIUM_PATH = _defaults.DEFAULT_CHROMIUM_PATH
NEWSMON_RENDER_TIME_LIMIT = 60          # seconds of Load More clicks / interstitial wait
NEWSMON_BROWSER_CONTEXT_PAGES = 50      # a browser context is closed after this many pages
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000   # ms
PLAYWRIGHT_ABORT_REQUEST = "crawler.crawl.browser.abort_request"   # no images, fonts, media
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = "crawler.crawl.browser.browser_headers"

ITEM_PIPELINES = {
    "crawler.crawl.field_stats.FieldStatsPipeline": 50,  # field fill rates: the layout alarm's input
    "crawler.crawl.pipelines.ValidatePipeline": 100,
    "crawler.crawl.pipelines.StorePipeline": 500,
}

# Where items go: the CLI sets it from --db / NEWSMON_DATABASE_URL; empty means
# the same resolution as the CLI (environment, then the default SQLite file).
NEWSMON_DATABASE_URL = ""
# An index chain (a section and its ?page=N pages) stops at this page number even if
# every page still shows unseen articles.
NEWSMON_MAX_INDEX_PAGES = 50
# Which edition (crawler.sites.editions: "en", "ar", "es") the crawl's base URL is;
# empty: the edition whose host it is, else English (the spider's ``edition`` wins).
NEWSMON_EDITION = ""

# Monitoring (crawler/crawl/incremental.py). A crawl fetches the articles it has not stored
# yet and paginates an index only until a page shows none; it revisits a stored
# article when due by age: "AGE=INTERVAL" tiers, the first that matches applies
# (here: under a day old, hourly; under a week, every 12 hours; older, only when an
# index card shows a changed title). `newsmon crawl --revisit-after DURATION` sets
# NEWSMON_REVISIT_AFTER, which overrides the tiers ("0s": every stored article met).
NEWSMON_INCREMENTAL = True
NEWSMON_REVISIT_SCHEDULE = "1d=1h, 7d=12h, *=never"
NEWSMON_REVISIT_AFTER = None
# Links that answered 404 or 410 are not asked again for this long ("0s": always).
NEWSMON_RETRY_FAILED_AFTER = "1d"
# Send If-None-Match / If-Modified-Since from the validators stored for a page; a 304
# counts as unchanged and is not parsed.
NEWSMON_CONDITIONAL_REQUESTS = True
# `newsmon backfill` logs its progress every this many articles.
NEWSMON_BACKFILL_LOG_EVERY = 10

# Reliability (docs/RELIABILITY.md). Database lost during a crawl: items are spooled to
# a local file (crawler/crawl/spool.py; "" = beside a SQLite database, else
# ~/.local/share/newsmon/spool/), the database is probed every RETRY_INTERVAL seconds,
# and the end of the run waits CLOSE_WAIT seconds for it before leaving the rest to the
# next run. A Retry-After longer than NEWSMON_RETRY_AFTER_MAX seconds is not waited for.
NEWSMON_SPOOL_DIR = ""
NEWSMON_SPOOL_RETRY_INTERVAL = 5.0
NEWSMON_SPOOL_CLOSE_WAIT = 30.0
NEWSMON_RETRY_AFTER_MAX = 300.0
# robots.txt's Crawl-delay is honoured (crawler/crawl/fetch_guards.py), up to this many seconds.
NEWSMON_CRAWL_DELAY_MAX = 60.0
# Layout-change alarm (crawler/ops/layout_alarm.py): a field whose fill rate drops, or whose
# share from the generic layer rises, by more than this against the last runs' makes
# the run "degraded" (`newsmon crawl` exits 5).
NEWSMON_LAYOUT_BASELINE_RUNS = 10
NEWSMON_LAYOUT_MAX_DROP = 0.2
NEWSMON_LAYOUT_MAX_GENERIC_RISE = 0.2
NEWSMON_LAYOUT_MIN_PAGES = 5
NEWSMON_LAYOUT_MIN_BASELINE = 20

# The layout-change alarm judges each run as the store pipeline closes it (by signal).
# Plugged in by name: crawl does not import ops (docs/CONTRACTS.md, "Layers").
EXTENSIONS = {"crawler.ops.layout_alarm.LayoutAlarm": 0, "crawler.ops.run_metrics.RunMetrics": 0}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
