"""Following the site: `watch` (watchlists), `alerts` (the outbox of their matches,
resending) and `feed` (a watchlist's matches as an Atom feed).

Watchlists live in the database, so every host and the scheduler see the same ones.
Notifier URLs (Apprise: `mailto://`, `json://`, `slack://`, ...) are secrets: they are
only ever printed masked (`crawler.ops.alerts.masked_notify_url`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.cli.common import (DB_HELP, SchemaOutdated, UsageError, add_common_options,
                                add_edition_filters, open_database, require_current_schema)

KINDS = ("new", "edit", "breaking")
NAME = re.compile(r"^[\w.-]{1,64}$")
TEST_DAYS = 7


def add_parsers(sub: Any) -> None:
    watch = sub.add_parser("watch", help="watchlists: be told when the site publishes, "
                                         "edits or flashes what you follow")
    actions = watch.add_subparsers(dest="watch_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a watchlist")
    add.add_argument("name", help="a short name (letters, digits, . _ -)")
    add.add_argument("query", help='`newsmon search` syntax: words (all required), "a '
                                   'phrase", `or`, -word; "" follows everything the '
                                   'filters admit')
    add.add_argument("--section", metavar="NAME", help="only articles of this section")
    add.add_argument("--region", metavar="NAME", help="only articles in this region")
    add.add_argument("--tag", metavar="NAME", help="only articles with this tag")
    add_edition_filters(add)
    add.add_argument("--kinds", default=",".join(KINDS), metavar="LIST",
                     help="what to be told of, comma-separated: new (articles), edit "
                          "(revisions whose changed text matches), breaking (default: all); "
                          "a watchlist with a section, region or tag never matches breaking "
                          "items")
    add.add_argument("--notify", action="append", default=[], metavar="URL",
                     help="an Apprise URL to notify (repeatable): mailto://user:pass@host"
                          "?to=..., json://host/path, slack://..., ntfy://...; without "
                          "one, matches are kept for `newsmon alerts` and `newsmon feed`")
    listing = actions.add_parser("list", help="the watchlists (notifier URLs masked)")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    remove = actions.add_parser("remove", help="remove a watchlist and its alerts")
    remove.add_argument("name")
    test = actions.add_parser("test", help=f"what a watchlist would have matched in the "
                                           f"last {TEST_DAYS} days")
    test.add_argument("name")
    test.add_argument("--limit", type=int, default=20, metavar="N",
                      help="at most N articles (default: 20)")
    for parser in (add, listing, remove, test):
        parser.add_argument("--db", help=DB_HELP)
        add_common_options(parser)

    alerts = sub.add_parser("alerts", help="matches of the watchlists and their delivery; "
                                           "`alerts retry` resends failed ones")
    alerts.add_argument("action", nargs="?", choices=("list", "retry", "send"), default="list",
                        help="list (default); retry: failed alerts are sent again; send: "
                             "deliver the due ones now (cron, without the scheduler); "
                             "retry and send exit 1 when alerts are left pending or failed")
    which = alerts.add_mutually_exclusive_group()
    which.add_argument("--pending", action="store_true", help="only alerts not sent yet")
    which.add_argument("--failed", action="store_true",
                       help="only alerts given up after every attempt")
    alerts.add_argument("--watchlist", metavar="NAME", help="only this watchlist's")
    alerts.add_argument("--limit", type=int, default=50, metavar="N",
                        help="list at most N, newest first (default: 50)")
    alerts.add_argument("--format", choices=("text", "json"), default="text")
    alerts.add_argument("--wait", type=float, metavar="SECONDS",
                        help="retry/send: keep delivering for at most this long while "
                             "alerts are pending (default: alerts.crawl_wait)")
    alerts.add_argument("--db", help=DB_HELP)
    add_common_options(alerts)

    feed = sub.add_parser("feed", help="write a watchlist's matches as an Atom feed")
    feed.add_argument("name", help="the watchlist")
    feed.add_argument("--out", required=True, metavar="FILE.xml",
                      help="written atomically (readers never see half a feed)")
    feed.add_argument("--limit", type=int, default=100, metavar="N",
                      help="the latest N matches (default: 100)")
    feed.add_argument("--db", help=DB_HELP)
    add_common_options(feed)


def _store(args: argparse.Namespace) -> Any:
    url, store = open_database(args.db, upgrade=False)
    try:
        require_current_schema(url)
    except SchemaOutdated as exc:
        raise UsageError(str(exc)) from None
    return store


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# --- watch -----------------------------------------------------------------------------

def watch(args: argparse.Namespace) -> int:
    return {"add": watch_add, "list": watch_list, "remove": watch_remove,
            "test": watch_test}[args.watch_command](args)


def _spec(args: argparse.Namespace) -> Any:
    from crawler.db.matcher import has_terms
    from crawler.db.watchlists import WatchlistSpec
    from crawler.ops.alerts import masked_notify_url, notifier_problem

    if not NAME.match(args.name):
        raise UsageError(f"watchlist name {args.name!r}: use 1 to 64 letters, digits, . _ -")
    if args.query.strip() and not has_terms(args.query):
        raise UsageError(f"query {args.query!r} has nothing to look for (a word or phrase "
                         f"that must be present)")
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise UsageError(f"--kinds: {', '.join(unknown) or 'empty'}: choose among "
                         f"{', '.join(KINDS)}")
    for url in args.notify:
        problem = notifier_problem(url)
        if problem:
            raise UsageError(f"--notify {masked_notify_url(url)}: {problem}")
    if not args.query.strip() and not (args.section or args.region or args.tag):
        raise UsageError("an empty query needs --section, --region or --tag (else every "
                         "article would match)")
    return WatchlistSpec(args.name, args.query.strip(), args.section, args.region, args.tag,
                         [k for k in KINDS if k in kinds], list(dict.fromkeys(args.notify)),
                         args.edition, args.language)


def watch_add(args: argparse.Namespace) -> int:
    from crawler.db.watchlists import WatchlistExists, add_watchlist

    spec = _spec(args)
    store = _store(args)
    try:
        with store.engine.begin() as conn:
            add_watchlist(conn, spec, datetime.now(UTC))
    except WatchlistExists as exc:
        raise UsageError(str(exc)) from None
    print(f"newsmon: watchlist {spec.name} added ({describe(spec.__dict__)})", file=sys.stderr)
    return 0


def describe(watchlist: dict[str, Any]) -> str:
    from crawler.ops.alerts import masked_notify_url

    parts = [f"query {watchlist['query']!r}" if watchlist["query"] else "any text"]
    parts += [f"{k} {watchlist[k]}" for k in ("section", "region", "tag", "edition",
                                              "language") if watchlist.get(k)]
    parts.append("kinds " + ",".join(watchlist["kinds"]))
    notify = [masked_notify_url(u) for u in watchlist["notify"]]
    parts.append("notify " + " ".join(notify) if notify else "notify no one")
    return "; ".join(parts)


def watch_list(args: argparse.Namespace) -> int:
    from crawler.db.watchlists import list_watchlists
    from crawler.ops.alerts import masked_notify_url

    store = _store(args)
    with store.engine.connect() as conn:
        rows = list_watchlists(conn)
    for row in rows:  # secrets never leave masked
        row["notify"] = [masked_notify_url(u) for u in row["notify"]]
    if args.format == "json":
        json.dump([{k: _plain(v) for k, v in r.items()} for r in rows], sys.stdout, indent=2,
                  ensure_ascii=False)
        print()
        return 0
    for row in rows:
        print(f"{row['name']}: {describe(row)}; {row['alerts']} alerts")
    if not rows:
        print("newsmon: no watchlist (newsmon watch add NAME QUERY)", file=sys.stderr)
    return 0


def watch_remove(args: argparse.Namespace) -> int:
    from crawler.db.watchlists import remove_watchlist

    store = _store(args)
    with store.engine.begin() as conn:
        removed = remove_watchlist(conn, args.name)
    if not removed:
        print(f"newsmon: no watchlist named {args.name!r}", file=sys.stderr)
        return 1
    print(f"newsmon: watchlist {args.name} removed", file=sys.stderr)
    return 0


def watch_test(args: argparse.Namespace) -> int:
    from crawler.cli.reading import print_results
    from crawler.db.matcher import compile_query, snippet
    from crawler.db.search import search
    from crawler.db.watchlists import compiled_watchlists, get_watchlist

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    store = _store(args)
    with store.engine.connect() as conn:
        watchlist = get_watchlist(conn, args.name)
        analyzer = compiled_watchlists(conn)[0]
    if watchlist is None:
        print(f"newsmon: no watchlist named {args.name!r}", file=sys.stderr)
        return 1
    since = datetime.now(UTC) - timedelta(days=TEST_DAYS)
    filters = {k: watchlist.get(k) for k in ("section", "region", "tag", "edition",
                                             "language")}
    articles: list[dict[str, Any]] = []
    if {"new", "edit"} & set(watchlist["kinds"]):
        if watchlist["query"]:
            articles = search(store.engine, watchlist["query"], since=since,
                              limit=args.limit, **filters)
        else:
            for record in store.iter_export_articles(since, None, **filters):
                record.update(rank=None, snippet=record.get("summary"))
                articles.append(record)
                if len(articles) == args.limit:
                    break
    breaking = []
    ticker_filters = {k: v for k, v in filters.items() if k != "edition"}
    if "breaking" in watchlist["kinds"] and not any(ticker_filters.values()):
        query = compile_query(watchlist["query"], analyzer)
        for item in store.iter_export_breaking(since=since, edition=filters["edition"]):
            doc = analyzer.document(item["text"])
            terms = query.match(doc)
            if terms is not None:
                breaking.append((item, snippet(doc, terms)))
    print_results(articles, "text", sys.stdout)
    for item, shown in breaking:
        print(f"breaking {item['first_seen_at']:%Y-%m-%d %H:%M}Z: {shown}")
    print(f"newsmon: watchlist {args.name} would have matched {len(articles)} articles"
          f"{' (at least: --limit)' if len(articles) == args.limit else ''} and "
          f"{len(breaking)} breaking items in the last {TEST_DAYS} days", file=sys.stderr)
    return 0


# --- alerts ----------------------------------------------------------------------------

def alerts(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.wait is not None and args.wait < 0:
        raise UsageError("--wait must not be negative")
    store = _store(args)
    if args.action == "list":
        return _list_alerts(store, args)
    from crawler.config import current
    from crawler.db import outbox
    from crawler.ops.alerts import AlertSender, SenderSettings

    cfg = current()
    if args.action == "retry":
        again = outbox.retry_failed(store.engine, datetime.now(UTC))
        print(f"newsmon: {again} failed alerts pending again", file=sys.stderr)
    sender = AlertSender(store.engine, SenderSettings.from_config(cfg))
    before = outbox.counts_by_status(store.engine).get("delivered", 0)
    left = sender.deliver_until(cfg.alerts_crawl_wait if args.wait is None else args.wait)
    counts = outbox.counts_by_status(store.engine)
    # Pending counted again: deliver_until cannot tell while the database is away.
    left, failed = max(left, counts.get("pending", 0)), counts.get("failed", 0)
    summary = (f"{counts.get('delivered', 0) - before} alerts delivered, {left} pending, "
               f"{failed} failed")
    if not left and not failed:
        print(f"newsmon: {summary}", file=sys.stderr)
        return 0
    # A cron user learns from the exit code that alerts wait: one line says what to do.
    advice = ("`newsmon alerts --pending` shows why; they are retried later"
              if left else "")
    if failed:
        advice += ("; " if advice else "") + "`newsmon alerts retry` resends the failed ones"
    print(f"newsmon: not every alert delivered: {summary} ({advice})", file=sys.stderr)
    return 1


def _list_alerts(store: Any, args: argparse.Namespace) -> int:
    from crawler.db import outbox

    status = "pending" if args.pending else "failed" if args.failed else None
    rows = outbox.list_alerts(store.engine, status, watchlist=args.watchlist, limit=args.limit)
    if args.format == "json":
        keep = ("key", "watchlist", "kind", "title", "url", "section", "published_at",
                "snippet", "diff", "matched_at", "status", "attempts", "next_attempt_at",
                "last_error", "delivered_at")
        json.dump([{k: _plain(r[k]) for k in keep} for r in rows], sys.stdout, indent=2,
                  ensure_ascii=False)
        print()
        return 0
    for row in rows:
        state = row["status"]
        if state == "pending" and row["attempts"]:
            state += f" (attempt {row['attempts'] + 1} at {row['next_attempt_at']:%H:%M:%S}Z)"
        elif state == "delivered":
            state += f" {row['delivered_at']:%Y-%m-%d %H:%M:%S}Z"
        print(f"{row['matched_at']:%Y-%m-%d %H:%M}Z {row['watchlist']} {row['kind']}: "
              f"{row['title']} [{state}] id {row['key']}")
        if row["last_error"] and row["status"] != "delivered":
            print(f"   last error: {row['last_error']}")
    if not rows:
        print("newsmon: no alert" + (f" {status}" if status else ""), file=sys.stderr)
    return 0


# --- feed ------------------------------------------------------------------------------

def feed(args: argparse.Namespace) -> int:
    from crawler.db.watchlists import get_watchlist
    from crawler.ops.feeds import write_feed

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    store = _store(args)
    with store.engine.connect() as conn:
        watchlist = get_watchlist(conn, args.name)
    if watchlist is None:
        print(f"newsmon: no watchlist named {args.name!r}", file=sys.stderr)
        return 1
    try:
        count = write_feed(store.engine, watchlist, args.out, args.limit)
    except OSError as exc:
        print(f"newsmon: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"newsmon: feed of {args.name} written to {args.out} ({count} entries)",
          file=sys.stderr)
    return 0
