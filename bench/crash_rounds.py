"""``python -m bench.crash_rounds [--db sqlite|postgresql|both] [--rounds 20] [--kills 6]``:
crawls of the replica SIGKILLed at random moments, several in a row, then one crawl
to the end, which must store the whole site exactly once.

One round: a new, empty database; ``--kills`` crawls in a row, each SIGKILLed at a
random moment (seeded) unless it ended first: the first of a round between 0.2 s and
``--min`` s after its process started (while the schema is created and the crawl
starts), the others between ``--min`` and ``--max`` seconds after the replica got the
crawl's first request (counted from there, the moments fall within the crawl however
loaded the machine is); after each kill every stored article must be whole
(``partial_row_problems``); then a crawl to the end must store every article of the
replica's truth once, field for field, with no run left ``running``
(bench/killpoints.py ``whole_site_problems``). The killed crawls revisit every stored
article (``--revisit-after 0s``) and the replica answers article pages slowly
(``article_delay``), so that kills land while articles are first inserted and while
stored ones are updated.

tests/test_reliability_crash.py runs a short version in CI (a few rounds on each
database); this script runs the long one and prints one line per round and a total;
exit 1 when a round failed. docs/RELIABILITY.md has the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect, text

from bench.killpoints import FAST, new_database, whole_site_problems
from crawler.db import migrate
from crawler.db.faults import FAULT_ENV
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.replica.content import BY_PATH, expected_articles, expected_fields
from crawler.replica.server import ReplicaServer

DELAY = 0.4  # seconds per article page: a crawl (even a revisit) lasts several seconds
SEED = 20261205


@dataclass
class Round:
    kills: int = 0                 # crawls that were still running when killed
    stored_after: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def partial_row_problems(db_url: str, base_url: str) -> tuple[int, list[str]]:
    """After a kill: every stored article is whole (its fields as the truth says,
    regions aside: the listings that add them may not have been read yet; its raw page,
    revision and alias are there: a write that was not one transaction would show).
    Returns (articles stored, problems)."""
    if not migrate.is_up_to_date(db_url):  # killed while creating the schema
        engine = make_engine(db_url)
        try:
            if not inspect(engine).has_table("articles"):
                return 0, []
            with engine.connect() as conn:
                count = conn.execute(text("SELECT count(*) FROM articles")).scalar()
        finally:
            engine.dispose()
        return 0, ([] if not count else [f"{count} articles before the schema was done"])
    expected = expected_articles(base_url)
    engine = make_engine(db_url)
    try:
        stored = {r["url"]: r for r in Store(engine).iter_export_articles()}
        with engine.connect() as conn:
            orphans = conn.execute(text(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM raw_pages"
                " r WHERE r.article_id = a.id) OR NOT EXISTS (SELECT 1 FROM "
                "article_revisions v WHERE v.article_id = a.id) OR NOT EXISTS (SELECT 1 "
                "FROM url_aliases u WHERE u.article_id = a.id AND u.url = a.url)")).scalar()
    finally:
        engine.dispose()
    problems = [f"not on the site: {url}" for url in set(stored) - set(expected)]
    for url in set(stored) & set(expected):
        got = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
               for k, v in stored[url].items()}
        problems += [f"{url} {key}: got {str(got.get(key))[:60]!r}"
                     for key, value in expected[url].items()
                     if key != "regions" and got.get(key) != value]
        own = expected_fields(BY_PATH[url[len(base_url):]], base_url,
                              with_listings=False)["regions"]
        if not set(own) <= set(got["regions"]) <= set(expected[url]["regions"]):
            problems.append(f"{url} regions: {got['regions']}")
        if got.get("revision", 1) != 1:
            problems.append(f"{url}: revision {got['revision']} (same text, new revision)")
    if orphans:
        problems.append(f"{orphans} articles without raw page, revision or alias")
    return len(stored), problems


def _until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)


def crawl_round(backend: str, server: ReplicaServer, rng: random.Random, kills: int,
                workdir: Path, low: float = 0.5, high: float = 6.0,
                delay: float = DELAY) -> Round:
    """``kills`` crawls SIGKILLed at random moments into one new database, then a
    crawl to the end (see the module docstring)."""
    result = Round()
    started = time.monotonic()
    base_url = server.base_url
    environment = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    with new_database(backend, workdir) as db_url:
        for number in range(kills):
            server.article_delay = delay
            requests_before = len(server.request_log)
            with tempfile.TemporaryFile() as out:
                crawl = subprocess.Popen(
                    [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", base_url,
                     "--db", db_url, "--revisit-after", "0s", *FAST, "--set",
                     "CONCURRENT_REQUESTS_PER_DOMAIN=2"], stdout=out, stderr=out,
                    env=environment)
                if number == 0:
                    wait = rng.uniform(0.2, low)
                else:
                    wait = rng.uniform(low, high)
                    _until(lambda: len(server.request_log) > requests_before
                           or crawl.poll() is not None, 120)
                try:
                    crawl.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    crawl.send_signal(signal.SIGKILL)
                    result.kills += 1
                crawl.wait(timeout=60)
            stored, problems = partial_row_problems(db_url, base_url)
            result.stored_after.append(stored)
            result.problems += problems
        server.article_delay = 0.0  # the crawl to the end needs no slowing
        final = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", base_url,
             "--db", db_url, *FAST], capture_output=True, text=True, timeout=300,
            env=environment)
        if final.returncode != 0:
            result.problems.append(f"crawl to the end exited {final.returncode}: "
                                   f"{final.stderr.strip()[-500:]}")
        else:
            result.problems += whole_site_problems(db_url, base_url)
    result.seconds = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_rounds",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--kills", type=int, default=6, help="killed crawls per round")
    parser.add_argument("--min", type=float, default=0.5, help="earliest kill (s)")
    parser.add_argument("--max", type=float, default=6.0,
                        help="latest kill (s after the crawl's first request)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    failed = 0
    with ReplicaServer() as server, tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            rng = random.Random(args.seed)
            kills = 0
            started = time.monotonic()
            for number in range(1, args.rounds + 1):
                result = crawl_round(backend, server, rng, args.kills, Path(tmp),
                                     args.min, args.max)
                kills += result.kills
                failed += bool(result.problems)
                print(f"{backend} round {number}: {result.kills} kills, stored after "
                      f"each {result.stored_after}, "
                      f"{'ok' if not result.problems else 'FAILED'} "
                      f"({result.seconds:.0f} s)", flush=True)
                for problem in result.problems[:5]:
                    print(f"  {problem}", flush=True)
            print(f"{backend}: {args.rounds} rounds, {kills} kills, "
                  f"{time.monotonic() - started:.0f} s", flush=True)
    print(f"{failed} rounds failed; machine: {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
