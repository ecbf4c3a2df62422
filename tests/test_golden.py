"""The whole pipeline against committed output: a fresh build of tests/fixtures/golden must give
exactly the files under tests/fixtures/golden/expected/ (`SYNDICATE_UPDATE_GOLDEN=1` rewrites
them after an intended change; review the diff before committing it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import ROOT

GOLDEN = ROOT / "tests" / "fixtures" / "golden"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_a_fresh_build_equals_the_committed_output(tmp_path, run, monkeypatch):
    # build-report.json names record files as the config was named: relative, as cron would.
    monkeypatch.chdir(ROOT)
    result = run("build", "--config", GOLDEN.relative_to(ROOT) / "site.yaml",
                 "--output", tmp_path / "feeds")
    assert (result.code, result.err) == (0, "")
    built = _tree(tmp_path / "feeds")
    if os.environ.get("SYNDICATE_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN / "expected", ignore_errors=True)
        shutil.copytree(tmp_path / "feeds", GOLDEN / "expected",
                        ignore=shutil.ignore_patterns(".*"))
    expected = _tree(GOLDEN / "expected")
    assert sorted(built) == sorted(expected)
    for name, data in expected.items():
        assert built[name].decode("utf-8") == data.decode("utf-8"), name
