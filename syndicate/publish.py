"""The only module that touches the output folder: atomic write-if-changed, the lock;
and, once files are published, the WebSub pings that tell hubs so.

A reader (or the web server) always sees a file's old bytes or its new bytes, never a mix: each
file is written to a temporary file in the same folder, flushed to disk, then renamed over the
old one. Files whose bytes did not change are not touched, so mtimes, ETags and CDN caches stay
valid. One run at a time holds an flock on ``.syndicate.lock`` in the output folder; the kernel
drops it when the process dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import LockBusy, PublishError

if TYPE_CHECKING:
    from .net import Client

LOCK_NAME = ".syndicate.lock"
TEMP_PREFIX = ".syndicate-tmp-"
MARKER_NAME = ".syndicate-publishing"  # present while a run writes, and after one died doing so
BATCH_FILES = 1024  # files per filesystem sync; bench/fsync.py measures the choice
LOCK_WAIT_SECONDS = 10.0  # a cron run every few minutes; a run in progress usually ends by then


def inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing any path that would leave `root`.

    The check is on the words of the path (absolute, `..`, NUL), not on the disk: resolving
    every path costs a syscall per component and the names come from records.safe_name anyway.
    """
    path = PurePosixPath(relative)  # made once: two files per article come through here
    parts = path.parts
    if not parts or path.is_absolute() or ".." in parts or "\0" in relative:
        raise PublishError(f"refusing to write {relative!r}: it is outside {root}")
    return root.joinpath(*parts)


@contextmanager
def hold_lock(root: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block; wait up to LOCK_WAIT_SECONDS for it.

    :raises LockBusy: when another run still holds it after the wait.
    """
    wait_seconds = LOCK_WAIT_SECONDS
    _make_folder(root)
    path = root / LOCK_NAME
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PublishError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another syndicate run holds {path}; it waited {wait_seconds:g} s. "
                        "If runs overlap often, run cron less often.") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


class Publisher:
    """Writes files under `root` atomically, and only when their bytes change.

    Durable without one fsync per file: new bytes go to temporary files in the target's folder;
    every BATCH_FILES files (and at finish) the filesystem is synced once, the temporary files
    are renamed over their targets, and each folder that got a new name is synced. After a power
    loss a target holds its old bytes or its new ones, never a torn file.
    """

    def __init__(self, root: Path, batch: int = BATCH_FILES,
                 on_change: Callable[[str, bool], None] | None = None) -> None:
        """:param on_change: called with (relative path, removed) for each file written or
            removed (the object store's queue, targets/)."""
        self.root = root
        self.batch = batch
        self.on_change = on_change
        self.interrupted = False  # begin() found the mark of a run that died writing
        self._pending: list[tuple[Path, Path]] = []  # (temporary file, target)
        self._doomed: list[Path] = []  # removed in finish(), after the renames
        self._dirty_folders: set[Path] = set()
        self._folders: set[Path] = set()

    def write(self, relative: str, data: bytes) -> bool:
        """Put `data` at `root/relative`; True when the file was written, False when unchanged."""
        target = inside(self.root, relative)
        if _same_bytes(target, data):
            return False
        if target.parent not in self._folders:
            _make_folder(target.parent)
            self._folders.add(target.parent)
        temp = target.parent / f"{TEMP_PREFIX}{target.name}-{os.getpid()}"
        try:  # os-level calls: a file costs 4 system calls, not the 7 of open()
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
            try:
                os.fchmod(handle, 0o644)  # readable by the web server whatever the umask
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view):]
            finally:
                os.close(handle)
        except OSError as exc:
            _remove_quietly(temp)
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        self._pending.append((temp, target))
        if self.on_change:
            self.on_change(relative, False)
        if len(self._pending) >= self.batch:
            self.flush()
        return True

    def flush(self) -> None:
        """Sync once, then rename the pending files into place and sync their folders."""
        if not self._pending:
            return
        try:
            sync_filesystem(self.root)
            for temp, target in self._pending:
                os.replace(temp, target)
                self._dirty_folders.add(target.parent)
        except OSError as exc:
            self.abort()
            raise PublishError(f"cannot publish into {self.root}: {exc.strerror or exc}") from exc
        self._pending.clear()
        self._sync_folders()

    def abort(self) -> None:
        """Drop the files not yet renamed into place: their targets keep their old bytes; and
        the removals not yet made: those files stay."""
        for temp, _ in self._pending:
            _remove_quietly(temp)
        self._pending.clear()
        self._doomed.clear()

    def read(self, relative: str) -> bytes | None:
        """The bytes now published at `root/relative`; None when no file is there."""
        try:
            return inside(self.root, relative).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise PublishError(f"cannot read {self.root / relative}: {exc.strerror}") from exc

    def remove(self, relative: str) -> bool:
        """Delete `root/relative`, if it exists, in finish() once the new files are in place;
        True when it exists."""
        target = inside(self.root, relative)
        if not os.path.lexists(target):
            return False
        self._doomed.append(target)
        if self.on_change:
            self.on_change(relative, True)
        return True

    def remove_strays(self, folder: str, published: Callable[[list[str]], set[str]]
                      ) -> list[str]:
        """Remove the files of `folder` whose stems `published` does not return (article files
        of ids no longer published), asking about a thousand names at a time; returns their
        paths, sorted."""
        removed: list[str] = []

        def check(names: list[str]) -> None:
            stems = [name.rpartition(".")[0] for name in names]
            kept = published(stems)
            for name, stem in zip(names, stems, strict=True):
                if stem not in kept and self.remove(f"{folder}/{name}"):
                    removed.append(f"{folder}/{name}")

        batch: list[str] = []
        with contextlib.suppress(FileNotFoundError), os.scandir(self.root / folder) as entries:
            for entry in entries:
                if entry.is_file() and not entry.name.startswith("."):
                    batch.append(entry.name)
                    if len(batch) == 1000:
                        check(batch)
                        batch = []
        check(batch)
        return sorted(removed)

    def _remove_doomed(self) -> None:
        for target in self._doomed:
            try:
                target.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise PublishError(f"cannot remove {target}: {exc.strerror}") from exc
            self._dirty_folders.add(target.parent)
        self._doomed.clear()

    def begin(self) -> list[Path]:
        """Start publishing (holding the lock): mark the folder as being written, and when the
        mark is already there, a run died after it began writing and before the index recorded
        what it wrote (`interrupted`): remove its temporary files.

        The mark spares every other run a scan of a folder that may hold two million files.
        """
        marker = self.root / MARKER_NAME
        leftovers: list[Path] = []
        try:
            self.interrupted = marker.exists()
            if self.interrupted:
                from .labels import FOLDERS  # tag and author feeds are a level further down

                folders = [self.root, *(p for p in self.root.iterdir() if p.is_dir())]
                folders += [p for name in FOLDERS if (self.root / name).is_dir()
                            for p in (self.root / name).iterdir() if p.is_dir()]
                for folder in folders:
                    with os.scandir(folder) as entries:
                        leftovers += [Path(e.path) for e in entries
                                      if e.name.startswith(TEMP_PREFIX)]
                for path in leftovers:
                    _remove_quietly(path)
            else:
                _make_folder(self.root)
                marker.touch()
        except OSError as exc:
            raise PublishError(f"cannot write into {self.root}: {exc.strerror}") from exc
        return sorted(leftovers)

    def finish(self) -> None:
        """Publish what is pending, make every rename and removal durable."""
        self.flush()
        self._remove_doomed()
        self._sync_folders()

    def end(self) -> None:
        """Drop the mark begin() made: call it once the index has recorded what was written."""
        _remove_quietly(self.root / MARKER_NAME)

    def _sync_folders(self) -> None:
        try:
            for folder in sorted(self._dirty_folders):
                handle = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(handle)
                finally:
                    os.close(handle)
        except OSError as exc:
            raise PublishError(f"cannot sync {folder}: {exc.strerror or exc}") from exc
        self._dirty_folders.clear()


def _same_bytes(target: Path, data: bytes) -> bool:
    """Whether `target` already holds exactly `data` (its size is checked before its bytes)."""
    try:
        if os.stat(target).st_size != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read() == data
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise PublishError(f"cannot read {target}: {exc.strerror}") from exc


def sync_filesystem(folder: Path) -> None:
    """Flush every written file of the filesystem that holds `folder` to disk, in one call
    (Linux syncfs; elsewhere the whole-system sync)."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        if _syncfs() is None or _syncfs()(handle) != 0:
            os.sync()
    finally:
        os.close(handle)


@functools.cache
def _syncfs() -> Any:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create the folder {folder}: {exc.strerror}") from exc


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def ping_hubs(client: Client, pings: Iterable[tuple[str, str]]) -> dict[str, tuple[str, list[str]]]:
    """Send a WebSub publish notification (hub.mode=publish, hub.url=each feed) for the
    (hub, feed URL) pairs, one request per hub and one try (the next run is the retry);
    returns hub -> (why, its feed URLs) for the hubs that failed."""
    from .net import FetchError

    by_hub: dict[str, list[str]] = {}
    for hub, topic in pings:
        by_hub.setdefault(hub, []).append(topic)
    failed = {}
    for hub, topics in sorted(by_hub.items()):
        data = [("hub.mode", "publish")] + [("hub.url", topic) for topic in sorted(topics)]
        try:
            reply = client.post(hub, data, retry=False)
            reason = None if 200 <= reply.status < 300 else f"HTTP {reply.status}"
        except FetchError as exc:
            reason = str(exc).removeprefix(f"{hub}: ")
        if reason:
            failed[hub] = (reason, topics)
    return failed
