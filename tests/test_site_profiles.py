"""Site profiles chosen by host (crawler.sites.profiles), and on Al Mayadeen, pages kept
by what they are, not by their URL: a card's link the URL rules cannot place is
fetched and judged by its page (crawler.sites.almayadeen.index, the spider)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem, FetchErrorItem
from crawler.sites.almayadeen.index import parse_index
from crawler.sites.almayadeen.parser import read_page
from crawler.sites.profiles import SITE_HOSTS, ProfileChooser, profile_for
from crawler.sites.editions import EDITIONS
from crawler.spiders.almayadeen import AlmayadeenSpider

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
BASE = "http://127.0.0.1:8000/"

INDEX = """<!doctype html><html lang="en"><head><title>Politics</title></head><body>
<main><h1>Politics</h1>
<div class="card"><a href="/news/politics/a-placed-story"><h3>A placed story</h3></a></div>
<div class="card"><h3><a href="/coverage/a-story-in-a-new-format">A story in a new format</a></h3></div>
<div class="card"><a href="/dossiers/2026/another-new-format"><h2>Another one</h2></a></div>
<p>See also <a href="/coverage/plain-text-link">this page</a>.</p>
<div class="card"><h3><a href="/tags/gaza">Gaza</a></h3></div>
</main></body></html>"""

NEW_FORMAT_ARTICLE = """<!doctype html><html lang="en"><head><title>A story</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A story in a new
format", "datePublished": "2026-11-02T10:00:00+02:00"}</script></head><body><main>
<h1>A story in a new format</h1><div class="text"><p>The first paragraph of the story,
which is long enough to be a body of its own for the readers of the page.</p>
<p>The second paragraph, which says more.</p></div></main></body></html>"""

LISTING = """<!doctype html><html lang="en"><head><title>Coverage</title>
<meta property="og:type" content="website"></head><body><main><h1>Coverage</h1>
<ul><li><a href="/news/politics/x">X</a></li><li><a href="/news/politics/y">Y</a></li></ul>
</main></body></html>"""


def test_hosts_choose_the_profile():
    assert profile_for("https://english.almayadeen.net/news/politics/x").name == "almayadeen"
    assert profile_for("https://www.bbc.com/news/world-europe-50473792").name == "generic"
    assert profile_for("file:///tmp/page.html").name == "generic"
    assert set(SITE_HOSTS.values()) == {"almayadeen", "almayadeen-ar", "almayadeen-es"}
    # each edition's real host is read by its edition's profile
    for edition in EDITIONS.values():
        assert profile_for(edition.base_url + "/x").name == edition.profile
    assert profile_for("https://almayadeen.net/news/politics/x").name == "almayadeen-ar"
    chooser = ProfileChooser({"127.0.0.1": "almayadeen"})
    assert chooser.name_for("http://127.0.0.1:8000/news/politics/x") == "almayadeen"
    assert chooser.name_for("https://example.org/story") == "generic"
    with pytest.raises(ValueError):
        ProfileChooser({"example.org": "no-such-profile"})


def test_the_crawl_reads_its_base_url_with_its_editions_profile():
    assert AlmayadeenSpider(base_url="https://espanol.almayadeen.net/").edition == "es"
    assert AlmayadeenSpider(base_url="https://www.almayadeen.net").edition == "ar"
    replica = AlmayadeenSpider(base_url="http://127.0.0.1:8000/", edition="ar")
    assert replica.profiles.name_for("http://127.0.0.1:8000/news/x/y") == "almayadeen-ar"
    assert AlmayadeenSpider(base_url="http://127.0.0.1:8000/").edition == "en"
    with pytest.raises(ValueError):
        AlmayadeenSpider(base_url="http://127.0.0.1:8000/", edition="fr")


def test_the_crawl_reads_its_own_host_with_al_mayadeens_profile():
    spider = AlmayadeenSpider(base_url=BASE)
    assert spider.profiles.name_for(BASE + "news/politics/some-story") == "almayadeen"


def test_the_generic_profile_reads_a_page_of_any_host():
    spec = json.loads((ARTICLES / "jsonld-only.json").read_text(encoding="utf-8"))
    body = (ARTICLES / "jsonld-only.html").read_bytes()
    url = "https://news.example.org/2025/10/europe-energy-winter"
    reading = profile_for(url).read_page(HtmlResponse(url, body=body))
    assert reading.is_article and reading.item is not None
    assert reading.item.title == spec["expected"]["title"]
    assert reading.item.published_at.isoformat() == spec["expected"]["published_at"]


def test_an_article_at_an_url_the_rules_call_an_index_is_kept():
    # what the URL rules said about a page no longer decides: its own metadata does
    url = "https://english.almayadeen.net/news/politics"
    reading = read_page(HtmlResponse(url, body=NEW_FORMAT_ARTICLE.encode()))
    assert reading.is_article and reading.reason.startswith("JSON-LD")
    assert reading.item is not None and reading.item.title == "A story in a new format"


def test_the_page_wins_over_the_url_rules_both_ways():
    # an article's metadata at the home page's URL: kept
    reading = read_page(HtmlResponse("https://english.almayadeen.net/",
                                     body=NEW_FORMAT_ARTICLE.encode()))
    assert reading.is_article and reading.item is not None
    # a listing that says so, at an article-like URL: not kept
    reading = read_page(HtmlResponse("https://english.almayadeen.net/news/politics/a-story",
                                     body=LISTING.encode()))
    assert not reading.is_article and reading.reason == "og:type website"


def test_a_cards_unplaced_link_is_listed_apart():
    index = parse_index(HtmlResponse(BASE + "news/politics", body=INDEX.encode()))
    assert index.article_links == [BASE + "news/politics/a-placed-story"]
    assert index.unplaced_links == [BASE + "coverage/a-story-in-a-new-format",
                                    BASE + "dossiers/2026/another-new-format"]


def _spider():
    crawler = get_crawler(AlmayadeenSpider, {"NEWSMON_JAVASCRIPT": False,
                                             "NEWSMON_MAX_INDEX_PAGES": 5})
    return AlmayadeenSpider.from_crawler(crawler, base_url=BASE)


def test_the_spider_fetches_unplaced_links_and_the_page_decides():
    spider = _spider()
    response = HtmlResponse(BASE + "news/politics", body=INDEX.encode(),
                            request=scrapy.Request(BASE + "news/politics"))
    out = list(spider.parse_index_page(response, kind="section", name="Politics", page=1,
                                       chain=BASE + "news/politics"))
    requests = {r.url: r for r in out if isinstance(r, scrapy.Request)}
    unplaced = requests[BASE + "coverage/a-story-in-a-new-format"]
    assert unplaced.meta.get("newsmon_unplaced") is True
    assert BASE + "dossiers/2026/another-new-format" in requests
    assert BASE + "coverage/plain-text-link" not in requests
    assert BASE + "tags/gaza" not in requests

    article = HtmlResponse(unplaced.url, body=NEW_FORMAT_ARTICLE.encode(), request=unplaced)
    items = list(spider.parse_article_page(article))
    assert [type(i) for i in items if not isinstance(i, scrapy.Request)] == [ArticleItem]

    listing_request = requests[BASE + "dossiers/2026/another-new-format"]
    listing = HtmlResponse(listing_request.url, body=LISTING.encode(), request=listing_request)
    items = list(spider.parse_article_page(listing))
    assert not [i for i in items if isinstance(i, (ArticleItem, FetchErrorItem))]
    assert spider.crawler.stats.get_value("newsmon/unplaced_not_article") == 1


FULL_TEXT = [
    "The council approved the new budget on Monday after a debate that lasted most of "
    "the night, with eleven members voting in favour and four against the plan.",
    "The budget raises spending on schools and water networks, and cuts the funds of "
    "three agencies that the council says duplicate the work of the ministries.",
    "Opposition members said the plan relies on revenue that may never arrive, and "
    "asked for a review of the figures before the end of the fiscal year.",
    "The mayor said the review would be published in the spring, together with the "
    "first report on how the new school funds have been spent so far.",
]


def _teaser_page() -> bytes:
    teaser = FULL_TEXT[0][:90] + "\u2026"
    ld = {"@type": "NewsArticle", "headline": "Council approves the budget",
          "datePublished": "2025-10-06T09:00:00+03:00", "articleBody": teaser}
    paragraphs = "".join(f"<p>{p}</p>" for p in FULL_TEXT)
    return (f'<html lang="en"><head><script type="application/ld+json">{json.dumps(ld)}'
            f'</script></head><body><main><h1>Council approves the budget</h1>'
            f'<section class="story-v2">{paragraphs}</section></main></body></html>').encode()


def test_a_teaser_json_ld_body_gives_way_to_the_generic_reader():
    url = "https://english.almayadeen.net/news/politics/council-approves-the-budget"
    item = read_page(HtmlResponse(url, body=_teaser_page())).item
    assert item is not None and item.field_sources["body"] == "generic"
    assert item.body == "\n\n".join(FULL_TEXT)


def test_a_body_the_sites_readers_read_in_part_is_read_by_the_generic_reader():
    # each paragraph a <div> of its own, no <p>, no metadata body: the site's last
    # resort reads the first paragraph only (the cause of issue 14 seen on CNN)
    paragraphs = "".join(f'<div class="para">{p}</div>' for p in FULL_TEXT)
    page = (f'<html lang="en"><head><meta property="og:type" content="article">'
            f'<meta property="og:title" content="Council approves the budget"></head>'
            f'<body><nav><a href="/news">News</a></nav><main><article><header>'
            f'<h1>Council approves the budget</h1><p>By A. Writer</p></header>'
            f'<div class="x-body">{paragraphs}</div></article></main>'
            f'<footer><p>All rights reserved</p></footer></body></html>').encode()
    url = "https://english.almayadeen.net/news/politics/council-approves-the-budget"
    item = read_page(HtmlResponse(url, body=page)).item
    assert item is not None and item.field_sources["body"] == "generic"
    assert item.body == "\n\n".join(FULL_TEXT)
