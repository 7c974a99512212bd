"""Which crawl runs belong to one site: runs are recorded with their base URL, and a
site is its `host[:port]` whatever the scheme, case or path of the URL it was given.
A crawl's lock is its site's and edition's (``lock_key``): the three editions of the
site crawl side by side, two crawls of one edition never."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_key(base_url: str) -> str:
    """`host[:port]` of a base URL, lower-case, default port omitted."""
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{host}:{port}" if port and port != default else host


def lock_key(base_url: str, edition: str | None = None) -> str:
    """What a crawl locks: its site, and its edition unless English (the lock English
    crawls took before there were editions, so that an older process is still seen)."""
    site = site_key(base_url)
    return site if edition in (None, "en") else f"{site}#{edition}"


def same_crawl(run_base_url: str | None, run_edition: str | None, base_url: str,
               edition: str | None) -> bool:
    """A recorded run is one of this crawl's (same site and edition; no edition given:
    any edition of the site)."""
    if site_key(run_base_url or "") != site_key(base_url):
        return False
    return edition is None or (run_edition or "en") == edition
