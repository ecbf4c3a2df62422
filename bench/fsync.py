"""How to make many small files durable: one fsync per file, or one filesystem sync per batch.

    python bench/fsync.py [FOLDER] [--files 4000]

Each way writes FILES files of 3 KB to a temporary name in FOLDER and renames it into place, as
publish.py does; the table shows microseconds per file. syndicate uses the batch (BATCH_FILES in
publish.py), because a first build writes two files per article.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from syndicate.publish import sync_filesystem

DATA = b"x" * 3000


def run(folder: Path, files: int, batch: int, per_file_fsync: bool) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    pending: list[tuple[str, str]] = []
    for number in range(files):
        temp, target = f"{folder}/.tmp-{number}", f"{folder}/{number}.json"
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(handle, DATA)
        if per_file_fsync:
            os.fsync(handle)
        os.close(handle)
        pending.append((temp, target))
        if len(pending) >= batch or number == files - 1:
            if not per_file_fsync:
                sync_filesystem(folder)
            for old, new in pending:
                os.replace(old, new)
            directory = os.open(folder, os.O_RDONLY)
            os.fsync(directory)
            os.close(directory)
            pending.clear()
    return (time.perf_counter() - started) / files * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--files", type=int, default=4000)
    args = parser.parse_args()
    base = args.folder or Path(tempfile.mkdtemp(prefix="syndicate-fsync-"))
    print("| way | µs per file |\n| --- | ---: |")
    print(f"| fsync each file | {run(base / 'each', args.files, 1, True):.0f} |")
    for batch in (1, 64, 256, 1024, 4096):
        cost = run(base / str(batch), args.files, batch, False)
        print(f"| one sync per {batch} files | {cost:.0f} |")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
