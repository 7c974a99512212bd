"""The replica's XML sitemaps, shaped like the Arabic edition's (SITE.md):

- ``/sitemaps/all.xml``: a sitemap index of monthly sitemaps;
- ``/sitemaps/all/sitemap-YYYY-M.xml``: the articles published that month (Beirut
  time; the month is not zero-padded), with ``lastmod``;
- ``/sitemaps/news.xml``: a Google News sitemap of the articles published in the
  two days up to the newest one (and of the ``sitemap_only="news"`` ones).

robots.txt names the index and the news sitemap (``Sitemap:`` lines). Sitemaps list
every article of the site (the one robots.txt forbids too), not the other site's
(``doha-ministers``); ``sitemap_only`` articles appear in one kind only.

Opt-in variant (``render_relocated``, served by a test's own server, not by
``ReplicaServer``): the same articles where another CMS puts them, as real news sites
do. robots.txt names no sitemap (``server.robots_txt(None)``); ``/sitemap_index.xml``
lists a gzip-compressed nested index (``/sitemaps/archive.xml.gz``,
``application/x-gzip``) of zero-padded monthly sitemaps
(``/sitemaps/posts-YYYY-MM.xml``, ``<loc>`` padded with whitespace and carrying
``?utm_source=sitemap&amp;utm_medium=xml``), a sitemap that 404s, a malformed one, an
empty urlset and another host's sitemap; ``/news-sitemap.xml`` is a Google News
sitemap (CDATA locs, images, ``xhtml:link`` alternates to another host) that also
lists a tag page, a section and an off-host URL.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from crawler.replica.layout import Page
from crawler.replica.model import BEIRUT, LANGUAGE, SITE_NAME

INDEX_PATH = "/sitemaps/all.xml"
NEWS_PATH = "/sitemaps/news.xml"
MONTHLY_RE = re.compile(r"^/sitemaps/all/sitemap-(\d{4})-(\d{1,2})\.xml$")
NEWS_WINDOW = timedelta(days=2)
_XML = "application/xml; charset=utf-8"
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def on_site(a: dict) -> bool:
    """An article of this site (not one only another site's link points to)."""
    return a["stored"] or any(a["listed"].values()) or bool(a["sitemap_only"])


def month_of(a: dict) -> tuple[int, int]:
    local = a["published"].astimezone(BEIRUT)
    return local.year, local.month


def monthly_path(year: int, month: int) -> str:
    return f"/sitemaps/all/sitemap-{year}-{month}.xml"


def in_monthly(articles: list[dict]) -> list[dict]:
    return [a for a in articles if on_site(a) and a["sitemap_only"] != "news"]


def in_news(articles: list[dict]) -> list[dict]:
    """The news sitemap: articles published within NEWS_WINDOW of the newest one, and
    the ones only this sitemap lists."""
    candidates = [a for a in articles if on_site(a) and a["sitemap_only"] != "monthly"]
    if not candidates:
        return []
    newest = max(a["published"] for a in candidates)
    return sorted((a for a in candidates if newest - a["published"] <= NEWS_WINDOW
                   or a["sitemap_only"] == "news"),
                  key=lambda a: a["published"], reverse=True)


def _url(origin: str, a: dict, news: bool = False) -> str:
    extra = ""
    if news:
        extra = (f"<news:news><news:publication><news:name>{escape(SITE_NAME)}</news:name>"
                 f"<news:language>{LANGUAGE}</news:language></news:publication>"
                 f"<news:publication_date>{a['published'].isoformat()}</news:publication_date>"
                 f"<news:title>{escape(a['title'])}</news:title></news:news>")
    return (f"  <url><loc>{escape(origin + a['path'])}</loc>"
            f"<lastmod>{a['modified'].isoformat()}</lastmod>{extra}</url>\n")


def _page(root: str, body: str, listed: list[dict] | None = None) -> Page:
    """``listed``: the articles the sitemap lists; its Last-Modified is the newest of
    their modified times (a sitemap changes only when they do: an honest validator)."""
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n{root}\n{body}</{root.split()[0][1:]}>\n'
    headers = {}
    if listed:
        newest = max(a["modified"] for a in listed).astimezone(UTC)
        headers["Last-Modified"] = format_datetime(newest, usegmt=True)
    return Page(200, text.encode("utf-8"), _XML, headers)


def render_index(articles: list[dict], origin: str) -> Page:
    origin = origin.rstrip("/")
    months: dict[tuple[int, int], str] = {}
    monthly = in_monthly(articles)
    for a in monthly:
        key = month_of(a)
        months[key] = max(months.get(key, ""), a["modified"].isoformat())
    body = "".join(f"  <sitemap><loc>{escape(origin + monthly_path(*key))}</loc>"
                   f"<lastmod>{months[key]}</lastmod></sitemap>\n"
                   for key in sorted(months, reverse=True))
    return _page(f"<sitemapindex {_NS}>", body, monthly)


def render_monthly(path: str, articles: list[dict], origin: str) -> Page | None:
    match = MONTHLY_RE.match(path)
    if not match:
        return None
    key = (int(match.group(1)), int(match.group(2)))
    listed = sorted((a for a in in_monthly(articles) if month_of(a) == key),
                    key=lambda a: a["published"], reverse=True)
    if not listed:
        return None
    return _page(f"<urlset {_NS}>", "".join(_url(origin.rstrip("/"), a) for a in listed),
                 listed)


def render_news(articles: list[dict], origin: str) -> Page:
    listed = in_news(articles)
    body = "".join(_url(origin.rstrip("/"), a, news=True) for a in listed)
    return _page(f"<urlset {_NS} {_NEWS_NS}>", body, listed)


# --- opt-in variant: sitemaps where another CMS puts them ------------------------------

RELOCATED_INDEX = "/sitemap_index.xml"
RELOCATED_NEWS = "/news-sitemap.xml"
RELOCATED_ARCHIVE = "/sitemaps/archive.xml.gz"
RELOCATED_BROKEN = ("/sitemaps/missing.xml", "/sitemaps/broken.xml")
_POSTS_RE = re.compile(r"^/sitemaps/posts-(\d{4})-(\d{2})\.xml$")
_IMAGE_NS = 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
_XHTML_NS = 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'


def render_relocated(path: str, articles: list[dict], origin: str,
                     offsite_origin: str) -> Page | None:
    """The relocated variant's sitemaps and robots.txt; None: not one of its paths
    (``RELOCATED_BROKEN[0]`` is one: it 404s)."""
    origin = origin.rstrip("/")
    if path == RELOCATED_INDEX:
        body = (f"  <sitemap><loc>{origin}{RELOCATED_ARCHIVE}</loc></sitemap>\n"
                f"  <sitemap><loc>{RELOCATED_NEWS}</loc></sitemap>\n"  # relative
                + "".join(f"  <sitemap><loc>{origin}{p}</loc></sitemap>\n"
                          for p in RELOCATED_BROKEN)
                + f"  <sitemap><loc>{origin}/sitemaps/empty.xml</loc></sitemap>\n"
                  f"  <sitemap><loc>{offsite_origin}/sitemap.xml</loc></sitemap>\n")
        return _page(f"<sitemapindex {_NS}>", body)
    if path == RELOCATED_ARCHIVE:
        months = sorted({month_of(a) for a in in_monthly(articles)}, reverse=True)
        body = "".join(f"  <sitemap><loc>\n    {origin}/sitemaps/posts-{y}-{m:02d}.xml\n"
                       f"  </loc></sitemap>\n" for y, m in months)
        page = _page(f"<sitemapindex {_NS}>", body)
        return Page(200, gzip.compress(page.body), "application/x-gzip")
    if path == RELOCATED_BROKEN[1]:
        return Page(200, b'<?xml version="1.0"?>\n<urlset><url><loc>', _XML)
    if path == "/sitemaps/empty.xml":
        return _page(f"<urlset {_NS}>", "")
    if path == RELOCATED_NEWS:
        body = "".join(_relocated_news(origin, a, offsite_origin)
                       for a in in_news(articles))
        body += (f"  <url><loc>{origin}/tags/mali</loc></url>\n"
                 f"  <url><loc>{origin}/news/politics</loc></url>\n"
                 f"  <url><loc>{offsite_origin}/news/politics/elsewhere</loc></url>\n")
        return _page(f"<urlset {_NS} {_NEWS_NS} {_IMAGE_NS} {_XHTML_NS}>", body)
    match = _POSTS_RE.match(path)
    if match:
        key = (int(match.group(1)), int(match.group(2)))
        listed = [a for a in in_monthly(articles) if month_of(a) == key]
        query = "?utm_source=sitemap&utm_medium=xml"
        body = "".join(f"  <url>\n    <loc>\n      {escape(origin + a['path'] + query)}"
                       f"\n    </loc>\n  </url>\n" for a in listed)
        return _page(f"<urlset {_NS}>", body) if listed else None
    return None


def _relocated_news(origin: str, a: dict, offsite_origin: str) -> str:
    return (f"  <url><loc><![CDATA[{origin}{a['path']}]]></loc>"
            f'<xhtml:link rel="alternate" hreflang="ar" '
            f'href="{offsite_origin}{a["path"]}"/>'
            f"<news:news><news:publication><news:name>{escape(SITE_NAME)}</news:name>"
            f"<news:language>{LANGUAGE}</news:language></news:publication>"
            f"<news:publication_date>{a['published'].isoformat()}</news:publication_date>"
            f"<news:title>{escape(a['title'])}</news:title></news:news>"
            f"<image:image><image:loc>{origin}/media/image/2025/9/15/x.jpg</image:loc>"
            f"</image:image></url>\n")
