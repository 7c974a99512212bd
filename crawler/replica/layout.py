"""Shared page furniture: <head>, the site header (menus, ticker), footer, cards.

Markup follows /work/shared/site/reference (class names included).
"""

from __future__ import annotations

import html
import json
from datetime import datetime

from crawler.replica import state
from crawler.replica.model import BEIRUT, BREAKING, MENU, REGIONS, SITE_NAME, STANDALONE

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def esc(text: str) -> str:
    """Escape element text."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """Escape an attribute value."""
    return html.escape(text, quote=True)


def emphasis(paragraph: str) -> str:
    """Escape a paragraph, rendering ``*text*`` as <em>."""
    parts = esc(paragraph).split("*")
    return "".join(p if i % 2 == 0 else f"<em>{p}</em>" for i, p in enumerate(parts))


def visible_datetime(dt: datetime) -> str:
    """"15 Sep 2025 15:54" in Beirut time, as the site shows it."""
    local = dt.astimezone(BEIRUT)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M}"


def visible_date(dt: datetime) -> str:
    """"30 Sep 2025": index cards show the date alone."""
    local = dt.astimezone(BEIRUT)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def script_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def canonical_link(url: str) -> str:
    """The <head> line naming the page's canonical URL."""
    return f'<link rel="canonical" href="{attr(url)}">\n'


def head(title: str, extra: str = "", charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{extra}<link rel="stylesheet" href="/assets/css/main.css">
</head>
"""


def _menu() -> str:
    items = []
    for category, path, sections in MENU:
        subs = "\n".join(f'          <li><a href="{p}">{esc(n)}</a></li>' for n, p in sections)
        items.append(f'      <li class="has-sub"><a href="{path}">{esc(category)}</a>\n'
                     f'        <ul class="sub-menu">\n{subs}\n        </ul></li>')
    items += [f'      <li><a href="{p}">{esc(n)}</a></li>' for n, p in STANDALONE]
    items.append('      <li class="live"><a href="/live">LIVE</a></li>')
    return "\n".join(items)


def _regions() -> str:
    return "\n".join(f'      <li><a href="/regions/{slug}">{esc(name)}</a></li>'
                     for slug, name in REGIONS.items())


_HEADER_TOP = f"""<header class="site-header">
  <a class="logo" href="/"><img src="/images/logo.png" alt="{SITE_NAME}"></a>
  <ul class="lang-switch"><li><a href="https://www.almayadeen.net/">Ar</a></li><li><a href="https://espanol.almayadeen.net/">Es</a></li></ul>
  <nav class="main-menu">
    <ul>
{_menu()}
    </ul>
  </nav>
  <nav class="regions-menu">
    <ul>
{_regions()}
    </ul>
  </nav>
  <div class="breaking-ticker">
    <span class="breaking-label">BREAKING</span>
    <ul class="breaking-list">
"""
_HEADER_BOTTOM = """    </ul>
  </div>
</header>
"""


def header(breaking: list[str] | None = None) -> str:
    """The site header, its ticker showing ``breaking`` (default: what is served)."""
    if breaking is None:
        breaking = state.BREAKING.get()
    items = BREAKING if breaking is None else breaking
    top = _HEADER_TOP
    if state.EXTRA_MENU.get():  # before LIVE, in the main menu
        live = '      <li class="live">'
        top = top.replace(live, state.EXTRA_MENU.get() + live, 1)
    return top + "".join(f"      <li>{esc(i)}</li>\n" for i in items) + _HEADER_BOTTOM


HEADER = header(BREAKING)

FOOTER = """<footer class="site-footer">
  <p>Al Mayadeen is an Arab Independent Media Satellite Channel.</p>
  <p>All Rights Reserved</p>
  <ul><li><a href="/privacy-policy">Privacy Policy</a></li><li><a href="/about-us">About Us</a></li><li><a href="/contact-us">Contact Us</a></li><li><a href="/authors">Authors</a></li></ul>
</footer>"""


def page(title: str, head_extra: str, main: str, charset: str = "utf-8") -> str:
    """A whole HTML document: head, header, the page's <main>, footer."""
    return (head(title, head_extra, charset) + "<body>\n" + header() + main + FOOTER
            + "\n</body>\n</html>\n")


def card(href: str, title: str, label_href: str, label: str, date: datetime | None,
         image: str | None) -> str:
    """An index card (news-card) as on the reference home and section pages."""
    img = f'<img src="{attr(image)}" alt="{attr(title)}">' if image else ""
    when = f'\n    <div class="time"><p>{visible_date(date)}</p></div>' if date else ""
    return f"""  <div class="news-card">
    <a href="{attr(href)}">{img}<h4>{esc(title)}</h4></a>
    <a class="category-meta" href="{attr(label_href)}">{esc(label)}</a>{when}
  </div>
"""


_LOAD_MORE_SCRIPT = """<script>
(function () {
  var button = document.querySelector('.loadmorebtn');
  if (!button) { return; }
  button.addEventListener('click', function () {
    button.disabled = true;
    fetch({ARGS})
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
"""


def load_more_script(fetch_arguments: str) -> str:
    """The script behind a "Load More" ``<button class="loadmorebtn">``: it fetches the
    next page's JSON (``{"html": cards, "next": number or null}``), appends the cards to
    ``.news-list`` and moves the button on, or drops it after the last page.
    ``fetch_arguments``: the JavaScript arguments of that ``fetch()`` (the URL, built
    from the button's data-* attributes, and the request options)."""
    return _LOAD_MORE_SCRIPT.replace("{ARGS}", fetch_arguments)


class Page:
    """A rendered response: status, content type, body bytes, extra headers."""

    def __init__(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


def html_page(text: str, charset: str = "utf-8", status: int = 200) -> Page:
    """Encode a document in its charset (characters outside it become &#N; references)."""
    body = text.encode(charset, errors="xmlcharrefreplace")
    return Page(status, body, f"text/html; charset={charset}")
