"""Profile the hot path with pyinstrument (the ``bench`` extra).

    python -m bench.profile                 # parse_article + parse_index over 200 pages
    python -m bench.profile --crawl         # a whole `newsmon crawl` of a 500-article site
    python -m bench.profile --timing        # no profiler: ms per page of each parser

Text reports go to stdout; ``--out FILE.html`` writes pyinstrument's HTML report too.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import crawls, sitegen
from bench.extraction import make_response, site_pages
from bench.server import BenchServer


def _parse_all(responses_args: list[tuple[str, bytes]], rounds: int) -> None:
    from crawler.sites.almayadeen.index import parse_index
    from crawler.sites.almayadeen.parser import parse_article
    for _ in range(rounds):
        for url, body in responses_args:
            response = make_response(url, body)
            parse_article(response)
            parse_index(response)


def timing(pages: list[tuple[str, bytes]], rounds: int = 3) -> dict[str, float]:
    """CPU ms per page of parse_article, parse_index, and both on one response (the
    best of ``rounds``: CPU time, not wall time, as the machine is shared)."""
    from crawler.sites.almayadeen.index import parse_index
    from crawler.sites.almayadeen.parser import parse_article
    out: dict[str, float] = {}
    for name, work in (("parse_article", lambda r: parse_article(r)),
                       ("parse_index", lambda r: parse_index(r)),
                       ("both", lambda r: (parse_article(r), parse_index(r)))):
        runs = []
        for _ in range(rounds):
            started = time.process_time()
            for url, body in pages:
                work(make_response(url, body))
            runs.append(1000 * (time.process_time() - started) / len(pages))
        out[name] = round(min(runs), 2)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--crawl", action="store_true", help="profile a newsmon crawl")
    parser.add_argument("--timing", action="store_true", help="ms per page, no profiler")
    parser.add_argument("--articles", type=int, default=500, help="site size for --crawl")
    parser.add_argument("--out", help="also write an HTML report here")
    args = parser.parse_args(argv)
    if args.crawl:
        profile_crawl(args.articles, args.out)
        return
    site = sitegen.generate(args.pages)
    pages = site_pages(site, args.pages)
    if args.timing:
        print(timing(pages))
        return
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.0005)
    profiler.start()
    _parse_all(pages, 1)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.out:
        Path(args.out).write_text(profiler.output_html(), encoding="utf-8")


# Where a crawl's time goes: the first frame (from the root) matching a category
# takes its whole subtree.
CATEGORIES = (
    ("storage (item pipelines: crawler/crawl/pipelines.py, crawler/db)",
     lambda f: f.class_name == "ItemPipelineManager" and f.function == "_process_chain"),
    ("parsing (parse_article, parse_index)", lambda f: f.function in (
        "parse_article", "parse_index") and "crawler/sites/" in (f.file_path or "")),
)


def breakdown(session) -> dict[str, float]:
    """Seconds per category of a pyinstrument session of a crawl: storage and parsing
    inside Scrapy's loop, the rest of the loop (Scrapy's engine, Twisted, downloads,
    the spider's own code), and what runs outside it (imports, schema check, summary)."""
    totals = {name: 0.0 for name, _match in CATEGORIES}
    loop = 0.0
    stack = [(session.root_frame(), False)]
    while stack:
        frame, in_loop = stack.pop()
        if not in_loop and frame.function == "start" and "scrapy/crawler.py" in (
                frame.file_path or ""):
            loop += frame.time
            in_loop = True
        matched = in_loop and next((name for name, match in CATEGORIES if match(frame)), None)
        if matched:
            totals[matched] += frame.time
        else:
            stack.extend((child, in_loop) for child in frame.children)
    totals["rest of the crawl loop (Scrapy, Twisted, spider)"] = loop - sum(totals.values())
    totals["outside the crawl loop (imports, schema, summary)"] = session.duration - loop
    return {name: round(value, 2) for name, value in totals.items()}


def profile_crawl(articles: int, html_out: str | None) -> None:
    from pyinstrument.session import Session
    site = sitegen.generate(articles)
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp, BenchServer(site) as server:
        db, session_file = Path(tmp) / "profile.sqlite3", Path(tmp) / "crawl.pyisession"
        cmd = crawls.newsmon_command(server.base_url, f"sqlite:///{db}", 16)
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o",
               str(session_file), *cmd[1:]]
        subprocess.run(cmd, env=crawls._clean_env(), timeout=900, check=True,
                       stdout=subprocess.DEVNULL)
        session = Session.load(str(session_file))
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
    print(ConsoleRenderer(unicode=True, color=False, show_all=False).render(session))
    print(f"{articles} articles, {session.duration:.1f} s profiled:")
    for name, seconds in breakdown(session).items():
        print(f"  {name:60s} {seconds:7.2f} s  {1000 * seconds / articles:6.2f} ms/article")
    if html_out:
        Path(html_out).write_text(HTMLRenderer().render(session), encoding="utf-8")


if __name__ == "__main__":
    main()
