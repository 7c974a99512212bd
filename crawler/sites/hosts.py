"""A URL's host, as the site profiles and the editions compare it."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str | None) -> str:
    try:
        return (urlsplit((url or "").strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
