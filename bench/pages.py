"""The benchmark site's pages: the replica's layout, metadata and body renderers around
the synthetic records of ``sitegen``, plus ``furniture`` for a real page's weight.

Article pages use the replica's reference markup (the ``full``, ``jsonld_og`` and
``visible`` variants); Related News, Read more, Most Read, Read Next and Coverage link
other articles of the benchmark site, so a crawl never leaves it.
"""

from __future__ import annotations

from crawler.replica import article_pages as replica_articles
from crawler.replica.layout import (
    attr, card, esc, html_page, page, visible_date, visible_datetime)
from crawler.replica.model import MENU, SITE_NAME, STANDALONE
from crawler.replica.content import body_paragraphs

from bench import furniture
from bench.sitegen import Site, index_path_of

MENU_STATE = [{"name": c, "path": p, "items": [{"name": n, "path": q} for n, q in s]}
              for c, p, s in MENU] + [{"name": n, "path": p} for n, p in STANDALONE]


def _link(site: Site, key: str) -> str:
    target = site.by_key[key]
    return f'<a href="{attr(target["path"])}">{esc(target["title"])}</a>'


def _block(site: Site, block) -> str:
    if isinstance(block, tuple) and block[0] == "related":
        items = "\n".join(f"        <li>{_link(site, k)}</li>" for k in block[1])
        return (f'<div class="related-news">\n      <h4>Related News</h4>\n      <ul>\n'
                f'{items}\n      </ul>\n    </div>')
    if isinstance(block, tuple) and block[0] == "readmore":
        return f"<p><strong>Read more: {_link(site, block[1])}</strong></p>"
    return replica_articles._reference_block(block)


def _neighbours(site: Site, a: dict, count: int, skip: int = 0) -> list[dict]:
    """Articles of the same section listed next to ``a`` (Read Next, Coverage)."""
    same = site.sections[index_path_of(a)]
    position = site.position[a["key"]]
    picked = [b for b in same[position + 1 + skip:] + same[:position] if b is not a]
    return picked[:count]


def _popular(site: Site, a: dict) -> list[dict]:
    return [b for b in site.home[:4] if b is not a][:3]


def _side_cards(items: list[dict], dated: bool) -> str:
    return "".join(replica_articles._side_card(b, dated=dated) for b in items)


def _article_main(site: Site, a: dict, body: str) -> str:
    crumbs = " › ".join(['<a href="/">Home</a>'] + [
        f'<a href="{p}">{esc(n)}</a>' for n, p in replica_articles.breadcrumb_trail(a)])
    meta = [f'    <li class="meta-author">By {replica_articles._author_links(a)}</li>']
    if a["source"]:
        meta.append(f'    <li class="meta-source">Source: {esc(a["source"])}</li>')
    meta += [f'    <li class="meta-date">{visible_datetime(a["published"])}</li>',
             f'    <li class="meta-shares">{a["shares"]} Shares</li>']
    media = ""
    if a["image"]:
        media = (f'  <figure class="article-image">\n    <img src="{attr(a["image"])}" '
                 f'alt="{attr(a["image_alt"] or "")}">\n'
                 f'    <figcaption>{esc(a["caption"])}</figcaption>\n  </figure>\n')
    tags = "\n".join(f'    <li><a href="/tags/{_tag_slug(t)}">{esc(t)}</a></li>'
                     for t in a["tags"])
    coverage = "".join(card(b["path"], b["title"], index_path_of(b), b["section"] or
                            b["category"], b["published"], b["image"])
                       for b in _neighbours(site, a, 4, skip=2))
    nl = "\n"
    return f"""<main class="page-content">
<article class="article-page">
  <nav class="breadcrumb">{crumbs}</nav>
  <h1 class="article-title">{esc(a["title"])}</h1>
  <ul class="article-meta">
{nl.join(meta)}
  </ul>
  <span class="read-time">{a["read_time"]} Min Read</span>
  <p class="article-summary">{esc(a["summary"])}</p>
  <button class="listen-btn" type="button">Listen</button>
  <div class="share-bar"><a href="https://www.facebook.com/sharer.php?u={attr(a["path"])}">Facebook</a><a href="https://x.com/intent/tweet?url={attr(a["path"])}">X</a><button type="button">Copy link</button></div>
{media}  <div class="p-content">
{body}
  </div>
  <ul class="tags">
{tags}
  </ul>
</article>
<aside class="most-read">
  <h3>Most Read</h3>
{_side_cards(_popular(site, a), dated=True)}</aside>
<section class="coverage-block">
  <h3>Coverage</h3>
{coverage}</section>
<section class="read-next">
  <h3>Read Next</h3>
{_side_cards(_neighbours(site, a, 2), dated=False)}</section>
</main>
"""


def render_article(site: Site, a: dict, origin: str) -> bytes:
    origin = origin.rstrip("/")
    body = "\n".join("    " + _block(site, b) for b in a["body"])
    extra = "" if a["variant"] == "visible" else replica_articles._metadata(
        a, origin, tawsiyat=a["variant"] == "full")
    state = {"page": "article", "article": {
        "id": a["postid"], "title": a["title"], "summary": a["summary"],
        "url": origin + a["path"], "published": a["published"].isoformat(),
        "authors": a["authors"], "tags": a["tags"], "bodyHtml": body,
        "paragraphs": len(body_paragraphs(a))}, "menu": MENU_STATE}
    main = furniture.body_top() + _article_main(site, a, body) + furniture.body_bottom(state)
    return html_page(page(f"{a['title']} | {SITE_NAME}", extra + furniture.head_static(),
                          main)).body


def _cards(items: list[dict]) -> str:
    return "".join(card(a["path"], a["title"], index_path_of(a), a["section"] or a["category"],
                        a["published"], a["image"]) for a in items) \
        or '  <p class="empty">No stories yet.</p>\n'


def _index_page(title: str, url: str, items: list[dict], more: str = "",
                extra: str = "") -> bytes:
    main = (f'<main class="page-content">\n<h1 class="section-title">{esc(title)}</h1>\n'
            f'<div class="news-list">\n{_cards(items)}</div>\n{more}</main>\n')
    state = {"page": "index", "title": title, "items": [
        {"title": a["title"], "path": a["path"], "date": visible_date(a["published"])}
        for a in items], "menu": MENU_STATE}
    head = f'<link rel="canonical" href="{attr(url)}">\n' + extra + furniture.head_static()
    return html_page(page(f"{title} | {SITE_NAME}", head, furniture.body_top() + main
                          + furniture.body_bottom(state))).body


def render_section(site: Site, path: str, number: int, origin: str) -> bytes | None:
    pages = site.section_pages(path)
    if number < 1 or number > pages:
        return None
    origin = origin.rstrip("/")
    url = origin + path + (f"?page={number}" if number > 1 else "")
    extra = more = ""
    if number < pages:
        extra = f'<link rel="next" href="{attr(origin + path)}?page={number + 1}">\n'
        more = (f'<div class="load-more">\n  <a class="loadmorebtn" href="{path}?page='
                f'{number + 1}" rel="next" data-page="{number + 1}">Load More</a>\n</div>\n')
    name = next(n for p, n in _section_names() if p == path)
    return _index_page(name, url, site.section_listing(path, number), more, extra)


def render_region(site: Site, slug: str, name: str, origin: str) -> bytes:
    return _index_page(name, f"{origin.rstrip('/')}/regions/{slug}", site.regions[slug])


def render_home(site: Site, origin: str) -> bytes:
    return _index_page(SITE_NAME, origin.rstrip("/") + "/", site.home)


def _section_names() -> list[tuple[str, str]]:
    return [(p, n) for _c, _p, sections in MENU for n, p in sections] + \
        [(p, n) for n, p in STANDALONE]


def _tag_slug(tag: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in tag.lower())

