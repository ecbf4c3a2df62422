"""The README stays true: its command reference is --help, and it names every config key."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from syndicate.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
HELP_BLOCK = re.compile(r"<!-- help:(?P<command>[^>]+) -->\n```text\n(?P<text>.*?)```\n",
                        re.DOTALL)


def _help(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main([*command.split()[1:], "--help"])
    return capsys.readouterr().out


def test_the_readme_shows_each_commands_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    blocks = {m["command"]: m["text"] for m in HELP_BLOCK.finditer(README)}
    assert set(blocks) == {"syndicate", "syndicate build", "syndicate status", "syndicate share",
                           "syndicate check", "syndicate preview", "syndicate serve"}
    for command, text in blocks.items():
        assert _help(command, capsys) == text, f"README's help for {command!r} is out of date"
