"""Article pages of the redesigned replica (``ReplicaServer(layout="redesign")``).

No tawsiyat script any more. What a page says about its article in its <head> depends
on the article's markup variant (``content``), so that every layer of a parser meets
the new templates:

- ``full``: JSON-LD as one @graph (NewsArticle, WebPage, ImageObject, Person and
  Organization objects linked by "@id"), OpenGraph and article:* tags;
- ``jsonld_og``: the @graph and OpenGraph, no article:* tags;
- ``redesign``: OpenGraph and article:* tags only (no JSON-LD);
- ``visible``: nothing but the <title>.

The visible page is the same for all: an <article class="story"> whose <header> holds
the breadcrumb, <h1>, standfirst, byline with rel="author" links, "Source: …" line,
``<time datetime>`` and "N min read"; the lead <figure>; the text in
``<div itemprop="articleBody">``, each sub-heading opening a <section>, with Related
News as an <aside> and "Read more:" lines as links; the tags as rel="tag" links in the
article's <footer>; Most Read and Read Next as cards outside the article.

The regions a page used to name (tawsiyat "country" classes) are on no redesigned page:
only the region indexes that list an article say which regions it belongs to.
"""

from __future__ import annotations

from crawler.replica import content
from crawler.replica.article_pages import (
    article_link, breadcrumb_trail, most_read, read_next)
from crawler.replica.layout import (
    Page, attr, emphasis, esc, html_page, script_json, visible_datetime,
)
from crawler.replica.model import AUTHORS, BEIRUT, SITE_NAME
from crawler.replica.redesign import page, teaser

JSONLD_VARIANTS = ("full", "jsonld_og")
OPENGRAPH_VARIANTS = ("full", "jsonld_og", "redesign")
ARTICLE_TAG_VARIANTS = ("full", "redesign")


def render_article(a: dict, origin: str) -> Page:
    origin = origin.rstrip("/")
    return html_page(page(f"{a['title']} – {SITE_NAME}", _head(a, origin), _main(a),
                          a["charset"]), a["charset"])


def _iso(dt) -> str:
    return dt.astimezone(BEIRUT).isoformat()


# -- <head> --------------------------------------------------------------------------------

def _head(a: dict, origin: str) -> str:
    variant = a["variant"]
    url = origin + a["path"]
    image = origin + a["image"] if a["image"] else None
    lines = []
    if variant in OPENGRAPH_VARIANTS:
        lines += [f'<link rel="canonical" href="{attr(url)}">',
                  f'<meta name="description" content="{attr(a["summary"])}">',
                  '<meta property="og:type" content="article">',
                  f'<meta property="og:site_name" content="{SITE_NAME}">',
                  '<meta property="og:locale" content="en_GB">',
                  f'<meta property="og:title" content="{attr(a["title"])}">',
                  f'<meta property="og:description" content="{attr(a["summary"])}">',
                  f'<meta property="og:url" content="{attr(url)}">']
        if image:
            lines += [f'<meta property="og:image" content="{attr(image)}">',
                      '<meta property="og:image:width" content="1000">',
                      '<meta name="twitter:card" content="summary_large_image">']
    if variant in ARTICLE_TAG_VARIANTS:
        lines += [f'<meta property="article:published_time" content="{_iso(a["published"])}">',
                  f'<meta property="article:modified_time" content="{_iso(a["modified"])}">']
        lines += [f'<meta property="article:author" content="{origin}/authors/'
                  f'{AUTHORS[name][0]}">' for name in a["authors"]]
        if a["section"]:
            lines.append(f'<meta property="article:section" content="{attr(a["section"])}">')
        lines += [f'<meta property="article:tag" content="{attr(t)}">' for t in a["tags"]]
    if variant in JSONLD_VARIANTS:
        lines.append(f'<script type="application/ld+json">{script_json(_graph(a, origin))}'
                     "</script>")
    return "".join(line + "\n" for line in lines)


def _graph(a: dict, origin: str) -> dict:
    url = origin + a["path"]
    organization = {"@type": "NewsMediaOrganization", "@id": origin + "/#organization",
                    "name": SITE_NAME, "url": origin + "/",
                    "logo": {"@type": "ImageObject", "url": origin + "/images/logo.png"}}
    people, refs = [], []
    for name in a["authors"]:
        if name == SITE_NAME:
            refs.append({"@id": organization["@id"]})
            continue
        person = {"@type": "Person", "@id": f"{origin}/#/schema/person/{AUTHORS[name][0]}",
                  "name": name, "url": f"{origin}/authors/{AUTHORS[name][0]}"}
        people.append(person)
        refs.append({"@id": person["@id"]})
    # As SEO plugins write it: the description on the WebPage only, a lone author as
    # an object, several as a list.
    article = {"@type": "NewsArticle", "@id": url + "#article", "isPartOf": {"@id": url},
               "mainEntityOfPage": {"@id": url}, "headline": a["title"],
               "datePublished": _iso(a["published"]), "dateModified": _iso(a["modified"]),
               "author": refs[0] if len(refs) == 1 else refs,
               "publisher": {"@id": organization["@id"]}}
    webpage = {"@type": "WebPage", "@id": url, "url": url, "name": a["title"],
               "description": a["summary"],
               "isPartOf": {"@id": origin + "/#website"}, "inLanguage": "en-GB",
               "breadcrumb": {"@id": url + "#breadcrumb"},
               "datePublished": _iso(a["published"])}
    extra = []
    if a["image"]:
        image = {"@type": "ImageObject", "@id": url + "#primaryimage",
                 "url": origin + a["image"], "contentUrl": origin + a["image"],
                 "caption": a["caption"]}
        article["image"] = webpage["primaryImageOfPage"] = {"@id": image["@id"]}
        extra.append(image)
    if a["video"]:
        video = {"@type": "VideoObject", "@id": url + "#video", "name": a["title"],
                 "description": a["summary"], "uploadDate": _iso(a["published"]),
                 "thumbnailUrl": origin + a["image"] if a["image"] else None,
                 "duration": a["video"]["iso_duration"],
                 "contentUrl": origin + a["video"]["src"], "embedUrl": url}
        article["video"] = {"@id": video["@id"]}
        extra.append(video)
    if a["section"]:
        article["articleSection"] = a["section"]
    article.update({"keywords": list(a["tags"]), "wordCount": a["word_count"],
                    "inLanguage": "en-GB"})
    crumbs = [("Home", origin + "/")] + [(n, origin + p) for n, p in breadcrumb_trail(a)] \
        + [(a["title"], url)]
    breadcrumb = {"@type": "BreadcrumbList", "@id": url + "#breadcrumb", "itemListElement": [
        {"@type": "ListItem", "position": i, "name": n, "item": u}
        for i, (n, u) in enumerate(crumbs, start=1)]}
    website = {"@type": "WebSite", "@id": origin + "/#website", "url": origin + "/",
               "name": SITE_NAME, "publisher": {"@id": organization["@id"]}}
    return {"@context": "https://schema.org",
            "@graph": [article, webpage, *extra, breadcrumb, website, organization, *people]}


# -- the page ------------------------------------------------------------------------------

def _byline(a: dict) -> str:
    links = [f'<a rel="author" href="/authors/{AUTHORS[n][0]}">{esc(n)}</a>'
             for n in a["authors"]]
    names = links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]
    return f'<span class="story__byline">By {names}</span>'


def _media(a: dict) -> str:
    if a["video"]:
        return (f'  <div class="story__player"><video controls preload="metadata" '
                f'poster="{attr(a["image"])}"><source src="{attr(a["video"]["src"])}" '
                f'type="video/mp4"></video></div>\n')
    if a["image"]:
        webp = a["image"].replace("?width=1000", "?width=1000&format=webp")
        return (f'  <figure class="story__media"><picture><source type="image/webp" '
                f'srcset="{attr(webp)} 1000w"><img src="{attr(a["image"])}" '
                f'alt="{attr(a["image_alt"] or "")}" width="1000" decoding="async">'
                "</picture>\n"
                f'    <figcaption class="story__credit">{esc(a["caption"])}</figcaption>'
                "</figure>\n")
    return ""


def _block(block) -> str:
    if isinstance(block, str):
        return f"<p>{emphasis(block)}</p>"
    kind = block[0]
    if kind == "h":
        return f'<h2 class="story__subhead">{esc(block[1])}</h2>'
    if kind == "related":
        items = "".join(f"\n        <li>{article_link(k)}</li>" for k in block[1])
        return ('<aside class="story__aside" aria-label="Related News">\n      <h2 '
                f'class="story__aside-title">Related News</h2>\n      <ul>{items}\n'
                "      </ul>\n    </aside>")
    if kind == "readmore":
        return f"<p>Read more: {article_link(block[1])}</p>"
    if kind == "figure":
        return (f'<figure class="story__figure"><img src="{attr(block[1])}" alt="" '
                f'loading="lazy"><figcaption>{esc(block[2])}</figcaption></figure>')
    if kind == "widget":
        return (f'<aside class="signup"><p>{esc(block[1])}</p><form action="/newsletter" '
                'method="post"><input type="email" name="email" aria-label="Email">'
                "<button>Sign up</button></form></aside>")
    raise ValueError(kind)


def _text(blocks: list) -> str:
    """The body blocks; each sub-heading opens a <section> that runs to the next one."""
    parts: list[list] = [[]]
    for block in blocks:
        if isinstance(block, tuple) and block[0] == "h":
            parts.append([])
        parts[-1].append(block)
    out = ["    " + _block(b) for b in parts[0]]
    for part in parts[1:]:
        out += ['    <section class="story__part">', *("      " + _block(b) for b in part),
                "    </section>"]
    return "\n".join(out)


def _main(a: dict) -> str:
    crumbs = "".join(f'<li><a href="{p}">{esc(n)}</a></li>'
                     for n, p in [("Home", "/"), *breadcrumb_trail(a)])
    facts = [_byline(a)]
    if a["source"]:
        facts.append(f'<span class="story__source">Source: {esc(a["source"])}</span>')
    facts += [f'<time class="story__date" datetime="{_iso(a["published"])}" '
              f'itemprop="datePublished">{visible_datetime(a["published"])}</time>',
              f'<span class="story__readtime">{a["read_time"]} min read</span>']
    body = _text(a["body"])
    tags = "".join(f'<li><a rel="tag" href="/tags/{content.tag_slug(t)}">{esc(t)}</a></li>'
                   for t in a["tags"])
    popular = "".join(teaser(b) for b in most_read(a))
    upnext = "".join(teaser(b, dated=False) for b in read_next(a))
    return f"""<main id="content" class="reader">
<article class="story" itemscope itemtype="https://schema.org/NewsArticle">
  <header class="story__head">
    <nav class="crumbs" aria-label="Breadcrumb"><ol class="crumbs__list">{crumbs}</ol></nav>
    <h1 class="story__headline" itemprop="headline">{esc(a["title"])}</h1>
    <p class="story__dek" itemprop="description">{esc(a["summary"])}</p>
    <div class="story__meta">
      {chr(10).join("      " * (i > 0) + f for i, f in enumerate(facts))}
    </div>
  </header>
{_media(a)}  <div class="story__tools"><button type="button">Share</button> <button type="button">Listen</button></div>
  <div class="story__text" itemprop="articleBody">
{body}
  </div>
  <footer class="story__foot">
    <h2 class="story__foot-title">Topics</h2>
    <ul class="chips">{tags}</ul>
  </footer>
</article>
<aside class="rail" aria-label="Most Read">
  <h2 class="rail__title">Most Read</h2>
{popular}</aside>
<section class="more" aria-label="Read Next">
  <h2 class="more__title">Read Next</h2>
{upnext}</section>
</main>
"""
