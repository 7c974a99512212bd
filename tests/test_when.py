"""The command line's one reader of moments (crawler/cli/when.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.cli.when import parse_when

NOW = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("2025-10-05", datetime(2025, 10, 5, tzinfo=UTC)),
    ("2025-10", datetime(2025, 10, 1, tzinfo=UTC)),
    ("2025-9", datetime(2025, 9, 1, tzinfo=UTC)),
    ("2025-10-05 14:00", datetime(2025, 10, 5, 14, 0, tzinfo=UTC)),
    ("2025-10-05T14:00:00+03:00", datetime(2025, 10, 5, 11, 0, tzinfo=UTC)),
    ("2025-10-05T14:00:00Z", datetime(2025, 10, 5, 14, 0, tzinfo=UTC)),
    ("7d", NOW - timedelta(days=7)),
    ("24h", NOW - timedelta(hours=24)),
    ("30m", NOW - timedelta(minutes=30)),
    ("2w", NOW - timedelta(days=14)),
    ("today", datetime(2026, 3, 1, tzinfo=UTC)),
    ("yesterday", datetime(2026, 2, 28, tzinfo=UTC)),   # across the end of February
    (" Today ", datetime(2026, 3, 1, tzinfo=UTC)),
    ("now", NOW),
])
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW) == expected


def test_result_is_always_aware_utc() -> None:
    when = parse_when("2025-10-05T14:00:00-05:00", now=NOW)
    assert when.utcoffset() == timedelta(0) and when.hour == 19
    assert parse_when("now", now=NOW.astimezone(timezone(timedelta(hours=3)))).tzinfo == UTC


@pytest.mark.parametrize("text", ["soon", "tomorrow", "2025-13", "2025-10-32", "7 days",
                                  "-7d", "", "99999999999999999999d"])
def test_refused_with_the_accepted_forms_named(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_when(text, now=NOW)
    assert "\n" not in str(caught.value)
