"""Watchlists and alerts (migration 0011): what analysts follow and the outbox of
their notifications. Part of the schema of crawler/db/models.py (same ``Base``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.model_types import Base, JSONType, _in

ALERT_KINDS = ("new", "edit", "breaking")
ALERT_STATUSES = ("pending", "delivered", "failed", "unsent")


class Watchlist(Base):
    """What an analyst follows (``crawler.db.watchlists``): a search query (``newsmon
    search`` syntax; empty: everything), optional section/region/tag filters, the kinds
    of event (``ALERT_KINDS``, a JSON list) and the Apprise URLs to notify (secrets:
    shown masked). ``updated_at`` moves on every change (matchers reload then)."""

    __tablename__ = "watchlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    query: Mapped[str]
    section: Mapped[str | None]
    region: Mapped[str | None]
    tag: Mapped[str | None]
    # Migration 0012: only articles (and ticker items) of this edition / language.
    edition: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str | None]
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    notify: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Alert(Base):
    """The outbox: one match of a watchlist, written in the transaction that stored the
    article, revision or breaking item (``crawler.db.outbox``). ``key`` identifies the
    notification (duplicates carry the same one). What the notification says is kept
    here (title, url, snippet, diff), so delivery and feeds need no other table.
    ``status``: pending (to send, not before ``next_attempt_at``), delivered, failed
    (gave up: ``newsmon alerts retry``) or unsent (the watchlist notifies no one);
    ``leased_until``: a sender is delivering it (another waits until then)."""

    __tablename__ = "alerts"
    __table_args__ = (CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
                      CheckConstraint(_in("status", ALERT_STATUSES), name="status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    watchlist_id: Mapped[int] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"))
    revision: Mapped[int | None]
    breaking_id: Mapped[int | None] = mapped_column(
        ForeignKey("breaking_news.id", ondelete="SET NULL"))
    title: Mapped[str]
    url: Mapped[str | None]
    section: Mapped[str | None]
    published_at: Mapped[datetime | None]
    snippet: Mapped[str | None]
    diff: Mapped[str | None]
    matched_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    next_attempt_at: Mapped[datetime | None]
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None]
    delivered_at: Mapped[datetime | None]


class AlertAttempt(Base):
    """One try at delivering an alert to one of its watchlist's notifiers (``target``:
    a hash of the URL, never the URL): a notifier that took it is not sent it again."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    attempted_at: Mapped[datetime]
    ok: Mapped[bool]
    error: Mapped[str | None]
