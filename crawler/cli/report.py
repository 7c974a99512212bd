"""`newsmon report`: one self-contained HTML file for a period, to open offline or
mail from a cron job: volume per day by section, top and rising tags and names, the
breaking ticker as a timeline, the home page's lead stories over time, and the
stories changed after publication with their diffs. Under each chart, the numbers
behind it in a table.

No script, no stylesheet or font from elsewhere: charts are inline SVG
(``crawler.cli.charts``), the style is inline. Every text from the site is escaped
and carries ``dir="auto"`` so that Arabic titles read right to left.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from crawler.cli import charts

MAX_BREAKING = 40
MAX_LEADS = 30
MAX_CHANGES = 50
TOP_TAGS = 15

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 64em; color: #222;
       padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: start; vertical-align: top; }
td.n, th.n { text-align: end; font-variant-numeric: tabular-nums; }
figure.chart { margin: 0.5em 0; } figure.chart svg { max-width: 100%; height: auto; }
details { margin: 0.3em 0 1em; } summary { cursor: pointer; color: #555; }
pre.diff { background: #f7f7f7; padding: 0.5em; overflow-x: auto; font-size: 0.85em; }
.del { color: #a00; } .add { color: #070; } .stealth { background: #fde2e2; color: #a00;
       padding: 0 0.4em; border-radius: 3px; font-size: 0.85em; }
.summary-line span { margin-inline-end: 1.5em; }
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ") if value else "-"


def duration(seconds: float) -> str:
    """``3d 4h``, ``5h 20m``, ``12m``: how long, to the minute."""
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def table(head: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(),
          rtl_columns: set[int] = frozenset()) -> str:
    """An HTML table; ``numeric`` columns right-aligned, ``rtl_columns`` of site text
    get ``dir="auto"``."""
    def cell(tag: str, index: int, value: Any) -> str:
        attrs = ' class="n"' if index in numeric else ""
        attrs += ' dir="auto"' if index in rtl_columns and tag == "td" else ""
        return f"<{tag}{attrs}>{esc(value)}</{tag}>"
    header = "".join(cell("th", i, h) for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def figure(svg: str, caption: str) -> str:
    return (f'<figure class="chart" aria-label="{esc(caption)}">{svg}'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def numbers(inner: str) -> str:
    return f"<details open><summary>the numbers behind the chart</summary>{inner}</details>"


def diff_html(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        kind = ("add" if line.startswith("+") and not line.startswith("+++") else
                "del" if line.startswith("-") and not line.startswith("---") else "")
        lines.append(f'<span class="{kind}">{esc(line)}</span>' if kind else esc(line))
    return '<pre class="diff" dir="auto">' + "\n".join(lines) + "</pre>"


# --- sections --------------------------------------------------------------------------

def volume_section(engine: Engine, since: datetime, until: datetime,
                   rows: list[dict[str, Any]]) -> str:
    from crawler.db.trends import daily_by_section

    volume = daily_by_section(engine, since, until, rows=rows)
    names = list(volume["sections"])
    rows = [[day] + [volume["sections"][n][i] for n in names]
            + [sum(volume["sections"][n][i] for n in names)]
            for i, day in enumerate(volume["days"])]
    out = "<h2>Articles per day, by section</h2>"
    if not any(row[-1] for row in rows):
        return out + "<p>No article published in this period.</p>"
    chart = charts.volume_chart(volume["days"], volume["sections"])
    return (out + figure(chart, "articles published per day (UTC), stacked by section")
            + numbers(table(["day"] + names + ["total"], rows,
                            numeric=set(range(1, len(names) + 2)))))


def tags_section(engine: Engine, since: datetime, until: datetime,
                 rows: list[dict[str, Any]]) -> str:
    from crawler.db.trends import rising, top_terms

    top = top_terms(engine, since, until, "tag", TOP_TAGS, rows)
    out = "<h2>Top tags</h2>"
    if top:
        # Tag names can be Arabic: the chart numbers them, the table names them.
        chart = charts.bar_chart("tags", [f"#{i}" for i in range(1, len(top) + 1)],
                                 [row["count"] for row in top], "articles")
        out += figure(chart, "articles per tag (numbered as in the table)")
        out += numbers(table(["#", "tag", "articles", "the period before", "change"],
                             [[i, row["key"], row["count"], row["previous"],
                               f"{row['change']:+d}"] for i, row in enumerate(top, 1)],
                             numeric={0, 2, 3, 4}, rtl_columns={1}))
    else:
        out += "<p>No tagged article in this period.</p>"
    up = rising(engine, since, until, rows=rows)
    for kind, label in (("tags", "Rising tags"), ("names", "Rising names (from titles)")):
        out += f"<h3>{label}</h3>"
        terms = up[kind]
        out += table(["term", "articles", "the period before", "share before %",
                      "share now %", "growth (points)"],
                     [[t["term"], t["count"], t["previous"], t["previous_share"],
                       t["share"], f"{t['growth']:+.2f}"] for t in terms],
                     numeric={1, 2, 3, 4, 5}, rtl_columns={0}) if terms else \
            "<p>None with enough articles.</p>"
    return out


def breaking_section(engine: Engine, since: datetime, until: datetime,
                     edition: str | None = None) -> str:
    from crawler.db.store import Store

    items = list(Store(engine).iter_export_breaking(since=since, until=until,
                                                    edition=edition))
    out = "<h2>Breaking news ticker</h2>"
    if not items:
        return out + "<p>No breaking news seen in this period.</p>"
    latest = items[-MAX_BREAKING:]
    spans = [(i["first_seen_at"], i["last_seen_at"], n) for n, i in enumerate(latest, 1)]
    chart = charts.timeline_chart("breaking", spans, since, until, "item")
    note = (f" (the latest {MAX_BREAKING} of {len(items)})" if len(items) > MAX_BREAKING
            else "")
    return (out + figure(chart, f"how long each item stayed on the ticker{note}")
            + numbers(table(["#", "first seen", "last seen", "text"],
                            [[n, when(i["first_seen_at"]), when(i["last_seen_at"]), i["text"]]
                             for n, i in enumerate(latest, 1)],
                            numeric={0}, rtl_columns={3})))


def leads_section(engine: Engine, since: datetime, until: datetime,
                  edition: str | None = None) -> str:
    from crawler.db.prominence import lead_stories

    # Each edition has its home page: the report's edition's, else the English one.
    runs = lead_stories(engine, since, until, edition=edition or "en")[-MAX_LEADS:]
    out = (f"<h2>The home page's lead story over time ({esc(edition or 'en')} "
           f"edition)</h2>")
    if not runs:
        return out + "<p>The home page was not observed in this period.</p>"
    numbers_of: dict[str, int] = {}
    for run in runs:
        numbers_of.setdefault(run["url"], len(numbers_of) + 1)
    spans = [(r["first_seen_at"], r["last_seen_at"], numbers_of[r["url"]]) for r in runs]
    chart = charts.timeline_chart("leads", spans, since, until, "story")
    rows = [[numbers_of[r["url"]], r["title"], when(r["first_seen_at"]),
             when(r["last_seen_at"]),
             duration((r["last_seen_at"] - r["first_seen_at"]).total_seconds())]
            for r in runs]
    return (out + figure(chart, "the story at position 1 of the home page, by observation")
            + numbers(table(["#", "title", "from", "to", "for"], rows, numeric={0},
                            rtl_columns={1})))


def changes_section(engine: Engine, since: datetime, until: datetime,
                    edition: str | None = None, language: str | None = None) -> str:
    from crawler.db.changes import changes

    found = changes(engine, since=since, until=until, limit=MAX_CHANGES, edition=edition,
                    language=language)
    out = "<h2>Stories changed after publication</h2>"
    if not found:
        return out + "<p>No story changed in this period.</p>"
    out += table(["changed", "title", "fields", "words +", "words −", "stealth edit"],
                 [[when(c["fetched_at"]), c["title"], ", ".join(c["changed"]),
                   c["words_added"], c["words_removed"], "yes" if c["stealth"] else ""]
                  for c in found], numeric={3, 4}, rtl_columns={1})
    for change in found:
        badge = (' <span class="stealth">stealth edit: modified date unchanged</span>'
                 if change["stealth"] else "")
        out += (f'<h3 dir="auto">{esc(change["title"])}</h3>'
                f'<p><a href="{esc(change["url"])}">{esc(change["url"])}</a> · revision '
                f'{change["revision"]} fetched {when(change["fetched_at"])}{badge}</p>'
                + diff_html(change["diff"]))
    return out


def render_report(engine: Engine, since: datetime, until: datetime,
                  edition: str | None = None, language: str | None = None) -> str:
    """The whole report as one HTML document (of one edition and/or language when
    given; the home page leads are the English edition's unless ``edition``)."""
    from crawler.db.changes import count_changes
    from crawler.db.trends import period_rows, periods, stats

    # Read once, counted often; the report counts no region.
    rows = period_rows(engine, periods(since, until)[0], until, edition, language,
                       regions=False)
    counted = stats(engine, since, until, "section", rows)
    changed = count_changes(engine, since, edition, language)
    parts = [volume_section(engine, since, until, rows),
             tags_section(engine, since, until, rows),
             breaking_section(engine, since, until, edition),
             leads_section(engine, since, until, edition),
             changes_section(engine, since, until, edition, language)]
    scope = ", ".join(f"{k} {v}" for k, v in (("edition", edition), ("language", language))
                      if v)
    head = (f'<h1>newsmon report: {when(since)} to {when(until)}'
            f'{esc(f" ({scope})") if scope else ""}</h1>'
            f'<p class="summary-line"><span><b>{counted["total"]}</b> articles '
            f'({counted["previous_total"]} in the period before)</span>'
            f'<span><b>{changed}</b> changes after publication</span>'
            f'<span>generated {when(datetime.now(UTC))}</span></p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>newsmon report {esc(when(since))} to {esc(when(until))}</title>"
            f"<style>{STYLE}</style></head><body>{head}{''.join(parts)}</body></html>\n")


def write_report(engine: Engine, since: datetime, until: datetime, path: str,
                 edition: str | None = None, language: str | None = None) -> None:
    """Write the report to ``path`` whole or not at all (a temporary file renamed)."""
    document = render_report(engine, since, until, edition, language)
    partial = f"{path}.partial"
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(document)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
