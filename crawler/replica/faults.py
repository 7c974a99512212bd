"""Opt-in faults of the replica, for the reliability tests (docs/RELIABILITY.md).

    ReplicaServer(faults=True)      # the home page also links every page in FAULTS
    ReplicaServer(layout="broken")  # article pages lose their metadata and class names
    server.layout = "normal"        # (either can be switched while serving)

Without them the replica serves exactly the truth of ``content`` (``expected_articles``
stays what a crawl stores). With ``faults=True`` the home page gets one more block of
cards, "Faults", linking each fault at ``/news/politics/fault-<name>`` (article URLs).
Each ``Fault`` says what the server does, the text newsmon's fetch error must
contain (``error``; None: no error) and whether the article is stored
(``expected_fault_articles`` gives the values it is stored with).

``layout="broken"`` is a redesign that keeps the text: JSON-LD, tawsiyat, OpenGraph and
article meta tags are removed, every class and id renamed (``v2-...``), so only the
generic layer of the parser still reads the page.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.replica import changes, content, state
from crawler.replica.article_pages import render_article
from crawler.replica.layout import Page, attr, esc
from crawler.replica.model import BEIRUT

PREFIX = "/news/politics/fault-"
SLOW_SECONDS = 3.0          # longer than the tests' DOWNLOAD_TIMEOUT
GIANT_BYTES = 3 * 1024 * 1024  # more than the tests' DOWNLOAD_MAXSIZE
RETRY_AFTER = 2             # seconds, the first answer of "rate-limited"
# A recognisable text over a megabyte long: 1100 numbered paragraphs of about 1000
# characters. (Ordinary words: PostgreSQL's full-text column holds at most 1 MB of
# distinct lexemes, see docs/RELIABILITY.md.)
_WORDS = ("the minister said on monday that talks would resume after the holiday while "
          "officials in the region warned that prices of bread fuel and medicine kept "
          "rising as the currency fell and families waited for news").split()
MEGABYTE_PARAGRAPHS = [f"Paragraph {i}: " + " ".join(
    _WORDS[(i * 7 + j) % len(_WORDS)] for j in range(170)) + "." for i in range(1100)]
# What an untrusted article may hold; stored verbatim (NUL characters removed).
SQL_TEXT = "Robert'); DROP TABLE articles; -- and 1=1 OR '' = '' UNION SELECT password"
MARKUP_TEXT = ("<script>alert('x')</script> <img src=x onerror=alert(1)> &amp; "
               "<b>not bold</b> \" ' ` ${7+7} {{7+7}}")
NUL_TEXT = "Before\x00after: a NUL\x00 character, twice."


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    error: str | None     # part of the fetch error newsmon records; None: no error
    stored: bool = False  # newsmon stores the article (expected_fault_articles)
    links: tuple[str, ...] = ()  # how the home page links it (default: its path)

    @property
    def path(self) -> str:
        return PREFIX + self.name


FAULTS: dict[str, Fault] = {f.name: f for f in [
    Fault("malformed", "200, markup soup without a readable title or text",
          "not an article: no title or body"),
    Fault("truncated", "Content-Length promises more than is sent, then the connection "
          "closes", "truncated response"),
    Fault("empty", "200 with an empty body", "empty response"),
    Fault("giant", f"a {GIANT_BYTES} byte page (Content-Length)", "too large"),
    Fault("wrong-charset", "header and <meta> say utf-8, the bytes are windows-1252",
          "wrong charset", stored=True),
    Fault("wrong-charset-utf8", "header says iso-8859-1, the bytes are UTF-8",
          "wrong charset", stored=True),
    Fault("binary", "PNG bytes served as text/html", "binary content"),
    Fault("bad-jsonld", "the JSON-LD block does not parse", "JSON-LD block 1 does not parse",
          stored=True),
    Fault("bad-tawsiyat", "the tawsiyat metadata does not parse",
          "tawsiyat metadata does not parse", stored=True),
    Fault("odd-dates", "metadata dates in formats nobody can read", "date not understood",
          stored=True),
    Fault("redirect-loop", "302 to -b, which redirects back", "redirect loop"),
    Fault("slow", f"answers after {SLOW_SECONDS:g}s", "timeout"),
    Fault("rate-limited", f"429 with Retry-After: {RETRY_AFTER} once, then the article",
          None, stored=True),
    Fault("rate-limited-always", "429 with Retry-After: 1, every time", "HTTP 429"),
    Fault("reset", "the connection is reset (RST) before any answer", "connection reset"),
    Fault("reset-once", "reset once, then the article", None, stored=True),
    Fault("redirect-other-port", "302 to another port of 127.0.0.1", "not followed"),
    Fault("redirect-metadata", "302 to http://169.254.169.254/ (cloud metadata)",
          "not followed"),
    Fault("redirect-private", "302 to http://10.0.0.1/ (a private address)", "not followed"),
    Fault("sql-text", "title and text hold SQL", None, stored=True),
    Fault("markup-text", "title and text hold HTML and script (as text)", None, stored=True),
    Fault("nul-text", "the text holds NUL characters", None, stored=True),
    Fault("megabyte-text", "a megabyte of text", None, stored=True),
    Fault("session-id", "linked with a session id (;jsessionid=, ?PHPSESSID=) and "
          "upper/lower-case percent-encodings: one article, fetched once", None,
          stored=True, links=(PREFIX + "session-id;jsessionid=9F2C0A1B7E", PREFIX +
                              "session-id?PHPSESSID=k2v9", PREFIX + "session%2did",
                              PREFIX + "session%2Did")),
    Fault("gone", "410 Gone", "HTTP 410"),
    Fault("unavailable-once", "503 without Retry-After once, then the article", None, True),
    Fault("redirect-chain", "linked as -1: 301 -> -2 -> -3 -> the article (3 hops)", None,
          stored=True, links=(PREFIX + "redirect-chain-1",)),
    Fault("canonical-home", "every metadata URL (canonical, og:url, JSON-LD, tawsiyat) "
          "names the home page: stored under its own URL", None, stored=True),
    Fault("invalid-utf8", "declared UTF-8, with one invalid byte in a UTF-8 body",
          "bad bytes for the declared charset", stored=True),
]}

_PUBLISHED = datetime(2025, 10, 1, 9, 30, tzinfo=BEIRUT)


def _record(name: str, title: str, body: list[str] | None = None) -> dict:
    record = changes.new_article(f"fault-{name}", title, published=_PUBLISHED, body=body,
                                 tags=["Faults"], listed={"home": False})
    record["path"] = PREFIX + name
    return content.normalise(record)


def _records() -> dict[str, dict]:
    plain = ["This page is one of the replica's faults; its text is ordinary.",
             "A second paragraph, so that the text is long enough to be an article body."]
    return {
        "wrong-charset": _record("wrong-charset", "Café prices in Beirut rise again",
                                 ["Prices at the café rose by 12% (£3, señor) this week.",
                                  *plain]),
        "wrong-charset-utf8": _record("wrong-charset-utf8", "Déjà vu at the Château talks",
                                      ["The naïve résumé of the talks: déjà vu.", *plain]),
        "bad-jsonld": _record("bad-jsonld", "Broken JSON-LD does not stop the parser", plain),
        "bad-tawsiyat": _record("bad-tawsiyat", "Broken tawsiyat metadata is skipped", plain),
        "odd-dates": _record("odd-dates", "Dates nobody can read in the metadata", plain),
        "rate-limited": _record("rate-limited", "Rate limited once, then served", plain),
        "reset-once": _record("reset-once", "Connection reset once, then served", plain),
        "sql-text": _record("sql-text", SQL_TEXT, [SQL_TEXT, *plain]),
        "markup-text": _record("markup-text", MARKUP_TEXT, [MARKUP_TEXT, *plain]),
        "nul-text": _record("nul-text", "NUL characters in the text", [NUL_TEXT, *plain]),
        "megabyte-text": _record("megabyte-text", "A megabyte of text", MEGABYTE_PARAGRAPHS),
        "session-id": _record("session-id", "Session ids in links make no duplicates", plain),
        "unavailable-once": _record("unavailable-once", "Unavailable once, then served", plain),
        "redirect-chain": _record("redirect-chain", "Three redirects, then the article", plain),
        "canonical-home": _record("canonical-home", "A canonical naming the home page", plain),
        "invalid-utf8": _record("invalid-utf8", "One bad byte in a café's UTF-8 page",
                                ["The café's menu lost a letter here: \ufffd, the rest is "
                                 "intact.", *plain]),
    }


RECORDS = _records()


def expected_fault_articles(origin: str) -> dict[str, dict]:
    """The fault pages newsmon stores, as ``content.expected_fields`` (NULs removed)."""
    out = {}
    for name, record in RECORDS.items():
        values = content.expected_fields(record, origin)
        values["body"] = values["body"].replace("\x00", "")
        values["title"] = values["title"].replace("\x00", "")
        out[values["url"]] = values
    return out


# --- pages -------------------------------------------------------------------------

def respond(replica: Any, raw_path: str, render: Callable[[str], Page]) -> Page:
    """The replica's answer with its opt-in faults and layout (ReplicaServer.respond)."""
    path = unquote(urlsplit(raw_path).path) or "/"
    if replica.faults:
        page = _fault_page(replica, path)
        if page is not None:
            return page
    page = render(raw_path)
    if replica.faults and path == "/" and page.status == 200:
        page = _with_fault_links(page)
    if replica.layout == "broken" and getattr(page, "article_key", None):
        page = broken_layout(page)
    return page


def _article_page(replica: Any, name: str) -> Page:
    record = RECORDS[name]
    token = state.ARTICLES.set([*content.articles(), record])
    try:
        page = render_article(record, replica.base_url)
    finally:
        state.ARTICLES.reset(token)
    page.article_key = record["key"]  # type: ignore[attr-defined]
    return page


def hits(replica: Any, name: str) -> int:
    """How many times this server was asked for the fault ``name`` (this one included)."""
    with _LOCK:
        counter = replica.__dict__.setdefault("_fault_hits", Counter())
        counter[name] += 1
        return counter[name]


_LOCK = threading.Lock()
_SCRIPT_RE = {
    "jsonld": re.compile(r'(<script type="application/ld\+json">)(.*?)(</script>)', re.S),
    "tawsiyat": re.compile(r'(<script id="tawsiyat-metadata" type="text/tawsiyat">)(.*?)'
                           r'(</script>)', re.S),
}
_DATE_KEYS_RE = re.compile(r'"(published_time|last_updated|datePublished|dateModified)":'
                           r'\s*"[^"]*"')
_META_DATE_RE = re.compile(r'(<meta property="article:(?:published|modified)_time" '
                           r'content=")[^"]*(")')


def _fault_page(replica: Any, path: str) -> Page | None:
    if not path.startswith(PREFIX):
        return None
    name = path[len(PREFIX):]
    if name == "redirect-loop-b":
        return Page(302, b"", headers={"Location": PREFIX + "redirect-loop"})
    if name in ("redirect-chain-1", "redirect-chain-2", "redirect-chain-3"):
        hop = int(name[-1])
        return Page(301, b"", headers={"Location": PREFIX + "redirect-chain"
                                       + (f"-{hop + 1}" if hop < 3 else "")})
    fault = FAULTS.get(name)
    if fault is None:
        return None
    if name == "malformed":
        return Page(200, b"<html><head><ti<<tle></head><body><div class=\"\"<p></div>"
                         b"</table></span><<<>>></body")
    if name == "empty":
        return Page(200, b"")
    if name == "binary":
        return Page(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    if name == "redirect-loop":
        return Page(302, b"", headers={"Location": PREFIX + "redirect-loop-b"})
    if name == "redirect-other-port":
        return Page(302, b"", headers={
            "Location": f"{replica.offsite_origin}/news/politics/fault-elsewhere"})
    if name == "redirect-metadata":
        return Page(302, b"", headers={
            "Location": "http://169.254.169.254/latest/meta-data/iam/security-credentials/"})
    if name == "redirect-private":
        return Page(302, b"", headers={"Location": "http://10.0.0.1/admin"})
    if name == "rate-limited-always":
        return Page(429, b"Too Many Requests\n", "text/plain", {"Retry-After": "1"})
    if name == "rate-limited" and hits(replica, name) == 1:
        return Page(429, b"Too Many Requests\n", "text/plain",
                    {"Retry-After": str(RETRY_AFTER)})
    if name == "gone" or (name == "unavailable-once" and hits(replica, name) == 1):
        return Page(410 if name == "gone" else 503, b"<html><body><h1>Error</h1></body></html>")
    if name == "canonical-home":
        page = _article_page(replica, name)
        return _same_kind(page, page.body.replace((replica.base_url + PREFIX + name).encode(),
                                                  (replica.base_url + "/").encode()),
                          page.content_type)
    if name in RECORDS:
        return _corrupted(name, _article_page(replica, name))
    return None  # the transport-level faults are answered by answer_raw


def _corrupted(name: str, page: Page) -> Page:
    text = page.body.decode("utf-8")
    if name == "bad-jsonld":
        text = _SCRIPT_RE["jsonld"].sub(lambda m: m[1] + m[2][:-40] + ',,"oops": }' + m[3],
                                        text, count=1)
    elif name == "bad-tawsiyat":
        text = _SCRIPT_RE["tawsiyat"].sub(lambda m: m[1] + "{'type': 'article', oops" + m[3],
                                          text)
    elif name == "odd-dates":
        text = _DATE_KEYS_RE.sub(lambda m: f'"{m[1]}": "the day before yesterday, 25:99"',
                                 text)
        text = _META_DATE_RE.sub(lambda m: m[1] + "31/02/2025 noonish" + m[2], text)
    elif name == "wrong-charset":  # says utf-8 (header and <meta>), is windows-1252
        return _same_kind(page, text.encode("cp1252", errors="xmlcharrefreplace"),
                          "text/html; charset=utf-8")
    elif name == "invalid-utf8":  # the U+FFFD of its text sent as one invalid byte
        return _same_kind(page, text.encode("utf-8").replace("\ufffd".encode(), b"\xff"),
                          page.content_type)
    elif name == "wrong-charset-utf8":  # says iso-8859-1 (header and <meta>), is UTF-8
        text = text.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
        return _same_kind(page, text.encode("utf-8"), "text/html; charset=iso-8859-1")
    else:
        return page
    return _same_kind(page, text.encode("utf-8"), page.content_type)


def _same_kind(page: Page, body: bytes, content_type: str) -> Page:
    new = Page(page.status, body, content_type, dict(page.headers))
    new.article_key = getattr(page, "article_key", None)  # type: ignore[attr-defined]
    return new


def _with_fault_links(page: Page) -> Page:
    cards = "".join(f'  <div class="news-card">\n    <a href="{attr(link)}"><h4>'
                    f'{esc("Fault: " + f.name)}</h4></a>\n  </div>\n'
                    for f in FAULTS.values() for link in (f.links or (f.path,)))
    block = ('<section class="home-block faults">\n  <h3>Faults</h3>\n' + cards
             + "</section>\n").encode()
    body = page.body.replace(b"</main>", block + b"</main>", 1)
    return _same_kind(page, body, page.content_type)


# --- the broken layout ---------------------------------------------------------------

_REMOVE = [
    re.compile(r'<script type="application/ld\+json">.*?</script>\s*', re.S),
    re.compile(r'<script id="tawsiyat-metadata"[^>]*>.*?</script>\s*', re.S),
    re.compile(r'<meta (?:property|name)="(?:og:|article:|twitter:|description)[^>]*>\s*'),
    re.compile(r'<link rel="canonical"[^>]*>\s*'),
]
_CLASS_RE = re.compile(r'\b(class|id)="([^"]*)"')


def broken_layout(page: Page) -> Page:
    """The same article after a redesign that dropped the metadata and renamed every
    class and id: only the parser's generic layer can still read it."""
    charset = page.content_type.partition("charset=")[2] or "utf-8"
    text = page.body.decode(charset)
    for pattern in _REMOVE:
        text = pattern.sub("", text)
    text = _CLASS_RE.sub(lambda m: f'{m[1]}="' + " ".join(
        f"v2-{token}" for token in m[2].split()) + '"', text)
    return _same_kind(page, text.encode(charset), page.content_type)
