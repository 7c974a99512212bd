"""`newsmon extract` through the real entry point: a saved page (plain or .gz) gives
what the parser fixtures expect, the profile comes from the URL's host, a manifest
gives one line per page in order, and bad input is one line on stderr, non-zero."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.items import ARTICLE_EXPORT_KEYS, ARTICLE_FIELDS

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
GENERIC = ROOT / "tests" / "fixtures" / "generic"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["extract", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def fixture_spec(name: str) -> dict:
    return json.loads((ARTICLES / f"{name}.json").read_text(encoding="utf-8"))


def test_an_al_mayadeen_page_gives_the_parser_fixtures_fields(capsys):
    spec = fixture_spec("ref-article")
    code, out, err = run(capsys, str(ARTICLES / "ref-article.html"),
                         "--url", spec["request_url"])
    assert code == 0, err
    record = json.loads(out)
    assert list(record)[:len(ARTICLE_EXPORT_KEYS)] == list(ARTICLE_EXPORT_KEYS)
    assert record["profile"] == "almayadeen" and record["is_article"] is True
    assert {k: record[k] for k in ARTICLE_FIELDS} == spec["expected"]
    assert record["first_seen_at"] is None and record["revision"] is None


def test_without_url_the_pages_canonical_chooses_the_profile(capsys):
    code, out, _err = run(capsys, str(ARTICLES / "ref-article.html"))
    assert code == 0
    record = json.loads(out)
    assert record["profile"] == "almayadeen"
    assert record["title"] == fixture_spec("ref-article")["expected"]["title"]


def test_another_host_gets_the_generic_profile(capsys):
    want = json.loads((GENERIC / "jsonld_teaser.json").read_text(encoding="utf-8"))
    code, out, err = run(capsys, str(GENERIC / "jsonld_teaser.html"),
                         "--url", "https://news.example.org/2024/03/floating-library")
    assert code == 0, err
    record = json.loads(out)
    assert record["profile"] == "generic" and record["is_article"] is True
    for needle in want["present"]:
        assert needle in record["body"]


def test_profile_forces_the_sites_reader_on_a_replica_url(capsys):
    spec = fixture_spec("ref-article")
    replica = "http://127.0.0.1:8000/news/politics/washington-backs-mali-s-junta"
    code, out, _err = run(capsys, str(ARTICLES / "ref-article.html"), "--url", replica)
    assert code == 0 and json.loads(out)["profile"] == "generic"
    code, out, _err = run(capsys, str(ARTICLES / "ref-article.html"), "--url", replica,
                          "--profile", "almayadeen")
    record = json.loads(out)
    assert code == 0 and record["profile"] == "almayadeen"
    assert record["related_urls"] and record["section"] == spec["expected"]["section"]


def test_a_non_article_page_is_reported_with_empty_fields(capsys):
    spec = fixture_spec("tag-page")
    code, out, _err = run(capsys, str(ARTICLES / "tag-page.html"), "--url", spec["request_url"])
    assert code == 0
    record = json.loads(out)
    assert record["is_article"] is False and record["body"] is None
    assert record["reason"]


def test_a_gz_page_reads_as_the_plain_one(tmp_path, capsys):
    plain = ARTICLES / "jsonld-only.html"
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    url = fixture_spec("jsonld-only")["request_url"]
    _code, first, _ = run(capsys, str(plain), "--url", url)
    code, second, err = run(capsys, str(packed), "--url", url)
    assert code == 0, err
    assert json.loads(second) == json.loads(first)
    assert json.loads(second)["body"]


@pytest.mark.parametrize("content, why", [
    (None, "no such file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary"),
    (b"just a line of text, no markup at all\n", "no HTML"),
    (b"", "empty"),
])
def test_a_bad_file_is_one_line_and_non_zero(tmp_path, capsys, content, why):
    path = tmp_path / "page.html"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, str(path))
    assert code == 1, why
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("newsmon: extract:"), err


def test_a_broken_gz_is_one_line(tmp_path, capsys):
    path = tmp_path / "page.html.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    code, _out, err = run(capsys, str(path))
    assert code == 1 and len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(capsys):
    code, _out, err = run(capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _out, err = run(capsys, "x.html", "--manifest", "m.jsonl")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _out, err = run(capsys, "--manifest", "/nonexistent/m.jsonl")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_a_manifest_gives_one_line_per_page_in_order(tmp_path, capsys):
    (tmp_path / "pages").mkdir()
    packed = tmp_path / "pages" / "a.html.gz"
    packed.write_bytes(gzip.compress((ARTICLES / "ref-article.html").read_bytes()))
    lines = [
        json.dumps({"path": "pages/a.html.gz",
                    "url": fixture_spec("ref-article")["request_url"]}),
        '{"path": "pages/b.html", "url": ',                              # broken JSON
        json.dumps({"path": str(tmp_path / "missing.html"), "url": "https://x.org/a"}),
        json.dumps({"path": str(GENERIC / "div_paragraphs.html"),
                    "url": "https://news.example.com/2024/05/story"}),
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "--manifest", str(manifest), "--timings")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 4
    assert records[0]["profile"] == "almayadeen"
    assert records[0]["title"] == fixture_spec("ref-article")["expected"]["title"]
    assert "error" in records[1] and records[1]["line"] == 2
    assert "error" in records[2] and "no such file" in records[2]["error"]
    assert records[3]["profile"] == "generic" and records[3]["body"]
    assert all(r["cpu_ms"] >= 0 for r in (records[0], records[3]))
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "2 of 4" in err


def test_the_installed_entry_point_runs_it():
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "extract",
                           str(ARTICLES / "jsonld-only.html"), "--format", "json"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["title"] == fixture_spec("jsonld-only")["expected"]["title"]
