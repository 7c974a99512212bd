"""The tawsiyat metadata block: reading, broken JSON, helpers."""

from __future__ import annotations

import json
import logging

from parsel import Selector

from crawler.extract import tawsiyat

SAMPLE = {
    "type": "article", "postid": 1918733, "title": "T", "url": "https://x/a",
    "keywords": "United States, Mali’s Junta,Mali, ,Donald Trump,Mali", "thumbnail": "",
    "video_duration": None, "word_count": "702", "lang": "en", "description": "D",
    "author": "Jane Roe and John Doe", "published_time": "2023-02-27T23:22:00+02:00",
    "last_updated": "2023-02-27T23:22:00+02:00",
    "classes": [
        {"key": "news", "mapping": "posttype", "value": "News"},
        {"key": "politics", "mapping": "category", "value": "Politics"},
        {"key": "africa", "mapping": "country", "value": "Africa"},
        {"key": "us-canada", "mapping": "country", "value": "US & Canada"},
        {"key": "africa", "mapping": "country", "value": "Africa"},
        {"key": "gaza", "mapping": "coverage", "value": "War on Gaza"},
        "junk", {"mapping": "country"},
    ],
    "html": "", "lite_url": "https://x/a?lite=1",
}


def page(raw: str, attrs: str = 'id="tawsiyat-metadata" type="text/tawsiyat"') -> Selector:
    return Selector(text=f"<html><head><script {attrs}>{raw}</script></head><body></body></html>")


def test_read() -> None:
    data = tawsiyat.read_tawsiyat(page(json.dumps(SAMPLE, ensure_ascii=False)))
    assert data["postid"] == 1918733
    # found by type alone too
    assert tawsiyat.read_tawsiyat(page(json.dumps(SAMPLE), 'type="text/tawsiyat"'))


def test_broken_json_gives_none_and_a_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="crawler.extract.tawsiyat"):
        assert tawsiyat.read_tawsiyat(page('{"type": "article", "title": "cut')) is None
        assert tawsiyat.read_tawsiyat(page("[1, 2]")) is None
    assert len(caplog.records) == 2


def test_absent_or_empty() -> None:
    assert tawsiyat.read_tawsiyat(Selector(text="<html><body></body></html>")) is None
    assert tawsiyat.read_tawsiyat(page("   ")) is None


def test_helpers() -> None:
    assert tawsiyat.string(SAMPLE, "title") == "T"
    assert tawsiyat.string(SAMPLE, "thumbnail") is None          # "" is missing
    assert tawsiyat.string(SAMPLE, "video_duration") is None
    assert tawsiyat.string(SAMPLE, "postid") == "1918733"
    assert tawsiyat.string(None, "title") is None
    assert tawsiyat.class_values(SAMPLE, "country") == ["Africa", "US & Canada"]
    assert tawsiyat.class_values(SAMPLE, "posttype") == ["News"]
    assert tawsiyat.class_values({"classes": "junk"}, "country") == []
    assert tawsiyat.keyword_list(SAMPLE) == ["United States", "Mali’s Junta", "Mali",
                                             "Donald Trump"]


def test_split_authors() -> None:
    assert tawsiyat.split_authors("Jane Roe and John Doe") == ["Jane Roe", "John Doe"]
    assert tawsiyat.split_authors("A, B and C") == ["A", "B", "C"]
    assert tawsiyat.split_authors("Al Mayadeen English") == ["Al Mayadeen English"]
    assert tawsiyat.split_authors("Alexandra Sandberg") == ["Alexandra Sandberg"]
    assert tawsiyat.split_authors("") == []


def test_read_minutes() -> None:
    assert tawsiyat.read_minutes(SAMPLE) == 4          # ceil(702 / 200)
    assert tawsiyat.read_minutes({"word_count": "200"}) == 1
    assert tawsiyat.read_minutes({"word_count": "1,290"}) == 7
    assert tawsiyat.read_minutes({"word_count": 0}) is None
    assert tawsiyat.read_minutes({"word_count": "many"}) is None
    assert tawsiyat.read_minutes(None) is None
