"""Issue 14: a config change re-renders only the kinds of output that read the changed keys
(kinds.py); the other files are not rendered, and keep their bytes and their mtimes."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
import yaml
from conftest import CATEGORIES, record

import syndicate.render
import syndicate.sources

KINDS = {"feeds", "articles", "pages", "sitemaps", "partners", "archives"}
OLD = 1_000_000_000 * 10**9  # 2001: an mtime no run of the test writes


def _kind(path: str) -> str:
    top = path.split("/")[0]
    if "/archive/" in f"/{path}":
        return "archives"
    if top in ("articles", "sitemaps", "partners"):
        return top
    return "pages" if path.endswith("index.html") else "feeds"


def _config(**changes: Any) -> dict[str, Any]:
    """The test site's config with `changes` ("section.key": value) made."""
    config: dict[str, Any] = {
        "site": {"title": "全國大小事新聞網", "url": "https://nchn.example.com/",
                 "language": "zh-TW", "timezone": "Asia/Taipei", "tag_date": "2026-01-01",
                 "logo": "https://nchn.example.com/logo.png"},
        "categories": CATEGORIES,
        "sources": [{"type": "files", "path": "articles.jsonl"}],
        "output": {"dir": "feeds", "items_per_feed": 50},
        "share": {"utm_campaign": "share"},
        "sitemaps": {"news": True, "articles": True},
        "partners": {"yahoo": True, "line_today": True, "msn": True},
    }
    for dotted, value in changes.items():
        section, _, name = dotted.partition(".")
        config[section] = {**config.get(section, {}), name: value} if name else value
    return config


@pytest.fixture
def kinds_site(site):
    site.write_records([record(id=f"n{n:02d}", category=("local", "life", "society")[n % 3],
                               url=f"https://nchn.example.com/2026/02/{n:02d}/",
                               published=f"2026-02-{n + 1:02d}T10:00:00+08:00",
                               title=f"第{n}則新聞")
                        for n in range(12)], "articles.jsonl")
    _write(site, _config())
    return site


def _write(site, config: dict[str, Any], tail: str = "") -> None:
    site.config.write_text(yaml.safe_dump(config, allow_unicode=True) + tail, encoding="utf-8")


def _age(site) -> dict[str, int]:
    """Set every published file's mtime to OLD; their paths."""
    paths = {}
    for path in site.feeds.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            os.utime(path, ns=(OLD, OLD))
            paths[str(path.relative_to(site.feeds))] = OLD
    return paths


def _touched(site) -> set[str]:
    return {str(path.relative_to(site.feeds)) for path in site.feeds.rglob("*")
            if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime_ns != OLD}


def _rendered(out: str) -> set[str]:
    """The kinds of the files a `build -v` rendered (written or found unchanged) or removed."""
    return {_kind(line.split()[1]) for line in out.splitlines()
            if line.startswith(("written ", "unchanged ", "removed "))
            and "build-report.json" not in line}


def _rebuild(site, run, config: dict[str, Any]):
    assert run("build", "--config", site.config).code == 0
    _age(site)
    before = site.files()
    _write(site, config)
    result = run("build", "--config", site.config, "-v")
    assert result.code == 0, result.err
    rendered = _rendered(result.out)
    after = site.files()
    for path in set(before) | set(after):  # what no renderer rendered kept bytes and mtime
        if _kind(path) not in rendered and path != "build-report.json":
            assert before.get(path) == after.get(path), path
            assert path not in _touched(site), path
    return result, rendered


@pytest.mark.parametrize(("change", "kinds"), [
    # partners.items follows output.items_per_feed when not set, so partner files follow too
    ({"output.items_per_feed": 5}, {"feeds", "pages", "partners"}),
    ({"share.utm_campaign": "spring"}, {"articles"}),
    ({"share.x_via": "nchn_news"}, {"articles", "pages"}),  # pages print twitter:site
    ({"sitemaps.publication": "大小事"}, {"sitemaps"}),
    ({"partners.msn_items": 3}, {"partners"}),
    ({"partners.utm_campaign": "partner_b"}, {"partners"}),
    # partners and archives reuse the RSS
    ({"output.update_period": "daily"}, {"feeds", "partners", "archives"}),
    # the current feeds link the archives; the site's are new, nothing else of the archives
    ({"archives.site": True}, {"feeds", "archives"}),
    ({"categories": [*CATEGORIES[:3], {"slug": "world", "name": "國際", "description": "世界"}]},
     {"feeds", "articles", "pages", "partners", "archives"}),  # its feed's description
    # the site's title is in every kind's files: everything renders again
    ({"site.title": "大小事"}, KINDS),
])
def test_a_config_change_renders_exactly_the_kinds_that_read_it(kinds_site, run, change,
                                                                 kinds):
    result, rendered = _rebuild(kinds_site, run, _config(**change))
    assert rendered == kinds
    assert " 0 records read" in result.out  # no record is read again


def test_a_share_key_writes_every_article_file_and_no_feed(kinds_site, run):
    _rebuild(kinds_site, run, _config(**{"share.utm_campaign": "spring"}))
    touched = _touched(kinds_site)
    # the shared URLs are in the share JSON (the head fragment names the page itself)
    assert {f"articles/n{n:02d}.json" for n in range(12)} <= touched
    assert touched - {path for path in touched if path.startswith("articles/")} <= {
        "build-report.json"}


def test_fewer_items_per_feed_shrinks_feeds_on_purpose(kinds_site, run):
    """The shrink guard's exemption: a new feeds fingerprint may shrink feeds."""
    result, _ = _rebuild(kinds_site, run, _config(**{"output.items_per_feed": 3}))
    assert "written   rss.xml (3 items)" in result.out
    assert not any(line.startswith("written   articles/") for line in result.out.splitlines())


def test_pages_turned_off_removes_only_pages(kinds_site, run):
    result, rendered = _rebuild(kinds_site, run, _config(**{"output.pages": False}))
    assert rendered == {"pages"}
    assert not list(kinds_site.feeds.rglob("index.html"))
    assert "removed   index.html" in result.out
    assert _touched(kinds_site) <= {"build-report.json"}


def test_a_comment_in_the_config_renders_nothing(kinds_site, run):
    assert run("build", "--config", kinds_site.config).code == 0
    aged = _age(kinds_site)
    _write(kinds_site, _config(), tail="# a comment, and the keys as they were\n")
    result = run("build", "--config", kinds_site.config, "-v")
    assert (result.code, result.out) == (
        0, "nothing changed in the sources; nothing was read or written\n")
    assert _touched(kinds_site) == set()
    assert set(aged) == set(kinds_site.files())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_renderer_version_renders_its_kind_only(kinds_site, run, monkeypatch, kind):
    assert run("build", "--config", kinds_site.config).code == 0
    _age(kinds_site)
    name = f"{kind.upper()}_VERSION"
    monkeypatch.setattr(syndicate.render, name, getattr(syndicate.render, name) + 1)
    result = run("build", "--config", kinds_site.config, "-v")
    assert result.code == 0
    # partner files and archives build on the feeds' renderers: a new one renders them too
    assert _rendered(result.out) == ({"feeds", "partners", "archives"} if kind == "feeds"
                                     else {kind})
    assert " 0 records read" in result.out


@pytest.mark.parametrize("change", [
    {"sources": [{"type": "files", "path": "articles.jsonl", "fields": {"headline": "title"}}]},
    {"site.timezone": "Asia/Tokyo"},
])
def test_a_change_of_how_records_are_read_reads_them_again(kinds_site, run, change):
    assert run("build", "--config", kinds_site.config).code == 0
    _write(kinds_site, _config(**change))
    result = run("build", "--config", kinds_site.config, "-v")
    assert result.code == 0
    assert "12 records read from 1 file(s)" in result.out
    assert _rendered(result.out) == KINDS


def test_a_new_ingest_version_reads_the_records_again(kinds_site, run, monkeypatch):
    assert run("build", "--config", kinds_site.config).code == 0
    monkeypatch.setattr(syndicate.sources, "INGEST_VERSION", 2)
    result = run("build", "--config", kinds_site.config, "-v")
    assert "12 records read from 1 file(s)" in result.out


def test_full_reads_and_renders_everything(kinds_site, run):
    assert run("build", "--config", kinds_site.config).code == 0
    result = run("build", "--config", kinds_site.config, "--full", "-v")
    assert "12 records read from 1 file(s)" in result.out
    assert _rendered(result.out) == KINDS


def test_a_failed_run_leaves_the_fingerprints_to_the_next(kinds_site, run, monkeypatch):
    assert run("build", "--config", kinds_site.config).code == 0
    _write(kinds_site, _config(**{"share.utm_campaign": "spring"}))

    def broken(*args: Any) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(sys.modules["syndicate.build"], "publish_articles", broken)
        assert run("build", "--config", kinds_site.config).code != 0
    result = run("build", "--config", kinds_site.config, "-v")
    assert _rendered(result.out) == {"articles"}
