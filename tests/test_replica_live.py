"""The live replica (crawler.replica.live): a seeded schedule, served as it happens."""

from __future__ import annotations

from collections import Counter
from urllib.request import urlopen

from crawler.replica import live
from crawler.replica.live import LiveReplica, live_schedule


def test_the_schedule_is_reproducible_and_busy_sections_publish_more():
    day = live_schedule(7, 24 * 3600)
    assert [(e.at, e.kind, e.data) for e in day] == \
        [(e.at, e.kind, e.data) for e in live_schedule(7, 24 * 3600)]
    assert [e.at for e in day] != [e.at for e in live_schedule(8, 24 * 3600)]
    kinds = Counter(e.kind for e in day)
    assert kinds["breaking_on"] == kinds["breaking_off"] > 100
    assert kinds["edit"] > 10
    per_section = Counter(e.data["section"] for e in day if e.kind == "article")
    expected = {s: rate * 24 for (_c, s), rate in live.SECTION_RATES.items()}
    # Politics (9/h) publishes tens of times more than Blog (0.15/h); bursts add some.
    assert per_section["Politics"] >= expected["Politics"] * 0.8
    assert per_section["Politics"] > 10 * per_section["Blog"]
    on_air = [off.at - on.at for on in day if on.kind == "breaking_on"
              for off in day if off.kind == "breaking_off" and off.data == on.data]
    low, high = live.BREAKING_ON_AIR
    assert min(on_air) >= low and max(on_air) <= high
    assert sum(t < 120 for t in on_air) > 0 and sum(t >= 600 for t in on_air) > 0


def page(site: LiveReplica, path: str) -> str:
    return urlopen(site.base_url + path).read().decode("utf-8")


def test_what_happens_is_served_and_recorded():
    with LiveReplica(seed=3, hours=6, speed=1.0, run_clock=False) as site:
        events = site.events
        first = next(e for e in events if e.kind == "article"
                     and e.data["section"] == "Politics")
        site.advance_to(first.at)
        truth = site.truth()
        url = next(a["url"] for a in truth["articles"] if a["key"] == first.data["key"])
        assert first.data["title"] in page(site, url.removeprefix(site.base_url))
        assert first.data["title"] in page(site, "/news/politics")
        # Cards move down and onto page 2 as Politics publishes more.
        later = [e for e in events if e.kind == "article" and e.data["section"] == "Politics"]
        site.advance_to(later[live.PAGE_SIZE].at)
        assert first.data["title"] not in page(site, "/news/politics")
        assert first.data["title"] in page(site, "/news/politics?page=2")
        # The ticker: an item on air is on every page, and leaves.
        on = next(e for e in events if e.kind == "breaking_on" and e.at > later[live.PAGE_SIZE].at)
        site.advance_to(on.at)
        assert on.data["text"] in page(site, "/") and on.data["text"] in page(site, "/regions/asia")
        off = next(e for e in events if e.kind == "breaking_off" and e.data == on.data)
        site.advance_to(off.at)
        assert on.data["text"] not in page(site, "/")
        aired = next(b for b in site.truth()["breaking"] if b["text"] == on.data["text"])
        assert (aired["on"], aired["off"]) == (on.at, off.at)
        # An edit changes the title on the article's page (its URL stays).
        edit = next(e for e in events if e.kind == "edit" and e.at > off.at)
        site.advance_to(edit.at)
        edited = site.truth()["edits"][-1]
        assert "(updated" in edited["title"]
        assert edited["title"] in page(site, edited["url"].removeprefix(site.base_url))


def _get(url: str, **headers: str):
    """(status, headers, body) of a GET, 304 and 404 included."""
    from urllib.error import HTTPError
    from urllib.request import Request

    try:
        with urlopen(Request(url, headers=headers)) as reply:
            return reply.status, reply.headers, reply.read().decode("utf-8")
    except HTTPError as error:
        return error.code, error.headers, ""


def test_the_sitemaps_list_what_was_published_with_honest_validators():
    import re

    with LiveReplica(seed=3, hours=2, speed=1.0, run_clock=False) as site:
        articles = [e for e in site.events if e.kind == "article"]
        site.advance_to(articles[2].at)
        robots = page(site, "/robots.txt")
        assert f"Sitemap: {site.base_url}/sitemaps/all.xml" in robots
        status, headers, index = _get(site.base_url + "/sitemaps/all.xml")
        monthly = re.findall(r"<loc>([^<]+)</loc>", index)[0]  # the newest month first
        status, headers, listed = _get(monthly)
        urls = {a["url"] for a in site.truth()["articles"]}
        assert status == 200 and urls <= set(re.findall(r"<loc>([^<]+)</loc>", listed))
        assert headers["Last-Modified"] and headers["ETag"]
        # Unchanged: 304 by either validator. Something published: 200, new validators.
        assert _get(monthly, **{"If-None-Match": headers["ETag"]})[0] == 304
        assert _get(monthly, **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        news = _get(site.base_url + "/sitemaps/news.xml")
        assert urls <= set(re.findall(r"<loc>([^<]+)</loc>", news[2]))
        site.advance_to(articles[3].at)
        status, later, listed = _get(monthly, **{"If-None-Match": headers["ETag"]})
        assert status == 200 and later["ETag"] != headers["ETag"]
        assert site.truth()["articles"][-1]["url"] in listed
        # The ticker changing alone does not change a sitemap (it is on no sitemap).
        on = next(e for e in site.events if e.kind == "breaking_on" and e.at > articles[3].at)
        content_before = max(e.at for e in site.events
                             if e.kind in ("article", "edit") and e.at < on.at)
        site.advance_to(content_before)
        status, headers, _listed = _get(monthly)
        site.advance_to(on.at)
        assert on.data["text"] in page(site, "/")
        assert _get(monthly, **{"If-None-Match": headers["ETag"]})[0] == 304


def test_a_live_replica_without_sitemaps_names_and_serves_none():
    with LiveReplica(seed=3, hours=1, speed=1.0, run_clock=False, sitemaps=False) as site:
        site.advance_to(1800)
        assert "Sitemap:" not in page(site, "/robots.txt")
        for path in ("/sitemaps/all.xml", "/sitemaps/news.xml"):
            assert _get(site.base_url + path)[0] == 404
        assert "Dispatch" in page(site, "/news/politics")  # the rest is served as before


def test_the_history_before_the_clock_is_listed_and_dated_but_not_in_the_truth():
    import re
    from datetime import datetime

    with LiveReplica(seed=3, hours=1, speed=10.0, run_clock=False, history_hours=3) as site:
        history = [e for e in site.history if e.kind == "article"]
        # The same process, its own stream: the schedule after the start is unchanged.
        assert len(history) > 20 and all(-3 * 3600 <= e.at < 0 for e in history)
        assert [e.at for e in site.events] == [e.at for e in live_schedule(3, 3600)]
        assert [e.at for e in live.history_schedule(3, 3 * 3600)] == [e.at for e in history]
        assert site.truth()["articles"] == []            # nothing new yet
        news = page(site, "/sitemaps/news.xml")
        dated = dict(re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", news))
        earlier = {u: d for u, d in dated.items() if "/earlier-" in u}
        assert len(earlier) == len(history)
        # Each dated when it appeared (real time at the replica's speed), before the start.
        times = sorted(datetime.fromisoformat(d).timestamp() for d in earlier.values())
        assert times[-1] <= site.started_real
        assert abs(times[0] - site.real_time(history[0].at)) <= 1.0
        newest = history[-1]
        assert newest.data["title"] in page(site, "/news/politics" if newest.data["section"]
                                            == "Politics" else "/") or \
            newest.data["title"] in news
        # What is published after the start is the truth, and only that; an edit
        # still edits a live article, not one of the history.
        first_edit = next(e for e in site.events if e.kind == "edit")
        site.advance_to(first_edit.at)
        truth = site.truth()
        assert truth["articles"] and all("/earlier-" not in a["url"] for a in truth["articles"])
        assert {e["url"] for e in truth["edits"]} <= {a["url"] for a in truth["articles"]}
        listed = set(re.findall(r"<loc>([^<]+)</loc>", page(site, "/sitemaps/news.xml")))
        assert set(earlier) | {a["url"] for a in truth["articles"]} <= listed
