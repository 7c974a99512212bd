"""Error pages served with 200 ("soft 404"): recognised by their title or <h1>."""

from __future__ import annotations

import re

_ERROR_TITLE_RE = re.compile(
    r"^(?:(?:oops|sorry|error)\b[!.,:]*\s*)*(?:(?:error\s*)(?:404|410|500)\b"
    r"|(?:404|410|500)\s*(?:$|[-|:\u2013\u2014!.]|error|not\s+found|page)"
    r"|(?:the\s+|this\s+)?page\s+(?:was\s+|is\s+)?(?:not\s+found|unavailable|"
    r"(?:does\s*n[o']t|does not)\s+exist|cannot be found|could not be found)"
    r"|not\s+found$|page\s+(?:introuvable|no\s+encontrada)|الصفحة غير موجودة)", re.I)


def is_error_title(title: str | None) -> bool:
    """"Page not found", "404 - Not Found", "Oops! This page does not exist"…: not
    "500 killed in…" (a headline that starts with a number)."""
    return bool(title) and _ERROR_TITLE_RE.match(title) is not None
