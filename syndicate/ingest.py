"""Ingest by change: what the sources say changed goes into the index. In a file read again,
a record whose raw hash is already stored is not normalized again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import clock
from .config import Config
from .errors import RecordError
from .store import NewRecord, Rejection, Store, instant

if TYPE_CHECKING:
    from .images import ImageProbes
    from .network import Network
    from .records import Article, Origin
    from .sources import Changes, Raw


@dataclass
class Ingested:
    """What one ingest did (the ids it changed are touched in the store)."""

    records_read: int = 0
    files_read: int = 0
    rejected: list[RecordError] = field(default_factory=list)  # for this run's messages
    images_unread: int = 0  # images the run's deadline (deadlines.images) left unread


Fill = Callable[[list["Article"]], list["Article"]]  # completes articles (image facts)
CHUNK = 500  # records normalized and stored at a time


def ingest(config: Config, store: Store, changes: Sequence[Changes],
           tick: Callable[[int], None] = lambda done: None, *, network: Network | None = None
           ) -> Ingested:
    """Bring the index's records in line with what the sources say changed.

    :param tick: called with the number of records read so far, for progress on a terminal.
    :param network: for reading the sizes of images that records give none for (when
        images.probe is on), before the articles are stored.
    :raises SourceError: when a file cannot be read; the caller rolls the index back.
    """
    images = _Images(config, store, network) if network and config.images.probe else None
    fill = images.fill if images else None
    result = Ingested()
    for change in changes:
        for key in change.gone:
            store.forget_file(key)
        for batch in change.batches:
            store.forget_positions(batch.key, batch.removed)
            _ingest_records(config, store, batch.key, batch.read(), result, tick, fill,
                            batch.versions)
            result.files_read += batch.versions is None
    if images:
        images.retry()
        if images.probes:
            result.images_unread = len(images.probes.unread)
    return result


class _Images:
    """The run's image probing, started only when an image needs reading: a run with none
    makes no HTTP client and imports no requests."""

    def __init__(self, config: Config, store: Store, network: Network) -> None:
        self.config, self.store, self.network = config, store, network
        self.probes: ImageProbes | None = None

    def _probes(self) -> ImageProbes:
        if self.probes is None:
            from .images import ImageProbes

            self.probes = ImageProbes(self.store, self.network.images, self.config)
        return self.probes

    def fill(self, articles: list[Article]) -> list[Article]:
        if not any(a.image and not (a.image.width and a.image.height) for a in articles):
            return articles
        return self._probes().complete(articles)

    def retry(self) -> None:
        """Probe again the images that failed long enough ago or were left unread."""
        if images_due(self.store, self.config):
            self._probes().retry_due()


def images_due(store: Store, config: Config) -> bool:
    """Whether an image probe is due: one not read yet, or a failure retry_hours old."""
    due = image_retry_due(store, config)
    return due is not None and due <= clock.stamp()


def image_retry_due(store: Store, config: Config) -> str | None:
    """When the next image probe is due (a stamp, "" for at once), or None: none will be."""
    images = config.images
    if not images.probe:
        return None
    return store.image_retry_due(images.retry_hours, failures=images.retry_per_run > 0)


def _ingest_records(config: Config, store: Store, key: str, raws: Iterable[Raw],
                    result: Ingested, tick: Callable[[int], None], fill: Fill | None,
                    versions: dict[int, str] | None = None) -> None:
    """Store the records of one file (all of them: `versions` None) or of some positions of a
    network source (`versions`: position -> version), normalizing only what is new.

    The records are taken CHUNK at a time and stored as they come: a source that streams them
    (a JSON Lines file) is held a chunk at a time, however long it is."""
    from .records import normalize

    positions = None if versions is None else sorted(versions)
    stored: dict[str, list] = defaultdict(list)
    for record in store.records_of(key, positions):
        stored[record.hash].append(record)
    moves: list[tuple[int, int]] = []
    moved: list[str] = []
    rejections: list[Rejection] = []
    records = iter(raws)
    while chunk := list(itertools.islice(records, CHUNK)):
        fresh = []
        for raw, origin in chunk:
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
        _store_fresh(store, key, fresh, fill, versions)
    leftovers = [record for records in stored.values() for record in records]
    store.delete_records(record.rowid for record in leftovers)
    store.touch([record.id for record in leftovers] + moved)
    store.move_records(moves)
    store.set_rejected(key, rejections, positions)


def _store_fresh(store: Store, key: str, fresh: list[tuple[Origin, str, Article]],
                 fill: Fill | None, versions: dict[int, str] | None) -> None:
    """Add the records normalized from one chunk, touching their ids."""
    from .records import article_to_json, safe_name

    articles = [article for _, _, article in fresh]
    if fill is not None and articles:
        articles = fill(articles)
    rows = [NewRecord(origin.index, article.id, digest, instant(article.updated),
                      article.category, instant(article.published), safe_name(article.id),
                      article_to_json(article), versions.get(origin.index) if versions else None)
            for (origin, digest, _), article in zip(fresh, articles, strict=True)]
    store.add_records(key, rows)
    store.touch([row.id for row in rows])


def record_hash(raw: object) -> str:
    """A hash of the raw record as read (keys renamed): equal records, equal hashes."""
    try:
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    except RecursionError:  # nested too deeply to copy: normalize rejects it by its fields
        text = repr(type(raw)) + str(id(raw))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
