"""Whitespace normalisation and body assembly with its exclusions."""

from __future__ import annotations

from parsel import Selector

from crawler.extract.text import (
    body_from_plain_text, clean_text, densest_block, element_text, extract_body,
    html_fragment_root, normalize_space)

BASE = "https://english.almayadeen.net/news/politics/x"


def body_of(inner: str):
    root = Selector(text=f"<html><body><div id='c'>{inner}</div></body></html>")
    return extract_body(root.css("#c")[0], BASE)


def test_normalize_space() -> None:
    assert normalize_space("  a\u00a0b\u200b c\u202fd\n\t e\ufeff ") == "a b c d e"
    assert normalize_space("soft\u00adhyphen") == "softhyphen"
    assert normalize_space(None) == ""
    assert clean_text(" \u00a0\u200b ") is None
    assert clean_text(" x ") == "x"


def test_element_text_skips_scripts_comments_and_captions() -> None:
    el = Selector(text="<p>A<!-- c --><script>var x;</script> <b>bold</b>"
                       "<figure><figcaption>cap</figcaption></figure> end</p>").css("p")[0].root
    assert element_text(el) == "A bold end"


def test_paragraphs_and_subheadings_in_order() -> None:
    body = body_of("<p>One</p><h2>Head two</h2><div><p>Two</p><h3>Head three</h3></div>"
                   "<h4>Head four</h4><p>Three</p><h5>not a sub-heading</h5><p> </p>")
    assert body.text == "One\n\nHead two\n\nTwo\n\nHead three\n\nHead four\n\nThree"


def test_exclusions() -> None:
    body = body_of("""
      <p>Kept 1</p>
      <div class="related-news"><h4>Related News</h4><ul>
        <li><a href="/news/politics/r1">R1</a></li><li><a href="/news/politics/r2">R2</a></li></ul></div>
      <p><strong>Read more: <a href="/news/politics/m1">M1</a></strong></p>
      <p>READ MORE:<a href="/news/politics/m2">M2</a></p>
      <figure><img src="/i.jpg"><figcaption>A caption (AP)</figcaption></figure>
      <ul class="tags"><li><a href="/tags/t">Tag</a></li></ul>
      <div class="share-buttons"><p>Share on X</p></div>
      <button class="listen-btn">Listen</button>
      <script>var ad = 1;</script><style>p {}</style>
      <div class="ad-slot"><p>Advertisement</p></div>
      <div class="ads"><p>Sponsored text</p></div>
      <div class="most-read"><h3>Most Read</h3><p>A card</p></div>
      <section><h3>Read Next</h3><p>Another card</p></section>
      <div><h3>Coverage</h3><p>War on Gaza</p></div>
      <div class="newsletter-box"><p>Subscribe to our newsletter</p></div>
      <p>Kept 2</p>""")
    assert body.text == "Kept 1\n\nKept 2"
    assert body.related_links == [
        "https://english.almayadeen.net/news/politics/r1",
        "https://english.almayadeen.net/news/politics/r2",
        "https://english.almayadeen.net/news/politics/m1",
        "https://english.almayadeen.net/news/politics/m2",
    ]


def test_related_block_found_by_heading_or_class_anywhere() -> None:
    body = body_of("""<p>Text</p>
      <aside class="more-on-this"><h4>Related News</h4><a href="/a">A</a> <a href="/b">B</a></aside>
      <div class="relatedArticles"><a href="/c">C</a></div>
      <p>After</p>""")
    assert body.text == "Text\n\nAfter"
    assert [u.rsplit("/", 1)[1] for u in body.related_links] == ["a", "b", "c"]


def test_bare_related_heading_takes_the_links_that_follow() -> None:
    body = body_of("""<p>Text</p><h4>Related News</h4>
      <ul><li><a href="/a">A</a></li></ul><p><a href="/b">B, a link-only line</a></p>
      <p>The article goes on here with a real paragraph.</p>""")
    assert body.text == "Text\n\nThe article goes on here with a real paragraph."
    assert [u.rsplit("/", 1)[1] for u in body.related_links] == ["a", "b"]


def test_read_more_paragraph_anywhere_in_a_blockquote() -> None:
    body = body_of("<blockquote><p>Quoted</p><p>Read more: <a href='/q'>Q</a></p></blockquote>")
    assert body.text == "Quoted"
    assert body.related_links == ["https://english.almayadeen.net/q"]


def test_links_are_absolute_and_skip_non_http() -> None:
    body = body_of("<p>x</p><div class='related'><a href='#top'>t</a><a href='mailto:a@b'>m</a>"
                   "<a href='javascript:void(0)'>j</a><a href='https://other.example/z'>z</a></div>")
    assert body.related_links == ["https://other.example/z"]


def test_text_without_paragraph_tags() -> None:
    body = body_of("First line<br>Second line<br><br><div>Third</div><script>x</script>")
    assert body.text == "First line\n\nSecond line\n\nThird"


def test_empty_container() -> None:
    assert body_of("").text is None
    assert extract_body(None, BASE).text is None


def test_densest_block_finds_the_article_text_whatever_its_class() -> None:
    sel = Selector(text="""<html><body>
      <header><p>Menu text that is rather long but it is the header of the page</p></header>
      <div class="cards"><p>15 Sep 2025</p><p>14 Sep 2025</p></div>
      <div class="x9f"><p>""" + "Long paragraph. " * 20 + """</p><p>""" + "More text. " * 20 + """</p></div>
      <div class="most-read"><p>""" + "Card title. " * 30 + """</p></div>
      <footer><p>""" + "Footer. " * 50 + """</p></footer>
    </body></html>""")
    block = densest_block(sel.root)
    assert block.get("class") == "x9f"
    assert densest_block(Selector(text="<div>no paragraphs</div>").root) is None


def test_body_from_plain_text() -> None:
    text = "First para.\n\nRead more: Elsewhere\nSecond\u00a0para.\r\n\r\nRelated News\n\nThird."
    assert body_from_plain_text(text) == "First para.\n\nSecond para.\n\nThird."
    assert body_from_plain_text("") is None and body_from_plain_text(None) is None


def test_html_fragment_root() -> None:
    root = html_fragment_root("<p>a</p><p>b</p>")
    assert extract_body(root, BASE).text == "a\n\nb"
    assert extract_body(html_fragment_root("just text"), BASE).text == "just text"
