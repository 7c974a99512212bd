"""`newsmon schedule`: a long-running APScheduler 3 process that starts crawls.

A thread delivers watchlist alerts as the crawls store them (``crawler.ops.alerts``).
Each job runs `python -m crawler.cli <command> ... --trigger scheduler` as a child
process (Scrapy's reactor cannot be restarted, and a crash stays in the child). Jobs
run one after another (a single worker thread); APScheduler's coalesce,
max_instances and misfire_grace_time apply as configured. The child is started in
its own session so that a Ctrl-C at a terminal reaches the scheduler only.

While it runs, it renews its heartbeat in the database every half minute
(crawler.ops.heartbeat; `newsmon doctor` reads it), when `metrics_address` is
set, serves Prometheus metrics on /metrics (crawler.ops.metrics), and rewrites the
watchlists' Atom feeds of `[alerts] feeds` after each job that stored a match
(crawler.ops.feeds; also at each heartbeat, for the continuous monitor's matches).

SIGTERM or SIGINT: no new job starts; a running child gets one SIGTERM, which starts
Scrapy's graceful shutdown (in-flight requests finish, the pipeline closes, the run is
recorded "interrupted"); after `shutdown_grace` seconds (or a second signal) it gets
SIGKILL. Each article is written in one transaction, so even then no article is half
written; a run left "running" by a killed child is marked "interrupted".

With `monitor = true` the `monitor` job replaces the crawl job: one `newsmon monitor`
child that runs until the scheduler stops it (no `job_timeout`), started again a
minute after it ends; a SIGTERM ends it normally (its run is recorded "ok"). It holds
the site's crawl lock, so a backfill scheduled meanwhile finds the lock held (exit 4).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from typing import Any

from crawler.config import JOBS, Config, format_duration

logger = logging.getLogger("newsmon.scheduler")

HEARTBEAT_INTERVAL = 30.0  # crawler.ops.heartbeat.INTERVAL

EXIT_MEANINGS = {
    0: "ok", 1: "the run failed", 2: "usage error (check the job's arguments)",
    3: "database unavailable", 4: "skipped: another crawl holds the lock",
    5: "degraded: fields filled far worse than before, a layout change? (newsmon status)",
}


class CrawlScheduler:
    def __init__(self, config: Config, *, config_path: str | None = None,
                 db: str | None = None, log_format: str = "text",
                 commands: dict[str, set[str]] | None = None):
        self.config = config
        self.config_path = config_path
        self.db = db
        self.log_format = log_format
        # The commands this newsmon has and their options, from the command line that
        # starts the scheduler (ops sits below cli and does not import it).
        self.commands = commands or {}
        self._lock = threading.Lock()
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._stopping = False
        self._signals = 0
        self._signum: int | None = None
        self._signalled_children = 0
        self._operations: _Operations | None = None

    # --- jobs ------------------------------------------------------------------------

    def job_editions(self, name: str) -> list[str | None]:
        """The editions a job runs for, each as its own job (``crawl:ar``): those of
        ``[site] editions`` when the command takes ``--edition`` and more than English
        is configured; else one job as before editions (None)."""
        if self.config.editions == ["en"] or "--edition" not in self.commands.get(name, ()):
            return [None]
        return list(self.config.editions)

    def enabled_jobs(self) -> dict[str, tuple[str, Any]]:
        """Job id (``crawl``, or ``crawl:ar`` per edition) -> schedule."""
        jobs = {}
        for name in (*JOBS, "monitor"):
            schedule = self.config.job_schedule(name)
            if schedule is None:
                logger.info("job %s: off", name)
            elif name not in self.commands:
                logger.info("job %s: not scheduled, this newsmon has no `%s` command",
                            name, name)
            else:
                for edition in self.job_editions(name):
                    jobs[name if edition is None else f"{name}:{edition}"] = schedule
        return jobs

    def child_argv(self, job: str) -> list[str]:
        name, _, edition = job.partition(":")
        options = self.commands.get(name, set())
        argv = [sys.executable, "-m", "crawler.cli", "--log-format", self.log_format]
        if self.config_path:
            argv += ["--config", self.config_path]
        argv.append(name)
        if self.db and "--db" in options:
            argv += ["--db", self.db]
        if edition:
            argv += ["--edition", edition]
        argv += self.config.job_args(name)
        if "--trigger" in options:
            argv += ["--trigger", "scheduler"]
        if "--from-scheduler" in options:  # the monitor: alerts, /metrics are ours
            argv.append("--from-scheduler")
        return argv

    def describe(self, job: str) -> str:
        """The job's command line for the log (a database password masked)."""
        from crawler.config import mask_url

        argv = self.child_argv(job)[3:]
        return " ".join(mask_url(arg) if prev == "--db" else arg
                        for prev, arg in zip(["", *argv], argv))

    def run_job(self, job: str) -> int | None:
        """Run one job to its end (called by APScheduler's worker thread)."""
        argv = self.child_argv(job)
        stdout = subprocess.DEVNULL if self.log_format == "json" else sys.stderr
        with self._lock:
            if self._stopping:
                logger.info("job %s: not started, the scheduler is stopping", job)
                return None
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                    start_new_session=True)
            self._children[proc.pid] = proc
        started = time.monotonic()
        logger.info("job %s: started (pid %d)", job, proc.pid)
        code: int | None = None
        try:
            try:
                # The monitor runs until stopped: no job_timeout for it.
                code = proc.wait(timeout=None if job.partition(":")[0] == "monitor"
                                 else self.config.job_timeout)
            except subprocess.TimeoutExpired:
                logger.error("job %s: still running after %s (job_timeout): stopping it",
                             job, format_duration(self.config.job_timeout))
                code = self._stop_child(proc, self.config.shutdown_grace)
        finally:
            with self._lock:  # count before un-listing: _shutdown_children reads both
                if code is None or code < 0:
                    self._signalled_children += 1
                self._children.pop(proc.pid, None)
                stopping = self._stopping
        elapsed = time.monotonic() - started
        if self._operations is not None:
            self._operations.feeds.refresh()  # the job's matches, in the watchlists' feeds
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            logger.warning("job %s: ended by %s after %.1fs", job, name, elapsed)
            if not stopping:
                self.recover_abandoned_runs()
        elif stopping and code == 1:
            logger.info("job %s: stopped by the shutdown after %.1fs (run interrupted)",
                        job, elapsed)
        else:
            meaning = EXIT_MEANINGS.get(code, "unexpected exit code")
            level = {0: logging.INFO, 4: logging.WARNING, 5: logging.WARNING}.get(
                code, logging.ERROR)
            logger.log(level, "job %s: exit %d (%s) after %.1fs", job, code, meaning, elapsed)
        return code

    def _stop_child(self, proc: subprocess.Popen[bytes], grace: float) -> int:
        _send(proc, signal.SIGTERM)
        try:
            return proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            logger.error("pid %d: still running %s after SIGTERM: SIGKILL", proc.pid,
                         format_duration(grace))
            _kill_group(proc)
            return proc.wait()

    def recover_abandoned_runs(self) -> None:
        """Mark runs left "running" by killed children as interrupted."""
        from crawler.db.session import make_engine, resolve_database_url
        from crawler.db.store import Store
        from crawler.ops.health import recover_abandoned_runs
        from crawler.ops.crawl_lock import LockHeld, every_edition_lock

        try:
            url = resolve_database_url(self.db or self.config.database_url)
            for base_url in self.edition_sites():
                with every_edition_lock(url, base_url):
                    engine = make_engine(url)
                    try:
                        recover_abandoned_runs(Store(engine), base_url,
                                               "its process was killed by the scheduler")
                    finally:
                        engine.dispose()
        except LockHeld:
            logger.info("another crawl is running: it will mark abandoned runs itself")
        except Exception:  # noqa: BLE001 - the scheduler keeps going
            logger.exception("could not mark abandoned runs as interrupted")

    # --- the process -----------------------------------------------------------------

    def edition_sites(self) -> list[str]:
        """The sites of the configured editions (English: base_url), each once."""
        from crawler.crawl.edition import edition_site
        from crawler.db.runs import site_key

        sites: dict[str, str] = {}
        for edition in self.config.editions:
            url = edition_site(self.config, edition)
            sites.setdefault(site_key(url), url)
        return list(sites.values())

    def _on_signal(self, signum: int, _frame: Any) -> None:
        # No logging and no locks here: the main loop acts on these two fields.
        self._signals += 1
        self._signum = signum

    def run(self) -> int:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        jobs = self.enabled_jobs()
        if not jobs:
            raise ValueError("no job to schedule: every job is off or unavailable")
        operations = self._operations = self._start_operations()  # before the signals
        ok = operations.beat()
        previous = {s: signal.signal(s, self._on_signal)
                    for s in (signal.SIGTERM, signal.SIGINT)}
        tz = self.config.schedule_timezone
        # Jobs run one at a time, except monitors (one per edition: each runs until
        # stopped, side by side).
        monitors = sum(1 for name in jobs if name.partition(":")[0] == "monitor")
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(1, monitors))},
            job_defaults={"coalesce": self.config.coalesce,
                          "max_instances": self.config.max_instances,
                          "misfire_grace_time": max(1, round(self.config.misfire_grace_time))},
            timezone=tz)
        for name, (kind, value) in jobs.items():
            if kind == "interval":
                trigger = IntervalTrigger(seconds=value, timezone=tz)
                description = f"every {format_duration(value)}"
            else:
                trigger = CronTrigger.from_crontab(value, timezone=tz)
                description = f"cron '{value}' ({tz})"
            extra = {}
            if name.partition(":")[0] in ("crawl", "monitor") and self.config.run_on_start:
                extra["next_run_time"] = datetime.now(trigger.timezone)
            scheduler.add_job(self.run_job, trigger, args=[name], id=name, name=name,
                              **extra)
            logger.info("job %s: %s: %s", name, description, self.describe(name))
        alerts_stop = threading.Event()
        try:
            scheduler.start()
            logger.info("scheduler started (pid %d); SIGTERM or SIGINT stops it",
                        os.getpid())
            next_beat = time.monotonic() + (HEARTBEAT_INTERVAL if ok else 5.0)
            # Watchlist alerts: delivered as the crawls store matches, pending ones retried.
            from crawler.ops.alerts import start_sender_thread
            start_sender_thread(self.db, self.config, alerts_stop)
            while not self._signals:
                time.sleep(0.2)
                if time.monotonic() >= next_beat:
                    # Failing (say, no schema before the first crawl made it): soon again.
                    ok = operations.beat()
                    next_beat = time.monotonic() + (HEARTBEAT_INTERVAL if ok else 5.0)
            signame = signal.Signals(self._signum).name if self._signum else "signal"
            logger.info("%s received: no new jobs; a running job has %s to finish",
                        signame, format_duration(self.config.shutdown_grace))
            scheduler.shutdown(wait=False)
            self._shutdown_children()
        finally:
            alerts_stop.set()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            operations.stop()
        logger.info("scheduler stopped")
        return 0

    def _start_operations(self) -> _Operations:
        """The heartbeat and, when configured, the /metrics endpoint (ValueError when
        its address cannot be listened on)."""
        from crawler.db.session import make_engine, resolve_database_url
        from crawler.ops.feeds import FeedRefresher
        from crawler.ops.heartbeat import HeartbeatWriter, forget_old

        url = resolve_database_url(self.db or self.config.database_url)
        engine = make_engine(url)
        heartbeat = HeartbeatWriter(engine)
        try:
            forget_old(engine)
        except Exception:  # noqa: BLE001 - no table yet: the first crawl creates it
            pass
        server = None
        if self.config.metrics_address:
            from crawler.ops.metrics import serve_metrics, spool_file

            host, port = self.config.metrics_address
            spools = [spool_file(url, site, self.config.scrapy.get("NEWSMON_SPOOL_DIR"))
                      for site in self.edition_sites()]
            try:
                server = serve_metrics((host, port), engine, spools)
            except OSError as exc:
                engine.dispose()
                raise ValueError(f"metrics_address {host}:{port}: cannot listen: "
                                 f"{exc.strerror or exc}") from None
            logger.info("Prometheus metrics on http://%s:%d/metrics",
                        f"[{host}]" if ":" in host else host, port)
        feeds = FeedRefresher(engine, self.config.alerts_feeds)
        return _Operations(engine, heartbeat, server, feeds)

    def _shutdown_children(self) -> None:
        with self._lock:
            self._stopping = True
            children = list(self._children.values())
        for proc in children:
            logger.info("pid %d: SIGTERM (graceful shutdown)", proc.pid)
            _send(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.config.shutdown_grace
        signals_seen = self._signals
        while self._running() and time.monotonic() < deadline:
            if self._signals > signals_seen:
                logger.warning("second signal: not waiting any longer")
                break
            time.sleep(0.1)
        with self._lock:
            remaining = list(self._children.values())
        for proc in remaining:
            logger.error("pid %d: still running: SIGKILL", proc.pid)
            _kill_group(proc)
        deadline = time.monotonic() + 10
        while self._running() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._signalled_children:
            self.recover_abandoned_runs()

    def _running(self) -> bool:
        with self._lock:
            return bool(self._children)


class _Operations:
    """What the scheduler process runs beside its jobs: heartbeat, /metrics, feeds."""

    def __init__(self, engine: Any, heartbeat: Any, server: Any, feeds: Any):
        self.engine, self.heartbeat, self.server, self.feeds = engine, heartbeat, server, feeds

    def beat(self) -> bool:
        self.feeds.refresh()  # the continuous monitor's matches arrive between jobs
        return self.heartbeat.beat()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.heartbeat.beat(stopped=True)
        self.engine.dispose()


def _send(proc: subprocess.Popen[bytes], signum: int) -> None:
    try:
        proc.send_signal(signum)
    except ProcessLookupError:
        pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the child leads its own session
    except (ProcessLookupError, PermissionError):
        _send(proc, signal.SIGKILL)
