"""Dates: ISO with offsets, naive and visible dates read as Beirut time, all to UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extract.dates import is_date_text, parse_date, parse_iso, parse_visible_date


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("2025-09-15T15:54:00+03:00", utc(2025, 9, 15, 12, 54)),
    ("2023-02-27T23:22:00+02:00", utc(2023, 2, 27, 21, 22)),
    ("2025-09-15T12:54:00Z", utc(2025, 9, 15, 12, 54)),
    ("2025-09-15T12:54:00.123+00:00", utc(2025, 9, 15, 12, 54, 0, 123000)),
    ("2025-09-15T15:54:00+0300", utc(2025, 9, 15, 12, 54)),
    ("2025-09-15 15:54:00+03:00", utc(2025, 9, 15, 12, 54)),
    # naive: Beirut local time, summer (+03:00) and winter (+02:00)
    ("2025-09-15T15:54:00", utc(2025, 9, 15, 12, 54)),
    ("2025-01-12T09:30:00", utc(2025, 1, 12, 7, 30)),
    ("2025-01-12", utc(2025, 1, 11, 22, 0)),
])
def test_parse_iso(text: str, expected: datetime) -> None:
    value = parse_iso(text)
    assert value == expected and value.tzinfo is UTC


@pytest.mark.parametrize("text, expected", [
    ("15 Sep 2025 15:54", utc(2025, 9, 15, 12, 54)),           # summer: +03:00
    ("15 September 2025 15:54", utc(2025, 9, 15, 12, 54)),
    ("12 Jan 2025 09:30", utc(2025, 1, 12, 7, 30)),             # winter: +02:00
    ("3 Feb 2025 09:05", utc(2025, 2, 3, 7, 5)),
    ("Sep 15, 2025", utc(2025, 9, 14, 21, 0)),                  # date only: Beirut midnight
    ("Sept. 15, 2025 3:54 PM", utc(2025, 9, 15, 12, 54)),
    ("30 Sep 2025", utc(2025, 9, 29, 21, 0)),
    ("Published: 20 Nov 2025 09:05", utc(2025, 11, 20, 7, 5)),
    ("Updated 3 February 2025 18:40", utc(2025, 2, 3, 16, 40)),
])
def test_parse_visible_date(text: str, expected: datetime) -> None:
    assert parse_visible_date(text) == expected


def test_dst_boundaries_in_beirut() -> None:
    # Lebanon switches on the last Sunday of March and of October at midnight.
    assert parse_visible_date("29 Mar 2025 12:00") == utc(2025, 3, 29, 10, 0)   # +02:00
    assert parse_visible_date("31 Mar 2025 12:00") == utc(2025, 3, 31, 9, 0)    # +03:00
    assert parse_visible_date("25 Oct 2025 12:00") == utc(2025, 10, 25, 9, 0)   # +03:00
    assert parse_visible_date("27 Oct 2025 12:00") == utc(2025, 10, 27, 10, 0)  # +02:00


@pytest.mark.parametrize("text", [
    None, "", "yesterday", "31 Feb 2025 10:00", "15 Foo 2025", "2025-13-45T00:00:00",
    "23 Julio 19:20", "not-a-date-2025",
])
def test_unparsable_gives_none(text) -> None:
    assert parse_date(text) is None


def test_parse_date_tries_iso_then_visible() -> None:
    assert parse_date("2025-09-15T15:54:00+03:00") == utc(2025, 9, 15, 12, 54)
    assert parse_date("15 Sep 2025 15:54") == utc(2025, 9, 15, 12, 54)
    assert parse_date(12345) is None


def test_is_date_text_accepts_short_date_lines_only() -> None:
    assert is_date_text("15 Sep 2025 15:54")
    assert is_date_text("Updated: 15 September 2025")
    assert not is_date_text("1 Shares")
    assert not is_date_text("In June 2024, the junta leader extended his rule by five years "
                            "on 15 June 2024 after a long review")
