"""The replica's HTTP server: stdlib ThreadingHTTPServer in a daemon thread.

    with ReplicaServer() as server:          # binds 127.0.0.1 on a free port
        urlopen(server.base_url + "/")
        server.requested_paths()

Pages are rendered on request from ``content`` (and cached per URL); the only state is
the request log and the set of paths that already had their one 500 answer.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.replica import content, index_pages
from crawler.replica.article_pages import render_article
from crawler.replica.layout import Page

# A 1x1 transparent GIF, answered for every image path.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
         b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
CSS = b"body{font-family:sans-serif;margin:0}.news-card{display:inline-block;width:30%}\n"


def robots_txt() -> str:
    return ("User-agent: *\n"
            f"Disallow: {content.ROBOTS_DISALLOW}\n"
            "Disallow: /search\n")


@dataclass
class LoggedRequest:
    """One request the server answered (also readable as ``record["path"]``)."""
    method: str
    path: str                       # as requested, query included
    status: int
    user_agent: str | None
    headers: dict[str, str] = field(default_factory=dict)
    time: float = 0.0

    def __getitem__(self, name: str):
        return getattr(self, name)


class ReplicaServer:
    """The replica site on ``host:port`` (port 0: a free one), served from a thread.

    ``offsite_port``: the port used in the home page's link to "another site on the same
    host" (``http://127.0.0.1:<offsite_port>/news/politics/...``); when None, a free
    port nothing listens on is picked at start. ``offsite_origin`` gives the whole
    origin.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 offsite_port: int | None = None):
        self.host = host
        self.port = port
        self.offsite_port = offsite_port
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

    # -- routing -------------------------------------------------------------------

    def respond(self, raw_path: str) -> Page:
        """The response to a GET of ``raw_path`` (path plus optional query)."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query)
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
        page_number = 1
        if "page" in query and path in content.SECTION_INDEXES:
            try:
                page_number = int(query["page"][0])
            except ValueError:
                return index_pages.render_not_found()
        key = (path, page_number if path in content.SECTION_INDEXES else 1)
        cached = self._cache.get(key)
        if cached is None:
            cached = (render(path, page_number, self.base_url, self.offsite_origin)
                      or index_pages.render_not_found())
            self._cache[key] = cached
        return cached


def render(path: str, page_number: int, origin: str, offsite_origin: str) -> Page | None:
    """The page at an (unquoted) path for a replica at ``origin``; None: unknown path.

    Stateless: redirects and the one-time 500 are the server's business.
    """
    if path == "/":
        return index_pages.render_home(origin, offsite_origin)
    if path == "/robots.txt":
        return Page(200, robots_txt().encode(), "text/plain; charset=utf-8")
    if path in content.BY_PATH:
        return render_article(content.BY_PATH[path], origin)
    if path in content.SECTION_INDEXES:
        return index_pages.render_section(path, page_number, origin)
    if path in content.CATEGORY_INDEXES:
        return index_pages.render_category(path, origin)
    if path in content.REGION_INDEXES:
        return index_pages.render_region(path.rsplit("/", 1)[1], origin)
    if path.startswith("/tags/"):
        return index_pages.render_tag(path[len("/tags/"):], origin)
    if path == "/authors":
        return index_pages.render_authors(origin)
    if path.startswith("/authors/"):
        return index_pages.render_author(path[len("/authors/"):], origin)
    if path == "/live":
        return index_pages.render_live(origin)
    if path in index_pages.STATIC_PAGES:
        return index_pages.render_static(path, origin)
    if path.startswith(("/media/image/", "/images/")):
        return Page(200, PIXEL, "image/gif")
    if path == "/assets/css/main.css":
        return Page(200, CSS, "text/css; charset=utf-8")
    return None


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
        try:
            page = self.replica.respond(self.path)
        except Exception:  # a bug in rendering: answer 500 rather than hang up
            page = Page(500, b"internal error\n", "text/plain; charset=utf-8")
        # Logged before answering, so a client that got its response finds it logged.
        self.replica.log(LoggedRequest(
            method=self.command, path=self.path, status=page.status,
            user_agent=self.headers.get("User-Agent"), headers=dict(self.headers.items()),
            time=time.time()))
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


def serve_forever(port: int = 8000, host: str = "127.0.0.1",
                  offsite_port: int | None = None) -> None:
    """Serve the replica until Ctrl-C (``python -m crawler.replica``)."""
    server = ReplicaServer(host, port, offsite_port).start()
    print(f"Replica of Al Mayadeen English at {server.base_url}/ (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
