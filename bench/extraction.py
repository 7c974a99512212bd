"""Extraction cost and accuracy: newsmon's ``parse_article`` against trafilatura.

Both start from the same bytes as a crawl receives them (a fresh ``HtmlResponse``
each time, so decoding is paid by both), each in a process of its own, in runs
ordered newsmon, trafilatura, trafilatura, newsmon (see ``compare``). The figure compared is CPU time
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
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

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


def _worker_main(argv: list[str]) -> None:
    """``python -m bench.extraction NAME PAGES_FILE``: warm up on the first pages of
    the file, time one pass over the others, print JSON (CPU ms, wall ms, outputs)."""
    name, path = argv
    with open(path, "rb") as handle:
        warm_up, measured = pickle.load(handle)
    extract = {"newsmon": _newsmon, "trafilatura": _trafilatura}[name]
    _block(extract, warm_up)
    cpu_ms, wall_ms, outputs = _block(extract, measured)
    print(json.dumps({"cpu_ms": cpu_ms, "wall_ms": wall_ms, "outputs": [
        [title, day.isoformat() if day else None, body, stamp.isoformat() if stamp else None]
        for title, day, body, stamp in outputs]}))


def _run_worker(name: str, path: Path) -> tuple[list[float], list[float], list[tuple]]:
    done = subprocess.run([sys.executable, "-m", "bench.extraction", name, str(path)],
                          capture_output=True, text=True, timeout=900, check=True,
                          env=_worker_env())
    found = json.loads(done.stdout.strip().splitlines()[-1])
    outputs = [(t, date.fromisoformat(d) if d else None, b,
                datetime.fromisoformat(s) if s else None) for t, d, b, s in found["outputs"]]
    return found["cpu_ms"], found["wall_ms"], outputs


def _worker_env() -> dict:
    from bench.crawls import _clean_env
    return _clean_env()


def compare(site: Site, count: int, origin: str = ORIGIN, warm_up: int = 30) -> dict:
    """Both extractors on the same ``count`` pages: CPU ms per article and accuracy.

    Each extractor runs in a process of its own (in one process, newsmon measured
    after trafilatura is 10 % slower than before it: trafilatura's heap and caches
    stay), warmed up on ``warm_up`` other pages of the site, then timed once over the
    pages, as a crawl meets each page once. Runs are ordered newsmon, trafilatura,
    trafilatura, newsmon, so that a drift in the machine's load falls on both; the
    figure is the mean over both runs. Accuracy is scored on the first run's output."""
    articles = sample(site, count)
    chosen = {a["key"] for a in articles}
    others = [a for a in site.articles if a["key"] not in chosen][:warm_up] or articles[:3]
    rendered = [(origin + a["path"], pages.render_article(site, a, origin),
                 truth(site, a, origin)) for a in articles]
    warm = [(origin + a["path"], pages.render_article(site, a, origin), None) for a in others]
    names = ["newsmon"] + (["trafilatura"] if trafilatura_available() else [])
    runs: dict[str, list] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        path = Path(tmp) / "pages.pickle"
        with open(path, "wb") as handle:
            pickle.dump((warm, [(u, b, None) for u, b, _w in rendered]), handle)
        for name in [*names, *reversed(names)]:
            runs[name].append(_run_worker(name, path))
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


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
