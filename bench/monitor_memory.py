"""Where the monitor's memory goes: the monitor in this process against the live
replica, faster than real time, with tracemalloc snapshots compared over the run.

    python -m bench.monitor_memory [--hours 6] [--speed 240] [--budget 287] [--every 60]
                                   [--trace]

Every ``--every`` real seconds it prints the RSS, the replica requests so far, the
sizes of the monitor's and the store pipeline's per-run collections; with ``--trace``
(slow: several times the CPU) also tracemalloc's total, and at the end the 15 source
lines whose allocations grew most between the second and the last snapshot."""

from __future__ import annotations

import argparse
import gc
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from crawler.replica.live import LiveReplica

FOUND: dict = {}


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sizes() -> dict[str, int]:
    spider = FOUND.get("spider")
    if spider is None:
        return {}
    sizes = {name: len(getattr(spider, name, ()) or ()) for name in (
        "articles_requested", "articles_parsed", "titles", "listings", "in_flight",
        "sitemap_found", "extra")}
    sizes["chain_seen"] = sum(len(v) for v in spider.chain_seen.values())
    sizes["listing_urls"] = sum(len(v) for v in spider.listings.values())
    sizes["stats_keys"] = len(spider.crawler.stats.get_stats())
    try:
        pipes = spider.crawler.engine.scraper.itemproc.middlewares
    except (AttributeError, RuntimeError):  # not started yet
        pipes = ()
    for pipe in pipes:
        if hasattr(pipe, "pending"):
            sizes["pipeline_pending_urls"] = len(pipe.pending)
            sizes["pipeline_pending_items"] = sum(len(v) for v in pipe.pending.values())
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.monitor_memory")
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--speed", type=float, default=240.0)
    parser.add_argument("--budget", type=float, default=287.0)
    parser.add_argument("--every", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args(argv)

    from crawler.crawl.runner import run_crawl
    from crawler.db.migrate import upgrade
    from crawler.spiders.monitor import MonitorSpider

    class Traced(MonitorSpider):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            FOUND["spider"] = self

    db = f"sqlite:///{Path(tempfile.mkdtemp(prefix='newsmon-memory-')) / 'm.sqlite3'}"
    upgrade(db)
    if args.trace:
        tracemalloc.start(4)
    snapshots = []
    stop = threading.Event()
    site = LiveReplica(seed=args.seed, hours=args.hours, speed=args.speed).start()
    end = site.real_time(args.hours * 3600)

    def watch() -> None:
        while not stop.wait(args.every):
            gc.collect()
            traced = ""
            if args.trace:
                snapshots.append(tracemalloc.take_snapshot())
                traced = f"traced {tracemalloc.get_traced_memory()[0] / 2**20:6.1f} MiB  "
            print(f"replica h {site.replica_seconds() / 3600:5.2f}  rss {_rss_mib():6.1f} MiB  "
                  f"requests {len(site.request_log)}  {traced}objects {len(gc.get_objects())}"
                  f"  {_sizes()}", flush=True)

    threading.Thread(target=watch, daemon=True).start()
    overrides = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                 "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "NEWSMON_JAVASCRIPT": "False",
                 "LOG_LEVEL": "WARNING", "NEWSMON_MONITOR_BUDGET": str(args.budget),
                 "NEWSMON_MONITOR_SPEEDUP": str(args.speed)}
    try:
        run_crawl(site.base_url, db, overrides, spider=Traced,
                  stop_requested=lambda: time.time() >= end)
    finally:
        stop.set()
        site.stop()
    if len(snapshots) >= 3:
        # From the second snapshot (after the first sweep) to the last.
        for stat in snapshots[-1].compare_to(snapshots[1], "lineno")[:15]:
            print(stat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
