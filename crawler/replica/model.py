"""Building blocks of the replica's truth data: site constants and body-block helpers.

The article records themselves live in ``data_*.py``; ``content.py`` assembles them.
Times are Beirut local time (``bt``) because that is what the site shows and what its
metadata offsets (+02:00 winter, +03:00 summer) express.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BEIRUT = ZoneInfo("Asia/Beirut")
SITE_NAME = "Al Mayadeen English"
LANGUAGE = "en"
VARIANTS = ("full", "jsonld_og", "visible", "redesign")

# Main menu: (category name, category path, [(section name, section path), ...]).
MENU = [
    ("News", "/news", [
        ("Politics", "/news/politics"), ("Economy", "/news/economy"),
        ("Sports", "/news/sports"), ("Arts&Culture", "/news/arts-culture"),
        ("Health", "/news/health"), ("Miscellaneous", "/news/miscellaneous"),
        ("Technology", "/news/technology"), ("Environment", "/news/environment"),
    ]),
    ("Articles", "/articles", [
        ("Opinion", "/articles/opinion"), ("Analysis", "/articles/analysis"),
        ("Blog", "/articles/blog"), ("Features", "/articles/features"),
    ]),
    ("Videos", "/videos", [
        ("NewsFeed", "/videos/newsfeed"), ("Video Features", "/videos/video-features"),
        ("Explainers", "/videos/explainers"), ("TV", "/videos/tv"),
        ("Digital Series", "/videos/digital-series"),
    ]),
]
# Top-level menu entries without a sub-menu: (name, path). They are section indexes
# of their own category (section None in the article records).
STANDALONE = [("Infographs", "/infographs"), ("In Pictures", "/in-pictures")]

# Regions menu: slug -> name as shown in the menu (and in tawsiyat "country" classes).
REGIONS = {
    "africa": "Africa", "asia": "Asia", "asia-pacific": "Asia-Pacific",
    "europe": "Europe", "latin-america": "Latin America", "mena": "MENA",
    "palestine": "Palestine", "us-canada": "US & Canada",
}
REGION_SLUGS = {name: slug for slug, name in REGIONS.items()}

# The BREAKING ticker shown on every page (plain ASCII/latin-1: it also appears on the
# iso-8859-1 page).
BREAKING = [
    "AFP: France's new PM Sebastien Lecornu resigns just hours after unveiling cabinet",
    "US President Donald Trump: Talks with Hamas have been very successful and are moving at a rapid pace",
    "Israeli media: Interceptor missiles fired in an attempt to shoot down a drone launched from Yemen",
    "Local sources in Aleppo: Clashes erupt on the Deir Hafer and Tishrin Dam fronts in the eastern countryside",
    "Lebanese Health Ministry: Two people killed in an Israeli drone strike on a car in South Lebanon",
]

# Authors: name -> slug of their /authors/<slug> page, plus a one-line bio.
AUTHORS = {
    "Al Mayadeen English": ("al-mayadeen-english", "The English-language newsroom of Al Mayadeen, reporting from Beirut and a network of correspondents."),
    "Karim Haddad": ("karim-haddad", "Karim Haddad is a Beirut-based writer covering Palestine and the politics of the Levant."),
    "Lina Nasser": ("lina-nasser", "Lina Nasser is a researcher in energy policy and European affairs."),
    "Omar Khalil": ("omar-khalil", "Omar Khalil writes on political economy, sanctions and the Global South."),
    "Dana Mroueh": ("dana-mroueh", "Dana Mroueh is a journalist who has reported from West Africa and the Sahel."),
    "Youssef Farhat": ("youssef-farhat", "Youssef Farhat is a columnist on international relations."),
    "Hassan Aziz": ("hassan-aziz", "Hassan Aziz is an analyst of Iraqi and Gulf security affairs."),
    "Rania Saad": ("rania-saad", "Rania Saad follows Gulf diplomacy and regional mediation efforts."),
    "Sami Barakat": ("sami-barakat", "Sami Barakat writes on military affairs in Yemen and the Red Sea."),
    "Maya Saleh": ("maya-saleh", "Maya Saleh is a features writer based in the occupied West Bank."),
}


def bt(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """An aware datetime in Beirut local time (the zone of the site's visible dates)."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIRUT)


# Body blocks. A plain string is a paragraph; ``*text*`` inside it renders as <em>.
def H(text: str) -> tuple:
    """A sub-heading (part of the body text)."""
    return ("h", text)


def RELATED(*keys: str) -> tuple:
    """A "Related News" block linking other articles (not body text)."""
    return ("related", list(keys))


def READMORE(key: str) -> tuple:
    """A "Read more: <title>" line linking another article (not body text)."""
    return ("readmore", key)


def FIGURE(image: str, caption: str) -> tuple:
    """An inline image with its caption inside the body (caption is not body text)."""
    return ("figure", image, caption)


def WIDGET(text: str) -> tuple:
    """A newsletter widget inside the body (not body text)."""
    return ("widget", text)


def plain(paragraph: str) -> str:
    """A paragraph's text as the reader sees it (emphasis markers removed)."""
    return paragraph.replace("*", "")
