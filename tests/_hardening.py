"""Helpers of the issue-13 tests (tests/test_hardening*.py): the real `newsmon` entry
point in this process or as a subprocess, one-line stderr, and snapshots proving that
refused input created, changed or deleted nothing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import cli
from crawler.replica.server import ReplicaServer

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


def newsmon(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kwargs)


def run(capsys, *args: str) -> tuple[int, str, list[str]]:
    """`newsmon ARGS` in this process: (exit code, stdout, stderr's non-blank lines)."""
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, [ln for ln in captured.err.splitlines() if ln.strip()]


def one_line(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


class Tree:
    """Every file under a folder: path -> (size, sha256, mtime)."""

    def __init__(self, root: Path):
        self.root = root
        self.files = self._scan()

    def _scan(self) -> dict[str, tuple]:
        found = {}
        for path in sorted(self.root.rglob("*")):
            key = str(path.relative_to(self.root))
            if path.is_file():
                data = path.read_bytes()
                found[key] = (len(data), hashlib.sha256(data).hexdigest(),
                              path.stat().st_mtime_ns)
            else:
                found[key] = ("dir",)
        return found

    def unchanged(self) -> bool:
        return self._scan() == self.files


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A SQLite database holding a crawl of the replica: (base_url, path)."""
    path = tmp_path_factory.mktemp("hardening") / "crawl.sqlite3"
    with ReplicaServer() as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db", str(path), *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
        yield server.base_url, path


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder, current directory of in-process commands."""
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSMON_DATABASE_URL", "NEWSMON_CONFIG"):
        # set, then removed: monkeypatch restores it (`--config` sets NEWSMON_CONFIG
        # for the commands' children; it must not leak into later tests).
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return tmp_path
