"""A small, realistic database for the analysts' tests (views, search, the queries
of docs/SCHEMA.md), written through the Store as a crawl would write it. Times are
relative to ``now`` so that "the last 7 days" queries find rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.db.store import Store
from crawler.items import ArticleItem, ListingItem

BASE = "https://english.almayadeen.net"
CORRIDOR_URL = f"{BASE}/news/politics/humanitarian-corridor-opens-in-northern-gaza"
OIL_URL = f"{BASE}/news/economy/oil-prices-climb-as-sanctions-tighten"
OPINION_URL = f"{BASE}/articles/opinion/the-long-road-to-a-ceasefire"
INFOGRAPH_URL = f"{BASE}/infographs/the-war-in-numbers"
SUMMIT_URL = f"{BASE}/news/politics/summit-in-cairo-ends-without-agreement"
UNCRAWLED_URL = f"{BASE}/news/politics/an-article-never-crawled"
CORRIDOR_OLD_URL = f"{BASE}/news/politics/corridor-opens"  # redirected to CORRIDOR_URL

MENU_SECTIONS = [("News", "Politics"), ("News", "Economy"), ("News", "Sports"),
                 ("Articles", "Opinion"), ("Articles", "Analysis"),
                 ("Infographs", "Infographs")]
MENU_REGIONS = ["MENA", "Palestine", "Europe", "Africa"]

CORRIDOR_PHRASE = "the corridor will stay open for twelve hours a day"


def articles(now: datetime) -> list[ArticleItem]:
    day = timedelta(days=1)
    return [
        ArticleItem(
            url=CORRIDOR_URL, title="Humanitarian corridor opens in northern Gaza",
            summary="Aid convoys entered the north for the first time in weeks.",
            authors=["Al Mayadeen English"], source="Agencies", published_at=now - day,
            modified_at=now - day + timedelta(minutes=30), category="News",
            section="Politics", regions=["MENA", "Palestine"], tags=["Gaza", "Aid"],
            body="Trucks carrying flour and medicine crossed at dawn.\n\n"
                 f"Officials said {CORRIDOR_PHRASE}, under UN monitoring.",
            image_url=f"{BASE}/images/corridor.jpg", image_caption="Aid trucks at dawn",
            read_time_minutes=3, language="en", related_urls=[OIL_URL, UNCRAWLED_URL],
            field_sources={"title": "jsonld", "body": "visible"},
            fetched_url=CORRIDOR_URL, requested_urls=[CORRIDOR_OLD_URL],
            raw_html=b"<html><body>corridor</body></html>", encoding="utf-8",
            http_status=200),
        ArticleItem(
            url=OIL_URL, title="Oil prices climb as sanctions tighten",
            summary="Brent rose for a third day.", authors=["Karim Haddad"], source=None,
            published_at=now - 2 * day, category="News", section="Economy",
            regions=["Europe"], tags=["Oil", "Sanctions"],
            body="Markets reacted to the new sanctions package.\n\nTraders expect more.",
            read_time_minutes=2, language="en", field_sources={"title": "tawsiyat"},
            fetched_url=OIL_URL, raw_html=b"<html>oil</html>", http_status=200),
        ArticleItem(
            url=OPINION_URL, title="The long road to a ceasefire",
            summary="Why every truce in Gaza has failed, and what could work.",
            authors=["Karim Haddad", "Lina Nasser"], published_at=now - 3 * day,
            category="Articles", section="Opinion", regions=["MENA"],
            tags=["Gaza", "Ceasefire"], body="Negotiations have stalled before.\n\n"
                                               "Mediators are running out of options.",
            read_time_minutes=7, language="en", related_urls=[CORRIDOR_URL],
            field_sources={"title": "jsonld"}, fetched_url=OPINION_URL,
            raw_html=b"<html>opinion</html>", http_status=200),
        ArticleItem(
            url=INFOGRAPH_URL, title="The war in numbers", published_at=None,
            category="Infographs", section=None, tags=["Gaza"], language="en",
            field_sources={"title": "meta"}),
        ArticleItem(
            url=SUMMIT_URL, title="Summit in Cairo ends without agreement",
            summary="Delegations left after two days of talks.", published_at=now - 4 * day,
            category="News", section="Politics", regions=["MENA"], tags=["Egypt"],
            body="The summit closed without a joint statement.", language="en",
            field_sources={"title": "jsonld"}),
    ]


def populate(store: Store, now: datetime) -> None:
    """Two crawl runs' worth of data: articles (one of them edited in the second
    run), listings, related links, breaking news and a fetch error."""
    first = store.start_run(BASE, trigger="cron", started_at=now - timedelta(hours=6))
    store.record_menu(MENU_SECTIONS, MENU_REGIONS)
    seen = now - timedelta(hours=6)
    ids = {}
    for item in articles(now):
        ids[item.url] = store.save_article(item, first, seen)[1]
    for position, url in enumerate([CORRIDOR_URL, OIL_URL, SUMMIT_URL], 1):
        store.record_listing(ListingItem(url, f"{BASE}/", "home", "Home", 1, position),
                             ids[url], seen)
    store.record_listing(ListingItem(OPINION_URL, f"{BASE}/regions/europe", "region",
                                     "Europe", 1, 4), ids[OPINION_URL], seen)
    store.record_listing(ListingItem(OIL_URL, f"{BASE}/news/economy", "section",
                                     "Economy", 1, 1), ids[OIL_URL], seen)
    store.record_breaking(["Israeli strikes hit Khan Younis", "UN convoy reaches Gaza City"],
                          now - timedelta(hours=6))
    store.record_fetch_error(first, f"{BASE}/news/politics/missing-page", "HTTP 404",
                             status=404, occurred_at=now - timedelta(hours=6))
    store.finish_run(first, "degraded", pages_fetched=12, articles_new=5, articles_updated=0,
                     articles_unchanged=0, errors=1, error_summary="HTTP 404 (1)",
                     finished_at=now - timedelta(hours=5, minutes=58))

    second = store.start_run(BASE, trigger="cron", started_at=now - timedelta(hours=1))
    seen = now - timedelta(hours=1)
    edited = articles(now)[4]
    edited.body += "\n\nA second round is planned for next month."
    store.save_article(edited, second, seen)
    for position, url in enumerate([CORRIDOR_URL, SUMMIT_URL], 1):
        store.record_listing(ListingItem(url, f"{BASE}/", "home", "Home", 1, position),
                             ids[url], seen)
    store.record_breaking(["Israeli strikes hit Khan Younis"], seen)
    store.finish_run(second, "ok", pages_fetched=8, articles_new=0, articles_updated=1,
                     articles_unchanged=4, errors=0,
                     finished_at=now - timedelta(minutes=58))
