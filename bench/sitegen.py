"""A large synthetic site in the replica's record format (``crawler.replica.content``).

``generate(n, seed)`` returns a ``Site``: ``n`` article records (deterministic for a
seed) spread over every section of the menu, each listed on its section index, the
newest on the home page and on region indexes. Bodies are synthetic English
paragraphs with sub-headings, Related News boxes, "Read more:" lines, inline figures
and newsletter widgets, as on the real site. The records are the truth the
extraction accuracy is measured against.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crawler.replica.content import SECTION_INDEXES, body_paragraphs, slugify
from crawler.replica.model import AUTHORS, REGIONS, bt

CARDS_PER_PAGE = 24          # cards on a section index page
MAX_INDEX_PAGES = 50         # NEWSMON_MAX_INDEX_PAGES: no chain may be longer
HOME_CARDS = 40
REGION_CARDS = 24
VARIANT_WEIGHTS = {"full": 70, "jsonld_og": 15, "visible": 15}
NEWEST = bt(2025, 10, 1, 18, 0)

PLACES = ["Gaza", "Lebanon", "Syria", "Iraq", "Yemen", "Iran", "Egypt", "Jordan", "Sudan",
          "Libya", "Mali", "Niger", "Venezuela", "Cuba", "Brazil", "China", "Russia",
          "Ukraine", "France", "Germany", "Britain", "Turkey", "Qatar", "Oman", "Tunisia",
          "Algeria", "Morocco", "Kenya", "India", "Pakistan", "Bolivia", "Colombia"]
ACTORS = ["The ministry", "Officials", "The UN envoy", "Local sources", "The army",
          "Analysts", "The government", "Residents", "Negotiators", "The central bank",
          "Parliament", "The prime minister", "Aid agencies", "The foreign minister",
          "Doctors at the main hospital", "Union leaders", "Farmers", "Economists",
          "A senior diplomat", "The opposition", "Rights groups", "Port authorities"]
VERBS = ["said on Monday that", "warned that", "confirmed that", "announced that",
         "told reporters that", "denied reports that", "insisted that", "estimated that",
         "said in a statement that", "acknowledged that", "argued that", "expected that"]
CLAUSES = [
    "talks on a ceasefire would resume in Cairo next week",
    "prices of fuel and bread had risen sharply since the summer",
    "the border crossing remained closed to aid convoys for a third day",
    "a new round of sanctions would hit exporters hardest",
    "the budget for the coming year was still being negotiated",
    "hundreds of families had been displaced by the latest strikes",
    "the electricity grid could not meet demand during the heatwave",
    "the agreement left several questions about security unanswered",
    "wheat imports had fallen to their lowest level in a decade",
    "the vote in parliament was postponed until after the holidays",
    "the hospital was running short of fuel for its generators",
    "investors were waiting for the central bank's decision on interest rates",
    "the delegation would travel to Doha to meet the mediators",
    "drone attacks on shipping in the Red Sea had disrupted trade",
    "reconstruction of the southern suburbs would take years",
    "the drought had cut the harvest by almost a third",
    "protesters gathered outside the ministry for the second night",
    "the currency lost a fifth of its value against the dollar",
    "the court would rule on the appeal before the end of the month",
    "the elections were likely to be delayed once again",
]
LINKS = ["while", "after", "as", "even though", "because", "although", "since"]
HEADLINES = ["talks stall over security guarantees", "prices climb as subsidies end",
             "strikes hit the south overnight", "parliament delays budget vote",
             "aid convoy waits at the border", "exporters brace for sanctions",
             "power cuts deepen amid heatwave", "wheat harvest falls short",
             "protests enter second week", "currency slides to record low",
             "court hears appeal on election law", "mediators meet in Doha",
             "hospitals run short of fuel", "port reopens after attack",
             "drought forces farmers off land", "unions call general strike",
             "ministers resign over crisis", "envoy warns of wider war",
             "rebuilding begins in the suburbs", "ceasefire holds for a third day"]
TAGS = ["Gaza", "Lebanon", "Sanctions", "Ceasefire", "Economy", "Energy", "Elections",
        "Red Sea", "Yemen", "Iraq", "Syria", "Iran", "Palestine", "Africa", "Oil",
        "Humanitarian Aid", "Protests", "Drones", "Wheat", "Diplomacy", "IMF", "Israel",
        "United States", "Russia", "China", "Climate", "Refugees", "Sahel"]
SOURCES = ["Agencies", "Al Mayadeen English", "Reuters", "AFP", None, None]


@dataclass
class Site:
    articles: list[dict]
    by_key: dict[str, dict] = field(default_factory=dict)
    by_path: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, list[dict]] = field(default_factory=dict)   # index path -> newest first
    regions: dict[str, list[dict]] = field(default_factory=dict)    # region slug -> newest first
    home: list[dict] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)          # key -> place in its section
    cards_per_page: int = CARDS_PER_PAGE

    def section_pages(self, index_path: str) -> int:
        return max(1, math.ceil(len(self.sections[index_path]) / self.cards_per_page))

    def section_listing(self, index_path: str, page: int) -> list[dict]:
        start = (page - 1) * self.cards_per_page
        return self.sections[index_path][start:start + self.cards_per_page]

    def index_urls(self) -> list[str]:
        """Paths (with ?page=N) of every index page a crawl walks: home, sections, regions."""
        out = ["/"]
        for path in self.sections:
            out += [path] + [f"{path}?page={n}" for n in range(2, self.section_pages(path) + 1)]
        return out + [f"/regions/{slug}" for slug in REGIONS]

    def article_urls(self) -> list[str]:
        return [a["path"] for a in self.articles]


def _sentence(rng: random.Random) -> str:
    text = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}"
    if rng.random() < 0.5:
        text += f", {rng.choice(LINKS)} {rng.choice(CLAUSES)}"
    if rng.random() < 0.15:
        text += f", according to a report in *{rng.choice(['The Guardian', 'Le Monde', 'Al Akhbar'])}*"
    if rng.random() < 0.1:
        text += ", “a step nobody expected,” one of them said"
    return text + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _title(rng: random.Random, taken: set[str]) -> str:
    for attempt in range(1000):
        title = f"{rng.choice(PLACES)}: {rng.choice(HEADLINES)}"
        if attempt or rng.random() < 0.3:
            title += f" ({rng.choice(['update', 'report', 'day', 'round', 'part'])} " \
                     f"{rng.randint(2, 999)})"
        if slugify(title) not in taken:
            taken.add(slugify(title))
            return title
    raise RuntimeError("could not find a unique title")


def _article_path(index_path: str, slug: str) -> str:
    first = index_path.strip("/").split("/")[0]
    if first in ("news", "articles"):
        return f"{index_path}/{slug}"
    return f"/{first}/{slug}"           # /videos/<slug>, /infographs/<slug>, /in-pictures/<slug>


def _body(rng: random.Random, others: list[str]) -> list:
    blocks: list = []
    for i in range(rng.randint(7, 22)):
        if i and i % 5 == 0 and rng.random() < 0.6:
            blocks.append(("h", rng.choice(HEADLINES).capitalize()))
        blocks.append(_paragraph(rng))
        roll = rng.random()
        if others and i == 2 and roll < 0.5:
            blocks.append(("related", rng.sample(others, min(2, len(others)))))
        elif others and roll < 0.08:
            blocks.append(("readmore", rng.choice(others)))
        elif roll > 0.96:
            blocks.append(("figure", f"/media/image/2025/8/{i + 1}/inline-{rng.randint(1, 9999)}.jpg",
                           "A view of the area, photographed last week. (AFP)"))
        elif roll > 0.94:
            blocks.append(("widget", "Sign up for the Al Mayadeen English newsletter."))
    return blocks


def _record(rng: random.Random, number: int, index_path: str, title: str,
            published: datetime, others: list[str]) -> dict:
    category, name = SECTION_INDEXES[index_path]
    section = None if category == name else name
    slug = slugify(title)
    body = _body(rng, others)
    modified = published + timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.2 else None
    regions = sorted(rng.sample(sorted(REGIONS.values()), rng.choice([0, 1, 1, 2])))
    record = dict(
        key=f"a{number}", variant=rng.choices(list(VARIANT_WEIGHTS),
                                             weights=list(VARIANT_WEIGHTS.values()))[0],
        postid=1_930_000 + number, path=_article_path(index_path, slug), title=title,
        summary=_sentence(rng).replace("*", ""),
        authors=rng.sample(sorted(AUTHORS), rng.choice([1, 1, 1, 2])),
        source=rng.choice(SOURCES), published=published, modified=modified or published,
        category=category, section=section, regions=regions,
        tags=rng.sample(TAGS, rng.randint(2, 5)),
        image=(f"/media/image/{published.year}/{published.month}/{published.day}/"
               f"{rng.getrandbits(64):016x}.jpg?width=1000") if rng.random() < 0.9 else None,
        image_alt=title, caption=f"{_sentence(rng)[:-1]} (AP)".replace("*", ""), shares=rng.randint(0, 400),
        body=body, stored=True, charset="utf-8", old_path=None, video=None,
    )
    if record["image"] is None:
        record["caption"] = None
    record["word_count"] = len(" ".join(body_paragraphs(record)).split())
    record["read_time"] = max(1, math.ceil(record["word_count"] / 200))
    return record


def generate(n: int, seed: int = 8) -> Site:
    """A site of ``n`` articles, one every 2h17m back from NEWEST (both DST seasons)."""
    rng = random.Random(seed)
    index_paths = list(SECTION_INDEXES)
    weights = [3 if p.startswith("/news/") else 1 for p in index_paths]
    taken: set[str] = set()
    articles: list[dict] = []
    for number in range(n):
        index_path = rng.choices(index_paths, weights=weights)[0]
        published = NEWEST - timedelta(minutes=137 * number)
        others = [f"a{k}" for k in rng.sample(range(n), min(3, n)) if k != number]
        articles.append(_record(rng, number, index_path, _title(rng, taken), published,
                                others))
    return index_site(articles)


def index_site(articles: list[dict]) -> Site:
    site = Site(articles=articles)
    site.by_key = {a["key"]: a for a in articles}
    site.by_path = {a["path"]: a for a in articles}
    newest_first = sorted(articles, key=lambda a: a["published"], reverse=True)
    site.sections = {path: [] for path in SECTION_INDEXES}
    for a in newest_first:
        site.sections[index_path_of(a)].append(a)
        for name in a["regions"]:
            site.regions.setdefault(_region_slug(name), []).append(a)
    biggest = max(len(v) for v in site.sections.values())
    site.cards_per_page = max(CARDS_PER_PAGE, math.ceil(biggest / MAX_INDEX_PAGES))
    site.regions = {slug: site.regions.get(slug, [])[:REGION_CARDS] for slug in REGIONS}
    site.home = newest_first[:HOME_CARDS]
    site.position = {a["key"]: i for listing in site.sections.values()
                     for i, a in enumerate(listing)}
    return site


def index_path_of(a: dict) -> str:
    for path, (category, name) in SECTION_INDEXES.items():
        if category == a["category"] and (a["section"] or category) == name:
            return path
    raise KeyError(a["key"])


def _region_slug(name: str) -> str:
    return next(slug for slug, region in REGIONS.items() if region == name)


def related_paths(site: Site, a: dict) -> list[str]:
    """Related News and Read more targets in document order, deduplicated."""
    out: list[str] = []
    for block in a["body"]:
        if isinstance(block, tuple) and block[0] in ("related", "readmore"):
            for key in block[1] if block[0] == "related" else [block[1]]:
                if site.by_key[key]["path"] not in out:
                    out.append(site.by_key[key]["path"])
    return out


def truth(site: Site, a: dict, origin: str) -> dict:
    """What the page says, keyed as ARTICLE_FIELDS (dates as aware UTC datetimes).

    As in the replica: regions are named only by tawsiyat metadata (``full``), and a
    ``visible`` page shows one date, so its modified date is the published one."""
    origin = origin.rstrip("/")
    modified = a["published"] if a["variant"] == "visible" else a["modified"]
    return {
        "url": origin + a["path"], "title": a["title"], "summary": a["summary"],
        "authors": list(a["authors"]), "source": a["source"],
        "published_at": a["published"].astimezone(UTC),
        "modified_at": modified.astimezone(UTC),
        "category": a["category"], "section": a["section"],
        "regions": sorted(a["regions"]) if a["variant"] == "full" else [], "tags": list(a["tags"]),
        "body": "\n\n".join(body_paragraphs(a)),
        "image_url": origin + a["image"] if a["image"] else None,
        "image_caption": a["caption"], "read_time_minutes": a["read_time"], "language": "en",
        "related_urls": [origin + p for p in related_paths(site, a)],
    }
