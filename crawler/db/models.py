"""Database schema: SQLAlchemy 2 declarative models.

Every datetime column is a ``UTCDateTime``: it accepts only timezone-aware
datetimes, stores them in UTC and always returns aware UTC datetimes (also on
SQLite, which has no time zone support). ``docs/SCHEMA.md`` describes the tables.

The schema is created by the Alembic migrations in ``migrations/versions``; keep
them in step with this module (``tests/test_migrations.py`` checks for drift).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.model_types import (  # noqa: F401 - re-exported: the models' public names
    LINK_KINDS,
    MONITOR_PAGE_KINDS,
    NAMING_CONVENTION,
    PAGE_KINDS,
    RUN_STATUSES,
    RUN_TRIGGERS,
    Base,
    JSONType,
    UTCDateTime,
    _article_fk,
    _in,
)
from crawler.db.models_alerts import (  # noqa: F401 - re-exported (migration 0011's tables)
    ALERT_KINDS,
    ALERT_STATUSES,
    Alert,
    AlertAttempt,
    Watchlist,
)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (CheckConstraint("revision >= 1", name="revision_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str | None]
    summary: Mapped[str | None]
    authors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    source: Mapped[str | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    modified_at: Mapped[datetime | None]
    category: Mapped[str | None] = mapped_column(index=True)
    # A name from the ``sections`` reference table (renames follow it).
    section: Mapped[str | None] = mapped_column(
        ForeignKey("sections.name", onupdate="CASCADE"), index=True)
    body: Mapped[str | None]
    image_url: Mapped[str | None]
    image_caption: Mapped[str | None]
    read_time_minutes: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1, server_default=sql_text("1"))
    field_sources: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    last_fetched_at: Mapped[datetime]
    # Migration 0012: the edition (crawler.sites.editions key) it was read from.
    edition: Mapped[str] = mapped_column(String(8), server_default="en", index=True)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class ArticleTag(Base):
    __tablename__ = "article_tags"
    # Migration 0014: an article's tags in order from the index alone (`newsmon stats`
    # and the report read those of every article of a period).
    __table_args__ = (Index("ix_article_tags_article_id_position", "article_id", "position",
                            "tag_id"),)

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int]


class Section(Base):
    """The reference list of section names (``articles.section`` refers to it):
    filled from the site's menu as a crawl reads it, and with any section an
    article names. ``category`` is the menu entry above it ("News", "Articles", ...;
    a top-level entry is its own category)."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    category: Mapped[str | None]


class Region(Base):
    """The reference list of region names (menu regions, and any an article names)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class ArticleRegion(Base):
    """An article belongs to a region because its page says so (``from_metadata``)
    and/or because a region index page listed it (``from_index``)."""

    __tablename__ = "article_regions"

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    from_metadata: Mapped[bool] = mapped_column(Boolean, server_default=false())
    from_index: Mapped[bool] = mapped_column(Boolean, server_default=false())


class Placement(Base):
    """A run of sightings: an index page (home, section, region) listed an article at
    a position from ``first_seen_at`` to ``last_seen_at`` without a gap (every
    observation of the page in between showed it there). See ``IndexPageRecord``."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("article_id", "page_url", "position", "first_seen_at"),
        CheckConstraint(_in("page_kind", PAGE_KINDS), name="page_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(_article_fk())
    page_url: Mapped[str] = mapped_column(index=True)
    page_kind: Mapped[str] = mapped_column(String(16))
    page_name: Mapped[str]
    page_number: Mapped[int]
    position: Mapped[int]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # Migration 0012: the edition (crawler.sites.editions key) it was read from.
    edition: Mapped[str] = mapped_column(String(8), server_default="en")


class ArticleLink(Base):
    """A related-article link from an article page (``to_url`` is canonical and
    need not have been crawled)."""

    __tablename__ = "article_links"
    __table_args__ = (
        UniqueConstraint("from_article_id", "to_url"),
        CheckConstraint(_in("kind", LINK_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_article_id: Mapped[int] = mapped_column(_article_fk())
    to_url: Mapped[str] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(32), default="related")
    position: Mapped[int]


class UrlAlias(Base):
    """Every URL that led to an article: requested, redirect chain, canonical."""

    __tablename__ = "url_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(unique=True)
    article_id: Mapped[int] = mapped_column(_article_fk(), index=True)


class RawPage(Base):
    """The last response body of an article, gzip-compressed (for reparse)."""

    __tablename__ = "raw_pages"

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    url: Mapped[str]
    fetched_at: Mapped[datetime]
    http_status: Mapped[int | None]
    encoding: Mapped[str | None]
    html_gz: Mapped[bytes] = mapped_column(LargeBinary)


class BreakingNews(Base):
    __tablename__ = "breaking_news"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]
    text_hash: Mapped[str] = mapped_column(String(64), unique=True)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime]
    # Migration 0012: the edition (crawler.sites.editions key) it was read from.
    edition: Mapped[str] = mapped_column(String(8), server_default="en", index=True)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        CheckConstraint(_in("trigger", RUN_TRIGGERS), name="trigger"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str]
    pages_fetched: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    articles_new: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    articles_updated: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    articles_unchanged: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    errors: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    error_summary: Mapped[str | None]
    # A crawl of the index chains that ended ok/degraded: it read every chain as far as
    # its rules say (migration 0006; crawler/crawl/incremental.py).
    index_complete: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Migration 0012: the edition (crawler.sites.editions key) it was read from.
    edition: Mapped[str] = mapped_column(String(8), server_default="en", index=True)


class FetchError(Base):
    __tablename__ = "fetch_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(index=True)
    status: Mapped[int | None]
    error: Mapped[str]
    occurred_at: Mapped[datetime]


# --- monitoring (migration 0002) ---------------------------------------------------


class ArticleRevision(Base):
    """One version of an article's text: revision 1 is the first fetch; a later fetch
    whose normalised title, summary or body differs (``content_hash``) adds one."""

    __tablename__ = "article_revisions"
    __table_args__ = (
        UniqueConstraint("article_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(_article_fk())
    revision: Mapped[int]
    title: Mapped[str | None]
    summary: Mapped[str | None]
    body: Mapped[str | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(index=True)
    modified_at: Mapped[datetime | None]


class HttpValidator(Base):
    """The ETag / Last-Modified a page answered with, sent back as If-None-Match /
    If-Modified-Since (articles: by canonical URL; index pages: by page URL)."""

    __tablename__ = "http_validators"

    url: Mapped[str] = mapped_column(primary_key=True)
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    updated_at: Mapped[datetime]


class IndexPageRecord(Base):
    """An index page as last observed: its listing (replayed when it answers 304) and
    the times of its last two observations (placement runs continue across them)."""

    __tablename__ = "index_pages"
    __table_args__ = (CheckConstraint(_in("page_kind", PAGE_KINDS), name="page_kind"),)

    url: Mapped[str] = mapped_column(primary_key=True)
    page_kind: Mapped[str] = mapped_column(String(16))
    page_name: Mapped[str]
    page_number: Mapped[int]
    article_urls: Mapped[list[str]] = mapped_column(JSONType, default=list)
    next_page_url: Mapped[str | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    previous_seen_at: Mapped[datetime | None]
    # Migration 0005: the title each card showed (article URL -> title) at the last
    # full observation; a card makes its article due only when this changes.
    card_titles: Mapped[dict[str, str] | None] = mapped_column(JSONType, nullable=True)
    # Migration 0012: the edition (crawler.sites.editions key) it was read from.
    edition: Mapped[str] = mapped_column(String(8), server_default="en")


# --- reliability (migration 0004) ----------------------------------------------------


class RunFieldStat(Base):
    """How well a run's parser filled one field (``crawler.ops.layout_alarm``): over the
    ``pages`` article pages it parsed, how many had the field ``filled`` and how many
    took it from the ``generic`` layer; ``alarm`` says why the field made the run
    ``degraded`` (NULL: no alarm). The field ``article`` counts the article pages
    recognised as articles (``filled``) among those fetched (``pages``)."""

    __tablename__ = "run_field_stats"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    pages: Mapped[int]
    filled: Mapped[int]
    generic: Mapped[int]
    alarm: Mapped[str | None]


# --- operations (migration 0007) -----------------------------------------------------


class RunCounter(Base):
    """A number of a run that ``crawl_runs`` has no column for, from the crawl's stats
    (``crawler.ops.metrics``): ``responses_2xx`` ... ``responses_5xx``,
    ``rendered_pages``."""

    __tablename__ = "run_counters"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Heartbeat(Base):
    """A long-running process (``newsmon schedule``) saying it is alive: ``beat_at``
    is renewed every half minute; ``stopped_at`` is set when it stops cleanly."""

    __tablename__ = "heartbeats"

    process: Mapped[str] = mapped_column(String(200), primary_key=True)  # role@host:pid
    role: Mapped[str] = mapped_column(String(32))
    host: Mapped[str]
    pid: Mapped[int]
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]


class MetricTotal(Base):
    """A Prometheus counter's running total (``newsmon_runs_total|ok``), kept by the
    store in the transactions that change it (``crawler.db.metric_totals``, migration
    0014): reading the counters costs the same with any number of runs recorded, and
    pruning never lowers them."""

    __tablename__ = "metric_totals"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


# --- continuous monitoring (migration 0009) --------------------------------------------


class MonitorPage(Base):
    """What ``newsmon monitor`` learned about one index page (or sitemap) of a site
    (``crawler.crawl.polling.PageRate``): its decayed counts of new articles and the
    time they were counted over (long and short memory), its polls, the last poll and
    the last change, and the interval it was last given (site seconds)."""

    __tablename__ = "monitor_pages"
    __table_args__ = (CheckConstraint(_in("page_kind", MONITOR_PAGE_KINDS),
                                      name="page_kind"),)

    base_url: Mapped[str] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(primary_key=True)
    page_kind: Mapped[str] = mapped_column(String(16))
    page_name: Mapped[str]
    long_count: Mapped[float] = mapped_column(Float)
    long_exposure: Mapped[float] = mapped_column(Float)
    short_count: Mapped[float] = mapped_column(Float)
    short_exposure: Mapped[float] = mapped_column(Float)
    polls: Mapped[int]
    changes: Mapped[int]
    last_polled_at: Mapped[datetime | None]
    last_change_at: Mapped[datetime | None]
    interval_seconds: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime]


# --- editions (migration 0012) ---------------------------------------------------------

EVIDENCE_KINDS = ("alternate_url", "lead_image", "tawsiyat_id")


class SiblingEvidence(Base):
    """What an article page itself says that ties it to the same story in another
    edition (``newsmon siblings``): ``alternate_url``, a link to another edition's
    article the page carries (``ArticleItem.alternate_urls``); ``lead_image``, the file
    name of its lead image on the media host (the same file: the same story);
    ``tawsiyat_id``, the CMS's post id. Never a guess from the text."""

    __tablename__ = "sibling_evidence"
    __table_args__ = (
        UniqueConstraint("article_id", "kind", "value"),
        CheckConstraint(_in("kind", EVIDENCE_KINDS), name="kind"),
        Index("ix_sibling_evidence_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(_article_fk())
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str]
