"""The same story in the site's other editions, tied only by evidence the pages carry.

An article page can say which story it is in another edition: a link to that
edition's article (``ArticleItem.alternate_urls``: hreflang alternates, an edition
switcher pointing at the article), the same lead image file on the media host
(``/media/image/YYYY/M/D/<uuid>.jpg``: one upload, used by every edition), or the
CMS's post id. ``sibling_evidence`` keeps that evidence per article (written with the
article by ``Store.save_article``); two articles of different editions are siblings
when one links the other (either way, through its URL or an alias) or they share an
image file or post id. Nothing is inferred from the text.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Table, delete, insert, literal, select
from sqlalchemy.engine import Connection

from crawler.db.models import Article, SiblingEvidence, UrlAlias
from crawler.db.text import clean_text

_articles: Table = Article.__table__  # type: ignore[assignment]
_evidence: Table = SiblingEvidence.__table__  # type: ignore[assignment]
_aliases: Table = UrlAlias.__table__  # type: ignore[assignment]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")


def lead_image_file(image_url: str | None) -> str | None:
    """The file name of a lead image (``<uuid>.jpg``, lower-case; the query string and
    host dropped), or None when the URL names no image file."""
    if not image_url:
        return None
    name = posixpath.basename(unquote(urlsplit(image_url).path)).lower()
    return name if name.endswith(IMAGE_EXTENSIONS) and len(name) > 8 else None


def evidence_of(url: str, alternate_urls: Iterable[str], image_url: str | None,
                tawsiyat_id: str | None = None) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs an article page carries, sorted, without duplicates (a
    link to the page itself is not evidence)."""
    pairs = {("alternate_url", u) for u in (clean_text(a) for a in alternate_urls)
             if u and u != url}
    image = lead_image_file(image_url)
    if image:
        pairs.add(("lead_image", image))
    if tawsiyat_id:
        pairs.add(("tawsiyat_id", str(tawsiyat_id)))
    return sorted(pairs)


def write_evidence(s: Connection, article_id: int, pairs: Sequence[tuple[str, str]]) -> None:
    """Make the article's evidence exactly ``pairs`` (in the caller's transaction)."""
    stored = set(tuple(r) for r in s.execute(select(_evidence.c.kind, _evidence.c.value)
                           .where(_evidence.c.article_id == article_id)).all())
    wanted = set(pairs)
    if stored == wanted:
        return
    s.execute(delete(_evidence).where(_evidence.c.article_id == article_id))
    if wanted:
        s.execute(insert(_evidence), [{"article_id": article_id, "kind": k, "value": v}
                                      for k, v in sorted(wanted)])


def _links(ids: Sequence[int]) -> list[Any]:
    """Queries of (article_id, sibling_id, kind) for the articles ``ids`` (any
    edition); run one by one (simple statements: the export runs them per batch)."""
    mine, theirs = _evidence.alias("mine"), _evidence.alias("theirs")
    shared = (select(mine.c.article_id, theirs.c.article_id.label("sibling_id"), mine.c.kind)
              .join(theirs, (theirs.c.kind == mine.c.kind) & (theirs.c.value == mine.c.value)
                    & (theirs.c.article_id != mine.c.article_id))
              .where(mine.c.article_id.in_(ids), mine.c.kind != "alternate_url"))
    target = _articles.alias("target")
    linked_by_url = (select(mine.c.article_id, target.c.id.label("sibling_id"),
                            literal("alternate_url").label("kind"))
                     .join(target, target.c.url == mine.c.value)
                     .where(mine.c.article_id.in_(ids), mine.c.kind == "alternate_url"))
    linked_by_alias = (select(mine.c.article_id, _aliases.c.article_id.label("sibling_id"),
                              literal("alternate_url").label("kind"))
                       .join(_aliases, _aliases.c.url == mine.c.value)
                       .where(mine.c.article_id.in_(ids), mine.c.kind == "alternate_url"))
    # The other way: a sibling's page links one of this article's URLs.
    linking_here = (select(_articles.c.id, theirs.c.article_id.label("sibling_id"),
                           literal("alternate_url").label("kind"))
                    .join(theirs, (theirs.c.kind == "alternate_url")
                          & (theirs.c.value == _articles.c.url))
                    .where(_articles.c.id.in_(ids)))
    linking_alias = (select(_aliases.c.article_id, theirs.c.article_id.label("sibling_id"),
                            literal("alternate_url").label("kind"))
                     .join(theirs, (theirs.c.kind == "alternate_url")
                           & (theirs.c.value == _aliases.c.url))
                     .where(_aliases.c.article_id.in_(ids)))
    return [shared, linked_by_url, linked_by_alias, linking_here, linking_alias]


def siblings_of(conn: Connection, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """For each article of ``ids``: its siblings in other editions, as ``{url, edition,
    language, title, evidence}`` (``evidence``: the kinds that tie them, sorted), by
    edition then URL."""
    if not ids:
        return {}
    pairs: dict[tuple[int, int], set[str]] = defaultdict(set)
    for query in _links(list(ids)):
        for article_id, sibling_id, kind in conn.execute(query):
            if article_id != sibling_id:
                pairs[(article_id, sibling_id)].add(kind)
    if not pairs:
        return {}
    wanted = sorted({i for pair in pairs for i in pair})
    about = {row["id"]: row for row in conn.execute(
        select(_articles.c.id, _articles.c.url, _articles.c.edition, _articles.c.language,
               _articles.c.title).where(_articles.c.id.in_(wanted))).mappings()}
    found: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (article_id, sibling_id), kinds in pairs.items():
        row = about[sibling_id]
        if row["edition"] == about[article_id]["edition"]:
            continue  # one edition's story twice: not a sibling
        entry = found[article_id].setdefault(row["url"], {
            "url": row["url"], "edition": row["edition"], "language": row["language"],
            "title": row["title"], "evidence": set()})
        entry["evidence"].update(kinds)
    return {article_id: [{**e, "evidence": sorted(e["evidence"])}
                         for e in sorted(by_url.values(),
                                         key=lambda e: (e["edition"], e["url"]))]
            for article_id, by_url in found.items()}
