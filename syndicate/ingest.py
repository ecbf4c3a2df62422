"""Ingest by change: which record files changed since the index last read them, and what their
records changed in the index. An unchanged file (same size, mtime and inode) is not read; in a
changed file, a record whose raw hash is already stored is not normalized again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, Source
from .publish import safe_name
from .sources.files import list_files
from .store import Rejection, Stat, Store, instant

if TYPE_CHECKING:
    from .records import Article, Origin
    from .sources.wordpress import Sync


@dataclass(frozen=True)
class SourceFile:
    source: Source
    path: Path
    stat: Stat

    @property
    def key(self) -> str:
        return str(self.path)


def source_files(config: Config) -> list[SourceFile]:
    """Every record file of every source, with its stat (a cheap call: nothing is read)."""
    files = []
    for source in config.sources:
        if source.type != "files":
            continue
        for path in list_files(source):
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue  # removed between listing and stat: gone, like a file never listed
            files.append(SourceFile(source, path, Stat(info.st_size, info.st_mtime_ns,
                                                       info.st_ino)))
    return files


@dataclass
class Ingested:
    """What one ingest did (the ids it changed are touched in the store)."""

    records_read: int = 0
    files_read: int = 0
    rejected: list = field(default_factory=list)  # RecordError, for this run's messages


def changed_files(files: list[SourceFile], store: Store) -> tuple[list[SourceFile], list[str]]:
    """The files to read (new or changed since the index read them) and the keys of files gone."""
    known = store.file_stats()
    present = {file.key for file in files}
    changed = [file for file in files if known.get(file.key) != file.stat]
    return changed, sorted(set(known) - present)


Fill = Callable[[list["Article"]], list["Article"]]  # completes articles (image facts)
Raw = tuple[Any, "Origin"]


def ingest(config: Config, store: Store, changed: list[SourceFile], gone: list[str],
           tick: Callable[[int], None] = lambda done: None, *,
           syncs: Sequence[tuple[Source, Sync]] = (), fill: Fill | None = None) -> Ingested:
    """Bring the index's records in line with the changed and gone files and the syncs of the
    network sources.

    :param tick: called with the number of records read so far, for progress on a terminal.
    :param syncs: what each WordPress source read (posts changed, posts gone).
    :param fill: completes the newly normalized articles (image sizes) before they are stored.
    :raises SourceError: when a file cannot be read; the caller rolls the index back.
    """
    from .sources.files import read_file

    result = Ingested()
    for key in gone:
        store.forget_file(key)
    for file in changed:
        _ingest_records(config, store, file.key, read_file(file.path, file.source), result,
                        tick, fill)
        result.files_read += 1
        store.set_file(file.key, file.stat)
    for source, sync in syncs:
        store.forget_positions(source.key, sync.removed)
        versions = {origin.index: version for _, origin, version in sync.posts}
        _ingest_records(config, store, source.key, [(raw, origin) for raw, origin, _ in sync.posts],
                        result, tick, fill, versions)
    return result


def _ingest_records(config: Config, store: Store, key: str, raws: list[Raw], result: Ingested,
                    tick: Callable[[int], None], fill: Fill | None,
                    versions: dict[int, str] | None = None) -> None:
    """Store the records of one file (all of them: `versions` None) or of some positions of a
    network source (`versions`: position -> version), normalizing only what is new."""
    from .records import RecordError, article_to_json, normalize

    positions = None if versions is None else sorted(versions)
    stored: dict[str, list] = defaultdict(list)
    for record in store.records_of(key, positions):
        stored[record.hash].append(record)
    fresh, moves, moved, rejections = [], [], [], []
    for raw, origin in raws:
        result.records_read += 1
        digest = record_hash(raw)
        if stored.get(digest):
            kept = stored[digest].pop()
            if kept.position != origin.index:  # a tie between duplicates goes by position
                moves.append((kept.rowid, origin.index))
                moved.append(kept.id)
            continue
        try:
            fresh.append((origin, digest, normalize(raw, config, origin)))
        except RecordError as error:
            result.rejected.append(error)
            rejections.append(Rejection(key, origin.index, origin.line, error.record_id,
                                        error.field, error.reason, origin.item))
        tick(result.records_read)
    articles = [article for _, _, article in fresh]
    if fill is not None and articles:
        articles = fill(articles)
    rows = [(origin.index, article.id, digest, instant(article.updated), article.category,
             instant(article.published), safe_name(article.id), article_to_json(article),
             versions.get(origin.index) if versions else None)
            for (origin, digest, _), article in zip(fresh, articles, strict=True)]
    leftovers = [record for records in stored.values() for record in records]
    store.delete_records(record.rowid for record in leftovers)
    store.add_records(key, rows)
    store.touch([record.id for record in leftovers] + [row[1] for row in rows] + moved)
    store.move_records(moves)
    store.set_rejected(key, rejections, positions)


def record_hash(raw: object) -> str:
    """A hash of the raw record as read (keys renamed): equal records, equal hashes."""
    try:
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    except RecursionError:  # nested too deeply to copy: normalize rejects it by its fields
        text = repr(type(raw)) + str(id(raw))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
