"""The replica's HTTP server: stdlib ThreadingHTTPServer in a daemon thread.

    with ReplicaServer() as server:          # binds 127.0.0.1 on a free port
        urlopen(server.base_url + "/")
        server.requested_paths()

Pages are rendered on request from ``content`` (and cached per URL); the state is the
request log, the set of paths that already had their one 500 answer, and the changes
a test makes at run time (``add_article``, ``edit_article``, ``set_breaking``).

Conditional requests: every 200 answer carries an ETag (a hash of the page), article
pages a Last-Modified (the article's modified time); If-None-Match (which wins) or
If-Modified-Since get a 304 when nothing changed. ``article_delay`` (seconds) slows
article pages down, e.g. to interrupt a crawl midway; ``path_delays`` (path and query
-> seconds) holds chosen pages back, e.g. to cut an index chain at a chosen page.
Sitemaps: ``sitemaps``.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.replica import (changes, content, faults, index_pages, js_pages, raw_faults,
                             redesign, state)
from crawler.replica.layout import Page
from crawler.replica.routes import render, robots_txt
from crawler.replica.state import LoggedRequest

class ReplicaServer:
    """The replica site on ``host:port`` (port 0: a free one), served from a thread.

    ``offsite_port``: the port used in the home page's link to "another site on the same
    host" (``http://127.0.0.1:<offsite_port>/news/politics/...``); when None, a free
    port nothing listens on is picked at start. ``offsite_origin`` gives the whole
    origin. ``js_pages``: also serve the pages that need JavaScript (``js_pages``: the
    "Latest" section in the menu, its JSON-only pages, the cookie-checked article).
    ``layout``: "normal", "broken" (``faults``) or "redesign" (``redesign``: the same
    content, every template redesigned); it can be switched while serving.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 offsite_port: int | None = None, article_delay: float = 0.0,
                 js_pages: bool = False, faults: bool = False, layout: str = "normal",
                 edition: str = "en", sibling_origins: dict[str, str] | None = None):
        if edition not in ("en", "ar", "es"):
            raise ValueError(f"unknown edition {edition!r}")
        self.host = host
        # "ar" / "es": serve that edition's replica (crawler.replica.editions) instead;
        # its pages link the same stories in the other editions at sibling_origins
        # (edition -> origin; by default the real sites).
        self.edition = edition
        self.sibling_origins = dict(sibling_origins or {})
        # Opt-in faults and a broken layout for the reliability tests (replica.faults).
        self.faults = faults
        self.layout = layout
        self.js_pages = js_pages
        self.port = port
        self.offsite_port = offsite_port
        self.article_delay = article_delay
        self.path_delays: dict[str, float] = {}
        # robots.txt variants: lines added to its "User-agent: *" group, or another status
        self.robots_extra = ""
        self.robots_status = 200
        self._articles: list[dict] | None = None   # None: content.ARTICLES
        self._breaking: list[str] | None = None    # None: model.BREAKING
        self.request_log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._failed_once: set[str] = set()
        self._cache: dict[tuple, Page] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> "ReplicaServer":
        if self._httpd is not None:
            return self
        handler = type("Handler", (_Handler,), {"replica": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        if self.offsite_port is None:
            self.offsite_port = _free_port(self.host)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"replica-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> "ReplicaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("ReplicaServer not started")
        return f"http://{self.host}:{self.port}"

    @property
    def offsite_origin(self) -> str:
        return f"http://{self.host}:{self.offsite_port}"

    # -- the log -------------------------------------------------------------------

    def log(self, record: LoggedRequest) -> None:
        with self._log_lock:
            self.request_log.append(record)

    def requested_paths(self) -> list[str]:
        """Paths (with query) of every request so far, in order."""
        with self._log_lock:
            return [r.path for r in self.request_log]

    def clear_log(self) -> None:
        with self._log_lock:
            self.request_log.clear()

    # -- changing the site while it is served ----------------------------------------

    def articles(self) -> list[dict]:
        """The articles this server serves (the truth plus its changes)."""
        with self._state_lock:
            return list(content.ARTICLES if self._articles is None else self._articles)

    def add_article(self, record: dict) -> dict:
        """Publish an article (a record as in ``content``; ``changes.new_article``
        builds one). Returns the record as served."""
        article = content.normalise(record)
        with self._state_lock:
            current = content.ARTICLES if self._articles is None else self._articles
            if any(a["key"] == article["key"] or a["path"] == article["path"]
                   for a in current):
                raise ValueError(f"an article {article['key']!r} or its path exists")
            self._articles = [*current, article]
            self._cache.clear()
        return article

    def edit_article(self, key: str, *, title: str | None = None, summary: str | None = None,
                     body: str | list | None = None, modified: datetime | None = None) -> dict:
        """Change an article's text (its URL stays); ``modified`` defaults to now.
        Returns the record as served."""
        with self._state_lock:
            current = content.ARTICLES if self._articles is None else self._articles
            index = next((i for i, a in enumerate(current) if a["key"] == key), None)
            if index is None:
                raise KeyError(key)
            edited = changes.edited(current[index], title=title, summary=summary, body=body,
                                    modified=modified)
            self._articles = [*current[:index], edited, *current[index + 1:]]
            self._cache.clear()
        return edited

    def set_card_title(self, key: str, title: str | None) -> None:
        """Index cards of an article show ``title`` instead of the article's own (as a
        home page's shorter headline does); None: the article's title again."""
        with self._state_lock:
            current = content.ARTICLES if self._articles is None else self._articles
            self._articles = [({**a, "card_title": title} if a["key"] == key else a)
                              for a in current]
            self._cache.clear()

    def reset(self) -> None:
        """Serve the truth again (undo every change) and clear the request log; the
        page that fails once has had its failure."""
        with self._state_lock:
            self._articles = self._breaking = None
            self._cache.clear()
        self.clear_log()

    def set_breaking(self, texts: list[str] | None) -> None:
        """Show these breaking-news items on every page (None: the original ones)."""
        with self._state_lock:
            self._breaking = None if texts is None else list(texts)
            self._cache.clear()

    # -- routing -------------------------------------------------------------------

    def respond(self, raw_path: str) -> Page:
        """The response to a GET of ``raw_path`` (path plus optional query)."""
        if self.edition != "en":
            return self._respond_edition(raw_path)
        with self._state_lock:
            served = (self._articles, self._breaking)
        tokens = (state.ARTICLES.set(served[0]), state.BREAKING.set(served[1]))
        menu_token = state.EXTRA_MENU.set(js_pages.MENU_ITEM if self.js_pages else "")
        try:
            if urlsplit(raw_path).path == "/robots.txt" and (
                    self.robots_extra or self.robots_status != 200):
                return Page(self.robots_status, b"<h1>Error</h1><p>Disallow: /</p>\n"
                            if self.robots_status != 200 else
                            robots_txt(self.base_url, self.robots_extra).encode(),
                            "text/plain; charset=utf-8")
            if self.faults or self.layout != "normal":  # opt-in (replica.faults)
                return faults.respond(self, raw_path, self._respond)
            return self._respond(raw_path)
        finally:
            state.EXTRA_MENU.reset(menu_token)
            state.BREAKING.reset(tokens[1])
            state.ARTICLES.reset(tokens[0])

    def _respond_edition(self, raw_path: str) -> Page:
        from crawler.replica.editions import routes as edition_routes

        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        key = ("edition", path, parts.query)
        cached = self._cache.get(key)
        if cached is None:
            cached = edition_routes.render(self.edition, path, parse_qs(parts.query),
                                           self.base_url, self.sibling_origins) \
                or index_pages.render_not_found()
            with self._state_lock:
                self._cache[key] = cached
        return cached

    def _respond(self, raw_path: str) -> Page:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query)
        if self.js_pages and (js_page := js_pages.render(path, query, self.base_url)):
            return js_page
        if path in content.OLD_PATHS:
            return Page(301, b"", "text/html; charset=utf-8",
                        {"Location": self.base_url + content.OLD_PATHS[path]})
        if path == content.EDGE_CASES["error_once"]["path"]:
            with self._state_lock:
                first = path not in self._failed_once
                self._failed_once.add(path)
            if first:
                return Page(500, b"<!DOCTYPE html><html><body><h1>500 Internal Server "
                                 b"Error</h1></body></html>\n")
        # (the redesign's index pages are "/news/politics/page/2")
        path, page_number = redesign.split_page(path) if self.layout == "redesign" else (path, 1)
        if "page" in query and path in content.SECTION_INDEXES:
            try:
                page_number = int(query["page"][0])
            except ValueError:
                return index_pages.render_not_found()
        key = (self.layout, path, page_number if path in content.SECTION_INDEXES else 1)
        cached = self._cache.get(key)
        if cached is None:
            cached = (render(path, page_number, self.base_url, self.offsite_origin,
                             self.layout) or index_pages.render_not_found())
            if self.sibling_origins and getattr(cached, "article_key", None):
                cached = _with_edition_links(cached, self.base_url, self.sibling_origins)
            with self._state_lock:  # not a page of a site that changed meanwhile
                if state.ARTICLES.get() is self._articles and \
                        state.BREAKING.get() is self._breaking:
                    self._cache[key] = cached
        return cached


def _with_edition_links(page: Page, origin: str, sibling_origins: dict[str, str]) -> Page:
    """An English article page with hreflang links to its story in the Arabic and
    Spanish replicas at ``sibling_origins`` (only when a test names them: the English
    replica's pages are otherwise unchanged)."""
    from crawler.replica.editions.content import english_sibling_links

    links = english_sibling_links(page.article_key, {  # type: ignore[attr-defined]
        e: o for e, o in sibling_origins.items() if e != "en"})
    if not links:
        return page
    path = content.BY_KEY[page.article_key]["path"]  # type: ignore[attr-defined]
    tags = "".join(f'<link rel="alternate" hreflang="{lang}" href="{url}">\n'
                   for lang, url in [("en", origin.rstrip("/") + path), *links])
    charset = page.content_type.split("charset=")[-1]
    html = page.body.decode(charset).replace("</head>", tags + "</head>", 1)
    out = Page(page.status, html.encode(charset, errors="xmlcharrefreplace"),
               page.content_type, dict(page.headers))
    out.article_key = page.article_key  # type: ignore[attr-defined]
    return out


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    replica: ReplicaServer
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
        etag = _etag(page) if page.status == 200 else None
        if etag and _not_modified(self.headers, etag, page.headers.get("Last-Modified")):
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


def _etag(page: Page) -> str:
    """A weak ETag from the page's content (weak: gzip and identity share it)."""
    digest = getattr(page, "_etag", None)
    if digest is None:
        digest = page._etag = hashlib.sha256(page.body).hexdigest()[:32]  # type: ignore[attr-defined]
    return f'W/"{digest}"'


def _not_modified(headers, etag: str, last_modified: str | None) -> bool:
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


_EDITION_NAMES = {"en": "Al Mayadeen English", "ar": "Al Mayadeen (Arabic)",
                  "es": "Al Mayadeen Español"}


def serve_forever(port: int = 8000, host: str = "127.0.0.1",
                  offsite_port: int | None = None, layout: str = "normal",
                  edition: str = "en", sibling_origins: dict[str, str] | None = None) -> None:
    """Serve the replica until Ctrl-C (``python -m crawler.replica``)."""
    server = ReplicaServer(host, port, offsite_port, layout=layout, edition=edition,
                           sibling_origins=sibling_origins).start()
    print(f"Replica of {_EDITION_NAMES[edition]} at {server.base_url}/ (Ctrl-C to stop)",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
