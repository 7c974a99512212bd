"""Monitoring change: revisions, HTTP validators, index-page observations and
placement runs (the ``Store`` methods for them, and the helpers ``save_article`` and
``record_listing`` use inside their transactions).

- A **revision** is a version of an article's text (title, summary, body): revision 1
  is the first fetch; a fetch whose ``content_hash`` differs adds the next one.
- **Validators** (ETag / Last-Modified) are written in the same transaction as what
  they validate (the article, or the index page's listing), so a 304 never stands in
  for something that was not stored.
- A **placement** row is a run: the article stayed at that position of that page
  from ``first_seen_at`` to ``last_seen_at``, in every observation of the page in
  between. ``index_pages`` keeps each page's last two observation times to tell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, case, func, insert, select, update
from sqlalchemy.engine import Connection

from crawler.db.models import (
    Article,
    ArticleRevision,
    CrawlRun,
    FetchError,
    HttpValidator,
    IndexPageRecord,
    Placement,
    UrlAlias,
)
from crawler.db.filters import utc_or_now
from crawler.db.runs import site_key
from crawler.db.text import clean_text, clean_value
from crawler.db.upsert import upsert
from crawler.items import IndexPageItem

T = TypeVar("T")

_articles: Table = Article.__table__  # type: ignore[assignment]
_revisions: Table = ArticleRevision.__table__  # type: ignore[assignment]
_validators: Table = HttpValidator.__table__  # type: ignore[assignment]
_index_pages: Table = IndexPageRecord.__table__  # type: ignore[assignment]
_placements: Table = Placement.__table__  # type: ignore[assignment]

# Answers that say a URL is not worth asking again soon.
GONE_STATUSES = (404, 410)


def _later(current: Any, candidate: Any) -> Any:
    return case((candidate > current, candidate), else_=current)


@dataclass(frozen=True)
class KnownArticle:
    """What the crawler needs to know about a stored article to decide on a revisit."""
    id: int
    url: str                       # canonical
    title: str | None
    published_at: datetime | None
    first_seen_at: datetime
    last_fetched_at: datetime


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None


# --- helpers used inside Store transactions ---------------------------------------

def add_revision(s: Connection, article_id: int, revision: int, scalars: dict[str, Any],
                 digest: str, fetched_at: datetime) -> None:
    s.execute(insert(_revisions).values(
        article_id=article_id, revision=revision, title=scalars["title"],
        summary=scalars["summary"], body=scalars["body"], content_hash=digest,
        fetched_at=fetched_at, modified_at=scalars["modified_at"]))


def amend_revision(s: Connection, article_id: int, revision: int, scalars: dict[str, Any],
                   digest: str) -> None:
    """Rewrite the text of an existing revision (a re-extraction of the same page)."""
    s.execute(update(_revisions).where(_revisions.c.article_id == article_id,
                                       _revisions.c.revision == revision)
              .values(title=scalars["title"], summary=scalars["summary"],
                      body=scalars["body"], content_hash=digest,
                      modified_at=scalars["modified_at"]))


def save_validators(s: Connection, url: str, etag: str | None, last_modified: str | None,
                    now: datetime) -> None:
    """Remember the validators of ``url`` (a response without any keeps the old
    ones: sending stale validators costs at most a full answer)."""

    etag, last_modified = clean_text(etag), clean_text(last_modified)
    if not etag and not last_modified:
        return
    upsert(s, _validators, {"url": url, "etag": etag, "last_modified": last_modified,
                            "updated_at": now}, ["url"], ["etag", "last_modified", "updated_at"])


def record_placement_run(s: Connection, row: dict[str, Any]) -> None:
    """Extend the article's current run at this place, or start a new run.

    ``row``: a placements row whose first_seen_at = last_seen_at = the observation.
    The current run continues when it was seen in the page's previous observation
    (or later); a page never recorded through ``record_index_page`` always continues.
    """
    observed = row["last_seen_at"]
    page = s.execute(select(_index_pages.c.last_seen_at, _index_pages.c.previous_seen_at)
                     .where(_index_pages.c.url == row["page_url"])).first()
    previous = None
    if page is not None and page.last_seen_at == observed:
        previous = page.previous_seen_at
    elif page is not None and page.last_seen_at > observed:
        previous = observed  # a late, older sighting: only joins a run that covers it
    p = _placements  # (not in the lambda below: a closure would defeat upsert's cache)
    latest = s.execute(select(p.c.id, p.c.first_seen_at, p.c.last_seen_at)
                       .where(p.c.article_id == row["article_id"],
                              p.c.page_url == row["page_url"],
                              p.c.position == row["position"])
                       .order_by(p.c.first_seen_at.desc()).limit(1)).first()
    if latest is not None and (previous is None or latest.last_seen_at >= previous):
        s.execute(update(p).where(p.c.id == latest.id).values(
            page_kind=row["page_kind"], page_name=row["page_name"],
            page_number=row["page_number"], last_seen_at=_later(p.c.last_seen_at, observed)))
        return
    upsert(s, p, row, ["article_id", "page_url", "position", "first_seen_at"],
           {"last_seen_at": lambda ex: _later(_placements.c.last_seen_at, ex.last_seen_at)})


# --- Store methods -----------------------------------------------------------------

def write_aliases(s: Connection, article_id: int, urls: list[str]) -> None:
    """More URLs lead to the article (``url_aliases``), in the caller's transaction."""
    # Read first: an upsert of an unchanged row would still write (dead
    # tuples and sequence values on PostgreSQL).
    ua = UrlAlias.__table__
    known = dict(s.execute(select(ua.c.url, ua.c.article_id).where(ua.c.url.in_(urls))).all())
    upsert(s, ua, [{"url": u, "article_id": article_id} for u in urls
                   if known.get(u) != article_id], ["url"], ["article_id"])


class MonitoringStore:
    """Mixed into ``crawler.db.store.Store``."""

    engine: Engine
    _write: Callable[[Callable[[Connection], Any]], Any]
    edition: str

    def record_index_page(self, item: IndexPageItem) -> None:
        """An index page was observed at ``item.observed_at``: keep its listing (for a
        later 304), shift its observation times, and store its validators."""
        observed = utc_or_now(item.observed_at, "observed_at")
        url = clean_text(item.page_url) or ""
        row = {"url": url, "page_kind": item.page_kind,
               "page_name": clean_text(item.page_name) or "", "page_number": item.page_number,
               "article_urls": clean_value(list(item.article_urls)),
               "next_page_url": clean_text(item.next_page_url),
               "card_titles": clean_value(dict(item.card_titles)) or None,
               "first_seen_at": observed, "last_seen_at": observed, "previous_seen_at": None,
               "edition": self.edition}
        ip = _index_pages
        newer = ip.c.last_seen_at < observed

        def work(s: Connection) -> None:
            upsert(s, ip, row, ["url"], {
                "page_kind": lambda ex: ex.page_kind, "page_name": lambda ex: ex.page_name,
                "page_number": lambda ex: ex.page_number,
                "article_urls": lambda ex: case((newer, ex.article_urls),
                                                else_=ip.c.article_urls),
                "next_page_url": lambda ex: case((newer, ex.next_page_url),
                                                 else_=ip.c.next_page_url),
                # A 304 replays the listing without titles: keep the stored ones.
                "card_titles": lambda ex: (ip.c.card_titles if item.not_modified else
                                           case((newer, ex.card_titles),
                                                else_=ip.c.card_titles)),
                "previous_seen_at": case((newer, ip.c.last_seen_at),
                                         else_=ip.c.previous_seen_at),
                "last_seen_at": _later(ip.c.last_seen_at, observed)})
            if not item.not_modified:
                save_validators(s, url, item.etag, item.last_modified, observed)

        self._write(work)

    def record_aliases(self, article_id: int, urls: list[str]) -> None:
        """More URLs lead to the article (e.g. a redirect seen without a fetch)."""
        urls = sorted({clean_text(u) or "" for u in urls} - {""})
        if urls:
            self._write(lambda s: write_aliases(s, article_id, urls))

    def mark_not_modified(self, article_id: int, seen_at: datetime) -> None:
        """A known article answered 304: it was checked (last_fetched_at) and seen."""
        seen_at = utc_or_now(seen_at, "seen_at")
        a = _articles
        self._write(lambda s: s.execute(update(a).where(a.c.id == article_id).values(
            last_seen_at=_later(a.c.last_seen_at, seen_at),
            last_fetched_at=_later(a.c.last_fetched_at, seen_at))))

    # --- reads -----------------------------------------------------------------------

    def known_articles(self, urls: Iterable[str], known_before: datetime | None = None
                       ) -> dict[str, KnownArticle]:
        """The stored articles these URLs lead to (canonical URL or alias), by URL.
        ``known_before``: only articles first stored before that time."""
        wanted = sorted({clean_text(u) or "" for u in urls} - {""})
        if not wanted:
            return {}
        a, ua = _articles, UrlAlias.__table__
        columns = (a.c.id, a.c.url, a.c.title, a.c.published_at, a.c.first_seen_at,
                   a.c.last_fetched_at)
        by_url = select(a.c.url.label("key"), *columns).where(a.c.url.in_(wanted))
        by_alias = (select(ua.c.url.label("key"), *columns)
                    .join(a, a.c.id == ua.c.article_id).where(ua.c.url.in_(wanted)))
        if known_before is not None:
            by_url = by_url.where(a.c.first_seen_at < known_before)
            by_alias = by_alias.where(a.c.first_seen_at < known_before)
        out: dict[str, KnownArticle] = {}
        with self.engine.connect() as conn:
            for query in (by_alias, by_url):  # the canonical URL wins
                for row in conn.execute(query).mappings():
                    out[row["key"]] = KnownArticle(
                        id=row["id"], url=row["url"], title=row["title"],
                        published_at=row["published_at"], first_seen_at=row["first_seen_at"],
                        last_fetched_at=row["last_fetched_at"])
        return out

    def recent_failures(self, urls: Iterable[str], since: datetime) -> set[str]:
        """URLs among ``urls`` that answered 404/410 at or after ``since`` (not worth a
        request yet)."""
        wanted = sorted({clean_text(u) or "" for u in urls} - {""})
        if not wanted:
            return set()
        fe = FetchError.__table__
        query = (select(fe.c.url).distinct()
                 .where(fe.c.url.in_(wanted), fe.c.occurred_at >= since,
                        fe.c.status.in_(GONE_STATUSES)))
        with self.engine.connect() as conn:
            return set(conn.scalars(query))

    def validators(self, urls: Iterable[str]) -> dict[str, Validators]:
        wanted = sorted({clean_text(u) or "" for u in urls} - {""})
        if not wanted:
            return {}
        v = _validators
        with self.engine.connect() as conn:
            rows = conn.execute(select(v.c.url, v.c.etag, v.c.last_modified)
                                .where(v.c.url.in_(wanted))).all()
        return {url: Validators(etag, last_modified) for url, etag, last_modified in rows}

    def last_complete_crawl(self, base_url: str) -> datetime | None:
        """When the last crawl of this site that read every index chain to its end
        finished (``crawl_runs.index_complete``), or None: no such crawl."""
        r, site = CrawlRun.__table__, site_key(base_url)
        query = (select(r.c.base_url, r.c.finished_at)
                 .where(r.c.index_complete.is_(True), r.c.finished_at.is_not(None))
                 .order_by(r.c.finished_at.desc()).limit(1000))
        with self.engine.connect() as conn:
            for run_base_url, finished_at in conn.execute(query):
                if site_key(run_base_url or "") == site:
                    return finished_at
        return None

    def index_listing(self, url: str) -> dict[str, Any] | None:
        """The last stored listing of an index page: ``{article_urls, next_page_url,
        last_seen_at, card_titles}``, or None."""
        ip = _index_pages
        with self.engine.connect() as conn:
            row = conn.execute(select(ip.c.article_urls, ip.c.next_page_url, ip.c.last_seen_at,
                                      ip.c.card_titles)
                               .where(ip.c.url == url)).mappings().first()
        return dict(row) if row is not None else None

    def article_revisions(self, article_id: int) -> list[dict[str, Any]]:
        """Every revision of an article, oldest first."""
        r = _revisions
        query = (select(r.c.revision, r.c.title, r.c.summary, r.c.body, r.c.content_hash,
                        r.c.fetched_at, r.c.modified_at)
                 .where(r.c.article_id == article_id).order_by(r.c.revision))
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def count_revisions(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(_revisions)).scalar_one()
