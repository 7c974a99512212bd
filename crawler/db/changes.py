"""Stories changed after first publication: each later revision of an article
(``article_revisions``, revision 2 and up) against the one before it.

A change says which of the title, summary and body differ, how many words were
added and removed (a word diff, ``difflib``), and carries a unified line diff of
the two texts. It is a **stealth edit** when the page's own modification date did
not move: the new revision's ``modified_at`` is missing or not later than the
previous one's (the site changed the text without saying so).

Changes are listed newest first (``fetched_at`` of the new revision, then URL and
revision), from ``since`` on, optionally only one section or one kind of field.
"""

from __future__ import annotations

import difflib
import textwrap
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, and_, func, select

from crawler.db.filters import ArticleFilter, aware_utc
from crawler.db.models import Article, ArticleRevision

FIELDS = ("title", "summary", "body")
WRAP = 88

_articles: Table = Article.__table__  # type: ignore[assignment]
_revisions: Table = ArticleRevision.__table__  # type: ignore[assignment]


def revision_lines(revision: dict[str, Any]) -> list[str]:
    """A revision as lines for a diff: title, summary, then the body's paragraphs,
    wrapped, a blank line between paragraphs."""
    lines = [f"Title:   {revision['title'] or ''}", f"Summary: {revision['summary'] or ''}", ""]
    for paragraph in (revision["body"] or "").split("\n\n"):
        lines += textwrap.wrap(paragraph, WRAP) or [""]
        lines.append("")
    return lines[:-1]


def unified_diff(before: dict[str, Any], after: dict[str, Any], context: int = 1) -> str:
    """The line diff of two revisions (``revision_lines``), as ``diff -u`` shows it."""
    return "\n".join(difflib.unified_diff(
        revision_lines(before), revision_lines(after),
        fromfile=f"revision {before['revision']}", tofile=f"revision {after['revision']}",
        lineterm="", n=context))


def word_changes(before: str | None, after: str | None) -> tuple[int, int]:
    """(words added, words removed) from ``before`` to ``after``."""
    old, new = (before or "").split(), (after or "").split()
    added = removed = 0
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal":
            removed += a2 - a1
            added += b2 - b1
    return added, removed


def is_stealth(previous_modified: datetime | None, modified: datetime | None) -> bool:
    """The page's own modified date did not move forward with the new text."""
    return modified is None or (previous_modified is not None and modified <= previous_modified)


def changes(engine: Engine, since: datetime | None = None, until: datetime | None = None,
            section: str | None = None, kind: str | None = None,
            limit: int | None = None, edition: str | None = None,
            language: str | None = None) -> list[dict[str, Any]]:
    """Changes after first publication, newest first: dicts ``{url, title, section,
    published_at, revision, fetched_at, previous_fetched_at, modified_at,
    previous_modified_at, changed: [fields], words_added, words_removed, stealth,
    diff}``. ``since``/``until``: when the new revision was fetched; ``kind``: only
    changes of that field (title, summary or body)."""
    if kind is not None and kind not in FIELDS:
        raise ValueError(f"kind must be one of {', '.join(FIELDS)}")
    since, until = aware_utc(since, "since"), aware_utc(until, "until")
    new, old = _revisions.alias("new"), _revisions.alias("old")
    which = ArticleFilter(section=section, edition=edition, language=language)
    stmt = (select(_articles.c.url, _articles.c.title.label("current_title"),
                   _articles.c.section, _articles.c.published_at,
                   new.c.revision, new.c.fetched_at, new.c.modified_at,
                   new.c.title, new.c.summary, new.c.body,
                   old.c.fetched_at.label("previous_fetched_at"),
                   old.c.modified_at.label("previous_modified_at"),
                   old.c.title.label("old_title"), old.c.summary.label("old_summary"),
                   old.c.body.label("old_body"))
            .join_from(new, old, and_(old.c.article_id == new.c.article_id,
                                      old.c.revision == new.c.revision - 1))
            .join(_articles, _articles.c.id == new.c.article_id)
            .where(new.c.revision > 1, *which.clauses())
            .order_by(new.c.fetched_at.desc(), _articles.c.url, new.c.revision.desc()))
    if since is not None:
        stmt = stmt.where(new.c.fetched_at >= since)
    if until is not None:
        stmt = stmt.where(new.c.fetched_at < until)
    if kind is not None:
        # IS DISTINCT FROM: a field that appeared or vanished (NULL) changed too.
        stmt = stmt.where(new.c[kind].is_distinct_from(old.c[kind]))
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [_change(row) for row in rows]


def count_changes(engine: Engine, since: datetime | None = None,
                  edition: str | None = None, language: str | None = None) -> int:
    """How many revisions after the first were fetched from ``since`` on (of the
    articles of ``edition`` and ``language`` when given)."""
    since = aware_utc(since, "since")
    stmt = select(func.count()).select_from(_revisions).where(_revisions.c.revision > 1)
    scope = ArticleFilter(edition=edition, language=language).clauses()
    if scope:
        stmt = stmt.where(_revisions.c.article_id.in_(select(_articles.c.id).where(*scope)))
    if since is not None:
        stmt = stmt.where(_revisions.c.fetched_at >= since)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _change(row: Any) -> dict[str, Any]:
    before = {"revision": row["revision"] - 1, "title": row["old_title"],
              "summary": row["old_summary"], "body": row["old_body"]}
    after = {"revision": row["revision"], "title": row["title"],
             "summary": row["summary"], "body": row["body"]}
    added = removed = 0
    for name in FIELDS:
        plus, minus = word_changes(before[name], after[name])
        added, removed = added + plus, removed + minus
    return {"url": row["url"], "title": row["current_title"], "section": row["section"],
            "published_at": row["published_at"], "revision": row["revision"],
            "fetched_at": row["fetched_at"],
            "previous_fetched_at": row["previous_fetched_at"],
            "modified_at": row["modified_at"],
            "previous_modified_at": row["previous_modified_at"],
            "changed": [name for name in FIELDS if (before[name] or "") != (after[name] or "")],
            "words_added": added, "words_removed": removed,
            "stealth": is_stealth(row["previous_modified_at"], row["modified_at"]),
            "diff": unified_diff(before, after)}
