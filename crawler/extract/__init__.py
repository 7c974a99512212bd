"""Shared readers of a page: tawsiyat, JSON-LD, OpenGraph and meta tags, dates, text,
the parsed tree, the generic body reader and the page-kind check. Pure functions of a
page; they import nothing of newsmon above the foundation."""
