"""Downloader middlewares."""

from __future__ import annotations

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.http import Request
from scrapy.spiders import Spider

from crawler.sites.almayadeen.urls import same_origin


class SameOriginMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, narrowed from domains to the base URL's origin.

    Scrapy compares host names only; a news monitor must not wander to another port
    on the same host, another scheme, or another edition of the site. Because the
    offsite filter also sees every redirected request, a redirect to another host is
    dropped here too.
    """

    def should_follow(self, request: Request, spider: Spider) -> bool:
        base_url = getattr(spider, "base_url", None)
        if not base_url:
            return super().should_follow(request, spider)
        return same_origin(request.url, base_url)
