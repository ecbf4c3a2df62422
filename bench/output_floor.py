"""The output floors: what the disk costs for a build's files, with no rendering at all.

    python bench/output_floor.py write 100000 bench/.data/100k/floor-out   # (h) output floor
    python bench/output_floor.py read bench/.data/100k/feeds               # read back

`write` creates two files per article, of 1.6 KB and 2.6 KB (the sizes of an article's share
JSON and head fragment), each through a temporary file and a rename as syndicate publishes,
in one folder, then syncs the filesystem once. `read` reads every file under a folder back, as
`build --full` must to know that nothing changed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

SIZES = ((".json", 1600), (".html", 2600))


def write(count: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payloads = {suffix: b"x" * (size - 1) + b"\n" for suffix, size in SIZES}
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    for number in range(count):
        for suffix, data in payloads.items():
            target = os.path.join(folder, f"{number}{suffix}")
            temp = os.path.join(folder, f".tmp-{number}{suffix}")
            handle = os.open(temp, flags, 0o644)
            try:
                os.write(handle, data)
            finally:
                os.close(handle)
            os.replace(temp, target)
    handle = os.open(folder, os.O_RDONLY)
    try:
        _syncfs(handle)
    finally:
        os.close(handle)


def _syncfs(handle: int) -> None:
    """Linux syncfs, as syndicate's publisher calls it; elsewhere the whole-system sync."""
    import ctypes

    try:
        if ctypes.CDLL(None, use_errno=True).syncfs(handle) == 0:
            return
    except (OSError, AttributeError):
        pass
    os.sync()


def read(folder: Path) -> int:
    """Every file's bytes under `folder`; how many bytes in all."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), "rb") as handle:
                total += len(handle.read())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("write")
    writing.add_argument("count", type=int)
    writing.add_argument("folder", type=Path)
    reading = commands.add_parser("read")
    reading.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.count, args.folder)
    else:
        read(args.folder)


if __name__ == "__main__":
    main()
