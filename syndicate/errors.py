"""The one error vocabulary: every error a user can cause is a SyndicateError, which knows the
exit code it stands for and the lines that say it, so that the CLI has one handler and the same
condition gets the same exit code in every command.

Exit codes (DESIGN.md, "Publish"): 0 ok, 1 nothing published (or the command failed), 2 usage or
config error, 3 published but some records were rejected (a report, not an exception).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .records import Origin

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


class SyndicateError(Exception):
    """An error a user can cause: its message says what, where, and what to do."""

    exit_code: ClassVar[int] = EXIT_FAILED

    def lines(self) -> list[str]:
        """What the command line prints for it, one problem a line."""
        return [f"syndicate: error: {self}"]


class UsageError(SyndicateError):
    """A command's arguments cannot be used (a folder that is not one, a port in use)."""

    exit_code = EXIT_USAGE


class ConfigError(SyndicateError):
    """The configuration cannot be used; `problems` holds one line per problem."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [*self.problems,
                f"syndicate: {len(self.problems)} problem(s) in the config; nothing was written"]


class SourceError(SyndicateError):
    """A source that cannot be read at all: the message names the file and line, or the URL."""


class FetchError(SyndicateError):
    """A request that failed for good (after retries); the message names the URL."""


class DeadlinePassed(FetchError):
    """A request cut short by a deadline: its own (http.deadline; `run` False, the upstream
    was too slow) or its kind of work's in this run (deadlines.*; `run` True, the next run
    goes on with it). The message names the URL and the deadline."""

    def __init__(self, message: str, *, run: bool) -> None:
        super().__init__(message)
        self.run = run


class BuildError(SyndicateError):
    """The run published nothing; the files already published stay as they were."""


# Cron mails what a run prints: the first rejections say what is wrong, the rest are in
# `syndicate status` and build-report.json.
REJECTED_LINES = 20


def rejection_lines(rejected: Sequence[Any], limit: int = REJECTED_LINES) -> list[str]:
    """One line per rejected record, the first `limit` of them, then how many more."""
    lines = [f"rejected: {error}" for error in rejected[:limit]]
    if len(rejected) > limit:
        lines.append(f"rejected: … and {len(rejected) - limit} more, see `syndicate status`")
    return lines


class RejectedRecords(BuildError):
    """--strict: some records were rejected, so nothing was written."""

    def __init__(self, rejected: Sequence[Any]) -> None:
        super().__init__(f"{len(rejected)} record(s) rejected; --strict: nothing was written")
        self.rejected = list(rejected)

    def lines(self) -> list[str]:
        return rejection_lines(self.rejected) + super().lines()


class NothingPublishable(BuildError):
    """Every record read was rejected (a first run with a wrong field mapping, say): the
    lines say why, record by record."""

    def __init__(self, read: int, rejected: Sequence[Any]) -> None:
        super().__init__(f"no record could be published ({read} read, {len(rejected)} "
                         "rejected); the feeds stay as they were")
        self.rejected = list(rejected)

    def lines(self) -> list[str]:
        return rejection_lines(self.rejected) + super().lines()


class PublishError(SyndicateError):
    """The output folder cannot be written; nothing half-written is left behind."""


class LockBusy(PublishError):
    """Another run holds the lock."""


class TargetError(SyndicateError):
    """The object store refused or failed an upload: the folder is published and what is not
    uploaded yet stays queued in the index for the next run."""


class StoreError(SyndicateError):
    """The index cannot be used; the message says which file and what to do."""


class ServeError(SyndicateError):
    """`syndicate serve` cannot listen on its port."""


class UnknownArticle(SyndicateError, LookupError):
    """No published article has that id or URL."""


class RecordError(SyndicateError, ValueError):
    """A record that cannot be published, with the field at fault and why. A run reports it
    and publishes the other records; only --strict turns it into RejectedRecords."""

    def __init__(self, origin: Origin, record_id: str | None, field: str, reason: str) -> None:
        super().__init__(f"{origin}: id {record_id or '?'}: {field}: {reason}")
        self.origin = origin
        self.record_id = record_id
        self.field = field
        self.reason = reason

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.origin.source, "index": self.origin.index, "line": self.origin.line,
                "item": self.origin.item, "id": self.record_id, "field": self.field,
                "reason": self.reason}


__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "REJECTED_LINES",
           "BuildError", "ConfigError", "DeadlinePassed", "FetchError", "LockBusy",
           "NothingPublishable", "PublishError", "RecordError", "RejectedRecords", "ServeError",
           "SourceError", "StoreError", "SyndicateError", "UnknownArticle", "UsageError",
           "rejection_lines"]
