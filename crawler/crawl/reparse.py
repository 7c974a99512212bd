"""Re-extract stored pages with the current parser, without fetching them again."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from email.utils import format_datetime

from scrapy.http import HtmlResponse
from sqlalchemy import select

from crawler.db.models import Article, RawPage
from crawler.db.store import Store
from crawler.crawl.pipelines import ValidatePipeline
from crawler.sites.almayadeen.parser import parse_article

logger = logging.getLogger(__name__)


def _stored_context(store: Store) -> dict[int, tuple[str, datetime]]:
    """article id -> (its edition, when its stored page was fetched): the page is read
    again as that edition's (a replica's host says nothing) and a year-less date is
    placed against that fetch, not against the time of the reparse."""
    articles, pages = Article.__table__, RawPage.__table__
    with store.engine.connect() as conn:
        return {row.id: (row.edition, row.fetched_at) for row in conn.execute(
            select(articles.c.id, articles.c.edition, pages.c.fetched_at)
            .join(pages, pages.c.article_id == articles.c.id))}


def reparse_all(store: Store) -> dict[str, int]:
    counts = {"updated": 0, "unchanged": 0, "new": 0, "failed": 0}
    validate = ValidatePipeline()
    run_id = store.start_run("reparse", trigger="manual")
    context = _stored_context(store)
    for article_id, url, html, encoding, status in store.iter_raw_pages():
        edition, fetched_at = context.get(article_id, (None, None))
        headers = {"Date": format_datetime(fetched_at, usegmt=True)} if fetched_at else {}
        response = HtmlResponse(url=url, body=html, encoding=encoding or "utf-8",
                                status=status or 200, headers=headers)
        try:
            item = parse_article(response, edition)
            if item is None:
                raise ValueError("the stored page no longer parses as an article")
            item.fetched_url, item.raw_html = url, html
            item.encoding, item.http_status = encoding, status
            item = validate.process_item(item)
            # The stored page again: its text corrects the current revision.
            outcome, _ = store.save_article(item, run_id, datetime.now(UTC),
                                            new_revision=False)
        except Exception as exc:  # one bad page must not stop the others
            logger.warning("reparse failed for %s: %s", url, exc)
            store.record_fetch_error(run_id, url, f"reparse: {exc}"[:500])
            counts["failed"] += 1
            continue
        counts[outcome] += 1
    store.finish_run(run_id, "failed" if counts["failed"] else "ok", pages_fetched=0,
                     articles_new=counts["new"], articles_updated=counts["updated"],
                     articles_unchanged=counts["unchanged"], errors=counts["failed"])
    return counts
