"""What reading an Arabic or Spanish page costs beside an English one, and whether
every field comes out right.

    python -m bench.editions [--rounds 5]

Renders every article page of the three replicas (English: ``crawler.replica``;
Arabic and Spanish: ``crawler.replica.editions``), reads each with its edition's
profile and prints, per edition: pages, CPU ms per page (the best of ``--rounds``
passes: CPU time, as the machine is shared), the ratio to English in the same run,
and the fields that differ from the replica's truth (0 expected).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime
from urllib.parse import quote

from scrapy.http import HtmlResponse

ORIGIN = "http://127.0.0.1:8000"


def _pages(edition: str) -> list[tuple[HtmlResponse, dict]]:
    """(response, expected fields) of every article page an edition's replica serves."""
    if edition == "en":
        from crawler.replica import content
        from crawler.replica.article_pages import render_article
        records = [a for a in content.ARTICLES if a["stored"] and a["variant"] != "redesign"]
        rendered = [(a, render_article(a, ORIGIN)) for a in records]
        expect = lambda a: content.expected_fields(a, ORIGIN, with_listings=False)  # noqa: E731
    else:
        from crawler.replica.editions import content, pages
        rendered = [(a, pages.render_article(a, ORIGIN)) for a in content.ARTICLES[edition]]
        expect = lambda a: content.expected_fields(a, ORIGIN, with_listings=False)  # noqa: E731
    out = []
    for a, page in rendered:
        response = HtmlResponse(url=ORIGIN + quote(a["path"], safe="/:,"), body=page.body,
                                headers={"Content-Type": page.content_type})
        out.append((response, expect(a)))
    return out


def _mismatches(item, expected: dict) -> int:
    if item is None:
        return len(expected)
    bad = 0
    for field, want in expected.items():
        got = getattr(item, field)
        got = got.isoformat() if isinstance(got, datetime) else got
        bad += got != want
    return bad


def measure(rounds: int) -> dict[str, dict]:
    from crawler.sites.editions import EDITIONS
    from crawler.sites.profiles import PROFILES

    results = {}
    for key, edition in EDITIONS.items():
        profile = PROFILES[edition.profile]
        pages = _pages(key)
        best = float("inf")
        for _ in range(rounds):
            # a fresh response per pass: the parsed tree is memoised on the response
            fresh = [(HtmlResponse(url=r.url, body=r.body, headers=r.headers), e)
                     for r, e in pages]
            start = time.process_time()
            items = [profile.read_page(r).item for r, _e in fresh]
            best = min(best, time.process_time() - start)
        mismatched = sum(_mismatches(i, e) for i, (_r, e) in zip(items, pages))
        results[key] = {"pages": len(pages), "ms_per_page": 1000 * best / len(pages),
                        "fields_wrong": mismatched}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.editions")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = measure(args.rounds)
    english = results["en"]["ms_per_page"]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'edition':8} {'pages':>5} {'CPU ms/page':>12} {'vs en':>6} {'fields wrong':>13}")
    for key, r in results.items():
        print(f"{key:8} {r['pages']:>5} {r['ms_per_page']:>12.2f} "
              f"{r['ms_per_page'] / english:>6.2f} {r['fields_wrong']:>13}")


if __name__ == "__main__":
    main()
