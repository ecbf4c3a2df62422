"""The SQLite index of articles: what each source file held, which record of each id wins, and
what each feed last showed. It answers "the newest N of category C" from an index, so a run costs
what changed, not the size of the archive.

Tables (schema.py creates them and migrates an older index forward):
  files     one row per record file read: the source that lists it, its size, mtime and inode
            when it was read
  records   every valid record of every file, its normalized article as JSON and a hash of the raw
            record (an unchanged record is never normalized again)
  articles  the published article of each id: the record with the newest `updated` (a tie: the
            later file and position)
  rejected  the records of each file that could not be published, with the reason
  feeds     the (id, hash) signature of what each feed file last showed, and how many items
  images    the size and type of each image URL read over HTTP (or why it could not be read),
            and when it was last tried (images.py tries a failure again after a while)
  image_uses  the article ids that use each image with no facts yet, to complete when it is read
  pings     WebSub publish pings that failed, to send again on the next run
  cards     the hash of what each article's share card showed when last published
  scrapes   URLs Facebook is still to be asked to read again (both: store_cards.py)
  uploads   files of the output folder still to be mirrored to the object store, with the
            rank that orders them (targets/)
  label_items  each tag and author of each published article, with its publication instant
  labels    the slug of each tag or author that has had a feed (kept forever), how many
            articles it had when last planned, and since when it is under the threshold
  meta      the fingerprints of what read the records and built each kind of output (kinds.py),
            last run, last
            change, and the state each source keeps (see source_state)
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from . import clock
from .errors import StoreError
from .schema import APPLICATION_ID, SCHEMA_VERSION, migrate
from .store_cards import CardTables

_IN_CHUNK = 500


class Stat(NamedTuple):
    size: int
    mtime_ns: int
    inode: int


class NewRecord(NamedTuple):
    """A valid record to store: where it stands in its file, its article as JSON, and the
    columns the index orders and chooses by."""

    position: int
    id: str
    hash: str  # of the raw record: an unchanged record is never normalized again
    updated: int  # instant()
    category: str
    published: int  # instant()
    name: str  # the article's file name, records.safe_name(id)
    article: str  # records.article_to_json()
    version: str | None = None  # what a network source calls this version (modified_gmt)


class Entry(NamedTuple):
    """One item of a feed's top N: an id and the hash of the record that won it."""

    id: str
    hash: str


class Duplicate(NamedTuple):
    """An id held by more than one record: how many, and the origins (JSON) of the one
    published and of the others."""

    id: str
    records: int
    kept: str
    dropped: list[str]


class StoredRecord(NamedTuple):
    rowid: int
    position: int
    id: str
    hash: str


class Rejection(NamedTuple):
    file: str
    position: int
    line: int | None
    id: str | None
    field: str
    reason: str
    item: str | None = None  # what a source calls the record ("post 12"), else record #n

    def __str__(self) -> str:  # as RecordError says it
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (f"{where} ({self.item or f'record #{self.position + 1}'}): id {self.id or '?'}: "
                f"{self.field}: {self.reason}")


def instant(value: datetime) -> int:
    """A datetime as whole microseconds since the epoch, for ordering in SQL."""
    return round(value.timestamp() * 1_000_000)


class Store(CardTables):
    """One open index. Changes are one transaction: commit() after the files are published."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    def in_memory(cls) -> Store:
        """An index held in memory only, for answering from the sources when there is no index
        on disk: the same ingest fills it and the same SQL chooses each id's winner."""
        store = cls(sqlite3.connect(":memory:", isolation_level=None), Path(":memory:"))
        store._prepare()
        return store

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> Store:
        """Open (or create) the index at `path`, migrating an older schema forward. Read-only,
        it takes no lock, so `status` and `share` never wait for a build in progress.

        :raises StoreError: for a file that is not a SQLite database or not syndicate's index,
            or, read-only, for one a build must migrate first.
        """
        try:
            if readonly:
                connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                             isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Checked before SQLite touches it: a failed open would leave a -shm file with
                # the index's mode, and the index unusable after its mode is fixed.
                for part in (path, path.with_name(path.name + "-wal"),
                             path.with_name(path.name + "-shm")):
                    if part.exists() and not os.access(part, os.R_OK | os.W_OK):
                        raise StoreError(f"cannot open the index: {part} is not writable (it "
                                         "must be readable and writable by the user running "
                                         "syndicate)")
                connection = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the index {path}: {exc}") from exc
        store = cls(connection, path)
        try:
            store._check()
            if not readonly:
                store._prepare()
        except sqlite3.OperationalError as exc:  # the file may be fine; its surroundings are not
            connection.close()
            raise StoreError(f"cannot use the index {path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StoreError(f"{path} is not a syndicate index ({exc}); move it away, or set "
                             "output.index to another file") from exc
        except StoreError:
            connection.close()
            raise
        if readonly and store.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            connection.close()
            raise StoreError(f"{path} is from another syndicate version; run syndicate build")
        return store

    def _check(self) -> None:
        db = self.db
        application = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application != APPLICATION_ID and (tables or version):
            raise StoreError(f"{self.path} is a SQLite file of another program, not a syndicate "
                             "index; move it away, or set output.index to another file")
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer syndicate (schema {version}, "
                             f"this one knows {SCHEMA_VERSION}); upgrade syndicate")

    def _prepare(self) -> None:
        db = self.db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        migrate(db, SCHEMA_VERSION)
        db.execute("PRAGMA temp_store=FILE")  # a million touched ids stay out of memory
        for table in ("touched (id TEXT PRIMARY KEY)",
                      "before (id TEXT PRIMARY KEY, hash TEXT, category TEXT, published INTEGER)",
                      "changed (id TEXT PRIMARY KEY, before TEXT, after TEXT, "
                      "published_before INTEGER, published_after INTEGER)"):
            db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}")
        db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN IMMEDIATE")

    def rollback(self) -> None:
        """Forget what this run wrote since the last commit."""
        self.db.execute("ROLLBACK")
        self.db.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        if self.db.in_transaction:
            with suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
        self.db.close()

    def _select_in(self, query: str, values: Sequence[Any], *before: Any
                   ) -> Iterator[tuple[Any, ...]]:
        """The rows of `query`, whose ``IN ({marks})`` holds `values`, asked _IN_CHUNK at a
        time (SQLite limits the variables of one statement); `before` binds the ? before it."""
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start:start + _IN_CHUNK]
            yield from self.db.execute(query.format(marks=",".join("?" * len(chunk))),
                                       (*before, *chunk))

    # --- meta ---

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def source_state(self, source: str, name: str) -> str | None:
        """A value a source keeps between runs (WordPress: its high water mark)."""
        return self.get(f"{source} {name}")

    def set_source_state(self, source: str, name: str, value: str) -> None:
        self.put(f"{source} {name}", value)

    def reset(self) -> None:
        """Forget what was read and published, so that the next ingest reads and renders
        everything again (another config or program). Item counts stay, for the shrink guard;
        image facts, pending pings and share cards stay too (a card that did not change is
        not sent to Facebook again)."""
        for table in ("files", "records", "articles", "rejected", "duplicates", "label_items"):
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("UPDATE feeds SET signature = ''")
        self.db.execute("DELETE FROM meta WHERE key LIKE 'fingerprint%'")

    # --- files ---

    def file_stats(self, source: str | None = None) -> dict[str, Stat]:
        """path -> stat of the record files read, of one source or of all."""
        query = "SELECT path, size, mtime_ns, inode FROM files"
        rows = (self.db.execute(query) if source is None else
                self.db.execute(query + " WHERE source = ?", (source,)))
        return {path: Stat(size, mtime, inode) for path, size, mtime, inode in rows}

    def set_file(self, source: str, path: str, stat: Stat) -> None:
        self.db.execute("INSERT OR REPLACE INTO files (path, size, mtime_ns, inode, source) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (path, stat.size, stat.mtime_ns, stat.inode, source))

    def forget_file(self, path: str) -> None:
        """Drop a file that is gone, with its records, touching the ids it held."""
        self.db.execute("INSERT OR IGNORE INTO temp.touched SELECT id FROM records WHERE file = ?",
                        (path,))
        self.db.execute("DELETE FROM records WHERE file = ?", (path,))
        self.db.execute("DELETE FROM rejected WHERE file = ?", (path,))
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    # --- records ---

    def records_of(self, path: str, positions: Sequence[int] | None = None
                   ) -> list[StoredRecord]:
        """The records of one file or source; with `positions`, only those at these positions."""
        query = "SELECT rowid, position, id, hash FROM records WHERE file = ?"
        rows = (self.db.execute(query, (path,)) if positions is None else
                self._select_in(query + " AND position IN ({marks})", positions, path))
        return [StoredRecord(*row) for row in rows]

    def versions(self, path: str, positions: Sequence[int] | None = None
                 ) -> dict[int, str | None]:
        """position -> version of the records of a source (WordPress: post id -> modified),
        rejected ones included (as None); of these positions only, or of all."""
        def rows(query: str) -> Iterable[tuple[Any, ...]]:
            if positions is None:
                return self.db.execute(query, (path,))
            return self._select_in(query + " AND position IN ({marks})", positions, path)

        found = dict(rows("SELECT position, version FROM records WHERE file = ?"))
        for (position,) in rows("SELECT position FROM rejected WHERE file = ?"):
            found.setdefault(position, None)
        return found

    def add_records(self, path: str, rows: Iterable[NewRecord]) -> None:
        """Insert records of one file or source; the caller `touch`es their ids."""
        self.db.executemany(
            "INSERT INTO records (file, position, id, hash, updated, category, published, name, "
            "article, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((path, r.position, r.id, r.hash, r.updated, r.category, r.published, r.name,
              r.article, r.version) for r in rows))

    def forget_positions(self, path: str, positions: Sequence[int]) -> None:
        """Drop the records (and rejections) at these positions of a source, touching their ids:
        posts that a WordPress listing no longer has."""
        for record in self.records_of(path, positions):
            self.touch([record.id])
            self.db.execute("DELETE FROM records WHERE rowid = ?", (record.rowid,))
        self.db.executemany("DELETE FROM rejected WHERE file = ? AND position = ?",
                            ((path, position) for position in positions))

    def touch(self, ids: Iterable[str]) -> None:
        """Mark ids whose records changed, for refresh()."""
        self.db.executemany("INSERT OR IGNORE INTO temp.touched VALUES (?)",
                            ((record_id,) for record_id in ids))

    def move_records(self, moves: Iterable[tuple[int, int]]) -> None:
        """Set the position of records that stayed but moved: (rowid, position) pairs."""
        self.db.executemany("UPDATE records SET position = ? WHERE rowid = ?",
                            ((position, rowid) for rowid, position in moves))

    def delete_records(self, rowids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM records WHERE rowid = ?", ((r,) for r in rowids))

    def set_rejected(self, path: str, rows: Sequence[Rejection],
                     positions: Sequence[int] | None = None) -> None:
        """Replace the rejections of a file (or, with `positions`, of those positions only)."""
        if positions is None:
            self.db.execute("DELETE FROM rejected WHERE file = ?", (path,))
        else:
            self.db.executemany("DELETE FROM rejected WHERE file = ? AND position = ?",
                                ((path, position) for position in positions))
        self.db.executemany("INSERT INTO rejected VALUES (?, ?, ?, ?, ?, ?, ?)",
                            ((r.file, r.position, r.line, r.id, r.field, r.reason, r.item)
                             for r in rows))

    def rejected(self) -> list[Rejection]:
        return [Rejection(*row) for row in self.db.execute(
            "SELECT file, position, line, id, field, reason, item FROM rejected "
            "ORDER BY file, position")]

    # --- the published article of each id ---

    def refresh(self) -> int:
        """Choose again the record that wins for each touched id, in SQL, so that a first build
        of a million articles holds none of them in memory. The ids whose published article
        changed go to temp.changed (with their categories before and after); returns how many.
        """
        db = self.db
        db.execute("DELETE FROM temp.changed")
        db.execute("DELETE FROM temp.before")
        # CROSS JOIN keeps the few touched ids as the outer loop: SQLite's planner, with no
        # statistics on the temp tables, would otherwise scan the whole archive.
        db.execute("INSERT INTO temp.before SELECT a.id, a.hash, a.category, a.published "
                   "FROM temp.touched t "
                   "CROSS JOIN articles a ON a.id = t.id")
        db.execute("DELETE FROM articles WHERE id IN (SELECT id FROM temp.touched)")
        db.execute(
            "INSERT INTO articles SELECT id, rowid, hash, category, published, name, url FROM ("
            " SELECT r.id, r.rowid, r.hash, r.category, r.published, r.name, "
            " json_extract(r.article, '$.url') AS url, row_number() OVER ("
            "  PARTITION BY r.id ORDER BY r.updated DESC, r.file DESC, r.position DESC) AS n"
            " FROM temp.touched t CROSS JOIN records r ON r.id = t.id) WHERE n = 1")
        db.execute(
            "INSERT INTO temp.changed SELECT t.id, b.category, a.category, b.published, "
            "a.published FROM temp.touched t "
            "LEFT JOIN temp.before b ON b.id = t.id LEFT JOIN articles a ON a.id = t.id "
            "WHERE b.hash IS NOT a.hash")
        db.execute("DELETE FROM duplicates WHERE id IN (SELECT id FROM temp.touched)")
        db.execute("INSERT INTO duplicates SELECT r.id, count(*) FROM temp.touched t "
                   "CROSS JOIN records r ON r.id = t.id GROUP BY r.id HAVING count(*) > 1")
        db.execute("DELETE FROM temp.touched")
        self._refresh_labels()
        return db.execute("SELECT count(*) FROM temp.changed").fetchone()[0]

    def changed_ids(self, published: bool) -> Iterator[str]:
        """The ids refresh() found changed: still published (True) or gone (False)."""
        condition = "IS NOT NULL" if published else "IS NULL"
        cursor = self.db.execute(f"SELECT id FROM temp.changed WHERE after {condition} ORDER BY id")
        while rows := cursor.fetchmany(1000):
            yield from (row[0] for row in rows)

    def changed_published(self) -> set[int]:
        """The publication instants, before and after, of the ids refresh() found changed."""
        return {value for row in self.db.execute(
            "SELECT published_before, published_after FROM temp.changed")
            for value in row if value is not None}

    def changed_placements(self) -> set[tuple[str, int]]:
        """(category, publication instant), before and after, of the ids refresh() found
        changed: the months of the archives they touch."""
        return {(category, published) for row in self.db.execute(
            "SELECT before, published_before, after, published_after FROM temp.changed")
            for category, published in (row[:2], row[2:]) if published is not None}

    def published_between(self, start: int, end: int, category: str | None = None
                          ) -> list[Entry]:
        """The articles (of one category, or of all) published in [start, end) (instants),
        newest first."""
        where = "category = ? AND " if category is not None else ""
        return [Entry(*row) for row in self.db.execute(
            f"SELECT id, hash FROM articles WHERE {where}published >= ? AND published < ? "
            "ORDER BY published DESC, id", (*([category] if category is not None else []),
                                            start, end))]

    def published_around(self, start: int, end: int, category: str | None = None
                         ) -> tuple[int | None, int | None]:
        """The last publication instant before `start` and the first from `end` on (of one
        category, or of all), each from an index: the neighbours of a month."""
        where = "category = ? AND " if category is not None else ""
        bound = [category] if category is not None else []
        before = self.db.execute(f"SELECT max(published) FROM articles WHERE {where}"
                                 "published < ?", (*bound, start)).fetchone()[0]
        after = self.db.execute(f"SELECT min(published) FROM articles WHERE {where}"
                                "published >= ?", (*bound, end)).fetchone()[0]
        return before, after

    def category_range(self, category: str | None) -> tuple[int, int] | None:
        """The first and the last publication instant of one category (of all: None)."""
        if category is None:
            return self.published_range()
        row = self.db.execute("SELECT min(published), max(published) FROM articles "
                              "WHERE category = ?", (category,)).fetchone()
        return None if row[0] is None else (row[0], row[1])

    def locations_between(self, start: int, end: int) -> list[tuple[str, int]]:
        """(URL, updated instant) of the articles published in [start, end), newest first: what
        a sitemap lists, read without decoding the articles."""
        return list(self.db.execute(
            "SELECT json_extract(r.article, '$.url'), r.updated FROM articles a "
            "JOIN records r ON r.rowid = a.record WHERE a.published >= ? AND a.published < ? "
            "ORDER BY a.published DESC, a.id", (start, end)))

    def published_range(self) -> tuple[int, int] | None:
        """The first and the last publication instant, or None for an empty index."""
        row = self.db.execute("SELECT min(published), max(published) FROM articles").fetchone()
        return None if row[0] is None else (row[0], row[1])

    def published_names(self, names: Sequence[str]) -> set[str]:
        """Those of `names` that are the file names of published articles."""
        return {row[0] for row in self._select_in(
            "SELECT name FROM articles WHERE name IN ({marks})", names)}

    def duplicates(self, limit: int) -> list[Duplicate]:
        """Each id held by more than one record, naming at most `limit` of the records not
        published, in file order."""
        found = []
        for record_id, count, winner in list(self.db.execute(
                "SELECT d.id, d.records, a.record FROM duplicates d JOIN articles a "
                "ON a.id = d.id ORDER BY d.id")):
            origins = [row[0] for row in self.db.execute(
                "SELECT json_extract(article, '$.origin') FROM records WHERE id = ? "
                "AND rowid != ? ORDER BY file, position LIMIT ?", (record_id, winner, limit))]
            kept = self.db.execute("SELECT json_extract(article, '$.origin') FROM records "
                                   "WHERE rowid = ?", (winner,)).fetchone()[0]
            found.append(Duplicate(record_id, count, kept, origins))
        return found

    def top(self, category: str | None, limit: int) -> list[Entry]:
        """The newest `limit` articles, of one category or of all."""
        if category is None:
            query = "SELECT id, hash FROM articles ORDER BY published DESC, id LIMIT ?"
            rows = self.db.execute(query, (limit,))
        else:
            query = ("SELECT id, hash FROM articles WHERE category = ? "
                     "ORDER BY published DESC, id LIMIT ?")
            rows = self.db.execute(query, (category, limit))
        return [Entry(*row) for row in rows]

    def article_json(self, ids: Sequence[str]) -> list[str]:
        """The stored article JSON of each id, in the order given."""
        found = dict(self._select_in(
            "SELECT a.id, r.article FROM articles a JOIN records r ON r.rowid = a.record "
            "WHERE a.id IN ({marks})", ids))
        return [found[record_id] for record_id in ids]

    def find(self, record_id: str | None, url: str | None) -> str | None:
        """The article JSON of the published article with this id, or else this URL."""
        query = "SELECT r.article FROM articles a JOIN records r ON r.rowid = a.record WHERE "
        row = self.db.execute(query + "a.id = ?", (record_id,)).fetchone() if record_id else None
        if row is None and url:
            row = self.db.execute(query + "a.url = ? ORDER BY a.id LIMIT 1", (url,)).fetchone()
        return row[0] if row else None

    def all_ids(self) -> Iterator[str]:
        cursor = self.db.execute("SELECT id FROM articles ORDER BY id")
        while rows := cursor.fetchmany(1000):
            yield from (row[0] for row in rows)

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def counts_by_category(self) -> dict[str, int]:
        return dict(self.db.execute(
            "SELECT category, count(*) FROM articles GROUP BY category ORDER BY category"))

    # --- what each feed file last showed ---

    def signature(self, path: str) -> tuple[str, int | None] | None:
        """The signature of what a feed last showed, and its number of items."""
        row = self.db.execute("SELECT signature, items FROM feeds WHERE path = ?",
                              (path,)).fetchone()
        return (row[0], row[1]) if row else None

    def set_signature(self, path: str, signature: str, items: int,
                      lastmod: str | None = None) -> None:
        self.db.execute("INSERT OR REPLACE INTO feeds (path, signature, items, lastmod) "
                        "VALUES (?, ?, ?, ?)", (path, signature, items, lastmod))

    def outputs(self, prefix: str) -> list[tuple[str, int, str | None]]:
        """(path, items, lastmod) of the outputs whose path starts with `prefix`, by path."""
        return list(self.db.execute(
            "SELECT path, items, lastmod FROM feeds WHERE substr(path, 1, ?) = ? ORDER BY path",
            (len(prefix), prefix)))

    def forget_output(self, path: str) -> None:
        self.db.execute("DELETE FROM feeds WHERE path = ?", (path,))

    # --- facts read over HTTP, and pings still to send ---

    def image_facts(self, urls: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """url -> (width, height, type, error) of the images already tried."""
        return {url: tuple(facts) for url, *facts in self._select_in(
            "SELECT url, width, height, type, error FROM images WHERE url IN ({marks})", urls)}

    def set_image_facts(self, url: str, width: int | None, height: int | None,
                        kind: str | None, error: str | None, tried: str | None) -> None:
        """What a probe of `url` found, or why it found nothing; `tried`: when (a stamp), or
        None for an image not read yet (due at once)."""
        self.db.execute("INSERT OR REPLACE INTO images (url, width, height, type, error, tried) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (url, width, height, kind, error, tried))

    def images_due(self, cutoff: str, limit: int | None = None) -> tuple[list[str], list[str]]:
        """The images to probe again: those not read yet (all), and up to `limit` (None: any)
        of those whose probe failed at `cutoff` or before, the oldest first."""
        unread = [url for (url,) in self.db.execute(
            "SELECT url FROM images WHERE error IS NOT NULL AND tried IS NULL ORDER BY url")]
        failed = [url for (url,) in self.db.execute(
            "SELECT url FROM images WHERE error IS NOT NULL AND tried <= ? ORDER BY tried, url "
            "LIMIT ?", (cutoff, -1 if limit is None else limit))]
        return unread, failed

    def image_retry_due(self, hours: float, *, failures: bool = True) -> str | None:
        """When the next image probe is due (a stamp; "" for at once), or None: none is; an
        image not read yet is due at once, a failure `hours` after it was tried (unless not
        `failures`)."""
        if self.db.execute("SELECT 1 FROM images WHERE error IS NOT NULL AND tried IS NULL "
                           "LIMIT 1").fetchone():
            return ""
        if not failures:
            return None
        (oldest,) = self.db.execute("SELECT min(tried) FROM images "
                                    "WHERE error IS NOT NULL").fetchone()
        return None if oldest is None else clock.stamp_after(oldest, hours)

    def add_image_uses(self, uses: Iterable[tuple[str, str]]) -> None:
        """Note (url, article id) pairs: the article uses an image with no facts yet."""
        self.db.executemany("INSERT OR IGNORE INTO image_uses VALUES (?, ?)", uses)

    def image_records(self, url: str) -> list[tuple[int, str, str]]:
        """(rowid, hash, article JSON) of the records noted as using the image `url` that
        still do, and forgets the notes."""
        ids = [record_id for (record_id,) in self.db.execute(
            "SELECT id FROM image_uses WHERE url = ?", (url,))]
        self.db.execute("DELETE FROM image_uses WHERE url = ?", (url,))
        return list(self._select_in(
            "SELECT rowid, hash, article FROM records WHERE json_extract(article, '$.image.url') "
            "= ? AND id IN ({marks})", ids, url)) if ids else []

    def update_record(self, rowid: int, digest: str, article: str) -> None:
        """Replace a record's article (with its hash); the caller `touch`es its id."""
        self.db.execute("UPDATE records SET hash = ?, article = ? WHERE rowid = ?",
                        (digest, article, rowid))

    def pending_pings(self) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT hub, topic FROM pings ORDER BY hub, topic"))

    def add_pings(self, pings: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO pings VALUES (?, ?)", pings)

    def set_pings(self, pings: Iterable[tuple[str, str]]) -> None:
        self.db.execute("DELETE FROM pings")
        self.add_pings(pings)

    # --- the object store's queue (targets/) ---

    def queue_uploads(self, rows: Iterable[tuple[str, int]]) -> None:
        """Queue (path, rank) rows; a path queued again takes its new rank."""
        self.db.executemany("INSERT OR REPLACE INTO uploads VALUES (?, ?)", rows)

    def next_uploads(self, rank: int, after: str, limit: int) -> list[str]:
        """Up to `limit` queued paths of `rank` that sort after `after`, in order."""
        return [path for (path,) in self.db.execute(
            "SELECT path FROM uploads WHERE rank = ? AND path > ? ORDER BY path LIMIT ?",
            (rank, after, limit))]

    def upload_ranks(self) -> list[int]:
        return [rank for (rank,) in self.db.execute("SELECT DISTINCT rank FROM uploads "
                                                    "ORDER BY rank")]

    def uploaded(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM uploads WHERE path = ?", ((path,) for path in paths))

    def upload_counts(self) -> dict[int, int]:
        """rank -> how many paths of it are queued."""
        return dict(self.db.execute("SELECT rank, count(*) FROM uploads GROUP BY rank"))

    def has_uploads(self) -> bool:
        return self.db.execute("SELECT 1 FROM uploads LIMIT 1").fetchone() is not None

    def clear_uploads(self) -> None:
        self.db.execute("DELETE FROM uploads")


    # --- tags and authors (labels.py) ---

    def _label_temp(self) -> None:
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS label_touched "
                        "(kind TEXT, name TEXT, PRIMARY KEY (kind, name))")
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS relabelled (id TEXT PRIMARY KEY)")

    def _refresh_labels(self) -> None:
        """Keep label_items in step with the articles refresh() changed, and note in
        temp.label_touched the labels each changed article had and has: only their feeds can
        have changed."""
        db = self.db
        self._label_temp()
        db.execute("DELETE FROM temp.label_touched")
        db.execute("DELETE FROM temp.relabelled")
        touched = ("INSERT OR IGNORE INTO temp.label_touched SELECT l.kind, l.name "
                   "FROM temp.changed c CROSS JOIN label_items l ON l.id = c.id")
        db.execute(touched)
        db.execute("DELETE FROM label_items WHERE id IN (SELECT id FROM temp.changed)")
        for kind, field in (("tag", "tags"), ("author", "authors")):
            db.execute(
                "INSERT OR IGNORE INTO label_items SELECT ?, j.value, a.id, a.published "
                "FROM temp.changed c CROSS JOIN articles a ON a.id = c.id "
                "JOIN records r ON r.rowid = a.record, json_each(r.article, ?) j "
                "WHERE j.value != ''", (kind, f"$.{field}"))
        db.execute(touched)

    def touched_labels(self, kind: str) -> list[str]:
        """The names of `kind` whose articles refresh() changed (before or after), by name."""
        self._label_temp()
        return [name for (name,) in self.db.execute(
            "SELECT name FROM temp.label_touched WHERE kind = ? ORDER BY name", (kind,))]

    def label_count(self, kind: str, name: str) -> int:
        return self.db.execute("SELECT count(*) FROM label_items WHERE kind = ? AND name = ?",
                               (kind, name)).fetchone()[0]

    def labels_over(self, kind: str, minimum: int) -> list[str]:
        """Every name of `kind` with at least `minimum` articles (a full render only: this
        reads the whole table)."""
        return [name for (name,) in self.db.execute(
            "SELECT name FROM label_items WHERE kind = ? GROUP BY name HAVING count(*) >= ? "
            "ORDER BY name", (kind, minimum))]

    def label_between(self, kind: str, name: str, start: int, end: int) -> list[Entry]:
        """The articles of one tag or author published in [start, end), newest first."""
        return [Entry(*row) for row in self.db.execute(
            "SELECT l.id, a.hash FROM label_items l JOIN articles a ON a.id = l.id "
            "WHERE l.kind = ? AND l.name = ? AND l.published >= ? AND l.published < ? "
            "ORDER BY l.published DESC, l.id", (kind, name, start, end))]

    def label_around(self, kind: str, name: str, start: int, end: int
                     ) -> tuple[int | None, int | None]:
        """published_around() for one tag or author."""
        where = "FROM label_items WHERE kind = ? AND name = ? AND published"
        before = self.db.execute(f"SELECT max(published) {where} < ?",
                                 (kind, name, start)).fetchone()[0]
        after = self.db.execute(f"SELECT min(published) {where} >= ?",
                                (kind, name, end)).fetchone()[0]
        return before, after

    def label_range(self, kind: str, name: str) -> tuple[int, int] | None:
        """The first and the last publication instant of one tag or author."""
        row = self.db.execute("SELECT min(published), max(published) FROM label_items "
                              "WHERE kind = ? AND name = ?", (kind, name)).fetchone()
        return None if row[0] is None else (row[0], row[1])

    def label_name(self, kind: str, slug: str) -> str | None:
        """The name whose feed is at `slug`."""
        row = self.db.execute("SELECT name FROM labels WHERE kind = ? AND slug = ?",
                              (kind, slug)).fetchone()
        return row[0] if row else None

    def label_top(self, kind: str, name: str, limit: int) -> list[Entry]:
        """The newest `limit` articles of one tag or author."""
        return [Entry(*row) for row in self.db.execute(
            "SELECT l.id, a.hash FROM label_items l JOIN articles a ON a.id = l.id "
            "WHERE l.kind = ? AND l.name = ? ORDER BY l.published DESC, l.id LIMIT ?",
            (kind, name, limit))]

    def label(self, kind: str, name: str) -> tuple[str, str | None] | None:
        """(slug, under since) of a label that has had a feed, or None."""
        row = self.db.execute("SELECT slug, under_since FROM labels WHERE kind = ? AND name = ?",
                              (kind, name)).fetchone()
        return (row[0], row[1]) if row else None

    def slug_taken(self, kind: str, slug: str) -> bool:
        return self.db.execute("SELECT 1 FROM labels WHERE kind = ? AND slug = ?",
                               (kind, slug)).fetchone() is not None

    def set_label(self, kind: str, name: str, slug: str, articles: int,
                  under_since: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO labels VALUES (?, ?, ?, ?, ?)",
                        (kind, name, slug, under_since, articles))

    def labels_under(self, kind: str) -> list[str]:
        """The names of `kind` whose feed is kept while they are under the threshold."""
        return [name for (name,) in self.db.execute(
            "SELECT name FROM labels WHERE under_since IS NOT NULL AND kind = ? ORDER BY name",
            (kind,))]

    def label_feeds(self, kind: str, folder: str) -> list[tuple[str, str, int]]:
        """(name, slug, articles) of each label of `kind` whose feed is published (it has a
        row `folder<slug>/` in the feeds table), by name."""
        return list(self.db.execute(
            "SELECT l.name, l.slug, l.articles FROM labels l JOIN feeds f "
            "ON f.path = ? || l.slug || '/' WHERE l.kind = ? ORDER BY l.name", (folder, kind)))

    def label_feeds_of(self, record_id: str, folders: Mapping[str, str]
                       ) -> dict[tuple[str, str], str]:
        """(kind, name) -> slug of the labels of one article that have a published feed;
        `folders` maps each kind to its folder."""
        found = {}
        for kind, name, slug in self.db.execute(
                "SELECT l.kind, l.name, b.slug FROM label_items l JOIN labels b "
                "ON b.kind = l.kind AND b.name = l.name WHERE l.id = ?", (record_id,)):
            if kind in folders and self.signature(f"{folders[kind]}{slug}/") is not None:
                found[kind, name] = slug
        return found

    def relabel(self, kind: str, name: str) -> None:
        """Mark the articles of a label whose feed came or went: their head fragments link
        its feed, or no longer."""
        self._label_temp()
        self.db.execute("INSERT OR IGNORE INTO temp.relabelled SELECT id FROM label_items "
                        "WHERE kind = ? AND name = ?", (kind, name))

    def relabelled_ids(self) -> Iterator[str]:
        """The ids relabel() marked that refresh() did not find changed, by id."""
        self._label_temp()
        cursor = self.db.execute(
            "SELECT r.id FROM temp.relabelled r JOIN articles a ON a.id = r.id "
            "WHERE r.id NOT IN (SELECT id FROM temp.changed WHERE after IS NOT NULL) "
            "ORDER BY r.id")
        while rows := cursor.fetchmany(1000):
            yield from (row[0] for row in rows)

    def relabelled_count(self) -> int:
        return sum(1 for _ in self.relabelled_ids())
