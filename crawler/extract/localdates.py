"""Visible dates of the Arabic and Spanish editions, with or without a year.

Spanish pages show "23 Julio 19:20" (certain: no year); Arabic pages write month names
either the Levantine way (تموز, تشرين الأول) or the Egyptian way (يوليو, أكتوبر), and
digits either Western or Arabic-Indic (٢٣). All are read as Beirut local time (the
site's zone) and returned in UTC.

A date without a year is placed by the rule the page's own nature gives: a page is
published before it is fetched, so its year is the one that makes the date the latest
moment not after the fetch, allowing a few minutes of difference between the site's
clock and ours (``CLOCK_TOLERANCE``). Any full date the page's metadata carries wins
over this: callers try the metadata first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BEIRUT = ZoneInfo("Asia/Beirut")
CLOCK_TOLERANCE = timedelta(minutes=10)

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

SPANISH_MONTHS = {
    "enero": 1, "ene": 1, "febrero": 2, "feb": 2, "marzo": 3, "mar": 3, "abril": 4,
    "abr": 4, "mayo": 5, "may": 5, "junio": 6, "jun": 6, "julio": 7, "jul": 7,
    "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9,
    "octubre": 10, "oct": 10, "noviembre": 11, "nov": 11, "diciembre": 12, "dic": 12,
}
ARABIC_MONTHS = {
    # Levantine (Syriac) names, as Lebanese and Syrian outlets write them
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9,
    "تشرين الأول": 10, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "كانون الاول": 12,
    # Egyptian / Gulf (transliterated) names
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8,
    "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}
MONTHS = {"es": SPANISH_MONTHS, "ar": ARABIC_MONTHS}


def _month_pattern(names: dict[str, int]) -> str:
    # Longest first, so that "كانون الثاني" is not read as a shorter name.
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_TIME = r"(?:\s*(?:,|-|–|a las|الساعة)?\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?"
_PATTERNS = {
    language: re.compile(
        r"(?<!\d)(?P<day>\d{1,2})\s*(?:de\s+)?(?P<month>" + _month_pattern(names) + r")\.?(?![^\W\d_])"
        r"(?:\s*(?:de\s+|,\s*)?(?P<year>\d{4}))?" + _TIME, re.IGNORECASE)
    for language, names in MONTHS.items()
}


def western_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as 0-9."""
    return text.translate(_DIGITS)


def infer_year(month: int, day: int, hour: int, minute: int, fetched_at: datetime,
               tz: ZoneInfo = BEIRUT, tolerance: timedelta = CLOCK_TOLERANCE) -> datetime | None:
    """The latest moment with this month, day and time, in ``tz``, not after
    ``fetched_at`` (plus ``tolerance`` for clock differences), in UTC. None when no
    year of the last few has that day (29 February looks back up to eight years)."""
    limit = fetched_at.astimezone(UTC) + tolerance
    local_year = fetched_at.astimezone(tz).year
    for year in range(local_year + 1, local_year - 9, -1):
        try:
            moment = datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)
        except ValueError:  # 29 February of a common year, 31 April, ...
            continue
        if moment <= limit:
            return moment
    return None


def parse_local_date(text: str | None, language: str,
                     fetched_at: datetime | None = None) -> datetime | None:
    """The first date in ``text`` written the way the ``language`` edition writes it
    ("23 Julio 19:20", "23 de julio de 2025", "٢٣ تموز ٢٠٢٥"), Beirut time, in UTC.
    A date without a year needs ``fetched_at`` (see ``infer_year``); else None."""
    pattern = _PATTERNS.get(language)
    if not text or pattern is None:
        return None
    match = pattern.search(western_digits(" ".join(text.split())))
    if match is None:
        return None
    month = MONTHS[language].get(match.group("month").lower())
    if month is None:
        month = MONTHS[language].get(match.group("month"))
    if month is None:
        return None
    day = int(match.group("day"))
    hour = int(match.group("hour") or 0)
    minute = int(match.group("minute") or 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    if match.group("year"):
        try:
            local = datetime(int(match.group("year")), month, day, hour, minute, tzinfo=BEIRUT)
        except ValueError:
            return None
        return local.astimezone(UTC)
    if fetched_at is None:
        return None
    return infer_year(month, day, hour, minute, fetched_at)
