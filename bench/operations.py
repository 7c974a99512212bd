"""Operating for years (docs/BENCHMARKS.md, "Operations"): what metrics cost, how the
database grows, how pruning a million placement rows behaves on PostgreSQL.

    python -m bench.operations metrics [--runs 10000]
    python -m bench.operations growth [--articles 1000] [--runs 10000] [--runs-only]
    python -m bench.operations prune [--rows 1000000]

- metrics: (1) `/metrics` served as `newsmon schedule` serves it, over a database with
  `--runs` runs recorded (with their field statistics, counters and fetch errors),
  scraped 30 times, on SQLite and PostgreSQL; the 50 ms goal as a ratio. (2) the CPU a
  crawl spends on its metrics (the run's counters and the textfile: the extension's
  own `newsmon/metrics_cpu_seconds`) against the crawl's whole CPU (its rusage), for
  a `newsmon crawl` of bench/sitegen.py's synthetic site and a second crawl that finds
  nothing new, into a new database and into one with `--runs` runs recorded.
- growth: `newsmon crawl` of the synthetic site into a new database, then a second,
  incremental crawl: rows and bytes per table after the first (per 1,000 articles)
  and what the second added (the cost of one run that finds nothing new), on both
  databases; a year's projection from those figures.
- prune: `newsmon prune` of a million old placement rows on PostgreSQL, SIGKILLed
  midway and run again, beside a writer (bench/prune_bench.py).
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bench.crawls import measure, newsmon_command
from bench.prune_bench import bench_prune
from bench.report import machine_line
from bench.scratch import BENCH_ADMIN_URL, scratch_postgres
from bench.server import BenchServer
from bench.sitegen import generate
from crawler.db import migrate
from crawler.db.metric_totals import (ARTICLES, DURATION, FETCH_ERRORS, PAGES_FETCHED, RENDERED,
                                      RUNS, add, sample_key)
from crawler.db.session import make_engine, sqlite_url

TABLES = ("articles", "article_revisions", "article_tags", "tags", "article_regions",
          "regions", "sections", "article_links", "url_aliases", "raw_pages", "placements",
          "index_pages", "http_validators", "breaking_news", "crawl_runs", "fetch_errors",
          "run_field_stats", "run_counters")


def pg_database():
    return scratch_postgres(BENCH_ADMIN_URL)


# --- metrics ------------------------------------------------------------------------------

def fill_runs(db_url: str, runs: int) -> None:
    """`runs` finished runs a day apart, each with 18 field rows, 5 counters, 2 errors."""
    engine = make_engine(db_url)
    start = datetime.now(UTC) - timedelta(minutes=10 * runs)
    fields = ["article", "title", "summary", "authors", "source", "published_at",
              "modified_at", "category", "section", "regions", "tags", "body", "image_url",
              "image_caption", "read_time_minutes", "language", "related_urls", "url2"]
    with engine.begin() as conn:
        for first in range(0, runs, 1000):
            batch = range(first, min(runs, first + 1000))
            conn.execute(text(
                "INSERT INTO crawl_runs (id, started_at, finished_at, status, trigger, "
                "base_url, pages_fetched, articles_new, articles_updated, articles_unchanged,"
                " errors) VALUES (:id, :s, :f, :st, 'scheduler', 'https://x', 60, 3, 1, 40, 2)"),
                [{"id": n + 1, "s": start + timedelta(minutes=10 * n),
                  "f": start + timedelta(minutes=10 * n, seconds=45),
                  "st": "failed" if n % 50 == 0 else "ok"} for n in batch])
            conn.execute(text(
                "INSERT INTO run_field_stats (run_id, field, pages, filled, generic, alarm) "
                "VALUES (:r, :f, 40, 38, 2, NULL)"),
                [{"r": n + 1, "f": f} for n in batch for f in fields])
            conn.execute(text("INSERT INTO run_counters (run_id, name, value) "
                              "VALUES (:r, :n, 10)"),
                         [{"r": n + 1, "n": c} for n in batch for c in
                          ("responses_2xx", "responses_3xx", "responses_4xx",
                           "responses_5xx", "rendered_pages")])
            conn.execute(text(
                "INSERT INTO fetch_errors (run_id, url, status, error, occurred_at) "
                "VALUES (:r, :u, :s, :e, :t)"),
                [{"r": n + 1, "u": f"https://x/{n}/{k}", "s": 404 if k else None,
                  "e": "HTTP 404" if k else "timeout",
                  "t": start + timedelta(minutes=10 * n)} for n in batch for k in (0, 1)])
        # What the store would have added to the running totals, run by run.
        failed = len(range(0, runs, 50))
        add(conn, {sample_key(RUNS, "ok"): runs - failed, sample_key(RUNS, "failed"): failed,
                   sample_key(ARTICLES, "new"): 3 * runs, sample_key(ARTICLES, "updated"): runs,
                   sample_key(ARTICLES, "unchanged"): 40 * runs,
                   sample_key(DURATION + "_count"): runs,
                   sample_key(DURATION + "_sum"): 45 * runs,
                   **{sample_key(PAGES_FETCHED, c): 10 * runs
                      for c in ("2xx", "3xx", "4xx", "5xx")},
                   sample_key(RENDERED): 10 * runs,
                   sample_key(FETCH_ERRORS, "http_4xx"): runs,
                   sample_key(FETCH_ERRORS, "timeout"): runs})
    engine.dispose()


def scrape_times(db_url: str, scrapes: int = 30) -> list[float]:
    from crawler.ops.metrics import serve_metrics

    engine = make_engine(db_url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve_metrics(("127.0.0.1", port), engine)
    times = []
    try:
        for _ in range(scrapes):
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as reply:
                body = reply.read()
            times.append(time.perf_counter() - started)
        assert b"newsmon_database_up 1.0" in body, body[:300]
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()
    return times


def scrape_cpu(db_url: str, scrapes: int = 30) -> float:
    """CPU seconds of one scrape in this process (a warmed collector, no HTTP): what
    the load of other processes does not inflate."""
    from prometheus_client import generate_latest

    from crawler.ops.metrics import registry_for

    engine = make_engine(db_url)
    registry = registry_for(engine)
    generate_latest(registry)  # warm: the pool's connection, statement caches
    started = time.process_time()
    for _ in range(scrapes):
        generate_latest(registry)
    engine.dispose()
    return (time.process_time() - started) / scrapes


def bench_metrics(runs: int, articles: int, crawl: bool = True) -> None:
    print(f"machine: {machine_line()}")
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp, \
                (pg_database() if backend == "postgresql" else _nothing()) as pg_url:
            db_url = pg_url or sqlite_url(Path(tmp) / "m.sqlite3")
            migrate.upgrade(db_url)
            empty = statistics.median(scrape_times(db_url, 10)[1:])
            fill_runs(db_url, runs)
            first, *times = scrape_times(db_url, 31)
            median, worst = statistics.median(times), max(times)
            cpu = scrape_cpu(db_url)
            print(f"/metrics {backend:<10} {runs} runs: CPU of this process per scrape "
                  f"{cpu * 1000:.1f} ms (the database server's not counted)")
            print(f"/metrics {backend:<10} {runs} runs: median {median * 1000:.1f} ms, "
                  f"max {worst * 1000:.1f} ms; the first scrape (a new connection) "
                  f"{first * 1000:.0f} ms; empty database: "
                  f"{empty * 1000:.1f} ms; goal 50 ms: median at {median / 0.05:.0%} of it")
    if not crawl:
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = BenchServer(generate(articles)).start()
        try:
            for recorded in (0, runs):
                db_url = sqlite_url(workdir / f"crawl-{recorded}.sqlite3")
                migrate.upgrade(db_url)
                if recorded:
                    fill_runs(db_url, recorded)
                for crawl_number, what in ((1, f"{articles} new articles"),
                                           (2, "again, nothing new")):
                    spent, cpu, wall = _crawl_metrics_cpu(server.base_url, db_url, workdir)
                    print(f"crawl {crawl_number} ({what}), {recorded} runs recorded before: "
                          f"{cpu:.1f} s CPU in {wall:.1f} s; its metrics (run counters + "
                          f"textfile): {spent * 1000:.1f} ms CPU = {spent / cpu:.2%} of the "
                          f"crawl's CPU (goal < 1 %)")
        finally:
            server.stop()


def _crawl_metrics_cpu(base_url: str, db_url: str, workdir: Path) -> tuple[float, float, float]:
    """One `newsmon crawl` writing the textfile: (its metrics' CPU seconds, the crawl's
    CPU seconds, its wall seconds)."""
    textfile = workdir / "textfile" / "newsmon.prom"
    textfile.unlink(missing_ok=True)
    cmd = newsmon_command(base_url, db_url, 4, (f"NEWSMON_METRICS_TEXTFILE={textfile}",
                                                "LOG_LEVEL=INFO"))
    code, wall, cpu, _rss = measure(cmd, 1800, workdir / "crawl.log", workdir / "crawl.out")
    log = (workdir / "crawl.log").read_text(errors="replace")
    found = re.search(r"'newsmon/metrics_cpu_seconds': ([0-9.e-]+)", log)
    assert code == 0 and found and textfile.exists(), log[-2000:]
    return float(found.group(1)), cpu, wall


@contextmanager
def _nothing():
    yield None


# --- growth -------------------------------------------------------------------------------

def table_sizes(db_url: str) -> dict[str, tuple[int, int]]:
    """table -> (rows, bytes with its indexes)."""
    from crawler.ops.prune import table_bytes

    engine = make_engine(db_url)
    sizes = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            sizes[table] = (rows, table_bytes(conn, table) or 0)
        if conn.dialect.name == "sqlite":  # the search index (FTS5) is tables of its own
            fts = conn.execute(text("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE "
                                    "name LIKE 'articles_fts%'")).scalar_one()
            sizes["(search index)"] = (0, int(fts))
    engine.dispose()
    return sizes


def bench_run_records(runs: int) -> None:
    """Bytes per run of the run records (a run, 18 field rows, 5 counters, 2 errors):
    `runs` of them in a fresh database, per table."""
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp, \
                (pg_database() if backend == "postgresql" else _nothing()) as pg_url:
            db_url = pg_url or sqlite_url(Path(tmp) / "r.sqlite3")
            migrate.upgrade(db_url)
            empty = table_sizes(db_url)
            fill_runs(db_url, runs)
            if backend == "postgresql":
                engine = make_engine(db_url)
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE"))
                engine.dispose()
            sizes = table_sizes(db_url)
            parts = {t: (sizes[t][1] - empty[t][1]) / runs
                     for t in ("crawl_runs", "run_field_stats", "run_counters", "fetch_errors")}
            print(f"run records, {backend}: {sum(parts.values()):.0f} bytes per run ("
                  + ", ".join(f"{t} {b:.0f}" for t, b in parts.items())
                  + f"; {runs} runs, each with 18 field rows, 5 counters, 2 fetch errors)")


def bench_growth(articles: int) -> None:
    print(f"machine: {machine_line()}")
    site = generate(articles)
    results = {}
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp, \
                (pg_database() if backend == "postgresql" else _nothing()) as pg_url:
            workdir = Path(tmp)
            db_url = pg_url or sqlite_url(workdir / "g.sqlite3")
            server = BenchServer(site).start()
            try:
                for crawl in (1, 2):
                    code, wall, _cpu, _rss = measure(
                        newsmon_command(server.base_url, db_url, 4), 3600,
                        workdir / f"{crawl}.log", workdir / f"{crawl}.out")
                    assert code == 0, (workdir / f"{crawl}.log").read_text()[-2000:]
                    if backend == "postgresql":
                        engine = make_engine(db_url)
                        with engine.connect().execution_options(
                                isolation_level="AUTOCOMMIT") as conn:
                            conn.execute(text("ANALYZE"))
                        engine.dispose()
                    results[(backend, crawl)] = table_sizes(db_url)
            finally:
                server.stop()
    stored = results[("sqlite", 1)]["articles"][0]
    scale = 1000 / stored
    print(f"\n{stored} articles stored; per 1,000 articles after the first crawl, and what "
          f"one more (incremental) crawl added:")
    print(f"{'table':<18} {'rows/1k':>9} {'SQLite kB/1k':>13} {'PG kB/1k':>10} "
          f"{'+rows/run':>10} {'+SQLite B/run':>14} {'+PG B/run':>10}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for table in results[("sqlite", 1)]:
        rows, lite = results[("sqlite", 1)][table]
        pg = results[("postgresql", 1)].get(table, (0, 0))[1]
        rows2, lite2 = results[("sqlite", 2)][table]
        pg2 = results[("postgresql", 2)].get(table, (0, 0))[1]
        values = [lite * scale / 1000, pg * scale / 1000, lite2 - lite, pg2 - pg]
        totals = [t + v for t, v in zip(totals, values)]
        print(f"{table:<18} {rows * scale:>9.0f} {values[0]:>13.1f} {values[1]:>10.1f} "
              f"{rows2 - rows:>10} {values[2]:>14.0f} {values[3]:>10.0f}")
    print(f"{'total':<18} {'':>9} {totals[0]:>13.1f} {totals[1]:>10.1f} {'':>10} "
          f"{totals[2]:>14.0f} {totals[3]:>10.0f}")
    print(json.dumps({"per_1000_articles_kB": {"sqlite": totals[0], "postgresql": totals[1]},
                      "per_run_bytes": {"sqlite": totals[2], "postgresql": totals[3]}}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.operations",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    metrics = sub.add_parser("metrics")
    metrics.add_argument("--runs", type=int, default=10000)
    metrics.add_argument("--articles", type=int, default=1000)
    metrics.add_argument("--no-crawl", action="store_true", help="only /metrics")
    growth = sub.add_parser("growth")
    growth.add_argument("--articles", type=int, default=1000)
    growth.add_argument("--runs", type=int, default=10000,
                        help="run records written to measure bytes per run")
    growth.add_argument("--runs-only", action="store_true",
                        help="only the run records' part")
    prune = sub.add_parser("prune")
    prune.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.what == "metrics":
        bench_metrics(args.runs, args.articles, crawl=not args.no_crawl)
    elif args.what == "growth":
        if not args.runs_only:
            bench_growth(args.articles)
        bench_run_records(args.runs)
    else:
        bench_prune(args.rows)  # bench/prune_bench.py


if __name__ == "__main__":
    main()
