"""The generic article reader (crawler/extract/body.py), the page classifier
(crawler/extract/pagekind.py) and the real-page benchmark's metric (bench/real_pages.py).

Each fixture of tests/fixtures/generic/ is a small page written by hand for one cause
issue 14 lists (a JSON-LD teaser, <div> paragraphs, <br> lines, a promo card in an
<article>, a content table, a blockquote, newsletter and read-more boxes); its .json
says what the body must hold (``present``), must not hold (``absent``), how many
paragraphs it has at least, and, for layouts newsmon's own reader must read too, what
that reader must find (``own_reader_present``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.real_pages import aggregate, score_page, shingles, tokens
from crawler.extract.body import (
    Hints, densest_paragraphs, is_teaser, read_body, structured_paragraphs,
)
from crawler.extract.pagekind import is_article_page

FIXTURES = Path(__file__).parent / "fixtures" / "generic"
CASES = sorted(p.stem for p in FIXTURES.glob("*.html"))


def _case(name: str) -> tuple[str, dict]:
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    return html, json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CASES)
def test_generic_reader_fixture(name):
    html, want = _case(name)
    result = read_body(html, want["url"])
    text = result.text or ""
    for needle in want["present"]:
        assert needle in text, f"{name}: missing {needle!r} ({want['cause']})"
    for needle in want.get("absent", []):
        assert needle not in text, f"{name}: kept {needle!r} ({want['cause']})"
    assert len(result.paragraphs) >= want.get("min_paragraphs", 1)
    assert text == "\n\n".join(result.paragraphs)     # newsmon's body format
    if "source_not" in want:
        assert result.source != want["source_not"]


@pytest.mark.parametrize("name", [n for n in CASES if "own_reader_present" in _case(n)[1]])
def test_newsmons_own_reader_reads_div_and_br_bodies(name):
    html, want = _case(name)
    from crawler.extract.body_hints import page_tree as _parse
    paragraphs = densest_paragraphs(_parse(html), want["url"])
    text = "\n\n".join(paragraphs)
    for needle in want["own_reader_present"]:
        assert needle in text, f"{name}: newsmon's own reader missed {needle!r}"
    assert len(paragraphs) >= want.get("min_paragraphs", 1)


def test_bytes_and_selector_input_read_the_same_body():
    from parsel import Selector
    html, want = _case("newsletter_readmore")
    from_text = read_body(html, want["url"]).text
    assert read_body(html.encode("utf-8"), want["url"]).text == from_text
    assert read_body(Selector(text=html), want["url"]).text == from_text


def test_empty_and_broken_pages_give_no_body():
    assert read_body("", "https://example.com/").text is None
    assert read_body("<html><body></body></html>", "https://example.com/").text is None


# -- the structured body --------------------------------------------------------------

def test_structured_body_entities_decoded_and_teaser_refused():
    raw = "Rain &amp; wind hit the coast on Monday, the town&#39;s mayor said &hellip;"
    paragraphs = structured_paragraphs(raw)
    assert paragraphs == ["Rain & wind hit the coast on Monday, the town's mayor said \u2026"]
    assert is_teaser(paragraphs, visible_words=14)          # it ends in an ellipsis


def test_structured_body_much_shorter_than_the_page_is_a_teaser():
    paragraphs = ["One full sentence of the story, and nothing after it."]
    assert is_teaser(paragraphs, visible_words=400)
    assert not is_teaser(paragraphs, visible_words=12)


def test_structured_body_in_html_is_read_as_html():
    raw = "<p>First paragraph of the text.</p><p>Second one, with <a href='/x'>a link</a>.</p>"
    assert structured_paragraphs(raw) == ["First paragraph of the text.",
                                          "Second one, with a link."]


def test_full_structured_body_wins_where_the_visible_reader_kept_part_of_it():
    # the page shows the whole text, but split so that a reader might keep one part;
    # the JSON-LD articleBody holds all of it: chosen only because the page confirms it
    paragraphs = [f"Paragraph {i} of the story tells what happened on day {i} of the "
                  f"trial, in the words of the witnesses who spoke." for i in range(1, 9)]
    from crawler.extract.body import _choose
    traf, full = paragraphs[:3], paragraphs
    counts = {"trafilatura": 60, "jsonld": 160}
    assert _choose({"trafilatura": traf, "jsonld": full}, counts) == "jsonld"
    other = [f"Something else entirely, line {i}, about another matter." for i in range(9)]
    assert _choose({"trafilatura": traf, "jsonld": other},
                   {"trafilatura": 60, "jsonld": 80}) == "trafilatura"


def test_headline_and_standfirst_go_by_their_agreement_with_the_metadata():
    html, want = _case("newsletter_readmore")
    headline = "Ferry service to the islands will run all winter"
    standfirst = "The operator has found the money to keep its smallest boat sailing."
    read = read_body(html, want["url"])          # hints read from the page itself
    assert ("headline", headline) in read.dropped
    assert ("standfirst", standfirst) in read.dropped
    blind = read_body(html, want["url"], hints=Hints())     # no metadata: kept
    assert headline in blind.text and standfirst in blind.text


# -- the page classifier ----------------------------------------------------------------

@pytest.mark.parametrize("name,expected,reason", [
    ("jsonld_teaser", True, "JSON-LD newsarticle"),
    ("div_paragraphs", True, "og:type article"),
])
def test_article_pages_by_their_metadata(name, expected, reason):
    html, want = _case(name)
    kind = is_article_page(html, want["url"])
    assert kind.is_article is expected
    assert kind.reason == reason


def test_article_page_by_its_structure_alone():
    html = (FIXTURES / "kind" / "bare_article.html").read_text(encoding="utf-8")
    kind = is_article_page(html, "https://harbour.example.net/notes/12")
    assert kind.is_article
    assert kind.reason == "one dominant text block with a headline and a date"


def test_index_page_with_article_cards_is_not_an_article():
    html = (FIXTURES / "kind" / "index_page.html").read_text(encoding="utf-8")
    kind = is_article_page(html, "https://daily.example.com/world")
    assert not kind.is_article
    assert "collectionpage" in kind.reason


def test_index_page_card_url_is_an_article_by_its_own_jsonld():
    # the same listing's JSON-LD names an article whose URL is the page's: that page
    html = (FIXTURES / "kind" / "index_page.html").read_text(encoding="utf-8")
    kind = is_article_page(html, "https://daily.example.com/world/2024/05/ports-reopen")
    assert kind.is_article


def test_tawsiyat_type_decides_alone():
    html = (FIXTURES / "kind" / "tawsiyat_page.html").read_text(encoding="utf-8")
    kind = is_article_page(html, "https://www.almayadeen.net/about")
    assert not kind.is_article and kind.reason == "tawsiyat type page"
    article = html.replace('"type": "page"', '"type": "article"')
    assert is_article_page(article, "https://www.almayadeen.net/x").is_article


# -- the benchmark's metric -----------------------------------------------------------

def test_tokens_are_unicode_word_runs_case_kept():
    assert tokens("Ça va, 東京! it's 3.5") == ["Ça", "va", "東京", "it", "s", "3", "5"]


def test_identical_texts_score_one():
    assert score_page("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)


def test_one_wrong_word_at_the_end():
    # truth shingles: [one two three four], [two three four five]; extracted:
    # [one two three four], [two three four six]: tp 1, fp 1, fn 1, each / 3
    tp, fp, fn = score_page("one two three four five", "one two three four six")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_shingles_are_a_multiset_and_short_texts_one_shingle():
    assert shingles("a b c d a b c d")["a b c d"] == 2
    assert shingles("hello world") == {"hello world": 1}
    assert shingles("") == {}
    tp, fp, fn = score_page("a b c d a b c d", "a b c d")    # tp 1, fn 4
    assert (tp, fp, fn) == pytest.approx((0.2, 0.0, 0.8))


def test_aggregate_means_over_the_right_pages():
    # page 1 perfect; page 2 extracted nothing: no precision (tp + fp = 0), recall 0
    scores = aggregate([("alpha beta gamma delta", "alpha beta gamma delta"),
                        ("one two three four five", None)])
    assert scores["precision"] == 1.0
    assert scores["recall"] == 0.5
    assert scores["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert scores["accuracy"] == 0.5
