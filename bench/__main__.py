"""``python -m bench [--quick] [--json FILE] [--chart FILE]``: run the benchmarks.

Full mode (the default) measures the sizes the goals name (2,000 and 10,000 articles)
and writes docs/bench-throughput.png; ``--quick`` runs small sizes in under a minute
and writes its chart to the temporary folder unless ``--chart`` says otherwise.
Prints a Markdown table (the one in docs/BENCHMARKS.md); ``--json`` keeps every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

from bench import report, run

DOCS_CHART = Path(__file__).resolve().parents[1] / "docs" / "bench-throughput.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--articles", type=int, help="size of the throughput site")
    parser.add_argument("--repeats", type=int, help="baseline/newsmon pairs at concurrency 16")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL storage")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--chart", type=Path, help="where to write the PNG chart")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    plan = run.plan_named("quick" if args.quick else "full", repeats=args.repeats,
                          postgres=False if args.no_postgres else None)
    if args.articles:
        sizes = (args.articles, *plan.memory_sizes[1:])
        plan = run.plan_named(plan.name, articles=args.articles, memory_sizes=sizes,
                              repeats=plan.repeats, postgres=plan.postgres)
    chart = args.chart or (DOCS_CHART if plan.name == "full"
                           else Path(tempfile.gettempdir()) / "bench-throughput-quick.png")
    results = run.run(plan, chart_path=chart)
    print(report.markdown(results))
    if "chart" in results:
        print(f"\nChart: {results['chart']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
