"""The whole benchmark in one run: every figure, and its baseline, from the same run.

Sizes are a ``Plan``: ``FULL`` (documented in docs/BENCHMARKS.md, about 15 minutes on
two cores) or ``QUICK`` (under a minute, to check a change). Crawl pairs alternate
baseline and newsmon and keep each one's best run, so that a burst of load from
other work on the machine does not decide the ratio.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench import chart, crawls, extraction, report, sitegen, storage
from bench.server import BenchServer

log = logging.getLogger("bench")


@dataclass(frozen=True)
class Plan:
    name: str
    articles: int                      # the throughput site
    memory_sizes: tuple[int, ...]      # crawls whose peak RSS is compared
    sweep_articles: int                # site of the concurrency sweep
    sweep: tuple[int, ...]             # concurrency values of the chart
    extraction_pages: int
    storage_articles: int
    repeats: int                       # baseline/newsmon pairs at concurrency 16
    concurrency: int = 16
    postgres: bool = True


FULL = Plan("full", articles=2000, memory_sizes=(2000, 10000), sweep_articles=1000,
            sweep=(1, 2, 4, 8, 16), extraction_pages=400, storage_articles=500, repeats=2)
QUICK = Plan("quick", articles=150, memory_sizes=(150, 450), sweep_articles=150,
             sweep=(2, 16), extraction_pages=60, storage_articles=60, repeats=1)
TINY = Plan("tiny", articles=20, memory_sizes=(20, 40), sweep_articles=20, sweep=(4, 16),
            extraction_pages=10, storage_articles=10, repeats=1)


def timeout_for(articles: int) -> float:
    return 60 + 0.25 * articles


def _best(results: list[crawls.CrawlResult]) -> crawls.CrawlResult:
    return max(results, key=lambda r: r.articles_per_s)


def crawl_pair(server: BenchServer, concurrency: int, repeats: int, workdir: Path,
               without_storage: bool = False
               ) -> tuple[crawls.CrawlResult, crawls.CrawlResult, list[dict],
                          crawls.CrawlResult | None]:
    """(best baseline, best newsmon, every run, best newsmon without storage or None)
    at one concurrency; the kinds take turns."""
    limit = timeout_for(len(server.site.articles))
    baselines, ours, unstored = [], [], []
    for _ in range(repeats):
        baselines.append(crawls.run_baseline(server, concurrency, workdir, limit))
        ours.append(crawls.run_newsmon(server, concurrency, workdir, limit))
        if without_storage:
            unstored.append(crawls.run_newsmon_without_storage(server, concurrency,
                                                               workdir, limit))
        log.info("c=%d baseline %.1f/s newsmon %.1f/s", concurrency,
                 baselines[-1].articles_per_s, ours[-1].articles_per_s)
    runs = [r.as_dict() for r in baselines + ours + unstored]
    return _best(baselines), _best(ours), runs, (_best(unstored) if unstored else None)


def throughput(plan: Plan, site: sitegen.Site, workdir: Path) -> dict:
    with BenchServer(site) as server:
        base, ours, runs, unstored = crawl_pair(server, plan.concurrency, plan.repeats,
                                                workdir, without_storage=True)
    assert unstored is not None
    # pages a complete crawl fetches: robots.txt, the index pages, the articles
    pages = 1 + len(site.index_urls()) + len(site.articles)
    return {"articles": len(site.articles), "pages": pages,
            "concurrency": plan.concurrency, "baseline": base.as_dict(),
            "newsmon": ours.as_dict(), "complete": ours.articles == len(site.articles),
            "ratio": round(ours.articles_per_s / base.articles_per_s, 3),
            "no_storage": unstored.as_dict(),
            "no_storage_ratio": round(unstored.articles_per_s / base.articles_per_s, 3),
            "runs": runs}


def memory(plan: Plan, known: dict[int, dict], workdir: Path) -> dict:
    """Peak RSS of newsmon crawls of each size (a size already crawled is reused)."""
    rows = []
    for size in plan.memory_sizes:
        if size in known:
            result = known[size]
        else:
            with BenchServer(sitegen.generate(size)) as server:
                result = crawls.run_newsmon(server, plan.concurrency, workdir,
                                            timeout_for(size)).as_dict()
        rows.append({"articles": size, "stored": result["articles"],
                     "maxrss_mb": round(result["maxrss_mb"], 1),
                     "wall_s": round(result["wall_s"], 1)})
        log.info("memory: %d articles, %.1f MB", size, result["maxrss_mb"])
    first, last = rows[0], rows[-1]
    growth = (last["maxrss_mb"] - first["maxrss_mb"]) / max(1, last["articles"] - first["articles"])
    return {"rows": rows, "article_ratio": round(last["articles"] / first["articles"], 2),
            "rss_ratio": round(last["maxrss_mb"] / first["maxrss_mb"], 3),
            "kb_per_extra_article": round(1024 * growth, 2)}


def _sweep_row(concurrency: int, base: dict, ours: dict) -> dict:
    """Throughput over the fetch window (process start-up left out: at the sweep's
    size it is a large part of the bare spider's run)."""
    return {"concurrency": concurrency, "baseline": base["window_articles_per_s"],
            "newsmon": ours["window_articles_per_s"],
            "baseline_wall": base["articles_per_s"], "newsmon_wall": ours["articles_per_s"],
            "newsmon_cpu_ms_per_article": ours["cpu_ms_per_article"]}


def sweep(plan: Plan, site: sitegen.Site, main: dict, workdir: Path) -> list[dict]:
    """Throughput at each concurrency of the plan, on the sweep site (the main site's
    figures are reused when it is the same size and concurrency)."""
    rows = []
    if plan.sweep_articles != plan.articles:
        site = sitegen.generate(plan.sweep_articles)
    with BenchServer(site) as server:
        for concurrency in plan.sweep:
            if plan.sweep_articles == plan.articles and concurrency == plan.concurrency:
                rows.append(_sweep_row(concurrency, main["baseline"], main["newsmon"]))
                continue
            base, ours, _runs, _unstored = crawl_pair(server, concurrency, 1, workdir)
            rows.append(_sweep_row(concurrency, base.as_dict(), ours.as_dict()))
    return rows


def run(plan: Plan, chart_path: Path | None = None, workdir: Path | None = None) -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        work = Path(workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        site = sitegen.generate(plan.articles)
        results: dict = {"plan": plan.name, "machine": report.machine()}
        results["throughput"] = throughput(plan, site, work)
        first_run = next(r for r in results["throughput"]["runs"] if r["kind"] == "newsmon")
        results["memory"] = memory(plan, {plan.articles: first_run}, work)
        results["sweep"] = sweep(plan, site, results["throughput"], work)
        results["extraction"] = extraction.compare(site, plan.extraction_pages)
        articles = storage.items(site, plan.storage_articles)
        results["storage"] = {"sqlite": storage.sqlite_rate(articles, work)}
        if plan.postgres:
            results["storage"]["postgresql"] = storage.postgres_rate(articles)
    if chart_path is not None and chart.available():
        title = (f"Throughput against concurrency ({plan.sweep_articles} articles, "
                 f"{results['machine']['nproc']} cores)")
        results["chart"] = str(chart.throughput_chart(results["sweep"], chart_path, title))
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def plan_named(name: str, **changes) -> Plan:
    base = {"full": FULL, "quick": QUICK, "tiny": TINY}[name]
    return replace(base, **{k: v for k, v in changes.items() if v is not None})
