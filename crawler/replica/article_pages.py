"""Article pages in the four markup variants (see ``content`` for what each carries)."""

from __future__ import annotations

from crawler.replica import content
from crawler.replica.layout import (
    Page, attr, emphasis, esc, html_page, page, script_json, visible_date,
    visible_datetime,
)
from crawler.replica.model import AUTHORS, REGION_SLUGS, SITE_NAME

POPULAR = ["hamas-reviews-plan", "gaza-two-years", "iraq-crossroads", "trump-netanyahu-ft"]


def render_article(a: dict, origin: str) -> Page:
    origin = origin.rstrip("/")
    variant = a["variant"]
    extra = "" if variant == "visible" else _metadata(a, origin, tawsiyat=variant != "jsonld_og")
    main = _redesign(a) if variant == "redesign" else _reference(a)
    return html_page(page(f"{a['title']} | {SITE_NAME}", extra, main, a["charset"]),
                     a["charset"])


# -- structured metadata ------------------------------------------------------------

def _metadata(a: dict, origin: str, tawsiyat: bool) -> str:
    url = origin + a["path"]
    image = origin + a["image"] if a["image"] else None
    published, modified = a["published"].isoformat(), a["modified"].isoformat()
    lines = [
        f'<link rel="canonical" href="{attr(url)}">',
        f'<meta name="description" content="{attr(a["summary"])}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:title" content="{attr(a["title"])}">',
        f'<meta property="og:description" content="{attr(a["summary"])}">',
        f'<meta property="og:url" content="{attr(url)}">',
    ]
    if image:
        lines.append(f'<meta property="og:image" content="{attr(image)}">')
    lines += [f'<meta property="article:published_time" content="{published}">',
              f'<meta property="article:modified_time" content="{modified}">']
    if a["section"]:
        lines.append(f'<meta property="article:section" content="{attr(a["section"])}">')
    lines += [f'<meta property="article:tag" content="{attr(t)}">' for t in a["tags"]]
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "url": url,
        "headline": a["title"], "description": a["summary"],
    }
    if image:
        ld["image"] = {"@type": "ImageObject", "url": image}
    ld.update({
        "datePublished": published, "dateModified": modified,
        "author": [{"@type": "Organization" if name == SITE_NAME else "Person",
                    "name": name, "url": f"{origin}/authors/{AUTHORS[name][0]}"}
                   for name in a["authors"]],
        "publisher": {"@type": "Organization", "name": SITE_NAME,
                      "logo": {"@type": "ImageObject", "url": origin + "/images/logo.png"}},
    })
    if a["section"]:
        ld["articleSection"] = a["section"]
    ld.update({"keywords": ", ".join(a["tags"]), "inLanguage": "en"})
    lines.append(f'<script type="application/ld+json">{script_json(ld)}</script>')
    if a["video"]:
        video = {
            "@context": "https://schema.org", "@type": "VideoObject", "name": a["title"],
            "description": a["summary"], "thumbnailUrl": [image], "uploadDate": published,
            "duration": a["video"]["iso_duration"], "contentUrl": origin + a["video"]["src"],
            "embedUrl": url,
        }
        lines.append(f'<script type="application/ld+json">{script_json(video)}</script>')
    if tawsiyat:
        lines.append('<script id="tawsiyat-metadata" type="text/tawsiyat">'
                     f'{script_json(_tawsiyat(a, url, image))}</script>')
    return "\n".join(lines) + "\n"


def _tawsiyat(a: dict, url: str, image: str | None) -> dict:
    classes = [{"key": a["category"].lower().replace(" ", "-"), "mapping": "posttype",
                "value": a["category"]}]
    if a["section"]:
        classes.append({"key": a["section"].lower().replace(" ", "-"),
                        "mapping": "category", "value": a["section"]})
    classes += [{"key": REGION_SLUGS[r], "mapping": "country", "value": r}
                for r in sorted(a["regions"])]
    classes += [{"key": AUTHORS[n][0], "mapping": "author", "value": n} for n in a["authors"]]
    return {
        "type": "article", "postid": a["postid"], "title": a["title"], "url": url,
        "keywords": ",".join(a["tags"]), "thumbnail": image,
        "video_duration": a["video"]["duration"] if a["video"] else None,
        "word_count": str(a["word_count"]), "lang": "en", "description": a["summary"],
        "author": ", ".join(a["authors"]),
        "published_time": a["published"].isoformat(),
        "last_updated": a["modified"].isoformat(),
        "classes": classes, "html": "", "lite_url": url + "?lite=1",
    }


# -- shared pieces ---------------------------------------------------------------------

def breadcrumb_trail(a: dict) -> list[tuple[str, str]]:
    """The breadcrumb below Home: (name, path) of the category, then of the section."""
    index = content.index_path_of(a)
    if a["section"] is None:
        return [(a["category"], index)]
    category_path = "/" + index.strip("/").split("/")[0]
    return [(a["category"], category_path), (a["section"], index)]


def _author_links(a: dict) -> str:
    return ", ".join(f'<a href="/authors/{AUTHORS[n][0]}">{esc(n)}</a>' for n in a["authors"])


def article_link(key: str) -> str:
    """A link to the article ``key`` under its title (Related News, Read more)."""
    target = content.BY_KEY[key]
    return f'<a href="{attr(target["path"])}">{esc(target["title"])}</a>'


def most_read(a: dict) -> list[dict]:
    return [content.BY_KEY[k] for k in POPULAR if k != a["key"]][:3]


def read_next(a: dict) -> list[dict]:
    """Two listed articles, same category first, rotating with the article's position."""
    skip = {a["key"], *POPULAR}
    pool = [b for b in content.listed_articles() if b["key"] not in skip]
    same = [b for b in pool if b["category"] == a["category"]]
    if same:
        turn = content.articles().index(a) % len(same)
        same = same[turn:] + same[:turn]
    return (same + [b for b in pool if b not in same])[:2]


def _label(b: dict) -> tuple[str, str]:
    return (b["section"] or b["category"], content.index_path_of(b))


# -- the reference markup ----------------------------------------------------------

def _reference(a: dict) -> str:
    crumbs = " › ".join(['<a href="/">Home</a>'] + [f'<a href="{p}">{esc(n)}</a>'
                                                      for n, p in breadcrumb_trail(a)])
    meta = [f'    <li class="meta-author">By {_author_links(a)}</li>']
    if a["source"]:
        meta.append(f'    <li class="meta-source">Source: {esc(a["source"])}</li>')
    meta += [f'    <li class="meta-date">{visible_datetime(a["published"])}</li>',
             f'    <li class="meta-shares">{a["shares"]} Shares</li>']
    if a["video"]:
        media = (f'  <div class="video-player">\n    <video controls preload="none" '
                 f'poster="{attr(a["image"])}">\n      <source src="{attr(a["video"]["src"])}" '
                 f'type="video/mp4">\n    </video>\n  </div>\n')
    elif a["image"]:
        media = (f'  <figure class="article-image">\n    <img src="{attr(a["image"])}" '
                 f'alt="{attr(a["image_alt"] or "")}">\n'
                 f'    <figcaption>{esc(a["caption"])}</figcaption>\n  </figure>\n')
    else:
        media = ""
    body = "\n".join("    " + _reference_block(b) for b in a["body"])
    tags = "\n".join(f'    <li><a href="/tags/{content.tag_slug(t)}">{esc(t)}</a></li>'
                     for t in a["tags"])
    cards_mr = "".join(_side_card(b, dated=True) for b in most_read(a))
    cards_rn = "".join(_side_card(b, dated=False) for b in read_next(a))
    return f"""<main class="page-content">
<article class="article-page">
  <nav class="breadcrumb">{crumbs}</nav>
  <h1 class="article-title">{esc(a["title"])}</h1>
  <ul class="article-meta">
{chr(10).join(meta)}
  </ul>
  <span class="read-time">{a["read_time"]} Min Read</span>
  <p class="article-summary">{esc(a["summary"])}</p>
  <button class="listen-btn" type="button">Listen</button>
{media}  <div class="p-content">
{body}
  </div>
  <ul class="tags">
{tags}
  </ul>
</article>
<aside class="most-read">
  <h3>Most Read</h3>
{cards_mr}</aside>
<section class="read-next">
  <h3>Read Next</h3>
{cards_rn}</section>
</main>
"""


def _reference_block(block) -> str:
    if isinstance(block, str):
        return f"<p>{emphasis(block)}</p>"
    kind = block[0]
    if kind == "h":
        return f"<h3>{esc(block[1])}</h3>"
    if kind == "related":
        items = "\n".join(f"        <li>{article_link(k)}</li>" for k in block[1])
        return (f'<div class="related-news">\n      <h4>Related News</h4>\n      <ul>\n'
                f'{items}\n      </ul>\n    </div>')
    if kind == "readmore":
        return f"<p><strong>Read more: {article_link(block[1])}</strong></p>"
    if kind == "figure":
        return (f'<figure class="inline-image"><img src="{attr(block[1])}" alt="">'
                f"<figcaption>{esc(block[2])}</figcaption></figure>")
    if kind == "widget":
        return (f'<div class="widget newsletter-box"><p>{esc(block[1])}</p>'
                '<form action="/newsletter" method="post"><input type="email" name="email">'
                '<button type="submit">Subscribe</button></form></div>')
    raise ValueError(kind)


def _side_card(b: dict, dated: bool) -> str:
    label, label_href = _label(b)
    when = f'<div class="time"><p>{visible_date(b["published"])}</p></div>' if dated else ""
    img = f'<img src="{attr(b["image"])}" alt="">' if b["image"] else ""
    return (f'  <div class="news-card">\n    <a href="{attr(b["path"])}">{img}'
            f'<h4>{esc(b["title"])}</h4></a>\n    <a class="category-meta" '
            f'href="{label_href}">{esc(label)}</a>{when}\n  </div>\n')


# -- the redesigned markup ---------------------------------------------------------

def _redesign(a: dict) -> str:
    kicker = " / ".join(f'<a href="{p}">{esc(n)}</a>' for n, p in breadcrumb_trail(a))
    source = f'<span class="story-origin">Source: {esc(a["source"])}</span>\n    ' \
        if a["source"] else ""
    media = ""
    if a["image"]:
        media = (f'  <figure class="lead-media">\n    <picture><img src="{attr(a["image"])}" '
                 f'alt="{attr(a["image_alt"] or "")}"></picture>\n'
                 f'    <figcaption class="credit">{esc(a["caption"])}</figcaption>\n  </figure>\n')
    body = "\n".join("    " + _redesign_block(b) for b in a["body"])
    topics = " ".join(f'<a class="topic" href="/tags/{content.tag_slug(t)}">{esc(t)}</a>'
                      for t in a["tags"])
    popular = "\n".join(f'      <li><a href="{attr(b["path"])}">{esc(b["title"])}</a></li>'
                        for b in most_read(a))
    upnext = "\n".join(f'    <a class="up-next-item" href="{attr(b["path"])}">'
                       f'<span>{esc(b["title"])}</span></a>' for b in read_next(a))
    return f"""<main class="page-content">
<div class="story">
  <div class="story-kicker">{kicker}</div>
  <h1 class="headline">{esc(a["title"])}</h1>
  <p class="standfirst">{esc(a["summary"])}</p>
  <div class="story-info">
    <span class="byline">Written by {_author_links(a)}</span>
    {source}<time class="dateline">{visible_datetime(a["published"])}</time>
    <span class="story-readtime">{a["read_time"]} Min Read</span>
  </div>
{media}  <section class="story-text">
{body}
  </section>
  <div class="topics"><span class="topics-label">Topics</span> {topics}</div>
</div>
<div class="rail">
  <div class="rail-block popular">
    <h3>Most Read</h3>
    <ol>
{popular}
    </ol>
  </div>
</div>
<div class="up-next">
  <h3>Read Next</h3>
{upnext}
</div>
</main>
"""


def _redesign_block(block) -> str:
    if isinstance(block, str):
        return f"<p>{emphasis(block)}</p>"
    kind = block[0]
    if kind == "h":
        return f'<h2 class="subhead">{esc(block[1])}</h2>'
    if kind == "related":
        links = "".join(f"\n      {article_link(k)}" for k in block[1])
        return f'<aside class="more-on-this">\n      <h4>Related News</h4>{links}\n    </aside>'
    if kind == "readmore":
        return f"<p>Read more: {article_link(block[1])}</p>"
    if kind == "figure":
        return (f'<figure class="inline"><img src="{attr(block[1])}" alt="">'
                f"<figcaption>{esc(block[2])}</figcaption></figure>")
    if kind == "widget":
        return f'<div class="promo promo-newsletter"><p>{esc(block[1])}</p></div>'
    raise ValueError(kind)
