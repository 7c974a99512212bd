"""The report's charts as inline SVG, drawn by matplotlib (no JavaScript, no CDN: the
file opens offline and in a mail client).

Text in the SVG stays text (``svg.fonttype = none``: small files, the reader's own
fonts); titles never go into a chart (Arabic would need shaping): charts label
stories by number, and the table under each chart names them. Each chart gets its
own id salt so that several SVGs in one page never share an element id.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"]


def _figure(salt: str, size: tuple[float, float]) -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: render to files only
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": salt, "font.size": 9})
    figure, axes = plt.subplots(figsize=size)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None})  # reproducible
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline SVG


def volume_chart(days: list[str], sections: dict[str, list[int]]) -> str:
    """Stacked bars: articles per day, one colour per section."""
    figure, axes = _figure("volume", (8, 3.2))
    bottom = [0] * len(days)
    positions = list(range(len(days)))
    for colour, (name, counts) in zip(PALETTE * 3, sections.items()):
        axes.bar(positions, counts, bottom=bottom, label=name, color=colour)
        bottom = [b + c for b, c in zip(bottom, counts)]
    step = max(1, len(days) // 15)  # at most about 15 day labels
    axes.set_xticks(positions[::step], [d[5:] for d in days[::step]])  # MM-DD
    axes.set_ylabel("articles")
    axes.yaxis.get_major_locator().set_params(integer=True)  # articles come whole
    if sections:
        axes.legend(fontsize=7, ncols=2, frameon=False)
    axes.tick_params(axis="x", labelrotation=45 if len(days) > 10 else 0)
    return _svg(figure)


def bar_chart(salt: str, labels: list[str], values: list[float], xlabel: str) -> str:
    """Horizontal bars, the first label on top (labels: ASCII-safe tag names, or
    numbers standing for titles)."""
    figure, axes = _figure(salt, (6, 0.3 * max(len(labels), 3) + 0.8))
    positions = list(range(len(labels)))
    axes.barh(positions, values[::-1], color=PALETTE[0])
    axes.set_yticks(positions, labels[::-1])
    axes.set_xlabel(xlabel)
    axes.xaxis.get_major_locator().set_params(integer=True)
    return _svg(figure)


def timeline_chart(salt: str, spans: list[tuple[datetime, datetime, int]],
                   since: datetime, until: datetime, ylabel: str) -> str:
    """Spans on a time axis, one row per number (a story or a breaking item):
    (start, end, row number); an instant gets a visible minimum width."""
    import matplotlib.dates as mdates

    rows = sorted({row for _, _, row in spans})
    figure, axes = _figure(salt, (8, 0.25 * max(len(rows), 4) + 1))
    minimum = (until - since) / 300
    for start, end, row in spans:
        left = max(start, since)
        width = max(min(end, until) - left, minimum)
        axes.broken_barh([(mdates.date2num(left), width.total_seconds() / 86400)],
                         (rows.index(row) - 0.4, 0.8), color=PALETTE[row % len(PALETTE)])
    axes.set_yticks(range(len(rows)), [f"#{row}" for row in rows])
    axes.invert_yaxis()
    axes.set_xlim(mdates.date2num(since), mdates.date2num(until))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
    axes.tick_params(axis="x", labelrotation=30)
    axes.set_ylabel(ylabel)
    return _svg(figure)
