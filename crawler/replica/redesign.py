"""The replica after a site-wide redesign: ``ReplicaServer(layout="redesign")``.

The content is the replica's truth (``content``: articles, sections, regions, dates,
authors, tags, bodies, related links, what each index page lists); every template
changed at once, as in a real redesign:

- the header: a <nav> whose groups are ``<details><summary>News</summary><ul>…``, the
  regions under "World", new (BEM-style) class names everywhere; the breaking ticker a
  ``<div role="marquee" aria-label="Breaking news">`` list, each item with its <time>
  and no "BREAKING" label element;
- index pages: cards are ``<article class="teaser">`` with the link on the image and
  on an <h3>, dates in ``<time datetime>``; pagination is ``/news/politics/page/2``
  with ``<a rel="next">`` in a pager <nav> (no <link rel="next">, no Load More; a
  ``?page=N`` query is still understood, as the old URLs keep working);
- article pages (``redesign_article``): no tawsiyat, JSON-LD as an @graph, OpenGraph,
  microdata ``articleBody``, Related News as an <aside>, tags as ``rel="tag"`` links
  in the article's <footer>.

``render`` answers the home page, the index pages and the non-article pages; article
pages are ``redesign_article.render_article``; everything else (robots.txt, sitemaps,
images, redirects, the page that fails once) is the server's, unchanged.
"""

from __future__ import annotations

import re

from crawler.replica import content, state
from crawler.replica.index_pages import STATIC_PAGES, all_tags
from crawler.replica.layout import (
    Page, attr, canonical_link, esc, html_page, script_json, visible_date,
)
from crawler.replica.model import (
    AUTHORS, BEIRUT, BREAKING, MENU, REGIONS, SITE_NAME, STANDALONE, bt,
)

_PAGED_RE = re.compile(r"^(/.+?)/page/(\d{1,6})/?$")
# The times shown with the ticker's items (as on /live).
TICKER_TIMES = ["16:50", "16:41", "16:32", "16:18", "16:05"]


def split_page(path: str) -> tuple[str, int]:
    """"/news/politics/page/2" -> ("/news/politics", 2); other paths: (path, 1)."""
    found = _PAGED_RE.match(path)
    if found and found.group(1) in content.SECTION_INDEXES:
        return found.group(1), int(found.group(2))
    return path, 1


def page_path(path: str, number: int) -> str:
    return path if number <= 1 else f"{path}/page/{number}"


# -- furniture ---------------------------------------------------------------------------

def head(title: str, extra: str = "", charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB" class="no-js">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#b3001b">
<title>{esc(title)}</title>
{extra}<link rel="preload" href="/assets/fonts/inter.woff2" as="font" crossorigin>
<link rel="stylesheet" href="/assets/css/main.css">
</head>
"""


def _group(label: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'\n          <li class="navgroup__item"><a class="navgroup__link" '
                    f'href="{attr(p)}">{esc(n)}</a></li>' for n, p in links)
    return (f'      <li class="topnav__entry">\n        <details class="navgroup">'
            f'<summary class="navgroup__label">{esc(label)}</summary>\n'
            f'        <ul class="navgroup__list">{items}\n        </ul></details></li>\n')


def _nav() -> str:
    entries = "".join(_group(category, sections) for category, _path, sections in MENU)
    entries += "".join(f'      <li class="topnav__entry"><a class="topnav__link" '
                       f'href="{p}">{esc(n)}</a></li>\n' for n, p in STANDALONE)
    entries += _group("World", [(name, f"/regions/{slug}") for slug, name in REGIONS.items()])
    entries += state.EXTRA_MENU.get()        # js_pages' "Latest", when served
    entries += ('      <li class="topnav__entry topnav__entry--live"><a class="topnav__link" '
                'href="/live"><span class="dot" aria-hidden="true"></span>Watch Live</a></li>\n')
    return entries


def header() -> str:
    """The masthead: brand, editions, the menu and the ticker (what is served)."""
    served = state.BREAKING.get()
    items = BREAKING if served is None else served
    ticker = "".join(
        f'      <li class="flash__item"><time class="flash__at">{TICKER_TIMES[i % 5]}</time> '
        f'<span class="flash__text">{esc(text)}</span></li>\n' for i, text in enumerate(items))
    return f"""<a class="skip" href="#content">Skip to content</a>
<header class="masthead">
  <div class="masthead__top">
    <a class="masthead__brand" href="/" aria-label="{SITE_NAME} home"><svg class="icon" aria-hidden="true" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg></a>
    <div class="masthead__editions"><a href="https://www.almayadeen.net/" hreflang="ar">عربي</a> <a href="https://espanol.almayadeen.net/" hreflang="es">Español</a></div>
    <form class="masthead__search" action="/search" role="search"><input type="search" name="q" aria-label="Search"><button type="submit">Search</button></form>
  </div>
  <nav class="topnav" aria-label="Sections">
    <ul class="topnav__bar">
{_nav()}    </ul>
  </nav>
  <div class="flash" role="marquee" aria-label="Breaking news" aria-live="off">
    <ul class="flash__track">
{ticker}    </ul>
  </div>
</header>
"""


FOOTER = """<footer class="colophon">
  <nav class="colophon__links" aria-label="About us">
    <ul><li><a href="/about-us">Who we are</a></li><li><a href="/contact-us">Contact</a></li><li><a href="/privacy-policy">Privacy</a></li><li><a href="/authors">Our writers</a></li></ul>
  </nav>
  <p class="colophon__legal">&copy; 2025 Al Mayadeen English. Al Mayadeen is an Arab independent media satellite channel.</p>
</footer>"""


def page(title: str, head_extra: str, main: str, charset: str = "utf-8") -> str:
    return (head(title, head_extra, charset) + '<body class="v3">\n' + header()
            + main + FOOTER + "\n</body>\n</html>\n")


def time_tag(dt, shown: str) -> str:
    return f'<time datetime="{dt.astimezone(BEIRUT).isoformat()}">{esc(shown)}</time>'


def teaser(a: dict, href: str | None = None, *, dated: bool = True, size: str = "") -> str:
    """A card: the image and the <h3> both link the article; the kicker its index."""
    href = href or a["path"]
    label = a["section"] or a["category"]
    media = (f'\n    <a class="teaser__media" href="{attr(href)}" tabindex="-1" aria-hidden="true">'
             f'<img src="{attr(a["image"])}" alt="" loading="lazy"></a>') if a["image"] else ""
    when = f"\n      {time_tag(a['published'], visible_date(a['published']))}" if dated else ""
    return f"""  <article class="teaser{size}">{media}
    <div class="teaser__body">
      <a class="teaser__kicker" href="{content.index_path_of(a)}">{esc(label)}</a>
      <h3 class="teaser__title"><a href="{attr(href)}">{esc(a["title"])}</a></h3>{when}
    </div>
  </article>
"""


def _teasers(articles: list[dict]) -> str:
    return "".join(teaser(a) for a in articles) if articles else \
        '  <p class="listing__empty">Nothing here yet.</p>\n'


def _website_meta(title: str, url: str, og_type: str = "website") -> str:
    """Canonical and OpenGraph tags of a page that is not an article."""
    return (canonical_link(url) + f'<meta property="og:type" content="{og_type}">\n'
            f'<meta property="og:site_name" content="{SITE_NAME}">\n'
            f'<meta property="og:title" content="{attr(title)}">\n'
            f'<meta property="og:url" content="{attr(url)}">\n')


def _listing(title: str, url: str, grid: str, extra: str = "", after: str = "",
             og_type: str = "website") -> Page:
    main = (f'<main id="content" class="listing">\n<header class="listing__head"><h1 '
            f'class="listing__title">{esc(title)}</h1></header>\n<div class="listing__grid">\n'
            f'{grid}</div>\n{after}</main>\n')
    return html_page(page(f"{title} – {SITE_NAME}", _website_meta(title, url, og_type) + extra,
                          main))


# -- home and indexes ----------------------------------------------------------------------

def render_home(origin: str, offsite_origin: str) -> Page:
    origin = origin.rstrip("/")
    listed = content.home_listing()
    top = [a for a in listed if a["category"] == "News"]
    lead = teaser(top[0], size=" teaser--lead") + _teasers(top[1:]) if top else _teasers([])
    shelves = []
    for name, path in (("Opinion", "/articles/opinion"), ("Analysis", "/articles/analysis"),
                       ("Videos", "/videos")):
        items = [a for a in listed if content.index_path_of(a).startswith(path)]
        shelves.append(f'<section class="shelf">\n  <h2 class="shelf__title"><a href="{path}">'
                       f'{name}</a></h2>\n' + _teasers(items) + "</section>\n")
    tracked, old = content.BY_KEY["french-mps"], content.BY_KEY["sanctions-global-south"]
    shelves.append('<section class="shelf shelf--picks">\n  <h2 class="shelf__title">'
                   "Editor's Picks</h2>\n" + teaser(tracked, tracked["path"]
                                                    + content.TRACKING_SUFFIX)
                   + teaser(old, old["old_path"]) + "</section>\n")
    offsite = content.BY_KEY["doha-ministers"]
    network = (teaser(offsite, offsite_origin.rstrip("/") + offsite["path"])
               + '  <article class="teaser">\n    <div class="teaser__body">\n      <h3 '
               f'class="teaser__title"><a href="{attr(content.OFFSITE_HOST_URL)}">'
               f'{esc(content.OFFSITE_HOST_TITLE)}</a></h3>\n    </div>\n  </article>\n')
    shelves.append('<section class="shelf shelf--network">\n  <h2 class="shelf__title">'
                   "From our network</h2>\n" + network + "</section>\n")
    ld = {"@context": "https://schema.org", "@type": "WebSite", "@id": origin + "/#website",
          "url": origin + "/", "name": SITE_NAME}
    extra = f'<script type="application/ld+json">{script_json(ld)}</script>\n'
    main = ('<main id="content" class="front">\n<h1 class="visually-hidden">'
            f'{SITE_NAME}</h1>\n<section class="front__top">\n{lead}</section>\n'
            + "".join(shelves) + "</main>\n")
    return html_page(page(SITE_NAME, _website_meta(SITE_NAME, origin + "/") + extra, main))


def _pager(path: str, number: int, pages: int | None) -> str:
    links = []
    if number > 1:
        links.append(f'<a class="pager__prev" rel="prev" href="{page_path(path, number - 1)}">'
                     "Newer</a>")
    last = pages if pages is not None else number + 1
    for n in range(max(1, number - 2), min(last, number + 2) + 1):
        links.append(f'<span class="pager__current" aria-current="page">{n}</span>'
                     if n == number else
                     f'<a class="pager__num" href="{page_path(path, n)}">{n}</a>')
    if pages is None or number < pages:
        links.append(f'<a class="pager__older" rel="next" href="{page_path(path, number + 1)}">'
                     "Older stories</a>")
    return ('<nav class="pager" aria-label="Pages">\n  ' + "\n  ".join(links) + "\n</nav>\n")


def render_section(path: str, number: int, origin: str) -> Page | None:
    """A section index page (``/page/N`` for N > 1), None when out of range."""
    pages = content.section_page_count(path)
    if number < 1 or (pages is not None and number > pages):
        return None
    name = content.SECTION_INDEXES[path][1]
    cards = [teaser(a) for a in content.section_listing(path, number)]
    if path == "/news/politics" and number == 2:    # a listed article that is gone (404)
        gone = {"path": content.NOT_FOUND_PATH, "title": content.NOT_FOUND_TITLE,
                "section": "Politics", "category": "News", "image": None,
                "published": bt(2025, 10, 3, 18, 0)}
        cards.insert(1, teaser(gone))
    url = origin.rstrip("/") + page_path(path, number)
    return _listing(name, url, "".join(cards) or _teasers([]),
                    after=_pager(path, number, pages))


def render_region(slug: str, origin: str) -> Page:
    return _listing(REGIONS[slug], f"{origin.rstrip('/')}/regions/{slug}",
                    _teasers(content.region_listing(slug)))


def render_category(path: str, origin: str) -> Page:
    name = content.CATEGORY_INDEXES[path]
    return _listing(name, origin.rstrip("/") + path,
                    _teasers(content.category_listing(name)))


# -- non-article pages ----------------------------------------------------------------------

def render_tag(slug: str, origin: str) -> Page | None:
    name = all_tags().get(slug)
    if name is None:
        return None
    articles = [a for a in content.listed_articles() if name in a["tags"]]
    return _listing(name, f"{origin.rstrip('/')}/tags/{slug}", _teasers(articles))


def render_author(slug: str, origin: str) -> Page | None:
    name = next((n for n, (s, _bio) in AUTHORS.items() if s == slug), None)
    if name is None:
        return None
    url = f"{origin.rstrip('/')}/authors/{slug}"
    bio = AUTHORS[name][1]
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "ProfilePage", "@id": url, "url": url, "name": name,
         "mainEntity": {"@id": url + "#person"}},
        {"@type": "Person", "@id": url + "#person", "name": name, "description": bio}]}
    extra = (f'<meta name="description" content="{attr(bio)}">\n'
             f'<script type="application/ld+json">{script_json(ld)}</script>\n')
    articles = [a for a in content.listed_articles() if name in a["authors"]][:6]
    grid = f'  <p class="profile__bio">{esc(bio)}</p>\n' + _teasers(articles)
    return _listing(name, url, grid, extra, og_type="profile")


def render_authors(origin: str) -> Page:
    items = "".join(f'  <li class="people__item"><a href="/authors/{slug}">{esc(name)}</a></li>\n'
                    for name, (slug, _) in AUTHORS.items())
    return _listing("Our writers", origin.rstrip("/") + "/authors",
                    f'<ul class="people">\n{items}</ul>\n')


def render_static(path: str, origin: str) -> Page:
    title, _with_metadata, paragraphs = STATIC_PAGES[path]
    url = origin.rstrip("/") + path
    body = "\n".join(f"    <p>{esc(p)}</p>" for p in paragraphs)
    main = (f'<main id="content" class="prose">\n<h1 class="prose__title">{esc(title)}</h1>\n'
            f'<div class="prose__body">\n{body}\n</div>\n</main>\n')
    extra = _website_meta(title, url) + f'<meta name="description" content="{attr(paragraphs[0])}">\n'
    return html_page(page(f"{title} – {SITE_NAME}", extra, main))


def render_live(origin: str) -> Page:
    url = origin.rstrip("/") + "/live"
    items = "\n".join(f'  <li class="feed__item"><time>{t}</time> <p>{esc(text)}</p></li>'
                      for t, text in zip(TICKER_TIMES, BREAKING))
    main = ('<main id="content" class="live">\n<h1 class="live__title">Watch Live</h1>\n'
            '<div class="player"><video controls preload="none" poster="/images/live-poster.jpg">'
            '<source src="/media/live/stream.m3u8" type="application/x-mpegURL"></video></div>\n'
            f'<ol class="feed">\n{items}\n</ol>\n</main>\n')
    return html_page(page(f"Live – {SITE_NAME}", _website_meta("Live", url), main))


def render(path: str, page_number: int, origin: str, offsite_origin: str) -> Page | None:
    """The redesigned home, index or non-article page at an (unquoted) path; None for
    every other path (articles, sitemaps, robots.txt, images: see server.render)."""
    if path == "/":
        return render_home(origin, offsite_origin)
    if path in content.SECTION_INDEXES:
        return render_section(path, page_number, origin)
    if path in content.CATEGORY_INDEXES:
        return render_category(path, origin)
    if path in content.REGION_INDEXES:
        return render_region(path.rsplit("/", 1)[1], origin)
    if path.startswith("/tags/"):
        return render_tag(path[len("/tags/"):], origin)
    if path == "/authors":
        return render_authors(origin)
    if path.startswith("/authors/"):
        return render_author(path[len("/authors/"):], origin)
    if path == "/live":
        return render_live(origin)
    if path in STATIC_PAGES:
        return render_static(path, origin)
    return None
