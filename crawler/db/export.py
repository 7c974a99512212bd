"""Serialise exported records as JSON lines, CSV or Parquet, streaming: JSON lines and
CSV one record at a time, Parquet in batches (one row group each)."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from crawler.items import ARTICLE_EXPORT_KEYS

BREAKING_EXPORT_KEYS = ("text", "first_seen_at", "last_seen_at")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()  # aware UTC: "2025-09-15T12:54:00+00:00"
    return value


LIST_JOINER = "; "  # as the SQL views join lists (docs/SCHEMA.md)


def write_records(records: Iterable[dict], fmt: str, kind: str, out: IO[str], *,
                  join_lists: bool = False) -> int:
    """JSON lines or CSV; in CSV a list is a JSON array (it round-trips) or, with
    ``join_lists``, its items joined with "; " (easier in a spreadsheet)."""
    keys = ARTICLE_EXPORT_KEYS if kind == "articles" else BREAKING_EXPORT_KEYS
    count = 0
    if fmt == "jsonl":
        for record in records:
            row = {key: _plain(record[key]) for key in keys}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.writer(out)
    writer.writerow(keys)
    for record in records:
        # Lists become JSON arrays so that a CSV cell round-trips.
        writer.writerow([(LIST_JOINER.join(map(str, v)) if join_lists
                          else json.dumps(v, ensure_ascii=False)) if isinstance(v, list)
                         else ("" if v is None else _plain(v))
                         for v in (record[key] for key in keys)])
        count += 1
    return count


PARQUET_BATCH_ROWS = 5000
_LIST_KEYS = {"authors", "regions", "tags", "related_urls", "siblings"}
_TIME_KEYS = {"published_at", "modified_at", "first_seen_at", "last_seen_at"}
_INT_KEYS = {"read_time_minutes", "revision"}


def parquet_schema(kind: str) -> Any:
    """The Arrow schema of an export: the record keys in order; times are UTC
    timestamps (microseconds), lists are lists of strings, missing values null."""
    import pyarrow as pa

    def arrow_type(key: str) -> Any:
        if key in _LIST_KEYS:
            return pa.list_(pa.string())
        if key in _TIME_KEYS:
            return pa.timestamp("us", tz="UTC")
        return pa.int32() if key in _INT_KEYS else pa.string()

    keys = ARTICLE_EXPORT_KEYS if kind == "articles" else BREAKING_EXPORT_KEYS
    return pa.schema([(key, arrow_type(key)) for key in keys])


def write_parquet(records: Iterable[dict], kind: str, path: str,
                  batch_rows: int = PARQUET_BATCH_ROWS) -> int:
    """Write ``records`` to the Parquet file ``path`` in batches of ``batch_rows``
    (memory stays constant). The file appears complete or not at all: it is written
    next to ``path`` and renamed when done."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(kind)
    partial = f"{path}.partial"
    count = 0
    try:
        with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
            columns: dict[str, list] = {name: [] for name in schema.names}
            for record in records:
                for name in schema.names:
                    columns[name].append(record[name])
                count += 1
                if count % batch_rows == 0:
                    writer.write_batch(pa.RecordBatch.from_pydict(columns, schema=schema))
                    columns = {name: [] for name in schema.names}
            if count % batch_rows or count == 0:
                writer.write_batch(pa.RecordBatch.from_pydict(columns, schema=schema))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return count
