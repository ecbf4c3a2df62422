"""The wall clock: for `syndicate status` (last run, last change) and for when a source's full
sync is due, never for what is published (nothing published says "now"). Its own small module,
so that a cron run with nothing to do imports no date parsing; a test moves it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def stamp() -> str:
    """now() as ISO 8601 to the second, as the index keeps times."""
    return now().isoformat(timespec="seconds")


def stamp_before(hours: float) -> str:
    """The time `hours` before now, as stamp() writes it: stamps compare as strings."""
    return (now() - timedelta(hours=hours)).isoformat(timespec="seconds")


def stamp_after(stamp: str, hours: float) -> str:
    """The time `hours` after a stamp of this module's."""
    return (datetime.fromisoformat(stamp) + timedelta(hours=hours)).isoformat(timespec="seconds")
