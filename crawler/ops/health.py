"""Run records and monitoring health, computed from `crawl_runs`.

`newsmon status` is a monitoring check (Nagios/Icinga plugin conventions): one line,
exit 0 OK, 1 WARNING, 2 CRITICAL (3, "database unavailable", is UNKNOWN there too).

Checks, the worst one wins:
- age of the last successful run (status ok or degraded): WARNING past `warn_age`,
  CRITICAL past `crit_age` or when there is none;
- share of failed runs among the last `window` finished runs (interrupted runs, e.g.
  a restart, are left out): WARNING / CRITICAL at `warn_failure_rate` /
  `crit_failure_rate`;
- fetch errors per page fetched over the same runs: `warn_error_rate` /
  `crit_error_rate`;
- the latest finished run is degraded: WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.db.models import CrawlRun
from crawler.db.runs import same_crawl, site_key

logger = logging.getLogger(__name__)

OK, WARNING, CRITICAL = 0, 1, 2
LABELS = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL"}
SUCCESS = ("ok", "degraded")
FINISHED = ("ok", "degraded", "failed", "interrupted")


@dataclass
class Thresholds:
    window: int = 10
    warn_age: float = 1800.0
    crit_age: float = 7200.0
    warn_failure_rate: float = 0.2
    crit_failure_rate: float = 0.5
    warn_error_rate: float = 0.1
    crit_error_rate: float = 0.5

    @classmethod
    def from_config(cls, config: Any) -> Thresholds:
        return cls(window=config.health_window, warn_age=config.health_warn_age,
                   crit_age=config.health_crit_age,
                   warn_failure_rate=config.health_warn_failure_rate,
                   crit_failure_rate=config.health_crit_failure_rate,
                   warn_error_rate=config.health_warn_error_rate,
                   crit_error_rate=config.health_crit_error_rate)


@dataclass
class Health:
    code: int
    problems: list[str] = field(default_factory=list)
    last_success: dict[str, Any] | None = None
    last_success_age: float | None = None
    window_runs: int = 0
    failed_runs: int = 0
    failure_rate: float = 0.0
    pages: int = 0
    errors: int = 0
    error_rate: float = 0.0
    running: int = 0
    thresholds: Thresholds | None = None  # for the perfdata's ;warn;crit

    @property
    def label(self) -> str:
        return LABELS[self.code]

    def summary(self) -> str:
        """One line, Nagios style, with performance data after `|`."""
        parts = []
        if self.last_success is not None:
            parts.append(f"last successful run {self.last_success['id']} "
                         f"{_ago(self.last_success_age)} ago")
        parts += [f"{self.failed_runs}/{self.window_runs} recent runs failed",
                  f"fetch errors {self.error_rate:.1%} of {self.pages} pages"]
        if self.running:
            parts.append(f"{self.running} running")
        head = "; ".join(self.problems) if self.problems else "monitoring is healthy"
        t = self.thresholds or Thresholds()
        # Nagios perfdata: label=value[unit];warn;crit; "U" when there is no value yet.
        age = "U" if self.last_success_age is None else f"{max(int(self.last_success_age), 0)}s"
        perf = (f"last_success_age={age};{int(t.warn_age)};{int(t.crit_age)}"
                f" failure_rate={self.failure_rate:.3f};{t.warn_failure_rate:g};"
                f"{t.crit_failure_rate:g}"
                f" error_rate={self.error_rate:.3f};{t.warn_error_rate:g};{t.crit_error_rate:g}")
        return f"NEWSMON {self.label} - {head} ({', '.join(parts)}) | {perf}"

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.label, "code": self.code, "problems": self.problems,
                "last_success_id": self.last_success["id"] if self.last_success else None,
                "last_success_age_seconds": self.last_success_age,
                "window_runs": self.window_runs, "failed_runs": self.failed_runs,
                "failure_rate": self.failure_rate, "pages_fetched": self.pages,
                "fetch_errors": self.errors, "error_rate": self.error_rate,
                "running": self.running}


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d"


def evaluate(runs: Sequence[dict[str, Any]], thresholds: Thresholds,
             now: datetime | None = None) -> Health:
    """Health of the runs (any order); `now` defaults to the current time."""
    now = now or datetime.now(UTC)
    ordered = sorted(runs, key=lambda r: (r["started_at"], r["id"]), reverse=True)
    finished = [r for r in ordered if r["status"] in FINISHED]
    health = Health(code=OK, running=sum(1 for r in ordered if r["status"] == "running"),
                    thresholds=thresholds)

    def flag(code: int, problem: str) -> None:
        health.code = max(health.code, code)
        health.problems.append(problem)

    successes = [r for r in finished if r["status"] in SUCCESS]
    if successes:
        last = max(successes, key=lambda r: r["finished_at"] or r["started_at"])
        health.last_success = last
        health.last_success_age = max(
            0.0, (now - (last["finished_at"] or last["started_at"])).total_seconds())
        age = health.last_success_age
        if age >= thresholds.crit_age:
            flag(CRITICAL, f"no successful run for {_ago(age)}")
        elif age >= thresholds.warn_age:
            flag(WARNING, f"no successful run for {_ago(age)}")
    else:
        flag(CRITICAL, "no successful run recorded")

    window = [r for r in finished if r["status"] != "interrupted"][:thresholds.window]
    health.window_runs = len(window)
    health.failed_runs = sum(1 for r in window if r["status"] == "failed")
    health.failure_rate = health.failed_runs / len(window) if window else 0.0
    if window and health.failure_rate >= thresholds.crit_failure_rate:
        flag(CRITICAL, f"{health.failed_runs} of the last {len(window)} runs failed")
    elif window and health.failure_rate >= thresholds.warn_failure_rate:
        flag(WARNING, f"{health.failed_runs} of the last {len(window)} runs failed")

    health.pages = sum(r.get("pages_fetched") or 0 for r in window)
    health.errors = sum(r.get("errors") or 0 for r in window)
    health.error_rate = health.errors / max(health.pages, 1) if health.errors else 0.0
    if health.errors and health.error_rate >= thresholds.crit_error_rate:
        flag(CRITICAL, f"fetch error rate {health.error_rate:.0%}")
    elif health.errors and health.error_rate >= thresholds.warn_error_rate:
        flag(WARNING, f"fetch error rate {health.error_rate:.0%}")

    if finished and finished[0]["status"] == "degraded":
        flag(WARNING, f"the latest run ({finished[0]['id']}) was degraded")
    return health


# --- reading and repairing run records ---------------------------------------------

def load_runs(engine: Engine, limit: int = 20, base_url: str | None = None
              ) -> list[dict[str, Any]]:
    """The latest runs, newest first (of one site when `base_url` is given)."""
    runs = CrawlRun.__table__
    stmt = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc())
    if base_url is None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(stmt).mappings()]
    if base_url is not None:
        site = site_key(base_url)
        rows = [r for r in rows if site_key(r["base_url"] or "") == site][:limit]
    return rows


def recover_abandoned_runs(store: Any, base_url: str, note: str,
                           edition: str | None = None) -> list[int]:
    """Mark `running` runs of this site (and ``edition``; None: every edition) as
    interrupted. Call only while holding the crawl lock of the site (of each of its
    editions when None): then no process is running them (theirs died or was killed)."""
    runs = CrawlRun.__table__
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(runs).where(runs.c.status == "running")).mappings()]
    recovered = []
    for row in rows:
        if not same_crawl(row["base_url"], row.get("edition"), base_url, edition):
            continue
        summary = "; ".join(filter(None, [note, row.get("error_summary")]))
        store.finish_run(row["id"], "interrupted", pages_fetched=row["pages_fetched"] or 0,
                         articles_new=row["articles_new"] or 0,
                         articles_updated=row["articles_updated"] or 0,
                         articles_unchanged=row["articles_unchanged"] or 0,
                         errors=row["errors"] or 0, error_summary=summary[:2000])
        recovered.append(row["id"])
        logger.warning("run %d was left running by a process that ended: marked interrupted",
                       row["id"])
    return recovered
