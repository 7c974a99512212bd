"""The replica's HTTP request handler: GET and HEAD answered from
``ReplicaServer.respond``, with what a real web server adds around a page.

Conditional requests: every 200 answer carries an ETag (a hash of the page), article
pages a Last-Modified (the article's modified time); If-None-Match (which wins) or
If-Modified-Since get a 304 when nothing changed. Bodies are gzipped when the client
accepts it. ``article_delay`` and ``path_delays`` of the server hold answers back; every
request is logged before it is answered.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import Protocol

from crawler.replica import js_pages, raw_faults
from crawler.replica.layout import Page
from crawler.replica.state import LoggedRequest


class ServedReplica(Protocol):
    """What the handler needs of its ``ReplicaServer`` (declared here, as the server
    module imports this one)."""
    faults: bool
    js_pages: bool
    article_delay: float
    path_delays: dict[str, float]

    def respond(self, raw_path: str) -> Page: ...

    def log(self, record: LoggedRequest) -> None: ...


class ReplicaRequestHandler(BaseHTTPRequestHandler):
    """One request to a ``ReplicaServer`` (``replica``: set on a subclass per server)."""

    replica: ServedReplica

    def version_string(self) -> str:
        return "nginx"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def _answer(self, with_body: bool) -> None:
        if self.replica.faults and raw_faults.answer_raw(self):  # resets, timeouts, ...
            return
        try:
            page = (self.replica.js_pages and js_pages.interstitial(
                self.path, self.headers.get("Cookie"))) or self.replica.respond(self.path)
        except Exception:  # a bug in rendering: answer 500 rather than hang up
            page = Page(500, b"internal error\n", "text/plain; charset=utf-8")
        if getattr(page, "article_key", None) and self.replica.article_delay:
            time.sleep(self.replica.article_delay)
        if self.replica.path_delays.get(self.path):
            time.sleep(self.replica.path_delays[self.path])
        etag = weak_etag(page) if page.status == 200 else None
        if etag and not_modified(self.headers, etag, page.headers.get("Last-Modified")):
            page = Page(304, b"", page.content_type, {**page.headers, "ETag": etag})
        # Logged before answering, so a client that got its response finds it logged.
        self.replica.log(LoggedRequest(
            method=self.command, path=self.path, status=page.status,
            user_agent=self.headers.get("User-Agent"), headers=dict(self.headers.items()),
            time=time.time()))
        if page.status == 304:
            self.send_response(304)
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        if etag:
            page = Page(page.status, page.body, page.content_type, {**page.headers, "ETag": etag})
        body = page.body
        encoding = self.headers.get("Accept-Encoding", "")
        gzipped = bool(body) and "gzip" in encoding.lower()
        if gzipped:
            body = gzip.compress(body, mtime=0)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)


def weak_etag(page: Page) -> str:
    """A weak ETag from the page's content (weak: gzip and identity share it)."""
    digest = getattr(page, "_etag", None)
    if digest is None:
        digest = page._etag = hashlib.sha256(page.body).hexdigest()[:32]  # type: ignore[attr-defined]
    return f'W/"{digest}"'


def not_modified(headers, etag: str, last_modified: str | None) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = headers.get("If-Modified-Since")
    if since and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
