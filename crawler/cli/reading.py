"""Reading what was stored: `export`, `search` and `history`, with their options.

These commands only read: they need the schema at the latest revision (`newsmon db
upgrade`) and never change it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from crawler.cli.common import (DB_HELP, UsageError, add_article_filters, add_common_options,
                                article_filters, isolate, open_database, open_reading)
from crawler.cli.validate import MAX_LIMIT, atomic_output, limit, output_path

WRAP = 88


def add_parsers(sub: Any) -> None:
    export = sub.add_parser("export", help="write stored records to stdout or a file")
    export.add_argument("--db", help=DB_HELP)
    export.add_argument("--format", choices=("jsonl", "json", "csv", "parquet"),
                        required=True, help="jsonl (json: the same, one object a line), "
                        "csv or parquet (needs --out)")
    export.add_argument("--kind", choices=("articles", "breaking"), default="articles")
    export.add_argument("--since", metavar="DATE",
                        help="only articles published (undated ones: first seen) and "
                             "breaking items last seen at or after DATE (YYYY-MM-DD, "
                             "YYYY-MM, a date-time, or 7d, 24h, today, yesterday; "
                             "without a zone: UTC)")
    add_article_filters(export, until_help="only articles published (undated ones: first "
                        "seen) and breaking items first seen before DATE")
    export.add_argument("--query", metavar="WORDS",
                        help="only articles matching this search (the syntax of "
                             "`newsmon search`; articles only)")
    export.add_argument("--out", metavar="FILE", help="write here instead of stdout "
                        "(the file is replaced only once the export is complete)")
    export.add_argument("--join-lists", action="store_true",
                        help='csv: join lists (authors, tags, regions, related URLs) with '
                             '"; " as the SQL views do, instead of JSON arrays')
    export.add_argument("--bom", action="store_true",
                        help="csv: begin with a UTF-8 byte order mark (for spreadsheets)")
    add_common_options(export)

    search = sub.add_parser(
        "search", help="full-text search of titles, summaries and bodies, best first")
    search.add_argument("query", nargs="?", help='words (all required), "a phrase", `or` '
                        'between alternatives, -word to exclude (a query that begins '
                        'with -word: --query "-word ..." or `newsmon search -- -word`)')
    search.add_argument("--query", dest="query_option", metavar="QUERY",
                        help="the query, when it begins with - (same syntax)")
    search.add_argument("--since", metavar="DATE",
                        help="only articles published (undated ones: first seen) at or "
                             "after DATE (YYYY-MM-DD, YYYY-MM, a date-time, or 7d, 24h, "
                             "today, yesterday; without a zone: UTC)")
    add_article_filters(search, until_help="only articles published (undated ones: first "
                        "seen) before DATE")
    search.add_argument("--sort", choices=("relevance", "newest", "oldest"),
                        default="relevance", help="best match first (default), or by "
                        "publication date (undated articles last)")
    search.add_argument("--limit", type=limit, default=20, help="at most N results "
                        f"(1 to {MAX_LIMIT}; default: 20)", metavar="N")
    search.add_argument("--offset", type=int, default=0, metavar="N",
                        help="skip the first N results (the next page: --offset 20)")
    search.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                        help="text (default; the count of matches on stderr), json: "
                             "{total, offset, limit, sort, results: [{url, title, "
                             "published_at, category, section, rank, snippet}]}, or "
                             "jsonl: the results, one object a line (the count on stderr)")
    search.add_argument("--db", help=DB_HELP)
    add_common_options(search)

    history = sub.add_parser(
        "history", help="an article's revisions, with a diff of each change")
    history.add_argument("url", help="the article's URL (canonical, or any that led to it)")
    history.add_argument("--db", help=DB_HELP)
    add_common_options(history)

    siblings = sub.add_parser(
        "siblings", help="the same story in the other editions, tied by what the pages "
                         "carry (links between editions, the same lead image file)")
    siblings.add_argument("url", help="the article's URL (canonical, or any that led to it)")
    siblings.add_argument("--format", choices=("text", "json"), default="text",
                          help="text (default) or json: {url, title, edition, language, "
                               "siblings: [{url, edition, language, title, evidence}]}")
    siblings.add_argument("--db", help=DB_HELP)
    add_common_options(siblings)


# --- export ----------------------------------------------------------------------------

@contextmanager
def output_stream(path: str | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with atomic_output(path) as handle:  # a failure part-way keeps the earlier file
        yield handle


EXPORTED = {"articles": "articles", "breaking": "breaking items"}


def export(args: argparse.Namespace) -> int:
    from crawler.db.export import write_parquet, write_records

    filters = article_filters(args)  # --since --until --section --region --tag
    if args.kind == "breaking" and (args.section or args.region or args.tag
                                    or args.language):
        raise UsageError("--section, --region, --tag and --language filter articles only")
    if args.format == "parquet" and not args.out:
        raise UsageError("--format parquet needs --out FILE")
    if args.query is not None and args.kind == "breaking":
        raise UsageError("--query searches articles only")
    if (args.join_lists or args.bom) and args.format != "csv":
        raise UsageError("--join-lists and --bom apply to --format csv only")
    out = output_path(args.out) if args.out is not None else None
    fmt = "jsonl" if args.format == "json" else args.format
    store = open_reading(args.db)
    warn_unknown_names(store, filters)
    if args.query is not None:
        from crawler.db.search import iter_export_matches

        records = iter_export_matches(store.engine, args.query, **filters)
    elif args.kind == "articles":
        records = store.iter_export_articles(**filters)
    else:
        records = store.iter_export_breaking(since=filters["since"], until=filters["until"],
                                             edition=filters["edition"])
    try:
        if fmt == "parquet":
            count = write_parquet(records, args.kind, out)
        else:
            with output_stream(out) as stream:
                if args.bom:
                    stream.write("\ufeff")
                count = write_records(records, fmt, args.kind, stream,
                                      join_lists=args.join_lists)
    except BrokenPipeError:
        raise  # `| head`: the reader left (main() exits 0)
    except OSError as exc:
        from pathlib import Path

        kept = " (the earlier file is kept)" if out and Path(out).is_file() else ""
        print(f"newsmon: export failed: cannot write {out or 'stdout'}: "
              f"{exc.strerror or exc}{kept}", file=sys.stderr)
        return 1
    print(f"newsmon: exported {count} {EXPORTED[args.kind]}", file=sys.stderr)
    return 0


def warn_unknown_names(store: Any, filters: dict[str, Any]) -> None:
    """A --section, --region or --tag that names nothing stored is most likely a typo:
    say so on stderr, with the known names (the command still runs)."""
    from crawler.db.filters import known_names

    for option in ("section", "region", "tag"):
        value = filters.get(option)
        if not value:
            continue
        names = known_names(store.engine, option)
        if value.casefold() not in {n.casefold() for n in names}:
            close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
            shown = close or sorted(names)[:20]
            print(f"newsmon: warning: no {option} named {value!r} is known (--{option}); "
                  f"{'did you mean' if close else 'known'}: {', '.join(shown) or 'none'}",
                  file=sys.stderr)


# --- search ----------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def print_results(results: list[dict[str, Any]], fmt: str, out: IO[str],
                  page: dict[str, Any] | None = None) -> None:
    """Text: numbered results (from ``page["offset"] + 1``); JSON: ``page`` (total,
    offset, limit, sort) with the results."""
    page = page or {"offset": 0}
    if fmt == "jsonl":
        for r in results:
            out.write(json.dumps({k: _plain(v) for k, v in r.items()},
                                 ensure_ascii=False) + "\n")
        return
    if fmt == "json":
        json.dump({**page, "results": [{k: _plain(v) for k, v in r.items()}
                                       for r in results]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    for number, result in enumerate(results, page["offset"] + 1):
        when = (f"{result['published_at']:%Y-%m-%d %H:%M}Z" if result["published_at"]
                else "undated")
        where = " > ".join(p for p in (result["category"], result["section"]) if p)
        print(f"{number}. {isolate(result['title']) or '(no title)'}", file=out)
        print(f"   {when}" + (f" · {where}" if where else "") + f" · {result['url']}",
              file=out)
        if result["snippet"]:
            print(f"   {isolate(' '.join(result['snippet'].split()))}", file=out)


def search(args: argparse.Namespace) -> int:
    from crawler.db.search import count_matches
    from crawler.db.search import search as search_articles

    if args.offset < 0:
        raise UsageError("--offset must not be negative")
    query = args.query_option if args.query_option is not None else args.query
    if args.query_option is not None and args.query is not None:
        raise UsageError("give the query once: as an argument or with --query")
    if query is None or not query.strip():
        raise UsageError("an empty query: give words to search for (see --help)")
    if any(term.rstrip('"').endswith("*") for term in query.split()):
        # PostgreSQL's web-search syntax has no prefix search; SQLite would read `*`
        # differently: refused on both rather than answered differently.
        raise UsageError("prefix search (word*) is not supported: give whole words "
                         "(the search matches word forms: `ceasefire` finds ceasefires)")
    filters = article_filters(args)
    store = open_reading(args.db)
    warn_unknown_names(store, filters)
    results = search_articles(store.engine, query, limit=args.limit,
                              offset=args.offset, sort=args.sort, **filters)
    total = count_matches(store.engine, query, **filters)
    page = {"total": total, "offset": args.offset, "limit": args.limit, "sort": args.sort}
    print_results(results, args.format, sys.stdout, page)
    if args.format != "json":
        if total == 0:
            print("newsmon: no article matches", file=sys.stderr)
        else:
            shown = (f"showing {args.offset + 1}-{args.offset + len(results)}"
                     if results else f"none from {args.offset + 1} on")
            print(f"newsmon: {total} match{'es' if total != 1 else ''}, {shown}",
                  file=sys.stderr)
    return 0


# --- siblings --------------------------------------------------------------------------

def siblings(args: argparse.Namespace) -> int:
    from crawler.db.siblings import siblings_of

    store = open_reading(args.db)
    found = find_article(store, args.url)
    if isinstance(found, str):
        print(f"newsmon: {found}", file=sys.stderr)
        return 1
    article_id, record = found
    with store.engine.connect() as conn:
        others = siblings_of(conn, [article_id]).get(article_id, [])
    if args.format == "json":
        json.dump({"url": record["url"], "title": record["title"],
                   "edition": record["edition"], "language": record["language"],
                   "siblings": others}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{isolate(record['title']) or '(no title)'}\n{record['url']}  "
          f"({record['edition']} edition)")
    for other in others:
        print(f"  {other['edition']}  {isolate(other['title']) or '(no title)'}\n"
              f"      {other['url']}  (evidence: {', '.join(other['evidence'])})")
    if not others:
        print("newsmon: no sibling in another edition: no page links it and no other "
              "edition's article shares its lead image", file=sys.stderr)
    return 0


# --- history ---------------------------------------------------------------------------

def history(args: argparse.Namespace) -> int:
    from sqlalchemy import inspect

    url, store = open_database(args.db, upgrade=False)
    if not inspect(store.engine).has_table("article_revisions"):
        print("newsmon: the database has no revisions yet: run `newsmon db upgrade`",
              file=sys.stderr)
        return 1
    found = find_article(store, args.url)
    if isinstance(found, str):
        print(f"newsmon: {found}", file=sys.stderr)
        return 1
    article_id, record = found
    print_history(record, store.article_revisions(article_id), sys.stdout)
    return 0


def find_article(store: Any, given: str) -> tuple[int, dict[str, Any]] | str:
    """(id, record) of the article a URL names: as given, canonical, without a trailing
    slash, or (a path without the host) the one stored article with that path; else
    a one-line reason."""
    from crawler.db.queries import article_urls_ending_with
    from crawler.sites.almayadeen.urls import canonicalize_url

    text = given.strip()
    candidates = [text, canonicalize_url(text)]
    if text.endswith("/") and len(text.rstrip("/")) > len(text.split("://")[0]) + 3:
        candidates += [text.rstrip("/"), canonicalize_url(text.rstrip("/"))]
    if "://" not in text and text.strip("/"):
        with store.engine.connect() as conn:
            matches = article_urls_ending_with(conn, text.strip("/"))
        if len(matches) > 1:
            return f"{given} matches several articles ({', '.join(matches)}): give the URL"
        candidates += matches
    for url in candidates:
        article_id = store.resolve_article_id(url)
        if article_id is not None:
            return article_id, store.get_article(url)  # aliases resolve the same way
    return f"no stored article for {given}"


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def revision_text(revision: dict[str, Any]) -> list[str]:
    """A revision as lines for a diff: title, summary, then the body's paragraphs,
    wrapped, a blank line between paragraphs."""
    lines = [f"Title:   {revision['title'] or ''}", f"Summary: {revision['summary'] or ''}", ""]
    for paragraph in (revision["body"] or "").split("\n\n"):
        lines += textwrap.wrap(paragraph, WRAP) or [""]
        lines.append("")
    return lines[:-1]


def print_history(record: dict[str, Any], revisions: list[dict[str, Any]],
                  out: IO[str] = sys.stdout) -> None:
    count = len(revisions)
    print(f"{record['url']}\n{record['title']}", file=out)
    print(f"{count} revision{'s' if count != 1 else ''}; first seen "
          f"{_when(record['first_seen_at'])}, last seen {_when(record['last_seen_at'])}",
          file=out)
    previous: dict[str, Any] | None = None
    for revision in revisions:
        head = (f"revision {revision['revision']}  fetched {_when(revision['fetched_at'])}"
                f"  modified {_when(revision['modified_at'])}"
                f"  sha256 {revision['content_hash'][:12]}")
        print(f"\n=== {head}", file=out)
        if previous is None:
            body = revision["body"] or ""
            print(f"Title:   {revision['title'] or ''}", file=out)
            print(f"Summary: {revision['summary'] or ''}", file=out)
            print(f"Body:    {len([p for p in body.split(chr(10) * 2) if p.strip()])} "
                  f"paragraphs, {len(body.split())} words", file=out)
        else:
            diff = difflib.unified_diff(
                revision_text(previous), revision_text(revision),
                fromfile=f"revision {previous['revision']}",
                tofile=f"revision {revision['revision']}", lineterm="", n=1)
            print("\n".join(diff) or "(same text: only the hash normalisation changed)",
                  file=out)
        previous = revision
