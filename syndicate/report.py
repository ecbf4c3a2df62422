"""What a run did (BuildReport, for the CLI and the API) and build-report.json (the state of the
index, the same bytes for the same index)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import EXIT_OK, EXIT_REJECTED

if TYPE_CHECKING:
    from .config import Config
    from .errors import RecordError
    from .store import Store

REPORT_NAME = "build-report.json"
DUPLICATES_LISTED = 20  # the dropped records of one id that the report names; it counts all

ProgressFn = Callable[[str, int, int | None], None]  # (stage, done, total)


@dataclass(frozen=True)
class FileResult:
    path: str
    written: bool
    items: int | None = None  # a feed's items


@dataclass
class BuildReport:
    """What a run did. `document` is build-report.json: it depends only on the index, so a run
    that changes nothing would write the same bytes."""

    records_read: int = 0
    files_read: int = 0
    articles: int = 0
    rejected: list[RecordError] = field(default_factory=list)  # found by this run
    files: list[FileResult] = field(default_factory=list)  # feeds, OPML, report: not articles
    written_count: int = 0
    feed_items: dict[str, int] = field(default_factory=dict)  # items per feed folder
    unchanged_count: int = 0
    on_file: Callable[[FileResult], None] | None = field(default=None, repr=False)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # a hub that failed: retried next run
    requests: int = 0  # HTTP requests to the network sources
    changed: int = 0  # articles whose published version changed
    noop: bool = False  # no source changed: the run read and wrote nothing
    uploaded: int = 0  # files put to the object store (targets/)
    deleted_objects: int = 0  # objects deleted from it
    target_requests: int = 0  # HTTP requests to it
    document: dict[str, Any] = field(default_factory=dict)  # the build-report.json body

    @property
    def exit_code(self) -> int:
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def record(self, result: FileResult, keep: bool = True) -> None:
        """Count a file; keep its result unless it is one of a million article files."""
        if result.written:
            self.written_count += 1
        else:
            self.unchanged_count += 1
        if keep:
            self.files.append(result)
        if self.on_file:
            self.on_file(result)

    def as_dict(self) -> dict[str, Any]:
        return self.document


def report_document(config: Config, store: Store, report: BuildReport) -> dict[str, Any]:
    """build-report.json: the state of the index (counts, rejected records, duplicates, item
    counts per feed). What one run did (files written, removed) is not in it: a run that was
    killed after removing files would leave the next run's report without them, and the same
    index must give the same bytes; `build -v` prints it."""
    from .plan import PARTNERS, SITEMAPS, feed_specs
    from .records import Origin
    from .render.feeds import FORMATS

    def origin(text: str) -> str:
        return str(Origin(**json.loads(text)))

    rejected = store.rejected()
    duplicates = [{"id": d.id, "records": d.records, "kept": origin(d.kept),
                   "dropped": [origin(text) for text in d.dropped]}
                  for d in store.duplicates(DUPLICATES_LISTED)]
    feeds = [{"path": spec.folder + fmt.filename, "items": report.feed_items[spec.folder]}
             for spec in feed_specs(config) for fmt in FORMATS]
    sitemaps = [{"path": path, "items": items} for path, items, _ in store.outputs(SITEMAPS)]
    partners = [{"path": path, "items": items} for path, items, _ in store.outputs(PARTNERS)]
    return {
        "generator": f"syndicate {__version__}",
        "records": {"published": report.articles, "rejected": len(rejected),
                    "duplicates": len(duplicates)},
        "rejected": [{"source": r.file, "index": r.position, "line": r.line, "id": r.id,
                      "field": r.field, "reason": r.reason} for r in rejected],
        "duplicates": duplicates,
        "feeds": feeds,
        "sitemaps": sitemaps,
        "partners": partners,
    }


def pretty_json(value: object) -> bytes:
    """JSON for people (build-report.json): indented, UTF-8."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def compact_json(value: object) -> bytes:
    """Machine-read JSON: one line, by the C encoder (an indent forces the slow Python one)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


__all__ = ["REPORT_NAME", "BuildReport", "FileResult", "ProgressFn", "compact_json",
           "pretty_json", "report_document"]
