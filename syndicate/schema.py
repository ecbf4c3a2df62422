"""The index's schema: its tables, as a list of migrations from the first release on. The
version is PRAGMA user_version; opening an older index migrates it forward, one transaction per
step, and a newer one is refused (store.py). What each table holds is in store.py.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x53594E44  # "SYND": tells our index from any other SQLite file
MIGRATIONS = (
    # 1: files, records, the winners and meta
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                        inode INTEGER NOT NULL);
    CREATE TABLE records (
        rowid INTEGER PRIMARY KEY, file TEXT NOT NULL, position INTEGER NOT NULL,
        id TEXT NOT NULL, hash TEXT NOT NULL, updated INTEGER NOT NULL, category TEXT NOT NULL,
        published INTEGER NOT NULL, name TEXT NOT NULL, article TEXT NOT NULL);
    CREATE INDEX records_by_file ON records (file);
    CREATE INDEX records_by_id ON records (id);
    CREATE TABLE articles (
        id TEXT PRIMARY KEY, record INTEGER NOT NULL, hash TEXT NOT NULL,
        category TEXT NOT NULL, published INTEGER NOT NULL, name TEXT NOT NULL) WITHOUT ROWID;
    CREATE INDEX articles_by_name ON articles (name);
    CREATE INDEX articles_newest ON articles (published DESC, id);
    CREATE INDEX articles_newest_by_category ON articles (category, published DESC, id);
    """,
    # 2: rejected records and feed signatures, so a run that reads nothing can still say both
    """
    CREATE TABLE rejected (file TEXT NOT NULL, position INTEGER NOT NULL, line INTEGER,
                           id TEXT, field TEXT NOT NULL, reason TEXT NOT NULL);
    CREATE INDEX rejected_by_file ON rejected (file);
    CREATE TABLE feeds (path TEXT PRIMARY KEY, signature TEXT NOT NULL);
    CREATE TABLE duplicates (id TEXT PRIMARY KEY, records INTEGER NOT NULL) WITHOUT ROWID;
    """,
    # 3: network sources: the version (WordPress modified_gmt) of each record, a name for a
    # rejected post, item counts per feed (to refuse publishing a feed that lost most of its
    # items), image facts read over HTTP, and WebSub pings still to send
    """
    ALTER TABLE records ADD COLUMN version TEXT;
    ALTER TABLE rejected ADD COLUMN item TEXT;
    ALTER TABLE feeds ADD COLUMN items INTEGER;
    CREATE TABLE images (url TEXT PRIMARY KEY, width INTEGER, height INTEGER, type TEXT,
                         error TEXT) WITHOUT ROWID;
    CREATE TABLE pings (hub TEXT NOT NULL, topic TEXT NOT NULL, PRIMARY KEY (hub, topic))
        WITHOUT ROWID;
    """,
    # 4: each record file belongs to the source that lists it, so that a source sees which of
    # its own files are gone; the files are read again once, as after a change of config
    """
    DELETE FROM files;
    ALTER TABLE files ADD COLUMN source TEXT NOT NULL DEFAULT '';
    UPDATE meta SET value = '' WHERE key = 'fingerprint';
    """,
    # 5: outputs other than feeds (sitemaps) keep the lastmod that a sitemap index lists
    """
    ALTER TABLE feeds ADD COLUMN lastmod TEXT;
    """,
    # 6: what each article's share card showed when last published, and the URLs Facebook is
    # still to be asked to read again (share.facebook_token_env)
    """
    CREATE TABLE cards (id TEXT PRIMARY KEY, hash TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE scrapes (url TEXT PRIMARY KEY) WITHOUT ROWID;
    """,
    # 7: the URL of each published article, indexed: a record's `related` and `syndicate share`
    # may name an article by its URL, and a scan of a million articles per name is too slow
    """
    ALTER TABLE articles ADD COLUMN url TEXT;
    UPDATE articles SET url = (SELECT json_extract(article, '$.url') FROM records
                               WHERE records.rowid = articles.record);
    CREATE INDEX articles_by_url ON articles (url);
    """,
    # 8: the files of the output folder still to be mirrored to the object store (targets/),
    # in the order they go up: article files, feeds, the rest, deletions
    """
    CREATE TABLE uploads (path TEXT PRIMARY KEY, rank INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX uploads_in_order ON uploads (rank, path);
    """,
    # 9: tag and author feeds (labels.py): each label of each published article, indexed for
    # "the newest N of tag T" and for "the labels of article A"; each label's slug, kept
    # forever once given, and since when a label with a feed is under the threshold. The labels
    # of the articles already published are filled in from their records.
    """
    CREATE TABLE label_items (kind TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL,
                              published INTEGER NOT NULL, PRIMARY KEY (kind, name, id))
        WITHOUT ROWID;
    CREATE INDEX label_items_newest ON label_items (kind, name, published DESC, id);
    CREATE INDEX label_items_by_id ON label_items (id);
    CREATE TABLE labels (kind TEXT NOT NULL, name TEXT NOT NULL, slug TEXT NOT NULL,
                         under_since TEXT, articles INTEGER NOT NULL,
                         PRIMARY KEY (kind, name)) WITHOUT ROWID;
    CREATE UNIQUE INDEX labels_by_slug ON labels (kind, slug);
    CREATE INDEX labels_under ON labels (under_since) WHERE under_since IS NOT NULL;
    INSERT OR IGNORE INTO label_items
        SELECT 'tag', j.value, a.id, a.published FROM articles a
        JOIN records r ON r.rowid = a.record, json_each(r.article, '$.tags') j
        WHERE j.value != '';
    INSERT OR IGNORE INTO label_items
        SELECT 'author', j.value, a.id, a.published FROM articles a
        JOIN records r ON r.rowid = a.record, json_each(r.article, '$.authors') j
        WHERE j.value != '';
    """,
    # 10: image probes that failed are tried again (images.retry_hours): when each image was
    # last tried (NULL: never, the run's deadline passed first, so it is due at once), indexed
    # for the failures, and which article ids use each image that has no facts yet, so that a
    # probe that succeeds later finds its articles without reading every record. The failures
    # already stored are due at once, and their articles are found here, once.
    """
    ALTER TABLE images ADD COLUMN tried TEXT;
    UPDATE images SET tried = '1970-01-01T00:00:00+00:00';
    CREATE INDEX images_failed ON images (tried) WHERE error IS NOT NULL;
    CREATE TABLE image_uses (url TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (url, id))
        WITHOUT ROWID;
    INSERT OR IGNORE INTO image_uses
        SELECT i.url, r.id FROM records r
        JOIN images i ON i.url = json_extract(r.article, '$.image.url')
        WHERE i.error IS NOT NULL;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection, target: int) -> None:
    """Bring the schema from its version up to `target`, one migration per transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number in range(version + 1, target + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]
