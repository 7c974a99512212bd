"""Picking up what an interrupted crawl left: links it saw but never followed.

An incremental crawl does not fetch again what earlier crawls stored (known, not due),
and reads an index chain only as far as it shows something new. A crawl killed midway
(SIGKILL, a crash, a lost database) can therefore leave, for good:

- articles reachable only through the Related News / Read more links of an article it
  stored but whose links it had not followed yet (``article_links``);
- articles listed on an index page whose listing it stored (``index_pages``) but that
  it had not fetched yet: the next crawl may stop paginating before that page.

``unfollowed_links`` returns both kinds (the URLs that lead to no stored article); the
spider requests them at the start of every crawl, through its usual filters (same
origin, article-like, not failed recently), so a link that stays dead costs one
request per ``NEWSMON_RETRY_FAILED_AFTER``, and after a complete crawl the list holds
only such links.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from crawler.db.models import ArticleLink, IndexPageRecord, UrlAlias

logger = logging.getLogger(__name__)

_links = ArticleLink.__table__
_aliases = UrlAlias.__table__
_index_pages = IndexPageRecord.__table__
_CHUNK = 500


def unfollowed_links(memory: Any, limit: int = 5000) -> list[str]:
    """Linked or listed URLs that lead to no stored article (``memory``: the spider's
    ``CrawlMemory``; nothing when it remembers nothing or the database is away)."""
    store = getattr(memory, "store", None)
    if store is None:
        return []
    from crawler.crawl.outage import is_unavailable

    try:
        with store.engine.connect() as conn:
            related = list(conn.execute(
                select(_links.c.to_url).distinct()
                .where(_links.c.to_url.not_in(select(_aliases.c.url)))
                .order_by(_links.c.to_url).limit(limit)).scalars())
            listed = list(dict.fromkeys(
                url for urls in conn.execute(select(_index_pages.c.article_urls)).scalars()
                for url in (urls or []) if isinstance(url, str)))
            stored: set[str] = set()
            for start in range(0, len(listed), _CHUNK):
                chunk = listed[start:start + _CHUNK]
                stored.update(conn.execute(select(_aliases.c.url)
                                           .where(_aliases.c.url.in_(chunk))).scalars())
    except Exception as error:  # noqa: BLE001 - sorted below
        if not is_unavailable(error):
            raise
        return []
    urls = list(dict.fromkeys([*related, *(u for u in listed if u not in stored)]))[:limit]
    if urls:
        logger.info("%d linked or listed URLs lead to no stored article (an earlier crawl "
                    "stopped before following them, or they failed): requested", len(urls))
    return urls
