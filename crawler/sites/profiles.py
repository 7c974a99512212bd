"""Site profiles chosen by host: which reader makes an item of a fetched page.

A profile is a name and a ``read_page(response) -> PageReading`` function. The hosts
of each site profile are data (``SITE_HOSTS``); any other host gets the generic profile
(``crawler.sites.generic``), which reads any news site from its metadata and its page.

A crawl of a configured site registers its base URL's host for that site's profile
(``ProfileChooser(extra_hosts={host: profile})``): the Al Mayadeen spider crawling the
local replica at ``http://127.0.0.1:PORT`` reads it with Al Mayadeen's profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from crawler.sites.hosts import host_of  # noqa: F401  (re-exported)
from crawler.sites.reading import PageReading

GENERIC = "generic"

# host -> profile name (the editions of crawler.sites.editions, one line each).
SITE_HOSTS: dict[str, str] = {
    "english.almayadeen.net": "almayadeen",
    "www.almayadeen.net": "almayadeen-ar",
    "almayadeen.net": "almayadeen-ar",
    "espanol.almayadeen.net": "almayadeen-es",
}


@dataclass(frozen=True)
class Profile:
    name: str
    read_page: Callable[[object], PageReading]


def _almayadeen(edition: str) -> Callable[[object], PageReading]:
    """The reader of one Al Mayadeen edition: one parser, told which edition's page
    it reads (its language, how its visible dates are written)."""
    def read(response) -> PageReading:
        from crawler.sites.almayadeen.parser import read_page
        return read_page(response, edition)
    return read


def _generic(response) -> PageReading:
    from crawler.sites.generic.parser import read_page
    return read_page(response)


# Imported on first use: a command that reads one site's pages loads only its reader.
PROFILES: dict[str, Profile] = {
    "almayadeen": Profile("almayadeen", _almayadeen("en")),
    "almayadeen-ar": Profile("almayadeen-ar", _almayadeen("ar")),
    "almayadeen-es": Profile("almayadeen-es", _almayadeen("es")),
    GENERIC: Profile(GENERIC, _generic),
}


class ProfileChooser:
    """Picks a page's profile from its host: ``extra_hosts`` (a crawl's own site,
    e.g. a replica's 127.0.0.1) first, then ``SITE_HOSTS``, else generic."""

    def __init__(self, extra_hosts: Mapping[str, str] | None = None):
        unknown = {p for p in (extra_hosts or {}).values() if p not in PROFILES}
        if unknown:
            raise ValueError(f"unknown site profile(s): {', '.join(sorted(unknown))}")
        self.hosts = {**SITE_HOSTS, **{host.lower(): name for host, name
                                       in (extra_hosts or {}).items()}}

    def name_for(self, url: str | None) -> str:
        host = host_of(url)
        if host.startswith("www.") and host not in self.hosts:
            host = host[4:]
        return self.hosts.get(host, GENERIC)

    def for_url(self, url: str | None) -> Profile:
        return PROFILES[self.name_for(url)]


def profile_for(url: str | None) -> Profile:
    """The profile of a page at ``url`` with no crawl context."""
    return ProfileChooser().for_url(url)
