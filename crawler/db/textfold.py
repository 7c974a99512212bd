"""Folding text for search in the three editions' languages: what readers treat as the
same letter becomes one letter, on the stored text and on the query alike.

Arabic: the diacritics (tashkeel: fatha, damma, kasra, tanween, shadda, sukun, the
superscript alef) and the tatweel are dropped; the alef forms (أ إ آ ٱ) become ا, alef
maqsura ى becomes ي, ta marbuta ة becomes ه, hamza on waw/ya (ؤ ئ) become و ي.
Latin scripts (Spanish): accents are dropped (á -> a, ñ -> n, ü -> u), as FTS5's
``remove_diacritics`` and PostgreSQL's ``unaccent`` do. Everything is lower-cased.

The databases fold the stored text in SQL built from the same tables, so that the
index and the query agree: ``sqlite_fold_sql`` (Arabic only: FTS5's ``unicode61
remove_diacritics 2`` tokenizer folds case and Latin accents itself) and
``pg_fold_sql`` (the body of the ``newsmon_fold`` function of migration 0012).
"""

from __future__ import annotations

import re
import unicodedata

# The Arabic marks dropped, as code point ranges (also the SQL folds' source).
ARABIC_MARK_RANGES = ((0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670),
                      (0x06D6, 0x06ED), (0x0640, 0x0640))
ARABIC_LETTER_MAP = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و",
                     "ئ": "ي"}

_ARABIC_MARKS = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a)
                                         for a, b in ARABIC_MARK_RANGES) + "]")
_ARABIC_LETTERS = str.maketrans(ARABIC_LETTER_MAP)


def fold_arabic(text: str) -> str:
    """The Arabic part of ``fold`` only (marks, tatweel, letter variants)."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS) if text else ""


def fold(text: str) -> str:
    """``text`` folded for matching (see the module's docstring); length may change."""
    if not text:
        return ""
    text = fold_arabic(text)
    # Latin accents: decompose, drop the combining marks of Latin letters only (an
    # Arabic letter decomposes to itself plus marks we already removed).
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept).casefold()


def _arabic_marks() -> list[str]:
    return [chr(c) for a, b in ARABIC_MARK_RANGES for c in range(a, b + 1)]


# The marks SQLite folds: SQLite's parser allows about 30 nested calls, so the index
# drops the tashkeel of ordinary text (fathatan .. sukun), the superscript alef and the
# tatweel, not the Quranic annotation signs (U+0610-061A, 0653-065F, 06D6-06ED) that
# news text does not carry.
SQLITE_MARKS = tuple(chr(c) for c in range(0x064B, 0x0653)) + ("\u0670", "\u0640")


def sqlite_fold_sql(expression: str) -> str:
    """SQLite SQL folding the Arabic of ``expression`` (nested ``replace`` calls: no
    function to register, so any SQLite client may write to ``articles``)."""
    for mark in SQLITE_MARKS:
        expression = f"replace({expression}, '{mark}', '')"
    for variant, letter in ARABIC_LETTER_MAP.items():
        expression = f"replace({expression}, '{variant}', '{letter}')"
    return expression


def _latin_accents() -> tuple[str, str]:
    """Accented Latin letters (Latin-1 Supplement and Extended-A) and their bases."""
    accented, bases = [], []
    for code in range(0x00C0, 0x0180):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            accented.append(char)
            bases.append(base)
    return "".join(accented), "".join(bases)


def pg_fold_sql(argument: str) -> str:
    """PostgreSQL SQL folding ``argument`` like ``fold`` (lower-casing is left to the
    text search parser): immutable, usable in a generated column."""
    marks = "".join(_arabic_marks())
    variants, letters = "".join(ARABIC_LETTER_MAP), "".join(ARABIC_LETTER_MAP.values())
    accented, bases = _latin_accents()
    return (f"translate(translate({argument}, '{marks}', ''), "
            f"'{variants}{accented}', '{letters}{bases}')")
