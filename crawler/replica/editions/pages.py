"""The Arabic and Spanish replicas' pages: the article (in its metadata variant),
home, section, region, tag and author pages, the ticker and menus on every page.

Markup follows the English replica's reference classes (the edition's guess: same
CMS), in the edition's language and direction: ``<html lang="ar" dir="rtl">``.
Arabic hrefs carry raw Unicode slugs (browsers percent-encode them on the wire).
"""

from __future__ import annotations

import json

from crawler.replica.editions import content
from crawler.replica.editions.model import SITES, EditionSite
from crawler.replica.layout import Page, attr, esc, html_page, script_json

API_PATH = "/api/loadmore"


def _head(site: EditionSite, title: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{site.language}" dir="{site.direction}">\n<head>\n'
            f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
            f'initial-scale=1">\n<title>{esc(title)}</title>\n{extra}'
            f'<link rel="stylesheet" href="/assets/css/main.css">\n</head>\n')


def _header(site: EditionSite) -> str:
    items = []
    for category, path, sections in site.menu:
        subs = "\n".join(f'          <li><a href="{p}">{esc(n)}</a></li>' for n, p in sections)
        items.append(f'      <li class="has-sub"><a href="{path}">{esc(category)}</a>\n'
                     f'        <ul class="sub-menu">\n{subs}\n        </ul></li>')
    regions = "\n".join(f'      <li><a href="{site.regions_path}/{slug}">{esc(name)}</a></li>'
                        for slug, name in site.regions.items())
    breaking = "".join(f"      <li>{esc(t)}</li>\n" for t in site.breaking)
    return f"""<header class="site-header">
  <a class="logo" href="/"><img src="/images/logo.png" alt="{attr(site.site_name)}"></a>
  <nav class="main-menu">
    <ul>
{chr(10).join(items)}
      <li class="live"><a href="/live">LIVE</a></li>
    </ul>
  </nav>
  <nav class="regions-menu">
    <ul>
{regions}
    </ul>
  </nav>
  <div class="breaking-ticker">
    <span class="breaking-label">{esc(site.breaking_label)}</span>
    <ul class="breaking-list">
{breaking}    </ul>
  </div>
</header>
"""


def _document(site: EditionSite, title: str, extra: str, main: str) -> Page:
    footer = (f'<footer class="site-footer">\n  <p>{esc(site.footer)}</p>\n</footer>')
    return html_page(_head(site, title, extra) + "<body>\n" + _header(site) + main + footer
                     + "\n</body>\n</html>\n")


def _card(site: EditionSite, a: dict, dated: bool = True) -> str:
    img = f'<img src="{attr(a["image"])}" alt="">' if a["image"] else ""
    when = (f'\n    <div class="time"><p>{esc(site.visible_date(a["published"]))}</p></div>'
            if dated else "")
    return (f'  <div class="news-card">\n    <a href="{attr(a["path"])}">{img}'
            f'<h4>{esc(a["title"])}</h4></a>\n    <a class="category-meta" '
            f'href="{a["section"]}">{esc(a["section_name"])}</a>{when}\n  </div>\n')


# -- the article ------------------------------------------------------------------------

def _alternates(a: dict, origin: str, siblings: dict[str, str] | None) -> list[str]:
    own = f'<link rel="alternate" hreflang="{SITES[a["edition"]].language}" ' \
          f'href="{attr(origin + a["path"])}">'
    return [own] + [f'<link rel="alternate" hreflang="{lang}" href="{attr(url)}">'
                    for lang, url in content.sibling_links(a, siblings)]


def _metadata(a: dict, origin: str) -> list[str]:
    site = SITES[a["edition"]]
    url = origin + a["path"]
    image = origin + a["image"] if a["image"] else None
    published, modified = a["published"].isoformat(), a["modified"].isoformat()
    lines = [f'<link rel="canonical" href="{attr(url)}">',
             f'<meta name="description" content="{attr(a["summary"])}">',
             '<meta property="og:type" content="article">',
             f'<meta property="og:site_name" content="{attr(site.site_name)}">',
             f'<meta property="og:locale" content="{site.language}">',
             f'<meta property="og:title" content="{attr(a["title"])}">',
             f'<meta property="og:description" content="{attr(a["summary"])}">',
             f'<meta property="og:url" content="{attr(url)}">']
    if image:
        lines.append(f'<meta property="og:image" content="{attr(image)}">')
    lines += [f'<meta property="article:published_time" content="{published}">',
              f'<meta property="article:modified_time" content="{modified}">',
              f'<meta property="article:section" content="{attr(a["section_name"])}">']
    lines += [f'<meta property="article:tag" content="{attr(t)}">' for t in a["tags"]]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "url": url,
          "headline": a["title"], "description": a["summary"]}
    if image:
        ld["image"] = {"@type": "ImageObject", "url": image}
    ld.update({
        "datePublished": published, "dateModified": modified,
        "author": [{"@type": "Organization" if "mayadeen" in site.authors[name] else "Person",
                    "name": name, "url": f"{origin}/authors/{site.authors[name]}"}
                   for name in a["authors"]],     # (the newsroom signs as an organisation)
        "publisher": {"@type": "Organization", "name": site.site_name},
        "articleSection": a["section_name"], "keywords": ", ".join(a["tags"]),
        "inLanguage": site.language})
    lines.append(f'<script type="application/ld+json">{script_json(ld)}</script>')
    if a["variant"] == "full":
        lines.append('<script id="tawsiyat-metadata" type="text/tawsiyat">'
                     f'{script_json(_tawsiyat(a, url, image))}</script>')
    return lines


def _tawsiyat(a: dict, url: str, image: str | None) -> dict:
    site = SITES[a["edition"]]
    classes = [{"key": a["section"].strip("/").split("/")[0], "mapping": "posttype",
                "value": a["category"]},
               {"key": a["section"].strip("/").split("/")[-1], "mapping": "category",
                "value": a["section_name"]}]
    classes += [{"key": slug, "mapping": "country", "value": site.regions[slug]}
                for slug in sorted(a["regions"])]
    classes += [{"key": site.authors[n], "mapping": "author", "value": n}
                for n in a["authors"]]
    return {"type": "article", "postid": a["postid"], "title": a["title"], "url": url,
            "keywords": ",".join(a["tags"]), "thumbnail": image, "video_duration": None,
            "word_count": str(a["word_count"]), "lang": site.language,
            "description": a["summary"], "author": ", ".join(a["authors"]),
            "published_time": a["published"].isoformat(),
            "last_updated": a["modified"].isoformat(), "classes": classes, "html": "",
            "lite_url": url + "?lite=1"}


def _block(site: EditionSite, edition: str, block) -> str:
    if isinstance(block, str):
        return f"<p>{esc(block)}</p>"
    if block[0] == "related":
        items = "\n".join(
            f'        <li><a href="{attr(content.BY_KEY[edition][k]["path"])}">'
            f'{esc(content.BY_KEY[edition][k]["title"])}</a></li>' for k in block[1])
        return (f'<div class="related-news">\n      <h4>{esc(site.related_label)}</h4>\n'
                f'      <ul>\n{items}\n      </ul>\n    </div>')
    raise ValueError(block[0])


def render_article(a: dict, origin: str, siblings: dict[str, str] | None = None) -> Page:
    site = SITES[a["edition"]]
    origin = origin.rstrip("/")
    head = [] if a["variant"] == "visible" else _metadata(a, origin)
    head += _alternates(a, origin, siblings)
    authors = ", ".join(f'<a href="/authors/{site.authors[n]}">{esc(n)}</a>'
                        for n in a["authors"])
    meta = [f'    <li class="meta-author">{esc(site.by_word)} {authors}</li>']
    if a["source"]:
        meta.append(f'    <li class="meta-source">{esc(site.source_word)} {esc(a["source"])}</li>')
    meta.append(f'    <li class="meta-date"><time>{esc(site.visible_datetime(a["published"]))}'
                f'</time></li>')
    media = ""
    if a["image"]:
        media = (f'  <figure class="article-image">\n    <img src="{attr(a["image"])}" alt="">\n'
                 f'    <figcaption>{esc(a["caption"])}</figcaption>\n  </figure>\n')
    body = "\n".join("    " + _block(site, a["edition"], b) for b in a["body"])
    tags = "\n".join(f'    <li><a href="/tags/{attr(content.english.tag_slug(t))}">{esc(t)}</a></li>'
                     for t in a["tags"])
    most_read = "".join(_card(site, content.BY_KEY[a["edition"]][k])
                        for k in content.MOST_READ[a["edition"]] if k != a["key"])
    crumbs = (f'<a href="/">{esc(site.home_label)}</a> › '
              f'<a href="/{a["section"].strip("/").split("/")[0]}">{esc(a["category"])}</a>'
              + (f' › <a href="{a["section"]}">{esc(a["section_name"])}</a>'
                 if a["section"].count("/") > 1 else ""))
    main = f"""<main class="page-content">
<article class="article-page">
  <nav class="breadcrumb">{crumbs}</nav>
  <h1 class="article-title">{esc(a["title"])}</h1>
  <ul class="article-meta">
{chr(10).join(meta)}
  </ul>
  <span class="read-time">{esc(site.read_time.format(n=a["read_time"]))}</span>
  <p class="article-summary">{esc(a["summary"])}</p>
{media}  <div class="p-content">
{body}
  </div>
  <ul class="tags">
{tags}
  </ul>
</article>
<aside class="most-read">
  <h3>{esc(site.most_read_label)}</h3>
{most_read}</aside>
</main>
"""
    page = _document(site, f"{a['title']} | {site.site_name}", "\n".join(head) + "\n", main)
    page.article_key = a["key"]  # type: ignore[attr-defined]
    return page


# -- index pages ------------------------------------------------------------------------

def _canonical(url: str) -> str:
    return f'<link rel="canonical" href="{attr(url)}">\n'


def _index(site: EditionSite, title: str, url: str, cards: list[dict], extra: str = "",
           after: str = "") -> Page:
    main = (f'<main class="page-content">\n<h1 class="section-title">{esc(title)}</h1>\n'
            f'<div class="news-list">\n{"".join(_card(site, a) for a in cards)}</div>\n'
            f'{after}</main>\n')
    return _document(site, f"{title} | {site.site_name}", _canonical(url) + extra, main)


def render_home(edition: str, origin: str) -> Page:
    site = SITES[edition]
    return _index(site, site.site_name, origin.rstrip("/") + "/",
                  content.home_listing(edition))


_LOAD_MORE_SCRIPT = """<script>
(function () {
  var button = document.querySelector('.loadmorebtn');
  if (!button) { return; }
  button.addEventListener('click', function () {
    button.disabled = true;
    fetch('%s?section=' + encodeURIComponent(button.getAttribute('data-section'))
          + '&page=' + button.getAttribute('data-page'), {headers: {'Accept': 'application/json'}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.querySelector('.news-list').insertAdjacentHTML('beforeend', data.html);
        if (data.next) {
          button.setAttribute('data-page', String(data.next));
          button.disabled = false;
        } else {
          button.parentNode.removeChild(button);
        }
      });
  });
})();
</script>
""" % API_PATH


def render_section(edition: str, path: str, page_number: int, origin: str) -> Page | None:
    """Arabic: the first page's cards and a JavaScript "المزيد" button (certain), every
    ?page=N the first page again; Spanish (a guess): ``?page=N`` pages linked by
    rel="next" and a Load More link."""
    site = SITES[edition]
    origin = origin.rstrip("/")
    name = site.sections[path][1]
    pages = content.section_pages(edition, path)
    if edition == "ar":
        more = ""
        if pages > 1:
            more = (f'<div class="load-more">\n  <button class="loadmorebtn" type="button" '
                    f'data-section="{attr(path)}" data-page="2">{esc(site.load_more_label)}'
                    f'</button>\n</div>\n{_LOAD_MORE_SCRIPT}')
        return _index(site, name, origin + path, content.section_listing(edition, path, 1),
                      after=more)
    if page_number < 1 or page_number > pages:
        return None
    url = origin + path + (f"?page={page_number}" if page_number > 1 else "")
    extra, more = "", ""
    if page_number < pages:
        nxt = page_number + 1
        extra = f'<link rel="next" href="{attr(origin + path)}?page={nxt}">\n'
        more = (f'<div class="load-more">\n  <a class="loadmorebtn" href="{path}?page={nxt}" '
                f'rel="next">{esc(site.load_more_label)}</a>\n</div>\n')
    return _index(site, name, url, content.section_listing(edition, path, page_number),
                  extra, more)


def render_load_more(edition: str, path: str, page_number: int) -> Page:
    """The JSON the Arabic Load More button fetches: the cards of one more page."""
    site = SITES[edition]
    if path not in site.sections or page_number < 2 \
            or page_number > content.section_pages(edition, path):
        return Page(404, b'{"error": "no such page"}', "application/json; charset=utf-8")
    cards = content.section_listing(edition, path, page_number)
    data = {"page": page_number, "html": "".join(_card(site, a) for a in cards),
            "next": page_number + 1 if page_number < content.section_pages(edition, path)
            else None}
    return Page(200, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                "application/json; charset=utf-8")


def render_region(edition: str, slug: str, origin: str) -> Page:
    site = SITES[edition]
    return _index(site, site.regions[slug], f"{origin.rstrip('/')}{site.regions_path}/{slug}",
                  content.region_listing(edition, slug))


def render_tag(edition: str, tag: str, origin: str) -> Page:
    site = SITES[edition]
    return _index(site, tag, origin.rstrip("/") + "/tags/" + content.english.tag_slug(tag),
                  content.tag_listing(edition, tag),
                  '<meta property="og:type" content="website">\n')


def render_author(edition: str, name: str, origin: str) -> Page:
    site = SITES[edition]
    return _index(site, name, f"{origin.rstrip('/')}/authors/{site.authors[name]}",
                  content.author_listing(edition, name),
                  '<meta property="og:type" content="profile">\n')

