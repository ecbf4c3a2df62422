"""The docs stay true: docs/cli.md is --help, and the Python examples of the README and of
docs/api.md run as doctests."""

from __future__ import annotations

import doctest
import importlib.util
import re
import shutil

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
assert _spec and _spec.loader
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

# A ```pycon block of a Markdown file: the examples a doctest runs.
PYCON_BLOCK = re.compile(r"^```pycon\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_the_cli_reference_is_each_commands_help():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert text == generate.cli_reference(), "docs/cli.md is out of date: run make docs"


def _examples(markdown: str) -> str:
    """Only the ```pycon blocks, each at its own line numbers, so that a failure names the line
    of the Markdown file and a closing fence is never read as expected output."""
    lines = [""] * (markdown.count("\n") + 1)
    for block in PYCON_BLOCK.finditer(markdown):
        first = markdown.count("\n", 0, block.start(1))
        for offset, line in enumerate(block[1].splitlines()):
            lines[first + offset] = line
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["README.md", "docs/api.md"])
def test_the_python_examples_run(name, tmp_path, monkeypatch):
    # A copy of the example site, so that the examples write their feeds and index there.
    shutil.copytree(ROOT / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    markdown = (ROOT / name).read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(_examples(markdown), {}, name, name, 0)
    assert test.examples, f"{name} has no ```pycon example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
