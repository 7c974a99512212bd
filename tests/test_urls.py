"""URL rules of Al Mayadeen English: canonical form, origins, page kinds."""

from __future__ import annotations

import pytest

from crawler.sites.almayadeen.urls import (
    canonicalize_url, classify_url, origin, path_key, same_origin)

BASE = "https://english.almayadeen.net"
ARTICLE = BASE + "/news/politics/washington-backs-mali-s-junta-to-fight-extremists:-washpo"


@pytest.mark.parametrize("raw, canonical", [
    # tracking parameters and the fragment go, the rest stays (sorted)
    (ARTICLE + "?utm_source=x&utm_medium=y&fbclid=z#comments", ARTICLE),
    (ARTICLE + "?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&_ga=6&igshid=7&ref=tw", ARTICLE),
    (ARTICLE + "?UTM_Campaign=spring", ARTICLE),
    (BASE + "/news/politics?page=2&utm_source=x", BASE + "/news/politics?page=2"),
    (BASE + "/news/politics?page=2&lite=1", BASE + "/news/politics?lite=1&page=2"),
    # host case and default ports
    ("HTTPS://English.AlMayadeen.net:443/news/politics", BASE + "/news/politics"),
    ("http://english.almayadeen.net:80/news", "http://english.almayadeen.net/news"),
    ("http://127.0.0.1:8000/news/politics/x?ref=home", "http://127.0.0.1:8000/news/politics/x"),
    (BASE, BASE + "/"),
    # colons are kept, runs of hyphens are kept
    (BASE + "/news/politics/us-planning-attack:-russia", BASE + "/news/politics/us-planning-attack:-russia"),
    (BASE + "/videos/what-s-happening-in-syria---israel-s--proxy-war-plan",
     BASE + "/videos/what-s-happening-in-syria---israel-s--proxy-war-plan"),
])
def test_canonicalize_url(raw: str, canonical: str) -> None:
    assert canonicalize_url(raw) == canonical


def test_unicode_paths_are_percent_encoded_consistently() -> None:
    raw = "https://www.almayadeen.net/news/politics/العراق-في-مفترق"
    encoded = ("https://www.almayadeen.net/news/politics/%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82"
               "-%D9%81%D9%8A-%D9%85%D9%81%D8%AA%D8%B1%D9%82")
    lower_case_escapes = encoded.replace("%D8", "%d8").replace("%D9", "%d9")
    assert canonicalize_url(raw) == canonicalize_url(lower_case_escapes) == encoded
    spanish = "https://espanol.almayadeen.net/entrevistas/2046797/el-cañón"
    assert canonicalize_url(spanish) == \
        "https://espanol.almayadeen.net/entrevistas/2046797/el-ca%C3%B1%C3%B3n"


def test_canonicalize_is_idempotent_and_never_raises() -> None:
    once = canonicalize_url(ARTICLE + "?b=2&a=1&utm_term=x")
    assert canonicalize_url(once) == once
    for junk in ("", "   ", "not a url", "http://[::1", "javascript:void(0)"):
        assert isinstance(canonicalize_url(junk), str)


def test_origin_and_same_origin() -> None:
    assert origin(BASE + "/x") == ("https", "english.almayadeen.net", 443)
    assert origin("HTTP://Example.com/x") == ("http", "example.com", 80)
    assert same_origin(BASE + "/a", "https://English.almayadeen.net:443/b?c")
    assert not same_origin(BASE + "/a", "http://english.almayadeen.net/a")
    assert not same_origin(BASE + "/a", "https://www.almayadeen.net/a")
    assert same_origin("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/")
    assert not same_origin("http://127.0.0.1:8001/a", "http://127.0.0.1:8000/")
    assert not same_origin("/relative", BASE)


@pytest.mark.parametrize("url, kind", [
    (ARTICLE, "article"),
    (BASE + "/articles/blog/the-death-rattle-of-american-domination", "article"),
    (BASE + "/articles/why-sanctions-no-longer-isolate-the-global-south", "article"),
    (BASE + "/videos/what-s-happening-in-syria---israel-s--proxy-war-plan", "article"),
    (BASE + "/videos/some-story", "article"),
    (BASE + "/infographs/infographic:-gaza-s-hospitals", "article"),
    (BASE + "/in-pictures/in-pictures:-beirut-rebuilds", "article"),
    (BASE + "/news/politics/x?page=2#top", "article"),
    ("http://127.0.0.1:8765/news/politics/x", "article"),
    ("/news/politics/relative-link", "article"),
    (BASE + "/", "index"),
    (BASE, "index"),
    (BASE + "/news", "index"),
    (BASE + "/news/politics", "index"),
    (BASE + "/news/politics?page=3", "index"),
    (BASE + "/news/some-new-section", "index"),
    (BASE + "/articles/opinion", "index"),
    (BASE + "/videos/newsfeed", "index"),
    (BASE + "/videos/video-features/", "index"),
    (BASE + "/infographs", "index"),
    (BASE + "/in-pictures", "index"),
    (BASE + "/regions/mena", "index"),
    (BASE + "/tags/mali", "other"),
    (BASE + "/authors/al-mayadeen-english", "other"),
    (BASE + "/authors", "other"),
    (BASE + "/live", "other"),
    (BASE + "/about-us", "other"),
    (BASE + "/media/image/2025/9/15/x.jpg?width=1000", "other"),
    (BASE + "/news/politics/x/amp", "other"),
    ("https://www.almayadeen.net/news/politics/x", "other"),
    ("https://example.com/news/politics/x", "other"),
    ("mailto:news@almayadeen.net", "other"),
])
def test_classify_url(url: str, kind: str) -> None:
    assert classify_url(url) == kind


def test_index_paths_from_the_menu_win_over_article_patterns() -> None:
    url = BASE + "/videos/short-clips"
    assert classify_url(url) == "article"
    assert classify_url(url, frozenset({"/videos/short-clips"})) == "index"
    assert classify_url(url, frozenset({BASE + "/videos/short-clips"})) == "index"
    # a region menu pointing somewhere unusual
    assert classify_url(BASE + "/area/mena") == "other"
    assert classify_url(BASE + "/area/mena", frozenset({"/area/mena"})) == "index"


def test_classify_with_a_base_url_accepts_its_host() -> None:
    url = "https://mirror.example.org/news/politics/x"
    assert classify_url(url) == "other"
    assert classify_url(url, base_url="https://mirror.example.org/") == "article"


def test_path_key() -> None:
    assert path_key(BASE + "/News/Politics/?page=2") == "/news/politics"
    assert path_key("/regions/us-canada/") == "/regions/us-canada"
    assert path_key("") == "/"


@pytest.mark.parametrize("url, kind", [
    (BASE + "/articles/page/2", "index"),          # /page/N pagination, never an article
    (BASE + "/news/page/3", "index"),
    (BASE + "/news/politics/page/2", "index"),
    (BASE + "/videos/page/2/", "index"),
    (BASE + "/regions/mena/page/2", "index"),
    (BASE + "/tags/gaza/page/2", "other"),
    (BASE + "/search?q=gaza", "other"),
    (BASE + "/search/gaza", "other"),
    (BASE + "/login", "other"),
    (BASE + "/newsletter", "other"),
    (BASE + "/programs/the-dossier", "other"),
    (BASE + "/news/politics/report.PDF", "other"),
    ("tel:+9611234567", "other"),
    ("javascript:void(0)", "other"),
    ("whatsapp://send?text=x", "other"),
    ("https://twitter.com/intent/tweet?url=" + ARTICLE, "other"),
    ("https://www.facebook.com/sharer/sharer.php?u=" + ARTICLE, "other"),
    ("https://espanol.almayadeen.net/entrevistas/2046797/el-cañón", "other"),
    ("//english.almayadeen.net/news/politics/x", "article"),
    ("HTTPS://ENGLISH.ALMAYADEEN.NET/News/Politics/X", "article"),
    (BASE + "/news/politics/x/", "article"),
    (BASE + "/news/politics/%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82", "article"),
    (BASE + "/news/politics/العراق", "article"),
])
def test_classify_more_url_forms(url: str, kind: str) -> None:
    assert classify_url(url) == kind


def test_a_menu_index_path_wins_even_for_a_non_index_segment() -> None:
    assert classify_url(BASE + "/programs") == "other"
    assert classify_url(BASE + "/programs", frozenset({"/programs"})) == "index"


@pytest.mark.parametrize("raw, canonical", [
    # stable on purpose (stored data is deduplicated on it): a trailing slash, the scheme
    # and a "www." host are kept; discovery (index.discovery_url) maps links instead
    (BASE + "/news/politics/x/", BASE + "/news/politics/x/"),
    ("http://english.almayadeen.net/news/politics/x", "http://english.almayadeen.net/news/politics/x"),
    ("//english.almayadeen.net/news/politics/x", "//english.almayadeen.net/news/politics/x"),
    (BASE + "/news/politics/x?fbclid=1&utm_source=a&share=twitter",
     BASE + "/news/politics/x?share=twitter"),
])
def test_canonical_form_is_unchanged(raw: str, canonical: str) -> None:
    assert canonicalize_url(raw) == canonical


def test_discovery_maps_scheme_and_www_variants_onto_the_page_host() -> None:
    from crawler.sites.almayadeen.index import discovery_url
    page = BASE + "/news/politics"
    assert discovery_url("http://english.almayadeen.net/news/politics/x", page) == \
        BASE + "/news/politics/x"
    assert discovery_url("https://www.english.almayadeen.net/news/politics/x", page) == \
        BASE + "/news/politics/x"
    for other in ("https://www.almayadeen.net/news/politics/x",
                  "http://english.almayadeen.net:8080/news/politics/x",
                  "http://127.0.0.1/news/politics/x"):
        assert discovery_url(other, page) == other
    assert discovery_url("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/") == \
        "http://127.0.0.1:8000/x"
