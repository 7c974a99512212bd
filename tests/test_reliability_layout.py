"""The layout-change alarm (crawler/ops/layout_alarm.py): a run whose fields are filled far
worse than in the runs before, or come from the generic layer instead, is degraded;
`newsmon crawl` exits 5 and `newsmon status` names the fields and since when.

End to end: the replica switched to a broken layout (metadata gone, every class and id
renamed: ``ReplicaServer.layout = "broken"``) under real crawls that revisit every
article (``--revisit-after 0s``); then the rules themselves, in process.
"""

from __future__ import annotations

import json

import pytest

from crawler.db.session import sqlite_url
from crawler.ops.layout_alarm import FieldCount, Thresholds, evaluate
from crawler.replica.server import ReplicaServer
from tests._reliability import FAST, newsmon, rows

pytestmark = pytest.mark.e2e


def test_a_broken_layout_degrades_the_run_until_the_parser_copes_again(tmp_path):
    db_url = sqlite_url(tmp_path / "layout.sqlite3")
    with ReplicaServer() as server:
        def crawl():
            return newsmon("crawl", "--base-url", server.base_url, "--db", db_url,
                           "--revisit-after", "0s", *FAST)

        def status():
            return newsmon("status", "--db", db_url, "--base-url", server.base_url)

        first = crawl()
        assert first.returncode == 0, first.stderr[-2000:]

        server.layout = "broken"
        second = crawl()
        assert second.returncode == 5, second.stderr[-2000:]
        assert "run 2: degraded" in second.stdout
        message = second.stderr.strip().splitlines()[-1]
        assert message.startswith("newsmon: run 2 degraded (layout change?): ")
        assert "body from the generic layer on 100% of 30 articles (baseline 13%)" in message
        assert "published_at from the generic layer on 100%" in message

        checked = status()
        assert checked.returncode == 1  # WARNING
        line = checked.stdout.strip()
        assert "the latest run (2) was degraded: layout change? " in line
        assert "body from the generic layer" in line and "(run 2)" in line

        third = crawl()
        assert third.returncode == 5
        again = status().stdout
        assert "the latest run (3) was degraded" in again
        assert "published_at from the generic layer" in again
        assert "since " in again and "(run 2)" in again and "(run 3)" not in again

        server.layout = "normal"
        fourth = crawl()
        assert fourth.returncode == 0, fourth.stderr[-2000:]
        healthy = newsmon("status", "--db", db_url, "--base-url", server.base_url,
                          "--format", "json")
    assert healthy.returncode == 0, healthy.stdout
    assert json.loads(healthy.stdout)["problems"] == []
    statuses = [r["status"] for r in rows(db_url, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["ok", "degraded", "degraded", "ok"]
    alarms = rows(db_url, "SELECT run_id, field, pages, filled, generic, alarm FROM "
                          "run_field_stats WHERE alarm IS NOT NULL ORDER BY run_id, field")
    assert {a["run_id"] for a in alarms} == {2, 3}
    assert {"body", "published_at", "title"} <= {a["field"] for a in alarms}
    body = next(a for a in alarms if a["run_id"] == 2 and a["field"] == "body")
    assert (body["pages"], body["filled"], body["generic"]) == (30, 30, 30)


BASELINE = {"article": FieldCount(40, 40, 0), "body": FieldCount(40, 40, 2),
            "published_at": FieldCount(40, 40, 0), "image_caption": FieldCount(40, 10, 0)}


def counts(**fields: tuple[int, int, int]) -> dict[str, FieldCount]:
    return {name: FieldCount(*values) for name, values in fields.items()}


def test_body_missing_on_more_than_a_fifth_of_the_articles_alarms():
    alarms = evaluate(counts(body=(10, 7, 0)), BASELINE, Thresholds())
    assert alarms == {"body": "filled on 70% of 10 articles (baseline 100%)"}
    assert evaluate(counts(body=(10, 9, 0)), BASELINE, Thresholds()) == {}


def test_dates_from_the_generic_layer_alarm():
    alarms = evaluate(counts(published_at=(10, 10, 5)), BASELINE, Thresholds())
    assert alarms == {"published_at": "from the generic layer on 50% of 10 articles "
                                      "(baseline 0%)"}


def test_pages_no_longer_read_as_articles_alarm():
    alarms = evaluate(counts(article=(10, 2, 0)), BASELINE, Thresholds())
    assert "filled on 20% of 10 article pages read as articles" in alarms["article"]


def test_a_small_run_that_meets_a_rarer_template_by_chance_does_not_alarm():
    # An incremental run of 6 new articles, 2 of them from a template the parser reads
    # with its generic layer (12 % of the baseline): a 21-point rise, but chance.
    baseline = {"body": FieldCount(100, 100, 12)}
    assert evaluate(counts(body=(6, 6, 2)), baseline, Thresholds()) == {}
    # The whole of a run of 5 going generic is a change, however small the run.
    assert "generic layer on 100% of 5" in evaluate(counts(body=(5, 5, 5)), baseline,
                                                    Thresholds())["body"]
    assert evaluate(counts(body=(5, 0, 0)), baseline, Thresholds())["body"] \
        .startswith("filled on 0% of 5")


def test_too_few_pages_or_too_short_a_baseline_say_nothing():
    assert evaluate(counts(body=(4, 0, 0)), BASELINE, Thresholds()) == {}
    short = {"body": FieldCount(19, 19, 0)}
    assert evaluate(counts(body=(10, 0, 0)), short, Thresholds()) == {}
    # A field rarely filled before may stay rarely filled; a rise is no alarm.
    assert evaluate(counts(image_caption=(10, 2, 0)), BASELINE, Thresholds()) == {}
    assert evaluate(counts(image_caption=(10, 10, 0)), BASELINE, Thresholds()) == {}


def test_each_edition_is_judged_against_its_own_runs(tmp_path):
    # Two editions crawled through one base URL (`--edition` with a base URL): the
    # Arabic run is compared with the Arabic runs only, not with English ones that
    # filled every field, and an English alarm is not the Arabic run's verdict.
    from crawler.db.session import make_engine
    from crawler.db.store import Store
    from crawler.db import migrate
    from crawler.ops.layout_alarm import _stats, load_baseline, previous_alarms

    url = f"sqlite:///{tmp_path / 'editions.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    base = "https://one.example"
    try:
        stores = {e: Store(engine, edition=e) for e in ("en", "ar")}

        def finished(edition: str, status: str, filled: int, alarm: str | None = None) -> int:
            run_id = stores[edition].start_run(base)
            stores[edition].finish_run(run_id, status, pages_fetched=30, articles_new=30,
                                       articles_updated=0, articles_unchanged=0, errors=0)
            with engine.begin() as conn:
                conn.execute(_stats.insert(), [{"run_id": run_id, "field": "body",
                                                "pages": 30, "filled": filled,
                                                "generic": 0, "alarm": alarm}])
            return run_id

        finished("ar", "ok", 12)
        finished("en", "ok", 30)
        finished("en", "degraded", 3, alarm="filled 10% (was 100%)")
        current = stores["ar"].start_run(base)
        baseline = load_baseline(engine, base, current, runs=10)
        assert (baseline["body"].pages, baseline["body"].filled) == (30, 12)
        assert previous_alarms(engine, base, current) == {}
        english = stores["en"].start_run(base)
        assert previous_alarms(engine, base, english) == {"body": "filled 10% (was 100%)"}
    finally:
        engine.dispose()
