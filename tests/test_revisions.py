"""Article revisions: the store on both databases, then end to end (edits on the
replica, `newsmon crawl --revisit-after 0s`, `newsmon export`, `newsmon history`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.db.store import Store
from crawler.db.text import content_hash
from crawler.cli.reading import revision_text
from crawler.replica.content import expected_articles
from crawler.replica.model import BEIRUT
from tests._monitor_helpers import (BACKENDS, article_requests, copy_of, crawl,
                                    crawled_site, export, newsmon, sql)
from tests.test_store import BASE, T0, article

# --- the store ------------------------------------------------------------------------


def test_first_version_is_revision_one_and_only_text_changes_make_revisions(store: Store):
    run = store.start_run(BASE)
    _, article_id = store.save_article(article(), run, T0)
    [first] = store.article_revisions(article_id)
    assert first["revision"] == 1 and first["title"] == "Title 1"
    assert first["body"] == "First.\n\nSecond." and first["fetched_at"] == T0
    assert first["content_hash"] == content_hash("Title 1", "Summary", "First.\n\nSecond.")
    assert first["modified_at"] == T0 + timedelta(minutes=5)

    # Other fields change: "updated", no revision. Whitespace only: not a change.
    assert store.save_article(article(tags=["Gaza"], section="World"), run,
                              T0 + timedelta(hours=1))[0] == "updated"
    assert store.save_article(article(tags=["Gaza"], section="World",
                                      body="First. \n\n  Second."), run,
                              T0 + timedelta(hours=2))[0] == "updated"
    assert len(store.article_revisions(article_id)) == 1
    assert store.get_article(article().url)["revision"] == 1

    later = T0 + timedelta(hours=3)
    edited = article(tags=["Gaza"], section="World", summary="New summary",
                     modified_at=later - timedelta(minutes=1))
    assert store.save_article(edited, run, later) == ("updated", article_id)
    revisions = store.article_revisions(article_id)
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[1]["summary"] == "New summary" and revisions[1]["fetched_at"] == later
    assert revisions[1]["modified_at"] == later - timedelta(minutes=1)
    assert revisions[0]["summary"] == "Summary"  # the old text is kept
    assert store.get_article(article().url)["revision"] == 2
    assert store.count_revisions() == 2


def test_reparse_corrects_the_current_revision(store: Store):
    run = store.start_run(BASE)
    _, article_id = store.save_article(article(), run, T0)
    store.save_article(article(body="Parsed better."), run, T0 + timedelta(hours=1),
                       new_revision=False)
    [only] = store.article_revisions(article_id)
    assert only["revision"] == 1 and only["body"] == "Parsed better."
    assert only["fetched_at"] == T0  # still the fetch it came from
    assert store.get_article(article().url)["revision"] == 1


def test_not_modified_counts_as_a_fetch(store: Store):
    run = store.start_run(BASE)
    _, article_id = store.save_article(article(), run, T0)
    store.mark_not_modified(article_id, T0 + timedelta(hours=2))
    [known] = store.known_articles([article().url]).values()
    assert known.last_fetched_at == T0 + timedelta(hours=2)
    assert store.get_article(article().url)["last_seen_at"] == T0 + timedelta(hours=2)
    assert len(store.article_revisions(article_id)) == 1


def test_validators_are_stored_with_the_article(store: Store):
    run = store.start_run(BASE)
    store.save_article(article(etag='W/"abc"', last_modified="Mon, 15 Sep 2025 12:00:00 GMT"),
                       run, T0)
    found = store.validators([article().url])[article().url]
    assert (found.etag, found.last_modified) == ('W/"abc"', "Mon, 15 Sep 2025 12:00:00 GMT")
    store.save_article(article(), run, T0 + timedelta(hours=1))  # none sent: kept
    assert store.validators([article().url])[article().url].etag == 'W/"abc"'


def test_revision_text_wraps_paragraphs_for_a_readable_diff():
    lines = revision_text({"title": "T", "summary": "S", "body": "a " * 60 + "\n\nb"})
    assert lines[:3] == ["Title:   T", "Summary: S", ""]
    assert all(len(line) <= 88 for line in lines) and lines[-2:] == ["", "b"]


# --- end to end -----------------------------------------------------------------------

pytestmark = pytest.mark.timeout(300)

TITLE_EDIT = ("gaza-two-years", "Two years of destruction: Gaza endures war, hunger and cold")
BODY_EDITS = {
    "opec-cuts": "Oil prices fell on Thursday after delegates denied that OPEC+ was "
                 "discussing deeper output cuts.\n\nBrent crude futures lost one percent.",
    "mali-junta": "An earlier version of this article misattributed the report. The "
                  "Washington Post cited three US officials.",
}
EDITED_AT = datetime(2025, 10, 6, 9, 30, tzinfo=BEIRUT)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    yield from crawled_site(request.param, tmp_path_factory.mktemp("revisions"))


@pytest.mark.e2e
def test_two_body_edits_and_a_title_change_make_exactly_three_revisions(site, tmp_path):
    for db_url in copy_of(site, tmp_path):
        server = site.server
        old_title = next(a["title"] for a in server.articles() if a["key"] == TITLE_EDIT[0])
        edited = [server.edit_article(TITLE_EDIT[0], title=TITLE_EDIT[1], modified=EDITED_AT)]
        edited += [server.edit_article(key, body=body, modified=EDITED_AT)
                   for key, body in BODY_EDITS.items()]
        result = crawl(server, db_url, "--revisit-after", "0s")
        base = server.base_url
        requests = article_requests(server)

        assert "articles updated:   3" in result.stdout
        # Every stored article met was asked again, conditionally; unchanged pages 304.
        assert requests and all(r.headers.get("If-None-Match") for r in requests)
        assert any(r.status == 304 for r in requests)
        assert {a["path"] for a in edited} <= {r.path for r in requests}

        rows = sql(db_url, "SELECT a.url, r.revision, r.title, r.body, r.modified_at "
                           "FROM article_revisions r JOIN articles a ON a.id = r.article_id "
                           "WHERE r.revision > 1")
        assert sorted(row["url"] for row in rows) == sorted(base + a["path"] for a in edited)
        assert {row["revision"] for row in rows} == {2}

        records = export(db_url)  # the real `newsmon export`
        assert set(records) == set(expected_articles(base))
        edited_urls = {base + a["path"] for a in edited}
        for url, record in records.items():
            assert record["revision"] == (2 if url in edited_urls else 1), url
        title_url = base + edited[0]["path"]
        assert records[title_url]["title"] == TITLE_EDIT[1]
        assert records[title_url]["modified_at"] == EDITED_AT.astimezone(timezone.utc).isoformat()
        opec = records[base + edited[1]["path"]]
        assert opec["body"].startswith("Oil prices fell on Thursday")

        shown = newsmon("history", title_url, "--db", db_url)
        assert shown.returncode == 0, shown.stderr
        assert "2 revisions" in shown.stdout and "=== revision 2" in shown.stdout
        assert f"-Title:   {old_title}" in shown.stdout
        assert f"+Title:   {TITLE_EDIT[1]}" in shown.stdout
        body = newsmon("history", base + edited[1]["path"], "--db", db_url)
        assert "+Oil prices fell on Thursday after delegates denied" in body.stdout
        assert "-Oil prices rose for a third consecutive session" in body.stdout
        missing = newsmon("history", base + "/news/politics/no-such-story", "--db", db_url)
        assert missing.returncode == 1 and "no stored article" in missing.stderr
