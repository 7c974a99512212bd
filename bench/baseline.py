"""The baseline: a bare Scrapy spider that fetches a list of URLs and does nothing else.

    python -m bench.baseline URLS_FILE [--concurrency 16]

Same download settings as ``newsmon crawl`` with politeness off (robots.txt obeyed,
no delay, no AutoThrottle, gzip, retries, no cookies); no parsing, no items, no
storage. Prints one JSON line: pages fetched, bytes, status counts.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import AsyncIterator

import scrapy
from scrapy.crawler import CrawlerProcess

from crawler.crawl import settings as newsmon_settings


class BareSpider(scrapy.Spider):
    name = "bench-baseline"

    def __init__(self, urls: list[str], **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.statuses: Counter[int] = Counter()
        self.bytes = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        self.statuses[response.status] += 1
        self.bytes += len(response.body)
        return None

    def failed(self, failure):
        self.statuses[0] += 1


def settings(concurrency: int) -> dict:
    return {
        "USER_AGENT": newsmon_settings.USER_AGENT, "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_TIMEOUT": newsmon_settings.DOWNLOAD_TIMEOUT,
        "DOWNLOAD_MAXSIZE": newsmon_settings.DOWNLOAD_MAXSIZE,
        "RETRY_TIMES": newsmon_settings.RETRY_TIMES, "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("urls_file")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with open(args.urls_file, encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    process = CrawlerProcess(settings(args.concurrency), install_root_handler=True)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    print(json.dumps({"pages": sum(spider.statuses.values()), "bytes": spider.bytes,
                      "statuses": {str(k): v for k, v in spider.statuses.items()}}))


if __name__ == "__main__":
    main()
