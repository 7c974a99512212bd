"""The Arabic and Spanish editions' menus as a guess, for when a page's own menu
cannot be read (the English one is SITE.md's list, in ``navigation``).

Nothing here is certain: the real Arabic and Spanish menus have not been seen. The
Arabic paths follow the English site's forms (``/news/politics``); the Spanish
sections are one path segment (``/entrevistas``, certain from an article URL; the
others guessed). A page's own menu always wins over these.
"""

from __future__ import annotations

# edition -> ([(category, [(section, path), ...]), ...], [(region, path), ...])
EDITION_FALLBACKS: dict[str, tuple[list, list]] = {
    "ar": ([("أخبار", [("سياسة", "/news/politics"), ("اقتصاد", "/news/economy"),
                       ("رياضة", "/news/sports"), ("صحة", "/news/health")]),
            ("مقالات", [("رأي", "/articles/opinion"), ("تحليل", "/articles/analysis")])],
           [("فلسطين", "/regions/palestine"), ("لبنان", "/regions/lebanon"),
            ("العراق", "/regions/iraq"), ("اليمن", "/regions/yemen"),
            ("إيران", "/regions/iran")]),
    "es": ([("Noticias", [("Política", "/politica"), ("Economía", "/economia"),
                          ("Deportes", "/deportes"), ("Cultura", "/cultura")]),
            ("Opinión", [("Entrevistas", "/entrevistas"), ("Análisis", "/analisis")])],
           [("Palestina", "/regiones/palestina"), ("América Latina", "/regiones/america-latina"),
            ("Asia Occidental", "/regiones/asia-occidental"), ("Europa", "/regiones/europa")]),
}
