"""Watchlists in the database, and queueing their matches into the alerts outbox.

``Store.save_article`` and ``Store.record_breaking`` call ``queue_article_alerts`` /
``queue_breaking_alerts`` inside their own transaction: a match is stored with the
article, revision or breaking item it is about, or not at all (nothing lost when the
process dies, nothing queued twice when the transaction is retried).

Matching runs in Python (``crawler.db.matcher``): the new document is analysed once
and tested against every watchlist's compiled query. The compiled watchlists are kept
per database and reloaded when ``watchlists`` changes (its row count or latest
``updated_at``; one small query per write), so every process sees ``newsmon watch``
changes at its next write.

- new article: the query must match its title, summary and body; an article published
  more than ``NEW_ARTICLE_MAX_AGE`` (7 days) before it was stored is not news (a
  backfill of past months stays quiet);
- edit (a new revision): the query must match the new text, and one of the words or
  phrases it matched must be in the changed text (paragraphs added or rewritten), so
  an unrelated edit of a watched story says nothing; the alert carries the diff;
- breaking item: the query must match its text. Breaking items have no section,
  region or tag: a watchlist with one of those filters never matches them.
"""

from __future__ import annotations

import difflib
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.engine import Connection

from crawler.db.matcher import (Analyzer, CompiledQuery, Document, Term, compile_query,
                                pg_config, snippet)
from crawler.db.models import ALERT_KINDS, Alert, Watchlist
from crawler.db.text import clean_text

_watchlists: Table = Watchlist.__table__  # type: ignore[assignment]
_alerts: Table = Alert.__table__  # type: ignore[assignment]

# A "new" article published longer ago than this before it was stored is history (a
# backfill of past months, an old story reached through a link), not news: no alert.
NEW_ARTICLE_MAX_AGE = timedelta(days=7)
DIFF_LINES = 40  # an edit's diff in a notification: at most this many lines
DIFF_LINE_CHARS = 300


class WatchlistExists(ValueError):
    """A watchlist of that name exists already."""


@dataclass
class WatchlistSpec:
    name: str
    query: str
    section: str | None = None
    region: str | None = None
    tag: str | None = None
    kinds: list[str] = field(default_factory=lambda: list(ALERT_KINDS))
    notify: list[str] = field(default_factory=list)
    edition: str | None = None     # only this edition's articles and ticker (None: any)
    language: str | None = None    # only articles in this language (None: any)


# --- the table ---------------------------------------------------------------------------

def add_watchlist(conn: Connection, spec: WatchlistSpec, now: datetime) -> int:
    """Insert a watchlist (WatchlistExists if the name is taken); returns its id."""
    if conn.execute(select(_watchlists.c.id).where(_watchlists.c.name == spec.name)).first():
        raise WatchlistExists(f"a watchlist named {spec.name!r} exists already "
                              f"(`newsmon watch remove {spec.name}` first)")
    row = {"name": spec.name, "query": clean_text(spec.query) or "",
           "section": spec.section or None, "region": spec.region or None,
           "tag": spec.tag or None, "kinds": list(spec.kinds), "notify": list(spec.notify),
           "edition": spec.edition or None, "language": spec.language or None,
           "created_at": now, "updated_at": now}
    return conn.execute(insert(_watchlists).values(row).returning(_watchlists.c.id)).scalar_one()


def list_watchlists(conn: Connection) -> list[dict[str, Any]]:
    """Every watchlist (notify URLs in clear: mask them before showing), by name, with
    ``alerts`` (how many matches it has)."""
    count = (select(func.count()).where(_alerts.c.watchlist_id == _watchlists.c.id)
             .scalar_subquery().label("alerts"))
    rows = conn.execute(select(_watchlists, count).order_by(_watchlists.c.name)).mappings()
    return [dict(r) for r in rows]


def get_watchlist(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(_watchlists).where(_watchlists.c.name == name)).mappings().first()
    return dict(row) if row else None


def remove_watchlist(conn: Connection, name: str) -> bool:
    """Delete a watchlist and its alerts; False if there is none of that name."""
    found = conn.execute(select(_watchlists.c.id).where(_watchlists.c.name == name)).scalar()
    if found is None:
        return False
    conn.execute(delete(_alerts).where(_alerts.c.watchlist_id == found))  # SQLite: no FK
    conn.execute(delete(_watchlists).where(_watchlists.c.id == found))
    return True


# --- compiled watchlists, per database ---------------------------------------------------

@dataclass
class CompiledWatchlist:
    id: int
    name: str
    query: CompiledQuery
    section: str | None
    region: str | None
    tag: str | None
    kinds: frozenset[str]
    notifies: bool
    edition: str | None = None
    language: str | None = None

    def admits(self, section: str | None, regions: list[str], tags: list[str],
               edition: str | None = None, language: str | None = None) -> bool:
        def lowered(values: list[str]) -> set[str]:
            return {v.lower() for v in values}
        own = (language or "").lower()
        return ((not self.edition or (edition or "en") == self.edition)
                and (not self.language or own == self.language
                     or own.startswith(f"{self.language}-"))
                and (not self.section or (section or "").lower() == self.section.lower())
                and (not self.region or self.region.lower() in lowered(regions))
                and (not self.tag or self.tag.lower() in lowered(tags)))

    @property
    def filtered(self) -> bool:
        return bool(self.section or self.region or self.tag)


class WatchIndex:
    """Compiled watchlists, indexed by one stem of each alternative of their query (the
    longest of its first word or phrase: likely the rarest), so that a document is
    only tested against the watchlists one of whose key stems it contains; an empty
    query is tested always. A document thus costs its own words, not the number of
    watchlists (bench/alerts_bench.py)."""

    def __init__(self, watchlists: list[CompiledWatchlist]):
        self.watchlists = watchlists
        self.always: list[int] = []
        self.by_stem: dict[str, list[int]] = {}
        for number, watchlist in enumerate(watchlists):
            if watchlist.query.everything:
                self.always.append(number)
            for alternative in watchlist.query.alternatives:
                key = max((s for s in alternative.required[0] if s), key=len)
                self.by_stem.setdefault(key, []).append(number)

    def __len__(self) -> int:
        return len(self.watchlists)

    def candidates(self, doc: Document) -> list[CompiledWatchlist]:
        numbers = set(self.always)
        for stem in doc.stems & self.by_stem.keys():
            numbers.update(self.by_stem[stem])
        return [self.watchlists[n] for n in sorted(numbers)]


class _Cache:
    """Compiled watchlists of each database (by URL), reloaded when they change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Any, Analyzer, WatchIndex]] = {}

    def get(self, conn: Connection, language: str | None = None
            ) -> tuple[Analyzer, WatchIndex]:
        """The analyzer and watchlists for documents in ``language`` (PostgreSQL stems
        each language its own way: one compilation per configuration)."""
        version = tuple(conn.execute(select(func.count(), func.max(_watchlists.c.updated_at),
                                            func.max(_watchlists.c.id))).one())
        config = pg_config(language) if conn.dialect.name == "postgresql" else "english"
        key = f"{conn.engine.url.render_as_string(hide_password=False)}#{config}"
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                return entry[1], entry[2]
            analyzer = entry[1] if entry else Analyzer(conn.dialect.name, config)
        compiled = [] if not version[0] else [
            CompiledWatchlist(r["id"], r["name"], compile_query(r["query"], analyzer),
                              r["section"], r["region"], r["tag"], frozenset(r["kinds"]),
                              bool(r["notify"]), r["edition"], r["language"])
            for r in conn.execute(select(_watchlists).order_by(_watchlists.c.id)).mappings()]
        index = WatchIndex(compiled)
        with self._lock:
            self._entries[key] = (version, analyzer, index)
        return analyzer, index


_cache = _Cache()


def compiled_watchlists(conn: Connection, language: str | None = None
                        ) -> tuple[Analyzer, WatchIndex]:
    return _cache.get(conn, language)


def match_document(index: WatchIndex, kind: str, doc: Document,
                   section: str | None = None, regions: Sequence[str] = (),
                   tags: Sequence[str] = (), edition: str | None = None,
                   language: str | None = None
                   ) -> list[tuple[CompiledWatchlist, list[Term]]]:
    """The watchlists following ``kind`` that the document matches, with the terms.
    A ticker item has an edition but no language (a language filter follows articles
    only)."""
    found = []
    for watchlist in index.candidates(doc):
        if kind not in watchlist.kinds:
            continue
        if kind == "breaking" and (watchlist.filtered or watchlist.language):
            continue
        if not watchlist.admits(section, list(regions), list(tags), edition, language):
            continue
        terms = watchlist.query.match(doc)
        if terms is not None:
            found.append((watchlist, terms))
    return found


# --- queueing (inside the store's transaction) ------------------------------------------

def _alert_row(watchlist: CompiledWatchlist, kind: str, matched_at: datetime,
               **values: Any) -> dict[str, Any]:
    return {"key": uuid.uuid4().hex, "watchlist_id": watchlist.id, "kind": kind,
            "matched_at": matched_at, "status": "pending" if watchlist.notifies else "unsent",
            "attempts": 0, "next_attempt_at": matched_at, **values}


def _paragraphs(title: str | None, summary: str | None, body: str | None) -> list[str]:
    lines = [f"Title: {title or ''}", f"Summary: {summary or ''}"]
    lines += [p.strip() for p in (body or "").split("\n") if p.strip()]
    return lines


def edit_diff(old: list[str], new: list[str]) -> str:
    """What changed, as unified-diff lines (no context), cut to ``DIFF_LINES``."""
    lines = [line if len(line) <= DIFF_LINE_CHARS else line[:DIFF_LINE_CHARS] + "…"
             for line in difflib.unified_diff(old, new, lineterm="", n=0)
             if not line.startswith(("---", "+++", "@@"))]
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"… {len(lines) - DIFF_LINES} more lines"]
    return "\n".join(lines)


def queue_article_alerts(conn: Connection, *, article_id: int, revision: int,
                         article: dict[str, Any], tags: list[str], regions: list[str],
                         previous: dict[str, Any] | None, matched_at: datetime) -> int:
    """Queue the alerts of a new article (``previous`` None) or of a new revision of
    one (``previous``: the stored title, summary and body before it). ``article``:
    its scalar fields as stored. Returns how many were queued."""
    analyzer, watchlists = compiled_watchlists(conn, article.get("language"))
    if not watchlists:
        return 0
    kind = "new" if previous is None else "edit"
    published = article.get("published_at")
    if kind == "new" and published is not None and published < matched_at - NEW_ARTICLE_MAX_AGE:
        return 0
    if not any(kind in w.kinds for w in watchlists.watchlists):
        return 0
    title, summary, body = article.get("title"), article.get("summary"), article.get("body")
    doc = analyzer.document(title, summary, body)
    found = match_document(watchlists, kind, doc, article.get("section"), regions, tags,
                           article.get("edition"), article.get("language"))
    if not found:
        return 0
    diff = changed = None
    if previous is not None:
        old = _paragraphs(previous.get("title"), previous.get("summary"), previous.get("body"))
        new = _paragraphs(title, summary, body)
        old_set = set(old)
        changed = analyzer.document(*(p for p in new if p not in old_set))
        diff = edit_diff(old, new)
    rows = []
    for watchlist, terms in found:
        shown = doc
        if changed is not None:
            # An edit alerts only when what it changed is what the watchlist follows.
            if terms and not any(changed.has(t) for t in terms):
                continue
            shown = changed if terms else doc
        rows.append(_alert_row(
            watchlist, kind, matched_at, article_id=article_id, revision=revision,
            title=title or article.get("url") or "(no title)", url=article.get("url"),
            section=article.get("section"), published_at=article.get("published_at"),
            snippet=snippet(shown, terms), diff=diff))
    if rows:
        conn.execute(insert(_alerts), rows)
    return len(rows)


def queue_breaking_alerts(conn: Connection, items: list[tuple[int, str]],
                          matched_at: datetime, edition: str | None = None) -> int:
    """Queue the alerts of new breaking items (``(id, text)``) of ``edition``'s
    ticker; returns how many."""
    analyzer, watchlists = compiled_watchlists(conn)
    if not watchlists or not items:
        return 0
    rows = []
    for breaking_id, text in items:
        doc = analyzer.document(text)
        for watchlist, terms in match_document(watchlists, "breaking", doc,
                                               edition=edition):
            rows.append(_alert_row(watchlist, "breaking", matched_at,
                                   breaking_id=breaking_id, title=text, url=None,
                                   section=None, published_at=matched_at,
                                   snippet=snippet(doc, terms), diff=None))
    if rows:
        conn.execute(insert(_alerts), rows)
    return len(rows)

