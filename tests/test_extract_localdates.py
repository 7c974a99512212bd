"""Dates of the Arabic and Spanish editions (crawler/extract/localdates.py), the
year-less ones placed by the fetch time: across New Year, 29 February, clock skew."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extract.localdates import (BEIRUT, infer_year, parse_local_date,
                                        western_digits)


def beirut(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIRUT)


@pytest.mark.parametrize("text, expected", [
    ("23 Julio 2025 19:20", beirut(2025, 7, 23, 19, 20)),
    ("23 de julio de 2025", beirut(2025, 7, 23)),
    ("Publicado: 5 Dic 2024 - 08:05", beirut(2024, 12, 5, 8, 5)),
    ("15 Enero 2025 10:00", beirut(2025, 1, 15, 10, 0)),   # winter: +02:00
])
def test_spanish_dates_with_a_year(text: str, expected: datetime) -> None:
    assert parse_local_date(text, "es") == expected.astimezone(UTC)


@pytest.mark.parametrize("text, expected", [
    ("٢٣ تموز ٢٠٢٥ ١٩:٢٠", beirut(2025, 7, 23, 19, 20)),
    ("الأربعاء 23 تموز 2025", beirut(2025, 7, 23)),
    ("3 تشرين الأول 2024 الساعة 08:15", beirut(2024, 10, 3, 8, 15)),
    ("3 تشرين الثاني 2024", beirut(2024, 11, 3)),   # not read as the shorter name
    ("12 كانون الثاني 2025", beirut(2025, 1, 12)),
    ("٥ يوليو ٢٠٢٥", beirut(2025, 7, 5)),
    ("1 آب 2025", beirut(2025, 8, 1)),
])
def test_arabic_dates_both_month_names_and_digits(text: str, expected: datetime) -> None:
    assert parse_local_date(text, "ar") == expected.astimezone(UTC)


def test_a_year_less_date_is_the_latest_moment_not_after_the_fetch() -> None:
    fetched = beirut(2025, 7, 24, 9, 0)
    assert parse_local_date("23 Julio 19:20", "es", fetched) == \
        beirut(2025, 7, 23, 19, 20).astimezone(UTC)
    # A later day of the year than the fetch is last year's.
    assert parse_local_date("25 Julio 19:20", "es", fetched) == \
        beirut(2024, 7, 25, 19, 20).astimezone(UTC)


def test_across_new_year() -> None:
    fetched = beirut(2026, 1, 1, 0, 5)
    assert parse_local_date("31 Diciembre 23:50", "es", fetched) == \
        beirut(2025, 12, 31, 23, 50).astimezone(UTC)
    assert parse_local_date("1 Enero 00:01", "es", fetched) == \
        beirut(2026, 1, 1, 0, 1).astimezone(UTC)


def test_29_february_looks_back_to_the_last_leap_year() -> None:
    assert parse_local_date("29 Febrero 10:00", "es", beirut(2025, 3, 1, 12, 0)) == \
        beirut(2024, 2, 29, 10, 0).astimezone(UTC)
    assert parse_local_date("29 Febrero 10:00", "es", beirut(2024, 3, 1, 12, 0)) == \
        beirut(2024, 2, 29, 10, 0).astimezone(UTC)
    assert parse_local_date("29 Febrero 10:00", "es", beirut(2024, 2, 29, 9, 0)) == \
        beirut(2020, 2, 29, 10, 0).astimezone(UTC)


def test_a_few_minutes_of_clock_difference_keep_this_year() -> None:
    fetched = beirut(2025, 7, 23, 19, 15)   # the site's clock is 5 minutes ahead
    assert parse_local_date("23 Julio 19:20", "es", fetched) == \
        beirut(2025, 7, 23, 19, 20).astimezone(UTC)
    assert parse_local_date("23 Julio 19:40", "es", fetched) == \
        beirut(2024, 7, 23, 19, 40).astimezone(UTC)   # beyond the tolerance: a year ago


def test_the_rule_works_in_beirut_time_not_utc() -> None:
    # 1 January 00:30 in Beirut is still 31 December in UTC.
    fetched = beirut(2026, 1, 1, 0, 45)
    assert infer_year(1, 1, 0, 30, fetched) == beirut(2026, 1, 1, 0, 30).astimezone(UTC)


@pytest.mark.parametrize("text, language", [
    ("23 Julio 19:20", "es"),          # no year and no fetch time: unknown
    ("31 Febrero 2025", "es"),         # no such day
    ("nothing here", "es"),
    ("23 July 2025", "es"),            # English month: not this edition's
    ("23 Julyo 19:20", "es"),          # a longer word is no month
    ("23 Julio 2025 25:10", "es"),     # no such hour
    ("", "ar"),
    ("23 Julio 2025", "fr"),
])
def test_what_is_not_a_date_is_none(text: str, language: str) -> None:
    assert parse_local_date(text, language) is None
    if text.startswith("23 July"):   # not even with a fetch time to place it
        assert parse_local_date(text, language, datetime(2025, 8, 1, tzinfo=UTC)) is None


def test_western_digits() -> None:
    assert western_digits("٢٠٢٥-٠٧-٢٣ ۱۹") == "2025-07-23 19"
