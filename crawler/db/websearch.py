"""The query language of ``newsmon search`` (and watchlists): PostgreSQL's web-search
syntax, parsed as ``websearch_to_tsquery`` reads it, and its FTS5 form for SQLite.
Words are all required, ``"a phrase"`` matches the words in that order, ``or``
between two words or phrases accepts either, ``-word`` excludes. For FTS5 every word
and phrase is quoted (``fts5_query``): user text is never FTS5 syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.db.stopwords import ENGLISH_STOP_WORDS
from crawler.db.text import clean_text
from crawler.db.textfold import fold_arabic

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w")


@dataclass
class Conjunction:
    """Words and phrases (lists of words) that must all be present, and ones that
    must not."""
    required: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return [w for w in text.split() if _WORD.search(w)]


def parse_query(text: str) -> list[Conjunction]:
    """Web-search syntax as ``websearch_to_tsquery`` reads it: alternatives (split by
    ``or``; AND binds tighter: ``a b or c`` is ``(a and b) or c``), each a conjunction
    of words, ``"phrases"`` and ``-exclusions``. An ``or`` with nothing before it, or
    right after another ``or``, is a word; a ``-`` on its own excludes the next term.
    Alternatives without a required term are left out (FTS5 cannot express them)."""
    alternatives = [Conjunction()]
    negate = after_or = False
    text = clean_text(text) or ""  # NUL characters: never stored, never searchable
    tokens = [(m.group(1), m.group(2), m.group(3)) for m in _TOKEN.finditer(text)]
    for index, (minus, phrase, word) in enumerate(tokens):
        if phrase is None:
            if word == "-":
                negate = True
                continue
            if word.startswith("-"):
                minus, word = "-", word[1:]
        is_or = phrase is None and not minus and word.lower() == "or"
        current = alternatives[-1]
        if (is_or and not after_or and (current.required or current.excluded)
                and index + 1 < len(tokens)):
            alternatives.append(Conjunction())
            negate, after_or = False, True
            continue
        words = _words(phrase if phrase is not None else word)
        if words:
            (current.excluded if negate or minus else current.required).append(words)
        negate = after_or = False
    return [c for c in alternatives if c.required]


def _fts5_phrase(words: list[str]) -> str:
    # Inside double quotes FTS5 sees only text to tokenise ("" is a literal quote).
    # The index holds Arabic-folded text (migration 0012): fold the query alike (the
    # tokenizer folds case and Latin accents on both sides itself).
    return '"' + fold_arabic(" ".join(words)).replace('"', '""') + '"'


def _is_stop_word(words: list[str]) -> bool:
    """A single word PostgreSQL's ``english`` configuration ignores (a phrase counts)."""
    return len(words) == 1 and re.sub(r"\W+", "", words[0].lower()) in ENGLISH_STOP_WORDS


def without_stop_words(conjunctions: list[Conjunction]) -> list[Conjunction]:
    """The query as PostgreSQL reads it: stop words dropped (``the`` alone, a dangling
    ``or``), alternatives left with no required term dropped."""
    kept = []
    for conjunction in conjunctions:
        required = [w for w in conjunction.required if not _is_stop_word(w)]
        if required:
            kept.append(Conjunction(required, [w for w in conjunction.excluded
                                               if not _is_stop_word(w)]))
    return kept


def fts5_query(text: str) -> str | None:
    """The FTS5 MATCH expression for web-search ``text`` (None: nothing to find)."""
    parts = []
    for conjunction in without_stop_words(parse_query(text)):
        expression = " AND ".join(_fts5_phrase(words) for words in conjunction.required)
        for words in conjunction.excluded:
            expression = f"({expression}) NOT {_fts5_phrase(words)}"
        parts.append(f"({expression})")
    return " OR ".join(parts) or None
