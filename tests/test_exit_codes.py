"""The same condition exits with the same code, and one clear last line, in every command that
meets it (issue 11): 2 for usage and config errors, 1 for a command that could not do its job."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, Site, record

Setup = Callable[[Site], None]


def bad_config(site: Site) -> None:
    site.config.write_text(site.config.read_text(encoding="utf-8") + "colour: blue\n",
                           encoding="utf-8")


def bad_records(site: Site) -> None:
    (site.folder / "articles.yaml").write_text("articles: [\n", encoding="utf-8")


def foreign_index(site: Site) -> None:
    with sqlite3.connect(site.folder / "feeds.index.sqlite") as db:
        db.execute("CREATE TABLE customers (name TEXT)")


def rejected_record(site: Site) -> None:
    site.write_records([record(), record(id="2", title="")])


def nothing(site: Site) -> None:
    pass


CONFIG_PROBLEM = "syndicate: 1 problem(s) in the config; nothing was written"
NOT_A_FOLDER = "syndicate: error: {missing} is not a folder"
BAD_RECORDS = "syndicate: error: {folder}/articles.yaml:2: expected valid YAML"
UNKNOWN = "syndicate: error: no published article has the id or URL 'nope'"
FOREIGN = "syndicate: error: {folder}/feeds.index.sqlite is a SQLite file of another program"

# condition, command line ({config}, {missing} filled in), exit code, start of the last line
CASES = [
    (bad_config, "build --config {config}", 2, CONFIG_PROBLEM),
    (bad_config, "status --config {config}", 2, CONFIG_PROBLEM),
    (bad_config, "share 2026020401 --config {config}", 2, CONFIG_PROBLEM),
    (bad_config, "check --config {config}", 2, CONFIG_PROBLEM),
    (bad_config, "preview --config {config}", 2, CONFIG_PROBLEM),
    (bad_config, "serve --config {config} --port 0", 2, CONFIG_PROBLEM),
    (nothing, "check {missing} --config {config}", 2, NOT_A_FOLDER),
    (nothing, "serve --config {config} --output {missing} --port 0", 2, NOT_A_FOLDER),
    (bad_records, "build --config {config}", 1, BAD_RECORDS),
    (bad_records, "share 2026020401 --config {config}", 1, BAD_RECORDS),
    (bad_records, "preview --config {config}", 1, BAD_RECORDS),
    (nothing, "share nope --config {config}", 1, UNKNOWN),
    (nothing, "preview nope --config {config}", 1, UNKNOWN),
    (nothing, "status --config {config}", 1, "syndicate: error: no index at "),
    (foreign_index, "build --config {config}", 1, FOREIGN),
    (foreign_index, "status --config {config}", 1, FOREIGN),
    (rejected_record, "build --strict --config {config}", 1,
     "syndicate: error: 1 record(s) rejected; --strict: nothing was written"),
]


@pytest.mark.parametrize(("condition", "command", "code", "last_line"), CASES,
                         ids=[f"{c[0].__name__}: {c[1].split()[0]}" for c in CASES])
def test_a_condition_has_one_exit_code(site: Site, run: Callable[..., Run], condition: Setup,
                                       command: str, code: int, last_line: str) -> None:
    condition(site)
    values = {"config": site.config, "missing": site.folder / "missing",
              "folder": site.folder}
    result = run(*command.format(**values).split())
    assert result.code == code, result.err
    assert result.err.splitlines()[-1].startswith(last_line.format(**values)), result.err
    assert "Traceback" not in result.err


def test_a_busy_lock_exits_1_in_build(site: Site, run: Callable[..., Run],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from syndicate import publish

    monkeypatch.setattr(publish, "LOCK_WAIT_SECONDS", 0.1)
    site.feeds.mkdir()
    handle = os.open(site.feeds / ".syndicate.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = run("build", "--config", site.config)
    finally:
        os.close(handle)
    assert result.code == 1
    assert result.err.startswith("syndicate: error: another syndicate run holds ")


def test_every_error_class_a_user_can_cause_says_its_exit_code() -> None:
    import syndicate
    from syndicate import errors

    codes = {name: getattr(errors, name).exit_code for name in errors.__all__
             if isinstance(getattr(errors, name), type)}
    assert codes == {
        "BuildError": 1, "ConfigError": 2, "DeadlinePassed": 1, "FetchError": 1, "LockBusy": 1,
        "NothingPublishable": 1, "PublishError": 1, "RecordError": 1, "RejectedRecords": 1,
        "ServeError": 1, "SourceError": 1, "StoreError": 1, "SyndicateError": 1,
        "UnknownArticle": 1, "UsageError": 2}
    assert all(issubclass(getattr(errors, name), syndicate.SyndicateError) for name in codes)


def test_missing_folder_is_the_same_path_in_the_message(site: Site,
                                                        run: Callable[..., Run]) -> None:
    missing: Path = site.folder / "missing"
    assert run("check", missing).err == f"syndicate: error: {missing} is not a folder\n"
