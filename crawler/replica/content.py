"""The replica's truth: every article, where it is listed, and what a crawl must store.

Article records (``data_*.py``) are dicts with these keys:

- ``key``: short name used by other records' links; ``path``: the URL path (slug rule:
  title lower-cased, ``:`` and ``,`` kept, every other non-alphanumeric character a
  hyphen, runs not collapsed, cut at 60 characters).
- ``variant``: markup variant, one of ``model.VARIANTS``:
  ``full`` tawsiyat JSON + JSON-LD + OpenGraph/article:* meta + reference markup;
  ``jsonld_og`` JSON-LD + OpenGraph, reference markup; ``visible`` reference markup
  and ``<title>`` only; ``redesign`` metadata as ``full`` but different visible HTML.
- ``postid``, ``title``, ``summary``, ``authors``, ``source`` (visible "Source: X" line,
  ``None`` when absent), ``published``/``modified`` (aware, Beirut time; ``modified``
  ``None`` means same as published), ``category``, ``section`` (``None`` for
  Infographs / In Pictures), ``regions`` (named in the page's metadata: tawsiyat
  ``country`` classes, so always empty for ``jsonld_og`` and ``visible``), ``tags``,
  ``image`` (path with query, or ``None``), ``image_alt``, ``caption``, ``read_time``
  (the visible "N Min Read"), ``shares``, ``body`` (blocks, see ``model``).
- ``listed``: ``home`` (bool), ``section`` (page number on its section index, or
  absent), ``regions`` (region slugs whose index lists it).
- Optional: ``stored`` (``False``: a crawl must not store it), ``charset``,
  ``old_path`` (answers 301 to ``path``), ``video`` (``src``, ``duration``,
  ``iso_duration``), ``sitemap_only`` (``"monthly"`` or ``"news"``: linked from no
  page, only listed in the monthly sitemaps, or only in the news sitemap; a crawl
  does not find it, a backfill does), ``index_only`` (``True``: shown by its index
  listings only, never in another article's Most Read / Read Next cards: the crash
  tests hide an article deep in an index chain with it).

A running server may serve other articles than these (``state``, ``articles()``).
"""

from __future__ import annotations

from datetime import timezone

from crawler.items import ARTICLE_FIELDS
from crawler.replica import (data_archive, data_articles, data_media, data_news,
                             data_politics, state)
from crawler.replica.model import (
    BREAKING, LANGUAGE, MENU, REGIONS, STANDALONE, plain,
)

ENDLESS_INDEX = "/news/technology"
NOT_FOUND_PATH = "/news/politics/un-envoy-says-yemen-prisoner-swap-talks-collapse"
NOT_FOUND_TITLE = "UN envoy says Yemen prisoner swap talks collapse"
ROBOTS_DISALLOW = "/news/sports/private-"
TRACKING_SUFFIX = "?utm_source=x&utm_medium=y&fbclid=z#comments"
OFFSITE_HOST_URL = ("https://www.almayadeen.net/news/politics/"
                    "%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82-%D9%81%D9%8A-"
                    "%D9%85%D9%81%D8%AA%D8%B1%D9%82-%D8%B7%D8%B1%D9%82")
OFFSITE_HOST_TITLE = "Al Mayadeen Arabic: Iraq at a crossroads"


def slugify(title: str) -> str:
    """The site's slug rule (SITE.md)."""
    return "".join(c if (c.isalnum() or c in ":,") else "-" for c in title.lower())[:60]


def tag_slug(tag: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in tag.lower())


def _normalise(record: dict) -> dict:
    a = dict(record)
    a.setdefault("stored", True)
    a.setdefault("charset", "utf-8")
    a.setdefault("old_path", None)
    a.setdefault("video", None)
    a.setdefault("sitemap_only", None)
    a.setdefault("index_only", False)
    a["modified"] = a.get("modified") or a["published"]
    listed = dict(a.get("listed") or {})
    listed.setdefault("home", False)
    listed.setdefault("section", None)
    listed.setdefault("regions", [])
    a["listed"] = listed
    a["word_count"] = len(" ".join(body_paragraphs(a)).split())
    return a


def body_paragraphs(a: dict) -> list[str]:
    """Paragraphs and sub-headings in order: the article's text."""
    out = []
    for block in a["body"]:
        if isinstance(block, str):
            out.append(plain(block))
        elif block[0] == "h":
            out.append(block[1])
    return out


ARTICLES: list[dict] = [_normalise(r) for module in (
    data_politics, data_news, data_articles, data_media, data_archive)
    for r in module.ARTICLES]
BY_KEY = {a["key"]: a for a in ARTICLES}
BY_PATH = {a["path"]: a for a in ARTICLES}
OLD_PATHS = {a["old_path"]: a["path"] for a in ARTICLES if a["old_path"]}


def normalise(record: dict) -> dict:
    """An article record with every optional key filled in (see the docstring)."""
    return _normalise(record)


def articles() -> list[dict]:
    """The articles being served: the truth, or a running server's changed copy."""
    current = state.ARTICLES.get()
    return ARTICLES if current is None else current


def by_path() -> dict[str, dict]:
    current = state.ARTICLES.get()
    return BY_PATH if current is None else {a["path"]: a for a in current}

# Section indexes: path -> (category, name). Standalone entries are their own category.
SECTION_INDEXES: dict[str, tuple[str, str]] = {
    path: (category, name) for category, _, sections in MENU for name, path in sections}
SECTION_INDEXES.update({path: (name, name) for name, path in STANDALONE})
CATEGORY_INDEXES = {path: name for name, path, _ in MENU}
REGION_INDEXES = {f"/regions/{slug}": name for slug, name in REGIONS.items()}


def index_path_of(a: dict) -> str:
    """The section index an article belongs to."""
    for path, (category, name) in SECTION_INDEXES.items():
        if category == a["category"] and (a["section"] is None or name == a["section"]):
            return path
    raise KeyError(a["key"])


def _by_date(articles: list[dict]) -> list[dict]:
    return sorted(articles, key=lambda a: a["published"], reverse=True)


def section_listing(path: str, page: int) -> list[dict]:
    """Articles a section index page lists (the endless index repeats page 1)."""
    if path == ENDLESS_INDEX:
        page = 1
    return _by_date([a for a in articles() if a["listed"]["section"] == page
                     and index_path_of(a) == path])


def section_page_count(path: str) -> int | None:
    """Number of pages of a section index (None: endless)."""
    if path == ENDLESS_INDEX:
        return None
    pages = [a["listed"]["section"] for a in articles()
             if a["listed"]["section"] and index_path_of(a) == path]
    return max(pages, default=1)


def region_listing(slug: str) -> list[dict]:
    return _by_date([a for a in articles() if slug in a["listed"]["regions"]])


def category_listing(name: str) -> list[dict]:
    return _by_date([a for a in articles() if a["category"] == name
                     and a["listed"]["section"] == 1])[:8]


def home_listing() -> list[dict]:
    return _by_date([a for a in articles() if a["listed"]["home"]])


def listed_articles() -> list[dict]:
    """Articles shown on some index page (safe targets for Most Read / Read Next;
    ``index_only`` ones are not offered)."""
    return [a for a in articles() if a["stored"] and not a["index_only"] and (
        a["listed"]["home"] or a["listed"]["section"] or a["listed"]["regions"])]


def related_paths(a: dict) -> list[str]:
    """Related News and Read more targets in document order, deduplicated."""
    out: list[str] = []
    for block in a["body"]:
        if isinstance(block, tuple) and block[0] in ("related", "readmore"):
            keys = block[1] if block[0] == "related" else [block[1]]
            for key in keys:
                if BY_KEY[key]["path"] not in out:
                    out.append(BY_KEY[key]["path"])
    return out


def _iso(dt) -> str:
    return dt.astimezone(timezone.utc).isoformat()


def expected_fields(a: dict, origin: str, *, with_listings: bool = True) -> dict:
    """The exported field values for one article, keyed as ARTICLE_FIELDS.

    ``with_listings=False`` gives what the page alone says (parser fixtures):
    regions named by its metadata only.
    """
    origin = origin.rstrip("/")
    regions = set(a["regions"])
    if with_listings:
        regions |= {REGIONS[slug] for slug in a["listed"]["regions"]}
    values = {
        "url": origin + a["path"],
        "title": a["title"],
        "summary": a["summary"],
        "authors": list(a["authors"]),
        "source": a["source"],
        "published_at": _iso(a["published"]),
        "modified_at": _iso(a["modified"]),
        "category": a["category"],
        "section": a["section"],
        "regions": sorted(regions),
        "tags": list(a["tags"]),
        "body": "\n\n".join(body_paragraphs(a)),
        "image_url": origin + a["image"] if a["image"] else None,
        "image_caption": a["caption"],
        "read_time_minutes": a["read_time"],
        "language": LANGUAGE,
        "related_urls": [origin + p for p in related_paths(a)],
    }
    assert tuple(values) == ARTICLE_FIELDS
    return values


def expected_articles(origin: str) -> dict[str, dict]:
    """Every article a full crawl of a replica at ``origin`` must store (the ones only
    sitemaps list are not among them: see ``expected_sitemap_only_articles``)."""
    out = {}
    for a in ARTICLES:
        if a["stored"] and not a["sitemap_only"]:
            values = expected_fields(a, origin)
            out[values["url"]] = values
    return out


def expected_sitemap_only_articles(origin: str) -> dict[str, dict]:
    """The articles that only the sitemaps list: a backfill stores them, a crawl not."""
    return {values["url"]: values for values in (
        expected_fields(a, origin) for a in ARTICLES if a["sitemap_only"])}


def expected_breaking() -> list[str]:
    return list(BREAKING)


EDGE_CASES: dict[str, dict] = {
    "colon_slug": dict(path=BY_KEY["lebanese-army-exclusive"]["path"],
                       what="slug with a colon, cut at 60 characters mid-word"),
    "tracking_link": dict(path=BY_KEY["french-mps"]["path"] + TRACKING_SUFFIX,
                          what="home links a (visible-variant) article with tracking "
                               "parameters and a fragment"),
    "old_url_redirect": dict(path=BY_KEY["sanctions-global-south"]["old_path"],
                             target=BY_KEY["sanctions-global-south"]["path"],
                             what="old /articles/<slug> URL, linked from home, answers 301"),
    "not_found": dict(path=NOT_FOUND_PATH, what="linked from /news/politics?page=2, answers 404"),
    "error_once": dict(path=BY_KEY["egypt-imf"]["path"],
                       what="answers 500 the first time in a server's life, then 200"),
    "robots_disallowed": dict(path=BY_KEY["private-equity-football"]["path"],
                              rule="Disallow: " + ROBOTS_DISALLOW,
                              what="listed on /news/sports, must never be fetched"),
    "offsite_port": dict(path=BY_KEY["doha-ministers"]["path"],
                         what="linked from home at http://127.0.0.1:<offsite_port>"),
    "offsite_host": dict(url=OFFSITE_HOST_URL, what="linked from home, another host"),
    "endless_pagination": dict(path=ENDLESS_INDEX,
                               what="every ?page=N answers the same cards and a next link"),
    "multi_region_listing": dict(path=BY_KEY["hamas-reviews-plan"]["path"],
                                 what="listed on home, its section, MENA and Palestine"),
    "read_more_only": dict(path=BY_KEY["eu-sanctions-mali"]["path"],
                           what="reachable only through a Read more link (mali-junta)"),
    "related_only": dict(path=BY_KEY["how-drones-yemen"]["path"],
                         what="reachable only through Related News (iraq-crossroads)"),
    "latin1": dict(path=BY_KEY["lebanese-exporters"]["path"],
                   what="served as iso-8859-1 with é, ü, ë and £ in the text"),
    "winter_visible_date": dict(path=BY_KEY["iraq-budget"]["path"],
                                what="visible-only, 12 Jan 2025 09:30 Beirut = 07:30 UTC"),
    "summer_visible_date": dict(path=BY_KEY["syria-wheat"]["path"],
                                what="visible-only, 15 Jul 2025 15:54 Beirut = 12:54 UTC"),
    "no_image_no_source": dict(path=BY_KEY["riyadh-tehran"]["path"],
                               what="no image, no caption, no Source line"),
    "two_authors": dict(path=BY_KEY["europe-energy"]["path"], what="two authors"),
    "modified_later": dict(path=BY_KEY["trump-netanyahu-ft"]["path"],
                           what="last_updated later than published"),
    "duplicate_related": dict(path=BY_KEY["mali-junta"]["path"],
                              what="the same article in Related News and Read more"),
    "widget_in_body": dict(path=BY_KEY["iraq-crossroads"]["path"],
                           what="newsletter widget inside the body (not text)"),
    "captions_in_body": dict(path=BY_KEY["beirut-suburbs-pictures"]["path"],
                             what="inline figures with captions inside the body"),
    "video": dict(path=BY_KEY["sudan-explainer"]["path"],
                  what="video page: <video>, JSON-LD VideoObject, tawsiyat video_duration"),
    "non_article_pages": dict(paths=["/tags/gaza", "/authors/karim-haddad", "/authors",
                                     "/live", "/about-us", "/privacy-policy",
                                     "/contact-us"],
                              what="served 200 with content, never stored as articles"),
}
