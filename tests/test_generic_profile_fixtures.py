"""Every page of tests/fixtures/generic_articles/ (hand-made pages of hosts newsmon has
no profile for) is read by the generic profile to exactly what its .json expects.

A fixture is <name>.html + <name>.json: {"request_url", "content_type", "profile",
"expected": {every ARTICLE_FIELDS key}}, as in tests/fixtures/articles/. The set covers
a page with JSON-LD only, OpenGraph/meta tags only, microdata only, and no metadata at
all (only the visible page).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.items import ARTICLE_FIELDS
from crawler.sites.profiles import profile_for

FIXTURES = Path(__file__).parent / "fixtures" / "generic_articles"
LAYERS = {"jsonld", "microdata", "meta", "visible", "generic", "url"}


def names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.html"))


def test_the_set_covers_each_kind_of_metadata():
    assert {"jsonld-only", "opengraph-only", "microdata-only", "no-metadata"} <= set(names())


@pytest.mark.parametrize("name", names())
def test_generic_fixture(name: str) -> None:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(spec["request_url"], body=(FIXTURES / f"{name}.html").read_bytes(),
                            headers={"Content-Type": spec["content_type"]})
    profile = profile_for(spec["request_url"])
    assert profile.name == spec["profile"]
    reading = profile.read_page(response)
    assert reading.is_article, f"{name}: not an article ({reading.reason})"
    item = reading.item
    assert item is not None, f"{name}: no title or no body"
    expected = spec["expected"]
    assert set(expected) == set(ARTICLE_FIELDS)
    problems = []
    for field in ARTICLE_FIELDS:
        got = getattr(item, field)
        if isinstance(got, datetime):
            assert got.tzinfo is not None, f"{name}: {field} is naive"
            got = got.isoformat()
        if got != expected[field]:
            problems.append(f"  {field}:\n    expected {expected[field]!r}\n    got      {got!r}"
                            f"  (layer {item.field_sources.get(field)})")
    assert not problems, f"fixture {name}: fields differ\n" + "\n".join(problems)
    assert set(item.field_sources.values()) <= LAYERS
    for field in ARTICLE_FIELDS:
        value = getattr(item, field)
        assert value != "", f"{name}: {field} is an empty string (use None)"
        if value not in (None, []):
            assert field in item.field_sources, f"{name}: {field} has no layer"
