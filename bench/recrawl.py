"""``python -m bench.recrawl [--new N] [--db URL] [--json FILE]``: what a recrawl costs.

Serves the replica on 127.0.0.1, crawls it into a new database (the first crawl),
then counts the requests the replica answers for:

1. an immediate recrawl of the unchanged site (goal: index pages only, no article);
2. a recrawl after N new articles were published (goal: index pages + N articles);
3. a recrawl with ``--revisit-after 0s`` (every stored article met is asked again,
   conditionally: the replica answers 304 where nothing changed).

Each crawl is the real ``newsmon crawl`` in a subprocess, politeness delays off.
Prints a Markdown table (the one in docs/BENCHMARKS.md) and exits 1 when a goal is
missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from crawler.db.session import sqlite_url
from crawler.replica.changes import new_article, now_beirut
from crawler.replica.server import ReplicaServer

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "LOG_LEVEL=WARNING"]


@dataclass
class Crawl:
    name: str
    requests: int          # every request the replica answered
    index_pages: int       # home, section and region pages (200 or 304)
    index_304: int
    articles: int          # article pages (and old URLs redirecting to them)
    articles_304: int
    other: int             # robots.txt
    stored_new: int
    wall_s: float


def count(server: ReplicaServer, name: str, stored_new: int, wall_s: float) -> Crawl:
    articles = server.articles()
    article_paths = {a["path"] for a in articles} | {a["old_path"] for a in articles
                                                      if a["old_path"]}
    kinds: Counter[str] = Counter()
    for record in server.request_log:
        path = urlsplit(record.path).path
        kind = "article" if path in article_paths else \
            "other" if path == "/robots.txt" else "index"
        kinds[kind] += 1
        if record.status == 304:
            kinds[kind + "_304"] += 1
    return Crawl(name, len(server.request_log), kinds["index"], kinds["index_304"],
                 kinds["article"], kinds["article_304"], kinds["other"], stored_new, wall_s)


def crawl(server: ReplicaServer, db_url: str, name: str, *extra: str) -> Crawl:
    server.clear_log()
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", server.base_url,
         "--db", db_url, *FAST, *extra], capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{name}: newsmon crawl failed:\n{result.stderr[-2000:]}")
    new = next(int(line.split()[-1]) for line in result.stdout.splitlines()
               if line.strip().startswith("articles new:"))
    return count(server, name, new, wall)


def machine() -> dict[str, str]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": str(os.cpu_count()), "ram_gib": f"{memory:.0f}",
            "python": platform.python_version(), "platform": platform.platform()}


def table(crawls: list[Crawl]) -> str:
    lines = ["| crawl | requests | index pages (304) | article pages (304) | robots.txt "
             "| articles stored | wall s |", "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {c.name} | {c.requests} | {c.index_pages} ({c.index_304}) | "
              f"{c.articles} ({c.articles_304}) | {c.other} | {c.stored_new} | "
              f"{c.wall_s:.1f} |" for c in crawls]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recrawl",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--new", type=int, default=3, help="articles to publish (default 3)")
    parser.add_argument("--db", help="an empty database URL (default: a new SQLite file)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, ReplicaServer() as server:
        db_url = args.db or sqlite_url(Path(folder) / "recrawl.sqlite3")
        crawls = [crawl(server, db_url, "first crawl (empty database)"),
                  crawl(server, db_url, "recrawl, site unchanged")]
        now = now_beirut()
        for i in range(args.new):
            server.add_article(new_article(f"bench-{i}", f"Bench story {i} on the wires today",
                                           published=now - timedelta(minutes=i)))
        crawls.append(crawl(server, db_url, f"recrawl after {args.new} new articles"))
        crawls.append(crawl(server, db_url, "recrawl with --revisit-after 0s",
                            "--revisit-after", "0s"))
    print(table(crawls))
    info = machine()
    print(f"\n{info['cpus']} CPUs, {info['ram_gib']} GiB RAM, Python {info['python']}, "
          f"{info['platform']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "crawls": [asdict(c) for c in crawls]},
                                        indent=2))
    unchanged, after_new = crawls[1], crawls[2]
    missed = []
    if unchanged.articles:
        missed.append(f"the unchanged recrawl fetched {unchanged.articles} article pages")
    if after_new.articles != args.new or after_new.stored_new != args.new:
        missed.append(f"after {args.new} new articles: {after_new.articles} article pages "
                      f"fetched, {after_new.stored_new} stored")
    for problem in missed:
        print(f"GOAL MISSED: {problem}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
