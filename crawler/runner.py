"""Run one crawl in this process: Scrapy settings, the spider, the run's outcome.

A process runs at most one crawl (Twisted's reactor cannot be restarted); the
scheduler starts each crawl as a `newsmon crawl` subprocess.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.spiders.almayadeen import AlmayadeenSpider

logger = logging.getLogger(__name__)


@dataclass
class CrawlOutcome:
    run_id: int | None
    status: str
    stats: dict[str, Any]


def parse_set_options(pairs: list[str]) -> dict[str, str]:
    """`NAME=VALUE` strings, as `scrapy crawl -s`, into a dict (ValueError if malformed)."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def build_settings(db_url: str, overrides: dict[str, str] | None = None,
                   run_id: int | None = None) -> Settings:
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("NEWSMON_DATABASE_URL", db_url, priority="cmdline")
    if run_id:
        settings.set("NEWSMON_RUN_ID", run_id, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(base_url: str, db_url: str, overrides: dict[str, str] | None = None,
              run_id: int | None = None, spider_cls: type = AlmayadeenSpider,
              **spider_kwargs: Any) -> CrawlOutcome:
    """Crawl `base_url` into `db_url` and block until the crawl ends (`spider_cls`:
    the crawl's spider, or another one such as the sitemap backfill's)."""
    settings = build_settings(db_url, overrides, run_id)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, base_url=base_url, **spider_kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlOutcome(run_id=stats.get("newsmon/run_id"),
                        status=stats.get("newsmon/status", "failed"), stats=stats)
