"""Editions in the database (migration 0012): rows record their edition, search finds
Arabic and Spanish words however they are written (diacritics, tatweel, letter
variants, accents) in each article's language, filters by edition and language, and
sibling evidence ties the same story across editions. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from crawler.db.models import Article, BreakingNews, CrawlRun, Placement
from crawler.db.search import count_matches, search
from crawler.db.siblings import lead_image_file, siblings_of
from crawler.db.store import Store
from crawler.items import ArticleItem, ListingItem

NOW = datetime.now(UTC).replace(microsecond=0)
IMAGE = "https://media.almayadeen.net/media/image/2025/9/15/0f1e2d3c-aaaa-bbbb.jpg"
EN_URL = "https://english.almayadeen.net/news/politics/school-reopens-in-gaza"
AR_URL = "https://www.almayadeen.net/news/politics/المدرسة-تفتح-أبوابها"
ES_URL = "https://espanol.almayadeen.net/noticias/2046797/la-escuela-reabre"
OTHER_AR = "https://www.almayadeen.net/news/politics/خبر-آخر"

# The Arabic body carries full tashkeel, a tatweel, alef with hamza and ta marbuta.
AR_BODY = "أعلنت وزارةُ التربيةِ أنّ المَدْرَسَةَ الكبيـــرة سَتُفْتَحُ غدًا في غزّة."
ES_BODY = "La política educativa: la escuela reabrirá mañana en Gaza, según el ministerio."


def _article(url: str, edition: str | None, language: str | None, title: str, body: str,
             alternates: list[str] = (), image: str | None = None) -> ArticleItem:
    return ArticleItem(url=url, title=title, body=body, language=language,
                       edition=edition, alternate_urls=list(alternates), image_url=image,
                       published_at=NOW - timedelta(hours=1))


@pytest.fixture
def three(store: Store) -> Store:
    db_engine = store.engine
    english = Store(db_engine)  # an English crawl's store (the default edition)
    arabic = Store(db_engine, edition="ar")
    spanish = Store(db_engine, edition="es")
    run = arabic.start_run("http://127.0.0.1:8001")
    english.save_article(_article(EN_URL, None, "en", "School reopens in Gaza",
                                  "The ministry said the big school opens tomorrow.",
                                  image=IMAGE + "?width=1000"), run, NOW)
    arabic.save_article(_article(AR_URL, None, None, "المدرسة تفتح أبوابها", AR_BODY,
                                 alternates=[EN_URL]), run, NOW,
                        listings=[ListingItem(AR_URL, "https://www.almayadeen.net/", "home",
                                              "Home", 1, 1, NOW)])
    arabic.save_article(_article(OTHER_AR, "ar", "ar", "خبر آخر", "نص لا علاقة له"), run, NOW)
    spanish.save_article(_article(ES_URL, "es", "es", "La escuela reabre", ES_BODY,
                                  image=IMAGE), run, NOW)
    arabic.record_breaking(["عاجل: المدرسة تفتح"], NOW)
    return english


def test_rows_record_their_edition(three: Store):
    db_engine = three.engine
    with db_engine.connect() as conn:
        editions = dict(conn.execute(select(Article.url, Article.edition)).all())
        placement = conn.execute(select(Placement.edition)).scalar_one()
        breaking = conn.execute(select(BreakingNews.edition)).scalar_one()
        run = conn.execute(select(CrawlRun.edition)).scalar_one()
    # An item without an edition takes its store's (the crawl's); one with, its own.
    assert editions == {EN_URL: "en", AR_URL: "ar", OTHER_AR: "ar", ES_URL: "es"}
    assert (placement, breaking, run) == ("ar", "ar", "ar")


@pytest.mark.parametrize("query", [
    "المدرسة",            # without diacritics: the text has them
    "المَدْرَسَة",          # with other diacritics than the text's
    "الكبيرة",             # the text writes it with a tatweel (الكبيـــرة)
    "اعلنت",               # the text writes أعلنت (alef with hamza)
    "غزه",                 # the text writes غزّة (shadda, ta marbuta)
])
def test_arabic_matches_whatever_the_diacritics(three: Store, query: str):
    found = [r["url"] for r in search(three.engine, query)]
    assert found == [AR_URL], query


@pytest.mark.parametrize("query", ["politica", "POLÍTICA", "manana", "mañana"])
def test_spanish_matches_with_or_without_accents(three: Store, query: str):
    assert [r["url"] for r in search(three.engine, query)] == [ES_URL]


def test_filters_by_edition_and_language(three: Store):
    assert {r["url"] for r in search(three.engine, "gaza")} == {EN_URL, ES_URL}
    assert [r["url"] for r in search(three.engine, "gaza", edition="es")] == [ES_URL]
    assert [r["url"] for r in search(three.engine, "gaza", language="en")] == [EN_URL]
    assert count_matches(three.engine, "gaza", edition="ar") == 0
    assert count_matches(three.engine, "المدرسة", edition="ar") == 1
    assert count_matches(three.engine, "خبر", language="ar") == 1
    exported = list(three.iter_export_articles(edition="ar"))
    assert sorted(r["url"] for r in exported) == sorted([AR_URL, OTHER_AR])
    # The crawl's edition fills a missing language? No: the store keeps what it is given.
    assert all(r["edition"] == "ar" for r in exported)


def test_siblings_from_links_and_the_shared_image(three: Store):
    with three.engine.connect() as conn:
        ids = dict(conn.execute(select(Article.url, Article.id)).all())
        found = siblings_of(conn, list(ids.values()))
    by_url = {url: found.get(ids[url], []) for url in ids}
    # English: linked from the Arabic page, same image file as the Spanish one.
    assert [(s["url"], s["evidence"]) for s in by_url[EN_URL]] == [
        (AR_URL, ["alternate_url"]), (ES_URL, ["lead_image"])]
    assert [s["url"] for s in by_url[AR_URL]] == [EN_URL]
    assert [s["url"] for s in by_url[ES_URL]] == [EN_URL]
    assert by_url[OTHER_AR] == []  # nothing on its page ties it to anything
    record = three.get_article(EN_URL)
    assert record["siblings"] == [AR_URL, ES_URL] and record["edition"] == "en"


def test_lead_image_file_names_the_upload():
    assert lead_image_file(IMAGE + "?width=1000") == "0f1e2d3c-aaaa-bbbb.jpg"
    assert lead_image_file("https://example.net/") is None
    assert lead_image_file(None) is None


def test_postgresql_uses_each_articles_language(three: Store, db_url: str):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's text search configurations")
    with three.engine.connect() as conn:
        configs = dict(conn.execute(text(
            "SELECT url, newsmon_ts_config(language)::text FROM articles")).all())
    assert configs[AR_URL] == "english"  # stored without a language: English rules
    assert configs[OTHER_AR] == "arabic" and configs[ES_URL] == "spanish"


@pytest.mark.parametrize("query", ["المدرسة", "المَدْرَسَة", "الكبيرة", "غزه", "politica",
                                   "mañana", "escuela", "school", "gaza", "خبر"])
def test_watchlist_matcher_folds_as_the_search(three: Store, query: str):
    """An alert matches what `newsmon search` finds, Arabic and Spanish included: the
    matcher folds and stems each article as its database indexes it."""
    from crawler.db.matcher import Analyzer, compile_query, pg_config

    dialect = three.engine.dialect.name
    in_python = set()
    for record in three.iter_export_articles():
        analyzer = Analyzer(dialect, pg_config(record["language"]))
        doc = analyzer.document(record["title"], record["summary"], record["body"])
        if compile_query(query, analyzer).match(doc) is not None:
            in_python.add(record["url"])
    in_db = {r["url"] for r in search(three.engine, query, limit=100)}
    assert in_python == in_db and in_db, query


def test_watchlists_follow_an_edition_or_language_in_its_own_words(store: Store):
    """An Arabic watchlist written without diacritics alerts on the Arabic article that
    has them; an edition or language filter keeps the other editions' out."""
    from crawler.db.models import Alert
    from crawler.db.watchlists import WatchlistSpec, add_watchlist

    with store.engine.begin() as conn:
        add_watchlist(conn, WatchlistSpec("school-ar", "المدرسة", edition="ar"), NOW)
        add_watchlist(conn, WatchlistSpec("gaza-es", "gaza", language="es"), NOW)
        add_watchlist(conn, WatchlistSpec("gaza-any", "gaza"), NOW)
        add_watchlist(conn, WatchlistSpec("ticker-ar", "المدرسة", edition="ar",
                                          kinds=["breaking"]), NOW)
    arabic, spanish = Store(store.engine, edition="ar"), Store(store.engine, edition="es")
    run = store.start_run("http://127.0.0.1:1")
    store.save_article(_article(EN_URL, None, "en", "School reopens in Gaza", "Gaza."), run, NOW)
    arabic.save_article(_article(AR_URL, None, "ar", "المدرسة تفتح أبوابها", AR_BODY), run, NOW)
    spanish.save_article(_article(ES_URL, None, "es", "La escuela reabre", ES_BODY), run, NOW)
    store.record_breaking(["المدرسة في الأخبار الإنجليزية"], NOW)   # the English ticker
    arabic.record_breaking(["عاجل: المَدْرَسَة تفتح"], NOW)
    with store.engine.connect() as conn:
        from crawler.db.models import Watchlist
        rows = conn.execute(select(Watchlist.name, Alert.url, Alert.kind)
                            .join(Alert, Alert.watchlist_id == Watchlist.id)).all()
    got = sorted((name, url or kind) for name, url, kind in rows)
    # school-ar follows the ticker too (every kind), its edition's only.
    assert got == sorted([("school-ar", AR_URL), ("school-ar", "breaking"),
                          ("gaza-es", ES_URL), ("gaza-any", EN_URL),
                          ("gaza-any", ES_URL), ("ticker-ar", "breaking")])


def _db_arg(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_siblings_command_and_edition_filters_on_the_command_line(three: Store, capsys):
    import json

    from crawler import cli

    assert cli.main(["siblings", EN_URL, "--db", _db_arg(three), "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["edition"] == "en"
    assert [(s["edition"], s["url"], s["evidence"]) for s in answer["siblings"]] == [
        ("ar", AR_URL, ["alternate_url"]), ("es", ES_URL, ["lead_image"])]
    assert cli.main(["siblings", OTHER_AR, "--db", _db_arg(three)]) == 0
    captured = capsys.readouterr()
    assert "no sibling" in captured.err and "\u2068خبر آخر\u2069" in captured.out
    assert cli.main(["siblings", "https://nowhere.example/x", "--db", _db_arg(three)]) == 1
    assert cli.main(["search", "المدرسة", "--edition", "ar", "--db", _db_arg(three),
                     "--format", "json"]) == 0
    assert [r["url"] for r in json.loads(capsys.readouterr().out)["results"]] == [AR_URL]
    assert cli.main(["search", "gaza", "--language", "es", "--db", _db_arg(three),
                     "--format", "json"]) == 0
    assert [r["url"] for r in json.loads(capsys.readouterr().out)["results"]] == [ES_URL]
    assert cli.main(["export", "--format", "jsonl", "--edition", "es",
                     "--db", _db_arg(three)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["siblings"] == [EN_URL] and json.loads(line)["edition"] == "es"
    assert cli.main(["search", "x", "--edition", "fr", "--db", _db_arg(three)]) == 2


def test_analyst_commands_take_an_edition(three: Store, capsys, tmp_path):
    import json

    from crawler import cli

    db = _db_arg(three)
    assert cli.main(["stats", "--since", "2d", "--edition", "ar", "--format", "json",
                     "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 2
    assert cli.main(["stats", "--since", "2d", "--language", "es", "--format", "json",
                     "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert cli.main(["frontpage", "--edition", "ar", "--format", "json", "--db", db]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [i["url"] for i in listing["items"]] == [AR_URL]
    assert cli.main(["frontpage", "--format", "json", "--db", db]) == 1  # no English home
    capsys.readouterr()
    out = tmp_path / "ar.html"
    assert cli.main(["report", "--since", "2d", "--edition", "ar", "--out", str(out),
                     "--db", db]) == 0
    html = out.read_text()
    assert "(edition ar)" in html and 'dir="auto">المدرسة تفتح أبوابها<' in html
    assert "School reopens" not in html


def test_status_names_each_editions_latest_run():
    from crawler.cli.unattended import edition_lines

    started = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    rows = [{"id": 3, "edition": "ar", "status": "ok", "started_at": started,
             "base_url": "https://www.almayadeen.net"},
            {"id": 2, "edition": "en", "status": "failed", "started_at": started,
             "base_url": "https://english.almayadeen.net"},
            {"id": 1, "edition": "ar", "status": "failed", "started_at": started,
             "base_url": "https://www.almayadeen.net"}]
    assert edition_lines(rows) == [
        "edition ar: run 3 ok, started 2026-12-05 12:00:00Z (https://www.almayadeen.net)",
        "edition en: run 2 failed, started 2026-12-05 12:00:00Z "
        "(https://english.almayadeen.net)"]
    assert edition_lines(rows[1:2]) == []  # one edition: the summary says it all
