"""The local replica: real HTTP requests (urllib) to a ReplicaServer on 127.0.0.1."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import urllib.error
import urllib.request
import urllib.robotparser
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.items import ARTICLE_FIELDS
from crawler.replica import content
from crawler.replica.layout import visible_datetime
from crawler.replica.model import REGIONS, VARIANTS
from crawler.replica.server import ReplicaServer

EDGE = content.EDGE_CASES


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, method: str = "GET", headers: dict | None = None,
          follow: bool = True) -> tuple[int, dict, bytes, str]:
    """(status, headers, body, final URL) of a request; HTTP errors are answers too."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    opener = urllib.request.build_opener() if follow else \
        urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read(), response.url
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), url


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.head_links: list[tuple[str, str]] = []
        self.ticker: list[str] = []
        self._in_ticker = self._in_li = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "link":
            self.head_links.append((a.get("rel", ""), a.get("href", "")))
        if tag == "ul" and a.get("class") == "breaking-list":
            self._in_ticker = True
        if tag == "li" and self._in_ticker:
            self._in_li = True
            self.ticker.append("")

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_ticker = False
        if tag == "li":
            self._in_li = False

    def handle_data(self, data):
        if self._in_li and self._in_ticker:
            self.ticker[-1] += data


def links(body: bytes, charset: str = "utf-8") -> _Links:
    parser = _Links()
    parser.feed(body.decode(charset))
    return parser


@pytest.fixture(scope="module")
def server():
    with ReplicaServer() as replica:
        yield replica


def get(server: ReplicaServer, path: str, **kwargs):
    return fetch(server.base_url + path, **kwargs)


# -- pages and navigation -------------------------------------------------------------

def test_home_has_menus_ticker_and_edge_links(server):
    status, headers, body, _ = get(server, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    page = links(body)
    for slug in REGIONS:
        assert f"/regions/{slug}" in page.hrefs
    for path in ("/news/politics", "/articles/opinion", "/videos/explainers", "/infographs",
                 "/in-pictures", "/live", "https://www.almayadeen.net/",
                 "https://espanol.almayadeen.net/"):
        assert path in page.hrefs
    assert page.ticker == content.expected_breaking() and 3 <= len(page.ticker) <= 6
    assert EDGE["tracking_link"]["path"] in page.hrefs
    assert EDGE["old_url_redirect"]["path"] in page.hrefs
    assert f"{server.offsite_origin}{EDGE['offsite_port']['path']}" in page.hrefs
    assert server.offsite_port != server.port
    assert EDGE["offsite_host"]["url"] in page.hrefs
    assert ("canonical", server.base_url + "/") in page.head_links


@pytest.mark.parametrize("path", [
    "/news/politics", "/regions/mena", "/tags/gaza", "/authors/karim-haddad", "/live",
    "/about-us", *(next(a["path"] for a in content.ARTICLES if a["variant"] == v)
                   for v in VARIANTS)])
def test_every_page_has_the_header(server, path):
    status, _, body, _ = get(server, path)
    assert status == 200
    page = links(body)
    assert page.ticker == content.expected_breaking()
    assert "/regions/palestine" in page.hrefs and "/news/economy" in page.hrefs
    assert b'class="main-menu"' in body and b'class="regions-menu"' in body


def test_section_pagination_and_last_page(server):
    paginated = [p for p in content.SECTION_INDEXES
                 if (content.section_page_count(p) or 0) >= 2]
    assert len(paginated) >= 3
    for path in paginated:
        count = content.section_page_count(path)
        for number in range(1, count + 1):
            query = f"?page={number}" if number > 1 else ""
            status, _, body, _ = get(server, path + query)
            assert status == 200
            page = links(body)
            nxt = f"{path}?page={number + 1}"
            if number < count:
                assert nxt in page.hrefs
                assert ("next", server.base_url + nxt) in page.head_links
                assert f'data-page="{number + 1}"'.encode() in body
            else:
                assert b"loadmorebtn" not in body and b'rel="next"' not in body
            expected = {a["path"] for a in content.section_listing(path, number)}
            assert expected and expected <= set(page.hrefs)
        assert get(server, f"{path}?page={count + 1}")[0] == 404


def test_region_pages_list_their_articles(server):
    status, _, body, _ = get(server, "/regions/palestine")
    assert status == 200
    hrefs = set(links(body).hrefs)
    assert EDGE["multi_region_listing"]["path"] in hrefs
    assert EDGE["multi_region_listing"]["path"] in links(get(server, "/regions/mena")[2]).hrefs


def test_index_cards_show_date_only(server):
    body = get(server, "/news/economy")[2].decode()
    dates = re.findall(r'<div class="time"><p>([^<]+)</p></div>', body)
    assert dates and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", d) for d in dates)


def test_endless_pagination(server):
    path = EDGE["endless_pagination"]["path"]
    first_cards = None
    for number in (1, 2, 57, 1000):
        query = f"?page={number}" if number > 1 else ""
        status, _, body, _ = get(server, path + query)
        assert status == 200
        page = links(body)
        assert f"{path}?page={number + 1}" in page.hrefs
        cards = [h for h in page.hrefs if h.startswith(path + "/")]
        assert cards
        first_cards = first_cards or cards
        assert cards == first_cards


# -- edge cases ------------------------------------------------------------------------

def test_old_url_redirects(server):
    status, headers, _, _ = get(server, EDGE["old_url_redirect"]["path"], follow=False)
    assert status == 301
    assert headers["Location"] == server.base_url + EDGE["old_url_redirect"]["target"]
    status, _, body, final = get(server, EDGE["old_url_redirect"]["path"])
    assert status == 200 and final == server.base_url + EDGE["old_url_redirect"]["target"]


def test_not_found(server):
    assert EDGE["not_found"]["path"] in links(get(server, "/news/politics?page=2")[2]).hrefs
    status, headers, body, _ = get(server, EDGE["not_found"]["path"])
    assert status == 404 and b"<html" in body and headers["Content-Type"].startswith("text/html")
    assert get(server, "/no/such/page")[0] == 404
    assert get(server, "/news/politics?page=abc")[0] == 404


def test_error_once_then_ok_per_server():
    path = EDGE["error_once"]["path"]
    for _ in range(2):  # the state belongs to each server instance
        with ReplicaServer() as replica:
            assert get(replica, path)[0] == 500
            assert get(replica, path)[0] == 200
            assert get(replica, path + "?x=1")[0] == 200
            assert [r.status for r in replica.request_log] == [500, 200, 200]


def test_robots_txt_disallows_the_private_article(server):
    status, headers, body, _ = get(server, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(body.decode().splitlines())
    private = EDGE["robots_disallowed"]["path"]
    assert not rules.can_fetch("newsmon", server.base_url + private)
    assert rules.can_fetch("newsmon", server.base_url + EDGE["colon_slug"]["path"])
    assert private in links(get(server, "/news/sports")[2]).hrefs


def test_latin1_page_is_really_latin1(server):
    article = content.BY_PATH[EDGE["latin1"]["path"]]
    status, headers, body, _ = get(server, article["path"])
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert b'<meta charset="iso-8859-1">' in body
    for char in "éü£ë":
        assert char.encode("latin-1") in body
    assert "é".encode("utf-8") not in body
    text = body.decode("latin-1")
    match = re.search(r'<script id="tawsiyat-metadata" type="text/tawsiyat">(.*?)</script>',
                      text)
    meta = json.loads(match.group(1))
    assert meta["description"] == article["summary"] and "£" in meta["description"]
    assert "Jürgen Müller" in text


def test_head_and_gzip(server):
    path = EDGE["colon_slug"]["path"]
    plain = get(server, path)[2]
    status, headers, body, _ = get(server, path, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(plain)
    status, headers, body, _ = get(server, path, headers={"Accept-Encoding": "gzip"})
    assert headers.get("Content-Encoding") == "gzip" and gzip.decompress(body) == plain


def test_non_article_pages_answer_200(server):
    for path in EDGE["non_article_pages"]["paths"]:
        status, _, body, _ = get(server, path)
        assert status == 200, path
        assert b'"type": "article"' not in body and b'og:type" content="article"' not in body
        assert len(body) > 2000


def test_request_log(server):
    server.clear_log()
    get(server, "/about-us", headers={"User-Agent": "replica-test/1"})
    get(server, "/news/politics?page=2", method="HEAD")
    get(server, "/missing")
    log = server.request_log
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/about-us", 200), ("HEAD", "/news/politics?page=2", 200),
        ("GET", "/missing", 404)]
    assert log[0].user_agent == "replica-test/1" and log[0]["headers"]["User-Agent"]
    assert log[0].time <= log[2].time
    assert server.requested_paths() == ["/about-us", "/news/politics?page=2", "/missing"]


# -- the truth -------------------------------------------------------------------------

def test_expected_articles_cover_the_brief():
    origin = "http://127.0.0.1:8765"
    expected = content.expected_articles(origin)
    assert len(expected) >= 24
    stored = [a for a in content.ARTICLES if a["stored"]]
    assert {a["variant"] for a in stored} == set(VARIANTS)
    assert all(sum(a["variant"] == v for a in stored) >= 3 for v in VARIANTS)
    assert {a["category"] for a in stored} >= {"News", "Articles", "Videos", "Infographs"}
    for url, values in expected.items():
        assert tuple(values) == ARTICLE_FIELDS and values["url"] == url
        assert url.startswith(origin + "/") and values["language"] == "en"
        assert all(u.startswith(origin + "/") for u in values["related_urls"])
        assert values["published_at"] <= values["modified_at"]
    for field in ARTICLE_FIELDS:
        assert any(v[field] not in (None, [], "") for v in expected.values()), field
    assert EDGE["robots_disallowed"]["path"] not in {urlsplit(u).path for u in expected}
    assert origin + EDGE["offsite_port"]["path"] not in expected
    by_path = {urlsplit(u).path: v for u, v in expected.items()}
    assert by_path[EDGE["multi_region_listing"]["path"]]["regions"] == ["MENA", "Palestine"]
    assert by_path[EDGE["winter_visible_date"]["path"]]["published_at"] == \
        "2025-01-12T07:30:00+00:00"
    assert by_path[EDGE["summer_visible_date"]["path"]]["published_at"] == \
        "2025-07-15T12:54:00+00:00"
    bare = by_path[EDGE["no_image_no_source"]["path"]]
    assert bare["image_url"] is bare["source"] is bare["image_caption"] is None
    assert len(by_path[EDGE["two_authors"]["path"]]["authors"]) == 2
    mali = by_path[EDGE["duplicate_related"]["path"]]["related_urls"]
    assert len(mali) == len(set(mali)) == 3
    for a in content.ARTICLES:
        if a["variant"] in ("jsonld_og", "visible"):
            assert a["regions"] == [], a["key"]  # nothing on those pages names a region


def test_slugs_follow_the_site_rule():
    for a in content.ARTICLES:
        assert a["path"].rsplit("/", 1)[1] == content.slugify(a["title"]), a["key"]
    colon = EDGE["colon_slug"]["path"].rsplit("/", 1)[1]
    title = content.BY_PATH[EDGE["colon_slug"]["path"]]["title"]
    uncut = "".join(c if c.isalnum() or c in ":," else "-" for c in title.lower())
    assert ":" in colon and len(colon) == 60 and len(uncut) > 60
    assert uncut[59].isalnum() and uncut[60].isalnum()  # cut inside a word


def test_pages_show_what_the_truth_says(server):
    for a in content.ARTICLES:
        status, headers, body, _ = get(server, a["path"])
        if status == 500 and a["path"] == EDGE["error_once"]["path"]:
            status, headers, body, _ = get(server, a["path"])
        text = body.decode(a["charset"])
        assert status == 200, a["key"]
        values = content.expected_fields(a, server.base_url)
        for paragraph in values["body"].split("\n\n"):
            assert paragraph.replace("&", "&amp;") in re.sub(r"</?em>", "", text), a["key"]
        for url in values["related_urls"]:
            assert f'href="{urlsplit(url).path}"' in text
        assert f"{a['read_time']} Min Read" in text
        assert visible_datetime(a["published"]) in text
        assert (f"Source: {a['source']}" in text) == bool(a["source"])
        assert ('id="tawsiyat-metadata"' in text) == (a["variant"] in ("full", "redesign"))
        assert ("application/ld+json" in text) == (a["variant"] != "visible")
        assert ('property="og:' in text) == (a["variant"] != "visible")
        assert ('class="p-content"' in text) == (a["variant"] != "redesign")
        if a["variant"] != "visible":
            assert f'<link rel="canonical" href="{values["url"]}">' in text
            assert f'"{a["published"].isoformat()}"' in text
        if a["video"]:
            assert "<video" in text and '"VideoObject"' in text


def _reach(server: ReplicaServer) -> tuple[set[str], dict[str, list[str]]]:
    """Follow every same-origin link from the home page, as a crawler obeying
    robots.txt would (retrying a 500 once); returns (pages that answered 200,
    path -> pages linking it)."""
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(get(server, "/robots.txt")[2].decode().splitlines())
    seen, ok, linked_from = {"/"}, set(), {}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        status, headers, body, final = get(server, path)
        if status == 500:
            status, headers, body, final = get(server, path)
        if status != 200 or not headers["Content-Type"].startswith("text/html"):
            continue
        ok.add(urlsplit(final).path)
        charset = headers["Content-Type"].split("charset=")[1]
        for href in links(body, charset).hrefs:
            parts = urlsplit(urljoin(server.base_url + path, href))
            if f"{parts.scheme}://{parts.netloc}" != server.base_url:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query.startswith("page=") else "")
            linked_from.setdefault(parts.path, []).append(path)
            page = int(parts.query[5:]) if parts.query.startswith("page=") else 1
            if target in seen or page > 5 or not rules.can_fetch("t", server.base_url + target):
                continue
            seen.add(target)
            queue.append(target)
    return ok, linked_from


def test_a_crawl_from_home_reaches_exactly_the_expected_articles():
    with ReplicaServer() as replica:
        reached, linked_from = _reach(replica)
        expected = {urlsplit(u).path for u in content.expected_articles(replica.base_url)}
        articles = {a["path"] for a in content.ARTICLES}
        assert reached & articles == expected
        assert EDGE["robots_disallowed"]["path"] not in replica.requested_paths()
        only_rm = linked_from[EDGE["read_more_only"]["path"]]
        only_rel = linked_from[EDGE["related_only"]["path"]]
        assert only_rm == [content.BY_KEY["mali-junta"]["path"]]
        assert only_rel == [content.BY_KEY["iraq-crossroads"]["path"]]
        assert EDGE["not_found"]["path"] in linked_from


def test_fixtures_are_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "regenerate", Path(__file__).parent / "fixtures" / "regenerate.py")
    regenerate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regenerate)
    folder = Path(__file__).parent / "fixtures" / "articles"
    wanted = regenerate.fixtures()
    assert len(wanted) >= 13
    on_disk = {p.stem for p in folder.glob("replica-*.html")}
    assert on_disk == set(wanted), "run tests/fixtures/regenerate.py"
    for name, (body, spec_data) in wanted.items():
        assert (folder / f"{name}.html").read_bytes() == body, name
        assert (folder / f"{name}.json").read_text(encoding="utf-8") == \
            regenerate.spec_text(spec_data), name
