"""Faults of the replica below HTTP, for the reliability tests: a connection reset
(always, or once), a body cut short, a giant body, an answer slower than the crawl's
timeout. The fault articles themselves, and their links, are in ``faults``."""

from __future__ import annotations

import socket
import struct
import sys
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.replica import state
from crawler.replica.faults import GIANT_BYTES, PREFIX, SLOW_SECONDS, hits

def answer_raw(handler: Any) -> bool:
    """Answer the request if it is a fault below HTTP (reset, truncated, slow, giant);
    False: let the replica answer normally. Called by the request handler."""
    _quiet_resets(handler.server)
    path = unquote(urlsplit(handler.path).path)
    name = path[len(PREFIX):] if path.startswith(PREFIX) else None
    if name not in ("truncated", "giant", "slow", "reset", "reset-once"):
        return False
    if name == "reset-once" and hits(handler.replica, name) > 1:
        return False  # served normally: RECORDS has it
    _log(handler, {"truncated": 200, "giant": 200, "slow": 200}.get(name, 0))
    try:
        if name in ("reset", "reset-once"):
            _reset(handler)
        elif name == "truncated":
            body = (b"<!DOCTYPE html><html><head><title>Cut short</title></head><body>"
                    + b"<p>" + b"Lorem ipsum dolor sit amet. " * 400 + b"</p></body></html>")
            _headers(handler, len(body))
            handler.wfile.write(body[: len(body) // 2])
        elif name == "giant":
            _headers(handler, GIANT_BYTES)
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            for _ in range(GIANT_BYTES // len(chunk)):
                handler.wfile.write(chunk)
        elif name == "slow":
            deadline = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.05)
            body = b"<!DOCTYPE html><html><head><title>Too late</title></head></html>"
            _headers(handler, len(body))
            handler.wfile.write(body)
    except OSError:
        pass  # the client gave up: that was the point
    handler.close_connection = True
    return True


def _quiet_resets(server: Any) -> None:
    """A client that resets its connections (as these faults make it do) is no error
    worth a traceback on the test's stderr."""
    if getattr(server, "_quiet_resets", False):
        return
    noisy = server.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            noisy(request, client_address)

    server.handle_error = handle_error
    server._quiet_resets = True


def _log(handler: Any, status: int) -> None:
    handler.replica.log(state.LoggedRequest(
        method=handler.command, path=handler.path, status=status,
        user_agent=handler.headers.get("User-Agent"), headers=dict(handler.headers.items()),
        time=time.time()))


def _headers(handler: Any, length: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _reset(handler: Any) -> None:
    """Close with a TCP RST (SO_LINGER 0) before answering anything."""
    sock = handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
