"""Replicas of Al Mayadeen's Arabic and Spanish editions (``ReplicaServer(edition="ar")``,
``python -m crawler.replica --edition ar|es``).

- ``model``: each edition's furniture (menus in its language, regions, ticker, words);
- ``data_ar``, ``data_es``: the articles, in real Arabic and Spanish;
- ``content``: the truth: ``expected_articles(edition, origin)``,
  ``expected_fields(a, origin)``, ``expected_extras(a, sibling_origins)``;
- ``pages``, ``routes``: what the server answers.

Some stories exist in two or three editions (``siblings``): same lead image file on
the media host, hreflang alternates between the pages (to ``sibling_origins``: the
other replicas' origins, by default the real sites).
"""

from crawler.replica.editions.content import (
    ARTICLES, BY_KEY, expected_articles, expected_extras, expected_fields)

__all__ = ["ARTICLES", "BY_KEY", "expected_articles", "expected_extras", "expected_fields"]
