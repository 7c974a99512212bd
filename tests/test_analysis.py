"""`changes`, `frontpage`, `prominence` and `stats` (crawler.db.changes, prominence,
trends and crawler/cli/analysis.py) on SQLite and PostgreSQL, on two weeks of a
monitored site (tests/_analyst_week.py). Expected values are worked out from how
that data was written, not from the code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crawler import cli
from crawler.db.changes import changes, word_changes
from crawler.db.prominence import frontpage, prominence
from crawler.db.store import Store
from crawler.db.trends import names_in, rising, stats
from tests._analyst_week import HOME, populate_week, url_of

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
HOUR = timedelta(hours=1)


@pytest.fixture
def week(store: Store) -> Store:
    populate_week(store, NOW)
    return store


def db_arg(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def run(store: Store, capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([*argv, "--db", db_arg(store)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- changes ---------------------------------------------------------------------------

def test_word_changes():
    assert word_changes("a b c", "a x c d") == (2, 1)
    assert word_changes(None, "one two") == (2, 0) and word_changes("same", "same") == (0, 0)


def test_changes_newest_first_with_stealth_flag(week: Store):
    found = changes(week.engine, since=NOW - timedelta(days=7))
    assert [c["url"] for c in found] == [url_of(5), url_of(4)]
    title_edit, body_edit = found
    assert title_edit["changed"] == ["title"] and title_edit["stealth"] is True
    assert (title_edit["words_added"], title_edit["words_removed"]) == (1, 0)
    assert title_edit["fetched_at"] == NOW - timedelta(days=1)
    assert "+Title:   Story 5: talks in Cairo on oil output (updated)" in title_edit["diff"]
    assert body_edit["changed"] == ["body"] and body_edit["stealth"] is False
    assert (body_edit["words_added"], body_edit["words_removed"]) == (5, 0)
    assert "+A correction was added later." in body_edit["diff"]
    assert body_edit["revision"] == 2 and body_edit["section"] == "Economy"


def test_changes_filters(week: Store):
    engine = week.engine
    assert [c["url"] for c in changes(engine, kind="title")] == [url_of(5)]
    assert [c["url"] for c in changes(engine, kind="body")] == [url_of(4)]
    assert changes(engine, kind="summary") == []
    assert [c["url"] for c in changes(engine, since=NOW - 36 * HOUR)] == [url_of(5)]
    assert [c["url"] for c in changes(engine, section="economy")] == [url_of(4)]
    assert [c["url"] for c in changes(engine, limit=1)] == [url_of(5)]
    with pytest.raises(ValueError):
        changes(engine, kind="tags")


def test_changes_command(week: Store, capsys):
    code, out, err = run(week, capsys, "changes", "--since", "7d")
    assert code == 0 and err.startswith("newsmon: 2 changes since ") and err.count("\n") == 1
    assert out.index(url_of(5)) < out.index(url_of(4))
    assert "STEALTH EDIT" in out.split(url_of(4))[0]  # story 5's block only
    assert "+1 -0 words" in out and "+5 -0 words" in out
    code, out, _ = run(week, capsys, "changes", "--kind", "body", "--format", "json")
    (only,) = json.loads(out)
    assert only["url"] == url_of(4) and only["fetched_at"].endswith("+00:00")
    code, _, err = run(week, capsys, "changes", "--since", "whenever")
    assert code == 2 and err.count("\n") == 1 and "--since" in err


# --- frontpage and prominence ----------------------------------------------------------

def test_frontpage_at_a_moment(week: Store):
    # The home page was observed every 3 hours up to NOW; at NOW - 1h its last
    # observation was NOW - 3h: the newest three stories then (0, 1, 2).
    listing = frontpage(week.engine, NOW - HOUR)
    assert listing["observed_at"] == NOW - 3 * HOUR and listing["page"] == "Home"
    assert [(i["position"], i["url"]) for i in listing["items"]] == [
        (1, url_of(0)), (2, url_of(1)), (3, url_of(2))]
    assert listing["items"][0]["listed_since"] == NOW - 3 * HOUR
    # Half a day earlier (NOW - 13h, observed at NOW - 15h): stories 1, 2, 3.
    earlier = frontpage(week.engine, NOW - 13 * HOUR)
    assert earlier["observed_at"] == NOW - 15 * HOUR
    assert [i["url"] for i in earlier["items"]] == [url_of(1), url_of(2), url_of(3)]
    # Before the first observation, and a page never observed.
    assert frontpage(week.engine, NOW - timedelta(days=8))["items"] == []
    assert frontpage(week.engine, NOW, page="Sports")["observed_at"] is None


def test_prominence_of_a_story(week: Store, capsys):
    # Story 1 (published NOW - 17h) led from the NOW - 15h observation until story 0
    # appeared (NOW - 3h), then stayed second.
    answer = prominence(week.engine, week.resolve_article_id(url_of(1)))
    assert [(r["position"], r["first_seen_at"], r["last_seen_at"]) for r in answer["runs"]] \
        == [(1, NOW - 15 * HOUR, NOW - 6 * HOUR), (2, NOW - 3 * HOUR, NOW)]
    (home,) = answer["pages"]
    assert home["page_kind"] == "home" and home["best_position"] == 1
    assert home["seconds"] == 12 * 3600 and home["runs"] == 2
    code, out, _ = run(week, capsys, "prominence", url_of(1))
    assert code == 0 and "best position   1" in out and "position   2" in out
    code, out, _ = run(week, capsys, "prominence", url_of(1), "--format", "json")
    assert json.loads(out)["pages"][0]["seconds"] == 12 * 3600
    code, _, err = run(week, capsys, "prominence", "https://nowhere.test/x")
    assert code == 1 and err.count("\n") == 1


def test_frontpage_command(week: Store, capsys):
    at = (NOW - HOUR).strftime("%Y-%m-%d %H:%M")
    code, out, _ = run(week, capsys, "frontpage", "--at", at)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"Home as observed {(NOW - 3 * HOUR):%Y-%m-%d %H:%M}Z")
    assert lines[1] == "  1. Story 0: talks in Cairo on Gaza"
    code, out, _ = run(week, capsys, "frontpage", "--format", "json")
    assert [i["url"] for i in json.loads(out)["items"]] == [url_of(0), url_of(1), url_of(2)]
    code, _, err = run(week, capsys, "frontpage", "--page", "Sports")
    assert code == 1 and "no observation" in err and err.count("\n") == 1
    code, out, _ = run(week, capsys, "frontpage", "--page", "Sports", "--format", "json")
    assert code == 1 and json.loads(out) == {"page": "Sports", "observed_at": None,
                                             "items": []}


# --- stats -----------------------------------------------------------------------------

def test_stats_by_section_tag_author_region(week: Store):
    since = NOW - timedelta(days=7)
    by_section = stats(week.engine, since, NOW, "section")
    assert (by_section["total"], by_section["previous_total"]) == (14, 14)
    assert [(r["key"], r["count"], r["previous"], r["change"]) for r in by_section["rows"]] \
        == [("Politics", 5, 5, 0), ("Economy", 5, 4, 1), ("Opinion", 4, 5, -1)]
    tags = {r["key"]: (r["count"], r["previous"]) for r in
            stats(week.engine, since, NOW, "tag")["rows"]}
    assert tags == {"Gaza": (10, 0), "Oil": (4, 14), "Lebanon": (4, 3)}
    authors = {r["key"]: r["count"] for r in stats(week.engine, since, NOW, "author")["rows"]}
    assert authors == {"Author 0": 5, "Author 1": 5, "Author 2": 4}
    regions = {r["key"]: r["count"] for r in stats(week.engine, since, NOW, "region")["rows"]}
    assert regions == {"MENA": 7, "Europe": 7}


def test_stats_by_day_and_hour(week: Store):
    since = NOW - timedelta(days=7)
    days = stats(week.engine, since, NOW, "day")["rows"]
    assert days[0]["key"] == since.strftime("%Y-%m-%d") and len(days) in (7, 8)
    assert sum(r["count"] for r in days) == 14 and days[0]["previous"] is None
    hours = stats(week.engine, since, NOW, "hour")["rows"]
    published_hours = {(NOW - (12 * n + 5) * HOUR).strftime("%H") for n in range(14)}
    assert {r["key"] for r in hours if r["count"]} == published_hours
    with pytest.raises(ValueError):
        stats(week.engine, since, NOW, "weekday")


def test_rising_tags_and_names(week: Store):
    up = rising(week.engine, NOW - timedelta(days=7), NOW, min_count=3)
    assert [t["term"] for t in up["tags"]] == ["Gaza", "Lebanon"]  # Oil fell
    gaza = up["tags"][0]
    assert (gaza["count"], gaza["previous"], gaza["share"]) == (10, 0, round(1000 / 14, 2))
    assert [t["term"] for t in up["names"]] == ["Gaza"]  # Cairo is in every title
    assert rising(week.engine, NOW - timedelta(days=7), NOW, min_count=11)["tags"] == []
    assert names_in("Talks in Khan Younis and Cairo") == {"Khan Younis", "Cairo"}
    assert names_in("غزة: قافلة") == set()


def test_stats_command(week: Store, capsys):
    code, out, _ = run(week, capsys, "stats", "--since", "7d", "--by", "tag")
    assert code == 0
    assert "14 articles" in out.splitlines()[0]
    assert any(line.split()[:4] == ["Gaza", "10", "0", "+10"] for line in out.splitlines())
    assert "rising tags" in out and "rising names" in out
    code, out, _ = run(week, capsys, "stats", "--by", "section", "--format", "json")
    answer = json.loads(out)
    assert answer["by"] == "section" and "rising" in answer
    code, _, err = run(week, capsys, "stats", "--since", "1d", "--until", "2d")
    assert code == 2 and err.count("\n") == 1


def test_commands_need_an_upgraded_schema(db_url: str, capsys):
    from crawler.db import migrate

    migrate.upgrade(db_url, "0001")
    for argv in (["changes"], ["frontpage"], ["stats"], ["prominence", HOME]):
        assert cli.main([*argv, "--db", db_url]) == 1
        assert "newsmon db upgrade" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["changes"], ["frontpage"], ["stats"], ["prominence", HOME],
                                  ["report", "--out", "never-written.html"]])
def test_unreachable_database_is_one_line_exit_3(argv: list[str], tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    secret = "postgresql+psycopg://newsmon:s3cret@127.0.0.1:1/newsmon"
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *argv, "--db", secret],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "database unavailable" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    assert not (tmp_path / "never-written.html").exists()
