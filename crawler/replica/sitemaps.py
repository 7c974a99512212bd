"""The replica's XML sitemaps, shaped like the Arabic edition's (SITE.md):

- ``/sitemaps/all.xml``: a sitemap index of monthly sitemaps;
- ``/sitemaps/all/sitemap-YYYY-M.xml``: the articles published that month (Beirut
  time; the month is not zero-padded), with ``lastmod``;
- ``/sitemaps/news.xml``: a Google News sitemap of the articles published in the
  two days up to the newest one (and of the ``sitemap_only="news"`` ones).

robots.txt names the index and the news sitemap (``Sitemap:`` lines). Sitemaps list
every article of the site (the one robots.txt forbids too), not the other site's
(``doha-ministers``); ``sitemap_only`` articles appear in one kind only.
"""

from __future__ import annotations

import re
from datetime import timedelta
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


def _page(root: str, body: str) -> Page:
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n{root}\n{body}</{root.split()[0][1:]}>\n'
    return Page(200, text.encode("utf-8"), _XML)


def render_index(articles: list[dict], origin: str) -> Page:
    origin = origin.rstrip("/")
    months: dict[tuple[int, int], str] = {}
    for a in in_monthly(articles):
        key = month_of(a)
        months[key] = max(months.get(key, ""), a["modified"].isoformat())
    body = "".join(f"  <sitemap><loc>{escape(origin + monthly_path(*key))}</loc>"
                   f"<lastmod>{months[key]}</lastmod></sitemap>\n"
                   for key in sorted(months, reverse=True))
    return _page(f"<sitemapindex {_NS}>", body)


def render_monthly(path: str, articles: list[dict], origin: str) -> Page | None:
    match = MONTHLY_RE.match(path)
    if not match:
        return None
    key = (int(match.group(1)), int(match.group(2)))
    listed = sorted((a for a in in_monthly(articles) if month_of(a) == key),
                    key=lambda a: a["published"], reverse=True)
    if not listed:
        return None
    return _page(f"<urlset {_NS}>", "".join(_url(origin.rstrip("/"), a) for a in listed))


def render_news(articles: list[dict], origin: str) -> Page:
    body = "".join(_url(origin.rstrip("/"), a, news=True) for a in in_news(articles))
    return _page(f"<urlset {_NS} {_NEWS_NS}>", body)
