"""Logs go to stderr: readable text lines, or JSON lines (`--log-format json`).

A JSON line has `time` (ISO 8601 UTC), `level`, `logger`, `message`, `pid`, and,
when present, `exception` (the formatted traceback) and any `extra=` fields.
`newsmon crawl` sets Scrapy's LOG_INSTALL_ROOT_HANDLER to False so that Scrapy's
records go through this handler too (one format, no duplicate lines). In JSON mode,
text that commands print to stderr (one-line messages, a traceback) is wrapped into
JSON lines as well (logger `newsmon.stderr`), so every line of stderr is an object.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

TEXT_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"

# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}

# Chatty at INFO on every command; their warnings still show.
QUIET_LOGGERS = {"alembic.runtime.plugins": logging.WARNING}

_handler: logging.Handler | None = None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process or os.getpid(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) \
                    else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_CHAINED = "The above exception was the direct cause"
_CONTEXT = "During handling of the above exception"


class StderrToJson:
    """Stands in for sys.stderr in JSON mode: each printed line becomes a log record."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._buffer = ""
        self._traceback: list[str] = []  # lines of a traceback being printed
        self._logger = logging.getLogger("newsmon.stderr")

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self._take(line)
        return len(text)

    def _take(self, line: str) -> None:
        """A traceback (Python's, or one Twisted prints) becomes one record: its lines
        are collected until the exception's own line, which ends it."""
        if self._traceback:
            self._traceback.append(line)
            if line.startswith((" ", "\t")) or not line.strip() or line.startswith(
                    (_CHAINED, _CONTEXT, "Traceback")):
                return
            lines, self._traceback = self._traceback, []
            self._logger.error(line, extra={"exception": "\n".join(lines)})
            return
        if line.startswith("Traceback (most recent call last)"):
            self._traceback = [line]
            return
        self._emit(line)

    def _emit(self, line: str) -> None:
        if not line.strip():
            return
        head = line[:60].lower()
        level = (logging.ERROR if "error" in head or "unavailable" in head or
                 line.startswith(("Traceback", "  ")) else
                 logging.WARNING if "not crawling" in head else logging.INFO)
        self._logger.log(level, line)

    def flush(self) -> None:
        if self._buffer:
            line, self._buffer = self._buffer, ""
            self._take(line)
        self.stream.flush()

    def close_traceback(self) -> None:
        """Emit a traceback cut short (the process is ending)."""
        if self._traceback:
            lines, self._traceback = self._traceback, []
            self._logger.error(lines[-1].strip() or "traceback",
                               extra={"exception": "\n".join(lines)})

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def make_formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    if fmt == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"unknown log format {fmt!r}")


def configure_logging(fmt: str = "text", level: str | int = "INFO",
                      stream: TextIO | None = None) -> logging.Handler:
    """Install the one stderr handler on the root logger (replacing an earlier one)."""
    global _handler  # noqa: PLW0603
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    if isinstance(sys.stderr, StderrToJson):
        sys.stderr = sys.stderr.stream
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(fmt))
    handler.setLevel(level)
    root.addHandler(handler)
    # Scrapy resets the root level to NOTSET; the handler's level is what filters.
    root.setLevel(handler.level)
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    _handler = handler
    if fmt == "json" and stream is None:
        sys.stderr = StderrToJson(sys.stderr)  # type: ignore[assignment]
    return handler


def set_level(level: str | int) -> None:
    """Change the level of the handler installed by configure_logging."""
    if _handler is not None:
        _handler.setLevel(level)
        logging.getLogger().setLevel(_handler.level)


def is_configured() -> bool:
    return _handler is not None
