"""Reading saved pages: `newsmon extract`, what newsmon would store from a page on disk.

    newsmon extract FILE [--url URL] [--format json] [--profile NAME]
    newsmon extract --manifest FILE.jsonl [--timings] [--profile NAME]

One JSON object per page with the export's article keys (``ARTICLE_EXPORT_KEYS``;
the ones the database keeps, ``first_seen_at``, ``last_seen_at`` and ``revision``, are
null), plus ``profile`` (the site profile that read it, chosen by the URL's host,
``crawler.sites.profiles``, or ``--profile``: a page of a replica on 127.0.0.1, say), ``is_article`` and ``reason`` (the page's signal that
decided). The fields are filled for an article only (what a crawl would store).

A page's URL: ``--url`` (or the manifest line's ``url``), else the canonical URL the
page declares, else the file's own ``file://`` URL (the generic profile). A ``.gz``
file is read compressed. No network: files only. A manifest's lines are
``{"path": ..., "url": ...}`` (a relative path is the manifest's folder's); a page
that cannot be read gives ``{"path", "url", "error"}`` in its place, and the command
exits 1 after the last page.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.cli.common import EXIT_FAILED, EXIT_OK, UsageError, add_common_options, fail
from crawler.items import ARTICLE_EXPORT_KEYS

MAX_PAGE_BYTES = 50 * 1024 * 1024     # a saved page larger than this is not one


class PageError(Exception):
    """A page that cannot be read (one line, no traceback)."""


def add_parsers(sub: Any) -> None:
    extract = sub.add_parser(
        "extract", help="print what newsmon would store from a saved page (no network)",
        description="Print what newsmon would store from a saved HTML page (a .gz file "
                    "is read compressed): one JSON object with the export's article "
                    "keys plus profile, is_article and reason.")
    extract.add_argument("file", nargs="?", metavar="FILE", help="the saved page")
    extract.add_argument("--url", help="the page's URL (chooses the site profile; "
                                       "default: the page's canonical URL)")
    extract.add_argument("--format", choices=("json",), default="json",
                         help="json (the only format, default)")
    extract.add_argument("--manifest", metavar="FILE.jsonl",
                         help='pages to read, one {"path": ..., "url": ...} a line: one '
                              "JSON line out per page, in order")
    extract.add_argument("--timings", action="store_true",
                         help="add cpu_ms: the CPU milliseconds newsmon spent on the page")
    extract.add_argument("--profile", choices=("almayadeen", "generic"),
                         help="read every page with this site profile (default: chosen "
                              "by the URL's host)")
    add_common_options(extract)


# -- one page --------------------------------------------------------------------------

def read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_PAGE_BYTES:
            raise PageError(f"{path}: larger than {MAX_PAGE_BYTES // 2**20} MB")
        raw = path.read_bytes()
        if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise PageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PageError(f"{path}: is a directory") from None
    except PermissionError:
        raise PageError(f"{path}: permission denied") from None
    except (OSError, EOFError, zlib.error) as exc:     # (BadGzipFile is an OSError)
        raise PageError(f"{path}: cannot be read ({exc})") from None
    return raw


_CANONICAL_RE = re.compile(
    rb"""<link\b[^>]*\brel=["']?canonical["']?[^>]*\bhref=["']?(https?://[^"'\s>]+)|"""
    rb"""<link\b[^>]*\bhref=["']?(https?://[^"'\s>]+)["']?[^>]*\brel=["']?canonical|"""
    rb"""<meta\b[^>]*\bproperty=["']?og:url["']?[^>]*\bcontent=["']?(https?://[^"'\s>]+)""",
    re.I)


def declared_url(raw: bytes) -> str | None:
    found = _CANONICAL_RE.search(raw[:200_000])
    if not found:
        return None
    value = next(g for g in found.groups() if g)
    return value.decode("utf-8", "replace").replace("&amp;", "&")


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def extract_page(raw: bytes, url: str, chooser) -> dict[str, Any]:
    """What newsmon would store from the page's bytes at ``url``."""
    from scrapy.http import HtmlResponse

    from crawler.crawl.badinput import screen
    response = HtmlResponse(url=url, body=raw, headers={"Content-Type": "text/html"})
    checked = screen(response)
    if checked.response is None:
        raise PageError(checked.problem or "not an HTML page")
    head = raw[:65536].lower()
    if b"<" not in head or not re.search(rb"<(?:!doctype|html|head|body|meta|title|div|p|"
                                         rb"article|main)\b", head):
        raise PageError("not an HTML page: no HTML markup")
    profile = chooser(url)
    reading = profile.read_page(checked.response)
    record: dict[str, Any] = {key: None for key in ARTICLE_EXPORT_KEYS}
    record["url"] = url
    if reading.item is not None:
        fields = reading.item.fields()
        record.update({key: _json_value(value) for key, value in fields.items()})
        record["edition"] = reading.item.edition
    record.update(profile=profile.name, is_article=reading.is_article,
                  reason=reading.reason if reading.item is not None or not
                  reading.is_article else "no title or no body could be read")
    return record


def _page(path: Path, url: str | None, chooser, timings: bool) -> dict[str, Any]:
    started = time.process_time()
    raw = read_file(path)
    url = url or declared_url(raw) or path.resolve().as_uri()
    record = extract_page(raw, url, chooser)
    if timings:
        record["cpu_ms"] = round(1000 * (time.process_time() - started), 3)
    return record


# -- the command -----------------------------------------------------------------------

def _manifest_lines(manifest: Path):
    try:
        handle = manifest.open(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--manifest {manifest}: no such file") from None
    except OSError as exc:
        raise UsageError(f"--manifest {manifest}: cannot be read ({exc.strerror})") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, line
        except UnicodeDecodeError:
            raise UsageError(f"--manifest {manifest}: not UTF-8 text") from None


def _manifest_entry(line: str, folder: Path) -> tuple[Path, str | None]:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        raise PageError(f"not a JSON object: {exc.msg}") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) \
            or not entry["path"]:
        raise PageError('a line must be {"path": ..., "url": ...}')
    url = entry.get("url")
    if url is not None and not isinstance(url, str):
        raise PageError('"url" must be a string')
    path = Path(entry["path"])
    return (path if path.is_absolute() else folder / path), url or None


def run_manifest(manifest: Path, chooser, timings: bool) -> int:
    failed = total = 0
    out = sys.stdout
    for number, line in _manifest_lines(manifest):
        total += 1
        try:
            path, url = _manifest_entry(line, manifest.parent)
            record = _page(path, url, chooser, timings)
        except PageError as exc:
            failed += 1
            record = {"line": number, "error": str(exc)}
            try:
                record = {"path": json.loads(line).get("path"), "url": json.loads(
                    line).get("url"), **record}
            except (json.JSONDecodeError, AttributeError):
                pass
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    if failed:
        fail(f"extract: {failed} of {total} pages could not be read")
        return EXIT_FAILED
    return EXIT_OK


def extract(args) -> int:
    from crawler.sites.profiles import PROFILES, ProfileChooser
    if bool(args.file) == bool(args.manifest):
        raise UsageError("extract: give either FILE or --manifest FILE.jsonl")
    if args.manifest and args.url:
        raise UsageError("extract: --url goes with FILE; a manifest line has its own url")
    if args.profile:
        forced = PROFILES[args.profile]
        chooser = lambda _url: forced        # noqa: E731
    else:
        chooser = ProfileChooser().for_url
    if args.manifest:
        return run_manifest(Path(args.manifest), chooser, args.timings)
    try:
        record = _page(Path(args.file), args.url, chooser, args.timings)
    except PageError as exc:
        fail(f"extract: {exc}")
        return EXIT_FAILED
    print(json.dumps(record, ensure_ascii=False, indent=1))
    return EXIT_OK
