"""Articles for a running replica to publish or change (``ReplicaServer.add_article``,
``ReplicaServer.edit_article``): records in the format of ``content``.

    record = new_article("quake", "Earthquake shakes southern Turkey")
    server.add_article(record)                      # on the home page and Politics p. 1
    server.edit_article("quake", body="A new first paragraph.\\n\\nAnd a second.")
"""

from __future__ import annotations

from datetime import datetime
from zlib import crc32

from crawler.replica import content
from crawler.replica.model import BEIRUT


def now_beirut() -> datetime:
    """Now, to the minute, in the site's time zone (the site shows minutes)."""
    return datetime.now(BEIRUT).replace(second=0, microsecond=0)


def new_article(key: str, title: str, *, category: str = "News", section: str = "Politics",
                published: datetime | None = None, variant: str = "full",
                summary: str | None = None, body: list | None = None,
                regions: list[str] | None = None, tags: list[str] | None = None,
                listed: dict | None = None) -> dict:
    """A plausible new article of ``section`` (listed on the home page and on page 1
    of its section unless ``listed`` says otherwise), published now by default."""
    index = next(path for path, (cat, name) in content.SECTION_INDEXES.items()
                 if cat == category and name == section)
    published = published or now_beirut()
    return dict(
        key=key, variant=variant, postid=1930000 + crc32(key.encode()) % 60000,
        path=f"{index}/{content.slugify(title)}", title=title,
        summary=summary or f"{title}: what is known so far, and what comes next.",
        authors=["Al Mayadeen English"], source="Agencies",
        published=published, modified=None, category=category, section=section,
        regions=list(regions or []), tags=list(tags or ["Breaking"]),
        image=None, image_alt=None, caption=None, read_time=1, shares=0,
        listed=listed if listed is not None else dict(home=True, section=1),
        body=body or [f"{title}, sources told Al Mayadeen English on the day.",
                      "Officials did not comment on the reports, which could not be "
                      "independently verified.",
                      "This is a developing story and will be updated."])


def edited(article: dict, *, title: str | None = None, summary: str | None = None,
           body: str | list | None = None, modified: datetime | None = None) -> dict:
    """A copy of ``article`` with a new title, summary and/or body, modified at
    ``modified`` (default: now). A string body gives the text paragraphs (separated by
    blank lines); the article's other blocks (Related News, Read more, figures,
    widgets) are kept after them. Its URL does not change."""
    record = dict(article)
    if title is not None:
        record["title"] = title
    if summary is not None:
        record["summary"] = summary
    if isinstance(body, str):
        paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
        others = [b for b in article["body"] if not isinstance(b, str) and b[0] != "h"]
        record["body"] = [*paragraphs, *others]
    elif body is not None:
        record["body"] = list(body)
    record["modified"] = modified or max(now_beirut(), article["published"])
    return content.normalise(record)
