"""``python -m crawler.replica --port 8000``: serve the replica until Ctrl-C."""

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
    args = parser.parse_args()
    serve_forever(args.port, args.host, args.offsite_port, args.layout)


if __name__ == "__main__":
    main()
