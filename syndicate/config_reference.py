"""docs/config.md, written from the description of each key in config.py (its parser's words,
its default, its help text), so that the reference cannot drift from the code."""

from __future__ import annotations

from dataclasses import Field
from typing import Any

from .config import Config, Source, _keys, _sections
from .config_keys import ACCEPTS, absent
from .sources import readers

_INTRO = """\
# Config reference

Every key of the config file; `config/site.yaml` is a complete example. Back to the
[README](../README.md).

This file is generated: `make docs` rewrites it from the keys in `syndicate/config.py`, and
`tests/test_config.py` fails when the two drift apart. Edit the keys there, not this file.

Relative paths are relative to the config file's folder. `sources[].path` is the `path` of each
entry of the list `sources`. syndicate reports every problem in the file at once, before it
reads or writes anything else: `file:line: key: expected …, found …`.
"""
_HEADER = ["| key | type | default | what it does |", "| --- | --- | --- | --- |"]


def reference() -> str:
    """The markdown of docs/config.md: a table of each section's keys, from their fields."""
    lines = [_INTRO, *_table("Top level", "", Config)]
    for name, cls, is_list in _sections():
        lines += _table(f"`{name}`", f"{name}[]." if is_list else f"{name}.", cls)
    return "\n".join(lines)


def _table(title: str, prefix: str, cls: type) -> list[str]:
    lines = [f"## {title}", "", *_HEADER]
    for name, spec in _keys(cls).items():
        meta = spec.metadata
        owners = readers(name) if cls is Source else []  # the types of source that read it
        only = f"`{'`, `'.join(owners)}` sources only: " if owners else ""
        lines.append(f"| `{prefix}{name}` | {ACCEPTS[meta['parse']]} | {_shown(spec, owners)} "
                     f"| {only}{meta['help']} |")
    return [*lines, ""]


def _shown(spec: Field[Any], owners: list[str]) -> str:
    """The default column: required, the default value, or words for a default taken elsewhere."""
    if spec.metadata["required"]:
        return f"required for `{'`, `'.join(owners)}` sources" if owners else "required"
    value = absent(spec)
    if spec.metadata["shown"] or value in (None, "", {}, ()):
        return spec.metadata["shown"]
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"
