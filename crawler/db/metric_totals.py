"""Running totals of the Prometheus counters (table ``metric_totals``, migration 0014).

The store adds to them in the transaction that changes what they count: a run's
closing (``Store.finish_run``: runs by status, articles new/updated/unchanged, the
duration), a fetch error (``Store.record_fetch_error``: by kind), a run's counters
(``record_run_counters``: responses by status class, pages rendered). Reading the
counters is then one small query however many runs are recorded (``/metrics``, a
crawl's textfile), and ``newsmon prune`` deletes rows without touching them: a
counter never goes down.

A run finished twice (a crawl's spool replayed after ``newsmon db mark-interrupted``
marked it) replaces its first contribution: its old row is subtracted, the new added.
Keys are ``name|label`` (``newsmon_runs_total|ok``) or the bare name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from crawler.db.models import CrawlRun, MetricTotal, RunCounter
from crawler.db.upsert import upsert

FINISHED = ("ok", "degraded", "failed", "interrupted")
RUNS = "newsmon_runs_total"
ARTICLES = "newsmon_articles_total"
PAGES_FETCHED = "newsmon_pages_fetched_total"
RENDERED = "newsmon_rendered_pages_total"
FETCH_ERRORS = "newsmon_fetch_errors_total"
DURATION = "newsmon_run_duration_seconds"  # a summary: _sum and _count

_totals: Table = MetricTotal.__table__  # type: ignore[assignment]
_counters: Table = RunCounter.__table__  # type: ignore[assignment]
_runs: Table = CrawlRun.__table__  # type: ignore[assignment]


def sample_key(name: str, label: str | None = None) -> str:
    """The key of one sample (e.g. ``newsmon_runs_total|ok``)."""
    return f"{name}|{label}" if label is not None else name


def error_kind(status: int | None, error: str | None) -> str:
    """The kind of a fetch error: http_4xx, http_5xx, timeout, dns, skipped
    (JavaScript rendering unavailable, robots.txt), other."""
    text = (error or "").lower()
    if status is not None and status >= 500:
        return "http_5xx"
    if status is not None and status >= 400:
        return "http_4xx"
    if "timeout" in text or "timed out" in text:
        return "timeout"
    if text.startswith("dns"):
        return "dns"
    if text.startswith("skipped") or "robots" in text:
        return "skipped"
    return "other"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def run_contribution(run: Mapping[str, Any] | None) -> dict[str, float]:
    """What a ``crawl_runs`` row adds to the totals: nothing until it is finished."""
    if run is None or run["status"] not in FINISHED:
        return {}
    seconds = 0.0
    if run["finished_at"] is not None and run["started_at"] is not None:
        seconds = (_utc(run["finished_at"]) - _utc(run["started_at"])).total_seconds()
    return {sample_key(RUNS, run["status"]): 1.0,
            sample_key(ARTICLES, "new"): float(run["articles_new"] or 0),
            sample_key(ARTICLES, "updated"): float(run["articles_updated"] or 0),
            sample_key(ARTICLES, "unchanged"): float(run["articles_unchanged"] or 0),
            sample_key(DURATION + "_count"): 1.0,
            sample_key(DURATION + "_sum"): seconds}


def difference(new: Mapping[str, float], old: Mapping[str, float]) -> dict[str, float]:
    """``new`` - ``old``, per key (what replacing a contribution adds)."""
    return {key: new.get(key, 0.0) - old.get(key, 0.0) for key in {*new, *old}}


def add(conn: Connection, deltas: Mapping[str, float]) -> None:
    """Add ``deltas`` to the totals, in the caller's transaction (keys in order, so two
    writers lock the rows in the same order)."""
    rows = [{"name": key, "value": float(deltas[key])} for key in sorted(deltas)
            if deltas[key]]
    if rows:
        upsert(conn, _totals, rows, ["name"],
               {"value": lambda excluded: _totals.c.value + excluded.value})


def close_run(conn: Connection, run_id: int, values: Mapping[str, Any]) -> None:
    """Update a run's row with ``values`` (its end) and the totals by what that changes,
    in the caller's transaction."""
    columns = (_runs.c.status, _runs.c.started_at, _runs.c.finished_at,
               _runs.c.articles_new, _runs.c.articles_updated, _runs.c.articles_unchanged)
    # Locked as the UPDATE below would (FOR NO KEY UPDATE: a fetch error being written
    # for this run still passes its foreign-key check), so two ends of one run queue.
    before = conn.execute(select(*columns).where(_runs.c.id == run_id)
                          .with_for_update(key_share=True)).mappings().first()
    conn.execute(_runs.update().where(_runs.c.id == run_id).values(**values))
    if before is not None:
        add(conn, difference(run_contribution({**before, **values}),
                             run_contribution(before)))


def counter_key(name: str) -> str | None:
    """The sample a ``run_counters`` row adds to (None: not exported)."""
    if name.startswith("responses_"):
        return sample_key(PAGES_FETCHED, name[len("responses_"):])
    if name == "rendered_pages":
        return sample_key(RENDERED)
    return None


def record_run_counters(conn: Connection, run_id: int, values: Mapping[str, int]) -> None:
    """Write a run's ``run_counters`` (replacing any it had) and add the change to the
    totals, in one transaction."""
    old = dict(conn.execute(select(_counters.c.name, _counters.c.value)
                            .where(_counters.c.run_id == run_id)).all())
    upsert(conn, _counters, [{"run_id": run_id, "name": name, "value": int(value)}
                             for name, value in sorted(values.items())],
           ["run_id", "name"], ["value"])
    deltas: dict[str, float] = {}
    for name, value in values.items():
        key = counter_key(name)
        if key is not None:
            deltas[key] = deltas.get(key, 0.0) + float(value) - float(old.get(name) or 0)
    add(conn, deltas)


def read(conn: Connection) -> dict[str, float]:
    """Every total, by key."""
    return {name: float(value) for name, value in
            conn.execute(select(_totals.c.name, _totals.c.value))}
