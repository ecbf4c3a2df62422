"""Deadlines: how long one kind of network work may take in a run (the WordPress sync, image
probing, pings, uploads) and one HTTP request may take in all, so that a slow or hostile
upstream never holds a cron run, and with it the output folder's lock, for longer than the
config allows. A deadline is a point on the monotonic clock; nothing here waits or starts a
thread: the HTTP client (net.py) shortens each socket wait to what is left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Deadline:
    """The end of one kind of work: `key` is the config key that sets it, for messages."""

    key: str
    seconds: float
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    ends: float = field(init=False)

    def __post_init__(self) -> None:
        self.ends = self.clock() + self.seconds

    def left(self) -> float:
        """Seconds until the deadline; 0 once it has passed."""
        return max(self.ends - self.clock(), 0.0)

    def passed(self) -> bool:
        return self.clock() >= self.ends

    def __str__(self) -> str:
        return f"{self.key} = {self.seconds:g} s"


__all__ = ["Deadline"]
