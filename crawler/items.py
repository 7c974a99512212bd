"""Items passed from spiders to pipelines: plain dataclasses (Scrapy supports them).

Dates are timezone-aware datetimes in UTC. Lists are never None (empty instead);
a missing scalar is None, never an empty string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The keys of an exported article record, in order. Other tools depend on them.
ARTICLE_EXPORT_KEYS = (
    "url", "title", "summary", "authors", "source", "published_at", "modified_at",
    "category", "section", "regions", "tags", "body", "image_url", "image_caption",
    "read_time_minutes", "language", "related_urls", "first_seen_at", "last_seen_at",
    "revision", "edition", "siblings",
)

# The fields a parser extracts from one article page (export keys minus the ones
# the database keeps: first_seen_at, last_seen_at, revision; and the edition, which
# is the crawl's when the parser leaves it unset, and the siblings: the same story in
# other editions, from every stored article's evidence, crawler/db/siblings.py).
ARTICLE_FIELDS = ARTICLE_EXPORT_KEYS[:17]


@dataclass
class ArticleItem:
    url: str                                   # canonical URL
    title: str | None = None
    summary: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    category: str | None = None                # "News", "Articles", "Videos", ...
    section: str | None = None                 # "Politics", "Opinion", ... as in the menu
    regions: list[str] = field(default_factory=list)   # named in the page's metadata
    tags: list[str] = field(default_factory=list)
    body: str | None = None                    # paragraphs and sub-headings, "\n\n"-joined
    image_url: str | None = None
    image_caption: str | None = None
    read_time_minutes: int | None = None
    language: str | None = None
    related_urls: list[str] = field(default_factory=list)  # canonical, document order
    # Which layer supplied each field ("tawsiyat", "jsonld", "microdata", "meta", "visible",
    # "generic", "url"): lets a run notice when the site's layout changes.
    field_sources: dict[str, str] = field(default_factory=dict)
    # Which edition (crawler.sites.editions key: "en", "ar", "es") the page belongs to,
    # set by the edition's profile; None for pages of other sites.
    edition: str | None = None
    # The same story in the site's other editions, as the page itself links them
    # (hreflang alternates, links to another edition's article): evidence, not guesses.
    alternate_urls: list[str] = field(default_factory=list)
    # Crawl context, filled by the spider (not by the parser).
    fetched_url: str | None = None             # the URL that answered (after redirects)
    requested_urls: list[str] = field(default_factory=list)  # URLs that led here
    raw_html: bytes | None = None              # the response body as received
    encoding: str | None = None
    http_status: int | None = None
    etag: str | None = None                    # validators the response carried
    last_modified: str | None = None

    def fields(self) -> dict:
        """The extracted fields only, keyed as in ARTICLE_FIELDS."""
        return {name: getattr(self, name) for name in ARTICLE_FIELDS}


@dataclass
class ListingItem:
    """An index page (home, section, region) listed an article at a position."""
    article_url: str          # canonical form of the link
    page_url: str             # canonical URL of the index page (with ?page=N)
    page_kind: str            # "home", "section", "region"
    page_name: str            # "Home", "Politics", "MENA", ...
    page_number: int          # 1 for the first page
    position: int             # 1-based order of the link on that page
    observed_at: datetime | None = None  # when the page was read (one value per page)


@dataclass
class IndexPageItem:
    """An index page was observed: its whole listing (yielded before its ListingItems).
    ``not_modified``: it answered 304 and the listing is the stored one, replayed."""
    page_url: str
    page_kind: str
    page_name: str
    page_number: int
    observed_at: datetime
    article_urls: list[str] = field(default_factory=list)
    next_page_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    card_titles: dict[str, str] = field(default_factory=dict)  # article URL -> card title


@dataclass
class NotModifiedItem:
    """A known article answered 304 Not Modified to a conditional request."""
    url: str
    article_id: int


@dataclass
class BreakingItem:
    """The breaking-news ticker's items, as one page showed them."""
    texts: list[str]


@dataclass
class MenuItem:
    """The site's navigation menu, as read: the reference lists of section and region
    names (``Store.record_menu``)."""
    sections: list[tuple[str, str]]   # (category, section name)
    regions: list[str]


@dataclass
class FetchErrorItem:
    url: str
    error: str                # short reason: "HTTP 404", "timeout", "not an article", ...
    status: int | None = None
