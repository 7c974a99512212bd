"""Crawls as measured subprocesses: ``newsmon crawl`` and the bare baseline spider.

Each crawl runs in its own process, so its CPU time and peak RSS are its own: both
come from ``os.wait4`` (the child's rusage), wall time from the parent's clock, and
the server's CPU from this process's CPU time while it only serves. A watchdog kills a
crawl that outlives its timeout.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.server import BenchServer

REPO = Path(__file__).resolve().parents[1]
POLITENESS_OFF = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "ROBOTSTXT_OBEY=True",
                  "LOG_LEVEL=WARNING")


@dataclass
class CrawlResult:
    kind: str                 # "baseline" | "newsmon" | "newsmon-no-storage"
    concurrency: int
    articles: int             # articles stored (newsmon) / article pages fetched (baseline)
    pages: int                # requests the server answered during the crawl
    wall_s: float             # the process, start to exit
    window_s: float           # the server's first request to its last response
    cpu_s: float              # the crawl process's user + system CPU
    server_cpu_s: float
    maxrss_mb: float          # the crawl process's peak resident set size
    returncode: int

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def window_articles_per_s(self) -> float:
        return self.articles / self.window_s if self.window_s else 0.0

    @property
    def cpu_ms_per_article(self) -> float:
        return 1000 * self.cpu_s / self.articles if self.articles else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "articles_per_s": round(self.articles_per_s, 2),
                "window_articles_per_s": round(self.window_articles_per_s, 2),
                "cpu_ms_per_article": round(self.cpu_ms_per_article, 2)}


def _clean_env() -> dict[str, str]:
    """This environment without NEWSMON_* (a developer's config must not change a run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env["NEWSMON_CONFIG"] = os.devnull
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


class _PeakRss(threading.Thread):
    """Polls a process's VmHWM (the high-water mark of its resident set since its exec).

    Not ``ru_maxrss``: Linux carries the parent's peak RSS into a child across
    fork/vfork and exec, so a child of this process (which holds the whole rendered
    site) would report at least this process's size."""

    def __init__(self, pid: int):
        super().__init__(daemon=True, name=f"rss-{pid}")
        self.path, self.peak_kb, self.done = f"/proc/{pid}/status", 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                with open(self.path, encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            self.done.wait(0.05)


def measure(cmd: list[str], timeout: float, log_path: Path, stdout_path: Path,
            ) -> tuple[int, float, float, float]:
    """Run ``cmd``: (returncode, wall seconds, CPU seconds, peak RSS in MB)."""
    with open(stdout_path, "wb") as out, open(log_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env=_clean_env())
        watchdog = threading.Timer(timeout, proc.kill)
        watchdog.start()
        rss = _PeakRss(proc.pid)
        rss.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
            rss.done.set()
            rss.join(timeout=1)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, wall, usage.ru_utime + usage.ru_stime, rss.peak_kb / 1024)


def _run(kind: str, cmd: list[str], server: BenchServer, concurrency: int, workdir: Path,
         timeout: float, count_articles, ok_codes: tuple[int, ...] = (0,)) -> CrawlResult:
    tag = f"{kind}-c{concurrency}-{len(server.site.articles)}-{time.monotonic_ns()}"
    server.reset_counters()
    cpu_before = time.process_time()
    code, wall, cpu, rss = measure(cmd, timeout, workdir / f"{tag}.log", workdir / f"{tag}.out")
    server_cpu = time.process_time() - cpu_before
    if code not in ok_codes:
        tail = (workdir / f"{tag}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{kind} crawl exited {code} after {wall:.1f}s:\n{tail}")
    return CrawlResult(kind, concurrency, count_articles(workdir / f"{tag}.out"),
                       server.requests, wall, server.window(), cpu, server_cpu, rss, code)


# The store pipeline off: what crawling and parsing cost without the database (the
# CLI then exits 1, its run never recorded; completeness is read from the server).
NO_STORAGE = 'ITEM_PIPELINES={"crawler.crawl.pipelines.StorePipeline": null}'


def newsmon_command(base_url: str, db_url: str, concurrency: int,
                    extra_settings: tuple[str, ...] = ()) -> list[str]:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", base_url, "--db", db_url]
    for setting in (*POLITENESS_OFF, f"CONCURRENT_REQUESTS={concurrency}",
                    f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", *extra_settings):
        cmd += ["--set", setting]
    return cmd


def run_newsmon(server: BenchServer, concurrency: int, workdir: Path,
                timeout: float) -> CrawlResult:
    """A full ``newsmon crawl`` of the site into a new SQLite file."""
    db_path = workdir / f"newsmon-c{concurrency}-{time.monotonic_ns()}.sqlite3"
    cmd = newsmon_command(server.base_url, f"sqlite:///{db_path}", concurrency)

    def stored(_out: Path) -> int:
        with sqlite3.connect(db_path) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    try:
        return _run("newsmon", cmd, server, concurrency, workdir, timeout, stored)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def run_newsmon_without_storage(server: BenchServer, concurrency: int, workdir: Path,
                                timeout: float) -> CrawlResult:
    """``newsmon crawl`` with the store pipeline off: fetching, parsing, following."""
    db_path = workdir / f"nostore-c{concurrency}-{time.monotonic_ns()}.sqlite3"
    cmd = newsmon_command(server.base_url, f"sqlite:///{db_path}", concurrency, (NO_STORAGE,))
    try:
        return _run("newsmon-no-storage", cmd, server, concurrency, workdir, timeout,
                    lambda _out: _articles_fetched(server), ok_codes=(0, 1))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _articles_fetched(server: BenchServer) -> int:
    """Article pages among the requests the server answered in this crawl (a complete
    crawl asks robots.txt, every index page and every article, once each)."""
    others = 1 + len(server.site.index_urls())
    return max(0, min(len(server.site.articles), server.requests - others))


def crawl_urls(server: BenchServer) -> list[str]:
    """Every URL a complete crawl fetches: index pages, then articles."""
    site = server.site
    return [server.base_url + p for p in site.index_urls() + site.article_urls()]


def run_baseline(server: BenchServer, concurrency: int, workdir: Path,
                 timeout: float) -> CrawlResult:
    urls_file = workdir / "baseline-urls.txt"
    urls_file.write_text("\n".join(crawl_urls(server)) + "\n", encoding="utf-8")
    article_count = len(server.site.articles)
    cmd = [sys.executable, "-m", "bench.baseline", str(urls_file),
           "--concurrency", str(concurrency)]

    def fetched(out: Path) -> int:
        summary = json.loads(out.read_text().strip().splitlines()[-1])
        ok = summary["statuses"].get("200", 0)
        # the articles among the 200s (index pages are fetched too, as newsmon does)
        return min(article_count, ok - (len(urls_file.read_text().split()) - article_count))
    return _run("baseline", cmd, server, concurrency, workdir, timeout, fetched)
