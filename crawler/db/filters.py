"""Which articles: the filters shared by ``newsmon export`` and ``newsmon search``.

- ``since`` / ``until``: published at or after ``since`` and before ``until`` (a
  half-open range); an article without a publication date counts as published when
  first seen.
- ``edition`` (``en``, ``ar``, ``es``) and ``language`` (ISO 639-1): as stored.
- ``section``, ``region``, ``tag``: by name, ignoring case (ASCII letters on SQLite),
  through the reference tables (``sections``, ``regions``, ``tags``); an article is
  in a region whether its page or a region index page put it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select

from crawler.db.models import Article, ArticleRegion, ArticleTag, Region, Section, Tag
from crawler.db.text import clean_text

_articles: Table = Article.__table__  # type: ignore[assignment]


def utc_or_now(value: datetime | None, name: str) -> datetime:
    """``value`` in UTC, or now when None (a write's timestamp); naive is refused."""
    return aware_utc(value, name) if value is not None else datetime.now(timezone.utc)


def aware_utc(value: datetime | None, name: str) -> datetime | None:
    """``value`` in UTC; a naive datetime is refused (say which time zone)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(timezone.utc)


def _same_name(column: Any, value: str) -> ColumnElement[bool]:
    return func.lower(column) == func.lower(value)


@dataclass(frozen=True)
class ArticleFilter:
    since: datetime | None = None
    until: datetime | None = None
    section: str | None = None
    region: str | None = None
    tag: str | None = None
    edition: str | None = None     # "en", "ar", "es" (crawler.sites.editions)
    language: str | None = None    # ISO 639-1, as stored ("ar" also takes "ar-LB")

    def __post_init__(self) -> None:
        object.__setattr__(self, "since", aware_utc(self.since, "since"))
        object.__setattr__(self, "until", aware_utc(self.until, "until"))
        # as stored: without NUL characters
        for name in ("section", "region", "tag", "edition", "language"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))

    def clauses(self, articles: Table = _articles) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``articles`` (or an alias of it)."""
        clauses: list[ColumnElement[bool]] = []
        when = func.coalesce(articles.c.published_at, articles.c.first_seen_at)
        if self.since is not None:
            clauses.append(when >= self.since)
        if self.until is not None:
            clauses.append(when < self.until)
        if self.section:
            sections = Section.__table__
            clauses.append(articles.c.section.in_(
                select(sections.c.name).where(_same_name(sections.c.name, self.section))))
        if self.region:
            ar, r = ArticleRegion.__table__, Region.__table__
            clauses.append(articles.c.id.in_(
                select(ar.c.article_id).join(r, r.c.id == ar.c.region_id)
                .where(_same_name(r.c.name, self.region))))
        if self.edition:
            clauses.append(articles.c.edition == self.edition.lower())
        if self.language:
            language = self.language.lower()
            clauses.append(or_(articles.c.language == language,
                               articles.c.language.like(f"{language}-%")))
        if self.tag:
            at, t = ArticleTag.__table__, Tag.__table__
            clauses.append(articles.c.id.in_(
                select(at.c.article_id).join(t, t.c.id == at.c.tag_id)
                .where(_same_name(t.c.name, self.tag))))
        return clauses


def known_names(engine: Any, kind: str) -> list[str]:
    """The stored names of ``kind`` ("section", "region" or "tag"), sorted: what a
    filter of that kind can match (the command line lists them after a typo)."""
    table = {"section": Section, "region": Region, "tag": Tag}[kind].__table__
    with engine.connect() as connection:
        return sorted({row[0] for row in connection.execute(select(table.c.name))
                       if row[0]})
