"""Issue 14: a run with nothing to do stats the config and the record files and reads no YAML
(noop.py); anything changed or owed, or a state file missing or corrupt, takes the normal path
with the same result."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT, record
from fakewp import FakeWordPress, wp_post

import syndicate.config
from syndicate.noop import state_path

NOOP = "nothing changed in the sources; nothing was read or written\n"


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The configs the runs load (config.load_config), recorded."""
    loaded: list[str] = []
    real = syndicate.config.load_config
    monkeypatch.setattr(syndicate.config, "load_config",
                        lambda path: loaded.append(str(path)) or real(path))
    return loaded


@pytest.fixture
def folder_site(site):
    (site.folder / "exports").mkdir()
    (site.folder / "exports" / "a.jsonl").write_text(json.dumps(record(id="a")) + "\n",
                                                     encoding="utf-8")
    site.write_config(records_file="exports")
    return site


def _last_run(site) -> str:
    with sqlite3.connect(site.folder / "feeds.index.sqlite") as db:
        return db.execute("SELECT value FROM meta WHERE key = 'last_run'").fetchone()[0]


def test_nothing_changed_loads_no_config(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    before, last_run = folder_site.files(), _last_run(folder_site)
    loads.clear()
    result = run("build", "--config", folder_site.config, "-v")
    assert (result.code, result.out, result.err) == (0, NOOP, "")
    assert loads == []
    assert folder_site.files() == before
    assert _last_run(folder_site) >= last_run
    assert run("build", "--config", folder_site.config).out == ""  # quiet as ever


def test_the_no_op_path_imports_no_yaml(folder_site, run):
    assert run("build", "--config", folder_site.config).code == 0
    probe = ("import sys; from syndicate.cli import main; code = main(['build', '--config', "
             f"{str(folder_site.config)!r}]); "
             "print(code, sorted(m for m in ('yaml', 'syndicate.config', 'feedgen', 'requests',"
             " 'syndicate.records') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, check=True, env=os.environ)
    assert result.stdout == "0 []\n"


def test_a_touched_config_is_loaded_again(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    os.utime(folder_site.config)
    loads.clear()
    assert run("build", "--config", folder_site.config, "-v").out == NOOP
    assert loads == [str(folder_site.config)]
    loads.clear()
    assert run("build", "--config", folder_site.config, "-v").out == NOOP
    assert loads == []  # the run that loaded it left a new state


def test_an_edited_config_is_loaded_and_published(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    folder_site.write_config(records_file="exports", site={
        "title": "新的站名", "url": "https://nchn.example.com/", "language": "zh-TW",
        "timezone": "Asia/Taipei", "tag_date": "2026-01-01"})
    assert run("build", "--config", folder_site.config).code == 0
    assert loads and "新的站名" in folder_site.read("rss.xml")


def test_a_new_file_in_a_folder_source_is_read(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    (folder_site.folder / "exports" / "b.jsonl").write_text(
        json.dumps(record(id="b", published="2026-02-05T10:00:00+08:00")) + "\n",
        encoding="utf-8")
    loads.clear()
    result = run("build", "--config", folder_site.config, "-v")
    assert loads and "written   articles/b.json" in result.out


@pytest.mark.parametrize("change", ["append", "remove"])
def test_a_changed_or_removed_file_is_read(folder_site, run, loads, change):
    assert run("build", "--config", folder_site.config).code == 0
    path = folder_site.folder / "exports" / "a.jsonl"
    if change == "append":
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record(id="c")) + "\n")
    else:
        (folder_site.folder / "exports" / "z.jsonl").write_text(
            json.dumps(record(id="z")) + "\n", encoding="utf-8")
        assert run("build", "--config", folder_site.config).code == 0
        (folder_site.folder / "exports" / "z.jsonl").unlink()
    loads.clear()
    result = run("build", "--config", folder_site.config, "-v")
    assert loads and result.out != NOOP


@pytest.mark.parametrize("state", ["missing", "corrupt", "a list", "another index"])
def test_a_missing_or_corrupt_state_takes_the_normal_path(folder_site, run, loads, state):
    assert run("build", "--config", folder_site.config).code == 0
    path = state_path(folder_site.config)
    if state == "missing":
        path.unlink()
    elif state == "corrupt":
        path.write_bytes(b"{\"program\": \x00")
    elif state == "a list":
        path.write_text("[]", encoding="utf-8")
    else:
        saved = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**saved, "index": str(folder_site.folder / "nothing")}),
                        encoding="utf-8")
    loads.clear()
    before = folder_site.files()
    result = run("build", "--config", folder_site.config, "-v")
    assert (result.code, result.out) == (0, NOOP)
    assert loads == [str(folder_site.config)]
    assert folder_site.files() == before


def test_another_config_publishing_into_the_index_is_noticed(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    other = folder_site.folder / "other.yaml"
    text = folder_site.config.read_text(encoding="utf-8")
    other.write_text(text.replace("全國大小事新聞網", "另一個網站"), encoding="utf-8")
    assert run("build", "--config", other).code == 0
    loads.clear()
    assert run("build", "--config", folder_site.config).code == 0
    assert loads == [str(folder_site.config)]
    assert "全國大小事新聞網" in folder_site.read("rss.xml")


def test_pending_pings_take_the_normal_path(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    with sqlite3.connect(folder_site.folder / "feeds.index.sqlite") as db:
        db.execute("INSERT INTO pings VALUES ('http://127.0.0.1:9/hub', 'topic')")
    loads.clear()
    run("build", "--config", folder_site.config)
    assert loads == [str(folder_site.config)]


@pytest.mark.parametrize("flags", [["--full"], ["--output", "elsewhere"]])
def test_flags_that_ask_for_another_run_take_the_normal_path(folder_site, run, loads, flags):
    assert run("build", "--config", folder_site.config).code == 0
    loads.clear()
    flags = [str(folder_site.folder / flag) if flag == "elsewhere" else flag for flag in flags]
    assert run("build", "--config", folder_site.config, *flags).code == 0
    assert loads == [str(folder_site.config)]


def test_an_output_folder_without_its_report_is_rendered_again(folder_site, run, loads):
    assert run("build", "--config", folder_site.config).code == 0
    (folder_site.feeds / "build-report.json").unlink()
    (folder_site.feeds / "rss.xml").unlink()
    loads.clear()
    assert run("build", "--config", folder_site.config).code == 0
    assert loads and (folder_site.feeds / "rss.xml").is_file()


def test_a_wordpress_source_asks_its_site_every_run(site, run, loads):
    server = FakeWordPress(posts=[wp_post(100, "第一則")]).start()
    try:
        site.write_config(sources=[{"type": "wordpress", "url": server.url}],
                          images={"probe": False})
        assert run("build", "--config", site.config).code == 0
        server.requests.clear()
        loads.clear()
        result = run("build", "--config", site.config, "-v")
        assert loads == [str(site.config)]
        assert result.out == ("nothing changed in the sources; nothing was read or written; "
                              "1 HTTP request(s) to WordPress\n")
    finally:
        server.stop()
