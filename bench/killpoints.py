"""``python -m bench.killpoints [--db sqlite|postgresql|both] [--stride K] [--workers W]``:
kill a crawl of the replica after each of its database writes, and check that the
next crawl still stores the whole site exactly once.

One trial, for a kill point N: a new, empty database; ``newsmon crawl`` of the
replica with ``NEWSMON_FAULT_EXIT_AFTER_WRITES=N`` (crawler/db/faults.py: the process
calls ``os._exit`` right after its Nth write transaction commits, as a SIGKILL would
leave it); then a normal ``newsmon crawl``, which must exit 0 and leave every article
of the replica's truth (crawler/replica/content.py ``expected_articles``) stored once,
field for field, with its raw page, and no run ``running``. N runs over 1, 2, 3 ...
(every ``stride``-th) until a crawl ends before its Nth write: the sweep then has
covered every write of the crawl. Every write of a crawl is one transaction of
``Store._write``, so the kill points are every state a crash can leave.

tests/test_reliability_killpoints.py runs a part of this sweep in CI (it says which);
this script runs all of it (``--stride 1``, the default) and prints how many kill points
it tried and which failed; exit 1 when one did. docs/RELIABILITY.md has the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from bench.scratch import scratch_postgres
from crawler.db.faults import FAULT_ENV, FAULT_EXIT_CODE
from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.replica.content import expected_articles, expected_fields
from crawler.replica.server import ReplicaServer

PG_ADMIN_URL = os.environ.get("NEWSMON_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "LOG_LEVEL=WARNING"]


@dataclass
class Trial:
    kill_after: int
    killed: bool = False         # the crawl did reach write N (else: it has fewer writes)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def newsmon(*args: str, env: dict[str, str] | None = None, timeout: float = 180
            ) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env={**environment, **(env or {})})


@contextmanager
def new_database(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database on ``backend`` ("sqlite": a file in workdir; "postgresql": a
    new database on the server of ``NEWSMON_TEST_PG_URL``, dropped afterwards)."""
    if backend == "sqlite":
        yield sqlite_url(workdir / f"kill-{uuid.uuid4().hex[:10]}.sqlite3")
        return
    with scratch_postgres(PG_ADMIN_URL, "newsmon_kill", connect_timeout=5) as url:
        yield url


def whole_site_problems(db_url: str, base_url: str, added: tuple[dict, ...] = ()
                        ) -> list[str]:
    """What differs from the replica's truth (plus the articles ``added`` to the
    server): every article stored exactly once, each field as expected, one raw page
    each, and no run left ``running``."""
    expected = expected_articles(base_url)
    for record in added:
        fields = expected_fields(record, base_url)
        expected[fields["url"]] = fields
    engine = make_engine(db_url)
    try:
        stored = {r["url"]: r for r in Store(engine).iter_export_articles()}
        with engine.connect() as conn:
            articles = conn.execute(text("SELECT count(*) FROM articles")).scalar()
            raw = conn.execute(text("SELECT count(*) FROM raw_pages")).scalar()
            statuses = {s for (s,) in conn.execute(text("SELECT status FROM crawl_runs"))}
    finally:
        engine.dispose()
    problems = [f"missing: {url}" for url in sorted(set(expected) - set(stored))]
    problems += [f"not on the site: {url}" for url in sorted(set(stored) - set(expected))]
    for url in sorted(set(expected) & set(stored)):
        got = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
               for k, v in stored[url].items()}
        problems += [f"{url} {key}: got {str(got.get(key))[:60]!r}, want {str(value)[:60]!r}"
                     for key, value in expected[url].items() if got.get(key) != value]
    if articles != len(expected) or raw != len(expected):
        problems.append(f"{articles} article rows, {raw} raw pages for {len(expected)}")
    if not statuses <= {"ok", "interrupted"}:
        problems.append(f"run statuses {sorted(statuses)}")
    return problems


def trial(backend: str, base_url: str, kill_after: int, workdir: Path,
          extra: tuple[str, ...] = ()) -> Trial:
    """Kill a first crawl after its write ``kill_after``, then crawl to the end."""
    result = Trial(kill_after)
    started = time.monotonic()
    with new_database(backend, workdir) as db_url:
        common = ("crawl", "--base-url", base_url, "--db", db_url, *FAST, *extra)
        killed = newsmon(*common, env={FAULT_ENV: str(kill_after)})
        if killed.returncode == 0:  # fewer writes than kill_after: past the end
            result.problems += whole_site_problems(db_url, base_url)
            result.seconds = time.monotonic() - started
            return result
        result.killed = True
        if killed.returncode != FAULT_EXIT_CODE:
            result.problems.append(f"killed crawl exited {killed.returncode}: "
                                   f"{killed.stderr.strip()[-300:]}")
        final = newsmon(*common)
        if final.returncode != 0:
            result.problems.append(f"crawl after the kill exited {final.returncode}: "
                                   f"{final.stderr.strip()[-500:]}")
        else:
            result.problems += whole_site_problems(db_url, base_url)
    result.seconds = time.monotonic() - started
    return result


def sweep(backend: str, base_url: str, points: Iterator[int] | list[int], workdir: Path,
          workers: int = 2, stop_past_end: bool = True, progress: bool = False
          ) -> list[Trial]:
    """Run ``trial`` at each kill point, ``workers`` at a time; with ``stop_past_end``,
    stop after the first batch in which a crawl ended before its kill point.
    ``progress``: print a line per trial."""
    trials: list[Trial] = []
    iterator = iter(points)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            batch = [n for _, n in zip(range(workers), iterator)]
            if not batch:
                break
            done = list(pool.map(lambda n: trial(backend, base_url, n, workdir), batch))
            trials += done
            for t in done if progress else ():
                print(f"  {backend} kill after write {t.kill_after}: "
                      f"{'killed' if t.killed else 'ended first'}, "
                      f"{'ok' if not t.problems else 'FAILED ' + '; '.join(t.problems[:3])}"
                      f" ({t.seconds:.0f} s)", flush=True)
            if stop_past_end and any(not t.killed for t in done):
                break
    return trials


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.killpoints",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--stride", type=int, default=1, help="every Kth write (default 1)")
    parser.add_argument("--first", type=int, default=1, help="first kill point")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per trial")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    failed = 0
    with ReplicaServer() as server, tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            started = time.monotonic()
            points = iter(range(args.first, 100_000, max(args.stride, 1)))
            trials = sweep(backend, server.base_url, points, Path(tmp), args.workers,
                           progress=args.verbose)
            tried = [t for t in trials if t.killed]
            bad = [t for t in tried if t.problems]
            failed += len(bad)
            last = max((t.kill_after for t in tried), default=0)
            print(f"{backend}: {len(tried)} kill points tried (after write 1..{last}, "
                  f"stride {args.stride}), {len(bad)} failed, "
                  f"{time.monotonic() - started:.0f} s", flush=True)
            for t in bad:
                print(f"  kill after write {t.kill_after}: " + "; ".join(t.problems[:5]),
                      flush=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
