"""The layout-change alarm: how well did this run fill each field, against the runs
before it?

- ``crawler.crawl.field_stats`` counts, in the crawl's stats, the article pages parsed
  and per field how many had it filled and how many took it from the generic layer.
- At the end of the run, ``judge_run`` (``LayoutAlarm``, a Scrapy extension that
  answers the store pipeline's ``run_closing`` signal) stores the counts
  as ``run_field_stats`` rows and compares each field with its trailing baseline: the
  pooled counts of the last ``NEWSMON_LAYOUT_BASELINE_RUNS`` (10) runs of the same site
  and edition that ended ``ok``. A field alarms when its fill rate fell by more than
  ``NEWSMON_LAYOUT_MAX_DROP`` (0.2: e.g. body missing on 20% more of the new articles)
  or its share taken from the generic layer rose by more than
  ``NEWSMON_LAYOUT_MAX_GENERIC_RISE`` (0.2: e.g. dates read from the page's text
  because the metadata and the known markup are gone). It needs at least
  ``NEWSMON_LAYOUT_MIN_PAGES`` (5) article pages in the run and
  ``NEWSMON_LAYOUT_MIN_BASELINE`` (20) in the baseline; less says nothing. And the
  change must be more than chance: a two-proportion z-test (z >= 1.96) between the run
  and its baseline, so that a small incremental run that happens to meet two pages
  of a rarer template (2 of 6 from the generic layer against 12 %) does not alarm,
  while every page of a run of 5 going generic does.
- A run with too few article pages to judge (all answered 304, say) keeps the verdict
  of the site's last judged run: a degraded site stays degraded until enough pages
  say otherwise.
- A run with an alarm is ``degraded``: `newsmon crawl` exits 5 and names the fields;
  ``newsmon status`` (``explain_health``) names them and since when (the first run of
  the unbroken series of runs alarming on that field). Degraded runs never join the
  baseline, so the alarm stays until the parser copes with the new layout again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from crawler.crawl.field_stats import RECOGNISED, FieldCount, counts_from_stats
from crawler.crawl.signals import run_closing
from crawler.db.models import CrawlRun, RunFieldStat
from crawler.db.runs import site_key

logger = logging.getLogger(__name__)

DEFAULTS = {"NEWSMON_LAYOUT_BASELINE_RUNS": 10, "NEWSMON_LAYOUT_MAX_DROP": 0.2,
            "NEWSMON_LAYOUT_MAX_GENERIC_RISE": 0.2, "NEWSMON_LAYOUT_MIN_PAGES": 5,
            "NEWSMON_LAYOUT_MIN_BASELINE": 20}

_stats = RunFieldStat.__table__
_runs = CrawlRun.__table__


@dataclass
class Thresholds:
    baseline_runs: int = 10
    max_drop: float = 0.2
    max_generic_rise: float = 0.2
    min_pages: int = 5
    min_baseline: int = 20

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        get = (lambda name: settings.get(name, DEFAULTS[name])) if settings is not None \
            else DEFAULTS.__getitem__
        return cls(int(get("NEWSMON_LAYOUT_BASELINE_RUNS")),
                   float(get("NEWSMON_LAYOUT_MAX_DROP")),
                   float(get("NEWSMON_LAYOUT_MAX_GENERIC_RISE")),
                   int(get("NEWSMON_LAYOUT_MIN_PAGES")),
                   int(get("NEWSMON_LAYOUT_MIN_BASELINE")))


def evaluate(current: dict[str, FieldCount], baseline: dict[str, FieldCount],
             thresholds: Thresholds) -> dict[str, str]:
    """Alarms by field: ``{field: reason}`` (empty: the run looks like its baseline)."""
    alarms: dict[str, str] = {}
    for name, now in current.items():
        before = baseline.get(name)
        if before is None or now.pages < thresholds.min_pages \
                or before.pages < thresholds.min_baseline:
            continue
        what = "article pages read as articles" if name == RECOGNISED else "articles"
        reasons = []
        if before.fill_rate - now.fill_rate > thresholds.max_drop and beyond_chance(
                now.filled, now.pages, before.filled, before.pages):
            reasons.append(f"filled on {now.fill_rate:.0%} of {now.pages} {what} "
                           f"(baseline {before.fill_rate:.0%})")
        if now.generic_rate - before.generic_rate > thresholds.max_generic_rise and \
                beyond_chance(now.generic, now.pages, before.generic, before.pages):
            reasons.append(f"from the generic layer on {now.generic_rate:.0%} of "
                           f"{now.pages} {what} (baseline {before.generic_rate:.0%})")
        if reasons:
            alarms[name] = "; ".join(reasons)
    return alarms


SIGNIFICANT_Z = 1.96


def beyond_chance(hits: int, pages: int, base_hits: int, base_pages: int) -> bool:
    """Whether ``hits/pages`` differs from ``base_hits/base_pages`` by more than
    sampling noise (two-proportion z-test, pooled variance, |z| >= 1.96)."""
    pooled = (hits + base_hits) / (pages + base_pages)
    variance = pooled * (1 - pooled) * (1 / pages + 1 / base_pages)
    if variance <= 0:  # both all or nothing: the same rate, or no data
        return hits / pages != base_hits / base_pages
    return abs(hits / pages - base_hits / base_pages) / variance ** 0.5 >= SIGNIFICANT_Z


def _series(run: Any) -> tuple[str, str]:
    """Which runs are compared with each other: one site's, one edition's (each
    edition has its own templates; on the real site its own host too)."""
    return site_key(run.get("base_url") or ""), run.get("edition") or "en"


def _this_series(conn: Any, base_url: str, run_id: int) -> tuple[str, str]:
    edition = conn.execute(select(_runs.c.edition).where(_runs.c.id == run_id)).scalar()
    return _series({"base_url": base_url, "edition": edition})


def load_baseline(engine: Engine, base_url: str, run_id: int, runs: int
                  ) -> dict[str, FieldCount]:
    """The pooled counts of the last ``runs`` runs of the site's edition that ended
    ``ok``."""
    with engine.connect() as conn:
        series = _this_series(conn, base_url, run_id)
        candidates = conn.execute(
            select(_runs.c.id, _runs.c.base_url, _runs.c.edition)
            .where(_runs.c.status == "ok", _runs.c.id != run_id,
                   _runs.c.id.in_(select(_stats.c.run_id).distinct()))
            .order_by(_runs.c.started_at.desc(), _runs.c.id.desc())
            .limit(max(runs * 20, 200))).mappings().all()
        ids = [r["id"] for r in candidates if _series(r) == series][:runs]
        rows = conn.execute(select(_stats).where(_stats.c.run_id.in_(ids))).mappings() \
            if ids else []
        pooled: dict[str, FieldCount] = {}
        for row in rows:
            pooled.setdefault(row["field"], FieldCount()).add(
                FieldCount(row["pages"], row["filled"], row["generic"]))
    return pooled


def previous_alarms(engine: Engine, base_url: str, run_id: int) -> dict[str, str]:
    """The alarms of the last judged run of the site's edition, if it was degraded."""
    with engine.connect() as conn:
        series = _this_series(conn, base_url, run_id)
        candidates = conn.execute(
            select(_runs.c.id, _runs.c.base_url, _runs.c.edition, _runs.c.status)
            .where(_runs.c.status.in_(("ok", "degraded")), _runs.c.id != run_id,
                   _runs.c.id.in_(select(_stats.c.run_id).distinct()))
            .order_by(_runs.c.started_at.desc(), _runs.c.id.desc()).limit(200)
        ).mappings().all()
        last = next((r for r in candidates if _series(r) == series), None)
        if last is None or last["status"] != "degraded":
            return {}
        return {name: alarm for name, alarm in conn.execute(
            select(_stats.c.field, _stats.c.alarm).where(
                _stats.c.run_id == last["id"], _stats.c.alarm.is_not(None)))}


def judge_run(store: Any, run_id: int, base_url: str, stats: Any, settings: Any = None
              ) -> dict[str, str]:
    """Store this run's field counts and return its alarms (``{field: reason}``)."""
    thresholds = Thresholds.from_settings(settings)
    current = counts_from_stats(stats)
    if current[RECOGNISED].pages >= thresholds.min_pages:
        alarms = evaluate(current, load_baseline(store.engine, base_url, run_id,
                                                 thresholds.baseline_runs), thresholds)
    else:  # too few pages to judge (say, all 304): the last verdict stands
        alarms = previous_alarms(store.engine, base_url, run_id)
        if not alarms and current[RECOGNISED].pages == 0:
            return {}
    rows = [{"run_id": run_id, "field": name, "pages": c.pages, "filled": c.filled,
             "generic": c.generic, "alarm": alarms.get(name)} for name, c in current.items()]
    with store.engine.begin() as conn:
        conn.execute(delete(_stats).where(_stats.c.run_id == run_id))
        conn.execute(insert(_stats), rows)
    if alarms:
        text = describe(alarms)
        stats.set_value("newsmon/layout_alarms", text)
        logger.error("Layout change? run %d parsed %d article pages unlike the runs before: "
                     "%s", run_id, current[RECOGNISED].pages, text)
    return alarms


def describe(alarms: dict[str, str]) -> str:
    return "; ".join(f"{name} {reason}" for name, reason in alarms.items())


# --- newsmon status ------------------------------------------------------------------

def alarm_history(engine: Engine, runs: Sequence[dict[str, Any]]) -> list[str]:
    """For the latest finished run, if degraded: one text per alarming field, naming it
    and since when (the oldest run of the unbroken series of this site's runs that
    alarmed on it; runs without field counts, e.g. failed ones, are passed over)."""
    ordered = sorted(runs, key=lambda r: (r["started_at"], r["id"]), reverse=True)
    finished = [r for r in ordered if r["status"] in ("ok", "degraded", "failed",
                                                       "interrupted")]
    if not finished or finished[0]["status"] != "degraded":
        return []
    latest = finished[0]
    series = [r for r in finished if _series(r) == _series(latest)]
    ids = [r["id"] for r in series]
    with engine.connect() as conn:
        rows = conn.execute(select(_stats.c.run_id, _stats.c.field, _stats.c.alarm)
                            .where(_stats.c.run_id.in_(ids))).all()
    alarms: dict[int, dict[str, str | None]] = {}
    for run_id, name, alarm in rows:
        alarms.setdefault(run_id, {})[name] = alarm
    out = []
    for name, reason in (alarms.get(latest["id"]) or {}).items():
        if not reason:
            continue
        since = latest
        for run in series:
            if run["id"] not in alarms:
                continue  # no field counts (failed, interrupted): says nothing
            if not alarms[run["id"]].get(name):
                break
            since = run
        out.append(f"{name} {reason}, since {since['started_at']:%Y-%m-%d %H:%M} UTC "
                   f"(run {since['id']})")
    return out


def explain_health(health: Any, engine: Engine, runs: Sequence[dict[str, Any]]) -> None:
    """Add the fields and since when to ``health``'s "was degraded" problem."""
    try:
        history = alarm_history(engine, runs)
    except Exception:  # noqa: BLE001 - a schema without the table: say what we know
        logger.debug("layout alarm history unavailable", exc_info=True)
        return
    if not history:
        return
    detail = "layout change? " + "; ".join(history)
    for i, problem in enumerate(health.problems):
        if "was degraded" in problem:
            health.problems[i] = f"{problem}: {detail}"
            return
    health.problems.append(detail)


class LayoutAlarm:
    """Scrapy extension (``EXTENSIONS`` in crawler.crawl.settings): judges each run as
    the store pipeline closes it; a run with an alarm ends ``degraded``. It is wired
    by the signal so that one crawl does not import the layer that watches it."""

    def __init__(self, settings: Any):
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Any) -> LayoutAlarm:
        alarm = cls(crawler.settings)
        crawler.signals.connect(alarm.judge, signal=run_closing)
        return alarm

    def judge(self, store: Any, run_id: int, base_url: str, stats: Any) -> bool:
        return bool(judge_run(store, run_id, base_url, stats, self.settings))
