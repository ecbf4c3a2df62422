"""The index: a run reads only changed files and renders only what changed; removing a record
unpublishes it; the index survives corruption, old schemas and deletion."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO

import pytest
from conftest import ROOT, record

import syndicate
from syndicate import schema
from syndicate.progress import Progress


def _day_files(site, days: dict[str, list[dict]]) -> None:
    folder = site.folder / "exports"
    folder.mkdir(exist_ok=True)
    for name, records in days.items():
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                           for r in records), encoding="utf-8")
    site.write_config(records_file="exports")


def _mtimes(site) -> dict[str, int]:
    return {str(p.relative_to(site.feeds)): p.stat().st_mtime_ns
            for p in site.feeds.rglob("*") if p.is_file() and not p.name.startswith(".")}


def _written(result) -> list[str]:
    return sorted(line.split()[1] for line in result.out.splitlines()
                  if line.startswith("written "))


@pytest.fixture
def daily(site):
    _day_files(site, {
        "2026-02-03.jsonl": [
            record(id="a", category="local", published="2026-02-03T08:00:00+08:00"),
            record(id="b", category="life", published="2026-02-03T09:00:00+08:00")],
        "2026-02-04.jsonl": [
            record(id="c", category="society", published="2026-02-04T10:00:00+08:00")],
    })
    return site


def test_a_new_article_re_renders_exactly_what_shows_it(daily, run, monkeypatch):
    assert run("build", "--config", daily.config).code == 0
    before = _mtimes(daily)
    reads = []
    from syndicate.sources import files

    real = files.read_file
    monkeypatch.setattr(files, "read_file", lambda path, source: reads.append(path.name) or
                        real(path, source))
    today = daily.folder / "exports" / "2026-02-04.jsonl"
    with today.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record(id="d", category="society",
                                       published="2026-02-04T11:00:00+08:00")) + "\n")
    result = run("build", "--config", daily.config, "-v")
    assert result.code == 0
    assert reads == ["2026-02-04.jsonl"]  # yesterday's file is not read again
    assert _written(result) == ["articles/d.html", "articles/d.json", "atom.xml",
                                "build-report.json", "feed.json", "index.html",
                                "rss.xml", "society/archive/2026-02.atom.xml",
                                "society/archive/2026-02.json",
                                "society/archive/2026-02.rss.xml", "society/atom.xml",
                                "society/feed.json", "society/index.html", "society/rss.xml"]
    after = _mtimes(daily)
    untouched = {name for name in before if before[name] == after[name]}
    assert {"local/rss.xml", "life/atom.xml", "life/index.html", "articles/a.json",
            "articles/c.html"} <= untouched
    assert "d" in daily.read("society/rss.xml")


def test_nothing_changed_reads_nothing_and_writes_nothing(daily, run, monkeypatch):
    assert run("build", "--config", daily.config).code == 0
    before = _mtimes(daily)
    from syndicate.sources import files

    monkeypatch.setattr(files, "read_file", lambda *args: pytest.fail("a file was read"))
    result = run("build", "--config", daily.config, "-v")
    assert result.out == "nothing changed in the sources; nothing was read or written\n"
    assert _mtimes(daily) == before


def test_the_no_op_path_loads_no_renderer(daily, run):
    assert run("build", "--config", daily.config).code == 0
    probe = ("import sys; from syndicate.cli import main; code = main(['build', '--config', "
             f"{str(daily.config)!r}]); "
             "print(code, sorted(m for m in ('feedgen', 'lxml', 'requests', 'nh3', "
             "'twitter_text', 'syndicate.records') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout == "0 []\n"


def test_an_unchanged_record_in_a_changed_file_is_not_normalized_again(daily, run, monkeypatch):
    assert run("build", "--config", daily.config).code == 0
    import syndicate.records

    normalized = []
    real = syndicate.records.normalize
    monkeypatch.setattr(syndicate.records, "normalize",
                        lambda raw, config, origin: normalized.append(raw["id"]) or
                        real(raw, config, origin))
    _day_files(daily, {"2026-02-03.jsonl": [
        record(id="a", category="local", published="2026-02-03T08:00:00+08:00"),
        record(id="b", category="life", published="2026-02-03T09:00:00+08:00", title="改"),
    ]})
    result = run("build", "--config", daily.config, "-v")
    assert result.code == 0
    assert normalized == ["b"]
    assert "articles/a.json" not in _written(result)


def test_a_record_removed_from_its_file_is_unpublished_everywhere(daily, run):
    assert run("build", "--config", daily.config).code == 0
    assert (daily.feeds / "articles" / "b.json").exists()
    _day_files(daily, {"2026-02-03.jsonl": [
        record(id="a", category="local", published="2026-02-03T08:00:00+08:00")]})
    result = run("build", "--config", daily.config, "-v")
    assert result.code == 0
    assert not (daily.feeds / "articles" / "b.json").exists()
    assert not (daily.feeds / "articles" / "b.html").exists()
    for name in ("rss.xml", "atom.xml", "feed.json", "life/rss.xml", "life/feed.json"):
        assert "article/b<" not in daily.read(name) and 'article/b"' not in daily.read(name)
    assert daily.json("life/feed.json")["items"] == []
    assert "removed   articles/b.html\nremoved   articles/b.json\n" in result.out


def test_a_file_that_disappears_unpublishes_its_articles(daily, run):
    assert run("build", "--config", daily.config).code == 0
    (daily.folder / "exports" / "2026-02-04.jsonl").unlink()
    assert run("build", "--config", daily.config).code == 0
    ids = [item["id"].rsplit("/", 1)[1] for item in daily.json("feed.json")["items"]]
    assert ids == ["b", "a"]
    assert not (daily.feeds / "articles" / "c.json").exists()


def test_the_same_id_in_two_files_publishes_the_newer_edit(daily, run):
    _day_files(daily, {"2026-02-05.jsonl": [
        record(id="a", category="local", title="更正", published="2026-02-03T08:00:00+08:00",
               updated="2026-02-05T08:00:00+08:00")]})
    assert run("build", "--config", daily.config).code == 0
    titles = {item["id"].rsplit("/", 1)[1]: item["title"]
              for item in daily.json("feed.json")["items"]}
    assert titles["a"] == "更正"
    (daily.folder / "exports" / "2026-02-05.jsonl").unlink()
    assert run("build", "--config", daily.config).code == 0
    titles = {item["id"].rsplit("/", 1)[1]: item["title"]
              for item in daily.json("feed.json")["items"]}
    assert titles["a"] == record()["title"]


def test_deleting_the_index_and_rebuilding_gives_the_same_bytes(daily, run):
    assert run("build", "--config", daily.config).code == 0
    before = daily.files()
    config = syndicate.load_config(daily.config)
    for path in config.output.index_path().parent.glob(config.output.index_path().name + "*"):
        path.unlink()
    result = run("build", "--config", daily.config, "-v")
    assert result.code == 0
    assert daily.files() == before
    assert "written " not in result.out.replace("written   build-report.json", "")


def test_full_reads_and_renders_everything_again(daily, run):
    assert run("build", "--config", daily.config).code == 0
    result = run("build", "--config", daily.config, "-v", "--full")
    assert "3 records read from 2 file(s)" in result.out
    assert "unchanged articles/a.json" in result.out
    assert "unchanged society/rss.xml (1 items)" in result.out


def test_a_changed_config_renders_what_reads_the_changed_key(daily, run):
    assert run("build", "--config", daily.config).code == 0
    _day_files(daily, {})
    daily.write_config(records_file="exports", share={"x_via": "nchn_news"})
    result = run("build", "--config", daily.config, "-v")
    assert "written   articles/a.json" in result.out  # the tweet now ends "via @nchn_news"
    assert "written   index.html" in result.out  # twitter:site of the landing page
    assert "rss.xml" not in result.out  # no feed reads share.x_via: none is rendered


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b""])
def test_a_corrupt_index_is_a_clear_error_and_harms_no_feed(daily, run, content):
    assert run("build", "--config", daily.config).code == 0
    before = daily.files()
    index = syndicate.load_config(daily.config).output.index_path()
    for extra in index.parent.glob(index.name + "-*"):
        extra.unlink()
    index.write_bytes(content)
    _day_files(daily, {"2026-02-05.jsonl": [record(id="e")]})
    result = run("build", "--config", daily.config)
    if not content:  # an empty file is a new index: the run rebuilds it
        assert result.code == 0
        return
    assert result.code == 1
    assert result.err == (f"syndicate: error: {index} is not a syndicate index (file is not a "
                          "database); move it away, or set output.index to another file\n")
    assert daily.files() == before


def test_a_foreign_sqlite_file_is_refused(daily, run):
    index = syndicate.load_config(daily.config).output.index_path()
    with sqlite3.connect(index) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
    result = run("build", "--config", daily.config)
    assert result.code == 1
    assert result.err == (f"syndicate: error: {index} is a SQLite file of another program, not "
                          "a syndicate index; move it away, or set output.index to another "
                          "file\n")
    assert not daily.feeds.joinpath("rss.xml").exists()
    with sqlite3.connect(index) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("customers",)]


def test_an_index_of_an_older_schema_is_migrated(daily, run, tmp_path):
    index = syndicate.load_config(daily.config).output.index_path()
    db = sqlite3.connect(index, isolation_level=None)
    schema.migrate(db, 1)  # what the first release wrote
    db.execute("INSERT INTO meta VALUES ('last_run', '2026-01-01T00:00:00+00:00')")
    db.close()
    assert run("build", "--config", daily.config).code == 0
    with sqlite3.connect(index) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (schema.SCHEMA_VERSION,)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"rejected", "feeds", "articles"} <= tables
    assert len(daily.json("feed.json")["items"]) == 3


def test_an_index_of_a_newer_schema_is_refused(daily, run):
    index = syndicate.load_config(daily.config).output.index_path()
    db = sqlite3.connect(index, isolation_level=None)
    schema.migrate(db, schema.SCHEMA_VERSION)
    db.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    db.close()
    result = run("build", "--config", daily.config)
    assert result.code == 1
    assert "written by a newer syndicate" in result.err


def test_a_failed_run_leaves_its_work_to_the_next(daily, run, monkeypatch):
    assert run("build", "--config", daily.config).code == 0
    _day_files(daily, {"2026-02-05.jsonl": [record(id="e", category="world")]})
    from syndicate import publish

    monkeypatch.setattr(publish, "sync_filesystem", lambda folder: (_ for _ in ()).throw(
        OSError(5, "Input/output error")))
    assert run("build", "--config", daily.config).code == 1
    assert not (daily.feeds / "articles" / "e.json").exists()
    monkeypatch.undo()
    assert run("build", "--config", daily.config).code == 0
    assert (daily.feeds / "articles" / "e.json").exists()
    assert len(daily.json("world/feed.json")["items"]) == 1


def test_status_prints_the_index(daily, run):
    _day_files(daily, {"2026-02-05.jsonl": [record(id="bad", published="someday")]})
    assert run("build", "--config", daily.config).code == 3
    result = run("status", "--config", daily.config)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == f"index        {syndicate.load_config(daily.config).output.index_path()}"
    assert lines[1] == "articles     3 from 3 file(s)"
    assert lines[2:6] == ["  local                  1  地方", "  life                   1  生活",
                          "  society                1  社會", "  world                  0  國際"]
    assert lines[6].startswith("last run     20")
    assert lines[8] == "rejected     1"
    assert lines[9].startswith(f"  {daily.folder / 'exports' / '2026-02-05.jsonl'}:1 (record #1)"
                               ": id bad: published: expected a date")


def test_status_without_an_index(site, run):
    result = run("status", "--config", site.config)
    assert result.code == 1
    assert "no index at" in result.err and "run syndicate build first" in result.err


def test_progress_draws_one_line_and_clears_it():
    stream = StringIO()
    progress = Progress(stream)
    progress("articles", 10, 100)
    progress("articles", 100, 100)
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\rarticles: 10 of 100, ")
    assert "s left" in text
    assert "\rarticles: 100 of 100, " in text
    assert text.endswith("\r")


def test_the_index_is_not_in_the_output_folder(site, run):
    assert run("build", "--config", site.config).code == 0
    assert not [p for p in site.feeds.rglob("*.sqlite*")]
    assert (site.folder / "feeds.index.sqlite").is_file()
    assert os.path.getsize(site.folder / "feeds.index.sqlite") > 0
