"""What an edition replica answers at each (unquoted) path."""

from __future__ import annotations

from email.utils import format_datetime
from datetime import UTC
from urllib.parse import quote

from crawler.replica import sitemaps
from crawler.replica.editions import content, pages
from crawler.replica.editions.model import SITES
from crawler.replica.layout import Page
from crawler.replica.routes import CSS, PIXEL


def robots_txt(origin: str) -> str:
    return (f"User-agent: *\nDisallow: /search\n\n"
            f"Sitemap: {origin.rstrip('/')}{sitemaps.INDEX_PATH}\n")


def _on_the_wire(articles: list[dict]) -> list[dict]:
    """Records whose path is percent-encoded, as a sitemap's <loc> must be."""
    return [{**a, "path": quote(a["path"], safe="/:,")} for a in articles]


def render(edition: str, path: str, query: dict, origin: str,
           siblings: dict[str, str] | None = None) -> Page | None:
    site = SITES[edition]
    articles = content.ARTICLES[edition]
    if path == "/":
        return pages.render_home(edition, origin)
    if path == "/robots.txt":
        return Page(200, robots_txt(origin).encode(), "text/plain; charset=utf-8")
    article = content.BY_PATH[edition].get(path)
    if article is not None:
        page = pages.render_article(article, origin, siblings)
        page.headers["Last-Modified"] = format_datetime(article["modified"].astimezone(UTC),
                                                        usegmt=True)
        return page
    if path == sitemaps.INDEX_PATH:
        return sitemaps.render_index(_on_the_wire(articles), origin)
    if path.startswith("/sitemaps/all/"):
        return sitemaps.render_monthly(path, _on_the_wire(articles), origin)
    page_number = 1
    if "page" in query:
        try:
            page_number = int(query["page"][0])
        except ValueError:
            return None
    if path in site.sections:
        return pages.render_section(edition, path, page_number, origin)
    if path == pages.API_PATH and edition == "ar":
        try:
            number = int(query.get("page", ["0"])[0])
        except ValueError:
            number = 0
        return pages.render_load_more(edition, query.get("section", [""])[0], number)
    if path.startswith(site.regions_path + "/") and \
            path.rsplit("/", 1)[1] in site.regions:
        return pages.render_region(edition, path.rsplit("/", 1)[1], origin)
    if path.startswith("/tags/"):
        tags = {content.english.tag_slug(t): t for a in articles for t in a["tags"]}
        tag = tags.get(path[len("/tags/"):])
        return pages.render_tag(edition, tag, origin) if tag else None
    if path.startswith("/authors/"):
        names = {slug: name for name, slug in site.authors.items()}
        name = names.get(path[len("/authors/"):])
        return pages.render_author(edition, name, origin) if name else None
    if path.startswith(("/media/image/", "/images/")):
        return Page(200, PIXEL, "image/gif")
    if path == "/assets/css/main.css":
        return Page(200, CSS, "text/css; charset=utf-8")
    return None
