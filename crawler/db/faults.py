"""A test hook for crash tests: end the process right after its Nth database write.

``NEWSMON_FAULT_EXIT_AFTER_WRITES=N`` (an environment variable, read once per process)
makes the process call ``os._exit(FAULT_EXIT_CODE)`` as soon as the Nth write
transaction of ``crawler.db.store.Store`` has committed: no cleanup, no further write,
no ``finally`` block, as a SIGKILL or a power cut would leave it. Every write the crawl
makes goes through ``Store._write`` (one transaction each), so sweeping N over 1, 2, 3
... stops a crawl at every point where what is stored changes
(tests/test_reliability_killpoints.py, bench/killpoints.py, docs/RELIABILITY.md). A
kill inside a transaction leaves what a kill just before its commit leaves (the
transaction is rolled back), so "after write N-1" covers it.

``NEWSMON_FAULT_WRITES_OF=NAME``: count only the writes made by the ``Store`` method
whose name contains NAME (e.g. ``record_index_page``: the Nth index page stored;
``save_article``: the Nth article), to aim at one kind of write.
``NEWSMON_FAULT_MODE=term``: at that write, send the process SIGTERM instead (a
graceful stop, as the scheduler's job timeout or a deploy does) and carry on.

Unset, empty or 0: off (the default; production never sets it). Not a configuration
option: it exists for the tests only.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

FAULT_ENV = "NEWSMON_FAULT_EXIT_AFTER_WRITES"
FAULT_KIND_ENV = "NEWSMON_FAULT_WRITES_OF"
FAULT_MODE_ENV = "NEWSMON_FAULT_MODE"
FAULT_EXIT_CODE = 86  # what a killed process exits with: the tests tell it from a failure

_limit: int | None = None
_kind = ""
_writes = 0


def _read_limit() -> int:
    value = os.environ.get(FAULT_ENV, "").strip()
    try:
        return max(int(value), 0) if value else 0
    except ValueError:
        return 0


def after_write(work: Any = None) -> None:
    """Count a committed write (``work``: the function the transaction ran); end the
    process (or stop it: ``term``) at the configured one."""
    global _limit, _kind, _writes
    if _limit is None:
        _limit = _read_limit()
        _kind = os.environ.get(FAULT_KIND_ENV, "").strip()
    if not _limit:
        return
    if _kind and _kind not in getattr(work, "__qualname__", ""):
        return
    _writes += 1
    if _writes != _limit:
        return
    sys.stderr.write(f"newsmon: {FAULT_ENV}: write {_writes} done, stopping here\n")
    sys.stderr.flush()
    if os.environ.get(FAULT_MODE_ENV, "").strip().lower() == "term":
        os.kill(os.getpid(), signal.SIGTERM)
        return
    os._exit(FAULT_EXIT_CODE)
