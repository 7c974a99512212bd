"""The reference lists of section and region names (``sections``, ``regions``).

``articles.section`` is a foreign key to ``sections.name`` and regions are linked
by id, so every name an analyst groups by comes from one table. The lists are filled
from the site's menu when a crawl reads it (``record_menu``; the menu's category wins)
and with any name an article uses (``ensure_section``; the article's category is
kept only for a section the menu has not named).

Helpers run inside the caller's transaction (``Store._write``). Existing names are
read first: an upsert of a known row would still write (and, on PostgreSQL, use a
sequence value).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection

from crawler.db.models import Region, Section
from crawler.db.text import clean_text, none_if_blank
from crawler.db.upsert import upsert

_sections: Table = Section.__table__  # type: ignore[assignment]
_regions: Table = Region.__table__  # type: ignore[assignment]


def _clean(name: str | None) -> str | None:
    # Exactly as an article stores it (the foreign key compares verbatim).
    return none_if_blank(clean_text(name))


def ensure_section(s: Connection, name: str | None, category: str | None) -> None:
    """Make sure ``name`` is in ``sections`` (before an article refers to it)."""
    name = _clean(name)
    if name is None:
        return
    if s.execute(select(_sections.c.id).where(_sections.c.name == name)).first() is None:
        upsert(s, _sections, {"name": name, "category": _clean(category)}, ["name"])


def record_menu(s: Connection, sections: Iterable[tuple[str | None, str]],
                regions: Iterable[str]) -> int:
    """Add the menu's sections (``(category, name)``) and regions to the reference
    lists; a known section takes the menu's category. Returns how many names were
    added."""
    wanted: dict[str, str | None] = {}
    for category, raw_name in sections:
        name = _clean(raw_name)
        if name:
            wanted.setdefault(name, _clean(category))
    region_names = sorted({n for n in (_clean(r) for r in regions) if n})
    known = dict(s.execute(select(_sections.c.name, _sections.c.category)
                           .where(_sections.c.name.in_(list(wanted)))).all())
    missing = [{"name": n, "category": c} for n, c in sorted(wanted.items()) if n not in known]
    upsert(s, _sections, missing, ["name"])
    for name, category in sorted(wanted.items()):
        if name in known and category and known[name] != category:
            s.execute(update(_sections).where(_sections.c.name == name)
                      .values(category=category))
    known_regions = set(s.scalars(select(_regions.c.name)
                                  .where(_regions.c.name.in_(region_names))))
    new_regions = [{"name": n} for n in region_names if n not in known_regions]
    upsert(s, _regions, new_regions, ["name"])
    return len(missing) + len(new_regions)
