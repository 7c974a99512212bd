"""Al Mayadeen's three editions: which host serves which language.

An edition is one site in one language: English (the first target), Arabic (the
flagship, right-to-left) and Spanish. One database holds all three; every stored
article, ticker item, placement and run says which edition it came from (``key``).
The hosts are data; a crawl of a replica registers its own base URL for an edition.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.sites.hosts import host_of


@dataclass(frozen=True)
class Edition:
    key: str          # "en" | "ar" | "es": what users type after --edition
    site: str         # the site the edition belongs to
    language: str     # ISO 639-1 code of the edition's articles
    base_url: str     # the real site's home page
    profile: str      # the site profile (crawler.sites.profiles.PROFILES) reading it
    direction: str    # "ltr" | "rtl": how its text is written
    time_zone: str    # where its newsroom's clock is (dates printed without a zone)


EDITIONS: dict[str, Edition] = {
    "en": Edition("en", "almayadeen", "en", "https://english.almayadeen.net",
                  "almayadeen", "ltr", "Asia/Beirut"),
    "ar": Edition("ar", "almayadeen", "ar", "https://www.almayadeen.net",
                  "almayadeen-ar", "rtl", "Asia/Beirut"),
    "es": Edition("es", "almayadeen", "es", "https://espanol.almayadeen.net",
                  "almayadeen-es", "ltr", "Asia/Beirut"),
}
DEFAULT_EDITION = "en"


def edition_for_url(url: str | None) -> Edition | None:
    """The edition whose real host serves ``url`` (``www.`` optional), else None."""
    host = host_of(url)
    bare = host[4:] if host.startswith("www.") else host
    for edition in EDITIONS.values():
        own = host_of(edition.base_url)
        if host == own or bare == (own[4:] if own.startswith("www.") else own):
            return edition
    return None
