"""The throughput-against-concurrency chart (matplotlib, Agg backend: no display)."""

from __future__ import annotations

from pathlib import Path


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def throughput_chart(sweep: list[dict], path: Path, title: str) -> Path:
    """``sweep``: rows of {"concurrency", "newsmon", "baseline"} (articles/s)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rows = sorted(sweep, key=lambda r: r["concurrency"])
    xs = [r["concurrency"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(xs, [r["baseline"] for r in rows], "o-", color="#888888",
            label="bare Scrapy spider (fetch only)")
    ax.plot(xs, [r["newsmon"] for r in rows], "o-", color="#c0392b",
            label="newsmon crawl (parse + store, SQLite)")
    for r in rows:
        if r["baseline"]:
            ax.annotate(f"{r['newsmon'] / r['baseline']:.2f}", (r["concurrency"], r["newsmon"]),
                        textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.set_xlabel("concurrent requests (CONCURRENT_REQUESTS = per domain)")
    ax.set_ylabel("articles per second (first request to last response)")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center right")
    fig.text(0.99, 0.01, "labels: newsmon / baseline", ha="right", fontsize=7, color="#666666")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
