"""The Arabic and Spanish replicas' truth: their articles, where they are listed, and
what a crawl (or the parser) must make of them.

An article record (``data_ar``, ``data_es``) has: ``key``, ``section`` (the path of
its section index), ``postid``, ``variant`` (which metadata the page carries: Arabic
``full`` = tawsiyat + JSON-LD + OpenGraph, ``jsonld`` = no tawsiyat; Spanish ``meta`` =
JSON-LD + OpenGraph, ``visible`` = none, a year-less visible date only), ``title``,
``summary``, ``authors``, ``source`` (the visible source line, or None), ``published``
/ ``modified`` (aware; ``modified`` absent = published), ``tags``, ``regions`` (region
slugs its tawsiyat names), ``image`` (a media path, or None), ``caption``,
``read_time``, ``body`` (paragraphs; ``("related", [keys])`` is a related-news box),
``listed`` (``home``; ``section``: its page on the section index; ``regions``: the
region indexes listing it), ``siblings`` (edition -> key of the same story there;
"en" keys are the English replica's).

Normalised, a record gains ``edition``, ``path`` (Arabic ``/news/politics/<raw
Unicode slug>``, Spanish ``/<section>/<postid>/<slug>``), ``category``, ``section_name``,
``modified`` and ``word_count``.
"""

from __future__ import annotations

from datetime import UTC

from crawler.items import ARTICLE_FIELDS
from crawler.replica import content as english
from crawler.replica.editions import data_ar, data_es
from crawler.replica.editions.model import SITES
from crawler.sites.almayadeen.urls import canonicalize_url
from crawler.sites.editions import EDITIONS

EDITION_KEYS = ("ar", "es")


def _normalise(record: dict, edition: str) -> dict:
    site = SITES[edition]
    a = dict(record)
    a["edition"] = edition
    slug = english.slugify(a["title"])
    a["path"] = (f"{a['section']}/{slug}" if edition == "ar"
                 else f"{a['section']}/{a['postid']}/{slug}")
    a["category"], a["section_name"] = site.sections[a["section"]]
    a["modified"] = a.get("modified") or a["published"]
    a.setdefault("siblings", {})
    listed = dict(a.get("listed") or {})
    listed.setdefault("home", False)
    listed.setdefault("section", None)
    listed.setdefault("regions", [])
    a["listed"] = listed
    a["word_count"] = len(" ".join(paragraphs(a)).split())
    # what the shared sitemap renderer (crawler.replica.sitemaps) reads
    a.update(stored=True, sitemap_only=None)
    return a


def paragraphs(a: dict) -> list[str]:
    return [block for block in a["body"] if isinstance(block, str)]


ARTICLES: dict[str, list[dict]] = {
    "ar": [_normalise(r, "ar") for r in data_ar.ARTICLES],
    "es": [_normalise(r, "es") for r in data_es.ARTICLES],
}
BY_KEY: dict[str, dict[str, dict]] = {e: {a["key"]: a for a in ARTICLES[e]} for e in ARTICLES}
BY_PATH: dict[str, dict[str, dict]] = {e: {a["path"]: a for a in ARTICLES[e]}
                                       for e in ARTICLES}


def _by_date(articles: list[dict]) -> list[dict]:
    return sorted(articles, key=lambda a: a["published"], reverse=True)


def home_listing(edition: str) -> list[dict]:
    return _by_date([a for a in ARTICLES[edition] if a["listed"]["home"]])


def section_listing(edition: str, path: str, page: int) -> list[dict]:
    return _by_date([a for a in ARTICLES[edition]
                     if a["section"] == path and a["listed"]["section"] == page])


def section_pages(edition: str, path: str) -> int:
    return max((a["listed"]["section"] or 1 for a in ARTICLES[edition]
                if a["section"] == path), default=1)


def region_listing(edition: str, slug: str) -> list[dict]:
    return _by_date([a for a in ARTICLES[edition] if slug in a["listed"]["regions"]])


def tag_listing(edition: str, tag: str) -> list[dict]:
    return _by_date([a for a in ARTICLES[edition] if tag in a["tags"]])


def author_listing(edition: str, name: str) -> list[dict]:
    return _by_date([a for a in ARTICLES[edition] if name in a["authors"]])


def default_sibling_origins() -> dict[str, str]:
    """Where the other editions are: the real sites (a test gives its replicas')."""
    return {key: edition.base_url for key, edition in EDITIONS.items()}


def sibling_links(a: dict, origins: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(language, absolute URL) of the same story in the other editions, as the page
    links them (hreflang alternates)."""
    origins = {**default_sibling_origins(), **(origins or {})}
    out = []
    for edition, key in sorted(a["siblings"].items()):
        path = english.BY_KEY[key]["path"] if edition == "en" else BY_KEY[edition][key]["path"]
        out.append((EDITIONS[edition].language, origins[edition].rstrip("/") + path))
    return out


def english_sibling_links(english_key: str, origins: dict[str, str] | None = None
                          ) -> list[tuple[str, str]]:
    """(language, absolute URL) of an English replica article's story in the Arabic and
    Spanish replicas (the links an English page carries when told where they are)."""
    origins = {**default_sibling_origins(), **(origins or {})}
    return [(EDITIONS[e].language, origins[e].rstrip("/") + a["path"])
            for e in EDITION_KEYS for a in ARTICLES[e] if a["siblings"].get("en") == english_key]


def related_paths(a: dict) -> list[str]:
    out: list[str] = []
    for block in a["body"]:
        if isinstance(block, tuple) and block[0] == "related":
            for key in block[1]:
                path = BY_KEY[a["edition"]][key]["path"]
                if path not in out:
                    out.append(path)
    return out


def _iso(dt) -> str:
    return dt.astimezone(UTC).isoformat()


def expected_fields(a: dict, origin: str, *, with_listings: bool = True) -> dict:
    """The exported field values of one article, keyed as ARTICLE_FIELDS (as
    ``crawler.replica.content.expected_fields`` for English). Regions: those its
    tawsiyat names (only the Arabic ``full`` pages carry it) and, ``with_listings``,
    those whose index lists it."""
    origin = origin.rstrip("/")
    site = SITES[a["edition"]]
    regions = {site.regions[s] for s in a["regions"]} if a["variant"] == "full" else set()
    if with_listings:
        regions |= {site.regions[s] for s in a["listed"]["regions"]}
    values = {
        "url": canonicalize_url(origin + a["path"]),
        "title": a["title"],
        "summary": a["summary"],
        "authors": list(a["authors"]),
        "source": a["source"],
        "published_at": _iso(a["published"]),
        "modified_at": _iso(a["modified"]),
        "category": a["category"],
        "section": a["section_name"],
        "regions": sorted(regions),
        "tags": list(a["tags"]),
        "body": "\n\n".join(paragraphs(a)),
        "image_url": origin + a["image"] if a["image"] else None,
        "image_caption": a["caption"],
        "read_time_minutes": a["read_time"],
        "language": site.language,
        "related_urls": [canonicalize_url(origin + p) for p in related_paths(a)],
    }
    assert tuple(values) == ARTICLE_FIELDS
    return values


def expected_extras(a: dict, sibling_origins: dict[str, str] | None = None) -> dict:
    """What the edition work adds to an item: its edition and its siblings' URLs."""
    return {"edition": a["edition"],
            "alternate_urls": [canonicalize_url(u) for _l, u in sibling_links(a, sibling_origins)]}


def expected_articles(edition: str, origin: str) -> dict[str, dict]:
    """Every article a full crawl of the ``edition`` replica at ``origin`` stores."""
    return {values["url"]: values for values in (
        expected_fields(a, origin) for a in ARTICLES[edition])}


def load_more_only(edition: str) -> list[dict]:
    """Articles no page's plain HTML links: only the Arabic "المزيد" (JavaScript)
    loads them (and the sitemaps list them)."""
    if edition != "ar":
        return []
    return [a for a in ARTICLES[edition] if (a["listed"]["section"] or 1) > 1
            and not a["listed"]["home"] and not a["listed"]["regions"]
            and a["key"] not in MOST_READ[edition] and not any(
                a["path"] in related_paths(b) for b in ARTICLES[edition])]


# The "Most Read" box on every article page of an edition.
MOST_READ = {"ar": ["ar-hamas-plan", "ar-gaza-two-years", "ar-iraq-crossroads",
                    "ar-drones-yemen"],
             "es": ["es-hamas-plan", "es-entrevista-canciller", "es-venezuela",
                    "es-brics-pagos"]}
