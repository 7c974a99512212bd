"""Replica pages that need JavaScript, served only by ``ReplicaServer(js_pages=True)``.

- ``LATEST_PATH`` ("Latest", in the main menu): its first page lists ``FIRST_PAGE``
  cards in its HTML; the others exist only through the JSON endpoint
  ``API_PATH?page=N``, which its "Load More" button (a ``<button>``, no link) calls and
  appends to the list. ``LATEST_PATH?page=N`` is the first page again.
- ``COOKIE_KEY``'s article: without the cookie ``COOKIE`` it answers a small page whose
  script sets the cookie and reloads; with it, the article.
- ``SCRIPT_BODY_KEY``'s article: its body is written into the page by a script (the
  HTML alone shows an empty body).

``expected_js_articles(origin)``: what a crawl with a browser stores on top of
``content.expected_articles(origin)``; ``plain_reachable_js_articles(origin)`` the part
of it a crawl without a browser can store (the first page's plain articles).
"""

from __future__ import annotations

import json
import re

from crawler.replica import content, state
from crawler.replica.article_pages import render_article
from crawler.replica.layout import Page, card, esc, html_page, load_more_script, page
from crawler.replica.model import SITE_NAME, bt

LATEST_PATH = "/latest"
LATEST_NAME = "Latest"
API_PATH = "/api/latest"
FIRST_PAGE = 6        # cards in the HTML of the first page
PAGE_SIZE = 4         # cards per JSON page
COOKIE = ("am_js_check", "1")
COOKIE_KEY = "js-cookie-ceasefire"
SCRIPT_BODY_KEY = "js-script-body-grain"
MENU_ITEM = f'      <li><a href="{LATEST_PATH}">{LATEST_NAME}</a></li>\n'

# (key, section, title, summary, paragraphs), newest first.
_STORIES = [
    (COOKIE_KEY, "Politics", "Mediators report progress on Lebanon border ceasefire terms",
     "Negotiators say a text on monitoring the southern border is close, though sticking points on withdrawal timetables remain.",
     ["Mediators working on a ceasefire mechanism for Lebanon's southern border said on Saturday that a draft text on monitoring arrangements was close to completion.",
      "Officials familiar with the talks said disagreements persisted over the timetable for withdrawals and the role of international observers.",
      "Lebanese officials insisted that any arrangement must guarantee an end to daily violations of the country's airspace and territory."]),
    (SCRIPT_BODY_KEY, "Economy", "Grain shipments through Black Sea ports rise for a second month",
     "Exporters moved more wheat and maize in September as insurers cut premiums for vessels calling at regional ports.",
     ["Grain shipments through Black Sea ports rose for a second consecutive month in September, according to figures compiled by shipping agents.",
      "Traders attributed the increase to lower insurance premiums and to strong demand from buyers in North Africa and West Asia.",
      "Analysts warned that the recovery remained fragile and could be reversed by any renewed escalation at sea."]),
    ("js-yemen-port", "Politics", "Yemen's Sanaa government reopens Hodeidah port berths after repairs",
     "Port authorities say three berths damaged in air strikes are back in service, easing the unloading of fuel and food.",
     ["Port authorities in Hodeidah said three berths damaged in earlier air strikes had been repaired and returned to service.",
      "Officials said the reopening would shorten waiting times for vessels carrying fuel, flour and medicine.",
      "Aid agencies welcomed the step but said import volumes remained far below the country's needs."]),
    ("js-cholera-vaccine", "Health", "Cholera vaccination campaign reaches displaced families in Sudan",
     "Health workers say more than a million doses were given in camps around El Fasher and Tawila in two weeks.",
     ["Health workers in Sudan said a cholera vaccination campaign had reached more than a million people in camps for the displaced.",
      "The campaign focused on areas around El Fasher and Tawila, where cases rose sharply during the rainy season.",
      "Doctors warned that clean water and sanitation remained the main defence against further outbreaks."]),
    ("js-heatwave-iraq", "Environment", "Iraq records its longest September heatwave in decades",
     "Temperatures above 45 degrees Celsius for three weeks strained power grids and water supplies in the south.",
     ["Iraq recorded its longest September heatwave in decades, with temperatures above 45 degrees Celsius for three weeks in several provinces.",
      "Power cuts lasted up to twelve hours a day in Basra, prompting protests outside government offices.",
      "Experts said falling river levels and rising temperatures were making large parts of the south harder to live in."]),
    ("js-brics-payments", "Economy", "BRICS finance officials discuss a shared cross-border payment system",
     "Officials met in Rio de Janeiro to review a pilot for settling trade in national currencies.",
     ["Finance officials from BRICS countries met in Rio de Janeiro to review progress on a shared system for cross-border payments.",
      "Delegates said a pilot for settling trade in national currencies would be extended to more banks next year.",
      "The initiative is seen as part of a broader effort to reduce reliance on the US dollar in trade between member states."]),
    ("js-football-final", "Sports", "Al-Ahed win the Lebanese cup final on penalties",
     "The Beirut club beat Nejmeh after a goalless draw in front of a sold-out crowd.",
     ["Al-Ahed won the Lebanese cup final on penalties after a goalless draw against Nejmeh in front of a sold-out crowd in Beirut.",
      "Goalkeeper Mostafa Matar saved two penalties in the shoot-out to secure the club's latest domestic trophy.",
      "The coach dedicated the win to the supporters who had followed the team throughout a difficult season."]),
    ("js-drone-factory", "Politics", "Report says new drone assembly lines opened near Tehran",
     "Satellite images reviewed by analysts show two new halls at an industrial site west of the capital.",
     ["Satellite images reviewed by analysts showed two new halls at an industrial site west of Tehran, which they said were drone assembly lines.",
      "Iranian officials did not comment on the report but have repeatedly said the country's defence industry is aimed at deterrence.",
      "The report comes amid renewed tension over the country's nuclear programme and missile development."]),
    ("js-solar-jordan", "Environment", "Jordan opens its largest solar plant in the southern desert",
     "The 300-megawatt plant near Maan is expected to supply about a tenth of the country's electricity demand.",
     ["Jordan opened its largest solar power plant near Maan in the southern desert, with a capacity of 300 megawatts.",
      "Officials said the plant would supply about a tenth of the kingdom's electricity demand and cut fuel imports.",
      "The project was financed by a consortium of regional banks and built over two years."]),
    ("js-chip-export", "Technology", "Chinese chipmakers expand output of older-generation processors",
     "Industry data show production of mature-node chips rose by a fifth as firms work around export controls.",
     ["Chinese chipmakers expanded output of older-generation processors by about a fifth this year, according to industry data.",
      "Analysts said firms were focusing on mature manufacturing nodes that are less affected by US export controls.",
      "The expansion has raised concerns among competitors in Europe and Japan about falling prices."]),
    ("js-gaza-bakeries", "Politics", "Bakeries in northern Gaza resume work after flour deliveries",
     "Aid groups say four bakeries reopened after the first flour convoys in weeks reached Gaza City.",
     ["Four bakeries in northern Gaza resumed work after the first flour convoys in weeks reached Gaza City, aid groups said.",
      "Residents queued for hours to buy bread, the first many of them had found since the start of the month.",
      "Humanitarian agencies warned that deliveries remained far too small to stave off famine."]),
    ("js-tunisia-olive", "Economy", "Tunisia expects a record olive oil harvest",
     "The agriculture ministry forecasts 340,000 tonnes as rains return after years of drought.",
     ["Tunisia's agriculture ministry forecast a record olive oil harvest of about 340,000 tonnes this season.",
      "Farmers said rains had returned to the main producing regions after several years of drought.",
      "Exporters hope the harvest will help the country regain market share in Europe and North America."]),
    ("js-measles-yemen", "Health", "Measles cases climb among children in Yemen's west",
     "Doctors in Hodeidah report a rise in cases as vaccination rates fall because of funding cuts.",
     ["Doctors in Hodeidah reported a rise in measles cases among children, blaming a drop in vaccination rates.",
      "Health officials said funding cuts had forced the closure of several mobile vaccination teams this year.",
      "The World Health Organization called for urgent support to resume routine immunisation."]),
    ("js-cricket-series", "Sports", "Pakistan clinch the test series against South Africa in Lahore",
     "Spinners took eight wickets on the final day as the hosts won by 93 runs.",
     ["Pakistan clinched the test series against South Africa with a 93-run win in Lahore.",
      "Spinners took eight wickets on the final day as the visitors collapsed chasing 301.",
      "The captain said the result showed the team's progress on home pitches."]),
]


def _record(number: int, story: tuple) -> dict:
    key, section, title, summary, paragraphs = story
    published = bt(2025, 10, 6, 14, 0)
    published = published.replace(hour=14 - number // 2, minute=50 - 10 * (number % 2))
    slug = content.slugify(title)
    return dict(
        key=key, variant="full", postid=1930100 + number,
        path=f"/news/{section.lower()}/{slug}", title=title, summary=summary,
        authors=["Al Mayadeen English"], source="Agencies", published=published,
        modified=None, category="News", section=section, regions=[],
        tags=[section, "Latest"], image=f"/media/image/2025/10/6/js-{number}.jpg?width=1000",
        image_alt=title, caption=f"{title}. (Agencies)", read_time=1, shares=0,
        listed={}, body=list(paragraphs))


ARTICLES: list[dict] = [content.normalise(_record(n, s)) for n, s in enumerate(_STORIES)]
BY_KEY = {a["key"]: a for a in ARTICLES}
BY_PATH = {a["path"]: a for a in ARTICLES}
PAGES = 1 + -(-(len(ARTICLES) - FIRST_PAGE) // PAGE_SIZE)


def listing(page_number: int) -> list[dict]:
    """The articles of page ``page_number`` (1: the HTML page; 2+: the JSON pages)."""
    if page_number == 1:
        return ARTICLES[:FIRST_PAGE]
    start = FIRST_PAGE + (page_number - 2) * PAGE_SIZE
    return ARTICLES[start:start + PAGE_SIZE] if page_number > 1 else []


def _card(a: dict) -> str:
    return card(a["path"], a["title"], content.index_path_of(a), a["section"],
                a["published"], a["image"])


_LOAD_MORE_SCRIPT = load_more_script(
    f"'{API_PATH}?page=' + button.getAttribute('data-page'),\n"
    "          {headers: {'Accept': 'application/json'}}")


def render_latest(origin: str) -> Page:
    url = origin.rstrip("/") + LATEST_PATH
    cards = "".join(_card(a) for a in listing(1))
    more = ('<div class="load-more">\n  <button class="loadmorebtn" type="button" '
            'data-page="2">Load More</button>\n</div>\n')
    main = (f'<main class="page-content">\n<h1 class="section-title">{LATEST_NAME}</h1>\n'
            f'<div class="news-list">\n{cards}</div>\n{more}{_LOAD_MORE_SCRIPT}</main>\n')
    extra = f'<link rel="canonical" href="{url}">\n'
    return html_page(page(f"{LATEST_NAME} | {SITE_NAME}", extra, main))


def render_api(page_number: int) -> Page:
    items = listing(page_number)
    if not items:
        return Page(404, b'{"error": "no such page"}', "application/json; charset=utf-8")
    data = {"page": page_number, "html": "".join(_card(a) for a in items),
            "next": page_number + 1 if page_number < PAGES else None}
    return Page(200, json.dumps(data).encode(), "application/json; charset=utf-8")


def _script_body(html: str) -> str:
    """The article with its body paragraphs moved into a script that writes them."""
    match = re.search(r'<div class="p-content">\n(.*?)\n  </div>', html, re.S)
    assert match, "article markup changed"
    return html.replace(match.group(0), (
        '<div class="p-content" id="story-body"></div>\n<script>document.getElementById('
        f'"story-body").innerHTML = {json.dumps(match.group(1))};</script>'))


def render_js_article(a: dict, origin: str) -> Page:
    token = state.ARTICLES.set([*content.articles(), *ARTICLES])  # for Read Next
    try:
        rendered = render_article(a, origin)
    finally:
        state.ARTICLES.reset(token)
    if a["key"] == SCRIPT_BODY_KEY:
        rendered = html_page(_script_body(rendered.body.decode("utf-8")))
    return rendered


def render(path: str, query: dict, origin: str) -> Page | None:
    """A JavaScript page at ``path`` (None: not one of them)."""
    if path == LATEST_PATH:
        return render_latest(origin)
    if path == API_PATH:
        try:
            return render_api(int(query.get("page", ["1"])[0]))
        except ValueError:
            return render_api(0)
    article = BY_PATH.get(path)
    return render_js_article(article, origin) if article else None


def interstitial(raw_path: str, cookie_header: str | None) -> Page | None:
    """The JavaScript check answered instead of the cookie page, until the cookie is set."""
    if raw_path.split("?")[0] != BY_KEY[COOKIE_KEY]["path"]:
        return None
    if f"{COOKIE[0]}={COOKIE[1]}" in (cookie_header or "").replace(" ", ""):
        return None
    text = (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
            f"<title>Just a moment...</title></head>\n<body>\n"
            f"<noscript><p>Please enable JavaScript and cookies to continue.</p></noscript>\n"
            f"<p>{esc('Checking your browser before accessing the site.')}</p>\n"
            f"<script>document.cookie = '{COOKIE[0]}={COOKIE[1]}; path=/; SameSite=Lax';\n"
            f"window.addEventListener('load', function () {{ setTimeout(function () {{ "
            f"location.reload(); }}, 100); }});</script>\n</body>\n</html>\n")
    return Page(200, text.encode("utf-8"), "text/html; charset=utf-8",
                {"Cache-Control": "no-store"})


def expected_js_articles(origin: str) -> dict[str, dict]:
    """The articles a crawl with a browser stores beyond ``content.expected_articles``."""
    return {values["url"]: values for values in (
        content.expected_fields(a, origin) for a in ARTICLES)}


def plain_reachable_js_articles(origin: str) -> dict[str, dict]:
    """The part of them a crawl without a browser stores: the first page's articles
    that need no JavaScript themselves."""
    return {values["url"]: values for values in (
        content.expected_fields(a, origin) for a in listing(1)
        if a["key"] not in (COOKIE_KEY, SCRIPT_BODY_KEY))}
