"""docs/ANALYSIS.md runs as written: every ```python block, in order, in one
namespace, on SQLite and PostgreSQL, against two weeks of a monitored site
(tests/_analyst_week.py) exported with the real `newsmon export --format parquet`;
then the answers are checked against how that data was written."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler import cli
from crawler.db.store import Store
from tests._analyst_week import populate_week, url_of

pd = pytest.importorskip("pandas")

DOC = Path(__file__).resolve().parent.parent / "docs" / "ANALYSIS.md"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_a_setup_and_three_questions():
    assert len(blocks()) == 4
    assert len(re.findall(r"^## \d\. ", DOC.read_text(encoding="utf-8"), re.M)) == 3


def test_every_block_runs_and_answers(store: Store, tmp_path, monkeypatch, capsys):
    populate_week(store, NOW)
    url = store.engine.url.render_as_string(hide_password=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSMON_DATABASE_URL", url)
    assert cli.main(["export", "--format", "parquet", "--out", "articles.parquet"]) == 0
    namespace: dict = {}
    for number, code in enumerate(blocks()):
        exec(compile(code, f"ANALYSIS.md block {number}", "exec"), namespace)  # noqa: S102
    namespace["engine"].dispose()
    assert "28 articles from" in capsys.readouterr().out

    # 1. Two stories a day, published at NOW - 5h, NOW - 17h, ...: those since the
    # midnight six days before the newest one's day.
    published = [NOW - timedelta(hours=12 * n + 5) for n in range(28)]
    week_start = published[0].replace(hour=0) - timedelta(days=6)
    per_day = namespace["per_day"]
    assert per_day["total"].sum() == sum(1 for p in published if p >= week_start)
    assert len(per_day) == 7
    assert namespace["top_tags"].index[0] == "Gaza"

    # 2. Story 5's title changed without a new modified date; story 4's body with one.
    edits = namespace["edits"]
    assert list(edits["url"]) == [url_of(5), url_of(4)]
    assert list(edits["title_changed"]) == [True, False]
    assert list(edits["body_changed"]) == [False, True]
    assert list(edits["stealth"]) == [True, False]

    # 3. The lead changed with each new story (every 12 hours): story 1 led from the
    # NOW - 15h observation to the NOW - 6h one, 9 hours.
    lead_hours = namespace["lead_hours"].set_index("url")["hours"]
    assert lead_hours[url_of(1)] == pytest.approx(9)
    assert lead_hours[url_of(0)] == pytest.approx(3)  # leading since NOW - 3h
