"""The machine a run measured on, and its figures as a Markdown table."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return 0.0


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_line() -> str:
    """"<CPU model>, N CPUs, load L": the line a benchmark prints before its figures."""
    return f"{_cpu_model()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"


def machine() -> dict:
    from bench.storage import server_version
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "ram_gb": _ram_gb(), "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "scrapy": _version("scrapy"),
        "lxml": _version("lxml"), "sqlalchemy": _version("sqlalchemy"),
        "trafilatura": _version("trafilatura"), "sqlite": server_version("sqlite"),
        "postgresql": server_version("postgresql"), "commit": _commit(),
    }


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.3f}" if theirs else "?"


def markdown(results: dict) -> str:
    m, t, e = results["machine"], results["throughput"], results["extraction"]
    ours, base, nostore = t["newsmon"], t["baseline"], t["no_storage"]
    lines = [
        f"Run `{results['plan']}` on {m['date']}, commit {m['commit'] or '?'}: {m['nproc']} "
        f"cores ({m['cpu']}), {m['ram_gb']} GB RAM, {m['os']}; Python {m['python']}, "
        f"Scrapy {m['scrapy']}, lxml {m['lxml']}, SQLAlchemy {m['sqlalchemy']}, SQLite "
        f"{m['sqlite']}, PostgreSQL {m['postgresql']}, trafilatura {m['trafilatura']}.",
        "",
        "| measure | newsmon | baseline | ratio | goal |",
        "|---|---|---|---|---|",
        f"| crawl, {t['articles']} articles, concurrency {t['concurrency']}: articles/s "
        f"| {ours['articles_per_s']} | {base['articles_per_s']} (bare Scrapy) "
        f"| {t['ratio']} | >= 0.6 |",
        f"| crawl, fetch window only (first request to last response): articles/s "
        f"| {ours['window_articles_per_s']} | {base['window_articles_per_s']} "
        f"| {_ratio(ours['window_articles_per_s'], base['window_articles_per_s'])} | |",
        f"| crawl: CPU ms per article (crawl process) | {ours['cpu_ms_per_article']} "
        f"| {base['cpu_ms_per_article']} | | |",
        f"| crawl without storing (store pipeline off): articles/s; CPU ms per article "
        f"| {nostore['articles_per_s']}; {nostore['cpu_ms_per_article']} "
        f"| {base['articles_per_s']}; {base['cpu_ms_per_article']} "
        f"| {t['no_storage_ratio']} | |",
        f"| crawl: articles stored / on the site | {ours['articles']} / {t['articles']} "
        f"| | | all |",
    ]
    theirs = e.get("trafilatura")
    nm = e["newsmon"]
    if theirs:
        lines += [
            f"| extraction, {e['pages']} pages of {e['page_kb_mean']} KB: ms per article "
            f"| {nm['ms_per_article']} | {theirs['ms_per_article']} (trafilatura) "
            f"| {e['time_ratio']} | <= 0.2 |",
            f"| extraction: title / date (day) / body accuracy | {nm['title_accuracy']} / "
            f"{nm['date_accuracy']} / {nm['body_accuracy']} | {theirs['title_accuracy']} / "
            f"{theirs['date_accuracy']} / {theirs['body_accuracy']} | | >= trafilatura |",
        ]
    else:
        lines.append(f"| extraction: ms per article | {nm['ms_per_article']} | "
                     "trafilatura not installed | | |")
    lines.append(f"| extraction: published timestamp exact (newsmon) | "
                 f"{nm['date_exact_accuracy']} | | | |")
    mem = results["memory"]
    rows = mem["rows"]
    lines.append(
        f"| peak RSS of the crawl, {rows[0]['articles']} → {rows[-1]['articles']} articles "
        f"| {rows[0]['maxrss_mb']} → {rows[-1]['maxrss_mb']} MB (x{mem['rss_ratio']}, "
        f"{mem['kb_per_extra_article']} KB per extra article) | articles x"
        f"{mem['article_ratio']} | | sublinear |")
    for name, figures in results["storage"].items():
        if "error" in figures:
            lines.append(f"| storage, {name} | unavailable: {figures['error']} | | | |")
        else:
            lines.append(f"| storage, {name}: articles written per second "
                         f"({figures['articles']} articles) | {figures['articles_per_s']} "
                         f"({figures['ms_per_article']} ms each) | | | |")
    lines += ["", "Concurrency sweep (articles/s over the fetch window):", "",
              "| concurrency | newsmon articles/s | baseline articles/s | ratio |",
              "|---|---|---|---|"]
    for row in results["sweep"]:
        ratio = row["newsmon"] / row["baseline"] if row["baseline"] else 0
        lines.append(f"| {row['concurrency']} | {row['newsmon']} | {row['baseline']} "
                     f"| {ratio:.2f} |")
    lines.append("")
    lines.append(f"Whole run: {results['seconds']} s.")
    return "\n".join(lines)
