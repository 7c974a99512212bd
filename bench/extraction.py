"""Extraction cost and accuracy: newsmon's ``parse_article`` against trafilatura.

Both start from the same bytes as a crawl receives them (a fresh ``HtmlResponse``
each time, so decoding is paid by both), in blocks ordered newsmon, trafilatura,
trafilatura, newsmon (see ``compare``). The figure compared is CPU time
(``time.process_time``: the machine is shared, and waiting for a core is not the
parser's cost); wall time is reported too. trafilatura is ``extract()`` with
metadata (``with_metadata=True``, JSON output to read its fields), otherwise defaults.

Accuracy against the generator's truth, per field:
- title: equal after whitespace normalisation;
- published date: the calendar day in the site's zone (Beirut) is right; trafilatura
  reports a day only, so that is the comparable figure; newsmon's exact timestamp
  (to the minute, UTC) is reported too;
- body: word-level similarity (``difflib.SequenceMatcher`` ratio over whitespace
  tokens, 0..1) with the true body; a body counts as correct at >= 0.9.
"""

from __future__ import annotations

import difflib
import json
import statistics
import time
from datetime import date

from scrapy.http import HtmlResponse

from bench import pages
from bench.sitegen import Site, truth
from crawler.extract.dates import BEIRUT
from crawler.extract.text import normalize_space

ORIGIN = "http://127.0.0.1:8000"
BODY_THRESHOLD = 0.9


def make_response(url: str, body: bytes) -> HtmlResponse:
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"})


def sample(site: Site, count: int) -> list[dict]:
    """``count`` articles spread evenly over the site (all variants and sections)."""
    step = max(1, len(site.articles) // max(1, count))
    return site.articles[::step][:count]


def site_pages(site: Site, count: int, origin: str = ORIGIN) -> list[tuple[str, bytes]]:
    return [(origin + a["path"], pages.render_article(site, a, origin))
            for a in sample(site, count)]


def body_similarity(got: str | None, want: str) -> float:
    if not got:
        return 0.0
    matcher = difflib.SequenceMatcher(None, got.split(), want.split(), autojunk=False)
    return matcher.ratio()


def _local_day(value) -> date | None:
    return value.astimezone(BEIRUT).date() if value is not None else None


def _newsmon(url: str, body: bytes) -> tuple:
    from crawler.sites.almayadeen.parser import parse_article
    item = parse_article(make_response(url, body))
    return (item.title, _local_day(item.published_at), item.body, item.published_at) \
        if item is not None else (None, None, None, None)


def _trafilatura(url: str, body: bytes) -> tuple:
    import trafilatura
    raw = trafilatura.extract(make_response(url, body).text, url=url, with_metadata=True,
                              output_format="json")
    found = json.loads(raw) if raw else {}
    day = found.get("date")
    return (found.get("title"), date.fromisoformat(day) if day else None, found.get("text"),
            None)


def _block(extract, rendered: list) -> tuple[list[float], list[float], list[tuple]]:
    """CPU ms, wall ms and output of ``extract`` on every page, in one pass."""
    cpu_ms, wall_ms, outputs = [], [], []
    for url, body, _want in rendered:
        started, cpu = time.perf_counter(), time.process_time()
        outputs.append(extract(url, body))
        cpu_ms.append(1000 * (time.process_time() - cpu))
        wall_ms.append(1000 * (time.perf_counter() - started))
    return cpu_ms, wall_ms, outputs


def _summary(cpu_ms: list[float], wall_ms: list[float], outputs: list[tuple],
             rendered: list, exact: bool) -> dict:
    n = len(rendered)
    title = day = stamp = correct = 0
    similarities = []
    for (got_title, got_day, got_body, got_stamp), (_u, _b, want) in zip(outputs, rendered):
        title += normalize_space(got_title) == want["title"]
        day += got_day == _local_day(want["published_at"])
        stamp += got_stamp == want["published_at"]
        similarity = body_similarity(got_body, want["body"])
        similarities.append(similarity)
        correct += similarity >= BODY_THRESHOLD
    out = {"ms_per_article": round(statistics.fmean(cpu_ms), 2),
           "ms_median": round(statistics.median(cpu_ms), 2),
           "wall_ms_per_article": round(statistics.fmean(wall_ms), 2),
           "title_accuracy": round(title / n, 3), "date_accuracy": round(day / n, 3),
           "body_accuracy": round(correct / n, 3),
           "body_similarity_mean": round(statistics.fmean(similarities), 3)}
    if exact:
        out["date_exact_accuracy"] = round(stamp / n, 3)
    return out


def trafilatura_available() -> bool:
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return False
    return True


def compare(site: Site, count: int, origin: str = ORIGIN) -> dict:
    """Both extractors on the same ``count`` pages: CPU ms per article and accuracy.

    Each extractor runs over all pages in a block (as in a crawl, where it runs
    alongside Scrapy, not alongside the other extractor), twice, in the order
    newsmon, trafilatura, trafilatura, newsmon, so that a drift in the machine's load
    falls on both; the figure is the mean over both blocks. Accuracy is scored on the
    first block's output."""
    articles = sample(site, count)
    rendered = [(origin + a["path"], pages.render_article(site, a, origin),
                 truth(site, a, origin)) for a in articles]
    extractors = {"newsmon": _newsmon}
    if trafilatura_available():
        extractors["trafilatura"] = _trafilatura
    for extract in extractors.values():          # warm-up: imports, first-call caches
        _block(extract, rendered[:3])
    runs: dict[str, list] = {name: [] for name in extractors}
    for name in [*extractors, *reversed(extractors)]:
        runs[name].append(_block(extractors[name], rendered))
    result: dict = {"pages": len(rendered), "page_kb_mean": round(statistics.fmean(
        len(b) for _u, b, _w in rendered) / 1024, 1), "trafilatura": None}
    for name, blocks in runs.items():
        cpu = [ms for block in blocks for ms in block[0]]
        wall = [ms for block in blocks for ms in block[1]]
        result[name] = _summary(cpu, wall, blocks[0][2], rendered, exact=name == "newsmon")
    if result["trafilatura"]:
        result["time_ratio"] = round(result["newsmon"]["ms_per_article"]
                                     / result["trafilatura"]["ms_per_article"], 3)
    return result
