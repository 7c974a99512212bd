"""The alerts outbox: reading due alerts, leasing them to a sender, recording each
delivery attempt and the outcome (``crawler.ops.alerts`` is the sender).

A sender leases alerts before sending (``claim``: an UPDATE that only takes alerts
whose lease is free, so two senders never send the same alert at once), records each
attempt per notifier (``record_attempt``: a notifier that took an alert is not sent
it again) and then marks it (``finish``). A sender that dies between sending and
marking leaves the alert leased; when the lease runs out another sender sends it
again: at most one duplicate, carrying the same ``key``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, insert, or_, select, update

from crawler.db.models import Alert, AlertAttempt, Watchlist

_alerts: Table = Alert.__table__  # type: ignore[assignment]
_attempts: Table = AlertAttempt.__table__  # type: ignore[assignment]
_watchlists: Table = Watchlist.__table__  # type: ignore[assignment]


def _lease_free(now: datetime) -> Any:
    return or_(_alerts.c.leased_until.is_(None), _alerts.c.leased_until <= now)


def due_alerts(engine: Engine, now: datetime, *, since: datetime | None = None,
               limit: int = 200) -> list[dict[str, Any]]:
    """Pending alerts whose next attempt is due and whose lease is free, oldest
    first, with their watchlist's ``name`` and ``notify`` URLs. ``since``: only
    alerts matched at or after it (a crawl delivers its own)."""
    query = (select(_alerts, _watchlists.c.name.label("watchlist"), _watchlists.c.notify)
             .join(_watchlists, _watchlists.c.id == _alerts.c.watchlist_id)
             .where(_alerts.c.status == "pending", _alerts.c.next_attempt_at <= now,
                    _lease_free(now))
             .order_by(_alerts.c.id).limit(limit))
    if since is not None:
        query = query.where(_alerts.c.matched_at >= since)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def pending_count(engine: Engine, *, since: datetime | None = None) -> int:
    query = select(func.count()).where(_alerts.c.status == "pending")
    if since is not None:
        query = query.where(_alerts.c.matched_at >= since)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def next_due(engine: Engine, *, since: datetime | None = None) -> datetime | None:
    """When the next pending alert can be tried (its backoff or lease ends)."""
    query = select(func.min(_alerts.c.next_attempt_at), func.min(_alerts.c.leased_until)
                   ).where(_alerts.c.status == "pending")
    if since is not None:
        query = query.where(_alerts.c.matched_at >= since)
    with engine.connect() as conn:
        attempt, lease = conn.execute(query).one()
    times = [t for t in (attempt, lease) if t is not None]
    return max(times) if times else None


def claim(engine: Engine, alert_ids: list[int], now: datetime, lease: float) -> set[int]:
    """Lease the alerts still pending and free to this sender until now + ``lease``
    seconds; returns the ids it got."""
    if not alert_ids:
        return set()
    statement = (update(_alerts)
                 .where(_alerts.c.id.in_(alert_ids), _alerts.c.status == "pending",
                        _lease_free(now))
                 .values(leased_until=now + timedelta(seconds=lease))
                 .returning(_alerts.c.id))
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        return set(conn.execute(statement).scalars())


def delivered_targets(engine: Engine, alert_ids: list[int]) -> dict[int, set[str]]:
    """The notifiers (target hashes) that already took each alert."""
    if not alert_ids:
        return {}
    query = select(_attempts.c.alert_id, _attempts.c.target).where(
        _attempts.c.alert_id.in_(alert_ids), _attempts.c.ok.is_(True))
    taken: dict[int, set[str]] = {i: set() for i in alert_ids}
    with engine.connect() as conn:
        for alert_id, target in conn.execute(query):
            taken[alert_id].add(target)
    return taken


def record_attempts(engine: Engine, alert_ids: list[int], target: str, ok: bool,
                    error: str | None, now: datetime) -> None:
    """One attempt of one notifier for each alert (a digest carries several)."""
    rows = [{"alert_id": i, "target": target, "attempted_at": now, "ok": ok,
             "error": error} for i in alert_ids]
    with engine.begin() as conn:
        conn.execute(insert(_attempts), rows)


def finish(engine: Engine, alert_id: int, *, delivered: bool, now: datetime,
           error: str | None = None, retry_at: datetime | None = None) -> None:
    """After a round of attempts: delivered, pending again (``retry_at``), or failed
    (neither: the sender gave up). The lease is released."""
    values: dict[str, Any] = {"attempts": _alerts.c.attempts + 1, "leased_until": None}
    if delivered:
        values.update(status="delivered", delivered_at=now, last_error=None)
    elif retry_at is not None:
        values.update(status="pending", next_attempt_at=retry_at, last_error=error)
    else:
        values.update(status="failed", last_error=error)
    with engine.begin() as conn:
        conn.execute(update(_alerts).where(_alerts.c.id == alert_id).values(values))


def sent_since(engine: Engine, watchlist_id: int, since: datetime) -> int:
    """How many alerts of a watchlist were delivered since ``since`` (the digest rate)."""
    query = select(func.count()).where(_alerts.c.watchlist_id == watchlist_id,
                                       _alerts.c.delivered_at >= since)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def list_alerts(engine: Engine, status: str | None = None, *, watchlist: str | None = None,
                limit: int | None = 50) -> list[dict[str, Any]]:
    """Alerts, newest first, with their watchlist's name (``status``: only those)."""
    query = (select(_alerts, _watchlists.c.name.label("watchlist"))
             .join(_watchlists, _watchlists.c.id == _alerts.c.watchlist_id)
             .order_by(_alerts.c.matched_at.desc(), _alerts.c.id.desc()))
    if status:
        query = query.where(_alerts.c.status == status)
    if watchlist:
        query = query.where(_watchlists.c.name == watchlist)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def attempts_of(engine: Engine, alert_id: int) -> list[dict[str, Any]]:
    query = select(_attempts).where(_attempts.c.alert_id == alert_id).order_by(_attempts.c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def retry_failed(engine: Engine, now: datetime) -> int:
    """Failed alerts become pending again, due now, their attempt count reset."""
    statement = (update(_alerts).where(_alerts.c.status == "failed")
                 .values(status="pending", next_attempt_at=now, attempts=0, leased_until=None))
    with engine.begin() as conn:
        return conn.execute(statement).rowcount


def counts_by_status(engine: Engine) -> dict[str, int]:
    query = select(_alerts.c.status, func.count()).group_by(_alerts.c.status)
    with engine.connect() as conn:
        return dict(conn.execute(query).all())



def newest_alert_id(engine: Engine) -> int | None:
    """The id of the newest alert (None: none), to tell whether feeds are current."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(_alerts.c.id))).scalar_one()
