"""Serve a ``sitegen.Site`` on 127.0.0.1 from memory, pre-rendered and gzip-compressed.

    with BenchServer(site) as server:     # binds a free port, renders every page
        server.base_url, server.requests, server.cpu_seconds()

Every page is rendered and compressed before the first request (pages carry absolute
URLs, so after the port is known), so that serving costs the same for every crawler
measured against it: a dict lookup and a socket write. HTTP/1.1 with keep-alive, one
thread per connection (stdlib ThreadingHTTPServer).
"""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.replica.index_pages import render_not_found
from crawler.replica.model import REGIONS
from crawler.replica.routes import PIXEL

from bench import pages
from bench.sitegen import Site

HTML = "text/html; charset=utf-8"
ROBOTS = b"User-agent: *\nDisallow: /search\n"


class _Entry:
    __slots__ = ("status", "content_type", "gz", "size")

    def __init__(self, status: int, content_type: str, body: bytes):
        self.status, self.content_type, self.size = status, content_type, len(body)
        self.gz = gzip.compress(body, compresslevel=6, mtime=0)

    def body(self) -> bytes:
        return gzip.decompress(self.gz)


class BenchServer:
    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0):
        self.site = site
        self.host = host
        self.port = port
        self.pages: dict[str, _Entry] = {}
        self.requests = 0
        self.bytes_sent = 0
        self.first_request: float | None = None    # perf_counter of the crawl's window
        self.last_response: float | None = None
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._not_found = _Entry(404, HTML, render_not_found().body)
        self._pixel = _Entry(200, "image/gif", PIXEL)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "BenchServer":
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 128
        self.port = self._httpd.server_address[1]
        self._render_all()
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True,
                                        name=f"bench-site-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> "BenchServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _render_all(self) -> None:
        site, origin = self.site, self.base_url
        self.pages["/robots.txt"] = _Entry(200, "text/plain; charset=utf-8", ROBOTS)
        self.pages["/"] = _Entry(200, HTML, pages.render_home(site, origin))
        for path in site.sections:
            for number in range(1, site.section_pages(path) + 1):
                key = path if number == 1 else f"{path}?page={number}"
                self.pages[key] = _Entry(200, HTML, pages.render_section(site, path, number,
                                                                         origin))
        for slug, name in REGIONS.items():
            self.pages[f"/regions/{slug}"] = _Entry(200, HTML, pages.render_region(
                site, slug, name, origin))
        for a in site.articles:
            self.pages[a["path"]] = _Entry(200, HTML, pages.render_article(site, a, origin))

    def page_bytes(self, path: str) -> bytes:
        """The uncompressed body served at a path (with ?page=N for indexes)."""
        return self.lookup(path).body()

    def lookup(self, raw_path: str) -> _Entry:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        if path in self.site.sections:
            number = (parse_qs(parts.query).get("page") or ["1"])[0]
            key = path if number == "1" else f"{path}?page={number}"
            return self.pages.get(key, self._not_found)
        if path.startswith(("/media/image/", "/images/")):
            return self._pixel
        return self.pages.get(path, self._not_found)

    def count(self, sent: int, started: float) -> None:
        with self._lock:
            self.requests += 1
            self.bytes_sent += sent
            self.first_request = min(started, self.first_request or started)
            self.last_response = time.perf_counter()

    def reset_counters(self) -> None:
        with self._lock:
            self.requests = self.bytes_sent = 0
            self.first_request = self.last_response = None

    def window(self) -> float:
        """Seconds from the first request to the last response since the reset."""
        if self.first_request is None or self.last_response is None:
            return 0.0
        return self.last_response - self.first_request


class _Handler(BaseHTTPRequestHandler):
    server_state: BenchServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True     # headers and body are two writes: no 40 ms stalls

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        started = time.perf_counter()
        entry = self.server_state.lookup(self.path)
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "").lower()
        body = entry.gz if gzipped else entry.body()
        self.send_response(entry.status)
        self.send_header("Content-Type", entry.content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)
        self.server_state.count(len(body), started)
