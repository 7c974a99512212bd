"""Smoke test of bench/search_bench.py on both databases: a few hundred synthetic
articles, every figure reported. No timing threshold: speed is the bench's business
(docs/BENCHMARKS.md)."""

from __future__ import annotations

import argparse

import pytest

from bench import search_bench


@pytest.mark.timeout(240)
def test_tiny_search_bench_reports_every_figure(db_url: str, tmp_path):
    args = argparse.Namespace(articles=300, queries=20, rounds=1)
    result = search_bench.run("tiny", db_url, args, tmp_path)
    assert result["articles"] == 300 and result["load_s"] > 0
    searched = result["search"]
    assert searched["queries"] == 20 and 0 < searched["p50_ms"] <= searched["p95_ms"]
    assert searched["zero_hit_share"] < 0.5  # the queries are drawn from the articles
    assert {"word", "name", "phrase", "common word"} <= set(searched["by_kind_p50_p95_ms"])
    for fmt in ("jsonl", "parquet"):
        exported = result["export"][fmt]
        assert exported["records_per_s"] > 0 and exported["mb"] > 0
        assert exported["peak_rss_mb"] > 0
    analysis = result["analysis"]
    assert result["monitoring_rows"]["placements"] > 0
    assert result["monitoring_rows"]["revisions_2"] == 6  # 2% of 300
    for answer in ("search_and_count_relevance", "search_and_count_newest", "changes_7d",
                   "frontpage_home", "frontpage_section", "stats_by_tag_30d_with_rising",
                   "report_7d"):
        assert 0 < analysis[answer]["median_ms"] <= analysis[answer]["max_ms"]
    assert analysis["search_words"]
