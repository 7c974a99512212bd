"""The heartbeat of a long-running process (`newsmon schedule`): a row of `heartbeats`
renewed every `INTERVAL` seconds, marked stopped on a clean stop. `newsmon doctor`
reads it: a heartbeat older than `STALE_AFTER` means the process is gone (killed, the
machine down) or stuck."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from crawler.db.models import Heartbeat
from crawler.db.upsert import upsert

logger = logging.getLogger(__name__)

INTERVAL = 30.0
STALE_AFTER = 3 * INTERVAL + 30  # three beats missed, and some slack

_beats = Heartbeat.__table__


class HeartbeatWriter:
    """Beats for this process; failures (database away, schema older) are logged once
    and retried at the next beat: the scheduler keeps scheduling."""

    def __init__(self, engine: Engine, role: str = "scheduler"):
        self.engine = engine
        self.role = role
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.process = f"{role}@{self.host}:{self.pid}"
        self.started_at = datetime.now(UTC)
        self._failing = False

    def beat(self, stopped: bool = False) -> bool:
        now = datetime.now(UTC)
        row = {"process": self.process, "role": self.role, "host": self.host,
               "pid": self.pid, "started_at": self.started_at, "beat_at": now,
               "stopped_at": now if stopped else None}
        try:
            with self.engine.begin() as conn:
                upsert(conn, Heartbeat, row, ["process"], ["beat_at", "stopped_at"])
        except Exception as exc:  # noqa: BLE001 - never stop the scheduler for this
            if not self._failing:
                logger.warning("heartbeat not recorded (newsmon doctor will say the "
                               "scheduler is not alive): %s",
                               (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200])
            self._failing = True
            return False
        if self._failing:
            logger.info("heartbeat recorded again")
        self._failing = False
        return True


def latest_beat(engine: Engine, role: str = "scheduler") -> dict[str, Any] | None:
    """The most recent heartbeat of `role` (None: no such process ever beat)."""
    with engine.connect() as conn:
        row = conn.execute(select(_beats).where(_beats.c.role == role)
                           .order_by(_beats.c.beat_at.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def forget_old(engine: Engine, role: str = "scheduler", days: float = 7) -> None:
    """Drop the rows of processes stopped, or silent for `days` (one row per start
    would otherwise pile up)."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    with engine.begin() as conn:
        conn.execute(_beats.delete().where(
            _beats.c.role == role,
            or_(_beats.c.stopped_at.is_not(None), _beats.c.beat_at < cutoff)))


__all__ = ["HeartbeatWriter", "latest_beat", "forget_old", "INTERVAL", "STALE_AFTER"]
