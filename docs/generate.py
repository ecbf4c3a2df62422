"""Write the generated parts of the manual: docs/cli.md from each command's --help, and
docs/config.md from the config schema. `make docs` runs it; tests/test_docs.py calls the same
functions and fails when a committed file differs, so the two agree by construction.

    .venv/bin/python docs/generate.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The width every help text is wrapped to, so that a terminal's width never shows up as a diff.
COLUMNS = "80"

CLI_HEADER = """\
# Command reference

Every command's `--help`, as the installed `syndicate` prints it. Back to the
[README](../README.md).

This file is generated: `make docs` rewrites it from `--help`, and `tests/test_docs.py` fails
when it and `--help` drift apart. Edit the help texts in `syndicate/cli.py`, not this file.
"""


@contextlib.contextmanager
def _columns(width: str) -> Iterator[None]:
    """argparse wraps help to $COLUMNS; pin it for the duration, then put it back."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = width
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def commands() -> list[str]:
    """`syndicate` and each of its subcommands, in the order the parser declares them."""
    from syndicate import cli

    parser = cli._parser()
    subparsers = next(action for action in parser._actions
                      if isinstance(action, argparse._SubParsersAction))
    return ["syndicate", *(f"syndicate {name}" for name in subparsers.choices)]


def help_text(command: str) -> str:
    """What `command --help` prints at 80 columns.

    :param command: `syndicate` or `syndicate <subcommand>`.
    """
    from syndicate.cli import main

    out = io.StringIO()
    with _columns(COLUMNS), contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main([*command.split()[1:], "--help"])
    return out.getvalue()


def cli_reference() -> str:
    """The text of docs/cli.md: a heading and a `<!-- help:... -->` block per command."""
    sections = [CLI_HEADER]
    for command in commands():
        sections.append(f"## {command}\n\n<!-- help:{command} -->\n```text\n"
                        f"{help_text(command)}```\n<!-- /help -->\n")
    return "\n".join(sections)


def config_reference() -> str:
    """The text of docs/config.md, from the schema in syndicate/config.py."""
    from syndicate import config

    return config.reference()


def main() -> int:
    sys.path.insert(0, str(ROOT))  # the syndicate beside docs/, also without an install
    (DOCS / "cli.md").write_text(cli_reference(), encoding="utf-8")
    (DOCS / "config.md").write_text(config_reference(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
