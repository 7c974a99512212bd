"""How configuration values are read and written: durations ("10m", "1h30m"),
booleans, crontab lines, lists, bounded numbers, and the TOML that `newsmon config`
prints. Pure functions, no newsmon imports (the foundation layer)."""

from __future__ import annotations

import math
import re
from typing import Any

_OFF = ("", "off", "none", "false", "no", "0", "never", "disabled")


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> float:
    """Seconds from a number (seconds) or a string like "90", "2s", "10m", "1h30m", "1d"."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            parts = _DURATION_PART.findall(text)
            if not parts or _DURATION_PART.sub("", text).strip():
                raise ValueError(f"not a duration: {value!r} (try 30s, 10m, 1h, 1d)") from None
            seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"not a duration: {value!r}")
    return seconds


def parse_optional_duration(value: Any) -> float | None:
    """Like parse_duration, but "off", "", 0 (and the like) mean disabled (None)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
        return None
    if value is False:
        return None
    seconds = parse_duration(value)
    if not seconds:
        # "0s" would start a job without pause; it is not a spelling of "off".
        raise ValueError(f"{value!r} is not an interval: write \"off\" to disable the job")
    return seconds


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "off"
    if seconds and seconds % 86400 == 0:
        return f"{int(seconds // 86400)}d"
    if seconds and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {value!r} (use true or false)")


def parse_cron(value: Any) -> str | None:
    if value is None or value is False or str(value).strip().lower() in _OFF:
        return None
    text = " ".join(str(value).split())
    if len(text.split(" ")) != 5:
        raise ValueError(f"not a 5-field crontab expression: {value!r}")
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"bad crontab expression {value!r}: {exc}") from None
    return text


def parse_str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        import shlex

        return shlex.split(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise ValueError(f"expected a list of strings, got {value!r}")


def parse_str_map(value: Any) -> dict[str, str]:
    """A table of names to strings: a TOML table, or "name=value,name=value" (the
    environment's form)."""
    if isinstance(value, str):
        pairs = [item.partition("=") for item in value.split(",") if item.strip()]
        if any(not sep or not name.strip() or not text.strip() for name, sep, text in pairs):
            raise ValueError(f"expected name=value pairs separated by commas, got {value!r}")
        return {name.strip(): text.strip() for name, _sep, text in pairs}
    if isinstance(value, dict) and all(isinstance(v, str) and v.strip() for v in value.values()):
        return {str(k): v.strip() for k, v in value.items()}
    raise ValueError(f"expected a table of names to strings, got {value!r}")


def choice_of(options: tuple[str, ...], upper: bool = False):
    def parse(value: Any) -> str:
        text = str(value).strip()
        text = text.upper() if upper else text.lower()
        if text not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return text
    return parse


def positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    number = int(str(value).strip()) if not isinstance(value, int) else value
    if number < 1:
        raise ValueError(f"must be at least 1, got {value!r}")
    return number


def non_negative_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    number = float(value)
    if number < 0 or not math.isfinite(number):
        raise ValueError(f"must be a non-negative number, got {value!r}")
    return number


def rate(value: Any) -> float:
    number = non_negative_float(value)
    if number > 1:
        raise ValueError(f"a rate is between 0 and 1, got {value!r}")
    return number


def plain_text(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"expected a string, got {value!r}")
    return str(value).strip()


def optional_text(value: Any) -> str | None:
    text = plain_text(value)
    return text or None


def parse_listen_address(value: Any) -> tuple[str, int] | None:
    """(host, port) to listen on from "PORT" (127.0.0.1), "HOST:PORT" or "[v6]:PORT";
    "off" or "" (and the like): None."""
    if value is None or value is False or str(value).strip().lower() in _OFF:
        return None
    text = str(value).strip()
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a listening address: {value!r} (try 9464 or 127.0.0.1:9464)")
    return host, int(port)


def format_listen_address(address: tuple[str, int] | None) -> str:
    if address is None:
        return "off"
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"



# --- TOML ----------------------------------------------------------------------------

def to_toml(view: dict[str, Any], sources: dict[str, str] | None = None,
            names: dict[tuple[str | None, str], str] | None = None) -> str:
    """Render a masked() view as TOML, with each value's source as a comment."""
    lines: list[str] = []

    def emit(section: str | None, items: dict[str, Any]) -> None:
        for key, value in items.items():
            comment = ""
            if sources is not None and names is not None and (section, key) in names:
                comment = f"  # {sources.get(names[(section, key)], 'default')}"
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}{comment}")

    emit(None, {k: v for k, v in view.items() if not isinstance(v, dict)})
    for section, items in view.items():
        if isinstance(items, dict):
            lines.append("")
            lines.append(f"[{section}]")
            emit(section, items)
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
