"""What the replica answers at each path: the page router of ``ReplicaServer``, and
the static answers (robots.txt, images, CSS). Stateless: redirects, the one-time 500,
caching and conditional requests are the server's business."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from crawler.replica import content, index_pages, redesign, redesign_article, sitemaps
from crawler.replica.article_pages import render_article
from crawler.replica.layout import Page

# A 1x1 transparent GIF, answered for every image path.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
         b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
CSS = b"body{font-family:sans-serif;margin:0}.news-card{display:inline-block;width:30%}\n"


def robots_txt(origin: str | None = None, extra: str = "") -> str:
    text = ("User-agent: *\n" + (extra.rstrip("\n") + "\n" if extra else "")
            + f"Disallow: {content.ROBOTS_DISALLOW}\n"
            "Disallow: /search\n")
    if origin:
        origin = origin.rstrip("/")
        text += (f"\nSitemap: {origin}{sitemaps.INDEX_PATH}\n"
                 f"Sitemap: {origin}{sitemaps.NEWS_PATH}\n")
    return text


def render(path: str, page_number: int, origin: str, offsite_origin: str,
           layout: str = "normal") -> Page | None:
    """The page at an (unquoted) path for a replica at ``origin``; None: unknown path.
    ``layout="redesign"``: the redesigned site's pages (robots.txt, sitemaps, images
    are the same). Stateless: redirects and the one-time 500 are the server's business.
    """
    if layout == "redesign" and (page := redesign.render(path, page_number, origin,
                                                          offsite_origin)) is not None:
        return page
    if path == "/":
        return index_pages.render_home(origin, offsite_origin)
    if path == "/robots.txt":
        return Page(200, robots_txt(origin).encode(), "text/plain; charset=utf-8")
    article = content.by_path().get(path)
    if article is not None:
        page = (redesign_article.render_article if layout == "redesign"
                else render_article)(article, origin)
        page.headers["Last-Modified"] = format_datetime(
            article["modified"].astimezone(UTC), usegmt=True)
        page.article_key = article["key"]  # type: ignore[attr-defined]
        return page
    if path == sitemaps.INDEX_PATH:
        return sitemaps.render_index(content.articles(), origin)
    if path == sitemaps.NEWS_PATH:
        return sitemaps.render_news(content.articles(), origin)
    if path.startswith("/sitemaps/all/"):
        return sitemaps.render_monthly(path, content.articles(), origin)
    if path in content.SECTION_INDEXES:
        return index_pages.render_section(path, page_number, origin)
    if path in content.CATEGORY_INDEXES:
        return index_pages.render_category(path, origin)
    if path in content.REGION_INDEXES:
        return index_pages.render_region(path.rsplit("/", 1)[1], origin)
    if path.startswith("/tags/"):
        return index_pages.render_tag(path[len("/tags/"):], origin)
    if path == "/authors":
        return index_pages.render_authors(origin)
    if path.startswith("/authors/"):
        return index_pages.render_author(path[len("/authors/"):], origin)
    if path == "/live":
        return index_pages.render_live(origin)
    if path in index_pages.STATIC_PAGES:
        return index_pages.render_static(path, origin)
    if path.startswith(("/media/image/", "/images/")):
        return Page(200, PIXEL, "image/gif")
    if path == "/assets/css/main.css":
        return Page(200, CSS, "text/css; charset=utf-8")
    return None
