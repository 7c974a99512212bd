"""Smoke test of `python -m bench`: every piece on a 20-article site, figures present.

Checks that the bench runs and reports what it should (the crawl stored every article,
the extraction is right on the generator's truth, memory and storage figures exist),
never a timing threshold: the machine is shared, and speed is the bench's business.
"""

from __future__ import annotations

import pytest

from bench import chart, extraction, report, run, sitegen


@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_tiny_bench_reports_every_figure(tmp_path):
    chart_path = tmp_path / "throughput.png"
    results = run.run(run.TINY, chart_path=chart_path, workdir=tmp_path / "work")

    crawl = results["throughput"]
    assert crawl["complete"], crawl            # newsmon stored every article of the site
    assert crawl["newsmon"]["articles"] == crawl["articles"] == 20
    assert crawl["baseline"]["articles"] == 20  # the baseline fetched the same articles
    for side in ("newsmon", "baseline"):
        assert crawl[side]["articles_per_s"] > 0 and crawl[side]["cpu_s"] > 0
        assert crawl[side]["pages"] == crawl["pages"]    # the same URLs, each once
    assert crawl["ratio"] > 0
    unstored = crawl["no_storage"]               # the same crawl, store pipeline off
    assert unstored["articles"] == 20 and unstored["pages"] == crawl["pages"]
    assert crawl["no_storage_ratio"] > 0

    ours = results["extraction"]["newsmon"]
    assert ours["title_accuracy"] == ours["date_accuracy"] == ours["body_accuracy"] == 1.0
    assert ours["date_exact_accuracy"] == 1.0
    if extraction.trafilatura_available():
        assert results["extraction"]["trafilatura"]["ms_per_article"] > 0
        assert results["extraction"]["time_ratio"] > 0

    memory = results["memory"]
    assert [row["articles"] for row in memory["rows"]] == list(run.TINY.memory_sizes)
    assert all(row["maxrss_mb"] > 0 and row["stored"] == row["articles"]
               for row in memory["rows"])

    assert results["storage"]["sqlite"]["articles_per_s"] > 0
    pg = results["storage"]["postgresql"]
    assert pg.get("articles_per_s", 0) > 0 or pg.get("error")

    assert [row["concurrency"] for row in results["sweep"]] == list(run.TINY.sweep)
    if chart.available():
        assert chart_path.stat().st_size > 1000

    table = report.markdown(results)
    for line in ("articles/s", "CPU ms per article", "without storing", "peak RSS",
                 "storage, sqlite",
                 "| concurrency |"):
        assert line in table


def test_generated_pages_weigh_like_real_ones():
    site = sitegen.generate(30)
    sizes = [len(body) for _url, body in extraction.site_pages(site, 30)]
    assert 60_000 <= min(sizes) and max(sizes) <= 100_000
