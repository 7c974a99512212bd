"""Search latency and export throughput on SQLite and PostgreSQL, at scale.

Generates realistic synthetic articles (English news vocabulary from the bundled
replica with a Zipf-distributed long tail of names, 4 to 10 paragraphs, sections,
regions, tags, two years of dates), bulk-inserts them through the real schema
(migrations, so the FTS triggers and the generated tsvector do their work), then:

- search: ``crawler.db.search.search`` for a mix of queries (common words, pairs,
  rare names, quoted phrases taken from the articles, some with a section or date
  filter), each run once to warm up, then timed: p50, p95, p99, max;
- export: ``newsmon export`` as a child process, JSON lines and Parquet: wall time,
  records per second and the child's peak memory (RSS);
- the analysts' answers (bench/analyst_bench.py): a month of revisions, placement
  runs and breaking news added, then search with count and sort, changes,
  frontpage at a moment, stats by tag over 30 days, and the 7-day report.

    .venv/bin/python -m bench.search_bench            # 100,000 articles
    .venv/bin/python -m bench.search_bench --quick    # 10,000, well under a minute

PostgreSQL: a fresh database ``newsmon_bench_<random>`` on the server of
``--pg-url`` (its maintenance database), dropped afterwards. Record results in
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

from bench.scratch import scratch_postgres
from crawler.db.migrate import upgrade
from crawler.db.models import Article, ArticleRegion, ArticleTag, Region, Tag
from crawler.db.search import search
from crawler.db.session import make_engine, redact_url, sqlite_url
from crawler.db.store import Store
from crawler.replica.content import expected_articles
from crawler.sites.almayadeen.navigation import FALLBACK_MENU

from bench.analyst_bench import fill_monitoring, measure_analysis

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BASE = "https://english.almayadeen.net"
INSERT_BATCH = 2000
STOP = set("the of and to a in on that have for by is its said as with from has it at had "
           "are been be was were this an or but not their they he she his her".split())


# --- synthetic articles ----------------------------------------------------------------

class Generator:
    """Reproducible synthetic news: a sentence pool drawn from a Zipf vocabulary."""

    def __init__(self, seed: int = 5, sentences: int = 60_000):
        self.rng = random.Random(seed)
        corpus = " ".join(f"{a['title']} {a['summary'] or ''} {a['body'] or ''}"
                          for a in expected_articles(BASE).values())
        counts = Counter(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", corpus))
        self.common = [w for w, _ in counts.most_common()]
        self.names = self._names(20_000)  # the long tail: places, people, groups
        vocabulary = self.common + self.names
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(vocabulary))]
        self.cum_weights = list(itertools.accumulate(weights))  # O(log n) draws
        self.tag_cum_weights = list(itertools.accumulate(weights[:600]))
        self.vocabulary = vocabulary
        self._rare = set(self.names)
        self.sentences = [self._sentence() for _ in range(sentences)]
        self.sections = [(c, n) for c, n, _ in FALLBACK_MENU.sections]
        self.regions = [n for n, _ in FALLBACK_MENU.regions]
        self.tags = [n.title() for n in self.names[:600]]

    def _names(self, n: int) -> list[str]:
        syllables = ["ka", "ra", "mi", "to", "le", "sa", "ba", "nu", "de", "fa", "ji",
                     "ho", "ve", "qa", "zin", "mar", "tal", "bek", "sor", "dun"]
        names: set[str] = set()
        while len(names) < n:
            names.add("".join(self.rng.choices(syllables, k=self.rng.randint(2, 4))))
        return sorted(names, key=lambda _: self.rng.random())

    def _sentence(self) -> str:
        words = self.rng.choices(self.vocabulary, cum_weights=self.cum_weights,
                                 k=self.rng.randint(8, 26))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def _text(self, sentences: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=sentences))

    def article(self, n: int, now: datetime) -> tuple[dict, list[str], list[str]]:
        rng = self.rng
        category, section = rng.choice(self.sections)
        published = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        body = "\n\n".join(self._text(rng.randint(2, 4)) for _ in range(rng.randint(4, 10)))
        title = self._text(1).rstrip(".")[:120]
        row = {"id": n, "url": f"{BASE}/news/{section.lower().replace(' ', '-')}/story-{n}",
               "title": title, "summary": self._text(1), "body": body,
               "authors": [rng.choice(self.names).title()], "source": None,
               "published_at": published, "modified_at": published, "category": category,
               "section": None if section == category else section,
               "language": "en", "read_time_minutes": max(1, len(body) // 1200),
               "content_hash": f"{n:064x}", "field_sources": {"title": "jsonld"},
               "first_seen_at": published, "last_seen_at": published,
               "last_fetched_at": published}
        regions = rng.sample(self.regions, rng.choice((1, 1, 1, 2)))
        tags = list(dict.fromkeys(rng.choices(self.tags, cum_weights=self.tag_cum_weights,
                                              k=rng.randint(1, 5))))
        return row, regions, tags

    def queries(self, count: int, now: datetime) -> list[dict]:
        """A mix like an analyst's: topical words and names, pairs, quoted phrases
        around a name, alternatives, and one query in ten a very common word (one in
        five to nine articles or more); a quarter filtered by section, a sixth by
        date. Each query carries its ``kind`` (for the per-kind figures)."""
        rng = self.rng
        content = [w for w in self.common if w not in STOP and len(w) > 3]
        broad, topical = content[10:200], content[300:]
        rare = self.names[:8000]
        named = [s for s in self.sentences if any(w in self._rare for w in s.split())]
        out = []
        for i in range(count):
            slot = i % 10
            if slot in (0, 5):
                kind, q = "word", rng.choice(topical)
            elif slot in (1, 6):
                kind, q = "two words", f"{rng.choice(topical)} {rng.choice(rare)}" \
                    if slot == 6 else " ".join(rng.sample(topical, 2))
            elif slot in (2, 7):
                kind, q = "name", rng.choice(rare)
            elif slot == 3:
                words = rng.choice(named).rstrip(".").split()
                at = next(j for j, w in enumerate(words) if w in self._rare)
                start = max(0, min(at - rng.randint(0, 2), len(words) - 3))
                kind, q = "phrase", '"' + " ".join(words[start:start + 3]) + '"'
            elif slot == 4:
                kind, q = "or", f"{rng.choice(rare)} or {rng.choice(rare)}"
            elif slot == 8:
                kind, q = "common word", rng.choice(broad)
            else:
                kind, q = "word -word", f"{rng.choice(topical)} -{rng.choice(broad)}"
            query = {"kind": kind, "query": q}
            if i % 4 == 1:
                query["section"] = rng.choice(["Politics", "Economy", "Opinion"])
            if i % 6 == 2:
                query["since"] = now - timedelta(days=30)
            out.append(query)
        return out


def fill(url: str, gen: Generator, total: int, now: datetime) -> float:
    """Insert ``total`` articles with tags and regions; returns seconds taken."""
    upgrade(url)
    engine = make_engine(url, statement_timeout_ms=0)
    store = Store(engine)
    store.record_menu([(c, n) for c, n in gen.sections], gen.regions)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Tag), [{"id": i, "name": t} for i, t in enumerate(gen.tags, 1)])
    tag_ids = {t: i for i, t in enumerate(gen.tags, 1)}
    with engine.connect() as conn:
        region_ids = dict(conn.execute(select(Region.name, Region.id)).all())
    for first in range(1, total + 1, INSERT_BATCH):
        rows, links, places = [], [], []
        for n in range(first, min(first + INSERT_BATCH, total + 1)):
            row, regions, tags = gen.article(n, now)
            rows.append(row)
            links += [{"article_id": n, "tag_id": tag_ids[t], "position": p}
                      for p, t in enumerate(tags, 1)]
            places += [{"article_id": n, "region_id": region_ids[r], "from_metadata": True,
                        "from_index": False} for r in regions]
        with engine.begin() as conn:
            conn.execute(insert(Article), rows)
            conn.execute(insert(ArticleTag), links)
            conn.execute(insert(ArticleRegion), places)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('articles', 'id'), "
                              "(SELECT max(id) FROM articles))"))
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a load
        else:
            conn.execute(text("PRAGMA optimize"))
    engine.dispose()
    return time.perf_counter() - started


# --- measurements ----------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def measure_search(url: str, queries: list[dict], rounds: int) -> dict:
    engine = make_engine(url)
    hits = []
    for query in queries:  # warm-up: caches, pool, plans
        args = {k: v for k, v in query.items() if k != "kind"}
        hits.append(len(search(engine, limit=20, **args)))
    timings: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(rounds):
        for query in queries:
            args = {k: v for k, v in query.items() if k != "kind"}
            started = time.perf_counter()
            search(engine, limit=20, **args)
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            by_kind.setdefault(query["kind"], []).append(elapsed)
    engine.dispose()
    return {"p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95),
            "p99_ms": percentile(timings, 99), "max_ms": max(timings),
            "queries": len(timings), "median_hits": statistics.median(hits),
            "zero_hit_share": sum(1 for h in hits if h == 0) / len(hits),
            "by_kind_p50_p95_ms": {k: [round(percentile(v, 50), 1), round(percentile(v, 95), 1)]
                                   for k, v in sorted(by_kind.items())}}


# `newsmon export` in a child that reports its own peak memory (RSS, KiB) last.
_EXPORT = ("import resource, sys\nfrom crawler.cli import main\ncode = main(sys.argv[1:])\n"
           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
           "sys.exit(code)")


def measure_export(url: str, total: int, workdir: Path) -> dict:
    results = {}
    for fmt in ("jsonl", "parquet"):
        out = workdir / f"export.{fmt}"
        started = time.perf_counter()
        child = subprocess.run([sys.executable, "-c", _EXPORT, "export", "--db", url,
                                "--format", fmt, "--out", str(out)], check=True,
                               capture_output=True, text=True)
        seconds = time.perf_counter() - started
        results[fmt] = {"seconds": seconds, "records_per_s": total / seconds,
                        "mb": out.stat().st_size / 1e6,
                        "peak_rss_mb": int(child.stderr.split()[-1]) / 1024}
        out.unlink()
    return results


def machine(pg_url: str | None) -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram = re.search(r"MemTotal:\s+(\d+)", meminfo)
    info = {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "nproc": os.cpu_count(),
            "ram_gb": round(int(ram.group(1)) / 1024 / 1024, 1) if ram else None,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}
    if pg_url:
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
    return info


def postgres_database(admin_url: str, keep: bool) -> Iterator[str]:
    """One scratch database, as a loop over it (``for url in ...``)."""
    with scratch_postgres(admin_url, keep=keep) as url:
        yield url


def run(backend: str, url: str, args: argparse.Namespace, workdir: Path) -> dict:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    gen = Generator()
    print(f"[{backend}] inserting {args.articles:,} articles into {redact_url(url)} ...",
          file=sys.stderr)
    load_s = fill(url, gen, args.articles, now)
    print(f"[{backend}] loaded in {load_s:.0f} s; searching ...", file=sys.stderr)
    result = {"backend": backend, "articles": args.articles, "load_s": load_s,
              "search": measure_search(url, gen.queries(args.queries, now), args.rounds)}
    print(f"[{backend}] search {result['search']}; exporting ...", file=sys.stderr)
    result["export"] = measure_export(url, args.articles, workdir)
    print(f"[{backend}] adding a month of monitoring; the analysts' answers ...",
          file=sys.stderr)
    started = time.perf_counter()
    result["monitoring_rows"] = fill_monitoring(url, now)
    result["monitoring_load_s"] = time.perf_counter() - started
    result["analysis"] = measure_analysis(url, gen.queries(60, now), now, workdir)
    print(f"[{backend}] analysis {result['analysis']}", file=sys.stderr)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 articles")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=200, help="distinct queries")
    parser.add_argument("--rounds", type=int, default=2, help="timed passes over them")
    parser.add_argument("--pg-url", default=os.environ.get("NEWSMON_TEST_PG_URL", PG_ADMIN_URL),
                        help="a PostgreSQL maintenance database URL")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.queries, args.rounds = 10_000, 100, 2
    backends = args.backends.split(",")
    results = {"machine": machine(args.pg_url if "postgresql" in backends else None),
               "runs": []}
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            if backend == "sqlite":
                results["runs"].append(run(backend, sqlite_url(workdir / "bench.sqlite3"),
                                           args, workdir))
            else:
                for url in postgres_database(args.pg_url, args.keep):
                    results["runs"].append(run(backend, url, args, workdir))
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
