"""The building blocks of the models (crawler/db/models.py, models_alerts.py): the
declarative base with its naming convention, the UTC datetime and JSON types, and the
constants of the CHECK constraints."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, MetaData, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RUN_STATUSES = ("running", "ok", "failed", "degraded", "interrupted")
RUN_TRIGGERS = ("manual", "cron", "scheduler")
PAGE_KINDS = ("home", "section", "region")
# The monitor also polls the site's sitemaps (migration 0013).
MONITOR_PAGE_KINDS = (*PAGE_KINDS, "sitemap")
LINK_KINDS = ("related", "read_more", "related_or_read_more")


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC.

    Binding a naive datetime raises ``ValueError`` (the caller must say which time
    zone it means). PostgreSQL stores ``timestamptz``; SQLite stores the UTC wall
    time as text (fixed width, so it sorts and compares correctly). Values read
    back are always aware and in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} rejected: give a time zone")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# JSON on SQLite (text), JSONB on PostgreSQL (indexable, jsonb operators).
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), str: Text()}


def _article_fk() -> ForeignKey:
    return ForeignKey("articles.id", ondelete="CASCADE")


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK constraint on a fixed set of string constants."""
    return f'"{column}" IN ({", ".join(repr(v) for v in values)})'


