"""Bounded memory of a process that never ends (crawler.crawl.recent), and the
monitor's use of it: what it remembers per article stays under its limit."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.crawl.incremental import CrawlMemory, RevisitPolicy
from crawler.crawl.recent import RecentDict, RecentSet
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.db import migrate


def test_a_recent_set_keeps_its_newest_members():
    seen = RecentSet(3, ["a", "b"])
    for member in ("c", "a", "d"):  # "a" again: the newest, so "b" goes first
        seen.add(member)
    assert list(seen) == ["c", "a", "d"] and len(seen) == 3
    assert "b" not in seen and "a" in seen
    seen.discard("c")
    seen.discard("missing")
    assert list(seen) == ["a", "d"]


def test_a_recent_dict_keeps_its_newest_keys():
    titles: RecentDict[str, str] = RecentDict(2)
    titles["x"] = "1"
    titles["y"] = "2"
    titles["x"] = "3"          # set again: newest
    titles["z"] = "4"
    assert dict(titles) == {"x": "3", "z": "4"}
    assert titles.setdefault("z", "5") == "4"
    assert titles.setdefault("w", "6") == "6"   # the monitor's use: bounded too
    assert dict(titles) == {"z": "4", "w": "6"}


def test_the_crawl_memory_cache_is_emptied_past_its_limit(tmp_path):
    url = f"sqlite:///{tmp_path / 'memory.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    memory = CrawlMemory(Store(engine), RevisitPolicy(), datetime.now(UTC))
    try:
        memory.known([f"http://site/a{n}" for n in range(50)])
        assert len(memory._known) == 50
        memory.forget_cached(100)
        assert len(memory._known) == 50       # under the limit: kept
        memory.forget_cached(10)
        assert memory._known == {} and memory._gone == {}
        assert memory.known(["http://site/a1"]) == {}  # asked of the database again
        assert len(memory._known) == 1
    finally:
        engine.dispose()
