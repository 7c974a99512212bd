"""newsmon benchmarks: ``python -m bench [--quick]`` (see docs/BENCHMARKS.md).

- ``sitegen``: a large synthetic site in the replica's record format (its truth).
- ``pages``, ``furniture``: its pages, rendered with the replica's layout and metadata
  renderers, plus the weight real pages carry (inline scripts, styles, JSON, icons).
- ``server``: serves it on 127.0.0.1 from memory, pre-rendered and pre-compressed.
- ``crawls``: ``newsmon crawl`` and the bare Scrapy spider (``baseline``) as measured
  subprocesses; ``extraction``, ``storage``: in-process measurements.
- ``run``: the whole benchmark in one run; ``report``, ``chart``: its outputs.
- ``profile``: pyinstrument profiles of the parsers and of a crawl.

Other benchmarks beside it, each with its own ``python -m bench.<name>``: ``recrawl``,
``render_cost``, ``search_bench``.
"""
