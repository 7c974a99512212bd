"""The weight a real news page carries around its text: inline CSS, tag-manager and ad
scripts, an app-state JSON blob (which repeats the article's HTML, as server-rendered
front ends do), an SVG icon sprite, a programmes drawer, ad slots, a mega footer.

The replica's pages are 8-15 KB; with this furniture the benchmark's pages weigh
60-100 KB like the real site's. Class names avoid the words the navigation readers key
on ("region", "breaking", "ticker"), as the real chrome's would not collide with them
in a way that changes what is read. Static parts are built once.
"""

from __future__ import annotations

import json
from functools import lru_cache

from crawler.replica.layout import attr, esc

PROGRAMS = ["Hadith Al Sa'a", "Al Mashhadiya", "Beyond the Event", "Face to Face",
            "Open Dialogue", "The Last Word", "Political Prism", "Sahel Diaries",
            "Latin Chronicles", "Economy Now", "Press Review", "Week in Review",
            "Frontlines", "The Interview", "Culture Hour", "Documentaries",
            "Special Coverage", "Tech Pulse", "Health Matters", "Sports Arena",
            "Desert Voices", "Archive Stories", "Between the Lines", "Counterpoint",
            "Mapping the Conflict", "Youth Forum", "The Long Read", "On the Ground"]
SOCIAL = ["facebook", "x", "instagram", "youtube", "telegram", "tiktok", "whatsapp",
          "linkedin"]


def _js_module(name: str, i: int) -> str:
    """A chunk of minified-looking JavaScript (about 600 bytes)."""
    return (f"!function(e,t){{var n=e.document,r=\"{name}{i}\",o=function(a,b){{return "
            f"a&&a.length?a.slice(0,b||{i + 3}):[]}};e.__mods=e.__mods||{{}};"
            f"e.__mods[r]={{init:function(c){{var d=n.querySelectorAll(\"[data-{name}]\");"
            f"for(var f=0;f<d.length;f++){{d[f].setAttribute(\"data-ready\",\"{i}\");"
            f"c&&c(d[f],o(d[f].dataset.items,{i % 7 + 2}))}}}},track:function(g,h){{"
            f"(e.dataLayer=e.dataLayer||[]).push({{event:\"{name}_\"+g,value:h,slot:{i}}})"
            f"}},lazy:function(k){{if(\"IntersectionObserver\"in e){{var l=new "
            f"IntersectionObserver(function(m){{m.forEach(function(p){{p.isIntersecting&&"
            f"(p.target.src=p.target.dataset.src,l.unobserve(p.target))}})}},"
            f"{{rootMargin:\"{200 + i}px\"}});k.forEach(function(q){{l.observe(q)}})}}}}}};"
            f"n.addEventListener(\"DOMContentLoaded\",function(){{e.__mods[r].init()}})}}"
            f"(window);\n")


def _css_rules(count: int) -> str:
    parts = []
    for i in range(count):
        parts.append(f".c{i:03d}-wrap>.c{i:03d}-item{{display:flex;margin:{i % 9}px "
                     f"{i % 13}px;padding:{i % 5}px;color:#{(i * 2654435761) % 0xFFFFFF:06x};"
                     f"font:{12 + i % 6}px/1.{i % 9} 'Roboto',sans-serif}}"
                     f"@media (max-width:{480 + i % 4 * 160}px){{.c{i:03d}-wrap{{display:block}}}}")
    return "".join(parts)


@lru_cache(maxsize=None)
def head_static() -> str:
    """Critical CSS, the tag manager and the ad library bootstrap (about 22 KB)."""
    gtm = "".join(_js_module("gtm", i) for i in range(6))
    ads = "".join(_js_module("ads", i) for i in range(10))
    return (f"<style id=\"critical-css\">{_css_rules(60)}</style>\n"
            f"<script>{gtm}</script>\n"
            "<script async src=\"/assets/js/vendor.js\"></script>\n"
            f"<script>window.googletag=window.googletag||{{cmd:[]}};{ads}</script>\n")


@lru_cache(maxsize=None)
def body_top() -> str:
    """Icon sprite, cookie banner and the programmes drawer (about 9 KB)."""
    symbols = "".join(
        f'<symbol id="icon-{name}" viewBox="0 0 24 24"><path d="M{i} {i + 2}c{i % 5}.{i} '
        f'0 {i % 7}.5 1.{i} 3 3.{i}l-{i % 4} {i % 3}.{i}h{i % 6}v{i % 8}.{i}s-1.{i} 2 -3 '
        f'2.{i}z m2 {i}a{i % 9} {i % 9} 0 1 0 {i % 11} {i % 4}z"/></symbol>'
        for i, name in enumerate(SOCIAL + ["search", "menu", "close", "play", "share",
                                           "listen", "clock", "arrow", "mail", "print"] * 2))
    programs = "\n".join(
        f'      <li class="drawer-item"><a href="/programs/{attr(_slug(p))}">'
        f'<svg class="icon"><use href="#icon-play"></use></svg><span>{esc(p)}</span></a></li>'
        for p in PROGRAMS)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none">{symbols}</svg>\n'
            '<div class="cookie-consent" hidden><p>We use cookies to improve your '
            'experience and to measure our audience.</p><button type="button">Accept'
            '</button><button type="button">Settings</button></div>\n'
            '<nav class="side-drawer" aria-label="Programs">\n  <h3>Programs</h3>\n'
            f'  <ul class="drawer-list">\n{programs}\n  </ul>\n</nav>\n')


@lru_cache(maxsize=None)
def _bottom_static() -> str:
    columns = []
    for title, links in (
            ("Programs", [(p, f"/programs/{_slug(p)}") for p in PROGRAMS]),
            ("Follow us", [(s.title(), f"https://www.{s}.com/almayadeen") for s in SOCIAL]),
            ("Editions", [("Arabic", "https://www.almayadeen.net/"),
                          ("Spanish", "https://espanol.almayadeen.net/")]),
            ("Corporate", [("About Us", "/about-us"), ("Contact Us", "/contact-us"),
                           ("Privacy Policy", "/privacy-policy"), ("Frequencies", "/frequencies"),
                           ("Careers", "/careers"), ("Advertise", "/advertise")])):
        items = "".join(f'<li><a href="{attr(href)}">{esc(name)}</a></li>' for name, href in links)
        columns.append(f'  <div class="footer-col"><h4>{esc(title)}</h4><ul>{items}</ul></div>\n')
    slots = "".join(
        f'<div class="ad-slot" id="div-gpt-ad-{1700000000000 + i}-0" style="min-height:250px">'
        f'<script>googletag.cmd.push(function(){{googletag.display("div-gpt-ad-'
        f'{1700000000000 + i}-0")}});</script></div>\n' for i in range(6))
    analytics = "".join(_js_module(name, i) for name in ("stats", "player", "push")
                        for i in range(7))
    return (slots + '<footer class="mega-footer">\n' + "".join(columns) + "</footer>\n"
            '<div class="newsletter-modal" hidden><form action="/newsletter" method="post">'
            '<label>Email <input type="email" name="email"></label><button type="submit">'
            'Subscribe</button></form></div>\n'
            f"<script>{analytics}</script>\n")


def body_bottom(state: dict) -> str:
    """Ad slots, the mega footer, the app-state JSON of the page and analytics scripts."""
    blob = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return (_bottom_static()
            + f'<script id="__APP_STATE__" type="application/json">{blob}</script>\n')


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
