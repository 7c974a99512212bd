"""Full-text search over the title, summary and body of stored articles.

PostgreSQL matches ``articles.search_vector`` (a generated ``tsvector``, GIN-indexed,
built with each article's language: ``english``, ``arabic`` or ``spanish``, over text
folded by ``newsmon_fold``: migration 0012) against ``websearch_to_tsquery`` of the
folded query in the article's language (or ``language``'s) and ranks with ``ts_rank``: every
match on its small ``lead_vector`` (title and summary), then the best
``PG_RANK_CANDIDATES`` on the whole text. SQLite matches the FTS5 table
``articles_fts`` (its index holds the Arabic-folded text; the tokenizer folds case and
Latin accents) and ranks with ``bm25`` (see migrations 0003 and 0012).

Relevance is approximate for a query with many matches: with more than
``RANK_WINDOW`` matches (the filters aside), its ``RANK_WINDOW`` most recently stored
matches (the highest ids) come first, by rank, then the older ones, by rank. Ranking
costs for every match ranked (``bm25``; on PostgreSQL a heap row read each), and a word
in most of 300,000 articles took 100 to 200 ms to rank whole (docs/BENCHMARKS.md);
the window bounds that. A page inside the window ranks the window only; the order is
the same whatever the offset, so pages add up. SQLite finds the window's first id by
walking the FTS5 doclist backwards; PostgreSQL, whose GIN index cannot list matches
by id, by bitmap ANDs of the GIN look-up with ranges of the newest ids (the newest
``PG_WINDOW_SPAN``, then three times as many further back, ...).

The query language is the same on both (PostgreSQL's web-search syntax): words are
all required, ``"a phrase"`` matches the words in that order, ``or`` between two
words or phrases accepts either, ``-word`` excludes. User text is never SQL or FTS5
syntax: on PostgreSQL it is a bound parameter of ``websearch_to_tsquery``, and for
FTS5 every word and phrase is quoted (``fts5_query``). A query with nothing to look
for (no word, or only exclusions) finds nothing.

Results are dicts ``{url, title, published_at, category, section, rank, snippet}``,
best first (``sort="relevance"``), or by publication date (``"newest"``, ``"oldest"``;
undated articles last, ties by id), from ``offset`` on; ``count_matches`` counts
every match, and ``match_clause`` is the match as a WHERE clause (``export --query``). ``rank``: higher is better (``ts_rank``; minus ``bm25`` on SQLite; the
two scales differ). ``snippet``: a passage with the matching words between
``HIGHLIGHT`` markers (``**word**``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (ColumnElement, Connection, Engine, Float, Table, Text, case, column, func,
                        literal_column, select, table)
from sqlalchemy import text as text_sql
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY, TSVECTOR, ts_headline

from crawler.db import queries
from crawler.db.filters import ArticleFilter
from crawler.db.models import Article
from crawler.db.schema_extras import FTS_TABLE, LEAD_VECTOR_COLUMN, SEARCH_VECTOR_COLUMN
from crawler.db.text import clean_text
# The query language (re-exported: callers and tests import it from here).
from crawler.db.websearch import (Conjunction, fts5_query, parse_query,  # noqa: F401
                                  without_stop_words)

HIGHLIGHT = ("**", "**")
ELLIPSIS = "…"
SNIPPET_TOKENS = 24  # FTS5 snippet length; ts_headline: MinWords/MaxWords below
HEADLINE_OPTIONS = (f'StartSel="{HIGHLIGHT[0]}", StopSel="{HIGHLIGHT[1]}", MinWords=12, '
                    f'MaxWords=28, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "')
DEFAULT_LIMIT = 20
# PostgreSQL ranks this many matches on their whole text: the best by title and
# summary (``lead_vector``), then the most recent.
PG_RANK_CANDIDATES = 200
# A query matching more articles than this ranks only this many: the most recently
# stored matches (the highest ids), when a page of them passes the filters.
RANK_WINDOW = 2_000
# PostgreSQL looks for that many among the newest ids, this many first (see _window_start).
PG_WINDOW_SPAN = 8 * RANK_WINDOW

_articles: Table = Article.__table__  # type: ignore[assignment]


SORTS = ("relevance", "newest", "oldest")


def search(engine: Engine, query: str, since: datetime | None = None,
           until: datetime | None = None, section: str | None = None,
           region: str | None = None, tag: str | None = None,
           limit: int = DEFAULT_LIMIT, offset: int = 0,
           sort: str = "relevance", edition: str | None = None,
           language: str | None = None) -> list[dict[str, Any]]:
    """Articles matching ``query``, at most ``limit`` from ``offset`` on, in ``sort``
    order; the filters are those of ``newsmon export`` (``crawler.db.filters``)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if offset < 0:
        raise ValueError("offset must not be negative")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    which = ArticleFilter(since, until, section, region, tag, edition, language)
    query = clean_text(query) or ""
    if not without_stop_words(parse_query(query)):
        return []  # nothing but stop words: PostgreSQL finds nothing either
    dialect = _dialect(engine)
    with engine.connect() as conn:
        if dialect == "postgresql":
            # The planner prices a sequential scan of a common word below the GIN
            # index, not knowing that each row's vector must then be read (5x slower).
            conn.execute(text_sql("SET LOCAL enable_seqscan = off"))
        if sort != "relevance":
            results = _rows(conn, _by_date(dialect, query, which, limit, offset,
                                           newest=sort == "newest"))
        else:
            results = _ranked(conn, dialect, query, which, limit, offset)
    for result in results:  # one line: paragraphs and headline fragments joined
        result["snippet"] = " ".join((result["snippet"] or "").split()) or None
    return results


def _dialect(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("postgresql", "sqlite"):  # pragma: no cover - the two supported
        raise NotImplementedError(f"search is not implemented for {name}")
    return name


# PostgreSQL text search configuration of each language (migration 0012's
# newsmon_ts_config(language) picks the same for each article).
PG_CONFIGS = {"en": "english", "ar": "arabic", "es": "spanish"}


def _query_language(which: ArticleFilter) -> str | None:
    """The language a query is read in: ``--language``'s, else None (every article
    in any of the three languages)."""
    return which.language


def _config(name: str) -> Any:
    return literal_column(f"'{name}'::regconfig", REGCONFIG)


def _pg_queries(query: str, language: str | None) -> tuple[Any, Any, Any]:
    """(the tsquery that selects the matches, the tsquery of each article's language
    for ranking and highlighting, the configuration of each article) for web-search
    ``query``, folded as the stored text (``newsmon_fold``). With ``language`` the query
    is read in that language only. Without, a match
    is an article matching the query as read in any of the three languages (``english
    || arabic || spanish``): one GIN look-up, no row re-read. Matching each row in its
    own language only would re-read every match's whole ``search_vector`` (kilobytes,
    out of line): 5 to 10 times slower for a common word (docs/BENCHMARKS.md)."""
    folded = func.newsmon_fold(query, type_=Text)

    def tsquery(config: str) -> Any:
        return func.websearch_to_tsquery(_config(config), folded, type_=TSQUERY)

    if language:
        config = PG_CONFIGS.get(language.lower()[:2], "english")
        return tsquery(config), tsquery(config), _config(config)
    article_config = func.newsmon_ts_config(_articles.c.language, type_=REGCONFIG)
    every = tsquery("english").op("||")(tsquery("arabic")).op("||")(tsquery("spanish"))
    own = case((article_config == _config("arabic"), tsquery("arabic")),
               (article_config == _config("spanish"), tsquery("spanish")),
               else_=tsquery("english"))
    return every, own, article_config


def match_clause(dialect: str, query: str,
                 language: str | None = None) -> ColumnElement[bool]:
    """``articles`` rows matching web-search ``query`` (which must have a required
    term: see ``parse_query``), as a WHERE clause."""
    if dialect == "postgresql":
        vector = literal_column(f"{_articles.name}.{SEARCH_VECTOR_COLUMN}", TSVECTOR)
        every, _own, _config_of_row = _pg_queries(query, language)
        return vector.bool_op("@@")(every)
    fts = table(FTS_TABLE, column("rowid"))
    return _articles.c.id.in_(select(fts.c.rowid).where(
        literal_column(FTS_TABLE).match(fts5_query(query) or "")))


def count_matches(engine: Engine, query: str, since: datetime | None = None,
                  until: datetime | None = None, section: str | None = None,
                  region: str | None = None, tag: str | None = None,
                  edition: str | None = None, language: str | None = None) -> int:
    """How many articles match ``query`` and the filters (all of them, not a page)."""
    which = ArticleFilter(since, until, section, region, tag, edition, language)
    query = clean_text(query) or ""
    if not without_stop_words(parse_query(query)):
        return 0  # nothing but stop words: PostgreSQL finds nothing either
    dialect = _dialect(engine)
    clauses = which.clauses()
    if dialect == "sqlite" and not clauses:
        # Without a filter the FTS index alone answers: no article row is read.
        fts = table(FTS_TABLE, column("rowid"))
        stmt = (select(func.count()).select_from(fts)
                .where(literal_column(FTS_TABLE).match(fts5_query(query) or "")))
    else:
        stmt = (select(func.count()).select_from(_articles)
                .where(match_clause(dialect, query, _query_language(which)), *clauses))
    with engine.connect() as conn:
        if dialect == "postgresql":
            conn.execute(text_sql("SET LOCAL enable_seqscan = off"))  # as in search
        return int(conn.execute(stmt).scalar_one())


_COLUMNS = ("url", "title", "published_at", "category", "section")


def _by_date(dialect: str, query: str, which: ArticleFilter, limit: int, offset: int,
             newest: bool) -> Any:
    """A page of matches by publication date; rank and snippet for that page only."""
    published, article_id = _articles.c.published_at, _articles.c.id
    if newest:
        order = (published.desc().nulls_last(), article_id.desc())
    else:
        order = (published.asc().nulls_last(), article_id.asc())
    match = match_clause(dialect, query, _query_language(which))
    if dialect == "sqlite" and newest:
        # "+id": SQLite must not drive the query from the matches (a row lookup and a
        # sort for each of maybe 50,000): it walks ix_articles_published_at from the
        # newest and stops at the page's end, testing each id against the matches.
        fts = table(FTS_TABLE, column("rowid"))
        match = literal_column(f"+{_articles.name}.id").in_(
            select(fts.c.rowid).where(literal_column(FTS_TABLE).match(fts5_query(query) or "")))
    page = (select(article_id, published.label("published_at"))
            .where(match, *which.clauses())
            .order_by(*order).limit(limit).offset(offset)
            .subquery("page"))
    page_order = ((page.c.published_at.desc().nulls_last(), page.c.id.desc()) if newest
                  else (page.c.published_at.asc().nulls_last(), page.c.id.asc()))
    if dialect == "postgresql":
        _, tsquery, config = _pg_queries(query, _query_language(which))
        vector = literal_column(f"{_articles.name}.{SEARCH_VECTOR_COLUMN}", TSVECTOR)
        document = func.concat_ws("\n", _articles.c.title, _articles.c.summary,
                                  _articles.c.body)
        return (select(*(_articles.c[c] for c in _COLUMNS),
                       func.ts_rank(vector, tsquery, 1, type_=Float).label("rank"),
                       ts_headline(config, document, tsquery,
                                   HEADLINE_OPTIONS).label("snippet"))
                .join_from(page, _articles, _articles.c.id == page.c.id)
                .order_by(*page_order))
    # FTS5 gives bm25 and snippets only in a MATCH query: match again, on the page's rows.
    fts = table(FTS_TABLE, column("rowid"), column("rank", Float))
    snippet = func.snippet(literal_column(FTS_TABLE), -1, HIGHLIGHT[0], HIGHLIGHT[1],
                           ELLIPSIS, SNIPPET_TOKENS)
    return (select(*(_articles.c[c] for c in _COLUMNS), (-fts.c.rank).label("rank"),
                   snippet.label("snippet"))
            .select_from(page)
            .join(fts, fts.c.rowid == page.c.id)
            .join(_articles, _articles.c.id == page.c.id)
            .where(literal_column(FTS_TABLE).match(fts5_query(query) or ""))
            .order_by(*page_order))


def _postgresql(text: str, which: ArticleFilter, limit: int, offset: int = 0,
                window: tuple[str, int] | None = None) -> Any:
    every, tsquery, config = _pg_queries(text, _query_language(which))
    window_clause = [] if window is None else [_in_window(_articles.c.id, window)]
    vector = literal_column(f"{_articles.name}.{SEARCH_VECTOR_COLUMN}", TSVECTOR)
    lead = literal_column(f"{_articles.name}.{LEAD_VECTOR_COLUMN}", TSVECTOR)
    # ts_rank must read a match's whole vector (kilobytes, out of line): a common word
    # matches most articles. So rank every match on its small lead vector (title and
    # summary; then the most recent), and only the best of those on the whole text.
    lead_rank = func.ts_rank(lead, tsquery, 1, type_=Float)
    candidates = (select(_articles.c.id, _articles.c.published_at,
                         vector.label("vector"), tsquery.label("tsquery"))
                  .where(vector.bool_op("@@")(every), *window_clause, *which.clauses())
                  .order_by(lead_rank.desc(), _articles.c.published_at.desc().nulls_last(),
                            _articles.c.id)
                  .limit(max(PG_RANK_CANDIDATES, limit + offset)).subquery("candidates"))
    rank = func.ts_rank(candidates.c.vector, candidates.c.tsquery, 1,
                        type_=Float).label("rank")
    best = (select(candidates.c.id, rank)
            .order_by(rank.desc(), candidates.c.published_at.desc().nulls_last(),
                      candidates.c.id)
            .limit(limit).offset(offset).subquery("best"))
    document = func.concat_ws("\n", _articles.c.title, _articles.c.summary, _articles.c.body)
    snippet = ts_headline(config, document, tsquery, HEADLINE_OPTIONS)
    return (select(*(_articles.c[c] for c in _COLUMNS), best.c.rank,
                   snippet.label("snippet"))
            .join_from(best, _articles, _articles.c.id == best.c.id)
            .order_by(best.c.rank.desc(), _articles.c.published_at.desc().nulls_last(),
                      _articles.c.id))


def _rows(conn: Connection, stmt: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(stmt).mappings()]


def _ranked(conn: Connection, dialect: str, query: str, which: ArticleFilter, limit: int,
            offset: int) -> list[dict[str, Any]]:
    """A page by relevance. Ranking costs for every match (FTS5's ``bm25``: about a
    microsecond each; PostgreSQL: a heap row read each, 100 to 200 ms for a word in
    60,000 articles), so a query with more than ``RANK_WINDOW`` matches lists its
    ``RANK_WINDOW`` most recently stored matches (the highest ids) first, by rank, and
    only then the older ones, by rank: a page within the window ranks the window only.
    Pages stay consistent: the order is the same whatever the offset."""
    first_id = _window_start(conn, dialect, query, which)
    if first_id is None:
        return _rows(conn, _relevance(dialect, query, which, limit, offset))
    newest = _rows(conn, _relevance(dialect, query, which, limit, offset, (">=", first_id)))
    if len(newest) == limit:
        return newest
    # The window ran out (or the filters left few of it): the older matches follow.
    in_window = offset + len(newest) if newest else _count_window(conn, dialect, query,
                                                                  which, first_id)
    older = _relevance(dialect, query, which, limit - len(newest),
                       max(0, offset - in_window), ("<", first_id))
    return newest + _rows(conn, older)


def _in_window(ids: Any, window: tuple[str, int]) -> ColumnElement[bool]:
    side, first_id = window
    return ids >= first_id if side == ">=" else ids < first_id


def _count_window(conn: Connection, dialect: str, query: str, which: ArticleFilter,
                  first_id: int) -> int:
    """How many of the window's matches pass the filters."""
    stmt = (select(func.count()).select_from(_articles)
            .where(match_clause(dialect, query, _query_language(which)),
                   _articles.c.id >= first_id, *which.clauses()))
    return int(conn.execute(stmt).scalar_one())


def _relevance(dialect: str, query: str, which: ArticleFilter, limit: int, offset: int,
               window: tuple[str, int] | None = None) -> Any:
    if dialect == "postgresql":
        return _postgresql(query, which, limit, offset, window)
    return _sqlite(fts5_query(query) or "", which, limit, offset, window)


def _window_start(conn: Connection, dialect: str, query: str,
                  which: ArticleFilter) -> int | None:
    """The id of the ``RANK_WINDOW``-th most recently stored match (the filters aside),
    None when fewer match."""
    if dialect == "sqlite":
        # FTS5 walks the doclist backwards by rowid, ranking nothing: 0.2 ms for
        # 2,000 matches of a word in 90,000 articles.
        fts = table(FTS_TABLE, column("rowid"))
        stmt = (select(fts.c.rowid)
                .where(literal_column(FTS_TABLE).match(fts5_query(query) or ""))
                .order_by(fts.c.rowid.desc()).limit(1).offset(RANK_WINDOW - 1))
        return conn.execute(stmt).scalar()
    # PostgreSQL: the GIN index cannot give matches newest first. Take the matches
    # among the newest PG_WINDOW_SPAN ids, then among the next three times as many,
    # ...: each a bitmap AND of the GIN look-up and the primary key's range, which
    # reads only the matches in that range (a heap row each).
    article_id = _articles.c.id
    newest, oldest = conn.execute(select(func.max(article_id), func.min(article_id))).one()
    if newest is None:
        return None
    # With an id range the planner would walk the primary key and test each row,
    # reading its whole vector (70 ms for 16,000 ids); a bitmap AND of the two indexes
    # reads the matches only (18 ms). For the rest of this search (the ranking too).
    conn.execute(text_sql("SET LOCAL enable_indexscan = off"))
    match = match_clause("postgresql", query, _query_language(which))
    need, top, span = RANK_WINDOW, newest, PG_WINDOW_SPAN
    while top >= oldest:
        # Every match in the range, sorted here (ORDER BY id and LIMIT would invite a
        # walk of the primary key, enable_indexscan aside).
        ids = sorted(conn.execute(select(article_id).where(
            match, article_id <= top, article_id > top - span)).scalars(), reverse=True)
        if len(ids) >= need:
            return ids[need - 1]
        need, top, span = need - len(ids), top - span, span * 3
    return None


def _sqlite(match: str, which: ArticleFilter, limit: int, offset: int = 0,
            window: tuple[str, int] | None = None) -> Any:
    fts = table(FTS_TABLE, column("rowid"), column("rank", Float))
    # On the FTS5 table's rowid: FTS5 then reads only that part of the doclist.
    window_clause = [] if window is None else [_in_window(fts.c.rowid, window)]
    # "rank" is bm25 with the column weights set by the migration; lower is better.
    bm25 = fts.c.rank
    snippet = func.snippet(literal_column(FTS_TABLE), -1, HIGHLIGHT[0], HIGHLIGHT[1],
                           ELLIPSIS, SNIPPET_TOKENS)
    return (select(*(_articles.c[c] for c in _COLUMNS), (-bm25).label("rank"),
                   snippet.label("snippet"))
            .select_from(fts)
            .join(_articles, _articles.c.id == fts.c.rowid)
            .where(literal_column(FTS_TABLE).match(match), *window_clause, *which.clauses())
            # ORDER BY rank alone: FTS5 sorts inside the table and SQLite then computes
            # snippets for the rows returned only (a tie-breaker would sort outside,
            # with a snippet for every match).
            .order_by(bm25)
            .limit(limit).offset(offset))


def iter_export_matches(engine: Engine, query: str, since: datetime | None = None,
                        until: datetime | None = None, section: str | None = None,
                        region: str | None = None, tag: str | None = None,
                        batch_size: int = 500, edition: str | None = None,
                        language: str | None = None) -> Iterator[dict[str, Any]]:
    """Export records (every field) of the articles matching ``query`` and the
    filters, in export order (published_at, missing last, then url), streamed."""
    which = ArticleFilter(since, until, section, region, tag, edition, language)
    query = clean_text(query) or ""
    if not parse_query(query):
        return
    clause = match_clause(_dialect(engine), query, _query_language(which))
    with engine.connect() as conn:
        yield from queries.iter_export_articles(conn, which, batch_size, extra=[clause])
