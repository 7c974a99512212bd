"""Meta tags, canonical link, html lang."""

from __future__ import annotations

from parsel import Selector

from crawler.extract.meta import language_code, read_meta

HTML = """<html lang="en-GB"><head>
<title> A title | Al Mayadeen English </title>
<link rel="stylesheet" href="/main.css">
<link rel="Canonical" href="https://x/a">
<link rel="canonical" href="https://x/second">
<meta property="og:title" content="OG  title">
<meta property="OG:Type" content="article">
<meta name="description" content="Desc">
<meta property="article:tag" content="A">
<meta property="article:tag" content=" B ">
<meta property="article:tag" content="">
<meta itemprop="datePublished" content="2025-01-01">
<meta charset="utf-8">
</head><body></body></html>"""


def test_read_meta() -> None:
    meta = read_meta(Selector(text=HTML))
    assert meta.get("og:title") == "OG title"
    assert meta.get("og:type") == "article"
    assert meta.get("missing", "description") == "Desc"
    assert meta.get_all("article:tag") == ["A", "B"]
    assert meta.get("datepublished") == "2025-01-01"
    assert meta.canonical == "https://x/a"
    assert meta.html_lang == "en-GB"
    assert meta.title == "A title | Al Mayadeen English"


def test_empty_page() -> None:
    meta = read_meta(Selector(text="<p>nothing</p>"))
    assert meta.get("og:title") is None and meta.get_all("article:tag") == []
    assert meta.canonical is None and meta.html_lang is None and meta.title is None


def test_language_code() -> None:
    assert language_code("en_US") == "en"
    assert language_code("en-GB") == "en"
    assert language_code("AR") == "ar"
    assert language_code("") is None
    assert language_code("english language") is None
