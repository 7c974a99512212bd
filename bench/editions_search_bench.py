"""Search latency with the three editions in one database, each searched in its language.

    .venv/bin/python -m bench.editions_search_bench                 # 100,000 per edition
    .venv/bin/python -m bench.editions_search_bench --per-edition 10000   # a quick look

Loads ``--per-edition`` synthetic articles of each edition (English: the generator of
``bench/search_bench.py``; Arabic and Spanish: the same Zipf scheme over the words of
the edition replicas, ``crawler.replica.editions``, with a long tail of names in each
script) through the real schema (migration 0012: PostgreSQL's per-language generated
``search_vector`` over ``newsmon_fold``; SQLite's FTS5 triggers folding Arabic), then
times ``crawler.db.search.search`` for a mix of queries per edition: words, pairs,
rare names, phrases, ``or``; Arabic ones also written with diacritics (tashkeel) or
other letter forms, Spanish ones without their accents; a third filtered by
``edition``, a third by ``language`` (which also picks the stemming), the rest across
editions. Prints p50/p95/p99/max overall and per edition, the machine and the load
average before and after (the machine is shared: record it with the figures in
docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.search_bench import (PG_ADMIN_URL, Generator, machine, percentile,
                                postgres_database)
from crawler.db.migrate import upgrade
from crawler.db.models import Article
from crawler.db.search import search
from crawler.db.session import make_engine, redact_url, sqlite_url
from crawler.replica.editions import content
from crawler.sites.editions import EDITIONS

INSERT_BATCH = 2000
# Function words left out of the query mix, as STOP in bench/search_bench.py.
FUNCTION_WORDS = set("""على إلى بعد بين أنها التي الذي هذه هذا منذ حيث عن في من مع كما
    لكن قبل خلال أكثر حتى عند أيضا وفق para como pero sobre entre desde este esta
    también según tras mientras contra donde cuando porque tiene hace están""".split())
TASHKEEL = ["\u064e", "\u064f", "\u0650", "\u0652", "\u0651"]  # fatha damma kasra sukun shadda
SYLLABLES = {"ar": ["با", "تي", "سو", "ما", "ري", "كا", "لو", "نا", "دي", "فا", "جو", "ها",
                    "زين", "مار", "طال", "بك", "سور", "دون", "قا", "عي"],
             "es": ["ca", "ra", "mi", "to", "le", "sa", "ba", "nu", "de", "fa", "jo", "ho",
                    "ve", "qui", "zán", "mar", "tal", "bel", "sór", "dún"]}


class EditionGenerator:
    """Synthetic news of the Arabic or Spanish edition: a Zipf vocabulary from the
    edition replica's text, then names in its script."""

    def __init__(self, edition: str, seed: int = 7, sentences: int = 30_000):
        self.edition = edition
        self.rng = random.Random(seed)
        corpus = " ".join(f"{a['title']} {a['summary'] or ''} {' '.join(content.paragraphs(a))}"
                          for a in content.ARTICLES[edition])
        counts = Counter(w.lower() for w in re.findall(r"[^\W\d_]{3,}", corpus))
        self.common = [w for w, _ in counts.most_common()]
        names: set[str] = set()
        while len(names) < 8000:
            names.add("".join(self.rng.choices(SYLLABLES[edition], k=self.rng.randint(2, 4))))
        self.names = sorted(names, key=lambda _: self.rng.random())
        vocabulary = self.common + self.names
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(vocabulary))]
        self.cum_weights = list(itertools.accumulate(weights))
        self.vocabulary = vocabulary
        self.sentences = [self._sentence() for _ in range(sentences)]

    def _sentence(self) -> str:
        words = self.rng.choices(self.vocabulary, cum_weights=self.cum_weights,
                                 k=self.rng.randint(8, 26))
        return " ".join(words) + "."

    def _text(self, sentences: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=sentences))

    def article(self, n: int, now: datetime) -> dict:
        rng = self.rng
        published = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        body = "\n\n".join(self._text(rng.randint(2, 4)) for _ in range(rng.randint(4, 10)))
        base = EDITIONS[self.edition].base_url
        return {"id": n, "url": f"{base}/news/story-{n}", "title": self._text(1)[:120],
                "summary": self._text(1), "body": body, "authors": [], "source": None,
                "published_at": published, "modified_at": published, "category": None,
                "section": None, "language": self.edition, "edition": self.edition,
                "read_time_minutes": max(1, len(body) // 1200),
                "content_hash": f"{n:064x}", "field_sources": {},
                "first_seen_at": published, "last_seen_at": published,
                "last_fetched_at": published}

    def _variant(self, word: str) -> str:
        """The word as a reader may type it: Arabic with diacritics, Spanish unaccented."""
        if self.edition == "ar":
            return "".join(ch + (self.rng.choice(TASHKEEL) if self.rng.random() < 0.5 else "")
                           for ch in word)
        import unicodedata
        return "".join(c for c in unicodedata.normalize("NFD", word)
                       if not unicodedata.combining(c))

    def queries(self, count: int, phrases: str = "named") -> list[dict]:
        """The mix of ``bench/search_bench.py``'s, in this edition's words: content
        words (longer than three letters, not function words), one query in ten a
        very common one (in a large share of the articles); names, pairs, phrases,
        ``or`` (phrases: three words around a name, as there); one in ten a word as a reader
        may type it (Arabic with diacritics,
        Spanish without its accents)."""
        rng = self.rng
        content = [w for w in self.common if len(w) > 3 and w not in FUNCTION_WORDS]
        broad, topical = content[10:100], content[100:] + self.names[:2000]
        rare = self.names[:6000]
        rare_set = set(self.names)
        named = [x for x in self.sentences if any(w in rare_set for w in x.split())]
        out = []
        for i in range(count):
            slot = i % 10
            if slot in (0, 5):
                kind, q = "word", rng.choice(topical)
            elif slot == 1:
                kind, q = "word, diacritics/accents", self._variant(rng.choice(topical))
            elif slot == 6:
                kind, q = "two words", f"{rng.choice(topical)} {rng.choice(rare)}"
            elif slot in (2, 7):
                kind, q = "name", rng.choice(rare)
            elif slot == 3 and phrases == "any":  # any three words of a sentence
                words = rng.choice(self.sentences).rstrip(".").split()
                start = rng.randint(0, max(0, len(words) - 3))
                kind, q = "phrase", '"' + " ".join(words[start:start + 3]) + '"'
            elif slot == 3:  # three words around a name, as bench/search_bench.py
                words = rng.choice(named).rstrip(".").split()
                at = next(j for j, w in enumerate(words) if w in rare_set)
                start = max(0, min(at - rng.randint(0, 2), len(words) - 3))
                kind, q = "phrase", '"' + " ".join(words[start:start + 3]) + '"'
            elif slot == 4:
                kind, q = "or", f"{rng.choice(rare)} or {rng.choice(rare)}"
            elif slot == 8:
                kind, q = "common word", rng.choice(broad)
            else:
                kind, q = "two words", " ".join(rng.sample(topical, 2))
            query = {"kind": kind, "query": q}
            if i % 3 == 1:
                query["edition"] = self.edition
            elif i % 3 == 2:
                query["language"] = self.edition
            out.append(query)
        return out


def english_queries(gen: Generator, count: int, now: datetime) -> list[dict]:
    out = []
    for i, query in enumerate(gen.queries(count, now)):
        query.pop("section", None)  # the bench stores no sections
        if i % 3 == 1:
            query["edition"] = "en"
        elif i % 3 == 2:
            query["language"] = "en"
        out.append(query)
    return out


def fill(url: str, generators: dict, per_edition: int, now: datetime) -> float:
    upgrade(url)
    engine = make_engine(url, statement_timeout_ms=0)
    started = time.perf_counter()
    n = 0
    for first in range(0, per_edition, INSERT_BATCH):
        rows = []
        for _ in range(first, min(first + INSERT_BATCH, per_edition)):
            for edition, gen in generators.items():
                n += 1
                if edition == "en":
                    row, _regions, _tags = gen.article(n, now)
                    rows.append({**row, "section": None, "category": None, "edition": "en"})
                else:
                    rows.append(gen.article(n, now))
        with engine.begin() as conn:
            conn.execute(insert(Article), rows)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE"))
        else:
            conn.execute(text("PRAGMA optimize"))
    engine.dispose()
    return time.perf_counter() - started


def measure(url: str, queries: dict[str, list[dict]], rounds: int) -> dict:
    engine = make_engine(url)
    hits: dict[str, list[int]] = {}
    for edition, mix in queries.items():  # warm-up
        for query in mix:
            args = {k: v for k, v in query.items() if k != "kind"}
            hits.setdefault(edition, []).append(len(search(engine, limit=20, **args)))
    timings: list[float] = []
    by_edition: dict[str, list[float]] = {}
    by_kind: dict[str, list[float]] = {}
    for _ in range(rounds):
        for edition, mix in queries.items():
            for query in mix:
                args = {k: v for k, v in query.items() if k != "kind"}
                started = time.perf_counter()
                search(engine, limit=20, **args)
                elapsed = (time.perf_counter() - started) * 1000
                timings.append(elapsed)
                by_edition.setdefault(edition, []).append(elapsed)
                by_kind.setdefault(f"{edition} {query['kind']}", []).append(elapsed)
    engine.dispose()

    def figures(values: list[float]) -> list[float]:
        return [round(percentile(values, 50), 1), round(percentile(values, 95), 1),
                round(percentile(values, 99), 1), round(max(values), 1)]

    return {"p50_p95_p99_max_ms": figures(timings), "queries": len(timings),
            "by_edition_p50_p95_p99_max_ms": {e: figures(v) for e, v in by_edition.items()},
            "zero_hit_share": {e: round(sum(1 for h in v if h == 0) / len(v), 2)
                               for e, v in hits.items()},
            "by_kind_p50_p95_ms": {k: figures(v)[:2] for k, v in sorted(by_kind.items())}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-edition", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=120, help="distinct per edition")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--phrases", choices=("named", "any"), default="named",
                        help="Arabic/Spanish phrases: around a name (as the English mix), "
                             "or any three words of a sentence (common words too)")
    parser.add_argument("--pg-url", default=os.environ.get("NEWSMON_TEST_PG_URL", PG_ADMIN_URL))
    args = parser.parse_args()
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    backends = args.backends.split(",")
    results = {"machine": machine(args.pg_url if "postgresql" in backends else None),
               "per_edition": args.per_edition, "runs": []}
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        for backend in backends:
            urls = ([sqlite_url(Path(tmp) / "editions.sqlite3")] if backend == "sqlite"
                    else postgres_database(args.pg_url, False))
            for url in urls:
                generators = {"en": Generator(), "ar": EditionGenerator("ar"),
                              "es": EditionGenerator("es")}
                queries = {"en": english_queries(generators["en"], args.queries, now),
                           "ar": generators["ar"].queries(args.queries, args.phrases),
                           "es": generators["es"].queries(args.queries, args.phrases)}
                print(f"[{backend}] inserting {args.per_edition:,} articles per edition "
                      f"into {redact_url(url)} ...", file=sys.stderr)
                load_before = os.getloadavg()
                load_s = fill(url, generators, args.per_edition, now)
                print(f"[{backend}] loaded in {load_s:.0f} s; searching ...", file=sys.stderr)
                before = os.getloadavg()
                result = {"backend": backend, "load_s": round(load_s),
                          "load_average_during_load": [round(x, 2) for x in load_before],
                          "search": measure(url, queries, args.rounds),
                          "load_average_before_search": [round(x, 2) for x in before],
                          "load_average_after_search": [round(x, 2)
                                                        for x in os.getloadavg()]}
                print(f"[{backend}] {json.dumps(result)}", file=sys.stderr)
                results["runs"].append(result)
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
