"""Folding text for search in the three editions' languages: what readers treat as the
same letter becomes one letter, on the stored text and on the query alike.

Arabic: the diacritics (tashkeel: fatha, damma, kasra, tanween, shadda, sukun, the
superscript alef) and the tatweel are dropped; the alef forms (أ إ آ ٱ) become ا, alef
maqsura ى becomes ي, ta marbuta ة becomes ه, hamza on waw/ya (ؤ ئ) become و ي.
Latin scripts (Spanish): accents are dropped (á -> a, ñ -> n, ü -> u), as FTS5's
``remove_diacritics`` and PostgreSQL's ``unaccent`` do. Everything is lower-cased.
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
})


def fold(text: str) -> str:
    """``text`` folded for matching (see the module's docstring); length may change."""
    if not text:
        return ""
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    # Latin accents: decompose, drop the combining marks of Latin letters only (an
    # Arabic letter decomposes to itself plus marks we already removed).
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept).casefold()
