"""Watchlist matching cost: 1,000 watchlists over 100,000 stored articles.

An alert needs a new article matched against every watchlist, inside the transaction
that stores it (``crawler.db.watchlists``). This measures, on SQLite and PostgreSQL:

- match: analysing one new article and testing it against the 1,000 compiled
  watchlists (``Analyzer.document`` + ``match_document``), per article: p50, p95, max,
  wall-clock and CPU time (on a shared machine the wall-clock tail is the wait for a
  CPU: no database is read while matching; the matches over 10 ms wall-clock are
  counted, with how many of them the kernel preempted);
- compile: loading and compiling the 1,000 watchlists (once per process, and again
  after a `newsmon watch` change);
- store: ``Store.save_article`` of a new article with the 1,000 watchlists, against
  the same with none (the baseline, same run, same table): p50, p95 and the ratio;
  the difference is what matching and queueing the alerts add to a write.

The articles and watchlist queries are ``bench.search_bench``'s synthetic news (its
query mix: words, pairs, rare names, phrases, ``or``, ``-word``, a quarter with a
section), plus one watchlist in ten following a tag.

    .venv/bin/python -m bench.alerts_bench             # 100,000 articles, both databases
    .venv/bin/python -m bench.alerts_bench --quick     # 10,000

Record results in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from bench.search_bench import PG_ADMIN_URL, Generator, fill, machine, postgres_database
from crawler.db.models import Alert, Watchlist
from crawler.db.session import make_engine, redact_url, sqlite_url
from crawler.db.store import Store
from crawler.db.watchlists import (WatchlistSpec, add_watchlist, compiled_watchlists,
                                   match_document)
from crawler.items import ArticleItem


def new_articles(gen: Generator, count: int, first_id: int, now: datetime
                 ) -> list[ArticleItem]:
    items = []
    for n in range(first_id, first_id + count):
        row, regions, tags = gen.article(n, now)
        items.append(ArticleItem(url=row["url"] + "-new", title=row["title"],
                                 summary=row["summary"], body=row["body"],
                                 published_at=now, category=row["category"],
                                 section=row["section"], regions=regions, tags=tags,
                                 language="en"))
    return items


def summary(values: list[float]) -> dict:
    ms = sorted(v * 1000 for v in values)
    return {"p50_ms": round(statistics.median(ms), 2),
            "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 2), "max_ms": round(ms[-1], 2)}


def add_watchlists(store: Store, gen: Generator, count: int, now: datetime) -> int:
    queries = gen.queries(count, now)
    with store.engine.begin() as conn:
        for i, query in enumerate(queries):
            tag = gen.tags[i % 50] if i % 10 == 9 else None
            add_watchlist(conn, WatchlistSpec(f"w{i}", query["query"],
                                              section=query.get("section"), tag=tag), now)
    return len(queries)


def timed_saves(store: Store, items: list[ArticleItem], now: datetime) -> list[float]:
    run = store.start_run("https://english.almayadeen.net")
    times = []
    for item in items:
        started = time.perf_counter()
        store.save_article(item, run, now)
        times.append(time.perf_counter() - started)
    return times


def run(backend: str, url: str, args: argparse.Namespace) -> dict:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    gen = Generator()
    print(f"[{backend}] inserting {args.articles:,} articles into {redact_url(url)} ...",
          file=sys.stderr)
    load_s = fill(url, gen, args.articles, now)
    store = Store(make_engine(url))
    items = new_articles(gen, args.samples * 2, args.articles + 1, now + timedelta(hours=1))
    baseline_items, watched_items = items[:args.samples], items[args.samples:]
    print(f"[{backend}] loaded in {load_s:.0f} s; baseline saves ...", file=sys.stderr)
    timed_saves(store, [replace(i, url=i.url + "-warm") for i in baseline_items[:5]], now)
    baseline = timed_saves(store, baseline_items, now)
    added = add_watchlists(store, gen, args.watchlists, now)
    started = time.perf_counter()  # what a writer pays once after `newsmon watch` changes
    with store.engine.connect() as conn:
        analyzer, watchlists = compiled_watchlists(conn)
    compile_s = time.perf_counter() - started
    match_times, match_cpu, matches, slow, preempted = [], [], 0, 0, 0
    for item in watched_items:
        switches = resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw
        started, cpu = time.perf_counter(), time.process_time()
        doc = analyzer.document(item.title, item.summary, item.body)
        found = match_document(watchlists, "new", doc, item.section, item.regions, item.tags)
        match_times.append(time.perf_counter() - started)
        match_cpu.append(time.process_time() - cpu)  # without waiting for a busy CPU
        matches += len(found)
        # No database is read here: a slow match either worked (CPU time) or waited for
        # a CPU, which the kernel counts as an involuntary context switch.
        if match_times[-1] > 0.010:
            slow += 1
            preempted += resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw > switches
    print(f"[{backend}] {added} watchlists; saves with them ...", file=sys.stderr)
    watched = timed_saves(store, watched_items, now)
    with store.engine.begin() as conn:  # leave the database as it was
        conn.execute(delete(Alert))
        conn.execute(delete(Watchlist))
    store.engine.dispose()
    result = {"backend": backend, "articles": args.articles, "watchlists": added,
              "samples": args.samples, "load_s": round(load_s),
              "compile_watchlists_ms": round(compile_s * 1000),
              "match": summary(match_times),
              "match_cpu": summary(match_cpu),
              "match_over_10ms": slow, "match_over_10ms_preempted": preempted,
              "load_average": [round(x, 1) for x in os.getloadavg()],
              "matches_per_article": round(matches / len(watched_items), 1),
              "save_without_watchlists": summary(baseline),
              "save_with_watchlists": summary(watched),
              "save_ratio_p50": round(statistics.median(watched) / statistics.median(baseline),
                                      2)}
    print(f"[{backend}] {result}", file=sys.stderr)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 articles")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--watchlists", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200, help="new articles timed")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("NEWSMON_TEST_PG_URL", PG_ADMIN_URL))
    args = parser.parse_args()
    if args.quick:
        args.articles, args.samples = 10_000, 50
    backends = args.backends.split(",")
    results = {"machine": machine(args.pg_url if "postgresql" in backends else None),
               "runs": []}
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        for backend in backends:
            if backend == "sqlite":
                results["runs"].append(run(backend, sqlite_url(Path(tmp) / "a.sqlite3"), args))
            else:
                for url in postgres_database(args.pg_url, False):
                    results["runs"].append(run(backend, url, args))
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
