"""Progress on a terminal: records read or articles written, the rate, and the time left.
Under cron there is no terminal, and nothing is printed."""

from __future__ import annotations

import time
from typing import TextIO

_EVERY = 0.5  # seconds between two updates of the line


class Progress:
    """Called as (stage, done, total); redraws one line of `stream` at most twice a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.stage = ""
        self.stage_started = self.started
        self.shown = 0.0
        self.width = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.stage_started = stage, now
        if now - self.shown < _EVERY and done != total:
            return
        self.shown = now
        elapsed = max(now - self.stage_started, 1e-6)
        rate = done / elapsed
        line = f"{stage}: {done:,}" + (f" of {total:,}" if total else "") + f", {rate:,.0f}/s"
        if total and rate > 0:
            line += f", {max(total - done, 0) / rate:,.0f} s left"
        self.stream.write("\r" + line.ljust(self.width))
        self.width = len(line)
        self.stream.flush()

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
