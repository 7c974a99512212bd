"""Matching ONE new document against many watchlist queries, in Python.

A watchlist's query is ``newsmon search``'s syntax (``crawler.db.websearch.parse_query``:
words, "phrases", ``or``, ``-word``). The database search matches a query against
the whole table; an alert needs the opposite, a new article against every query, so
the document is analysed once (``Analyzer.document``) and each compiled query
(``compile_query``) is a few set look-ups over its words: 1,000 queries cost well
under a millisecond (bench/alerts_bench.py).

The analysis copies the database's full-text search, so that a watchlist matches what
``newsmon search`` finds (tests/test_watch_matcher.py compares the two):
- SQLite (FTS5 ``porter unicode61 remove_diacritics 2`` over Arabic-folded text):
  words are runs of letters and digits, lower-cased, diacritics folded, stemmed by the
  original Porter stemmer;
- PostgreSQL (``to_tsvector(<the article's language>, newsmon_fold(...))``, migration
  0012): the same words, folded, stemmed by Snowball's stemmer of the article's
  language (english, arabic, spanish), PostgreSQL's English stop words left out of
  English (they still take a position, so a phrase "Bank of England" keeps its gap).
Both databases fold Arabic as ``crawler.db.textfold`` does (diacritics, tatweel,
letter variants) and Latin accents: so does the analysis, on the query and the text.
Title, summary and body are analysed separately: a phrase never spans two of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

import snowballstemmer

from crawler.db.websearch import parse_query
from crawler.db.text import clean_text
from crawler.db.textfold import fold_arabic

# PostgreSQL's tsearch_data/english.stop (the 'english' configuration's stop words).
PG_ENGLISH_STOP_WORDS = frozenset("""
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than
    too very s t can will just don should now
""".split())

# Letters and digits, with the Arabic marks inside a word (not word characters to
# ``re``: a word with tashkeel must stay one word, then be folded).
_TOKEN = re.compile(r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])+")
# Snowball stemmer of each PostgreSQL text search configuration (migration 0012).
PG_STEMMERS = {"english": "english", "arabic": "arabic", "spanish": "spanish"}
PG_LANGUAGE_CONFIGS = {"ar": "arabic", "es": "spanish"}
SNIPPET_WORDS = 12  # words either side of the first match in a snippet
HIGHLIGHT = ("**", "**")  # as crawler.db.search marks matches

Term = tuple[str | None, ...]  # a word or phrase: stems, None where a stop word stood


def pg_config(language: str | None) -> str:
    """The text search configuration PostgreSQL indexes an article of ``language``
    with (``newsmon_ts_config``)."""
    return PG_LANGUAGE_CONFIGS.get((language or "").lower()[:2], "english")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", fold_arabic(word))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Field:
    """One analysed field: its text and each word's stem (None: a stop word)."""
    text: str
    stems: list[str | None]

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """Where each word is in ``text`` (computed for snippets only, once)."""
        return [m.span() for m in _TOKEN.finditer(self.text)]


@dataclass
class Document:
    fields: list[Field]
    stems: set[str] = field(default_factory=set)
    _places: dict[str, list[tuple[int, int]]] | None = None

    @property
    def places(self) -> dict[str, list[tuple[int, int]]]:
        """stem -> (field index, position) of each occurrence (phrases and snippets
        only: a word is looked up in ``stems``)."""
        if self._places is None:
            self._places = {}
            for index, analysed in enumerate(self.fields):
                for position, stem in enumerate(analysed.stems):
                    if stem is not None:
                        self._places.setdefault(stem, []).append((index, position))
        return self._places

    def has(self, term: Term) -> bool:
        if len(term) == 1:
            return term[0] in self.stems
        return self.find(term) is not None

    def find(self, term: Term) -> tuple[int, int] | None:
        """(field, position) of the first occurrence of a word or phrase, or None."""
        first = term[0]
        if first is None or first not in self.stems:
            return None
        if len(term) == 1:
            return self.places[first][0]
        for index, position in self.places[first]:
            stems = self.fields[index].stems
            if all(want is None or (position + offset < len(stems)
                                    and stems[position + offset] == want)
                   for offset, want in enumerate(term)):
                return index, position
        return None


class Analyzer:
    """Words to stems as one database's full-text search does (see the module doc)."""

    def __init__(self, dialect: str, config: str = "english"):
        """``config``: on PostgreSQL, the text search configuration of the documents
        (``pg_config``); SQLite analyses every language alike."""
        self.dialect = dialect
        postgres = dialect == "postgresql"
        self.config = config if postgres else "porter"
        self._stemmer = snowballstemmer.stemmer(PG_STEMMERS[config] if postgres else "porter")
        self._stop = PG_ENGLISH_STOP_WORDS if postgres and config == "english" else frozenset()
        self._cache: dict[str, str | None] = {}

    def stem(self, word: str) -> str | None:
        stem = self._cache.get(word, "")
        if stem == "":  # not seen yet ("" is never a stem)
            lower = _fold(word.lower())
            stem = None if lower in self._stop else self._stemmer.stemWord(lower)
            if len(self._cache) < 200_000:
                self._cache[word] = stem
        return stem

    def field(self, text: str | None) -> Field:
        text = clean_text(text) or ""
        cache, stem = self._cache, self.stem
        return Field(text, [cache[w] if w in cache else stem(w) for w in _TOKEN.findall(text)])

    def document(self, *texts: str | None) -> Document:
        fields = [self.field(t) for t in texts]
        stems = {s for f in fields for s in f.stems}
        stems.discard(None)  # type: ignore[arg-type]
        return Document(fields, stems)  # type: ignore[arg-type]

    def term(self, words: list[str]) -> Term | None:
        """A query word or phrase as stems, stop words at its ends dropped (None: only
        stop words, which the database ignores too). On SQLite, whose index keeps stop
        words, a single stop word is dropped from the query as crawler.db.search drops
        it (``without_stop_words``), so that both databases answer alike."""
        if len(words) == 1 and re.sub(r"\W+", "", words[0].lower()) in PG_ENGLISH_STOP_WORDS:
            return None
        stems = self.field(" ".join(words)).stems
        while stems and stems[0] is None:
            stems.pop(0)
        while stems and stems[-1] is None:
            stems.pop()
        return tuple(stems) or None


@dataclass
class Alternative:
    required: list[Term]
    excluded: list[Term]


@dataclass
class CompiledQuery:
    """A query ready to match documents. everything: an empty query (a watchlist
    that follows only a section, region or tag) matches every document."""
    text: str
    alternatives: list[Alternative]
    everything: bool = False

    def match(self, doc: Document) -> list[Term] | None:
        """The required terms of the first alternative the document matches (an empty
        list for an empty query), or None."""
        if self.everything:
            return []
        for alternative in self.alternatives:
            if (all(doc.has(t) for t in alternative.required)
                    and not any(doc.has(t) for t in alternative.excluded)):
                return alternative.required
        return None


def has_terms(text: str) -> bool:
    """Whether a query has something to look for (else the search finds nothing)."""
    return bool(parse_query(text))


def compile_query(text: str, analyzer: Analyzer) -> CompiledQuery:
    text = clean_text(text) or ""
    if not text.strip():
        return CompiledQuery(text, [], everything=True)
    alternatives = []
    for conjunction in parse_query(text):
        required = [t for t in map(analyzer.term, conjunction.required) if t]
        excluded = [t for t in map(analyzer.term, conjunction.excluded) if t]
        if required:
            alternatives.append(Alternative(required, excluded))
    return CompiledQuery(text, alternatives)


def snippet(doc: Document, terms: list[Term], words: int = SNIPPET_WORDS) -> str | None:
    """A passage around the first occurrence of any of terms (or the start of the
    first non-empty field), the matching words between ``HIGHLIGHT`` markers."""
    found = [place for place in map(doc.find, terms) if place is not None]
    if found:
        index, position = min(found)
    else:
        index = next((i for i, f in enumerate(doc.fields) if f.stems), None)
        if index is None:
            return None
        position = 0
    analysed = doc.fields[index]
    spans = analysed.spans
    marked = {stem for term in terms for stem in term if stem is not None}
    first, last = max(0, position - words), min(len(spans), position + words + 1)
    parts, cursor = [], spans[first][0]
    for number in range(first, last):
        start, end = spans[number]
        parts.append(analysed.text[cursor:start])
        word = analysed.text[start:end]
        parts.append(f"{HIGHLIGHT[0]}{word}{HIGHLIGHT[1]}"
                     if analysed.stems[number] in marked else word)
        cursor = end
    text = " ".join("".join(parts).split())
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(spans) else ""
    return f"{prefix}{text}{suffix}"
