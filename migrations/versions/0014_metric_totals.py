"""Running totals of the metrics; an index that reads an article's tags in order.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

- ``metric_totals``: each Prometheus counter's running total, kept by the store in the
  transaction that changes it (``crawler.db.metric_totals``): a scrape and a crawl's
  textfile no longer sum every run recorded. Filled here from the tables as they are
  plus ``pruned_totals`` (what ``newsmon prune`` had deleted), which it replaces.
- ``ix_article_tags_article_id_position`` (article_id, position, tag_id): the tags of a
  period's articles, in order, from the index alone (``newsmon stats``, the report).

The sums below are this migration's own copy (a migration must not change with the
code): the same rules as ``crawler.db.metric_totals`` at this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FINISHED = "status IN ('ok', 'degraded', 'failed', 'interrupted')"
ERROR_KIND = """CASE
    WHEN status >= 500 THEN 'http_5xx'
    WHEN status >= 400 THEN 'http_4xx'
    WHEN lower(error) LIKE '%timeout%' OR lower(error) LIKE '%timed out%' THEN 'timeout'
    WHEN lower(error) LIKE 'dns%' THEN 'dns'
    WHEN lower(error) LIKE 'skipped%' OR lower(error) LIKE '%robots%' THEN 'skipped'
    ELSE 'other' END"""


def _sums_over_tables() -> str:
    """SQL: (name, value) of the counters as the rows still in the tables give them (in
    SQL, so that `alembic upgrade --sql` renders it too)."""
    seconds = ("(julianday(finished_at) - julianday(started_at)) * 86400.0"
               if op.get_context().dialect.name == "sqlite"
               else "extract(epoch FROM finished_at - started_at)")
    parts = [f"SELECT 'newsmon_runs_total|' || status AS name, count(*) AS value "
             f"FROM crawl_runs WHERE {FINISHED} GROUP BY status"]
    parts += [f"SELECT '{name}', sum({column}) FROM crawl_runs WHERE {FINISHED}"
              for name, column in (("newsmon_articles_total|new", "articles_new"),
                                   ("newsmon_articles_total|updated", "articles_updated"),
                                   ("newsmon_articles_total|unchanged", "articles_unchanged"),
                                   ("newsmon_run_duration_seconds_count", "1"),
                                   ("newsmon_run_duration_seconds_sum", seconds))]
    parts.append("SELECT CASE WHEN name = 'rendered_pages' THEN 'newsmon_rendered_pages_total' "
                 "ELSE 'newsmon_pages_fetched_total|' || substr(name, 11) END, sum(value) "
                 "FROM run_counters WHERE name = 'rendered_pages' OR name LIKE 'responses_%' "
                 "GROUP BY name")
    parts.append(f"SELECT 'newsmon_fetch_errors_total|' || kind, count(*) FROM "
                 f"(SELECT {ERROR_KIND} AS kind FROM fetch_errors) AS errors GROUP BY kind")
    return ("SELECT name, sum(value) AS value FROM (" + " UNION ALL ".join(parts)
            + ") AS counted GROUP BY name")


def _create_totals_table(name: str) -> None:
    """``metric_totals`` and the ``pruned_totals`` it replaces: name -> value."""
    op.create_table(
        name,
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.create_index("ix_article_tags_article_id_position", "article_tags",
                    ["article_id", "position", "tag_id"])
    _create_totals_table("metric_totals")
    # What the tables hold, plus what prune had deleted from them.
    op.execute(f"INSERT INTO metric_totals (name, value) SELECT name, sum(value) FROM "
               f"({_sums_over_tables()} UNION ALL SELECT name, value FROM pruned_totals) "
               f"AS every_total GROUP BY name HAVING sum(value) <> 0")
    op.drop_table("pruned_totals")


def downgrade() -> None:
    _create_totals_table("pruned_totals")
    # What the tables no longer hold is what prune deleted.
    op.execute(f"INSERT INTO pruned_totals (name, value) SELECT m.name, "
               f"m.value - coalesce(t.value, 0) FROM metric_totals AS m LEFT JOIN "
               f"({_sums_over_tables()}) AS t ON t.name = m.name "
               f"WHERE abs(m.value - coalesce(t.value, 0)) > 0.000001")
    op.drop_table("metric_totals")
    op.drop_index("ix_article_tags_article_id_position", table_name="article_tags")
