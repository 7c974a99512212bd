"""Al Mayadeen's own pages against an earlier newsmon: the same fields, at the same cost?

    python -m bench.same_fields --base DIR [--pages 400]

``DIR`` holds another checkout of newsmon (e.g. ``git archive <commit> | tar -x -C
DIR``). Both trees parse the same generated article pages (``bench.sitegen``, as
``bench.extraction`` renders them) with ``parse_article``, each in a process of its
own, in runs ordered base, this, this, base (the machine is shared: CPU time,
``time.process_time``, after a warm-up). Prints the median CPU ms per page of each
tree and their ratio, and how many pages give different fields or field layers.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WARM_UP = 30


def _worker(out: str, count: int) -> None:
    from bench import sitegen
    from bench.extraction import make_response, site_pages
    from crawler.sites.almayadeen.parser import parse_article
    pages = site_pages(sitegen.generate(max(2000, count), seed=8), count)
    for url, body in pages[:WARM_UP]:
        parse_article(make_response(url, body))
    cpu, fields = [], []
    for url, body in pages:
        response = make_response(url, body)
        started = time.process_time()
        item = parse_article(response)
        cpu.append(1000 * (time.process_time() - started))
        fields.append((item.fields(), item.field_sources) if item else None)
    with open(out, "wb") as handle:
        pickle.dump({"cpu": cpu, "fields": fields}, handle)


def _run(tree: Path, out: Path, count: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "NEWSMON_CONFIG": os.devnull}
    # this file's worker, run against the tree's own crawler (and page generator:
    # bench/sitegen.py and bench/pages.py must be the same in both trees)
    code = ("import runpy; runpy.run_path(%r)['_worker'](%r, %d)"
            % (str(Path(__file__).resolve()), str(out), count))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tree)
    with open(out, "rb") as handle:
        return pickle.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_fields",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the earlier checkout")
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args(argv)
    runs: dict[str, list[dict]] = {"base": [], "this": []}
    with tempfile.TemporaryDirectory() as folder:
        for n, name in enumerate(("base", "this", "this", "base")):
            tree = args.base.resolve() if name == "base" else REPO
            runs[name].append(_run(tree, Path(folder) / f"{n}.pickle", args.pages))
    medians = {name: statistics.median(statistics.median(r["cpu"]) for r in rs)
               for name, rs in runs.items()}
    differ = sum(a != b for a, b in zip(runs["base"][0]["fields"], runs["this"][0]["fields"]))
    print(f"{args.pages} Al Mayadeen article pages")
    print(f"median CPU ms per page: base {medians['base']:.2f}, this {medians['this']:.2f}, "
          f"ratio {medians['this'] / medians['base']:.2f}")
    print(f"pages whose fields or field layers differ: {differ}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
