"""Real notifiers on 127.0.0.1 for the alert tests: an SMTP server (aiosmtpd) and a
webhook receiver (http.server), each able to refuse its first N deliveries, and to
run a callback when a delivery arrives (before answering)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

ALERT_ID = re.compile(r"Alert ids?: ([0-9a-f, ]+)")


def alert_keys(text: str) -> list[str]:
    """The alert ids a notification names."""
    return [k.strip() for m in ALERT_ID.findall(text) for k in m.split(",") if k.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    """What a notifier received: (monotonic time, title/subject, body) tuples."""

    def __init__(self) -> None:
        self.items: list[tuple[float, str, str]] = []
        self.lock = threading.Lock()
        self.refuse_first = 0
        self.refused = 0
        self.on_receive: Callable[[str], None] | None = None

    def should_refuse(self) -> bool:
        with self.lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return True
            return False

    def add(self, title: str, body: str) -> None:
        with self.lock:
            self.items.append((time.monotonic(), title, body))
        if self.on_receive:
            self.on_receive(body)

    def keys(self) -> list[str]:
        with self.lock:
            return [k for _, _, body in self.items for k in alert_keys(body)]

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.keys()) >= count:
                return True
            time.sleep(0.05)
        return False


class _SmtpHandler:
    def __init__(self, received: Received):
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.received.should_refuse():
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
        part = message.get_body(("plain", "html")) or message
        self.received.add(str(message["Subject"]), part.get_content())
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``url(to)``: the Apprise mailto:// URL of it."""

    def __init__(self) -> None:
        self.received = Received()
        self.port = free_port()
        self.controller = Controller(_SmtpHandler(self.received), hostname="127.0.0.1",
                                     port=self.port)

    def url(self, to: str = "analyst@example.org") -> str:
        return (f"mailto://127.0.0.1:{self.port}"
                f"?from=newsmon@example.org&to={to}&mode=insecure")

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


class WebhookServer:
    """A JSON webhook receiver on 127.0.0.1 (Apprise ``json://``): answers 500 to the
    first ``received.refuse_first`` posts, then 200."""

    def __init__(self) -> None:
        received = self.received = Received()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if received.should_refuse():
                    self.send_response(500)
                    self.end_headers()
                    return
                payload = json.loads(data)
                received.add(payload.get("title", ""), payload.get("message", ""))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}?token=hidden-token"

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
