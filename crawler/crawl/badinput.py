"""Bad input at an article URL: recognise it, say it in one line, keep crawling.

The spider calls these around ``parse_article`` and turns each problem into a
``FetchErrorItem`` (one ``fetch_errors`` row and one "Fetch error: URL (reason)" log
line, see docs/RELIABILITY.md); nothing here raises on a bad page.

- ``screen(response)``: what cannot be parsed at all (not text, an empty 200, binary
  bytes served as HTML), and a charset declaration the body contradicts, repaired: the
  page is read in the charset its bytes are in.
- ``metadata_problems(response)``: JSON-LD or tawsiyat metadata that does not parse,
  dates the parser does not understand; the article is still stored, from the other
  layers (``crawler.sites.almayadeen.parser`` reads every field in layers).
- ``describe_failure(failure)``: a download that failed (timeout, size limit,
  truncated body, connection reset or refused, DNS), as a short reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, resolve_encoding

from crawler.extract import jsonld
from crawler.extract.dates import parse_date
from crawler.extract.document import html_selector
from crawler.extract.jsonld import load_json_lenient
from crawler.extract.meta import read_meta

# File signatures of formats that are never HTML.
_MAGIC = (b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04",
          b"\x1f\x8b", b"\x00\x00\x01\x00", b"RIFF", b"OggS", b"ID3", b"\x7fELF",
          b"\x00asm", b"BZh")
_SINGLE_BYTE = re.compile(r"^(cp125\d|iso8859_\d+|latin_1|ascii|windows-125\d|"
                          r"iso-8859-\d+|cp437|mac_roman|koi8_[ru])$")
_TAWSIYAT_XPATH = ('//script[@id="tawsiyat-metadata"]/text()'
                   ' | //script[translate(@type, "TAWSIYT", "tawsiyt")="text/tawsiyat"]/text()')
_LD_XPATH = ('//script[translate(@type, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", '
             '"abcdefghijklmnopqrstuvwxyz")="application/ld+json"]/text()')


@dataclass
class Screened:
    response: Response | None   # what to parse (None: nothing can be)
    problem: str | None = None  # the reason for a fetch error, if any


def _content_type(response: Response) -> str:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1").strip() if value else "none"


# Bytes that text never holds: below TAB, and from SO to US except ESC (ISO-2022).
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or (13 < b < 32 and b != 27))


def looks_binary(body: bytes) -> bool:
    """A known binary signature, or more than 5% control bytes in the first 4 KB (a
    stray NUL in a text page is not binary)."""
    head = body[:4096]
    if head.startswith(_MAGIC):
        return True
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > len(head) * 0.05


def screen(response: Response) -> Screened:
    """Whether (and as what) to parse the response of an article URL."""
    if not isinstance(response, TextResponse):
        return Screened(None, f"not an HTML page: Content-Type {_content_type(response)}, "
                              f"{len(response.body)} bytes")
    body = response.body
    if not body.strip():
        return Screened(None, f"empty response: HTTP {response.status} with no content")
    if looks_binary(body):
        return Screened(None, f"binary content at an HTML URL: Content-Type "
                              f"{_content_type(response)}, {len(body)} bytes, "
                              f"starting {body[:8]!r}")
    return Screened(*fix_charset(response))


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)
    if resolved is None:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def fix_charset(response: TextResponse) -> tuple[TextResponse, str | None]:
    """The response read in the charset its body is really in, and what was wrong.

    - Declared UTF-8 (header or <meta>) but the bytes are not: when they hold no valid
      UTF-8 multi-byte sequence at all, the page is in a single-byte charset (its
      <meta> declaration if it names one, else windows-1252); otherwise it is UTF-8 with
      a few bad bytes, kept (replaced by U+FFFD).
    - Declared a single-byte charset but the bytes are valid UTF-8 with non-ASCII
      characters: UTF-8 (read otherwise, every accent would be two wrong letters).
    """
    body = response.body
    declared = _codec(response.encoding) or "utf-8"
    if declared == "utf-8":
        try:
            body.decode("utf-8")
            return response, None
        except UnicodeDecodeError:
            pass
        text = body.decode("utf-8", "replace")
        bad = text.count("\ufffd")
        if any(ord(c) > 0x7F and c != "\ufffd" for c in text):
            return response, (f"bad bytes for the declared charset {response.encoding}: "
                              f"{bad} undecodable sequences replaced")
        meta = _codec(html_body_declared_encoding(body))
        fallback = meta if meta and meta != "utf-8" else "cp1252"
        try:
            body.decode(fallback)
        except UnicodeDecodeError:
            fallback = "latin-1"
        return (response.replace(encoding=fallback),
                f"wrong charset: declared {response.encoding}, but the body is not UTF-8; "
                f"read as {fallback}")
    if _SINGLE_BYTE.match(declared) and not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return response, None
        return (response.replace(encoding="utf-8"),
                f"wrong charset: declared {response.encoding}, but the body is UTF-8; "
                f"read as utf-8")
    return response, None


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def metadata_problems(response: TextResponse) -> list[str]:
    """Metadata of an article page the parser had to skip (it read the fields from
    the other layers): JSON that does not parse, dates it does not understand."""
    selector = html_selector(response)
    if selector is None:
        return []
    problems: list[str] = []
    for number, raw in enumerate(selector.xpath(_LD_XPATH).getall(), start=1):
        try:
            load_json_lenient(raw)
        except (ValueError, RecursionError) as exc:
            problems.append(f"JSON-LD block {number} does not parse ({exc})")
    taw: Any = None
    raw = selector.xpath(_TAWSIYAT_XPATH).get()
    if raw is not None and raw.strip():
        try:
            taw = load_json_lenient(raw)
        except (ValueError, RecursionError) as exc:
            problems.append(f"tawsiyat metadata does not parse ({exc})")
        else:
            if not isinstance(taw, dict):
                problems.append(f"tawsiyat metadata is a {type(taw).__name__}, not an object")
                taw = None
    dates: list[tuple[str, Any]] = []
    if taw:
        dates += [(f"tawsiyat {key}", taw.get(key)) for key in ("published_time",
                                                                 "last_updated")]
    article = jsonld.read_article(selector)
    if article:
        dates += [(f"JSON-LD {key}", jsonld.text_value(article.get(key)))
                  for key in ("datePublished", "dateModified", "uploadDate")]
    meta = read_meta(selector)
    dates += [(f"meta {key}", meta.get(key)) for key in ("article:published_time",
                                                         "article:modified_time")]
    for where, value in dates:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, str) or parse_date(value) is None:
            problems.append(f"date not understood: {where} {_short(value)}")
    return problems


_MAXSIZE_RE = re.compile(r"(\d+)\)? bytes which is larger than download max size "
                         r"\((\d+)\)|\((\d+)\) larger than download max size \((\d+)\)")


def describe_failure(failure: Any) -> str:
    """A failed download (a Twisted Failure from a request's errback), in words."""
    from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError,
                                   DownloadConnectionRefusedError, DownloadFailedError,
                                   DownloadTimeoutError, ResponseDataLossError)
    from twisted.internet import error as net
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    request = getattr(failure, "request", None)
    message = failure.getErrorMessage()
    if failure.check(DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError):
        timeout = request.meta.get("download_timeout") if request is not None else None
        within = f" within {timeout:g}s (DOWNLOAD_TIMEOUT)" if timeout else ""
        return f"timeout: no complete answer{within}"
    if failure.check(DownloadCancelledError):
        match = _MAXSIZE_RE.search(message)
        if match:
            size, limit = [g for g in match.groups() if g is not None]
            return (f"too large: {size} bytes, over the {limit} of DOWNLOAD_MAXSIZE; "
                    f"not downloaded")
        return f"download cancelled: {message}"
    if failure.check(ResponseDataLossError):
        return "truncated response: the connection closed before the whole body arrived"
    if failure.check(DownloadConnectionRefusedError, net.ConnectionRefusedError):
        return "connection refused"
    if failure.check(CannotResolveHostError, net.DNSLookupError):
        return "DNS lookup failed"
    if failure.check(DownloadFailedError, ResponseNeverReceived, ResponseFailed,
                     net.ConnectionLost, net.ConnectionDone, ConnectionResetError):
        return f"connection reset or closed by the server ({failure.type.__name__})"
    return f"{failure.type.__name__}: {message}"
