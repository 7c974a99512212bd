"""`newsmon report`: one self-contained HTML file, rendered in the system's Chromium
(headless, through the playwright package scrapy-playwright brings): every chart
draws (an SVG with marks), the page logs no console error and fetches nothing, and
Arabic text is laid out right to left. Built on both databases from two weeks of a
monitored site (tests/_analyst_week.py).

Marked ``browser``: without Chromium the rendering test is skipped with the reason,
or fails with ``NEWSMON_REQUIRE_BROWSER=1`` (CI). ``NEWSMON_SAVE_REPORT_PNG=FILE``
keeps the screenshot (docs/report.png is made this way).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import cli
from crawler.db.store import Store
from tests._analyst_week import ARABIC_TITLE, populate_week, url_of
from tests.test_rendering import require_chromium

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
CHARTS = 4  # volume, tags, breaking ticker, home page leads


@pytest.fixture
def report_file(store: Store, tmp_path: Path, capsys) -> Path:
    populate_week(store, NOW)
    out = tmp_path / "report.html"
    code = cli.main(["report", "--since", "7d", "--out", str(out), "--db",
                     store.engine.url.render_as_string(hide_password=False)])
    err = capsys.readouterr().err
    assert code == 0 and err.startswith("newsmon: report for ") and err.count("\n") == 1
    return out


def test_report_is_self_contained_with_every_part(report_file: Path):
    document = report_file.read_text(encoding="utf-8")
    # Nothing fetched from elsewhere: no script, no external stylesheet, image or font.
    assert "<script" not in document
    assert not re.search(r'(src|href)="(https?:)?//(?!english\.almayadeen\.net/)', document)
    assert "@import" not in document and not re.search(r"url\((?!#)", document)  # #: in-page
    assert document.count("<svg") == CHARTS
    for heading in ("Articles per day, by section", "Top tags", "Rising tags",
                    "Breaking news ticker", "lead story over time",
                    "Stories changed after publication"):
        assert heading in document
    assert f'<td dir="auto">{ARABIC_TITLE}</td>' in document  # a lead, right to left
    assert "stealth edit: modified date unchanged" in document
    assert url_of(4) in document and "+A correction was added later." in document
    assert document.count("the numbers behind the chart") == CHARTS


def test_report_usage_errors(store: Store, tmp_path: Path, capsys):
    db = store.engine.url.render_as_string(hide_password=False)
    assert cli.main(["report", "--since", "1d", "--until", "3d", "--out",
                     str(tmp_path / "r.html"), "--db", db]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()
    assert cli.main(["report", "--out", str(tmp_path / "no" / "such" / "r.html"),
                     "--db", db]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsmon: cannot write the report to ") and err.count("\n") == 1


@pytest.mark.browser
def test_report_renders_in_chromium(report_file: Path, tmp_path: Path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    screenshot = tmp_path / "report.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("NEWSMON_CHROMIUM_PATH") or "/usr/bin/chromium",
            args=["--no-sandbox", "--headless"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report_file.as_uri())
            charts = page.eval_on_selector_all("figure.chart svg", """svgs => svgs.map(s => {
                const box = s.getBoundingClientRect();
                return {width: box.width, height: box.height,
                        marks: s.querySelectorAll('path, rect, use').length};
            })""")
            direction = page.eval_on_selector(
                f'td[dir="auto"]:text-is("{ARABIC_TITLE}")',
                "td => getComputedStyle(td).direction")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert requests == [report_file.as_uri()]  # the file itself, nothing else
    assert len(charts) == CHARTS
    for chart in charts:
        assert chart["width"] > 200 and chart["height"] > 100
        assert chart["marks"] > 10  # axes, ticks and the bars or spans themselves
    assert direction == "rtl"
    assert screenshot.stat().st_size > 20_000
    if os.environ.get("NEWSMON_SAVE_REPORT_PNG"):
        shutil.copy(screenshot, os.environ["NEWSMON_SAVE_REPORT_PNG"])
