"""Freshness: how soon the record shows what the site published, and at what cost.

    python -m bench.freshness [--seed 5] [--hours 1] [--speed 20] [--fixed 600]
                              [--budgets 60,120] [--chart docs/bench-freshness.png]
                              [--monitor-only BUDGET] [--without-sitemaps]

Runs, one after the other against the live replica (``crawler.replica.live``) with the
same seed, length and speed (replica seconds per real second), after the same
``--history-hours`` of articles published before the clock starts (on the index pages
and in the sitemaps, not counted as new), each into its own SQLite database:

- ``fixed 10m``: `newsmon crawl` every 10 replica minutes (today's default clock);
- ``monitor @B``: `newsmon monitor --budget B` until SIGTERM, with B the fixed crawl's
  measured requests per hour after the first 15 replica minutes ("same cost": both
  first catch up on the same history, a one-time cost), a tenth of it, the new
  articles per hour plus a tenth of the rest (what any strategy pays once per article,
  and a tenth of what the fixed crawl spends finding them), and ``--budgets``;
- ``--without-sitemaps``: the same monitors again against the replica without sitemaps
  (``LiveReplica(sitemaps=False)``: only the HTML pages to learn from).

Both get the same politeness (one request at a time) with no download delay (the
replica is faster than real time), and run until 10 replica minutes after the
schedule's end. For each: articles captured, delay from publication to stored
(p50/p95/max, replica seconds), breaking items captured by time on air and the share
of those on air >= 2 min first seen within 60 s, edits captured (a revision with the
edited title), requests in total, per hour (over the run, and after its first 15
replica minutes: the recurring cost) and per new article, CPU seconds of the
newsmon processes, 304 answers, the load average (1 min) when the row ended, and
(monitor) the peak RSS of its first and last replica hour (first
and last quarter for a run under two hours). ``--monitor-only BUDGET`` runs the monitor
alone (a simulated day: ``--hours 24 --speed 240``).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from crawler.replica.live import LiveReplica

ROOT = Path(__file__).resolve().parents[1]
POLITE = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
          "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "--set", "NEWSMON_JAVASCRIPT=False",
          "--set", "LOG_LEVEL=WARNING"]
GRACE = 600.0  # replica seconds after the schedule's end
LEARNING = 900.0  # replica seconds: "after learning" counts articles published later


def newsmon(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def _epoch(value) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.timestamp()


def _rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_fixed(site: LiveReplica, db: str, every: float, end: float) -> dict:
    """`newsmon crawl` every ``every`` replica seconds until replica second ``end``."""
    next_at = 0.0
    while site.replica_seconds() < end:
        wait = site.real_time(next_at) - time.time()
        if wait > 0:
            time.sleep(wait)
        subprocess.run(newsmon("crawl", "--base-url", site.base_url, "--db", db, *POLITE),
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        next_at += every
        while site.real_time(next_at) < time.time():  # a crawl longer than the interval
            next_at += every
    return {}


def run_monitor(site: LiveReplica, db: str, budget: float, end: float) -> dict:
    process = subprocess.Popen(
        newsmon("monitor", "--base-url", site.base_url, "--db", db, "--budget", f"{budget:g}",
                *POLITE, "--set", f"NEWSMON_MONITOR_SPEEDUP={site.speed:g}"),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples: list[tuple[float, int]] = []
    while site.replica_seconds() < end:
        time.sleep(1.0)
        rss = _rss_kib(process.pid)
        if rss:
            samples.append((site.replica_seconds(), rss))
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=120)
    # Peak RSS of the first and last replica hour (of the first and last quarter when
    # the run is shorter than two hours).
    span = 3600.0 if end >= 7200 else end / 4
    first = max((r for t, r in samples if t <= span), default=0)
    last = max((r for t, r in samples if t >= end - span), default=0)
    return {"exit": code, "rss_first_mib": first / 1024, "rss_last_mib": last / 1024}


def measure(site: LiveReplica, db: str, window_hours: float) -> dict:
    truth = site.truth()
    engine = create_engine(db)
    with engine.connect() as conn:
        stored = {r[0]: _epoch(r[1]) for r in conn.execute(
            text("SELECT url, first_seen_at FROM articles"))}
        breaking = {r[0]: _epoch(r[1]) for r in conn.execute(
            text("SELECT text, first_seen_at FROM breaking_news"))}
        titles = {(r[0], r[1]) for r in conn.execute(text(
            "SELECT a.url, r.title FROM article_revisions r JOIN articles a "
            "ON a.id = r.article_id"))}
    engine.dispose()
    speed = site.speed
    delays = sorted((stored[a["url"]] - a["real"]) * speed
                    for a in truth["articles"] if a["url"] in stored)
    # A monitor starts knowing nothing (every page at the same prior rate): the same
    # figures for the articles published once it had LEARNING replica seconds.
    later = [a for a in truth["articles"] if a["at"] >= LEARNING]
    late_delays = sorted((stored[a["url"]] - a["real"]) * speed
                         for a in later if a["url"] in stored)
    published = len(truth["articles"])
    aired = []
    for b in truth["breaking"]:
        on_air = ((b["off_real"] or time.time()) - b["on_real"]) * speed
        seen = breaking.get(b["text"])
        aired.append((on_air, None if seen is None else (seen - b["on_real"]) * speed))
    long_aired = [d for on_air, d in aired if on_air >= 120]
    requests = len(site.request_log)
    # Both strategies first catch up on what was published before the clock (the same
    # history articles, the older index pages): the recurring cost is what follows.
    steady = sum(site.replica_seconds(r.time) >= LEARNING for r in site.request_log)
    not_modified = sum(r.status == 304 for r in site.request_log)
    new_articles = sum(a["url"] in stored for a in truth["articles"])
    return {
        "published": published, "captured": len(delays),
        "after_learning": (len(late_delays), len(later),
                           statistics.median(late_delays) if late_delays else None,
                           late_delays[min(len(late_delays) - 1, int(0.95 * len(late_delays)))]
                           if late_delays else None),
        "p50": statistics.median(delays) if delays else None,
        "p95": delays[min(len(delays) - 1, int(0.95 * len(delays)))] if delays else None,
        "max": delays[-1] if delays else None,
        "breaking": len(aired),
        "breaking_short_seen": sum(d is not None for a, d in aired if a < 120),
        "breaking_short": sum(a < 120 for a, _d in aired),
        "breaking_long_seen": sum(d is not None for d in long_aired),
        "breaking_long": len(long_aired),
        "breaking_long_within_60s": sum(d is not None and d <= 60 for d in long_aired),
        "edits": len(truth["edits"]),
        "edits_captured": sum((e["url"], e["title"]) in titles for e in truth["edits"]),
        "requests": requests, "not_modified": not_modified, "per_hour": requests / window_hours,
        "steady_per_hour": steady / (window_hours - LEARNING / 3600),
        "per_new_article": requests / max(1, new_articles),
    }


def run_strategy(name: str, args: argparse.Namespace, work: Path, strategy,
                 sitemaps: bool = True) -> dict:
    db = f"sqlite:///{work / (name.replace(' ', '_').replace('@', '') + '.sqlite3')}"
    end = args.hours * 3600 + GRACE
    cpu_before = _children_cpu()
    with LiveReplica(seed=args.seed, hours=args.hours, speed=args.speed,
                     sitemaps=sitemaps, history_hours=args.history_hours) as site:
        extra = strategy(site, db, end)
        result = measure(site, db, end / 3600)
    result.update(extra, name=name, cpu=_children_cpu() - cpu_before,
                  load=os.getloadavg()[0])
    print(format_row(result), flush=True)
    n, of, p50, p95 = result["after_learning"]
    print(f"<!-- {name}: articles published after the first {LEARNING / 60:.0f} replica "
          f"minutes: {n}/{of} captured, delay p50 {p50 or 0:.0f} s, p95 {p95 or 0:.0f} s -->",
          flush=True)
    return result


def format_row(r: dict) -> str:
    def s(v):
        return "-" if v is None else f"{v:.0f}"
    row = (f"| {r['name']} | {r['captured']}/{r['published']} | {s(r['p50'])} / {s(r['p95'])}"
           f" / {s(r['max'])} | {r['breaking_long_seen']}/{r['breaking_long']} "
           f"({r['breaking_long_within_60s']} within 60 s) | {r['breaking_short_seen']}/"
           f"{r['breaking_short']} | {r['edits_captured']}/{r['edits']} | {r['requests']} | "
           f"{r['per_hour']:.0f} | {r['steady_per_hour']:.0f} | {r['per_new_article']:.1f} | "
           f"{r['not_modified']} | "
           f"{r['cpu']:.1f} | {r['load']:.1f} |")
    if "rss_first_mib" in r:
        row += f" {r['rss_first_mib']:.0f} -> {r['rss_last_mib']:.0f} |"
    else:
        row += " |"
    return row


HEADER = ("| strategy | articles captured | delay p50 / p95 / max (s) | breaking on air >= 2 min "
          "seen | on air < 2 min seen | edits captured | requests | per hour | per hour "
          "after 15 min | per new article | 304 answers | CPU s | load | monitor peak RSS MiB "
          "(first -> last hour) |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    def group(name: str) -> str:
        if name.startswith("fixed"):
            return "fixed"
        return "monitor, no sitemaps" if "no sitemaps" in name else "monitor"

    for kind, marker in (("fixed", "s"), ("monitor", "o"), ("monitor, no sitemaps", "^")):
        points = sorted((r["per_hour"], r["p50"], r["p95"], r["name"]) for r in results
                        if group(r["name"]) == kind and r["p50"] is not None)
        if not points:
            continue
        xs = [p[0] for p in points]
        ax.plot(xs, [p[1] for p in points], marker=marker, label=f"{kind}: median delay")
        ax.plot(xs, [p[2] for p in points], marker=marker, linestyle="--",
                label=f"{kind}: p95 delay")
        for x, y, _p95, name in points:
            ax.annotate(name, (x, y), fontsize=7, textcoords="offset points", xytext=(4, 4))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("requests per hour to the site")
    ax.set_ylabel("delay publication -> stored (s, replica time)")
    ax.set_title("Freshness against cost (live replica)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.freshness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--hours", type=float, default=1.0, help="replica hours published")
    parser.add_argument("--speed", type=float, default=20.0,
                        help="replica seconds per real second")
    parser.add_argument("--history-hours", type=float, default=3.0,
                        help="replica hours of articles already published when the clock "
                             "starts (listed, in the sitemaps; not counted as new)")
    parser.add_argument("--budgets", default="",
                        help="more monitor budgets (requests/hour), comma-separated")
    parser.add_argument("--fixed", default="600",
                        help="fixed-crawl intervals (replica seconds), comma-separated; "
                             "the first is the baseline")
    parser.add_argument("--chart", type=Path, default=None, help="write the chart here")
    parser.add_argument("--monitor-only", type=float, default=None, metavar="BUDGET",
                        help="only the monitor at this budget (e.g. a simulated day for "
                             "its memory: --hours 24 --speed 240)")
    parser.add_argument("--without-sitemaps", action="store_true",
                        help="also run the monitors against the replica without sitemaps "
                             "(with --monitor-only: only that)")
    args = parser.parse_args(argv)
    if args.monitor_only:
        work = Path(tempfile.mkdtemp(prefix="newsmon-freshness-"))
        print(f"seed {args.seed}, {args.hours:g} replica hours at {args.speed:g}x after "
              f"{args.history_hours:g} hours of history\n\n{HEADER}")
        suffix = ", no sitemaps" if args.without_sitemaps else ""
        run_strategy(f"monitor @{args.monitor_only:.0f}{suffix}", args, work,
                     lambda site, db, end: run_monitor(site, db, args.monitor_only, end),
                     sitemaps=not args.without_sitemaps)
        return 0
    work = Path(tempfile.mkdtemp(prefix="newsmon-freshness-"))
    print(f"seed {args.seed}, {args.hours:g} replica hours (+{GRACE:.0f} s) at {args.speed:g}x"
          f" after {args.history_hours:g} hours of history;"
          f" machine: {os.cpu_count()} CPUs; databases in {work}\n\n{HEADER}", flush=True)
    results = []
    intervals = [float(x) for x in args.fixed.split(",") if x.strip()]
    for every in intervals:
        results.append(run_strategy(f"fixed {every / 60:g}m", args, work,
                                    lambda site, db, end, e=every: run_fixed(site, db, e, end)))
    # The budgets: the fixed crawl's requests per hour once both have caught up (its
    # first crawl and the monitor's first looks fetch the same history), and a tenth.
    baseline = results[0]["steady_per_hour"]
    # Every strategy fetches each new article once: what a strategy controls is what it
    # spends finding them. So also: the new articles plus a tenth of the rest.
    articles = results[0]["published"] / args.hours
    finding = articles + max(0.0, baseline - articles) / 10
    budgets = [baseline, baseline / 10, finding] + \
        [float(b) for b in args.budgets.split(",") if b]
    for budget in budgets:
        results.append(run_strategy(f"monitor @{budget:.0f}", args, work,
                                    lambda site, db, end, b=budget: run_monitor(site, db, b, end)))
    if args.without_sitemaps:
        for budget in budgets:
            results.append(run_strategy(
                f"monitor @{budget:.0f}, no sitemaps", args, work,
                lambda site, db, end, b=budget: run_monitor(site, db, b, end), sitemaps=False))
    fixed = results[0]
    print()
    for r in results[len(intervals):]:
        print(f"{r['name']}: median delay {r['p50'] or 0:.0f} s vs {fixed['p50'] or 0:.0f} s "
              f"(x{(r['p50'] or 0) / max(1, fixed['p50'] or 1):.2f}), requests/hour "
              f"{r['per_hour']:.0f} vs {fixed['per_hour']:.0f} "
              f"(x{r['per_hour'] / max(1, fixed['per_hour']):.2f}), after the first "
              f"{LEARNING / 60:.0f} minutes {r['steady_per_hour']:.0f} vs "
              f"{fixed['steady_per_hour']:.0f} "
              f"(x{r['steady_per_hour'] / max(1, fixed['steady_per_hour']):.2f})")
    if args.chart:
        chart(results, args.chart)
        print(f"\nchart: {args.chart}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
