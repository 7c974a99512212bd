"""End to end on a redesigned site: the real `newsmon crawl` (a subprocess) against
``ReplicaServer(layout="redesign")`` (crawler/replica/redesign.py, redesign_article.py):
a <details> menu with the regions under "World", a role="marquee" ticker, <article>
cards, "/page/N" pagination, article pages without tawsiyat, with an @graph JSON-LD
(or OpenGraph only, or no metadata at all) and new class names everywhere.

One crawl (on SQLite: the backends are test_e2e_crawl's business) feeds every
assertion. Expected values come from the replica's truth (crawler/replica/content.py),
never from the parser. The checks of test_e2e_crawl that hold whatever the layout are
imported from it and run here against this module's ``crawled`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.replica import content
from crawler.replica.content import EDGE_CASES
from crawler.replica.model import MENU, REGIONS, STANDALONE
from crawler.replica.server import ReplicaServer
from tests import test_e2e_crawl
from tests.test_e2e_crawl import (  # noqa: F401  (test_*: collected and run here too)
    CrawledSite, crawl_once, field_mismatches, url_of,
    test_404_is_recorded_as_a_fetch_error,
    test_500_once_then_200_is_stored,
    test_articles_reachable_only_through_article_links,
    test_breaking_ticker_is_stored,
    test_crawl_exits_zero_and_prints_a_summary,
    test_latin1_page_text_is_decoded,
    test_multi_region_listing_gives_one_row_with_both_regions,
    test_no_image_no_source_gives_nulls,
    test_non_article_pages_are_not_stored,
    test_off_site_links_are_not_followed,
    test_old_url_redirect_is_stored_under_the_canonical_url,
    test_one_request_per_canonical_url,
    test_records_have_exactly_the_export_keys,
    test_robots_disallowed_article_is_never_fetched,
    test_search_finds_an_article_by_a_phrase_from_its_body,
    test_tracking_parameters_and_fragment_are_stripped,
    test_visible_dates_are_read_as_beirut_time,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

POLITICS = "/news/politics"       # three pages
ENDLESS = EDGE_CASES["endless_pagination"]["path"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Iterator[CrawledSite]:
    db = tmp_path_factory.mktemp("redesign") / "crawl.sqlite3"
    yield from crawl_once(f"sqlite:///{db}", layout="redesign")


def redesign_truth(origin: str) -> dict[str, dict]:
    """Every article a crawl of the redesigned site must store, with its field values.

    The truth, but for one thing no redesigned page says: the regions an article page
    used to name in its tawsiyat metadata ("country" classes). The redesign dropped
    that script and neither its JSON-LD, its OpenGraph tags nor its visible page name
    a region, so an article's regions are those of the region indexes listing it."""
    out = {}
    for a in content.ARTICLES:
        if a["stored"] and not a["sitemap_only"]:
            values = content.expected_fields({**a, "regions": []}, origin)
            out[values["url"]] = values
    assert out.keys() == content.expected_articles(origin).keys()
    return out


def get(server: ReplicaServer, path: str) -> tuple[int, str]:
    try:
        with urlopen(server.base_url + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except HTTPError as error:
        return error.code, ""


def query(db_url: str, sql: str, **params) -> list[dict]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(text(sql), params).mappings()]
    engine.dispose()
    return rows


# -- the replica really is redesigned (else the crawl below proves nothing) ---------------

def test_the_redesign_changes_every_template_and_the_default_layout_does_not(crawled):
    server = crawled.server
    article = content.BY_KEY["mali-junta"]
    _, home = get(server, "/")
    _, section = get(server, POLITICS)
    _, page2 = get(server, POLITICS + "/page/2")
    _, story = get(server, article["path"])
    assert '<summary class="navgroup__label">World</summary>' in home
    assert 'role="marquee"' in home and "<marquee" not in home
    assert '<article class="teaser' in section and "news-card" not in section
    assert f'rel="next" href="{POLITICS}/page/2"' in section and "?page=" not in section
    assert "Load More" not in section and "loadmorebtn" not in section
    assert f'rel="next" href="{POLITICS}/page/3"' in page2
    assert '"@graph"' in story and "tawsiyat" not in story and "p-content" not in story
    assert 'itemprop="articleBody"' in story and 'rel="tag"' in story
    assert '<aside class="story__aside" aria-label="Related News">' in story
    with ReplicaServer() as normal:     # the default layout is the reference's
        status, old_home = get(normal, "/")
        assert status == 200 and "news-card" in old_home and "navgroup" not in old_home
        assert get(normal, POLITICS + "/page/2")[0] == 404
        assert "tawsiyat-metadata" in get(normal, article["path"])[1]


# -- what the crawl stored -----------------------------------------------------------------

def test_every_reachable_article_is_stored_once_with_the_truth(crawled):
    """Every exported field (title, published_at, authors, section, category, regions,
    tags, body, related_urls, and summary, source, modified_at, image, caption, read
    time, language) equals the truth, regions as ``redesign_truth`` says."""
    expected = redesign_truth(crawled.server.base_url)
    assert sorted(crawled.records) == sorted(expected)
    rows = query(crawled.db_url, "SELECT url, count(*) AS n FROM articles GROUP BY url")
    assert len(rows) == len(expected) and all(r["n"] == 1 for r in rows)
    mismatches = field_mismatches(crawled.records, expected)
    assert not mismatches, "\n".join(mismatches[:20])


def test_menu_groups_and_world_regions_are_read(crawled):
    sections = {(r["category"], r["name"]) for r in query(
        crawled.db_url, "SELECT category, name FROM sections")}
    wanted = {(category, name) for category, _path, items in MENU for name, _p in items}
    wanted |= {(name, name) for name, _path in STANDALONE}
    assert sections == wanted
    regions = {r["name"] for r in query(crawled.db_url, "SELECT name FROM regions")}
    assert regions == set(REGIONS.values())
    listed = {REGIONS[slug] for a in content.ARTICLES if a["stored"]
              for slug in a["listed"]["regions"]}
    placed = {r["page_name"] for r in query(
        crawled.db_url, "SELECT DISTINCT page_name FROM placements WHERE page_kind = 'region'")}
    assert placed == listed


def test_pagination_is_followed_by_its_rel_next_links_and_stops(crawled):
    requested = crawled.paths_requested
    assert not any("?page=" in p for p in requested)
    chain = [p for p in requested if p.split("?")[0].startswith(POLITICS + "/page/")
             or p.split("?")[0] == POLITICS]
    assert chain == [POLITICS, POLITICS + "/page/2", POLITICS + "/page/3"], chain
    # The endless index: page 2 repeats page 1's cards, so the chain stops there.
    endless = [p for p in requested if p == ENDLESS or p.startswith(ENDLESS + "/page/")]
    assert endless == [ENDLESS, ENDLESS + "/page/2"], endless
    origin = crawled.server.base_url
    pages = {r["url"]: r for r in query(
        crawled.db_url, "SELECT url, page_number, next_page_url FROM index_pages")}
    assert pages[origin + POLITICS + "/page/2"]["page_number"] == 2
    assert pages[origin + POLITICS + "/page/2"]["next_page_url"] == \
        origin + POLITICS + "/page/3"
    assert pages[origin + POLITICS + "/page/3"]["next_page_url"] is None
    assert origin + ENDLESS + "/page/3" not in pages
    only_on_page_2 = url_of(crawled, content.BY_KEY["lebanese-army-exclusive"]["path"])
    placements = query(crawled.db_url,
                       "SELECT p.page_url, p.page_number, p.page_kind FROM placements p "
                       "JOIN articles a ON a.id = p.article_id WHERE a.url = :url",
                       url=only_on_page_2)
    assert {"page_url": origin + POLITICS + "/page/2", "page_number": 2,
            "page_kind": "section"} in placements


def test_no_index_or_other_page_is_stored_as_an_article(crawled):
    index_paths = set(content.SECTION_INDEXES) | set(content.REGION_INDEXES)
    for url in crawled.records:
        path = url[len(crawled.server.base_url):]
        assert "/page/" not in path and path not in index_paths and path != "/"
        assert path in content.BY_PATH, path


# Last (pytest runs a module's tests in the order their names were bound): a second
# crawl of the same redesigned site stores nothing twice and adds no row anywhere.
test_second_crawl_adds_no_row_and_changes_no_count = \
    test_e2e_crawl.test_second_crawl_adds_no_row_and_changes_no_count
