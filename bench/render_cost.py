"""``python -m bench.render_cost [--pages N] [--rounds R] [--json FILE]``: what a page
rendered in Chromium costs against a plain request, measured in the same run.

Serves the replica (with its JavaScript pages) on 127.0.0.1 and runs one Scrapy crawl
in this process, with newsmon's settings (its download handler, browser limits and
middlewares; politeness delays off, one request at a time, no database):

1. a warm-up: one plain request, then one rendered page (Playwright and Chromium
   start: reported apart);
2. the same N article pages, each as a plain request, then each rendered in Chromium
   (``meta["playwright"]``: navigation, scripts, the rendered HTML);
3. R times the JavaScript-paginated index: its first page as a plain request, then
   rendered with Load More clicked until no new cards appear (what the crawl does).

Each figure is the wall time from handing the request to Scrapy to its callback.
Prints a Markdown table (the one in docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy

from crawler.crawl import rendering
from crawler.replica import js_pages
from crawler.replica.content import EDGE_CASES, expected_articles
from crawler.replica.server import ReplicaServer

PLAIN, RENDERED = "plain request", "rendered in Chromium"
INDEX_PLAIN, INDEX_RENDERED = "index, plain first page", "index, rendered + Load More"


class RenderCostSpider(scrapy.Spider):
    """Requests one at a time, in the order of ``plan``, timing each."""

    name = "render_cost"

    def __init__(self, base_url: str, plan: list[tuple[str, str]], **kwargs: Any):
        super().__init__(**kwargs)
        self.base_url = base_url
        self.plan = list(plan)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.clicks: list[int] = []
        self.chromium_rss_mb = 0.0
        self._started = 0.0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._next():
            yield request

    def _next(self) -> Iterator[scrapy.Request]:
        if not self.plan:
            self.chromium_rss_mb = chromium_rss_mb()
            return
        kind, url = self.plan.pop(0)
        request = scrapy.Request(url, callback=self.done, errback=self.failed,
                                 dont_filter=True, cb_kwargs={"kind": kind})
        if kind == INDEX_RENDERED:
            request = rendering.browser_request(request, "load more", self.settings)
        elif "rendered" in kind or kind == "browser start":
            request.meta["playwright"] = True
        self._started = time.perf_counter()
        yield request

    def done(self, response: scrapy.http.Response, kind: str) -> Iterator[scrapy.Request]:
        self.timings[kind].append((time.perf_counter() - self._started) * 1000)
        if kind == INDEX_RENDERED:
            self.clicks.append(response.meta["playwright_page_methods"][0].result["clicks"])
        yield from self._next()

    def failed(self, failure: Any) -> Iterator[scrapy.Request]:
        raise SystemExit(f"render_cost: {failure.request.url}: {failure.getErrorMessage()}")


def chromium_rss_mb() -> float:
    """Resident memory of this process's Chromium descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    ours, total = {os.getpid()}, 0
    changed = True
    while changed:
        grown = {pid for pid, parent in parents.items() if parent in ours} - ours
        changed = bool(grown)
        ours |= grown
    for pid in ours - {os.getpid()}:
        try:
            if b"chrom" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def measure(pages: int, rounds: int) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    with ReplicaServer(js_pages=True) as server:
        origin = server.base_url
        skip = origin + EDGE_CASES["error_once"]["path"]  # answers 500 once
        articles = sorted(u for u in expected_articles(origin) if u != skip)[:pages]
        latest = origin + js_pages.LATEST_PATH
        plan = [("warm-up", articles[0]), ("browser start", articles[0])]
        plan += [(PLAIN, u) for u in articles] + [(RENDERED, u) for u in articles]
        plan += [(kind, latest) for _ in range(rounds) for kind in (INDEX_PLAIN, INDEX_RENDERED)]
        settings = get_project_settings()
        settings.setmodule("crawler.crawl.settings", priority="project")
        settings.setdict({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                          "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 1,
                          "ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING"}, priority="cmdline")
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(RenderCostSpider)
        process.crawl(crawler, base_url=origin, plan=plan)
        process.start()
        spider = crawler.spider
    timings = spider.timings
    if len(timings[RENDERED]) != pages or len(timings[INDEX_RENDERED]) != rounds:
        raise SystemExit("render_cost: the crawl did not fetch every page of the plan")
    rows = {}
    for kind in (PLAIN, RENDERED, INDEX_PLAIN, INDEX_RENDERED):
        values = timings[kind]
        rows[kind] = {"pages": len(values), "median_ms": statistics.median(values),
                      "mean_ms": statistics.fmean(values)}
    rows[RENDERED]["ratio"] = rows[RENDERED]["median_ms"] / rows[PLAIN]["median_ms"]
    rows[INDEX_RENDERED]["ratio"] = \
        rows[INDEX_RENDERED]["median_ms"] / rows[INDEX_PLAIN]["median_ms"]
    return {"rows": rows, "browser_start_ms": timings["browser start"][0],
            "load_more_clicks": spider.clicks, "chromium_rss_mb": spider.chromium_rss_mb,
            "rendered_pages": crawler.stats.get_value("newsmon/rendered_pages"),
            "aborted_requests": crawler.stats.get_value("playwright/request_count/aborted", 0)}


def table(result: dict[str, Any]) -> str:
    rows = result["rows"]
    clicks = max(result["load_more_clicks"], default=0)
    names = {PLAIN: "article, plain request", RENDERED: "article, rendered in Chromium",
             INDEX_PLAIN: "JavaScript index, plain (first page only)",
             INDEX_RENDERED: f"JavaScript index, rendered, Load More x{clicks} (every page)"}
    lines = ["| page | pages | ms/page (median) | ms/page (mean) | ratio |",
             "|---|---:|---:|---:|---:|"]
    for kind, name in names.items():
        row = rows[kind]
        ratio = f"{row['ratio']:.1f}x" if "ratio" in row else "1x"
        lines.append(f"| {name} | {row['pages']} | {row['median_ms']:.1f} | "
                     f"{row['mean_ms']:.1f} | {ratio} |")
    lines.append(f"| browser start (Playwright + Chromium, first rendered page) | 1 | "
                 f"{result['browser_start_ms']:.0f} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.render_cost",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="article pages (default 20)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="times the JavaScript index is read each way (default 5)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    result = measure(args.pages, args.rounds)
    print(table(result))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"\nChromium resident memory at the end: {result['chromium_rss_mb']:.0f} MB; "
          f"browser requests aborted (images, fonts, media): {result['aborted_requests']}")
    print(f"{os.cpu_count()} CPUs, {memory:.0f} GiB RAM, Python {platform.python_version()}, "
          f"{platform.platform()}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
