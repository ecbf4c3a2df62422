"""The command line: exit codes, silence on success, -v/-q, --strict, --output, the lock,
and publishing that rewrites nothing when nothing changed."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_CONFIG, ROOT, record

import syndicate
from syndicate import publish


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


def test_success_is_silent_and_exits_0(site, run):
    result = run("build", "--config", site.config)
    assert (result.code, result.out, result.err) == (0, "", "")


def test_verbose_lists_every_file(site, run):
    first = run("build", "--config", site.config, "-v")
    assert first.code == 0
    assert "written   rss.xml (1 items)\n" in first.out
    assert "written   society/atom.xml (1 items)\n" in first.out
    assert "written   local/feed.json (0 items)\n" in first.out
    assert "written   articles/2026020401.json\n" in first.out
    assert "written   feed.xsl\n" in first.out
    assert "written   local/index.html\n" in first.out  # a landing page per feed folder
    assert "written   society/archive/2026-02.rss.xml\n" in first.out  # its month's archive
    assert first.out.endswith("1 articles; 1 records read from 1 file(s), 1 article(s) changed; "
                              "28 file(s) written, 0 unchanged\n")
    second = run("build", "--config", site.config, "-v")
    assert second.out == "nothing changed in the sources; nothing was read or written\n"
    third = run("build", "--config", site.config, "-v", "--full")
    assert "unchanged rss.xml (1 items)\n" in third.out
    assert third.out.endswith("0 file(s) written, 28 unchanged\n")


def test_rejections_exit_3_once_and_quiet_prints_only_them(site, run):
    site.write_records([record(id="a"), record(id="b", published="?")])
    loud = run("build", "--config", site.config)
    assert loud.code == 3
    assert loud.out == ""
    assert loud.err.endswith("syndicate: 1 of 2 record(s) rejected; the others were published\n")
    # The next cron run reads nothing new: no second mail about the same record.
    assert run("build", "--config", site.config) == type(loud)(0, "", "")
    site.write_records([record(id="a", title="新標題"), record(id="b", published="?")])
    quiet = run("build", "--config", site.config, "-q")
    assert quiet.code == 3
    assert quiet.err.count("\n") == 1 and quiet.err.startswith("rejected: ")


def test_strict_writes_nothing_when_a_record_is_rejected(site, run):
    site.write_records([record(id="a"), record(id="b", category="體育")])
    result = run("build", "--config", site.config, "--strict")
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "syndicate: error: 1 record(s) rejected; --strict: nothing was written")
    assert site.files() == {}


def test_no_valid_record_publishes_nothing(site, run):
    run("build", "--config", site.config)
    before = site.files()
    site.write_records([record(url="javascript:void(0)")])
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert "no record could be published (1 read, 1 rejected); the feeds stay as they were" in (
        result.err)
    assert site.files() == before


def test_a_first_run_that_rejects_every_record_says_why(site, run):
    """Issue 13: a newcomer's first run with a wrong field mapping. Each reason is printed
    before the last line, `status` shows them, and once fixed the run publishes."""
    source = site.write_records([
        {"post_id": 1, "headline": "標題", "link": "https://nchn.example.com/1/",
         "section": "社會", "pubDate": "2026-02-04"},
        record(id="b", published="民國115年2月30日")], name="articles.jsonl")
    site.write_config("articles.jsonl")
    result = run("build", "--config", site.config)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines() == [
        f"rejected: {source}:1 (record #1): id ?: id: required field is missing or empty; "
        "the record has fields syndicate does not read (post_id, headline, link, section, "
        "pubDate): map the one that holds the id with `fields:` in the config "
        "(`syndicate init --from FILE` proposes a mapping)",
        f"rejected: {source}:2 (record #2): id b: published: 2月30日 does not exist: "
        "2026-02 has 28 days, found '民國115年2月30日'",
        "syndicate: error: no record could be published (2 read, 2 rejected); the feeds stay "
        "as they were"]
    assert site.files() == {}
    status = run("status", "--config", site.config)
    assert status.code == 0
    assert "rejected     2\n" in status.out
    assert f"  {source}:2 (record #2): id b: published: 2月30日 does not exist" in status.out
    # the next run reads the file again and says the same: nothing was taken as read
    assert run("build", "--config", site.config).err == result.err
    site.write_records([record(id="a"), record(id="b", published="民國115年2月28日")],
                       name="articles.jsonl")
    assert run("build", "--config", site.config) == type(result)(0, "", "")
    assert "rejected     0\n" in run("status", "--config", site.config).out


def test_many_rejections_print_the_first_twenty_and_how_many_more(site, run):
    site.write_records([record(id=f"r{n:02d}", category="體育") for n in range(25)])
    result = run("build", "--config", site.config)
    lines = result.err.splitlines()
    assert result.code == 1
    assert [line.split(": id ")[1].split(":")[0] for line in lines[:20]] == [
        f"r{n:02d}" for n in range(20)]
    assert lines[20:] == [
        "rejected: … and 5 more, see `syndicate status`",
        "syndicate: error: no record could be published (25 read, 25 rejected); the feeds stay "
        "as they were"]
    assert run("status", "--config", site.config).out.count("unknown category '體育'") == 25


def test_output_flag_overrides_the_config(site, run, tmp_path):
    elsewhere = tmp_path / "public" / "feeds"
    assert run("build", "--config", site.config, "--output", elsewhere).code == 0
    assert (elsewhere / "rss.xml").is_file()
    assert not site.feeds.exists()


def test_usage_errors_exit_2(run):
    with pytest.raises(SystemExit) as exit_info:
        run("build", "-v", "-q")
    assert exit_info.value.code == 2


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        syndicate.cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"syndicate {syndicate.__version__}\n"


def test_a_second_build_rewrites_nothing(site, run):
    assert run("build", "--config", site.config).code == 0
    before = _mtimes(site.feeds)
    os.utime(site.config)  # even a touched config changes no output bytes
    assert run("build", "--config", site.config).code == 0
    assert _mtimes(site.feeds) == before


def test_a_rebuild_from_nothing_is_byte_identical(tmp_path, run):
    first, second = tmp_path / "one", tmp_path / "two"
    assert run("build", "--config", EXAMPLE_CONFIG, "--output", first).code == 0
    assert run("build", "--config", EXAMPLE_CONFIG, "--output", second).code == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    shutil.rmtree(first)
    assert run("build", "--config", EXAMPLE_CONFIG, "--output", first).code == 0
    assert all((first / n).read_bytes() == (second / n).read_bytes() for n in files)


def test_only_changed_files_are_rewritten(site, run):
    site.write_records([record(id="a", category="society"), record(id="b", category="life")])
    run("build", "--config", site.config)
    before = _mtimes(site.feeds)
    site.write_records([record(id="a", category="society"),
                        record(id="b", category="life", title="新標題")])
    run("build", "--config", site.config)
    after = _mtimes(site.feeds)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["articles/b.html", "articles/b.json", "atom.xml", "feed.json",
                       "index.html", "life/archive/2026-02.atom.xml",
                       "life/archive/2026-02.json", "life/archive/2026-02.rss.xml",
                       "life/atom.xml", "life/feed.json", "life/index.html",
                       "life/rss.xml", "rss.xml"]


def test_a_second_run_waits_for_the_lock_then_gives_up(site, run, monkeypatch):
    site.feeds.mkdir()
    holder = os.open(site.feeds / publish.LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    monkeypatch.setattr(publish, "LOCK_WAIT_SECONDS", 0.2)
    try:
        result = run("build", "--config", site.config)
    finally:
        os.close(holder)
    assert result.code == 1
    assert result.err == (f"syndicate: error: another syndicate run holds "
                          f"{site.feeds / publish.LOCK_NAME}; it waited 0.2 s. "
                          "If runs overlap often, run cron less often.\n")
    assert site.files() == {}
    assert run("build", "--config", site.config).code == 0  # released lock: next run works


def test_a_failed_write_leaves_old_files_and_no_temporary_file(site, run, monkeypatch):
    assert run("build", "--config", site.config).code == 0
    before = site.files()
    site.write_records([record(title="新標題")])

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish.os, "replace", full_disk)
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert result.err == (f"syndicate: error: cannot publish into {site.feeds}: "
                          "No space left on device\n")
    assert site.files() == before
    assert not [p for p in site.feeds.rglob(publish.TEMP_PREFIX + "*")]


def test_the_console_script_runs_the_example(tmp_path):
    script = Path(sys.executable).with_name("syndicate")
    result = subprocess.run([script, "build", "--config", EXAMPLE_CONFIG, "--output", tmp_path],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "society" / "rss.xml").is_file()


def test_temporary_files_of_a_killed_run_are_swept(site, run):
    assert run("build", "--config", site.config).code == 0
    leftovers = [site.feeds / f"{publish.TEMP_PREFIX}rss.xml-99999",
                 site.feeds / "society" / f"{publish.TEMP_PREFIX}atom.xml-99999"]
    for path in leftovers:
        path.write_bytes(b"<rss")
    (site.feeds / publish.MARKER_NAME).touch()  # what a run killed while writing leaves
    site.write_records([record(title="新標題")])  # and its change is undone in the index
    assert run("build", "--config", site.config).code == 0
    assert not any(path.exists() for path in leftovers)
    assert not (site.feeds / publish.MARKER_NAME).exists()


def test_an_unexpected_error_is_one_line_unless_debugging(site, run, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sys.modules["syndicate.build"], "publish_feeds", broken)
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert result.err == ("syndicate: internal error: RuntimeError: boom (set SYNDICATE_DEBUG=1 "
                          "for the traceback); files already published are intact\n")
    monkeypatch.setenv("SYNDICATE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        run("build", "--config", site.config)


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../x", "", "a\0b"])
def test_the_writer_refuses_paths_outside_the_output_folder(tmp_path, relative):
    with pytest.raises(publish.PublishError, match="outside"):
        publish.Publisher(tmp_path).write(relative, b"x")
    assert list(tmp_path.iterdir()) == []
