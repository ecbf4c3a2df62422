"""Shared fixtures: a small site on disk, built through the real CLI entry point."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from syndicate.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config" / "site.yaml"

CATEGORIES = [
    {"slug": "local", "name": "地方"}, {"slug": "life", "name": "生活"},
    {"slug": "society", "name": "社會"}, {"slug": "world", "name": "國際"},
]


def record(**overrides: Any) -> dict[str, Any]:
    """A valid record; keyword arguments replace or (with None) remove fields."""
    base: dict[str, Any] = {
        "id": "2026020401",
        "url": "https://nchn.example.com/2026/02/04/2026020401/",
        "title": "接見回國訪問團 卓揆:臺日「強強聯手」",
        "category": "society",
        "published": "2026-02-04T10:00:00+08:00",
        "summary": "行政院長卓榮泰今日接見訪問團。",
        "content_html": "<p>行政院長卓榮泰今(4)日接見訪問團。</p>",
        "tags": ["臺日關係"],
        "author": "行政院",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


@dataclass
class Site:
    """A site folder: site.yaml, one records file, and feeds/ once built."""

    folder: Path

    @property
    def config(self) -> Path:
        return self.folder / "site.yaml"

    @property
    def feeds(self) -> Path:
        return self.folder / "feeds"

    def write_records(self, records: list[Any], name: str = "articles.yaml") -> Path:
        path = self.folder / name
        if name.endswith(".jsonl"):
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                            encoding="utf-8")
        elif name.endswith(".json"):
            path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump({"articles": records}, allow_unicode=True),
                            encoding="utf-8")
        return path

    def write_config(self, records_file: str = "articles.yaml", **sections: Any) -> None:
        config: dict[str, Any] = {
            "site": {"title": "全國大小事新聞網", "url": "https://nchn.example.com/",
                     "language": "zh-TW", "timezone": "Asia/Taipei", "tag_date": "2026-01-01",
                     "logo": "https://nchn.example.com/logo.png"},
            "categories": CATEGORIES,
            "sources": [{"type": "files", "path": records_file}],
            "output": {"dir": "feeds"},
        }
        config.update(sections)
        self.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def read(self, relative: str) -> str:
        return (self.feeds / relative).read_text(encoding="utf-8")

    def json(self, relative: str) -> Any:
        return json.loads(self.read(relative))

    def files(self) -> dict[str, bytes]:
        """Every published file (not the lock) by relative path."""
        return {str(p.relative_to(self.feeds)): p.read_bytes()
                for p in sorted(self.feeds.rglob("*"))
                if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A site with one valid record; tests rewrite the records and config as they need."""
    made = Site(tmp_path)
    made.write_records([record()])
    made.write_config()
    return made


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Call the CLI's main() with arguments; returns exit code and captured output."""

    def call(*argv: str | Path) -> Run:
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return call


@pytest.fixture(autouse=True)
def _cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The no-op path's state files (noop.py) go to the test's own folder, never ~/.cache."""
    cache = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def lock_held(lock: Path) -> bool:
    """Whether some process holds the flock on `lock` (probed without waiting)."""
    try:
        handle = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)
