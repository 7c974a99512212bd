"""JSON-LD reading: lists, @graph, broken blocks, type forms, field helpers."""

from __future__ import annotations

import json
import logging

from parsel import Selector

from crawler.extract import jsonld


def page(*blocks: str) -> Selector:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return Selector(text=f"<html><head>{scripts}</head><body><p>x</p></body></html>")


def test_single_object() -> None:
    sel = page(json.dumps({"@type": "NewsArticle", "headline": "A"}))
    assert jsonld.read_article(sel)["headline"] == "A"


def test_list_and_graph_are_flattened_in_order() -> None:
    sel = page(json.dumps([{"@type": "Organization", "name": "O"},
                           {"@type": "WebSite", "name": "W"}]),
               json.dumps({"@context": "https://schema.org", "@graph": [
                   {"@type": "BreadcrumbList"},
                   {"@type": ["ReportageNewsArticle"], "headline": "In graph"}]}))
    names = [jsonld.type_names(o) for o in jsonld.iter_jsonld(sel)]
    assert names == [["organization"], ["website"], [], ["breadcrumblist"],
                     ["reportagenewsarticle"]]
    assert jsonld.read_article(sel)["headline"] == "In graph"


def test_broken_block_is_skipped_with_a_warning(caplog) -> None:
    sel = page('{"@type": "NewsArticle", "headline": "broken",, }',
               json.dumps({"@type": "BlogPosting", "headline": "good"}))
    with caplog.at_level(logging.WARNING, logger="crawler.extract.jsonld"):
        article = jsonld.read_article(sel)
    assert article["headline"] == "good"
    assert any("broken JSON-LD" in r.getMessage() for r in caplog.records)


def test_lenient_json_forgives_cms_habits() -> None:
    # HTML comment wrapper, raw newline in a string, trailing semicolon
    raw = '<!--\n{"@type": "Article", "headline": "two\nlines"};\n-->'
    assert jsonld.read_article(page(raw))["headline"] == "two\nlines"
    assert jsonld.read_article(page('{"@type": "Article", "headline": "x"} trailing junk'))


def test_type_forms() -> None:
    for type_value in ("NewsArticle", ["NewsArticle"], ["Thing", "AnalysisNewsArticle"],
                       "https://schema.org/OpinionNewsArticle", "VideoObject",
                       "BlogPosting", "Article"):
        assert jsonld.is_article({"@type": type_value}), type_value
    for type_value in ("WebPage", ["Organization"], None, 5):
        assert not jsonld.is_article({"@type": type_value})


def test_article_nested_as_main_entity() -> None:
    sel = page(json.dumps({"@type": "WebPage",
                           "mainEntity": {"@type": "NewsArticle", "headline": "nested"}}))
    assert jsonld.read_article(sel)["headline"] == "nested"


def test_no_article() -> None:
    assert jsonld.read_article(page(json.dumps({"@type": "Organization"}))) is None
    assert jsonld.read_article(Selector(text="<html><body>no blocks</body></html>")) is None
    assert jsonld.read_article(page("", "null", "42", '"string"')) is None


def test_author_names() -> None:
    assert jsonld.author_names("Jane Roe") == ["Jane Roe"]
    assert jsonld.author_names({"@type": "Person", "name": " Jane  Roe "}) == ["Jane Roe"]
    assert jsonld.author_names([{"name": "A"}, "B", {"name": ""}, None, {"name": "A"}]) == ["A", "B"]
    assert jsonld.author_names(None) == []


def test_image_url_and_caption() -> None:
    assert jsonld.image_url_and_caption("https://x/i.jpg") == ("https://x/i.jpg", None)
    assert jsonld.image_url_and_caption(
        {"@type": "ImageObject", "url": "/i.jpg", "caption": "C"}) == ("/i.jpg", "C")
    assert jsonld.image_url_and_caption(
        [{"@type": "ImageObject", "contentUrl": "/a.jpg"}, "/b.jpg"]) == ("/a.jpg", None)
    assert jsonld.image_url_and_caption({"url": ["/first.jpg", "/second.jpg"]}) == \
        ("/first.jpg", None)
    assert jsonld.image_url_and_caption(None) == (None, None)


def test_keywords() -> None:
    assert jsonld.keywords("A, B ,A,, C") == ["A", "B", "C"]
    assert jsonld.keywords(["A", "B, C", {"name": "D"}, 5]) == ["A", "B", "C", "D"]
    assert jsonld.keywords(None) == []


def test_page_url() -> None:
    assert jsonld.page_url({"mainEntityOfPage": "https://x/a"}) == "https://x/a"
    assert jsonld.page_url({"mainEntityOfPage": {"@id": "https://x/b"}}) == "https://x/b"
    assert jsonld.page_url({"mainEntityOfPage": {"@type": "WebPage"}, "url": "https://x/c"}) \
        == "https://x/c"
    assert jsonld.page_url({}) is None


def test_duration_minutes() -> None:
    assert jsonld.duration_minutes("PT1H5M") == 65
    assert jsonld.duration_minutes("PT3M12S") == 3
    assert jsonld.duration_minutes("PT0M") == 0          # stated, so callers can stop there
    assert jsonld.duration_minutes("PT40S") is None      # neither hours nor minutes
    assert jsonld.duration_minutes("3 minutes") is None
    assert jsonld.duration_minutes(None) is None
