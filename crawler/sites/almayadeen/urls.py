"""Al Mayadeen English URL rules: canonical form, origin checks, page kinds.

Slugs are opaque (colons kept, runs of hyphens kept, cut mid-word, raw Unicode on
sister sites): URLs are only ever joined with urljoin and split into path segments,
never parsed by their punctuation.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url

SITE_HOST = "english.almayadeen.net"

# Query parameters that only say where a click came from.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "ttclid",
    "wbraid", "gbraid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "igsh", "ref",
    "ref_src", "ref_url", "referrer", "spm", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "vero_conv", "rb_clickid", "s_cid", "at_medium", "at_campaign",
    "__twitter_impression",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
# Session ids a server may put in links (as a query parameter, or a path parameter
# ";jsessionid=..."): one page would be stored under a new URL per visitor.
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "aspsessionid", "sessionid",
                            "session_id", "sessid", "cfid", "cftoken", "zenid"})
_PATH_SESSION_RE = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/;?#]*",
                              re.IGNORECASE)

DEFAULT_PORTS = {"http": 80, "https": 443}

# Index pages known from SITE.md's menus (the page's own menu adds to these).
KNOWN_INDEX_PATHS = frozenset({
    "/news", "/news/politics", "/news/economy", "/news/sports", "/news/arts-culture",
    "/news/health", "/news/miscellaneous", "/news/technology", "/news/environment",
    "/articles", "/articles/opinion", "/articles/analysis", "/articles/blog",
    "/articles/features", "/videos", "/videos/newsfeed", "/videos/video-features",
    "/videos/explainers", "/videos/tv", "/videos/digital-series", "/infographs",
    "/in-pictures", "/regions",
})
# First path segments of article URLs and how many segments their articles have.
_ARTICLE_SEGMENTS = {"news": (3,), "articles": (2, 3), "videos": (2,), "infographs": (2,),
                     "in-pictures": (2,)}
_REGION_SEGMENTS = frozenset({"regions", "region", "regiones"})
# First path segments of region indexes as a menu may spell them.
REGION_SEGMENTS = _REGION_SEGMENTS | {"countries", "country"}
# First path segments of pages that are neither articles nor section indexes.
NON_INDEX_SEGMENTS = frozenset({
    "tags", "tag", "topics", "topic", "authors", "author", "writers", "live", "search",
    "about-us", "about", "contact-us", "contact", "privacy-policy", "privacy", "terms",
    "terms-of-use", "cookies", "frequencies", "media", "images", "assets", "static",
    "login", "signin", "sign-in", "register", "signup", "sign-up", "account", "profile",
    "newsletter", "newsletters", "subscribe", "rss", "feed", "feeds", "sitemap",
    "sitemaps", "amp", "print", "share", "programs", "program", "programmes",
    "programme", "shows", "schedule", "cdn-cgi", "wp-admin",
    "wp-content", "wp-json", "api", "ajax"})
_FILE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".mp4", ".mp3",
                  ".css", ".js", ".xml", ".json", ".ico", ".zip", ".txt")


def is_numeric_id(segment: str) -> bool:
    """A path segment that is an article's numeric id (the Spanish edition's
    "/entrevistas/2046797/<slug>"): five digits or more, so that a year is not one."""
    return len(segment) >= 5 and segment.isdigit()


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name in SESSION_PARAMS \
        or name.startswith(TRACKING_PREFIXES)


# Pure functions of strings, called for every link of every page (menus, cards and
# Most Read repeat on every page of a site): memoised, in bounded caches.
_URL_CACHE_SIZE = 8192


@lru_cache(maxsize=_URL_CACHE_SIZE)
def canonicalize_url(url: str) -> str:
    """The one form under which a page is stored and deduplicated.

    w3lib's canonical form (sorted query, consistent percent-encoding, lower-case host,
    no fragment) without tracking or session parameters (";jsessionid=" too) and default
    ports. "?page=N" and other
    parameters stay; colons in paths stay; Unicode paths are percent-encoded (UTF-8)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                           if not is_tracking_param(k)])
        netloc = parts.netloc
        if parts.port is not None and DEFAULT_PORTS.get(parts.scheme.lower()) == parts.port:
            netloc = netloc.rsplit(":", 1)[0]
        path = _PATH_SESSION_RE.sub("", parts.path) if ";" in parts.path else parts.path
        return w3lib_canonicalize_url(urlunsplit((parts.scheme, netloc, path, query, "")))
    except (ValueError, TypeError, UnicodeError):
        return url.split("#", 1)[0]


@lru_cache(maxsize=_URL_CACHE_SIZE)
def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    try:
        parts = urlsplit((url or "").strip())
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
        port = parts.port if parts.port is not None else DEFAULT_PORTS.get(scheme)
    except ValueError:
        return ("", "", None)
    return (scheme, host, port)


def same_origin(url: str, base_url: str) -> bool:
    first, second = origin(url), origin(base_url)
    return bool(first[0] and first[1]) and first == second


def same_site(url: str, base_url: str) -> bool:
    """The same origin, or the same host up to a "www." prefix and http/https, each on
    its scheme's default port: the site, in whatever form a link, a sitemap or a
    redirect names it (another port is another service)."""
    if same_origin(url, base_url):
        return True
    (scheme, host, port), (base_scheme, base_host, base_port) = origin(url), origin(base_url)
    if not host or not base_host or scheme not in DEFAULT_PORTS \
            or base_scheme not in DEFAULT_PORTS or port != DEFAULT_PORTS[scheme] \
            or base_port != DEFAULT_PORTS[base_scheme]:
        return False
    return host.removeprefix("www.") == base_host.removeprefix("www.")


def onto_origin(url: str, base_url: str) -> str:
    """``url``'s path and query on ``base_url``'s scheme and host (no fragment)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


@lru_cache(maxsize=256)
def _is_local_host(host: str) -> bool:
    """Hosts a local replica of the site is served from."""
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".test")):
        return True
    if "." not in host:      # a bare container/service name
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private


@lru_cache(maxsize=_URL_CACHE_SIZE)
def path_key(url_or_path: str) -> str:
    """The decoded, lower-cased path without trailing slash: "/news/politics"."""
    try:
        path = urlsplit(url_or_path).path if "//" in url_or_path else url_or_path
    except ValueError:
        return ""
    path = unquote(path.split("?", 1)[0].split("#", 1)[0]).lower()
    return "/" + "/".join(segment for segment in path.split("/") if segment)


@lru_cache(maxsize=64)
def _known_paths(index_paths: frozenset[str]) -> frozenset[str]:
    return frozenset(path_key(p) for p in index_paths)


def _index_path_keys(index_paths: frozenset[str] | set[str]) -> frozenset[str] | set[str]:
    """The index paths as path keys (memoised per frozenset: a page's menu gives one)."""
    if isinstance(index_paths, frozenset):
        return _known_paths(index_paths)
    return {path_key(p) for p in index_paths}


def classify_url(url: str, index_paths: frozenset[str] | set[str] = frozenset(),
                 base_url: str | None = None) -> str:
    """"article", "index" or "other" for a link on (or to) the site.

    index_paths: index pages the page's own menus link (paths or URLs); they win over
    the article patterns, so "/videos/newsfeed" is an index and "/videos/some-story" an
    article. A host other than the site's (or the base URL's, or a local replica's) is
    "other"."""
    if isinstance(index_paths, frozenset):
        return _classify_cached(url, index_paths, base_url)
    return _classify(url, index_paths, base_url)


def _classify(url: str, index_paths: frozenset[str] | set[str], base_url: str | None) -> str:
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return "other"
    if parts.scheme and parts.scheme.lower() not in DEFAULT_PORTS:
        return "other"
    host = (parts.hostname or "").lower().rstrip(".") if parts.netloc else ""
    if host and host != SITE_HOST and not _is_local_host(host):
        if base_url is None or origin(url)[1] != origin(base_url)[1]:
            return "other"
    path = path_key(parts.path or "/")
    if path == "/":
        return "index"
    if path.endswith(_FILE_SUFFIXES):
        return "other"
    if path in KNOWN_INDEX_PATHS or path in _index_path_keys(index_paths):
        return "index"
    segments = path.strip("/").split("/")
    first = segments[0]
    if len(segments) >= 2 and segments[-2] == "page" and segments[-1].isdigit():
        return "index" if first in _ARTICLE_SEGMENTS or first in _REGION_SEGMENTS \
            or "/" + "/".join(segments[:-2]) in _index_path_keys(index_paths) else "other"
    if first in NON_INDEX_SEGMENTS:
        return "other"
    if first in _REGION_SEGMENTS and len(segments) <= 2:
        return "index"
    if len(segments) == 3 and is_numeric_id(segments[1]):
        return "article"    # /<section>/<numeric id>/<slug>: the Spanish edition's form
    if first in _ARTICLE_SEGMENTS:
        if len(segments) == 1:
            return "index"
        if first == "news" and len(segments) == 2:
            return "index"      # /news/<section>: a section index even if not in a menu
        if len(segments) in _ARTICLE_SEGMENTS[first]:
            return "article"
    return "other"


_classify_cached = lru_cache(maxsize=_URL_CACHE_SIZE)(_classify)


def trusted_page_url(url: str, page_url: str) -> bool:
    """Whether a URL a page declares for itself (canonical, og:url, metadata) may be its
    row's URL: on its origin and not an index (a CMS naming the home page). Another
    article's URL is trusted: that is what a canonical is for (an old or short URL of
    the same story), and deduplication depends on it."""
    return same_origin(url, page_url) and classify_url(url, base_url=page_url) != "index"


@lru_cache(maxsize=_URL_CACHE_SIZE)
def _join(base_url: str, href: str) -> str:
    return urljoin(base_url, href)


def join_url(base_url: str, href: str) -> str:
    """urljoin, memoised; a root-relative href ("/news/...") is joined to the base
    URL's origin, on which alone its result depends, so pages share cache entries."""
    if href.startswith("/") and not href.startswith("//"):
        scheme, empty, netloc, *_rest = base_url.split("/", 3) + ["", ""]
        if scheme.endswith(":") and not empty and netloc:
            base_url = f"{scheme}//{netloc}/"
    return _join(base_url, href)
