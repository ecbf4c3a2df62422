"""The index's share cards and the Facebook re-scrapes still owed: the SQL of two tables that
Store takes in as a base class, so that store.py keeps to its own tables (rescrape.py uses them).

  cards     the hash of what each article's share card showed (og:title, og:description,
            og:image) when it was last published
  scrapes   article URLs that Facebook is still to be asked to read again
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence


class CardTables:
    db: sqlite3.Connection

    def card_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """id -> hash of the share card last published, of those of `ids` that have one."""
        return dict(self.db.execute("SELECT c.id, c.hash FROM json_each(?) j "
                                    "JOIN cards c ON c.id = j.value", (json.dumps(ids),)))

    def set_card_hashes(self, cards: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO cards VALUES (?, ?)", cards)

    def pending_scrapes(self) -> list[str]:
        return [url for (url,) in self.db.execute("SELECT url FROM scrapes ORDER BY url")]

    def add_scrapes(self, urls: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO scrapes VALUES (?)", ((url,) for url in urls))

    def drop_scrapes(self, urls: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM scrapes WHERE url = ?", ((url,) for url in urls))
