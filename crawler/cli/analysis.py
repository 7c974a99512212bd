"""Analysts' questions answered without SQL: `changes` (stories edited after
publication), `frontpage` (an index page at a moment), `prominence` (where and how
long a story was listed), `stats` (counts against the period before, rising terms)
and `report` (all of it as one offline HTML file: ``crawler.cli.report``).

Read-only: they need the schema at the latest revision and never change it. Text
for people, ``--format json`` for scripts (times as ISO 8601 UTC).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from crawler.cli.common import (DB_HELP, UsageError, add_common_options, add_edition_filters,
                                edition_filters, isolate, open_reading, parse_date)

DATE_FORMS = "YYYY-MM-DD, a date-time, or 7d, 24h, today, yesterday; without a zone: UTC"


def add_parsers(sub: Any) -> None:
    changes = sub.add_parser("changes", help="stories whose title, summary or body "
                             "changed after first publication, newest change first")
    changes.add_argument("--since", metavar="DATE", default="7d",
                         help=f"changes fetched at or after DATE (default: 7d; {DATE_FORMS})")
    changes.add_argument("--until", metavar="DATE", help="changes fetched before DATE")
    changes.add_argument("--section", metavar="NAME", help="only articles of this section")
    changes.add_argument("--kind", choices=("title", "summary", "body"),
                         help="only changes of this field")
    changes.add_argument("--limit", type=int, default=50, metavar="N",
                         help="at most N changes (default: 50)")
    changes.add_argument("--no-diff", action="store_true", help="text: leave out the diffs")
    add_edition_filters(changes)
    _format_and_db(changes, "a list of {url, title, section, revision, fetched_at, "
                   "modified_at, changed, words_added, words_removed, stealth, diff}")

    front = sub.add_parser("frontpage", help="what an index page listed at a moment, "
                           "in order (from the placements)")
    front.add_argument("--at", metavar="DATE", default="now",
                       help=f"the moment (default: now; {DATE_FORMS})")
    front.add_argument("--page", metavar="home|NAME", default="home",
                       help="home (default), or a section or region name")
    front.add_argument("--page-number", type=int, default=1, metavar="N",
                       help="which page of the listing (default: 1)")
    front.add_argument("--edition", choices=("en", "ar", "es"), type=str.lower, default="en",
                       help="whose page: each edition has its own (default: en)")
    _format_and_db(front, "{page, observed_at, items: [{position, url, title, section, "
                   "published_at, listed_since, listed_until}]}")

    prom = sub.add_parser("prominence", help="where and how long a story was listed: "
                          "home position over time, sections, regions")
    prom.add_argument("url", help="the article's URL (canonical, or any that led to it)")
    _format_and_db(prom, "{url, title, pages: [...], runs: [...]}")

    stats = sub.add_parser("stats", help="articles per section, region, tag, author, day "
                           "or hour, against the period before; rising tags and names")
    stats.add_argument("--since", metavar="DATE", default="30d",
                       help=f"start of the period (default: 30d; {DATE_FORMS})")
    stats.add_argument("--until", metavar="DATE", help="end of the period (default: now)")
    stats.add_argument("--by", choices=("section", "region", "tag", "author", "day", "hour"),
                       default="section", help="what to count by (default: section)")
    stats.add_argument("--top", type=int, default=20, metavar="N",
                       help="text: at most N rows (default: 20)")
    stats.add_argument("--min-count", type=int, default=3, metavar="N",
                       help="a rising term has at least N articles (default: 3)")
    add_edition_filters(stats)
    _format_and_db(stats, "{by, since, until, previous_since, total, previous_total, "
                   "rows: [{key, count, previous, change}], rising: {tags, names}}")

    report = sub.add_parser("report", help="one self-contained HTML file: volume, tags, "
                            "breaking news, home page leads, changes (opens offline)")
    report.add_argument("--since", metavar="DATE", default="7d",
                        help=f"start of the period (default: 7d; {DATE_FORMS})")
    report.add_argument("--until", metavar="DATE", help="end of the period (default: now)")
    report.add_argument("--out", metavar="FILE", required=True, help="the HTML file to write")
    add_edition_filters(report)
    report.add_argument("--db", help=DB_HELP)
    add_common_options(report)


def _format_and_db(parser: argparse.ArgumentParser, json_shape: str) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help=f"text (default) or json: {json_shape}")
    parser.add_argument("--db", help=DB_HELP)
    add_common_options(parser)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json(value: Any, out: IO[str]) -> None:
    json.dump(_plain(value), out, ensure_ascii=False, indent=2)
    out.write("\n")


def when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ") if value else "-"


# --- changes ---------------------------------------------------------------------------

def changes(args: argparse.Namespace) -> int:
    from crawler.db.changes import changes as find_changes

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    since, until = parse_date(args.since, "--since"), parse_date(args.until, "--until")
    store = open_reading(args.db)
    found = find_changes(store.engine, since=since, until=until, section=args.section,
                         kind=args.kind, limit=args.limit, **edition_filters(args))
    if args.format == "json":
        _json(found, sys.stdout)
        return 0
    for change in found:
        flag = "  STEALTH EDIT (modified date unchanged)" if change["stealth"] else ""
        print(f"{when(change['fetched_at'])}  {isolate(change['title']) or '(no title)'}")
        print(f"  {change['url']}")
        print(f"  revision {change['revision']}: {', '.join(change['changed']) or 'text'}"
              f" changed, +{change['words_added']} -{change['words_removed']} words; "
              f"page modified {when(change['modified_at'])}{flag}")
        if not args.no_diff:
            print("\n".join(f"    {line}" for line in change["diff"].splitlines()))
        print()
    count = len(found)
    print(f"newsmon: {count} change{'s' if count != 1 else ''} since {when(since)}",
          file=sys.stderr)
    return 0


# --- frontpage and prominence ----------------------------------------------------------

def frontpage(args: argparse.Namespace) -> int:
    from crawler.db.prominence import frontpage as page_at

    if args.page_number < 1:
        raise UsageError("--page-number must be at least 1")
    at = parse_date(args.at, "--at")
    store = open_reading(args.db)
    listing = page_at(store.engine, at, args.page, args.page_number, args.edition)
    if args.format == "json":
        _json(listing, sys.stdout)  # observed_at null: not observed by then (exit 1)
        return 0 if listing["observed_at"] is not None else 1
    if listing["observed_at"] is None:
        print(f"newsmon: no observation of {args.page!r} at or before {when(at)}",
              file=sys.stderr)
        return 1
    print(f"{listing['page']} as observed {when(listing['observed_at'])} "
          f"(asked for {when(at)})")
    for item in listing["items"]:
        print(f"{item['position']:>3}. {isolate(item['title']) or '(no title)'}")
        print(f"     listed since {when(item['listed_since'])}"
              f" · {item['section'] or '-'} · {item['url']}")
    return 0


def prominence(args: argparse.Namespace) -> int:
    from crawler.cli.report import duration
    from crawler.db.prominence import prominence as listed
    from crawler.sites.almayadeen.urls import canonicalize_url

    store = open_reading(args.db)
    article_id = store.resolve_article_id(canonicalize_url(args.url)) \
        or store.resolve_article_id(args.url)
    if article_id is None:
        print(f"newsmon: no stored article for {args.url}", file=sys.stderr)
        return 1
    record = store.get_article(canonicalize_url(args.url)) or store.get_article(args.url)
    answer = {"url": record["url"], "title": record["title"], **listed(store.engine,
                                                                      article_id)}
    if args.format == "json":
        _json(answer, sys.stdout)
        return 0
    print(f"{isolate(answer['title'])}\n{answer['url']}")
    if not answer["runs"]:
        print("never seen on an index page")
        return 0
    print("\nlisted on:")
    for page in answer["pages"]:
        print(f"  {page['page_kind']:<8} {page['page_name']:<20} best position "
              f"{page['best_position']:>3}, {duration(page['seconds']):>8} "
              f"({when(page['first_seen_at'])} to {when(page['last_seen_at'])}, "
              f"{page['runs']} run{'s' if page['runs'] != 1 else ''})")
    home = [run for run in answer["runs"] if run["page_kind"] == "home"]
    if home:
        print("\nhome page position over time:")
        for run in home:
            print(f"  {when(run['first_seen_at'])} to {when(run['last_seen_at'])}"
                  f"  position {run['position']:>3}  ({duration(run['seconds'])})")
    return 0


# --- stats -----------------------------------------------------------------------------

def stats(args: argparse.Namespace) -> int:
    from crawler.db.trends import period_rows, periods, rising, stats as count_by

    if args.top < 1 or args.min_count < 1:
        raise UsageError("--top and --min-count must be at least 1")
    since = parse_date(args.since, "--since")
    until = parse_date(args.until, "--until") or datetime.now(UTC)
    if until <= since:
        raise UsageError("--until must be after --since")
    store = open_reading(args.db)
    rows = period_rows(store.engine, periods(since, until)[0], until,  # read once
                       regions=args.by == "region", **edition_filters(args))
    counted = count_by(store.engine, since, until, args.by, rows)
    counted["rising"] = rising(store.engine, since, until, min_count=args.min_count,
                               rows=rows)
    if args.format == "json":
        _json(counted, sys.stdout)
        return 0
    days = (until - since) / timedelta(days=1)
    print(f"{counted['total']} articles {when(since)} to {when(until)} ({days:.3g} days); "
          f"{counted['previous_total']} in the {days:.3g} days before")
    print(f"\n{'by ' + args.by:<32} {'count':>7} {'before':>7} {'change':>7}")
    rows = counted["rows"] if args.by in ("day", "hour") else counted["rows"][:args.top]
    for row in rows:
        before = "" if row["previous"] is None else row["previous"]
        change = "" if row["change"] is None else f"{row['change']:+d}"
        print(f"{isolate(row['key'][:32])}{' ' * (32 - len(row['key'][:32]))} "
              f"{row['count']:>7} {before:>7} {change:>7}")
    for kind in ("tags", "names"):
        terms = counted["rising"][kind]
        print(f"\nrising {kind} (share of articles, at least {args.min_count}):")
        if not terms:
            print("  none")
        for term in terms:
            print(f"  {term['term'][:30]:<30} {term['count']:>5} articles, "
                  f"{term['previous_share']:.1f}% -> {term['share']:.1f}% "
                  f"({term['growth']:+.1f} points)")
    return 0


# --- report ----------------------------------------------------------------------------

def report(args: argparse.Namespace) -> int:
    from crawler.cli.report import write_report

    since = parse_date(args.since, "--since")
    until = parse_date(args.until, "--until") or datetime.now(UTC)
    if until <= since:
        raise UsageError("--until must be after --since")
    store = open_reading(args.db)
    try:
        write_report(store.engine, since, until, args.out, **edition_filters(args))
    except OSError as exc:  # a folder that does not exist, no permission, disk full
        print(f"newsmon: cannot write the report to {args.out}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    print(f"newsmon: report for {when(since)} to {when(until)} written to {args.out}",
          file=sys.stderr)
    return 0
