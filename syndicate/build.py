"""The pipeline, and the one place that ties the stages together:
sources -> records -> select -> render -> publish."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .publish import Publisher, PublishError, hold_lock, safe_name
from .records import Article, Origin, RecordError, normalize
from .render.feeds import FORMATS, FeedSpec, feed_updated
from .render.meta import head_html, share_payload
from .render.opml import render_opml
from .sources import SourceError, read_source
from .urls import URLError, web_url

REPORT_NAME = "build-report.json"
OPML_NAME = "index.opml"
ARTICLES = "articles"  # feeds/articles/<id>.json and .html


class BuildError(Exception):
    """The run published nothing; the files already published stay as they were."""


class UnknownArticle(LookupError):
    """No published article has that id or URL."""


class RejectedRecords(BuildError):
    """--strict: some records were rejected, so nothing was written."""

    def __init__(self, rejected: Sequence[RecordError]) -> None:
        super().__init__(f"{len(rejected)} record(s) rejected; --strict: nothing was written")
        self.rejected = list(rejected)


@dataclass(frozen=True)
class Duplicate:
    id: str
    kept: Origin
    dropped: tuple[Origin, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kept": str(self.kept), "dropped": [str(o) for o in self.dropped]}


@dataclass(frozen=True)
class FileResult:
    path: str
    written: bool
    items: int | None = None


@dataclass
class BuildReport:
    """What a run did. `as_dict()` is the deterministic part that goes to build-report.json."""

    records_read: int = 0
    articles: int = 0
    rejected: list[RecordError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 3 if self.rejected else 0

    @property
    def written(self) -> list[FileResult]:
        return [result for result in self.files if result.written]

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator": f"syndicate {__version__}",
            "records": {"read": self.records_read, "published": self.articles,
                        "rejected": len(self.rejected), "duplicates": len(self.duplicates)},
            "rejected": [error.as_dict() for error in self.rejected],
            "duplicates": [duplicate.as_dict() for duplicate in self.duplicates],
            "feeds": [{"path": result.path, "items": result.items}
                      for result in self.files if result.items is not None],
            "removed": self.removed,
        }


def build(config: Config, *, output: Path | None = None, strict: bool = False) -> BuildReport:
    """Read every source, render every feed, and publish what changed.

    :param config: the loaded site configuration (see `load_config`).
    :param output: the output folder instead of the config's `output.dir`.
    :param strict: fail, writing nothing, when any record is rejected.
    :raises BuildError: nothing was published (a source failed, --strict, no valid record).
    :raises PublishError: the output folder cannot be written (LockBusy: another run holds it).
    """
    if output is not None:
        config = replace(config, output=replace(config.output, dir=output))
    root = config.output.dir
    with hold_lock(root):
        articles, report = load_articles(config)
        if strict and report.rejected:
            raise RejectedRecords(report.rejected)
        if not articles:
            raise BuildError(f"no record could be published ({report.records_read} read, "
                             f"{len(report.rejected)} rejected); the feeds stay as they were")
        outputs = render_all(config, articles)
        publisher = Publisher(root)
        publisher.sweep()
        try:
            for path, data, items in outputs:
                report.files.append(FileResult(path, publisher.write(path, data), items))
            published = {path for path, _, _ in outputs}
            report.removed = publisher.remove_others(ARTICLES, published)
            report_bytes = _json_bytes(report.as_dict())
            report.files.append(FileResult(REPORT_NAME, publisher.write(REPORT_NAME, report_bytes)))
        finally:
            publisher.finish()
    return report


def load_articles(config: Config) -> tuple[list[Article], BuildReport]:
    """Every valid article of the config's sources, newest first, one per id, without writing
    anything; the report holds the rejected records and the duplicates.

    :raises BuildError: when a source cannot be read.
    """
    report = BuildReport()
    articles = _read_articles(config, report)
    report.articles = len(articles)
    return articles, report


def _read_articles(config: Config, report: BuildReport) -> list[Article]:
    """Every valid article, newest first, one per id (rejections and duplicates in `report`)."""
    chosen: dict[str, tuple[Article, list[Origin]]] = {}
    for source in config.sources:
        try:
            raws = read_source(source)
        except SourceError as exc:
            raise BuildError(f"{exc}; nothing was published, the feeds stay as they were"
                             ) from exc
        for raw, origin in raws:
            report.records_read += 1
            try:
                article = normalize(raw, config, origin)
            except RecordError as error:
                report.rejected.append(error)
                continue
            previous = chosen.get(article.id)
            if previous is None:
                chosen[article.id] = (article, [])
            elif article.updated >= previous[0].updated:  # the newer edit wins; a tie, the later
                chosen[article.id] = (article, [*previous[1], previous[0].origin])
            else:
                previous[1].append(origin)
    report.duplicates = [Duplicate(article.id, article.origin, tuple(dropped))
                         for article, dropped in chosen.values() if dropped]
    return newest_first(article for article, _ in chosen.values())


def find_article(config: Config, key: str) -> Article:
    """The published article whose id, or URL, is `key`.

    :raises UnknownArticle: naming the closest ids there are.
    """
    articles, _ = load_articles(config)
    by_id = {article.id: article for article in articles}
    if key in by_id:
        return by_id[key]
    try:
        url = web_url(key)
    except URLError:
        url = None
    for article in articles:
        if article.url == url:
            return article
    close = sorted(difflib.get_close_matches(key, list(by_id), n=3, cutoff=0.5))
    hint = f"; the closest ids are {', '.join(close)}" if close else ""
    raise UnknownArticle(f"no published article has the id or URL {key!r}{hint}")


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Newest `published` first; equal times by id, so the order never depends on the input."""
    by_id = sorted(articles, key=lambda article: article.id)
    return sorted(by_id, key=lambda article: article.published, reverse=True)


def feed_specs(config: Config) -> list[FeedSpec]:
    """The site feed, then one feed per category in the config's order."""
    return [FeedSpec.for_site(config)] + [FeedSpec.for_category(config, category)
                                         for category in config.categories]


def render_all(config: Config, articles: Sequence[Article]) -> list[tuple[str, bytes, int | None]]:
    """Every file of the feeds folder as (relative path, bytes, item count), in a fixed order."""
    limit = config.output.items_per_feed
    files: list[tuple[str, bytes, int | None]] = []
    specs = feed_specs(config)
    for spec in specs:
        slug = spec.category.slug if spec.category else None
        items = [a for a in articles if slug is None or a.category == slug][:limit]
        for fmt in FORMATS:
            files.append((spec.folder + fmt.filename, fmt.render(config, spec, items), len(items)))
    files.append((OPML_NAME, render_opml(config, specs, feed_updated(articles, config)), None))
    for article in articles:
        name = f"{ARTICLES}/{safe_name(article.id)}"
        files.append((f"{name}.json", _json_bytes(share_payload(article, config)), None))
        files.append((f"{name}.html", head_html(article, config).encode("utf-8"), None))
    return files


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


__all__ = ["BuildError", "BuildReport", "PublishError", "RejectedRecords", "UnknownArticle",
           "build", "find_article", "load_articles"]
