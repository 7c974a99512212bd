"""Two weeks of a monitored site for the analysts' commands (changes, frontpage,
prominence, stats, report), written through the Store as crawls would write it:
articles over 14 days (the last 7 with more about Gaza, one title in Arabic), the
home page observed every 3 hours with its lead changing every 12 hours, breaking
news, and edits after publication (one with a new modified date, one without: a
stealth edit). Times are relative to ``now`` (whole hours)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from crawler.db.store import Store
from crawler.items import ArticleItem, IndexPageItem, ListingItem

BASE = "https://english.almayadeen.net"
HOME = f"{BASE}/"
ARABIC_TITLE = "غزة: قافلة مساعدات تصل إلى شمال القطاع"
SECTIONS = ["Politics", "Economy", "Opinion"]
OBSERVE_EVERY = timedelta(hours=3)
LEAD_EVERY = timedelta(hours=12)


def url_of(n: int) -> str:
    return f"{BASE}/news/politics/story-{n}"


def week_articles(now: datetime) -> list[ArticleItem]:
    """28 articles: two a day for 14 days; the last 7 days tag Gaza more often."""
    items = []
    for n in range(28):
        published = now - timedelta(hours=12 * n + 5)
        recent = published >= now - timedelta(days=7)
        tags = ["Gaza"] if recent and n % 3 != 2 else ["Oil"]
        tags += ["Lebanon"] if n % 4 == 0 else []
        title = (ARABIC_TITLE if n == 3 else
                 f"Story {n}: talks in Cairo on {'Gaza' if 'Gaza' in tags else 'oil output'}")
        items.append(ArticleItem(
            url=url_of(n), title=title, summary=f"Summary of story {n}.",
            authors=[f"Author {n % 3}"], published_at=published,
            modified_at=published, category="News", section=SECTIONS[n % 3],
            regions=["MENA"] if n % 2 else ["Europe"], tags=tags,
            body=f"Story {n} begins here with the facts.\n\nIt ends with a quote.",
            language="ar" if n == 3 else "en", fetched_url=url_of(n), http_status=200))
    return items


def populate_week(store: Store, now: datetime) -> dict[str, int]:
    """Write the two weeks; returns the article ids by URL."""
    run = store.start_run(BASE, trigger="cron", started_at=now - timedelta(days=14))
    store.record_menu([("News", s) for s in SECTIONS], ["MENA", "Europe"])
    items = week_articles(now)
    ids = {item.url: store.save_article(item, run, item.published_at)[1] for item in items}
    by_age = sorted(items, key=lambda i: i.published_at)
    # The home page every 3 hours of the last 7 days: the newest three stories, the
    # lead replaced every 12 hours (by the story published then).
    observed = now - timedelta(days=7)
    while observed <= now:
        shown = [i for i in by_age if i.published_at <= observed][-3:][::-1]
        urls = [i.url for i in shown]
        store.record_index_page(IndexPageItem(HOME, "home", "Home", 1, observed, urls))
        for position, url in enumerate(urls, 1):
            store.record_listing(ListingItem(url, HOME, "home", "Home", 1, position),
                                 ids[url], observed)
        observed += OBSERVE_EVERY
    # Breaking news: one item a day, each on the ticker for 6 hours.
    for day in range(7):
        first = now - timedelta(days=day, hours=8)
        text = f"Breaking {day}: strikes reported" if day != 2 else "عاجل: قصف على غزة"
        store.record_breaking([text], first)
        store.record_breaking([text], first + timedelta(hours=6))
    # Edits after publication: story 4's body (with a new modified date) two days
    # ago; story 5's title without one (a stealth edit) yesterday.
    edited = replace(items[4], body=items[4].body + "\n\nA correction was added later.",
                     modified_at=items[4].published_at + timedelta(hours=3))
    store.save_article(edited, run, now - timedelta(days=2))
    stealth = replace(items[5], title=items[5].title + " (updated)")
    store.save_article(stealth, run, now - timedelta(days=1))
    return ids
