"""Every page in tests/fixtures/articles/ parses to exactly what its .json expects.

A fixture is <name>.html (bytes as served) + <name>.json:
{"request_url", "content_type", "expected": {every ARTICLE_FIELDS key} | null}, and
optionally "fetched_at" (the response's Date header: what a year-less date is read
against), "edition" and "alternate_urls" (the editions' ed-* fixtures). The profile is
the request URL's host's (parse_article picks the edition by host).
Hand-written fixtures and the replica-* ones generated from the local replica are
both picked up.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.items import ARTICLE_FIELDS
from crawler.sites.almayadeen.parser import parse_article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
LAYERS = {"tawsiyat", "jsonld", "meta", "visible", "generic", "url"}


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.html"))


def load(name: str) -> tuple[HtmlResponse, dict]:
    spec_path = FIXTURES / f"{name}.json"
    assert spec_path.exists(), f"fixture {name}: {name}.html has no {name}.json"
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    for key in ("request_url", "content_type", "expected"):
        assert key in spec, f"fixture {name}: the .json lacks {key!r}"
    headers = {"Content-Type": spec["content_type"]}
    if spec.get("fetched_at"):      # a year-less visible date is read against it
        headers["Date"] = spec["fetched_at"]
    response = HtmlResponse(url=spec["request_url"],
                            body=(FIXTURES / f"{name}.html").read_bytes(), headers=headers)
    return response, spec


def as_json_value(value):
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "naive datetime"
        return value.isoformat()
    return value


@pytest.mark.parametrize("name", fixture_names())
def test_fixture(name: str) -> None:
    response, spec = load(name)
    expected = spec["expected"]
    item = parse_article(response)
    if expected is None:
        assert item is None, f"fixture {name}: expected no article, got {item and item.title!r}"
        return
    missing = [f for f in ARTICLE_FIELDS if f not in expected]
    assert not missing, f"fixture {name}: expected JSON lacks field(s) {missing}"
    assert item is not None, f"fixture {name}: parse_article returned None"
    problems = []
    for field in ARTICLE_FIELDS:
        got, want = as_json_value(getattr(item, field)), expected[field]
        if got != want:
            problems.append(f"  {field}:\n    expected {want!r}\n    got      {got!r}"
                            f"  (layer {item.field_sources.get(field)})")
    # the editions' fixtures also say which edition read the page and its siblings
    for extra in ("edition", "alternate_urls"):
        if extra in spec and getattr(item, extra) != spec[extra]:
            problems.append(f"  {extra}:\n    expected {spec[extra]!r}\n    got      "
                            f"{getattr(item, extra)!r}")
    assert not problems, f"fixture {name}: fields differ\n" + "\n".join(problems)
    assert set(item.field_sources.values()) <= LAYERS
    for field in ARTICLE_FIELDS:
        value = getattr(item, field)
        assert value != "", f"fixture {name}: {field} is an empty string (use None)"
        if value not in (None, []):
            assert field in item.field_sources, f"fixture {name}: {field} has no layer"


def test_fixture_folder_has_the_hand_written_set() -> None:
    names = set(fixture_names())
    assert {"ref-article", "jsonld-only", "visible-only", "redesign", "broken-metadata",
            "truncated-malformed", "tag-page", "author-page"} <= names


# Which layer won matters too: a redesign must not silently fall to weaker layers.
@pytest.mark.parametrize("name, expected_sources", [
    ("ref-article", {"url": "tawsiyat", "title": "tawsiyat", "body": "visible",
                     "section": "tawsiyat", "read_time_minutes": "visible",
                     "image_caption": "visible", "source": "visible"}),
    ("jsonld-only", {"url": "jsonld", "title": "jsonld", "body": "jsonld",
                     "authors": "jsonld", "category": "url", "image_caption": "jsonld",
                     "read_time_minutes": "jsonld", "language": "jsonld"}),
    ("visible-only", {"url": "url", "title": "visible", "published_at": "visible",
                      "modified_at": "visible", "section": "visible", "category": "url",
                      "language": "meta"}),
    ("redesign", {"body": "tawsiyat", "authors": "tawsiyat", "source": "generic",
                  "read_time_minutes": "generic", "image_caption": "jsonld"}),
    ("redesign-no-metadata", {"title": "generic", "body": "generic", "authors": "generic",
                              "published_at": "generic", "modified_at": "generic",
                              "tags": "generic", "section": "url", "image_url": "generic"}),
    ("broken-metadata", {"url": "meta", "title": "meta", "section": "meta", "tags": "meta",
                         "authors": "visible", "published_at": "meta"}),
    # the editions: metadata first, the year-less visible date only when it is all there is
    ("ed-ar-tawsiyat", {"url": "tawsiyat", "title": "tawsiyat", "section": "tawsiyat",
                        "regions": "tawsiyat", "published_at": "tawsiyat",
                        "language": "tawsiyat", "body": "visible"}),
    ("ed-ar-jsonld-only", {"url": "jsonld", "title": "jsonld", "section": "jsonld",
                           "category": "url", "published_at": "jsonld", "language": "jsonld"}),
    ("ed-ar-visible-indic-digits", {"published_at": "visible", "section": "visible",
                                    "authors": "visible", "language": "meta"}),
    ("ed-es-metadata", {"published_at": "jsonld", "section": "jsonld", "category": "url"}),
    ("ed-es-yearless", {"published_at": "visible", "modified_at": "visible",
                        "section": "url", "category": "url", "source": "visible"}),
])
def test_field_sources(name: str, expected_sources: dict[str, str]) -> None:
    if name not in fixture_names():
        pytest.skip(f"fixture {name} absent")
    item = parse_article(load(name)[0])
    assert item is not None
    got = {field: item.field_sources.get(field) for field in expected_sources}
    assert got == expected_sources, f"fixture {name}: layers differ"
