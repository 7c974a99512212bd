"""Date parsing: everything ends as an aware UTC datetime or None.

Metadata dates are ISO 8601, usually with an offset. Visible dates ("15 Sep 2025 15:54")
carry no zone; the site is in Beirut, so they (and naive ISO strings) are read as
Asia/Beirut local time, whose offset is +02:00 in winter and +03:00 in summer (a
reader of another site passes its own ``zone``: the generic profile reads UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from crawler.extract.text import normalize_space

BEIRUT = ZoneInfo("Asia/Beirut")

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:(?:\s*[,|\-\u2013@]\s*|\s+(?:at\s+)?)(?P<hour>\d{1,2}):(?P<minute>\d{2})" \
        r"(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
# "15 Sep 2025 15:54", "15 September 2025", "Sep 15, 2025 3:54 PM"
_DAY_FIRST_RE = re.compile(r"\b(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b" + _TIME,
                           re.I)
_MONTH_FIRST_RE = re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
                             r"(?P<year>\d{4})\b" + _TIME, re.I)
_ISO_LIKE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def to_utc(value: datetime, zone: tzinfo = BEIRUT) -> datetime:
    """Aware → UTC; naive → read as ``zone``'s local time (Beirut: the first site's),
    then UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def parse_iso(text: str | None, zone: tzinfo = BEIRUT) -> datetime | None:
    """ISO 8601 ("2025-09-15T15:54:00+03:00", "...Z", naive, date only) → UTC."""
    text = normalize_space(text) if isinstance(text, str) else ""
    if not _ISO_LIKE_RE.match(text):
        return None
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    # "+0300" (no colon) is common in feeds; fromisoformat in 3.11 accepts it.
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            value = datetime.combine(date.fromisoformat(candidate[:10]), time())
        except ValueError:
            return None
    return to_utc(value, zone)


def _from_match(match: re.Match, zone: tzinfo = BEIRUT) -> datetime | None:
    parts = match.groupdict()
    try:
        month = _MONTHS[parts["month"].lower().rstrip(".")]
        hour = int(parts["hour"]) if parts.get("hour") else 0
        minute = int(parts["minute"]) if parts.get("minute") else 0
        second = int(parts["second"]) if parts.get("second") else 0
        ampm = (parts.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        local = datetime(int(parts["year"]), month, int(parts["day"]), hour, minute, second)
    except (ValueError, KeyError, TypeError):
        return None
    return to_utc(local, zone)


def parse_visible_date(text: str | None, zone: tzinfo = BEIRUT) -> datetime | None:
    """The first visible date in a text ("15 Sep 2025 15:54", "Sep 15, 2025", ...),
    read as Beirut time → UTC. None when the text holds no (valid) date."""
    text = normalize_space(text)
    if not text:
        return None
    matches = [m for m in (_DAY_FIRST_RE.search(text), _MONTH_FIRST_RE.search(text)) if m]
    for match in sorted(matches, key=lambda m: m.start()):
        value = _from_match(match, zone)
        if value is not None:
            return value
    return None


def is_date_text(text: str | None) -> bool:
    """True when a short text is essentially a date (perhaps with a label such as
    "Published:"), as a page header shows it: used to find dates by their look."""
    text = normalize_space(text)
    if not text or len(text) > 60:
        return False
    for regex in (_DAY_FIRST_RE, _MONTH_FIRST_RE):
        match = regex.search(text)
        if match and len(text) - (match.end() - match.start()) <= 20:
            return True
    return False


# "Tue, 11 Mar 2025 09:00:00 GMT" / "11 Mar 2025 09:00:00 +0000" (HTTP, RSS, meta tags)
_RFC2822_RE = re.compile(r"^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}"
                         r"(?::\d{2})?\s+(?:[+-]\d{4}|gmt|utc|ut|z)$", re.I)


def parse_rfc2822(text: str | None) -> datetime | None:
    """An RFC 2822 date with its zone ("Tue, 11 Mar 2025 09:00:00 GMT") → UTC."""
    text = normalize_space(text)
    if not _RFC2822_RE.match(text):
        return None
    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(text: str | None, zone: tzinfo = BEIRUT) -> datetime | None:
    """ISO 8601 first, then RFC 2822, else a visible date; unparsable → None. A date
    without an offset is ``zone``'s local time."""
    if not isinstance(text, str):
        return None
    return parse_iso(text, zone) or parse_rfc2822(text) or parse_visible_date(text, zone)
