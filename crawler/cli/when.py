"""The one way the command line reads a moment: `--since`, `--until`, `--at`.

Accepted everywhere: `YYYY-MM-DD`, `YYYY-MM` (the first of the month), an ISO 8601
date-time (without an offset: UTC), and relative forms counted back from now: `30m`,
`24h`, `7d`, `2w`, `today`, `yesterday` (midnight UTC) and `now`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

FORMS = "YYYY-MM-DD, YYYY-MM, an ISO 8601 date-time, 7d, 24h, 30m, 2w, today, yesterday"
_RELATIVE = re.compile(r"(\d+)\s*(m|min|h|d|w)", re.IGNORECASE)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_when(value: str, now: datetime | None = None) -> datetime:
    """A moment in UTC (timezone-aware); ValueError naming the accepted forms."""
    text = value.strip()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    lowered = text.lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if lowered == "now":
        return now
    if lowered == "today":
        return midnight
    if lowered == "yesterday":
        return midnight - timedelta(days=1)
    if match := _RELATIVE.fullmatch(text):
        seconds = int(match.group(1)) * _UNITS[match.group(2).lower()]
        try:
            return now - timedelta(seconds=seconds)
        except OverflowError:
            raise ValueError(f"too far back: {value!r}") from None
    if match := _MONTH.fullmatch(text):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return datetime(year, month, 1, tzinfo=UTC)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z")
                                      else text)
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use {FORMS})") from None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
