"""Which crawl runs belong to one site: runs are recorded with their base URL, and a
site is its `host[:port]` whatever the scheme, case or path of the URL it was given."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_key(base_url: str) -> str:
    """`host[:port]` of a base URL, lower-case, default port omitted."""
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{host}:{port}" if port and port != default else host
