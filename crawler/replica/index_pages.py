"""Home, section/region/category indexes, and the non-article pages (tags, authors,
static pages, live, 404)."""

from __future__ import annotations

from crawler.replica import content
from crawler.replica.layout import (
    Page, attr, canonical_link, card, esc, html_page, page, script_json,
)
from crawler.replica.model import AUTHORS, BREAKING, REGIONS, SITE_NAME, bt


def _card(a: dict, href: str | None = None) -> str:
    label = a["section"] or a["category"]
    # A headline of its own (ReplicaServer.set_card_title), else the article's title.
    return card(href or a["path"], a.get("card_title") or a["title"],
                content.index_path_of(a), label,
                a["published"], a["image"])


def _cards(articles: list[dict]) -> str:
    return "".join(_card(a) for a in articles) if articles else \
        '  <p class="empty">No stories yet.</p>\n'


def _page_tawsiyat(title: str, url: str) -> str:
    data = {"type": "page", "postid": None, "title": title, "url": url, "lang": "en"}
    return f'<script id="tawsiyat-metadata" type="text/tawsiyat">{script_json(data)}</script>\n'


# -- home ------------------------------------------------------------------------------

def render_home(origin: str, offsite_origin: str) -> Page:
    origin = origin.rstrip("/")
    listed = content.home_listing()
    top = [a for a in listed if a["category"] == "News"]
    blocks = []
    for name, path in (("Opinion", "/articles/opinion"), ("Analysis", "/articles/analysis"),
                       ("Videos", "/videos")):
        items = [a for a in listed if content.index_path_of(a).startswith(path)]
        blocks.append(f'<section class="home-block">\n  <h3><a href="{path}">{name}</a></h3>\n'
                      + _cards(items) + "</section>\n")
    tracked, old = content.BY_KEY["french-mps"], content.BY_KEY["sanctions-global-south"]
    picks = (_card(tracked, tracked["path"] + content.TRACKING_SUFFIX)
             + _card(old, old["old_path"]))
    blocks.append('<section class="home-block editors-picks">\n  <h3>Editor\'s Picks</h3>\n'
                  + picks + "</section>\n")
    offsite = content.BY_KEY["doha-ministers"]
    network = (card(offsite_origin.rstrip("/") + offsite["path"], offsite["title"],
                    "/news/politics", "Politics", offsite["published"], None)
               + card(content.OFFSITE_HOST_URL, content.OFFSITE_HOST_TITLE,
                      "https://www.almayadeen.net/", "Al Mayadeen", None, None))
    blocks.append('<section class="home-block network">\n  <h3>Across the Network</h3>\n'
                  + network + "</section>\n")
    main = ('<main class="page-content home">\n<section class="top-stories">\n'
            + _cards(top) + "</section>\n" + "".join(blocks) + "</main>\n")
    return html_page(page(SITE_NAME, canonical_link(origin + "/"), main))


# -- indexes ---------------------------------------------------------------------------

def render_section(path: str, page_number: int, origin: str) -> Page | None:
    """A section index page, or None when the page number is out of range."""
    origin = origin.rstrip("/")
    pages = content.section_page_count(path)
    if page_number < 1 or (pages is not None and page_number > pages):
        return None
    name = content.SECTION_INDEXES[path][1]
    cards = [_card(a) for a in content.section_listing(path, page_number)]
    if path == "/news/politics" and page_number == 2:
        cards.insert(1, card(content.NOT_FOUND_PATH, content.NOT_FOUND_TITLE, path,
                             "Politics", bt(2025, 10, 3, 18, 0), None))
    url = origin + path + (f"?page={page_number}" if page_number > 1 else "")
    extra = canonical_link(url)
    more = ""
    if pages is None or page_number < pages:
        nxt = page_number + 1
        extra += f'<link rel="next" href="{attr(origin + path)}?page={nxt}">\n'
        more = (f'<div class="load-more">\n  <a class="loadmorebtn" href="{path}?page={nxt}" '
                f'rel="next" data-page="{nxt}">Load More</a>\n</div>\n')
    main = (f'<main class="page-content">\n<h1 class="section-title">{esc(name)}</h1>\n'
            f'<div class="news-list">\n{"".join(cards) or _cards([])}</div>\n{more}</main>\n')
    return html_page(page(f"{name} | {SITE_NAME}", extra, main))


def _simple_index(title: str, url: str, articles: list[dict], extra: str = "") -> Page:
    main = (f'<main class="page-content">\n<h1 class="section-title">{esc(title)}</h1>\n'
            f'<div class="news-list">\n{_cards(articles)}</div>\n</main>\n')
    return html_page(page(f"{title} | {SITE_NAME}", canonical_link(url) + extra, main))


def render_region(slug: str, origin: str) -> Page:
    return _simple_index(REGIONS[slug], f"{origin.rstrip('/')}/regions/{slug}",
                         content.region_listing(slug))


def render_category(path: str, origin: str) -> Page:
    name = content.CATEGORY_INDEXES[path]
    return _simple_index(name, origin.rstrip("/") + path, content.category_listing(name))


# -- non-article pages -----------------------------------------------------------------

def all_tags() -> dict[str, str]:
    """Tag slug -> tag name, for every tag of every article."""
    return {content.tag_slug(t): t for a in content.ARTICLES for t in a["tags"]}


def render_tag(slug: str, origin: str) -> Page | None:
    name = all_tags().get(slug)
    if name is None:
        return None
    url = f"{origin.rstrip('/')}/tags/{slug}"
    articles = [a for a in content.listed_articles() if name in a["tags"]]
    extra = ('<meta property="og:type" content="website">\n'
             f'<meta property="og:title" content="{attr(name)}">\n' + _page_tawsiyat(name, url))
    return _simple_index(name, url, articles, extra)


def render_author(slug: str, origin: str) -> Page | None:
    names = {s: n for n, (s, _) in AUTHORS.items()}
    name = names.get(slug)
    if name is None:
        return None
    url = f"{origin.rstrip('/')}/authors/{slug}"
    bio = AUTHORS[name][1]
    ld = {"@context": "https://schema.org", "@type": "ProfilePage",
          "mainEntity": {"@type": "Person", "name": name, "description": bio}, "url": url}
    extra = (canonical_link(url) + '<meta property="og:type" content="profile">\n'
             f'<meta property="og:title" content="{attr(name)}">\n'
             f'<meta name="description" content="{attr(bio)}">\n'
             f'<script type="application/ld+json">{script_json(ld)}</script>\n')
    articles = [a for a in content.listed_articles() if name in a["authors"]][:6]
    main = (f'<main class="page-content">\n<div class="author-profile">\n'
            f'  <h1 class="author-name">{esc(name)}</h1>\n'
            f'  <p class="author-bio">{esc(bio)}</p>\n</div>\n'
            f'<div class="news-list">\n{_cards(articles)}</div>\n</main>\n')
    return html_page(page(f"{name} | {SITE_NAME}", extra, main))


def render_authors(origin: str) -> Page:
    items = "\n".join(f'  <li><a href="/authors/{slug}">{esc(name)}</a></li>'
                      for name, (slug, _) in AUTHORS.items())
    main = (f'<main class="page-content">\n<h1 class="section-title">Authors</h1>\n'
            f'<ul class="authors-list">\n{items}\n</ul>\n</main>\n')
    return html_page(page(f"Authors | {SITE_NAME}", canonical_link(origin.rstrip("/") + "/authors"),
                          main))


STATIC_PAGES = {
    "/about-us": ("About Us", True, [
        "Al Mayadeen is an independent Arab media satellite channel launched in Beirut on June 11, 2012.",
        "Al Mayadeen English brings the channel's news, analysis and opinion to English-speaking readers, with correspondents across West Asia, Africa, Latin America and Europe.",
        "Our editorial line is committed to the causes of peoples struggling for freedom and sovereignty, first among them the Palestinian cause.",
    ]),
    "/privacy-policy": ("Privacy Policy", False, [
        "This policy explains what information we collect when you visit our website and how we use it.",
        "We use cookies to measure audiences and to remember your preferences. You can refuse cookies in your browser settings.",
        "We do not sell personal data to third parties. To exercise your rights, write to the address given on the Contact Us page.",
    ]),
    "/contact-us": ("Contact Us", False, [
        "Al Mayadeen English, Beirut, Lebanon.",
        "For editorial matters, corrections and press inquiries, please use the form below. We read every message.",
    ]),
}


def render_static(path: str, origin: str) -> Page:
    title, with_metadata, paragraphs = STATIC_PAGES[path]
    url = origin.rstrip("/") + path
    extra = canonical_link(url)
    if with_metadata:
        extra += ('<meta property="og:type" content="website">\n'
                  f'<meta name="description" content="{attr(paragraphs[0])}">\n'
                  + _page_tawsiyat(title, url))
    body = "\n".join(f"    <p>{esc(p)}</p>" for p in paragraphs)
    main = (f'<main class="page-content">\n<article class="static-page">\n'
            f'  <h1 class="page-title">{esc(title)}</h1>\n  <div class="page-body">\n{body}\n'
            f'  </div>\n</article>\n</main>\n')
    return html_page(page(f"{title} | {SITE_NAME}", extra, main))


def render_live(origin: str) -> Page:
    url = origin.rstrip("/") + "/live"
    times = ["16:50", "16:41", "16:32", "16:18", "16:05"]
    items = "\n".join(f'  <li class="live-item"><time>{t}</time> <p>{esc(text)}</p></li>'
                      for t, text in zip(times, BREAKING))
    main = (f'<main class="page-content live">\n<h1 class="section-title">LIVE</h1>\n'
            f'<div class="live-player"><video controls preload="none" '
            f'poster="/images/live-poster.jpg"><source src="/media/live/stream.m3u8" '
            f'type="application/x-mpegURL"></video></div>\n'
            f'<ul class="live-feed">\n{items}\n</ul>\n</main>\n')
    return html_page(page(f"LIVE | {SITE_NAME}", canonical_link(url) + _page_tawsiyat("LIVE", url),
                          main))


def render_not_found() -> Page:
    text = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
            "<title>Page not found | Al Mayadeen English</title></head>\n<body>\n"
            "<h1>Page not found</h1>\n<p>The page you requested does not exist.</p>\n"
            "<p><a href=\"/\">Back to the home page</a></p>\n</body>\n</html>\n")
    return html_page(text, status=404)
