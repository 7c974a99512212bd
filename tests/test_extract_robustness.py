"""parse_article on hostile input (never raises) and its page-level decisions."""

from __future__ import annotations

import json
import os

import pytest
from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.items import ArticleItem
from crawler.sites.almayadeen.parser import parse_article
from crawler.sites.almayadeen.visible import strip_title_suffix

BASE = "https://english.almayadeen.net"
URL = BASE + "/news/politics/some-story"


def html_response(body: bytes | str, url: str = URL,
                  content_type: str = "text/html; charset=utf-8") -> HtmlResponse:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return HtmlResponse(url=url, body=body, headers={"Content-Type": content_type})


def article_html(head: str = "", body: str | None = None) -> str:
    body = body if body is not None else (
        "<article><h1>A headline</h1><div><p>First paragraph of the story, long enough.</p>"
        "<p>Second paragraph of the story.</p></div></article>")
    return f"<html lang='en'><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("body", [
    b"", b"   ", b"\x00\x01\x02\xff\xfe" * 200, os.urandom(4096),
    b"<html", b"<<<>>>", b"<html><body></body></html>", b"\xef\xbb\xbf",
    "<p>caf\u00e9</p>".encode("utf-16"),
    b"<html><body>" + b"<div>" * 5000 + b"<p>deep</p>" + b"</div>" * 5000 + b"</body></html>",
])
def test_junk_never_raises(body: bytes) -> None:
    item = parse_article(html_response(body))
    assert item is None or isinstance(item, ArticleItem)


def test_non_text_response_returns_none() -> None:
    assert parse_article(Response(url=URL, body=b"\x89PNG\r\n")) is None


def test_wrong_charset_gives_a_partial_item_not_an_error() -> None:
    page = article_html().replace("A headline", "Caf\u00e9 \u2019quoted\u2019")
    # UTF-8 bytes announced as latin-1: mojibake, but an item
    item = parse_article(html_response(page.encode("utf-8"),
                                       content_type="text/html; charset=iso-8859-1"))
    assert item is not None and item.title.startswith("Caf")
    # an unknown charset name
    assert parse_article(html_response(page, content_type="text/html; charset=x-nonsense"))


def test_text_response_is_accepted() -> None:
    response = TextResponse(url=URL, body=article_html().encode(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert parse_article(response).title == "A headline"


def test_minimal_article_from_generic_layers() -> None:
    item = parse_article(html_response(article_html()))
    assert item.title == "A headline"
    assert item.body == "First paragraph of the story, long enough.\n\nSecond paragraph of the story."
    assert item.url == URL and item.field_sources["url"] == "url"
    assert item.category == "News" and item.section == "Politics"
    assert item.authors == [] and item.tags == [] and item.related_urls == []
    assert item.source is None and item.published_at is None and item.modified_at is None


@pytest.mark.parametrize("url, head", [
    (BASE + "/tags/mali", ""),
    (BASE + "/authors/someone", ""),
    (BASE + "/live", ""),
    (BASE + "/about-us", ""),
    (BASE + "/news/politics", ""),                                  # a section index
    (BASE + "/", ""),
    (URL, '<meta property="og:type" content="website">'),
    (URL, '<meta property="og:type" content="profile">'),
    (URL, '<script id="tawsiyat-metadata" type="text/tawsiyat">{"type": "page"}</script>'),
    (BASE + "/some/unknown/page", ""),
])
def test_not_articles(url: str, head: str) -> None:
    assert parse_article(html_response(article_html(head), url=url)) is None


def test_og_website_with_article_jsonld_is_an_article() -> None:
    head = ('<meta property="og:type" content="website"><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "From JSON-LD"}</script>')
    assert parse_article(html_response(article_html(head))).title == "From JSON-LD"


def test_unknown_path_with_structured_evidence_is_an_article() -> None:
    head = '<meta property="og:type" content="article">'
    assert parse_article(html_response(article_html(head), url=BASE + "/print/123")) is not None


def test_no_title_or_no_body_is_none() -> None:
    assert parse_article(html_response(article_html(body="<article><p>Text only</p></article>"))) is None
    assert parse_article(html_response(article_html(body="<article><h1>Title only</h1></article>"))) is None


def test_url_candidates_must_be_same_origin_and_not_an_index() -> None:
    replica = "http://127.0.0.1:8765/news/politics/some-story"
    taw = {"type": "article", "title": "T", "url": URL}
    head = (f'<script id="tawsiyat-metadata" type="text/tawsiyat">{json.dumps(taw)}</script>'
            f'<link rel="canonical" href="{BASE}/">')
    item = parse_article(html_response(article_html(head), url=replica + "?utm_source=x#c"))
    assert item.url == replica and item.field_sources["url"] == "url"
    # canonical relative to the page, same origin: taken
    head = '<link rel="canonical" href="/news/politics/the-canonical-one?utm_medium=y">'
    item = parse_article(html_response(article_html(head), url=replica))
    assert item.url == "http://127.0.0.1:8765/news/politics/the-canonical-one"
    assert item.field_sources["url"] == "meta"


def test_title_suffix_is_removed_from_every_layer() -> None:
    head = '<meta property="og:title" content="Story title | Al Mayadeen English">'
    assert parse_article(html_response(article_html(head))).title == "Story title"
    body = ("<article><div><p>Text of the story that is long enough to be a body.</p></div>"
            "</article>")
    page = article_html("<title>Only in title - Al Mayadeen English</title>", body)
    item = parse_article(html_response(page))
    assert item.title == "Only in title" and item.field_sources["title"] == "generic"


def test_tawsiyat_html_body_wins_and_its_links_are_related_when_the_page_has_none() -> None:
    taw = {"type": "article", "title": "T", "html": "<p>From the CMS.</p>"
           "<p>Read more: <a href='/news/politics/other'>Other</a></p>"}
    head = f'<script id="tawsiyat-metadata" type="text/tawsiyat">{json.dumps(taw)}</script>'
    item = parse_article(html_response(article_html(head)))
    assert item.body == "From the CMS." and item.field_sources["body"] == "tawsiyat"
    assert item.related_urls == [BASE + "/news/politics/other"]
    assert item.field_sources["related_urls"] == "tawsiyat"


def test_related_urls_same_origin_deduplicated_without_self() -> None:
    body = (f"<article><h1>T</h1><div><p>Body text paragraph one, long enough to be an article body.</p>"
            f"<div class='related-news'><h4>Related News</h4>"
            f"<a href='/news/politics/a?utm_source=x'>A</a><a href='https://other.example/b'>B</a>"
            f"<a href='{URL}'>self</a></div>"
            f"<p>Read more: <a href='/news/politics/a'>A again</a></p></div></article>")
    item = parse_article(html_response(article_html(body=body)))
    assert item.related_urls == [BASE + "/news/politics/a"]


def test_section_from_metadata_takes_the_menu_spelling() -> None:
    head = '<meta property="article:section" content="arts &amp; culture">'
    item = parse_article(html_response(article_html(head), url=BASE + "/news/arts-culture/x"))
    assert item.section == "Arts&Culture" and item.category == "News"


def test_read_time_from_word_count_when_not_shown() -> None:
    taw = {"type": "article", "title": "T", "word_count": "401"}
    head = f'<script id="tawsiyat-metadata" type="text/tawsiyat">{json.dumps(taw)}</script>'
    item = parse_article(html_response(article_html(head)))
    assert item.read_time_minutes == 3 and item.field_sources["read_time_minutes"] == "tawsiyat"


def test_body_sentence_starting_with_by_is_not_a_byline() -> None:
    body = ("<article><h1>T</h1><div class='txt'><p>By taking this step, the government "
            "said it hoped to calm markets.</p><p>Second paragraph.</p></div></article>")
    item = parse_article(html_response(article_html(body=body)))
    assert item.authors == []


def test_html5_article_header_and_a_logo_h1() -> None:
    page = """<html lang="en"><body>
      <header class="site"><h1 class="logo">Al Mayadeen</h1><nav><a href="/news">News</a></nav></header>
      <div class="cards"><article class="card"><h3>Other story</h3><p>Teaser text</p></article></div>
      <article class="post">
        <header><h1>The real headline</h1><p class="byline">By Jane Roe</p>
          <time datetime="2025-03-01T10:00:00+02:00">1 March 2025</time><span>5 min read</span></header>
        <div class="entry"><p>The first paragraph of the real story is here.</p>
          <p>The second paragraph of the real story.</p></div>
      </article></body></html>"""
    item = parse_article(html_response(page))
    assert item.title == "The real headline" and item.field_sources["title"] == "generic"
    assert item.authors == ["Jane Roe"] and item.read_time_minutes == 5
    assert item.published_at.isoformat() == "2025-03-01T08:00:00+00:00"
    assert item.body == ("The first paragraph of the real story is here.\n\n"
                         "The second paragraph of the real story.")


def test_logo_h1_outside_any_article_is_not_the_title() -> None:
    page = """<html><body><header><h1>Al Mayadeen</h1></header>
      <main><h1>Story title</h1><div><p>Story text, the only paragraph here, and long enough to count.</p></div></main>
      </body></html>"""
    assert parse_article(html_response(page)).title == "Story title"


def test_sentences_and_headlines_starting_with_by_are_not_bylines() -> None:
    page = """<html><body><article><h1>By the numbers: Gaza after two years</h1>
      <p class="dek">By announcing sanctions, the EU hopes to change course.</p>
      <div class="txt"><p>The story text, which is long enough to be the body.</p>
      <p>More text <time datetime="2001-01-01">in 2001</time>.</p></div>
      </article></body></html>"""
    item = parse_article(html_response(page))
    assert item.title == "By the numbers: Gaza after two years"
    assert item.authors == [] and item.published_at is None


@pytest.mark.parametrize("raw, title", [
    ("Story | Al Mayadeen English", "Story"),
    ("Story|Al Mayadeen", "Story"),
    ("Story - Al Mayadeen English", "Story"),
    ("Washington backs Mali’s Junta to fight extremists: WashPo",
     "Washington backs Mali’s Junta to fight extremists: WashPo"),
    ("Hezbollah chief speaks: Al Mayadeen", "Hezbollah chief speaks: Al Mayadeen"),
])
def test_strip_title_suffix(raw: str, title: str) -> None:
    assert strip_title_suffix(raw) == title


def test_a_listing_without_metadata_at_an_article_like_url_is_not_an_article() -> None:
    page = """<html><body><main><h1>Interviews</h1><div class="list">
      <div class="card"><a href="/articles/interviews/a"><h4>A</h4></a><div><p>30 Sep 2025</p></div></div>
      <div class="card"><a href="/articles/interviews/b"><h4>B</h4></a><div><p>29 Sep 2025</p></div></div>
      </div></main></body></html>"""
    assert parse_article(html_response(page, url=BASE + "/articles/interviews")) is None
