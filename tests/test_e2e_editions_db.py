"""End to end, the three editions in one database: the real `newsmon crawl --edition`
(subprocesses) against the English, Arabic and Spanish replicas on 127.0.0.1, linked
to each other as the real editions link theirs; then what the database holds: every
row's edition and language, search in each language (diacritics, accents), siblings
by the evidence the pages carry, and the crawl lock per edition. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.ops.crawl_lock import crawl_lock
from crawler.replica import content as english
from crawler.replica.editions import content
from crawler.replica.server import ReplicaServer
from crawler.sites.almayadeen.urls import canonicalize_url
from tests.conftest import _postgres_database
from tests.test_e2e_crawl import FAST, newsmon

pytestmark = pytest.mark.e2e
EXIT_LOCKED = 4


@dataclass
class ThreeEditions:
    db_url: str
    origins: dict[str, str]
    results: dict[str, subprocess.CompletedProcess]


def _argv(edition: str, origin: str, db_url: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--edition", edition,
            "--base-url", origin, "--db", db_url, *FAST, "--set", "NEWSMON_JAVASCRIPT=False"]


def _crawl_three(db_url: str) -> Iterator[ThreeEditions]:
    with ExitStack() as stack:
        servers = {e: stack.enter_context(ReplicaServer(edition=e)) for e in ("ar", "es")}
        origins = {e: s.base_url for e, s in servers.items()}
        servers["en"] = stack.enter_context(ReplicaServer(sibling_origins=dict(origins)))
        origins["en"] = servers["en"].base_url
        for edition in ("ar", "es"):  # the pages link the other replicas, not the real sites
            servers[edition].sibling_origins = {e: o for e, o in origins.items() if e != edition}
        assert newsmon("db", "upgrade", "--db", db_url).returncode == 0
        # Two editions at once: each has its own crawl lock, both run to the end.
        running = {e: subprocess.Popen(_argv(e, origins[e], db_url), text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for e in ("ar", "es")}
        results = {}
        for edition, proc in running.items():
            out, err = proc.communicate(timeout=300)
            results[edition] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        results["en"] = newsmon(*_argv("en", origins["en"], db_url)[3:], timeout=300)
        yield ThreeEditions(db_url, origins, results)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                                marks=pytest.mark.postgres)])
def three(request, tmp_path_factory) -> Iterator[ThreeEditions]:
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("three-editions")
        yield from _crawl_three(f"sqlite:///{folder}/three.sqlite3")
    else:
        for db_url in _postgres_database():
            yield from _crawl_three(db_url)


def _rows(db_url: str, sql: str, **params) -> list:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def _search(three: ThreeEditions, *args: str) -> list[dict]:
    result = newsmon("search", *args, "--db", three.db_url, "--format", "json", "--limit", "50")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["results"]


def test_two_editions_crawled_side_by_side_both_succeed(three):
    for edition, result in three.results.items():
        assert result.returncode == 0, f"{edition}: {result.stderr[-2000:]}"
    runs = _rows(three.db_url, "SELECT edition, status, base_url FROM crawl_runs")
    assert sorted((e, s) for e, s, _b in runs) == [("ar", "ok"), ("en", "ok"), ("es", "ok")]
    assert {e: b for e, _s, b in runs} == three.origins


def test_every_row_records_its_edition_and_language(three):
    hosts = {urlsplit(o).netloc: e for e, o in three.origins.items()}
    articles = _rows(three.db_url, "SELECT url, edition, language FROM articles")
    assert {e for _u, e, _l in articles} == {"en", "ar", "es"}
    for url, edition, language in articles:
        assert edition == hosts[urlsplit(url).netloc], url
        assert language == edition, url   # each edition's pages are in its language
    placements = _rows(three.db_url, "SELECT DISTINCT p.edition, a.edition FROM placements p "
                                     "JOIN articles a ON a.id = p.article_id")
    assert sorted(placements) == [("ar", "ar"), ("en", "en"), ("es", "es")]
    tickers = dict(_rows(three.db_url, "SELECT edition, count(*) FROM breaking_news "
                                       "GROUP BY edition"))
    assert set(tickers) == {"en", "ar", "es"}


def test_arabic_search_ignores_diacritics_and_letter_forms(three):
    plain = {r["url"] for r in _search(three, "غزة", "--edition", "ar")}
    assert len(plain) >= 2
    assert {r["url"] for r in _search(three, "غَزَّة", "--edition", "ar")} == plain
    assert {r["url"] for r in _search(three, "غزه", "--language", "ar")} == plain
    hosts = {urlsplit(u).netloc for u in plain}
    assert hosts == {urlsplit(three.origins["ar"]).netloc}


def test_spanish_search_ignores_accents(three):
    accented = {r["url"] for r in _search(three, "política", "--edition", "es")}
    assert accented
    assert {r["url"] for r in _search(three, "politica", "--language", "es")} == accented


def _image_file(article: dict) -> str | None:
    image = article.get("image")
    return urlsplit(image).path.rsplit("/", 1)[-1] if image else None


def _expected_siblings(a: dict, origins: dict[str, str]) -> dict[str, set[str]]:
    """URL -> evidence kinds of an Arabic replica article's siblings, from the replica's
    data: the stories its page links (hreflang), and the other editions' articles whose
    lead image is the same file."""
    want: dict[str, set[str]] = {}
    for edition, key in a["siblings"].items():
        path = (english.BY_KEY[key]["path"] if edition == "en"
                else content.BY_KEY[edition][key]["path"])
        want.setdefault(canonicalize_url(origins[edition] + path), set()).add("alternate_url")
    others = [("en", b) for b in english.ARTICLES] + [("es", b) for b in content.ARTICLES["es"]]
    for edition, b in others:
        if _image_file(a) and _image_file(b) == _image_file(a):
            want.setdefault(canonicalize_url(origins[edition] + b["path"]), set()).add(
                "lead_image")
    return want


def test_siblings_are_the_shared_stories_by_their_evidence(three):
    shared = 0
    hidden = {a["key"] for a in content.load_more_only("ar")}  # no browser in these crawls
    for a in (a for a in content.ARTICLES["ar"] if a["key"] not in hidden):
        url = content.expected_fields(a, three.origins["ar"])["url"]
        result = newsmon("siblings", url, "--db", three.db_url, "--format", "json")
        assert result.returncode == 0, result.stderr
        found = {s["url"]: set(s["evidence"]) for s in json.loads(result.stdout)["siblings"]}
        assert found == _expected_siblings(a, three.origins), a["key"]
        shared += any(kinds == {"alternate_url", "lead_image"} for kinds in found.values())
    assert shared >= 4  # the stories of three or two editions: linked and same image


def test_the_crawl_lock_is_per_edition(three):
    # The Arabic edition's lock held: its crawl is refused, the Spanish one runs.
    with crawl_lock(three.db_url, three.origins["ar"], edition="ar"):
        refused = newsmon(*_argv("ar", three.origins["ar"], three.db_url)[3:])
        beside = newsmon(*_argv("es", three.origins["es"], three.db_url)[3:], timeout=300)
    assert refused.returncode == EXIT_LOCKED, refused.stderr[-2000:]
    assert "another crawl" in refused.stderr
    assert beside.returncode == 0, beside.stderr[-2000:]


def test_reparse_reads_each_page_as_its_edition(three):
    """`newsmon reparse` reads a stored page as the edition it was crawled as (a
    replica's host does not say) and a year-less date against its fetch: nothing
    stored changes."""
    before = _rows(three.db_url, "SELECT url, edition, language, published_at, title "
                                 "FROM articles ORDER BY url")
    result = newsmon("reparse", "--db", three.db_url, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "failed 0" in result.stdout and "updated 0" in result.stdout, result.stdout
    after = _rows(three.db_url, "SELECT url, edition, language, published_at, title "
                                "FROM articles ORDER BY url")
    assert after == before
