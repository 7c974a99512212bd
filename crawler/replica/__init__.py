"""A local replica of Al Mayadeen English, served on 127.0.0.1 for tests and demos.

- ``content``: the truth (every article, its listings, ``expected_articles(origin)``,
  ``expected_breaking()``, ``EDGE_CASES``); records live in ``data_*.py``.
- ``server.ReplicaServer``: the HTTP server; ``python -m crawler.replica --port 8000``.
  It answers conditional requests (ETag, Last-Modified) and can change the site while
  it serves it (``add_article``, ``edit_article``, ``set_breaking``; records from
  ``changes.new_article``); ``sitemaps`` renders its XML sitemaps.
- ``ReplicaServer(layout="redesign")``: the same site after a redesign of every
  template (``redesign``, ``redesign_article``); ``--layout redesign`` on the command line.
- ``ReplicaServer(edition="ar" | "es")``: the Arabic or Spanish edition's replica
  instead (``editions``; ``--edition`` on the command line; docs/EDITIONS.md).
"""

from crawler.replica.content import EDGE_CASES, expected_articles, expected_breaking
from crawler.replica.server import ReplicaServer, serve_forever

__all__ = ["EDGE_CASES", "ReplicaServer", "expected_articles", "expected_breaking",
           "serve_forever"]
