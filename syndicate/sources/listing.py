"""Which record files a files source names, and their stats: the one listing that a run uses
to see what changed, and that the no-op path (noop.py) uses without loading the config. It
imports no parser, so that path stays cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..store import Stat

FORMATS_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json",
                     ".jsonl": "jsonl", ".ndjson": "jsonl"}


def is_glob(path: Path) -> bool:
    return any(char in str(path) for char in "*?[")


def list_paths(path: Path) -> list[Path]:
    """The record files `path` names, sorted: the file itself, every record file of a folder
    (by suffix, not descending into subfolders, skipping hidden files), or a glob's matches."""
    if is_glob(path):
        anchor = Path(path.anchor or ".")
        matches = anchor.glob(str(path.relative_to(anchor))) if path.is_absolute() else Path(
            ".").glob(str(path))
        return sorted(p for p in matches if p.is_file() and not p.name.startswith("."))
    if path.is_dir():
        with os.scandir(path) as entries:  # d_type tells files apart: no stat per entry
            return sorted(Path(entry.path) for entry in entries
                          if not entry.name.startswith(".") and entry.is_file()
                          and os.path.splitext(entry.name)[1].lower() in FORMATS_BY_SUFFIX)
    return [path]


def file_stats(path: Path) -> dict[str, Stat]:
    """path -> stat of each record file `path` names now."""
    found = {}
    for name in list_paths(path):
        try:
            info = os.stat(name)
        except FileNotFoundError:
            continue  # removed between listing and stat: gone, like a file never listed
        found[str(name)] = Stat(info.st_size, info.st_mtime_ns, info.st_ino)
    return found
