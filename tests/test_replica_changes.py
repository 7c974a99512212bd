"""The replica as a monitor meets it: conditional requests, a site that changes while
it is served, and its sitemaps (real HTTP to 127.0.0.1, no crawler)."""

from __future__ import annotations

import time
import urllib.robotparser
from datetime import datetime
from urllib.parse import urlsplit

from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.replica import content, sitemaps
from crawler.replica.changes import new_article
from crawler.replica.model import BEIRUT, BREAKING
from crawler.replica.server import ReplicaServer
from tests.test_replica import fetch, links

EDGE = content.EDGE_CASES


def get(server: ReplicaServer, path: str, **headers: str):
    return fetch(server.base_url + path, headers=headers)


def test_etag_and_last_modified_answer_conditional_requests():
    article = content.BY_KEY["opec-cuts"]
    with ReplicaServer() as server:
        status, headers, body, _ = get(server, article["path"])
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert status == 200 and etag.startswith('W/"') and modified.endswith("GMT")
        assert get(server, article["path"], **{"If-None-Match": etag})[0] == 304
        assert get(server, article["path"], **{"If-None-Match": '"other"'})[0] == 200
        assert get(server, article["path"], **{"If-Modified-Since": modified})[0] == 304
        # If-None-Match wins over If-Modified-Since.
        assert get(server, article["path"], **{"If-None-Match": '"other"',
                                               "If-Modified-Since": modified})[0] == 200
        gzipped = get(server, article["path"], **{"If-None-Match": etag,
                                                  "Accept-Encoding": "gzip"})
        assert gzipped[0] == 304 and gzipped[2] == b""
        index = get(server, "/news/economy")[1]["ETag"]
        assert get(server, "/news/economy", **{"If-None-Match": index})[0] == 304
        assert [r.status for r in server.request_log][-3:] == [304, 200, 304]


def test_publishing_and_editing_change_the_pages_that_show_them():
    with ReplicaServer() as server:
        home_etag = get(server, "/")[1]["ETag"]
        politics_etag = get(server, "/news/politics")[1]["ETag"]
        fresh = server.add_article(new_article("quake", "Earthquake shakes southern Turkey"))
        assert fresh["path"] == "/news/politics/earthquake-shakes-southern-turkey"
        assert fresh["path"] in links(get(server, "/")[2]).hrefs
        assert get(server, "/news/politics", **{"If-None-Match": politics_etag})[0] == 200
        assert get(server, fresh["path"])[0] == 200
        assert get(server, "/", **{"If-None-Match": home_etag})[0] == 200

        path = content.BY_KEY["opec-cuts"]["path"]
        etag = get(server, path)[1]["ETag"]
        when = datetime(2025, 10, 6, 9, 30, tzinfo=BEIRUT)
        edited = server.edit_article("opec-cuts", title="Oil prices slip", body="New text.",
                                     modified=when)
        assert edited["path"] == path  # the URL stays
        status, headers, body, _ = get(server, path, **{"If-None-Match": etag})
        assert status == 200 and b"Oil prices slip" in body and b"New text." in body
        assert "2025-10-06T09:30:00+03:00" in body.decode()
        assert b"Oil prices slip" in get(server, "/news/economy")[2]  # its card too
        assert b"Related News" in body  # the article's other blocks are kept

        server.set_breaking(["Only one alert"])
        assert links(get(server, "/about-us")[2]).ticker == ["Only one alert"]
        server.reset()
        assert server.request_log == []
        assert links(get(server, "/about-us")[2]).ticker == BREAKING
        assert get(server, fresh["path"])[0] == 404


def test_changes_belong_to_one_server():
    with ReplicaServer() as changed, ReplicaServer() as pristine:
        changed.add_article(new_article("only-here", "A story only one replica has"))
        path = "/news/politics/a-story-only-one-replica-has"
        assert get(changed, path)[0] == 200 and get(pristine, path)[0] == 404
    assert all(a["key"] != "only-here" for a in content.ARTICLES)


def test_article_delay_slows_article_pages_only():
    with ReplicaServer(article_delay=0.3) as server:
        started = time.monotonic()
        get(server, "/robots.txt")
        assert time.monotonic() - started < 0.3
        started = time.monotonic()
        get(server, content.BY_KEY["opec-cuts"]["path"])
        assert time.monotonic() - started >= 0.3


def test_sitemaps():
    with ReplicaServer() as server:
        robots = get(server, "/robots.txt")[2]
        listed = list(sitemap_urls_from_robots(robots, base_url=server.base_url + "/"))
        assert listed == [server.base_url + sitemaps.INDEX_PATH,
                          server.base_url + sitemaps.NEWS_PATH]
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(robots.decode().splitlines())
        assert not rules.can_fetch("newsmon", server.base_url + EDGE["robots_disallowed"]["path"])

        status, headers, body, _ = get(server, sitemaps.INDEX_PATH)
        assert status == 200 and headers["Content-Type"].startswith("application/xml")
        index = Sitemap(body)
        months = [entry["loc"] for entry in index]
        assert index.type == "sitemapindex"
        assert server.base_url + "/sitemaps/all/sitemap-2025-9.xml" in months  # not padded
        in_monthly: set[str] = set()
        for loc in months:
            urlset = Sitemap(get(server, urlsplit(loc).path)[2])
            assert urlset.type == "urlset"
            in_monthly |= {urlsplit(e["loc"]).path for e in urlset if e["lastmod"]}
        news = {urlsplit(e["loc"]).path for e in Sitemap(get(server, sitemaps.NEWS_PATH)[2])}

    only = {a["key"]: a["path"] for a in content.ARTICLES if a["sitemap_only"]}
    crawlable = {a["path"] for a in content.ARTICLES if a["stored"] and not a["sitemap_only"]}
    assert crawlable <= in_monthly
    assert {only["archive-iran-iaea"], only["archive-sudan-aid"],
            only["archive-lebanon-syria-border"]} <= in_monthly
    assert only["news-only-gaza-shelters"] in news - in_monthly
    assert EDGE["robots_disallowed"]["path"] in in_monthly  # listed; robots.txt forbids it
    assert EDGE["offsite_port"]["path"] not in in_monthly | news  # another site's
    assert len(content.expected_sitemap_only_articles("http://x")) == 4
    assert not set(only.values()) & {urlsplit(u).path for u in
                                     content.expected_articles("http://x")}
