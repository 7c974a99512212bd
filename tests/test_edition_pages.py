"""The Arabic and Spanish editions' pages read by their profiles: index fixtures
(tests/fixtures/edition_indexes, from tests/fixtures/regenerate_editions.py), the URL
rules of each edition, sibling evidence (hreflang), and the replicas' own answers
(sitemaps, the Arabic Load More JSON, percent-encoded Unicode paths)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen
from xml.etree import ElementTree

import pytest
from scrapy.http import HtmlResponse

from crawler.crawl import rendering
from crawler.replica.editions import content
from crawler.replica.server import ReplicaServer
from crawler.sites.almayadeen.index import parse_index
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url
from crawler.sites.profiles import PROFILES, profile_for

INDEXES = Path(__file__).parent / "fixtures" / "edition_indexes"


@pytest.mark.parametrize("name", sorted(p.stem for p in INDEXES.glob("*.html")))
def test_saved_edition_index_pages(name: str) -> None:
    spec = json.loads((INDEXES / f"{name}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(url=spec["url"], body=(INDEXES / f"{name}.html").read_bytes(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert profile_for(spec["url"]).name == "almayadeen-" + spec["edition"]
    page = parse_index(response)
    assert page.article_links == spec["article_links"]
    for url, title in spec["link_titles"].items():
        assert page.link_titles.get(url) == title
    assert page.next_page == spec["next_page"]
    base = spec["url"].split("/", 3)
    origin = base[0] + "//" + base[2]
    # the menus in the edition's own language, the ticker under its own label
    assert page.menu.sections == [(c, n, canonicalize_url(origin + p))
                                  for c, n, p in spec["sections"]]
    assert page.menu.regions == [(n, canonicalize_url(origin + p)) for n, p in spec["regions"]]
    assert not page.menu.from_fallback
    assert page.breaking == spec["breaking"]
    assert rendering.js_load_more(response) == spec["js_load_more"]
    # the page is not read as an article
    assert PROFILES["almayadeen-" + spec["edition"]].read_page(response).item is None


@pytest.mark.parametrize("url, kind", [
    ("https://espanol.almayadeen.net/entrevistas/2046797/canciller-boliviano", "article"),
    ("https://espanol.almayadeen.net/politica/2046804/venezuela-condena-las-nuevas-sanci",
     "article"),
    ("https://espanol.almayadeen.net/regiones/america-latina", "index"),
    ("https://www.almayadeen.net/news/politics/%D8%AD%D9%85%D8%A7%D8%B3-%D8%AA%D8%AF%D8%B1%D8%B3",
     "article"),
    ("https://www.almayadeen.net/news/politics/حماس-تدرس-خطة", "article"),
    ("https://www.almayadeen.net/tags/غزة", "other"),
    # a year is not an article id
    ("https://espanol.almayadeen.net/dossiers/2026/resumen", "other"),
])
def test_each_editions_url_forms(url: str, kind: str) -> None:
    assert classify_url(url, base_url=url) == kind


def _page(head: str, url: str) -> HtmlResponse:
    html = (f'<!DOCTYPE html><html lang="es"><head><title>T</title>{head}</head><body>'
            '<article><h1>Un título</h1><div class="meta-date"><time>23 Julio 19:20</time>'
            '</div><div class="p-content"><p>' + "Un párrafo con bastante texto. " * 20
            + "</p></div></article></body></html>")
    return HtmlResponse(url=url, body=html.encode(), headers={
        "Content-Type": "text/html; charset=utf-8", "Date": "Sun, 10 Jan 2027 09:00:00 GMT"})


def test_only_another_editions_article_is_a_sibling() -> None:
    url = "https://espanol.almayadeen.net/politica/2046804/venezuela"
    arabic = "https://www.almayadeen.net/news/politics/فنزويلا"
    head = (f'<link rel="alternate" hreflang="es" href="{url}">'          # itself
            '<link rel="alternate" hreflang="ar" href="https://www.almayadeen.net/">'  # a home
            '<link rel="alternate" hreflang="x-default" href="https://english.almayadeen.net/'
            'news/politics/x">'
            f'<link rel="alternate" hreflang="ar" href="{arabic}">'
            f'<link rel="alternate" hreflang="ar" href="{arabic}">')   # twice
    item = PROFILES["almayadeen-es"].read_page(_page(head, url)).item
    assert item is not None and item.edition == "es" and item.language == "es"
    assert item.alternate_urls == [canonicalize_url(arabic)]
    # the page's year-less date, read against the response's Date
    assert item.published_at == datetime(2026, 7, 23, 16, 20, tzinfo=UTC)


def test_the_english_profile_marks_its_edition_and_reads_no_sibling_without_evidence() -> None:
    url = "https://english.almayadeen.net/news/politics/a-story"
    item = PROFILES["almayadeen"].read_page(_page("", url)).item
    assert item is not None and item.edition == "en" and item.alternate_urls == []


def test_the_arabic_replica_answers_percent_encoded_unicode_paths() -> None:
    a = content.BY_KEY["ar"]["ar-hamas-plan"]
    with ReplicaServer(edition="ar") as server:
        body = urlopen(server.base_url + quote(a["path"])).read().decode("utf-8")
        assert '<html lang="ar" dir="rtl">' in body
        assert 'id="tawsiyat-metadata"' in body and "application/ld+json" in body
        assert f'href="{a["path"]}"' not in body         # (a page does not link itself)
        other = content.BY_KEY["ar"]["ar-gaza-hospitals"]["path"]
        assert f'href="{other}"' in body                  # raw Unicode in its links
        # the Load More JSON: one more page of cards, then none
        more = json.loads(urlopen(server.base_url + "/api/loadmore?section=%2Fnews%2Fpolitics"
                                  "&page=2").read())
        assert more["next"] == 3 and "news-card" in more["html"]


def test_the_editions_sitemaps_list_every_article_percent_encoded() -> None:
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    for edition in ("ar", "es"):
        with ReplicaServer(edition=edition) as server:
            robots = urlopen(server.base_url + "/robots.txt").read().decode()
            assert f"Sitemap: {server.base_url}/sitemaps/all.xml" in robots
            index = ElementTree.fromstring(urlopen(server.base_url + "/sitemaps/all.xml").read())
            locs = []
            for monthly in index.iter(ns + "loc"):
                assert "/sitemaps/all/sitemap-" in monthly.text
                urlset = ElementTree.fromstring(urlopen(monthly.text).read())
                locs += [loc.text for loc in urlset.iter(ns + "loc")]
            assert all(loc.isascii() for loc in locs)
            assert sorted(map(canonicalize_url, locs)) == sorted(
                content.expected_articles(edition, server.base_url))


def test_sibling_replicas_link_each_other() -> None:
    with ReplicaServer(edition="ar") as ar, ReplicaServer(edition="es") as es:
        ar.sibling_origins = {"es": es.base_url}
        a = content.BY_KEY["ar"]["ar-venezuela"]
        body = urlopen(ar.base_url + quote(a["path"])).read().decode("utf-8")
        sibling = content.BY_KEY["es"]["es-venezuela"]
        assert f'hreflang="es" href="{es.base_url}{sibling["path"]}"' in body
        # the same lead image file on the media host
        assert a["image"] == sibling["image"]


def test_replica_command_line_refuses_a_bad_sibling() -> None:
    result = subprocess.run([sys.executable, "-m", "crawler.replica", "--edition", "ar",
                             "--sibling", "fr=http://x"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "--sibling" in result.stderr


def test_the_english_replica_links_its_sibling_stories_only_when_told_where() -> None:
    from crawler.replica import content as english
    from crawler.sites.almayadeen.parser import read_page

    path = english.BY_KEY["hamas-reviews-plan"]["path"]
    with ReplicaServer() as plain:
        assert b'hreflang' not in urlopen(plain.base_url + path).read()
    with ReplicaServer(edition="ar") as ar, ReplicaServer(edition="es") as es, \
            ReplicaServer(sibling_origins={"ar": "", "es": ""}) as en:
        en.sibling_origins = {"ar": ar.base_url, "es": es.base_url}
        body = urlopen(en.base_url + path).read()
        item = read_page(HtmlResponse(url=en.base_url + path, body=body, headers={
            "Content-Type": "text/html; charset=utf-8"}), "en").item
        assert item is not None and item.edition == "en"
        assert item.alternate_urls == [
            canonicalize_url(ar.base_url + content.BY_KEY["ar"]["ar-hamas-plan"]["path"]),
            canonicalize_url(es.base_url + content.BY_KEY["es"]["es-hamas-plan"]["path"])]


@pytest.mark.parametrize("edition, first, region", [
    ("en", ("News", "Politics", "/news/politics"), ("Africa", "/regions/africa")),
    ("ar", ("أخبار", "سياسة", "/news/politics"), ("فلسطين", "/regions/palestine")),
    ("es", ("Noticias", "Política", "/politica"), ("Palestina", "/regiones/palestina")),
])
def test_a_page_without_a_menu_falls_back_to_its_editions_list(edition, first, region) -> None:
    origin = "http://127.0.0.1:8000"
    response = HtmlResponse(url=origin + "/", body=b"<html><body><p>no menu</p></body></html>",
                            headers={"Content-Type": "text/html; charset=utf-8"})
    menu = parse_index(response, edition=edition).menu
    assert menu.from_fallback
    assert menu.sections[0] == (first[0], first[1], origin + quote(first[2]))
    assert menu.regions[0] == (region[0], origin + region[1])


@pytest.mark.parametrize("edition, words", [("ar", 'lang="ar" dir="rtl"'),
                                            ("es", 'lang="es" dir="ltr"')])
def test_replica_command_line_serves_an_edition(edition, words) -> None:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "crawler.replica", "--edition", edition,
                               "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line
        assert words in urlopen(f"http://127.0.0.1:{port}/").read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)
