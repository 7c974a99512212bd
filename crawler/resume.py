"""Picking up what an interrupted crawl left: the links it stored but never followed.

A crawl follows each article's Related News and Read more links after storing the
article. Killed in between (SIGKILL, a crash, a lost database), it leaves stored
articles whose links lead to no stored article; an incremental crawl would not fetch
those articles again (they are known and not due), so an article reachable only
through them would never be stored. ``dangling_links`` returns those links (an
article's ``article_links.to_url`` that no stored URL or alias answers to); the spider
requests them at the start of every crawl, through its usual filters (same origin,
article-like, not failed recently), so a link that stays dead costs one request per
``NEWSMON_RETRY_FAILED_AFTER``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from crawler.db.models import ArticleLink, UrlAlias

logger = logging.getLogger(__name__)

_links = ArticleLink.__table__
_aliases = UrlAlias.__table__


def dangling_links(memory: Any, limit: int = 5000) -> list[str]:
    """Linked URLs that lead to no stored article (``memory``: the spider's
    ``CrawlMemory``; nothing when it remembers nothing or the database is away)."""
    store = getattr(memory, "store", None)
    if store is None:
        return []
    from crawler.outage import is_unavailable

    query = (select(_links.c.to_url).distinct()
             .where(_links.c.to_url.not_in(select(_aliases.c.url)))
             .order_by(_links.c.to_url).limit(limit))
    try:
        with store.engine.connect() as conn:
            urls = list(conn.execute(query).scalars())
    except Exception as error:  # noqa: BLE001 - sorted below
        if not is_unavailable(error):
            raise
        return []
    if urls:
        logger.info("%d linked articles not stored yet (an earlier crawl stopped before "
                    "following them): requested", len(urls))
    return urls
