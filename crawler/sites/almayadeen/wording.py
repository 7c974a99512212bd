"""What differs between the editions' pages in words: how a byline, a source line, a
read time and a page title are written, and how a visible date is read.

One set of patterns covers the three editions (a Spanish "Por" cannot be mistaken
for English), so the readers of ``visible`` stay the same for all of them; only the
visible date needs to know the edition, because Spanish and Arabic dates are written
with their own month names and the Spanish ones carry no year
(``crawler.extract.localdates``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from crawler.extract.dates import is_date_text, parse_visible_date
from crawler.extract.localdates import parse_local_date, western_digits

# "By X" / "Por X" / "بقلم X" (and "Written by X")
BY_RE = re.compile(r"^(?:(?:written\s+)?by|por|escrito\s+por|بقلم|كتب(?:ت)?)\s*:?\s+(.+)$",
                   re.I)
# "Source: X" / "Fuente: X" / "المصدر: X"
SOURCE_RE = re.compile(r"^(?:source|fuente|المصدر)\s*:\s*(.+)$", re.I)
# "4 Min Read" / "4 min de lectura" / "4 دقائق قراءة" (digits as Western: see read_time)
READ_TIME_RE = re.compile(
    r"\b(\d{1,3})\s*(?:min(?:ute)?s?\.?)\s*(?:of\s+)?read\b"
    r"|\b(\d{1,3})\s*(?:min(?:utos?)?\.?)\s+de\s+lectura\b"
    r"|(?<!\d)(\d{1,3})\s*(?:دقائق|دقيقة|د)\s+(?:لل)?قراءة", re.I)
# "Last updated" / "Actualizado" / "آخر تحديث"
UPDATED_RE = re.compile(r"^(?:(?:last\s+)?(?:updated|modified|update)\b|actualizad[oa]\b"
                        r"|آخر\s+تحديث|تم\s+التحديث)", re.I)
# " | Al Mayadeen English", " | Al Mayadeen Español", " | الميادين" (and " - …"); not
# ": Al Mayadeen", which may be a headline's own attribution like ": WashPo".
TITLE_SUFFIX_RE = re.compile(
    r"(?:\s*\|\s*(?:Al\s+Mayadeen(?:\s+(?:English|Espa[ñn]ol))?|الميادين(?:\s+نت)?)"
    r"|\s+[-\u2013\u2014]\s+(?:Al\s+Mayadeen\s+(?:English|Espa[ñn]ol)|الميادين(?:\s+نت)?))\s*$",
    re.I)


def read_minutes(text: str | None) -> int | None:
    match = READ_TIME_RE.search(western_digits(text or ""))
    if not match:
        return None
    minutes = int(next(g for g in match.groups() if g))
    return minutes if minutes > 0 else None


def fetch_time(response) -> datetime:
    """When the page was served: its Date header (the server's clock, which a year-less
    date is relative to), else now."""
    headers = getattr(response, "headers", None)
    raw = headers.get("Date") if headers is not None else None
    if raw:
        try:
            value = parsedate_to_datetime(raw.decode("latin-1") if isinstance(raw, bytes)
                                          else str(raw))
            if value.tzinfo is not None:
                return value.astimezone(UTC)
        except (TypeError, ValueError, IndexError):
            pass
    return datetime.now(UTC)


def read_date(text: str | None, language: str | None,
              fetched_at: datetime | None) -> datetime | None:
    """A visible date as the edition writes it: Spanish or Arabic month names (a
    year-less one placed by the fetch time), else the English forms."""
    if language in ("es", "ar"):
        value = parse_local_date(text, language, fetched_at)
        if value is not None:
            return value
    return parse_visible_date(text)


def looks_like_date(text: str | None, language: str | None) -> bool:
    """A short header text that is essentially a date, in the edition's writing."""
    if is_date_text(text):
        return True
    if language not in ("es", "ar") or not text or len(text) > 60:
        return False
    return parse_local_date(text, language, datetime.now(UTC)) is not None
