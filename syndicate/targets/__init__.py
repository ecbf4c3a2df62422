"""Where the output folder is mirrored after a run: an object store behind a CDN (s3.py).

The folder stays the source of truth and the crash-safe staging area. Each file a run writes or
removes there is queued in the index (the `uploads` table) in the same transaction that records
the publish, so a run that dies or fails while uploading leaves the queue to the next run, and a
run with an empty queue sends no request and imports no S3 client. What a queued path becomes is
decided when it goes up, by the folder: a file that is there is put, one that is not is deleted.

Readers see a consistent bucket because the queue goes up in ranks: article files first, then
the feeds, sitemaps and partner files that link them, then pages, OPML, the stylesheet and
build-report.json, and deletions last, once the feeds that stopped linking them are up.

A comparison of the bucket's listing with the folder (`syndicate sync`, `build --full`, a new
bucket or new header settings, a run that died between publishing and recording it) queues
every difference, both ways.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..archives import ARCHIVE_PATH
from ..deadline import Deadline
from ..errors import TargetError

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store
    from .s3 import Bucket

SETTINGS_KEY = "target"  # meta: the settings the bucket's objects were put with
SYNC_KEY = "target sync"  # meta: "owed" while the bucket must be compared with the folder
OWED = "owed"
FEEDS = frozenset({"rss.xml", "atom.xml", "feed.json"})
ARTICLES, LINKING, REST, DELETIONS = range(4)  # the ranks, in the order they go up
BATCH = 256  # paths taken from the queue at a time; what went up is committed after each


def kind(path: str) -> str:
    """The kind of file at `path` (relative to the folder), as `s3.cache_control` names it."""
    top, _, rest = path.partition("/")
    if top == "articles" and rest:
        return "articles"
    if top in ("sitemaps", "partners") and rest:
        return top
    name = path.rpartition("/")[2]
    if name in FEEDS or ARCHIVE_PATH.search(path):  # a feed's archives are feeds too
        return "feeds"
    return "pages" if name == "index.html" else "other"


def rank(path: str, removed: bool = False) -> int:
    """When `path` goes up: see the module's docstring."""
    if removed:
        return DELETIONS
    return {"articles": ARTICLES, "feeds": LINKING, "sitemaps": LINKING,
            "partners": LINKING}.get(kind(path), REST)


class UploadQueue:
    """Queues the paths a Publisher writes or removes, a thousand rows at a time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: list[tuple[str, int]] = []

    def changed(self, path: str, removed: bool) -> None:
        self._rows.append((path, rank(path, removed)))
        if len(self._rows) >= 1000:
            self.flush()

    def flush(self) -> None:
        self.store.queue_uploads(self._rows)
        self._rows.clear()


def upload_queue(config: Config, store: Store) -> UploadQueue | None:
    """The queue a run's publisher fills, when the config names a bucket."""
    return UploadQueue(store) if config.s3.bucket else None


def owe_sync(config: Config, store: Store) -> None:
    """The folder may hold files no queue knows of (a run died after writing them and before
    recording it): compare the bucket with the folder on the next upload."""
    if config.s3.bucket:
        store.put(SYNC_KEY, OWED)


def settings(config: Config) -> str:
    """What the bucket's objects depend on besides the folder's bytes: where they are and the
    headers they were put with. Other settings put every file again."""
    s3 = config.s3
    where = (s3.endpoint_url, s3.bucket, s3.prefix, s3.gzip, sorted(s3.cache_control.items()))
    return hashlib.sha256(repr(where).encode()).hexdigest()


def pending(store: Store) -> bool:
    """Whether the index owes the bucket anything."""
    return store.has_uploads() or store.get(SYNC_KEY) == OWED


@dataclass
class Mirrored:
    """What an upload did."""

    put: int = 0
    deleted: int = 0
    requests: int = 0  # to the object store, listings included
    late: int = 0  # files still queued because deadlines.uploads passed


@dataclass(frozen=True)
class Pending:
    """What `syndicate status` says of the target."""

    target: str  # s3://bucket/prefix
    uploads: int
    deletions: int
    sync_owed: bool


def pending_for(config: Config, store: Store) -> Pending | None:
    if not config.s3.bucket:
        return None
    counts = store.upload_counts()
    return Pending(address(config), sum(n for r, n in counts.items() if r != DELETIONS),
                   counts.get(DELETIONS, 0), store.get(SYNC_KEY) == OWED)


def address(config: Config) -> str:
    s3 = config.s3
    where = f"s3://{s3.bucket}/{s3.prefix}"
    return f"{where} at {s3.endpoint_url}" if s3.endpoint_url else where


def mirror(config: Config, store: Store, *, sync: bool = False,
           on_progress: Callable[[int], None] | None = None) -> Mirrored:
    """Bring the bucket to the folder's state: compare the two first when `sync`, when a
    comparison is owed or when the bucket's settings changed; then upload the queue, committing
    what went up after each batch. No upload starts once deadlines.uploads has passed: what
    is left stays queued (`Mirrored.late`).

    :raises TargetError: the store refused or failed a request after the retries; what did not
        go up stays queued.
    """
    done = Mirrored()
    if not config.s3.bucket:
        if store.has_uploads() or store.get(SETTINGS_KEY):  # the target was turned off
            store.clear_uploads()
            store.put(SETTINGS_KEY, "")
            store.put(SYNC_KEY, "")
            store.commit()
        return done
    current = settings(config)
    put_all = store.get(SETTINGS_KEY) != current
    compare = put_all or sync or store.get(SYNC_KEY) == OWED
    if not compare and not store.has_uploads():
        return done  # nothing owed: no request, no S3 client
    from .s3 import Bucket

    bucket = None
    if compare:  # owed until done: a run that fails before it is done leaves it to the next
        store.put(SYNC_KEY, OWED)
        store.commit()
    try:
        bucket = Bucket(config)
        if compare:
            _queue_differences(bucket, config.output.dir, store, put_all)
            store.put(SETTINGS_KEY, current)
            store.put(SYNC_KEY, "")
            store.commit()
        deadline = Deadline("deadlines.uploads", config.deadlines.uploads)
        _upload(bucket, config.output.dir, store, done, on_progress, deadline)
    except TargetError as exc:
        left = sum(store.upload_counts().values())
        owed = " and a comparison with the folder" if store.get(SYNC_KEY) == OWED else ""
        raise TargetError(f"{exc}; the folder is published, and {left:,} file(s){owed} stay "
                          "queued for the next run") from None
    finally:
        done.requests = bucket.requests if bucket else 0
    return done


def _queue_differences(bucket: Bucket, root: Path, store: Store, put_all: bool) -> None:
    """Queue each file whose object is missing or holds other bytes (every file, when
    `put_all`), and each object that no file of the folder has."""
    listed = dict(bucket.listing())
    rows: list[tuple[str, int]] = []
    for path in folder_files(root):
        tag = listed.pop(path, None)
        if put_all or tag is None or tag != bucket.etag(path, (root / path).read_bytes()):
            rows.append((path, rank(path)))
        if len(rows) >= 1000:
            store.queue_uploads(rows)
            rows.clear()
    rows += [(path, DELETIONS) for path in listed]
    store.queue_uploads(rows)


def folder_files(root: Path) -> Iterator[str]:
    """The relative path of every file of the folder that is published: not the lock, the
    publishing mark, temporary files or anything else whose name starts with a dot."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        base = Path(folder).relative_to(root)
        for name in files:
            if not name.startswith("."):
                yield (base / name).as_posix()


def _upload(bucket: Bucket, root: Path, store: Store, done: Mirrored,
            on_progress: Callable[[int], None] | None, deadline: Deadline) -> None:
    for level in store.upload_ranks():
        after = ""
        while batch := store.next_uploads(level, after, BATCH):
            if deadline.passed():
                done.late = sum(store.upload_counts().values())
                return
            went, failure = bucket.mirror(root, batch, deadline)
            store.uploaded(path for path, _ in went)
            store.commit()
            done.put += sum(1 for _, put in went if put)
            done.deleted += sum(1 for _, put in went if not put)
            if on_progress:
                on_progress(done.put + done.deleted)
            if failure:
                raise TargetError(failure)
            after = batch[-1]
