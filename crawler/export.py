"""Serialise exported records as JSON lines or CSV, streaming one record at a time."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from crawler.items import ARTICLE_EXPORT_KEYS

BREAKING_EXPORT_KEYS = ("text", "first_seen_at", "last_seen_at")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()  # aware UTC: "2025-09-15T12:54:00+00:00"
    return value


def write_records(records: Iterable[dict], fmt: str, kind: str, out: IO[str]) -> int:
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
        writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list)
                         else ("" if v is None else _plain(v))
                         for v in (record[key] for key in keys)])
        count += 1
    return count
