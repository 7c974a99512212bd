"""parse_index / parse_menu / parse_breaking on the reference pages and on variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


# -- saved variant pages (tests/fixtures/indexes/<name>.html, expectations in <name>.json) --

INDEXES = Path(__file__).parent / "fixtures" / "indexes"


@pytest.mark.parametrize("name", sorted(p.stem for p in INDEXES.glob("*.html")))
def test_saved_index_variants(name: str) -> None:
    expected = json.loads((INDEXES / f"{name}.json").read_text())
    response = HtmlResponse(url=expected["url"], body=(INDEXES / f"{name}.html").read_bytes(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    page = parse_index(response)
    assert page.article_links == expected["article_links"]
    for url, title in expected["link_titles"].items():
        assert page.link_titles.get(url) == title
    assert page.next_page == expected["next_page"]
    assert page.menu.sections == [(c, n, BASE + p) for c, n, p in expected["sections"]]
    assert page.menu.regions == [(n, BASE + p) for n, p in expected["regions"]]
    assert not page.menu.from_fallback
    assert page.breaking == expected["breaking"]
    # a section the menu names is never listed as an article
    assert not set(page.article_links) & {u for _, _, u in page.menu.sections}


# -- pagination variants -------------------------------------------------------------------

POLITICS = BASE + "/news/politics"


@pytest.mark.parametrize("body, url, expected", [
    ('<link rel="next" href="/news/politics?page=2">', POLITICS, POLITICS + "?page=2"),
    ('<a rel="nofollow next" href="?page=3">3</a>', POLITICS + "?page=2", POLITICS + "?page=3"),
    ('<a href="/news/politics/page/2">Next ›</a>', POLITICS, POLITICS + "/page/2"),
    ('<a href="?page=3">Next »</a>', POLITICS + "?page=2", POLITICS + "?page=3"),
    ('<a href="?page=3">»</a>', POLITICS + "?page=2", POLITICS + "?page=3"),
    ('<a href="?page=3">Older stories »</a>', POLITICS + "?page=2", POLITICS + "?page=3"),
    ('<a aria-label="Next page" href="?page=2"><svg></svg></a>', POLITICS, POLITICS + "?page=2"),
    ('<a class="next page-numbers" href="/news/politics/page/2/">→</a>', POLITICS,
     POLITICS + "/page/2/"),
    # "Load more" / "More" controls: data-page follows the URL's form; href-less buttons
    ('<button class="btn" data-page="2">Load more</button>', POLITICS, POLITICS + "?page=2"),
    ('<button class="load-more" data-page="3">More</button>', POLITICS + "/page/2",
     POLITICS + "/page/3"),
    ('<div><button data-next-page="/news/politics?page=2">More news</button></div>', POLITICS,
     POLITICS + "?page=2"),
    ('<a class="loadmorebtn" href="#" data-page="2">Load More</a>', POLITICS + "?page=2",
     POLITICS + "?page=3"),                       # data-page naming the page shown
    ('<button class="show-more" data-url="/news/politics?page=2&amp;utm_source=x">Show more'
     '</button>', POLITICS, POLITICS + "?page=2"),
    # numbered pagination without a "next" control: current + 1
    ('<ul class="pagination"><li><a href="?page=1">1</a></li><li class="active"><span>2</span>'
     '</li><li><a href="?page=3">3</a></li></ul>', POLITICS + "?page=2", POLITICS + "?page=3"),
    ('<nav class="pages"><span>1</span><a href="/news/politics/page/2">2</a></nav>', POLITICS,
     POLITICS + "/page/2"),
    # no next page: wraps back to page 1, repeats this page, leads elsewhere, or nothing
    ('<a rel="next" href="/news/politics?page=1">Next</a>', POLITICS + "?page=5", None),
    ('<a rel="next" href="/news/politics">Next</a>', POLITICS + "?page=5", None),
    ('<a rel="next" href="/news/politics?page=1">Next</a>', POLITICS, None),
    ('<a rel="next" href="/news/politics/page/2">Next</a>', POLITICS + "/page/2/", None),
    ('<a href="?page=4">4</a><a href="?page=1">1</a>', POLITICS + "?page=2", None),
    ('<a class="more-link" href="/news/politics/a-story">Read more</a>', POLITICS, None),
    ('<a href="/news/politics/next-story">Next</a>', POLITICS, None),
    ('<a href="/articles/opinion">More</a>', POLITICS, None),
    ('<link rel="next" href="https://elsewhere.example/news/politics?page=2">', POLITICS, None),
])
def test_next_page_variants(body: str, url: str, expected: str | None) -> None:
    assert parse_index(html(body, url)).next_page == expected


# -- menus in redesigned markup ------------------------------------------------------------

REGION_ITEMS = ('<li><a href="/regions/africa">Africa</a></li><li><a href="/regions/mena">MENA'
                '</a></li><li><a href="/regions/palestine">Palestine</a></li>')
REGIONS_3 = [("Africa", BASE + "/regions/africa"), ("MENA", BASE + "/regions/mena"),
             ("Palestine", BASE + "/regions/palestine")]


def _sections(menu) -> list[tuple[str, str, str]]:
    return [(c, n, u.replace(BASE, "")) for c, n, u in menu.sections]


def test_menu_in_details_inside_list_items() -> None:
    menu = parse_menu(html(f"""<nav><ul class="menu">
      <li><details><summary>News</summary><ul><li><a href="/news/politics">Politics</a></li>
        <li><a href="/news/economy">Economy</a></li></ul></details></li>
      <li><details><summary>Articles</summary><ul><li><a href="/articles/opinion">Opinion</a>
        </li></ul></details></li>
      <li><a href="/infographs">Infographs</a></li></ul></nav>
      <nav aria-label="Regions"><ul>{REGION_ITEMS}</ul></nav>""", BASE + "/"))
    assert _sections(menu) == [("News", "Politics", "/news/politics"),
                               ("News", "Economy", "/news/economy"),
                               ("Articles", "Opinion", "/articles/opinion"),
                               ("Infographs", "Infographs", "/infographs")]
    assert menu.regions == REGIONS_3 and not menu.from_fallback


def test_menu_off_canvas_drawer_with_headed_lists() -> None:
    menu = parse_menu(html(f"""<header><button class="burger">☰</button></header>
      <aside class="offcanvas"><div><h4>News</h4><ul><li><a href="/news/politics">Politics</a>
        </li></ul></div><div><h4>Videos</h4><ul><li><a href="/videos/tv">TV</a></li></ul></div>
        <div><h4>Around the world</h4><ul>{REGION_ITEMS}</ul></div></aside>""", BASE + "/"))
    assert _sections(menu) == [("News", "Politics", "/news/politics"),
                               ("Videos", "TV", "/videos/tv")]
    assert menu.regions == REGIONS_3 and not menu.from_fallback


def test_regions_under_another_label_inside_the_main_menu() -> None:
    menu = parse_menu(html(f"""<nav><ul>
      <li><a href="/news">News</a><ul><li><a href="/news/politics">Politics</a></li></ul></li>
      <li><a href="/articles">Articles</a><ul><li><a href="/articles/blog">Blog</a></li></ul></li>
      <li><span>World</span><ul>{REGION_ITEMS}</ul></li></ul></nav>""", BASE + "/"))
    assert _sections(menu) == [("News", "Politics", "/news/politics"),
                               ("Articles", "Blog", "/articles/blog")]
    assert menu.regions == REGIONS_3


def test_menu_names_cleaned_and_spelled_as_known() -> None:
    menu = parse_menu(html("""<nav><ul>
      <li><a href="/news"> NEWS </a><ul><li><a href="/news/politics"><i class="icon"></i>
        Politics  </a></li><li><a href="/news/arts-culture">arts &amp; culture ›</a></li>
        <li><a href="/news/new-beat">New Beat</a></li></ul></li>
      <li><a href="/articles">Articles</a><ul><li><a href="/articles/opinion" title="Opinion">
        <svg></svg></a></li></ul></li></ul></nav>
      <ul class="regions"><li><a href="/regions/mena">Mena</a></li>
        <li><a href="/regions/us-canada">US and Canada</a></li></ul>""", BASE + "/"))
    assert _sections(menu) == [("News", "Politics", "/news/politics"),
                               ("News", "Arts&Culture", "/news/arts-culture"),
                               ("News", "New Beat", "/news/new-beat"),
                               ("Articles", "Opinion", "/articles/opinion")]
    assert [n for n, _ in menu.regions] == ["MENA", "US & Canada"]


def test_two_menus_merge_and_their_sections_are_not_articles() -> None:
    page = parse_index(html("""<header><nav><ul>
      <li><a href="/news">News</a><ul><li><a href="/news/politics">Politics</a></li></ul></li>
      <li><a href="/articles">Articles</a><ul><li><a href="/articles/blog">Blog</a></li></ul></li>
      </ul></nav></header>
      <div class="mobile-drawer"><ul><li><a href="/videos">Videos</a><ul>
        <li><a href="/videos/short-clips">Short clips</a></li></ul></li>
        <li><a href="/news">News</a><ul><li><a href="/news/politics">POLITICS</a></li></ul></li>
      </ul></div>
      <main><a href="/videos/short-clips">Short clips</a><a href="/videos/a-clip">A clip</a></main>""",
        BASE + "/"))
    assert _sections(page.menu) == [("News", "Politics", "/news/politics"),
                                    ("Articles", "Blog", "/articles/blog"),
                                    ("Videos", "Short clips", "/videos/short-clips")]
    assert page.article_links == [BASE + "/videos/a-clip"]


def test_a_wrapper_named_nav_around_the_content_is_not_a_menu() -> None:
    page = parse_index(html("""<div class="nav-wrapper"><nav><ul>
      <li><a href="/news">News</a><ul><li><a href="/news/politics">Politics</a></li></ul></li>
      <li><a href="/articles">Articles</a><ul><li><a href="/articles/blog">Blog</a></li></ul></li>
      </ul></nav><main><div class="card"><a href="/news/politics/z">Z</a></div>
      <ul class="most-read"><li><a href="/videos/clip-1">Clip</a></li></ul></main></div>""",
        BASE + "/"))
    assert page.article_links == [BASE + "/news/politics/z", BASE + "/videos/clip-1"]
    assert _sections(page.menu) == [("News", "Politics", "/news/politics"),
                                    ("Articles", "Blog", "/articles/blog")]


# -- breaking ticker variants --------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ('<div class="bar"><strong>BREAKING</strong><marquee><span>One item</span> • '
     '<span>Two item</span></marquee></div>', ["One item", "Two item"]),
    ("<marquee>Only one text</marquee>", ["Only one text"]),
    ("<div><b>Urgent:</b><marquee>First • <a href='/news/x'>Second</a> • Third</marquee></div>",
     ["First", "Second", "Third"]),
    ('<ul class="breaking"><li><time>16:50</time> First</li><li><span class="time">16:41</span>'
     '<a href="/news/politics/x">Second</a></li><li>12:05 Third</li></ul>',
     ["First", "Second", "Third"]),
    ('<div class="top"><span class="label">Breaking News:</span><div class="slides">'
     '<p>Slide one</p><p>Slide two</p></div></div>', ["Slide one", "Slide two"]),
    ('<div class="news-ticker"><ul><li>A</li><li>B</li></ul><ul aria-hidden="true"><li>A</li>'
     '<li>B</li></ul></div>', ["A", "B"]),
    ('<main><article class="card is-breaking"><h3>A card</h3><p>text</p></article></main>'
     '<div id="ticker"><p>Real one</p><p>Real two</p></div>', ["Real one", "Real two"]),
])
def test_breaking_ticker_variants(body: str, expected: list[str]) -> None:
    assert parse_breaking(html(body)) == expected


# -- article links: cards, URL forms, what is not an article ----------------------------------

def test_card_links_in_every_form() -> None:
    page = parse_index(html("""<main>
      <article><header><h3><a href="/news/politics/in-card-header">In a card's header</a></h3>
        </header></article>
      <article><a href="/news/politics/image-only"><img src="/i.jpg" alt="Alt text"></a>
        <h3>The card's heading</h3></article>
      <article><a href="/news/politics/alt-only"><img src="/i.jpg" alt="Only the alt"></a></article>
      <article><a href="/news/politics/twice/"><img src="/i.jpg" alt=""></a>
        <h3><a href="//english.almayadeen.net/news/politics/twice?utm_campaign=x#c">Twice</a></h3>
      </article>
      <article><a href="http://english.almayadeen.net/news/politics/plain-http">Plain http</a>
        <a href="https://www.english.almayadeen.net/news/politics/www-host">www host</a>
        <a href="HTTPS://ENGLISH.ALMAYADEEN.NET/news/politics/upper-host">Upper host</a></article>
      <article><a href="/news/politics/labelled"><span>Politics</span><h4>Only the heading</h4>
        <time>1 Oct 2025</time></a></article>
    </main>"""))
    expected = ["in-card-header", "image-only", "alt-only", "twice", "plain-http", "www-host",
                "upper-host", "labelled"]
    assert page.article_links == [POLITICS + "/" + slug for slug in expected]
    assert page.link_titles == {
        POLITICS + "/in-card-header": "In a card's header",
        POLITICS + "/image-only": "The card's heading", POLITICS + "/alt-only": "Only the alt",
        POLITICS + "/twice": "Twice", POLITICS + "/plain-http": "Plain http",
        POLITICS + "/www-host": "www host", POLITICS + "/upper-host": "Upper host",
        POLITICS + "/labelled": "Only the heading"}


def test_image_link_title_is_not_a_neighbouring_cards_heading() -> None:
    page = parse_index(html("""<main><section><h3>Opinion</h3>
      <div class="card"><a href="/articles/opinion/one"><img src="/1.jpg"></a></div>
      <div class="card"><h4><a href="/articles/opinion/two">Two</a></h4></div></section></main>"""))
    assert page.article_links == [BASE + "/articles/opinion/one", BASE + "/articles/opinion/two"]
    assert BASE + "/articles/opinion/one" not in page.link_titles


def test_links_that_are_not_articles() -> None:
    page = parse_index(html("""<main>
      <a href="/tags/gaza">t</a><a href="/authors/x">a</a><a href="/search?q=x">s</a>
      <a href="/search/gaza">s</a><a href="/live">l</a><a href="/programs/the-dossier">p</a>
      <a href="/videos/tv">tv</a><a href="/news/politics/x.pdf">pdf</a>
      <a href="/media/image/2025/9/15/x.jpg?width=1000">img</a><a href="mailto:a@b.c">m</a>
      <a href="tel:123">t</a><a href="javascript:void(0)">j</a><a href="whatsapp://send?t=x">w</a>
      <a href="https://twitter.com/intent/tweet?url=https://english.almayadeen.net/news/politics/x">tw</a>
      <a href="https://www.facebook.com/sharer/sharer.php?u=https://english.almayadeen.net/news/politics/x">fb</a>
      <a href="https://www.almayadeen.net/news/politics/x">ar</a><a href="https://almayadeen.net/news/politics/y">ar</a>
      <a href="/login">l</a><a href="/newsletter">n</a><a href="/news/politics/x/amp">amp</a>
      <a href="/news/politics/x?share=facebook">share</a><a href="/articles/page/2">p2</a>
      <a href="/news/page/3">p3</a></main>"""))
    assert page.article_links == []
