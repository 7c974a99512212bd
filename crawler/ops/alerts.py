"""Delivering watchlist alerts from the outbox through Apprise (``crawler.db.outbox``).

``AlertSender.deliver_due`` leases the alerts that are due, groups them by watchlist
and sends each to every notifier URL of its watchlist (Apprise: ``mailto://`` SMTP,
``json://`` webhooks, Slack, Telegram, Matrix, ntfy, ... by URL). One notification per
alert, until a watchlist has sent ``digest_after`` in the last minute: the rest of
that batch goes as one digest. Every notification names the alert ids it carries
(``Alert id: <key>``), so a duplicate is recognisable.

Failures never lose an alert: each attempt is recorded per notifier (one that took
the alert is not sent it again), and the alert waits ``backoff`` x 2^(attempts-1)
(at most ``BACKOFF_CAP``) before the next try; after ``max_attempts`` it is
``failed`` until ``newsmon alerts retry``. A database that goes away mid-delivery
stops the round (the leased alerts are sent again when their lease ends: at most one
duplicate); the sender itself keeps going.

Who sends: ``newsmon crawl`` delivers its own run's alerts before it exits
(``deliver_until``: a bounded wait), the scheduler runs ``serve`` in a thread (new
alerts within ``poll`` seconds, pending ones retried), ``newsmon alerts send`` once.
Notifier URLs are secrets: only ``masked_notify_url`` forms reach output and logs.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.config import Config
from crawler.db import outbox

logger = logging.getLogger("newsmon.alerts")

BACKOFF_CAP = 900.0  # seconds: the longest wait between two attempts
RATE_WINDOW = timedelta(minutes=1)  # digest_after counts the alerts sent in this window
KIND_LABELS = {"new": "new article", "edit": "edited article", "breaking": "breaking"}

Send = Callable[[str, str, str], "str | None"]  # (url, title, body) -> error or None


@dataclass
class SenderSettings:
    digest_after: int = 5
    max_attempts: int = 10
    backoff: float = 5.0
    lease: float = 60.0
    poll: float = 2.0

    @classmethod
    def from_config(cls, cfg: Config) -> SenderSettings:
        return cls(cfg.alerts_digest_after, cfg.alerts_max_attempts, cfg.alerts_backoff,
                   cfg.alerts_lease, cfg.alerts_poll)


@dataclass
class Round:
    """What one ``deliver_due`` did: notifications sent, alerts delivered, alerts to
    retry later, alerts given up (failed); ``error``: why the round stopped early."""
    notifications: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    error: str | None = None
    keys: list[str] = field(default_factory=list)


def target_id(url: str) -> str:
    """A notifier's id in ``alert_attempts``: a hash, never the URL (a secret)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


_USERINFO = re.compile(r"(?<=://)[^/@\s?#]+@")
_SECRET_PARAM = re.compile(r"(?i)((?:password|pass|pwd|token|secret|key|apikey)=)[^&\s]*")


@contextmanager
def _apprise_quiet() -> Iterator[None]:
    """Apprise logs an unparsable URL itself (twice); the caller says it once."""
    apprise_logger = logging.getLogger("apprise")
    level = apprise_logger.level
    apprise_logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        apprise_logger.setLevel(level)


def masked_notify_url(url: str) -> str:
    """A notifier URL safe to show: Apprise's privacy form (tokens and passwords hidden
    per service) without its query; any user:password and password-like parameter
    masked when Apprise cannot read the URL."""
    import apprise

    with _apprise_quiet():
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin:
        return _USERINFO.sub("***@", plugin.url(privacy=True).split("?")[0])
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub("***@", url))


def _clean_error(text: str) -> str:
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub("***@", " ".join(text.split())))[:500]


def notifier_problem(url: str) -> str | None:
    """Why Apprise cannot use ``url`` (None: it can)."""
    import apprise

    with _apprise_quiet():
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return "not a notifier URL Apprise knows (see its wiki for the URL of each service)"
    return None


def apprise_send(url: str, title: str, body: str) -> str | None:
    """Send one notification to one Apprise URL; None when it was accepted, else why
    not (one line, from Apprise's log)."""
    import apprise

    notifier = apprise.Apprise()
    with _apprise_quiet():
        added = notifier.add(url)
    if not added:
        return f"not a notifier URL Apprise knows: {masked_notify_url(url)}"
    apprise_logger = logging.getLogger("apprise")
    apprise_logger.propagate = False  # its lines are captured: newsmon says why, once
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = notifier.notify(title=title, body=body,
                                 body_format=apprise.NotifyFormat.TEXT)
    finally:
        apprise_logger.propagate = True
    if ok:
        return None
    lines = [l for l in captured.getvalue().splitlines() if l.strip()]
    return _clean_error(lines[-1] if lines else "the notifier refused it")


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "undated"


def _block(alert: dict[str, Any], with_id: bool = True) -> list[str]:
    lines = [f"{alert['title']}"]
    where = " · ".join(x for x in (alert.get("section"), _when(alert.get("published_at"))) if x)
    lines.append(f"{KIND_LABELS[alert['kind']]} · {where}")
    if alert.get("url"):
        lines.append(alert["url"])
    if alert.get("snippet"):
        lines.append(alert["snippet"])
    if alert.get("diff"):
        lines += ["What changed:", alert["diff"]]
    if with_id:
        lines.append(f"Alert id: {alert['key']}")
    return lines


def render(watchlist: str, alerts: list[dict[str, Any]]) -> tuple[str, str]:
    """Title and body of a notification of one alert, or of a digest of several."""
    if len(alerts) == 1:
        alert = alerts[0]
        return (f"[newsmon] {watchlist}: {KIND_LABELS[alert['kind']]}: {alert['title']}"[:250],
                "\n".join(_block(alert)))
    blocks = [f"{len(alerts)} matches of watchlist {watchlist}:"]
    for number, alert in enumerate(alerts, 1):
        first, *rest = _block(alert, with_id=False)
        blocks.append("\n".join([f"{number}. {first}", *rest]))
    blocks.append("Alert ids: " + ", ".join(a["key"] for a in alerts))
    return f"[newsmon] {watchlist}: digest of {len(alerts)} matches", "\n\n".join(blocks)


class AlertSender:
    """Delivers due alerts of one database (see the module docstring)."""

    def __init__(self, engine: Engine, settings: SenderSettings | None = None,
                 send: Send = apprise_send):
        self.engine = engine
        self.settings = settings or SenderSettings()
        self.send = send
        self._last_error: str | None = None

    def deliver_due(self, since: datetime | None = None) -> Round:
        """One round: every due alert (``since``: matched at or after it) tried once."""
        done = Round()
        try:
            now = datetime.now(UTC)
            due = outbox.due_alerts(self.engine, now, since=since)
            claimed = outbox.claim(self.engine, [a["id"] for a in due], now,
                                   self.settings.lease)
            groups: dict[int, list[dict[str, Any]]] = {}
            for alert in due:
                if alert["id"] in claimed:
                    groups.setdefault(alert["watchlist_id"], []).append(alert)
            for watchlist_id, alerts in groups.items():
                sent = outbox.sent_since(self.engine, watchlist_id, now - RATE_WINDOW)
                room = max(0, self.settings.digest_after - sent)
                batches = [[a] for a in alerts[:room]]
                if alerts[room:]:
                    batches.append(alerts[room:])
                for batch in batches:
                    self._deliver(batch, done)
        except SQLAlchemyError as error:  # the database went away: alerts wait, leased
            done.error = f"database unavailable: {_clean_error(str(error.orig or error))}"
            if done.error != self._last_error:  # once per outage, not every poll
                logger.warning("alerts: %s; leased alerts are sent again when their "
                               "lease ends", done.error)
        self._last_error = done.error
        return done

    def _deliver(self, alerts: list[dict[str, Any]], done: Round) -> None:
        ids = [a["id"] for a in alerts]
        taken = outbox.delivered_targets(self.engine, ids)
        errors = []
        for url in dict.fromkeys(alerts[0]["notify"] or []):
            target = target_id(url)
            todo = [a for a in alerts if target not in taken[a["id"]]]
            if not todo:
                continue
            title, body = render(alerts[0]["watchlist"], todo)
            try:
                error = self.send(url, title, body)
            except Exception as exc:  # noqa: BLE001 - a notifier's bug must not stop others
                error = _clean_error(f"{type(exc).__name__}: {exc}")
            done.notifications += error is None
            outbox.record_attempts(self.engine, [a["id"] for a in todo], target,
                                   error is None, error, datetime.now(UTC))
            if error is None:
                for alert in todo:
                    taken[alert["id"]].add(target)
            else:
                errors.append(f"{masked_notify_url(url)}: {error}")
                logger.warning("alerts: watchlist %s: %s", alerts[0]["watchlist"], errors[-1])
        now = datetime.now(UTC)
        for alert in alerts:
            if not errors:
                outbox.finish(self.engine, alert["id"], delivered=True, now=now)
                done.delivered += 1
                done.keys.append(alert["key"])
                continue
            attempts = alert["attempts"] + 1
            if attempts >= self.settings.max_attempts:
                outbox.finish(self.engine, alert["id"], delivered=False, now=now,
                              error="; ".join(errors))
                done.failed += 1
                continue
            wait = min(self.settings.backoff * 2 ** (attempts - 1), BACKOFF_CAP)
            outbox.finish(self.engine, alert["id"], delivered=False, now=now,
                          error="; ".join(errors), retry_at=now + timedelta(seconds=wait))
            done.retrying += 1

    def deliver_until(self, timeout: float, since: datetime | None = None) -> int:
        """Deliver (``since``: alerts matched at or after it) until none is pending or
        ``timeout`` seconds have passed; returns how many are left pending."""
        deadline = time.monotonic() + timeout
        while True:
            self.deliver_due(since)
            left: int | None = None
            upcoming = None
            try:
                left = outbox.pending_count(self.engine, since=since)
                upcoming = outbox.next_due(self.engine, since=since)
            except SQLAlchemyError:  # unknown while the database is away: keep trying
                pass
            remaining = deadline - time.monotonic()
            if left == 0 or remaining <= 0:
                return left or 0
            wait = self.settings.poll
            if upcoming is not None:
                wait = max(0.1, min(wait, (upcoming - datetime.now(UTC)).total_seconds()))
            time.sleep(min(wait, remaining))

    def serve(self, stop: threading.Event) -> None:
        """Deliver as alerts arrive, every ``poll`` seconds, until ``stop`` is set."""
        while not stop.is_set():
            try:
                self.deliver_due()
            except Exception:  # noqa: BLE001 - the scheduler's sender must not die
                logger.exception("alerts: delivery round failed")
            stop.wait(self.settings.poll)
        self.engine.dispose()


def _engine_of(db: str | None, cfg: Config) -> Engine:
    from crawler.db.session import make_engine, resolve_database_url

    return make_engine(resolve_database_url(db or cfg.database_url))


def deliver_run_alerts(db: str | None, cfg: Config, since: datetime) -> str | None:
    """What ``newsmon crawl`` does before it exits: deliver the alerts matched since
    its run started, waiting at most ``alerts_crawl_wait``; the rest stay pending for
    the scheduler or ``newsmon alerts send``. Returns a one-line summary (None: the
    run matched nothing)."""
    engine = _engine_of(db, cfg)
    try:
        if not outbox.pending_count(engine, since=since):
            return None
        sender = AlertSender(engine, SenderSettings.from_config(cfg))
        left = sender.deliver_until(cfg.alerts_crawl_wait, since=since)
        return ("alerts of this run delivered" if not left else
                f"{left} alerts of this run still pending (the scheduler or `newsmon "
                f"alerts send` delivers them)")
    except SQLAlchemyError as error:
        return f"alerts not delivered: database unavailable ({_clean_error(str(error))})"
    finally:
        engine.dispose()


def start_sender_thread(db: str | None, cfg: Config, stop: threading.Event
                        ) -> threading.Thread:
    """The scheduler's sender: ``AlertSender.serve`` in a daemon thread until ``stop``."""
    sender = AlertSender(_engine_of(db, cfg), SenderSettings.from_config(cfg))
    thread = threading.Thread(target=sender.serve, args=(stop,), name="alert-sender",
                              daemon=True)
    thread.start()
    return thread
