"""Smoke test of bench/alerts_bench.py on both databases: a few hundred synthetic
articles and watchlists, every figure reported and the database left as it was. No
timing threshold: speed is the bench's business (docs/BENCHMARKS.md)."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import func, select

from bench import alerts_bench
from crawler.db.models import Alert, Article, Watchlist
from crawler.db.session import make_engine


@pytest.mark.timeout(240)
def test_tiny_alerts_bench_reports_every_figure(db_url: str):
    args = argparse.Namespace(articles=300, watchlists=60, samples=6)
    result = alerts_bench.run("tiny", db_url, args)
    assert result["articles"] == 300 and result["watchlists"] == 60
    assert 0 < result["match"]["p50_ms"] <= result["match"]["max_ms"]
    assert result["matches_per_article"] > 0  # the queries come from the same vocabulary
    assert result["save_with_watchlists"]["p50_ms"] > 0 and result["save_ratio_p50"] > 0
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Watchlist)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Alert)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Article)).scalar() == 300 + 2 * 6 + 5
    engine.dispose()
