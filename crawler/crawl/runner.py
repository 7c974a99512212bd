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

logger = logging.getLogger(__name__)


@dataclass
class CrawlOutcome:
    run_id: int | None
    status: str
    stats: dict[str, Any]


def build_settings(db_url: str, overrides: dict[str, str] | None = None,
                   run_id: int | None = None) -> Settings:
    settings = get_project_settings()
    settings.setmodule("crawler.crawl.settings", priority="project")
    settings.set("NEWSMON_DATABASE_URL", db_url, priority="cmdline")
    if run_id:
        settings.set("NEWSMON_RUN_ID", run_id, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(base_url: str, db_url: str, overrides: dict[str, str] | None = None,
              run_id: int | None = None, spider: type | str = "almayadeen",
              edition: str | None = None, **spider_kwargs: Any) -> CrawlOutcome:
    """Crawl `base_url` into `db_url` and block until the crawl ends. `spider` is a
    spider's name in the Scrapy project (the crawl's, by default) or a spider class
    (such as the sitemap backfill's): the caller chooses what is fetched. `edition`
    (crawler.sites.editions key): the edition `base_url` serves; the spider reads it
    (spider argument ``edition``) and the pipeline records it (``NEWSMON_EDITION``)."""
    if edition:
        overrides = {**(overrides or {}), "NEWSMON_EDITION": edition}
        spider_kwargs["edition"] = edition
    settings = build_settings(db_url, overrides, run_id)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, base_url=base_url, **spider_kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlOutcome(run_id=stats.get("newsmon/run_id"),
                        status=stats.get("newsmon/status", "failed"), stats=stats)
