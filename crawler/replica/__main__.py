"""``python -m crawler.replica --port 8000``: serve the replica until Ctrl-C.

``--edition ar|es`` serves the Arabic or Spanish edition's replica instead of the
English one (``crawler.replica.editions``); ``--sibling EDITION=ORIGIN`` says where
another edition's replica runs, for the hreflang links between the same stories.

``--live`` serves the live replica (``crawler.replica.live``): a site that publishes
on a clock (``--seed``, ``--hours`` of schedule, ``--speed`` replica seconds per real
second; ``--history-hours`` of articles published before its clock starts)."""

import argparse

from crawler.replica.server import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.replica",
                                     description="Serve the local replica of the site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--offsite-port", type=int, default=None,
                        help="port of the off-site link on the home page (default: a free one)")
    parser.add_argument("--layout", choices=["normal", "redesign", "broken"],
                        default="normal", help="the site's templates (default: normal)")
    parser.add_argument("--live", action="store_true",
                        help="publish on a clock: articles, breaking items, edits")
    parser.add_argument("--seed", type=int, default=1, help="live: the schedule's seed")
    parser.add_argument("--hours", type=float, default=24.0,
                        help="live: replica hours of schedule (default: 24)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="live: replica seconds per real second (default: 1)")
    parser.add_argument("--history-hours", type=float, default=3.0,
                        help="live: replica hours of articles already published when the "
                             "clock starts (default: 3)")
    parser.add_argument("--edition", choices=["en", "ar", "es"], default="en",
                        help="which edition's replica to serve (default: en)")
    parser.add_argument("--sibling", action="append", default=[], metavar="EDITION=ORIGIN",
                        help="another edition's replica origin, for the links between the "
                             "same stories (default: the real sites)")
    args = parser.parse_args()
    siblings = {}
    for pair in args.sibling:
        edition, sep, origin = pair.partition("=")
        if not sep or edition not in ("en", "ar", "es") or not origin.startswith("http"):
            parser.error(f"--sibling expects EDITION=ORIGIN (en/ar/es), got {pair!r}")
        siblings[edition] = origin
    if args.edition != "en" and (args.live or args.layout != "normal"):
        parser.error("--live and --layout serve the English replica only")
    if args.live:
        from crawler.replica.live import serve_live

        serve_live(args.port, args.host, args.seed, args.hours, args.speed, args.history_hours)
        return
    serve_forever(args.port, args.host, args.offsite_port, args.layout, args.edition,
                  siblings)


if __name__ == "__main__":
    main()
