"""Real-page article bodies: newsmon against the open-source readers.

    python -m bench.real_pages [--data DIR] [--extractors newsmon,trafilatura,...]
                               [--worst 5] [--json FILE]

newsmon is scored as a user runs it, through ``newsmon extract --manifest`` (one
process for every page; the site profile chosen by each page's host, the page check,
every field read; the body of a page it would not store counts as empty), its CPU per
page from ``--timings`` (which also counts reading, decompressing and decoding the
file). ``newsmon-body`` (not run by default) is the generic body reader alone,
``crawler.extract.body.read_body`` on the decoded text.

The pages are Scrapinghub's article-extraction benchmark split kept in
``../shared/benchmarks/article-extraction`` (beside the repository; ``--data`` names
another place): ``html/<id>.html.gz`` and ``ground-truth.json``. Each extractor runs in
a process of its own (``python -m bench.real_pages --worker NAME``) on the same decoded
HTML text, warmed up on a few pages, then timed once over all of them with
``time.process_time`` around the extraction call alone (the machine is shared: CPU,
not wall time, is the reader's cost). An extractor that is not installed is reported
as missing, not a crash.

Scored with the benchmark's own metric (its README; ``score_page`` / ``aggregate``):
tokens are runs of Unicode word characters, case kept; 4-token shingles counted as a
multiset (a text of fewer than 4 tokens is one shingle); per page tp, fp, fn divided
by their sum; precision averaged over the pages with tp + fp > 0, recall over those
with tp + fn > 0, F1 from the two means; accuracy is the share of pages whose token
sequence equals the truth's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"
EXTRACTORS = ("newsmon", "trafilatura", "newspaper4k", "news-please")
WARM_UP = 3

# -- the metric ---------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter:
    """The text's n-token shingles as a multiset (fewer than n tokens: one shingle;
    no tokens: none)."""
    words = tokens(text)
    if not words:
        return Counter()
    return Counter(" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))


def score_page(truth: str | None, got: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, divided by their sum (all 0 when both are empty)."""
    want, have = shingles(truth), shingles(got)
    tp = sum((want & have).values())
    fp = sum((have - want).values())
    fn = sum((want - have).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_precision_recall(tp: float, fp: float, fn: float) -> tuple[float | None, float | None]:
    return (tp / (tp + fp) if tp + fp > 0 else None,
            tp / (tp + fn) if tp + fn > 0 else None)


def aggregate(pairs: list[tuple[str | None, str | None]]) -> dict:
    """F1, precision, recall and accuracy over (truth, extracted) pairs."""
    precisions, recalls, exact = [], [], 0
    for truth, got in pairs:
        p, r = page_precision_recall(*score_page(truth, got))
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
        exact += tokens(truth) == tokens(got)
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall,
            "accuracy": exact / len(pairs) if pairs else 0.0, "pages": len(pairs)}


# -- the pages --------------------------------------------------------------------------

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode_html(raw: bytes) -> str:
    """UTF-8 (the benchmark's pages all are), else the charset the page declares."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    found = _CHARSET_RE.search(raw[:4096])
    try:
        return raw.decode(found.group(1).decode("ascii") if found else "cp1252", "replace")
    except LookupError:
        return raw.decode("cp1252", "replace")


def load_pages(data: Path) -> list[tuple[str, str, str, str]]:
    """(id, url, html text, true body) of every page, in id order."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for ident in sorted(truth):
        with gzip.open(data / "html" / f"{ident}.html.gz", "rb") as handle:
            html = decode_html(handle.read())
        pages.append((ident, truth[ident]["url"], html, truth[ident]["articleBody"]))
    return pages


# -- the extractors (each imported in its worker only) ----------------------------------

def _newsmon_body():
    from crawler.extract.body import read_body

    def extract(html: str, url: str) -> str | None:
        return read_body(html, url).text
    return extract


def _trafilatura():
    import trafilatura

    def extract(html: str, url: str) -> str | None:
        return trafilatura.extract(html, url=url, include_comments=False)
    return extract


def _newspaper4k():
    import newspaper

    def extract(html: str, url: str) -> str | None:
        article = newspaper.Article(url, fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return article.text
    return extract


def _news_please():
    import logging
    logging.disable(logging.WARNING)
    from newsplease import NewsPlease

    def extract(html: str, url: str) -> str | None:
        found = NewsPlease.from_html(html, url=url, fetch_images=False)
        return getattr(found, "maintext", None)
    return extract


_FACTORIES = {"newsmon-body": _newsmon_body, "trafilatura": _trafilatura,
              "newspaper4k": _newspaper4k, "news-please": _news_please}
_DISTRIBUTIONS = {"trafilatura": "trafilatura", "newspaper4k": "newspaper4k",
                  "news-please": "news-please", "newsmon": "newsmon",
                  "newsmon-body": "newsmon"}


def _version(name: str) -> str | None:
    from importlib import metadata
    try:
        return metadata.version(_DISTRIBUTIONS[name])
    except metadata.PackageNotFoundError:
        return None


def newsmon_through_cli(data: Path) -> dict:
    """newsmon as a user runs it: ``newsmon extract --manifest`` over every page (one
    process; the .html.gz files read by newsmon itself), with its per-page CPU
    (``--timings``: reading, decompressing, decoding and extracting the page). A page
    newsmon would not store (``is_article`` false) scores as an empty body."""
    import tempfile
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    idents = sorted(truth)
    order = idents[:WARM_UP] + idents        # the first pages twice: a warm-up
    with tempfile.TemporaryDirectory() as folder:
        manifest = Path(folder) / "manifest.jsonl"
        manifest.write_text("".join(json.dumps({
            "path": str(data / "html" / f"{ident}.html.gz"),
            "url": truth[ident]["url"]}) + "\n" for ident in order), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "crawler.cli", "extract", "--manifest",
                               str(manifest), "--timings"], capture_output=True, text=True,
                              cwd=REPO)
    records = [json.loads(line) for line in done.stdout.splitlines()][WARM_UP:]
    if len(records) != len(idents):
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"missing": f"newsmon extract exited {done.returncode}: {' | '.join(tail)}"}
    outputs, cpu_ms, errors, not_articles = {}, {}, {}, {}
    for ident, record in zip(idents, records):
        if "error" in record:
            errors[ident] = record["error"]
        elif not record.get("is_article"):
            not_articles[ident] = record.get("reason")
        outputs[ident] = record.get("body") if record.get("is_article") else None
        cpu_ms[ident] = record.get("cpu_ms", 0.0)
    return {"version": _version("newsmon"), "outputs": outputs, "cpu_ms": cpu_ms,
            "errors": errors, "not_articles": not_articles,
            "profiles": dict(Counter(r.get("profile") for r in records))}


def _worker(name: str, data: Path) -> dict:
    """Outputs and CPU ms of one extractor on every page (this process only)."""
    if name == "newsmon":
        return newsmon_through_cli(data)
    try:
        extract = _FACTORIES[name]()
    except ImportError as exc:
        return {"missing": f"{type(exc).__name__}: {exc}"}
    pages = load_pages(data)
    for _ident, url, html, _truth in pages[:WARM_UP]:
        try:
            extract(html, url)
        except Exception:       # noqa: BLE001 - a failing page is scored empty below
            pass
    outputs, cpu_ms, errors = {}, {}, {}
    for ident, url, html, _truth in pages:
        started = time.process_time()
        try:
            text = extract(html, url)
        except Exception as exc:    # noqa: BLE001 - one page's failure is that page's
            text, errors[ident] = None, f"{type(exc).__name__}: {exc}"
        cpu_ms[ident] = 1000 * (time.process_time() - started)
        outputs[ident] = text
    return {"version": _version(name), "outputs": outputs, "cpu_ms": cpu_ms,
            "errors": errors}


def run_extractor(name: str, data: Path, timeout: float = 1800) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env["NEWSMON_CONFIG"] = os.devnull
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "bench.real_pages", "--worker", name,
                           "--data", str(data)], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=REPO)
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"missing": f"worker exited {done.returncode}: {' | '.join(tail)}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ---------------------------------------------------------------------------

def summarise(result: dict, pages: list) -> dict:
    if "missing" in result:
        return {"missing": result["missing"]}
    outputs = result["outputs"]
    scores = aggregate([(truth, outputs.get(ident)) for ident, _u, _h, truth in pages])
    scores["cpu_ms_median"] = statistics.median(result["cpu_ms"].values())
    scores["cpu_ms_mean"] = statistics.fmean(result["cpu_ms"].values())
    scores["version"] = result.get("version")
    scores["errors"] = len(result.get("errors", {}))
    if "not_articles" in result:
        scores["not_articles"] = len(result["not_articles"])
    return scores


def cause_hint(truth: str, got: str | None) -> str:
    """A guess at why a page scores low, from the two texts alone."""
    if not got or not tokens(got):
        return "nothing extracted"
    want_tokens, got_tokens = tokens(truth), tokens(got)
    tp, fp, fn = score_page(truth, got)
    p, r = page_precision_recall(tp, fp, fn)
    have, want = shingles(got), shingles(truth)
    ratio = len(got_tokens) / max(1, len(want_tokens))
    if r is not None and r < 0.2:
        return f"wrong block ({len(got_tokens)} tokens, {len(want_tokens)} true)"
    hints = []
    if r is not None and r < 0.9:
        # where the missed text lies: the start, the end, or spread through
        words = want_tokens
        missed = [i for i in range(max(1, len(words) - 3))
                  if want.get(" ".join(words[i:i + 4]), 0) and not have.get(" ".join(words[i:i + 4]), 0)]
        third = max(1, len(words) // 3)
        where = Counter("start" if i < third else "end" if i >= 2 * third else "middle"
                        for i in missed)
        spot = where.most_common(1)[0][0] if where else "spread"
        if ratio < 0.5:
            hints.append(f"truncated: {ratio:.0%} of the true length, misses the {spot}")
        else:
            hints.append(f"misses text (recall {r:.2f}, mostly the {spot})")
    if p is not None and p < 0.9:
        extra = sorted((g for g in got.split("\n") if g.strip() and not (shingles(g) & want)),
                       key=len, reverse=True)
        sample = (extra[0][:70] + "...") if extra else ""
        hints.append(f"extra text (precision {p:.2f}, {len(extra)} foreign paragraphs"
                     + (f", e.g. {sample!r}" if sample else "") + ")")
    return "; ".join(hints) or "token differences"


def worst_pages(result: dict, pages: list, count: int) -> list[dict]:
    rows = []
    for ident, url, _html, truth in pages:
        got = result["outputs"].get(ident)
        p, r = page_precision_recall(*score_page(truth, got))
        p, r = p or 0.0, r or 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append({"id": ident, "url": url, "f1": f1, "precision": p, "recall": r,
                     "cause": cause_hint(truth, got)})
    rows.sort(key=lambda row: row["f1"])
    return rows[:count]


def markdown(summaries: dict[str, dict]) -> str:
    lines = ["| extractor | F1 | precision | recall | accuracy | CPU ms/page median "
             "| CPU ms/page mean |", "|---|---|---|---|---|---|---|"]
    for name, s in summaries.items():
        if "missing" in s:
            lines.append(f"| {name} | missing: {s['missing'][:80]} | | | | | |")
            continue
        label = f"{name} {s['version']}" if s.get("version") else name
        lines.append(f"| {label} | {s['f1']:.3f} | {s['precision']:.3f} | "
                     f"{s['recall']:.3f} | {s['accuracy']:.3f} | {s['cpu_ms_median']:.1f} "
                     f"| {s['cpu_ms_mean']:.1f} |")
    base = summaries.get("trafilatura", {}).get("cpu_ms_median")
    mine = summaries.get("newsmon", {}).get("cpu_ms_median")
    if base and mine:
        lines.append(f"\nnewsmon / trafilatura, median CPU per page: {mine / base:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.real_pages",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the benchmark folder (html/, ground-truth.json)")
    parser.add_argument("--extractors", default=",".join(EXTRACTORS),
                        help="comma-separated, of: " + ", ".join(EXTRACTORS)
                        + ", newsmon-body")
    parser.add_argument("--worst", type=int, default=5, help="newsmon's worst pages shown")
    parser.add_argument("--json", type=Path, help="write every figure and output here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = args.data.resolve()
    if args.worker:
        print(json.dumps(_worker(args.worker, data)))
        return 0
    if not (data / "ground-truth.json").is_file():
        parser.error(f"no ground-truth.json in {data} (use --data)")
    names = [n.strip() for n in args.extractors.split(",") if n.strip()]
    unknown = [n for n in names if n not in _FACTORIES and n != "newsmon"]
    if unknown:
        parser.error(f"unknown extractors: {', '.join(unknown)}")
    pages = load_pages(data)
    results, summaries = {}, {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = run_extractor(name, data)
        summaries[name] = summarise(results[name], pages)
    print(f"{len(pages)} pages from {data}\n")
    print(markdown(summaries))
    worst = []
    if "newsmon" in results and "missing" not in results["newsmon"] and args.worst:
        worst = worst_pages(results["newsmon"], pages, args.worst)
        print(f"\nnewsmon's {len(worst)} worst pages:")
        for row in worst:
            print(f"- {row['url']} ({row['id'][:10]}): F1 {row['f1']:.3f}, "
                  f"P {row['precision']:.3f}, R {row['recall']:.3f}: {row['cause']}")
    if args.json:
        args.json.write_text(json.dumps({"summaries": summaries, "worst": worst,
                                         "results": results}, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
