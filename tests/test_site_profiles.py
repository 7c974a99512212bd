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
    assert set(SITE_HOSTS.values()) == {"almayadeen"}
    chooser = ProfileChooser({"127.0.0.1": "almayadeen"})
    assert chooser.name_for("http://127.0.0.1:8000/news/politics/x") == "almayadeen"
    assert chooser.name_for("https://example.org/story") == "generic"
    with pytest.raises(ValueError):
        ProfileChooser({"example.org": "no-such-profile"})


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
