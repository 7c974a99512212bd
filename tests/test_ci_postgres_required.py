"""CI cannot pass with the PostgreSQL tests skipped: `.ci/run` sets
NEWSMON_REQUIRE_POSTGRES=1, and with it an unreachable server fails the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_TEST = "tests/test_data_quality.py::test_connection_settings[postgresql]"


def run_pg_test(require: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSMON_TEST_PG_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"}
    env.pop("NEWSMON_REQUIRE_POSTGRES", None)
    if require:
        env["NEWSMON_REQUIRE_POSTGRES"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-rs", PG_TEST], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_ci_script_requires_postgres():
    assert "export NEWSMON_REQUIRE_POSTGRES=1" in (REPO / ".ci" / "run").read_text()


def test_unreachable_postgres_fails_when_required_and_skips_otherwise():
    required = run_pg_test(require=True)
    assert required.returncode != 0 and "NEWSMON_REQUIRE_POSTGRES=1" in required.stdout
    optional = run_pg_test(require=False)
    assert optional.returncode == 0 and "1 skipped" in optional.stdout, optional.stdout
