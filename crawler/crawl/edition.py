"""Which edition a crawl reads (crawler.sites.editions): what it stores is recorded as
that edition's (runs, placements, index pages, ticker items, and articles whose parser
named no edition), in its language when the page names none."""

from __future__ import annotations

from typing import Any

from crawler.sites.editions import DEFAULT_EDITION, EDITIONS, Edition, edition_for_url


def crawl_edition(setting: str | None, spider_value: Any, base_url: str) -> Edition:
    """The crawl's edition: the ``NEWSMON_EDITION`` setting, else the spider's
    ``edition`` argument, else the edition whose real host ``base_url`` is, else
    English (a replica on 127.0.0.1 crawled without saying which edition)."""
    for value in (setting, spider_value):
        key = getattr(value, "key", value)
        if isinstance(key, str) and key.strip():
            try:
                return EDITIONS[key.strip().lower()]
            except KeyError:
                raise ValueError(f"unknown edition {key!r}: one of "
                                 f"{', '.join(EDITIONS)}") from None
    return edition_for_url(base_url) or EDITIONS[DEFAULT_EDITION]


def edition_site(config: Any, key: str) -> str:
    """The site an edition is crawled from: the configuration's (``[site]
    ar_base_url``, ``es_base_url``; English: ``base_url``), else its real one."""
    return config.edition_base_url(key) or EDITIONS[key].base_url
