"""Scrapy settings for newsmon. Short on purpose: politeness first, the rest default.

Every value can be overridden per run with `newsmon crawl --set NAME=VALUE`
(or `scrapy crawl almayadeen -s NAME=VALUE`).
"""

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness: obey robots.txt, one or two requests at a time, a delay, AutoThrottle.
ROBOTSTXT_OBEY = True
NEWSMON_CONTACT_URL = "https://github.com/newsmon/newsmon"
USER_AGENT = f"newsmon/0.1 (+{NEWSMON_CONTACT_URL})"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Stay on the base URL's origin (scheme, host and port), redirects included.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.SameOriginMiddleware": 50,
}

ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.StorePipeline": 500,
}

# Where items go: the CLI sets it from --db / NEWSMON_DATABASE_URL; empty means
# the same resolution as the CLI (environment, then the default SQLite file).
NEWSMON_DATABASE_URL = ""
# An index chain (a section and its ?page=N pages) stops at this page number even if
# every page still shows unseen articles.
NEWSMON_MAX_INDEX_PAGES = 50

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
