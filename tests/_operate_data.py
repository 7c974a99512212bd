"""Rows for the operations tests (metrics, prune, doctor, upgrades), written at known
times so that each test can compute what it expects on its own: runs, fetch errors and
run counters through the store (which keeps the metric totals), the rest with plain
inserts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from crawler.db.metric_totals import record_run_counters
from crawler.db.models import (Article, ArticleRevision, BreakingNews, Placement, RawPage,
                               RunFieldStat)
from crawler.db.store import Store

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BASE = "https://english.almayadeen.net"


def add_run(engine: Engine, status: str, started: datetime, seconds: float | None = 60,
            new: int = 0, updated: int = 0, unchanged: int = 0, pages: int = 0,
            base_url: str = BASE, edition: str = "en") -> int:
    """A run recorded as a crawl records it (``Store``: the metric totals follow)."""
    store = Store(engine, edition=edition)
    run_id = store.start_run(base_url, "manual", started_at=started)
    if status != "running":
        store.finish_run(run_id, status, pages_fetched=pages, articles_new=new,
                         articles_updated=updated, articles_unchanged=unchanged, errors=0,
                         finished_at=started + timedelta(seconds=seconds or 0))
    return run_id


def add_error(engine: Engine, run_id: int, when: datetime, status: int | None,
              error: str) -> None:
    Store(engine).record_fetch_error(run_id, f"{BASE}/x/{when.timestamp():.0f}", error,
                                     status, occurred_at=when)


def add_counters(engine: Engine, run_id: int, **counters: int) -> None:
    with engine.begin() as conn:
        record_run_counters(conn, run_id, counters)


def add_field_stats(engine: Engine, run_id: int, rows: dict[str, tuple[int, int, int, str | None]]
                    ) -> None:
    with engine.begin() as conn:
        conn.execute(insert(RunFieldStat), [
            {"run_id": run_id, "field": f, "pages": p, "filled": fl, "generic": g, "alarm": a}
            for f, (p, fl, g, a) in rows.items()])


def add_article(engine: Engine, slug: str, seen: datetime, revisions: int = 1,
                raw: bytes | None = None) -> int:
    url = f"{BASE}/news/politics/{slug}"
    digest = hashlib.sha256(slug.encode()).hexdigest()
    with engine.begin() as conn:
        article_id = conn.execute(insert(Article).values(
            url=url, title=slug, content_hash=digest, revision=revisions,
            first_seen_at=seen, last_seen_at=seen, last_fetched_at=seen)
            .returning(Article.id)).scalar_one()
        conn.execute(insert(ArticleRevision), [
            {"article_id": article_id, "revision": n, "title": f"{slug} v{n}",
             "content_hash": hashlib.sha256(f"{slug}{n}".encode()).hexdigest(),
             "fetched_at": seen + timedelta(minutes=n)} for n in range(1, revisions + 1)])
        if raw is not None:
            conn.execute(insert(RawPage).values(article_id=article_id, url=url,
                                                fetched_at=seen, http_status=200,
                                                encoding="utf-8", html_gz=raw))
    return article_id


def add_placements(engine: Engine, rows: list[dict[str, Any]]) -> None:
    defaults = {"page_kind": "home", "page_name": "Home", "page_number": 1,
                "page_url": f"{BASE}/"}
    with engine.begin() as conn:
        conn.execute(insert(Placement), [{**defaults, **row} for row in rows])


def add_breaking(engine: Engine, texts: list[str], when: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(BreakingNews), [
            {"text": t, "text_hash": hashlib.sha256(t.encode()).hexdigest(),
             "first_seen_at": when, "last_seen_at": when} for t in texts])


def parse_metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Samples of a Prometheus exposition, parsed by prometheus_client's own parser:
    {(sample name, sorted labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))
