"""The `newsmon` command line: one module per group of commands, grouped by what a
user does (crawling, reading what was stored, running unattended); `main` parses and
dispatches. The top layer: it may import every package below it."""

from crawler.cli.main import build_parser, cli_commands, main

__all__ = ["build_parser", "cli_commands", "main"]
