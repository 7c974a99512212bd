"""parse_index / parse_menu / parse_breaking on the reference pages and on variants."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.sites.almayadeen.index import (
    FALLBACK_MENU, IndexPage, parse_breaking, parse_index, parse_menu)

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
BASE = "https://english.almayadeen.net"
MALI = BASE + "/news/politics/washington-backs-mali-s-junta-to-fight-extremists:-washpo"
TRUMP_FT = BASE + "/news/politics/how-trump-cornered-netanyahu-into-gaza-ceasefire-plan:-ft"
SHUTDOWN = BASE + "/news/politics/us-shutdown-enters-5th-day-as-white-house-prepares-federal-la"
OPINION = BASE + "/articles/opinion/two-years-of-destruction:-gaza-endures-war,-famine,-and-displa"

SECTIONS = [
    ("News", "Politics", "/news/politics"), ("News", "Economy", "/news/economy"),
    ("News", "Sports", "/news/sports"), ("News", "Arts&Culture", "/news/arts-culture"),
    ("News", "Health", "/news/health"), ("News", "Miscellaneous", "/news/miscellaneous"),
    ("News", "Technology", "/news/technology"), ("News", "Environment", "/news/environment"),
    ("Articles", "Opinion", "/articles/opinion"), ("Articles", "Analysis", "/articles/analysis"),
    ("Articles", "Blog", "/articles/blog"), ("Articles", "Features", "/articles/features"),
    ("Videos", "NewsFeed", "/videos/newsfeed"),
    ("Videos", "Video Features", "/videos/video-features"),
    ("Videos", "Explainers", "/videos/explainers"), ("Videos", "TV", "/videos/tv"),
    ("Videos", "Digital Series", "/videos/digital-series"),
    ("Infographs", "Infographs", "/infographs"), ("In Pictures", "In Pictures", "/in-pictures"),
]
REGIONS = [("Africa", "/regions/africa"), ("Asia", "/regions/asia"),
           ("Asia-Pacific", "/regions/asia-pacific"), ("Europe", "/regions/europe"),
           ("Latin America", "/regions/latin-america"), ("MENA", "/regions/mena"),
           ("Palestine", "/regions/palestine"), ("US & Canada", "/regions/us-canada")]
BREAKING = [
    "AFP: France's new PM Sebastein Lecornu resigns just hours after unveiling cabinet.",
    "US President Donald Trump: Talks with Hamas have been very successful and are moving "
    "at a rapid pace",
    "Israeli media: Interceptor missiles fired in an attempt to shoot down the drone",
]


def fixture(name: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=(FIXTURES / f"{name}.html").read_bytes(),
                        headers={"Content-Type": "text/html; charset=utf-8"})


def html(body: str, url: str = BASE + "/news/politics") -> HtmlResponse:
    return HtmlResponse(url=url, body=f"<html><body>{body}</body></html>".encode(),
                        headers={"Content-Type": "text/html; charset=utf-8"})


def test_home() -> None:
    page = parse_index(fixture("ref-home", BASE + "/"))
    assert isinstance(page, IndexPage)
    assert page.article_links == [MALI, TRUMP_FT, OPINION]
    assert page.next_page is None
    assert page.breaking == BREAKING


def test_section_index() -> None:
    page = parse_index(fixture("ref-section-index", BASE + "/news/politics"))
    assert page.article_links == [MALI, TRUMP_FT, SHUTDOWN]
    assert page.next_page == BASE + "/news/politics?page=2"


def test_menu_sections_categories_and_regions() -> None:
    menu = parse_index(fixture("ref-home", BASE + "/")).menu
    assert menu.sections == [(c, n, BASE + p) for c, n, p in SECTIONS]
    assert menu.regions == [(n, BASE + p) for n, p in REGIONS]
    assert not menu.from_fallback
    assert "/videos/newsfeed" in menu.index_paths() and "/regions/mena" in menu.index_paths()
    assert menu.category_for_path("/videos/some-story") == "Videos"
    assert menu.section_for_path("/news/arts-culture/a-story") == "Arts&Culture"
    assert menu.section_named("Arts & Culture") == "Arts&Culture"


def test_article_page_lists_its_boxes_but_not_the_menu() -> None:
    page = parse_index(fixture("ref-article", MALI))
    assert MALI not in page.article_links                       # not itself
    assert page.article_links[:2] == [TRUMP_FT, SHUTDOWN]         # Related News first
    assert BASE + "/news/politics/dprk-s-kim-unveils-new-advanced-weapons-at-defiance-development" \
        == page.article_links[-1]                                 # Read Next last
    assert all("/regions/" not in u and "/tags/" not in u for u in page.article_links)


def test_parse_menu_and_breaking_on_any_page() -> None:
    response = fixture("ref-article", MALI)
    assert parse_menu(response).sections[0] == ("News", "Politics", BASE + "/news/politics")
    assert parse_breaking(response) == BREAKING


def test_menu_found_by_structure_in_a_redesign() -> None:
    page = parse_index(fixture("redesign", BASE + "/articles/analysis/x"))
    assert page.menu.sections[:5] == [
        ("News", "Politics", BASE + "/news/politics"), ("News", "Economy", BASE + "/news/economy"),
        ("News", "Sports", BASE + "/news/sports"),
        ("News", "Arts&Culture", BASE + "/news/arts-culture"),
        ("Articles", "Opinion", BASE + "/articles/opinion")]
    assert ("Infographs", "Infographs", BASE + "/infographs") in page.menu.sections
    assert not any("live" in url for _, _, url in page.menu.sections)   # LIVE skipped
    assert page.menu.regions == [("Africa", BASE + "/regions/africa"),
                                 ("MENA", BASE + "/regions/mena"),
                                 ("Palestine", BASE + "/regions/palestine")]
    assert page.breaking == ["Sanaa: Maritime operations continue until the siege on Gaza is lifted"]


def test_fallback_menu_when_the_page_has_none() -> None:
    menu = parse_menu(html("<p>no menu</p>", url="http://127.0.0.1:8000/"))
    assert menu.from_fallback
    assert menu.sections[0] == ("News", "Politics", "http://127.0.0.1:8000/news/politics")
    assert ("In Pictures", "In Pictures", "http://127.0.0.1:8000/in-pictures") in menu.sections
    assert menu.regions[-1] == ("US & Canada", "http://127.0.0.1:8000/regions/us-canada")
    assert FALLBACK_MENU.sections[3] == ("News", "Arts&Culture", "/news/arts-culture")
    assert len(FALLBACK_MENU.sections) == 19 and len(FALLBACK_MENU.regions) == 8


def test_menu_from_link_patterns_without_nested_lists() -> None:
    menu = parse_menu(html("""<nav><a href="/news">News</a> <a href="/news/politics">Politics</a>
        <a href="/news/economy">Economy</a> <a href="/articles">Articles</a>
        <a href="/articles/blog">Blog</a></nav>"""))
    assert menu.sections == [("News", "Politics", BASE + "/news/politics"),
                             ("News", "Economy", BASE + "/news/economy"),
                             ("Articles", "Blog", BASE + "/articles/blog")]


def test_regions_found_by_known_names() -> None:
    menu = parse_menu(html("""<div><ul><li><a href="/area/africa">Africa</a></li>
        <li><a href="/area/europe">Europe</a></li><li><a href="/area/mena">MENA</a></li></ul></div>"""))
    assert menu.regions == [("Africa", BASE + "/area/africa"), ("Europe", BASE + "/area/europe"),
                            ("MENA", BASE + "/area/mena")]


def test_breaking_after_a_label_without_class_names() -> None:
    response = html("<div><b>Breaking</b><ul><li> One&nbsp;item </li><li>Two</li><li>Two</li></ul></div>")
    assert parse_breaking(response) == ["One item", "Two"]
    assert parse_breaking(html("<p>nothing</p>")) == []


def test_links_deduplicated_canonical_same_origin_article_like() -> None:
    page = parse_index(html("""<header><a href="/news/politics/in-header">h</a></header>
      <main>
        <a href="/news/politics/a?utm_source=x#c">A</a>
        <a href="/news/politics/a">A again</a>
        <a href="https://www.almayadeen.net/news/politics/arabic">other host</a>
        <a href="http://english.almayadeen.net:8080/news/politics/port">other port</a>
        <a href="/news/politics">section</a> <a href="/tags/x">tag</a>
        <a href="/videos/newsfeed">index</a> <a href="/videos/a-clip">clip</a>
        <a href="/articles/old-form-slug">old</a>
      </main>
      <footer><a href="/news/politics/in-footer">f</a></footer>"""))
    assert page.article_links == [BASE + "/news/politics/a", BASE + "/videos/a-clip",
                                  BASE + "/articles/old-form-slug"]


def test_next_page_forms() -> None:
    url = BASE + "/news/politics"
    assert parse_index(html('<a rel="next" href="?page=2">2</a>', url)).next_page == url + "?page=2"
    assert parse_index(html('<button class="loadmorebtn" data-page="3">Load More</button>',
                            url + "?page=2")).next_page == url + "?page=3"
    assert parse_index(html('<a class="x" href="/news/politics?page=4">Next</a>', url)).next_page \
        == url + "?page=4"
    assert parse_index(html('<a class="loadmorebtn" href="/news/politics?page=2">More</a>',
                            url + "?page=2")).next_page is None           # the same page
    assert parse_index(html('<link rel="next" href="https://elsewhere.example/?page=2">',
                            url)).next_page is None
    assert parse_index(html("<p>no pagination</p>", url)).next_page is None


def test_parse_index_never_raises_on_junk() -> None:
    for body in (b"", b"\x00\xff" * 100, b"<html"):
        response = HtmlResponse(url=BASE + "/", body=body,
                                headers={"Content-Type": "text/html; charset=utf-8"})
        page = parse_index(response)
        assert page.article_links == [] and page.next_page is None
        assert page.menu.sections
