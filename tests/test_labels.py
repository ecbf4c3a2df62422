"""Feeds that follow a tag or an author (issue 16, docs/labels.md): which exist, their slugs
and URLs, what a new article costs, retention, the OPML groups and the head fragment links."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import feedparser
import pytest
import yaml
from conftest import Run, Site, record

import syndicate
from syndicate import clock
from syndicate.labels import slugify

FEEDS_URL = "https://nchn.example.com/feeds/"
SITE_TITLE = "全國大小事新聞網"
HOSTILE_IDS = Path(__file__).parent / "fixtures" / "hostile" / "ids.yaml"


def article(number: int, tags: list[str], author: str | list[str] = "記者王小明",
            category: str = "local", day: int = 4) -> dict[str, Any]:
    return record(id=f"a{number:03d}", url=f"https://nchn.example.com/2026/02/{number:03d}/",
                  title=f"第 {number} 則", category=category, tags=tags, author=author,
                  published=f"2026-02-{day:02d}T{number % 24:02d}:00:00+08:00")


def configure(site: Site, tags: int = 3, authors: int = 3, retention: int = 30,
              **sections: Any) -> None:
    site.write_config(tags={"min_articles": tags, "retention_days": retention},
                      authors={"min_articles": authors, "retention_days": retention},
                      **sections)


def build(site: Site, run: Callable[..., Run], records: list[dict[str, Any]], *argv: str
          ) -> Run:
    site.write_records(records)
    result = run("build", "--config", site.config, *argv)
    assert result.code == 0, result.err
    return result


def folders(site: Site, kind: str) -> set[str]:
    root = site.feeds / kind
    return {p.name for p in root.iterdir() if p.is_dir() and any(p.iterdir())} \
        if root.is_dir() else set()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link" and dict(attrs).get("rel") == "alternate":
            self.links.append(dict(attrs))


def alternates(site: Site, name: str) -> list[dict[str, str | None]]:
    parser = _Links()
    parser.feed(site.read(f"articles/{name}.html"))
    return parser.links


def label_hrefs(site: Site, name: str, kinds: tuple[str, ...] = ("tags", "authors")
                ) -> list[str]:
    return [str(link["href"]) for link in alternates(site, name)
            if any(f"/{kind}/" in str(link["href"]) for kind in kinds)]


# --- which feeds exist ---

def test_feeds_exist_exactly_for_tags_and_authors_at_or_over_the_threshold(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=3, authors=2)
    records = ([article(n, ["颱風", "停班停課"], "記者王小明") for n in range(1, 4)]
               + [article(n, ["停班停課", "地震"], "記者林雅婷") for n in range(4, 6)]
               + [article(6, ["停班停課"], "中央社")])
    build(site, run, records)
    assert folders(site, "tags") == {"颱風", "停班停課"}  # 3 and 6 articles; 地震 has 2
    assert folders(site, "authors") == {"記者王小明", "記者林雅婷"}  # 中央社 has 1
    rss = feedparser.parse(site.read("tags/颱風/rss.xml"))
    assert not rss.bozo
    assert rss.feed.title == f"颱風 | {SITE_TITLE}"
    assert [entry.link for entry in rss.entries] == [
        f"https://nchn.example.com/2026/02/{n:03d}/" for n in (3, 2, 1)]
    atom = feedparser.parse(site.read("authors/記者林雅婷/atom.xml"))
    assert atom.feed.id == ("tag:nchn.example.com,2026-01-01:feed/author/"
                            + quote("記者林雅婷", safe=""))
    assert len(atom.entries) == 2
    assert site.json("tags/停班停課/feed.json")["title"] == f"停班停課 | {SITE_TITLE}"
    assert len(site.json("tags/停班停課/feed.json")["items"]) == 6
    checked = run("check", site.feeds)
    assert checked.code == 0 and " 0 error(s)" in checked.out, checked.out


def test_a_cjk_tag_keeps_its_folder_and_is_percent_encoded_in_every_url(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=1, output={"dir": "feeds", "pages": True})
    build(site, run, [article(1, ["颱風"])])
    encoded = f"{FEEDS_URL}tags/%E9%A2%B1%E9%A2%A8/"
    assert (site.feeds / "tags" / "颱風" / "rss.xml").is_file()
    rss = feedparser.parse(site.read("tags/颱風/rss.xml"))
    assert [link.href for link in rss.feed.links if link.rel == "self"] == [encoded + "rss.xml"]
    assert site.json("tags/颱風/feed.json")["feed_url"] == encoded + "feed.json"
    opml = ET.fromstring(site.read("index.opml"))
    assert encoded + "rss.xml" in [o.get("xmlUrl") for o in opml.iter("outline")]
    assert encoded + "rss.xml" in label_hrefs(site, "a001")
    page = site.read("tags/颱風/index.html")
    assert f'<link rel="canonical" href="{encoded}">' in page
    assert f"<h1><a href=\"{encoded}\">颱風 | {SITE_TITLE}</a></h1>" in page


def test_names_that_map_to_one_slug_get_distinct_slugs_that_stay(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=2, retention=0)
    first = [article(n, ["Taiwan News", "taiwan news"]) for n in (1, 2)]
    build(site, run, first)
    suffix = hashlib.sha256(b"taiwan news").hexdigest()[:6]
    assert folders(site, "tags") == {"taiwan-news", f"taiwan-news-{suffix}"}
    assert feedparser.parse(site.read("tags/taiwan-news/rss.xml")).feed.title.startswith(
        "Taiwan News |")  # the name that sorts first has the plain slug
    # "Taiwan News" loses its feed; a third name claims later: the slugs given stay
    later = [article(n, ["taiwan news", "TAIWAN/news"]) for n in (1, 2)]
    build(site, run, later)
    third = hashlib.sha256(b"TAIWAN/news").hexdigest()[:6]
    assert folders(site, "tags") == {f"taiwan-news-{suffix}", f"taiwan-news-{third}"}
    build(site, run, [*later, article(3, ["Taiwan News"]), article(4, ["Taiwan News"])])
    assert folders(site, "tags") == {"taiwan-news", f"taiwan-news-{suffix}",
                                     f"taiwan-news-{third}"}


def test_slugs_are_normalized_deterministically() -> None:
    assert slugify("  Hello World  ") == "hello-world"
    assert slugify("a/b\\c") == "a-b-c"
    assert slugify("..hidden") == "hidden"
    assert slugify("-.-x") == "x"
    assert slugify("a..b") == "a.b"
    assert slugify("Ｔａｉｗａｎ 颱風") == "Ｔａｉｗａｎ-颱風"  # only ASCII is lowercased
    assert slugify("e\u0301") == "\u00e9"  # NFC
    assert slugify("tab\there\x00\x07") == "tab-here"
    assert slugify("../..") == ""
    assert slugify("%?#") == ""
    assert len(slugify("長" * 500)) == 60


# --- what a run costs ---

def test_a_new_article_changes_only_its_own_category_tag_and_author_feeds(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=2, authors=2)
    records = ([article(n, ["颱風"], "記者王小明", "local") for n in (1, 2)]
               + [article(n, ["地震"], "記者林雅婷", "society") for n in (3, 4)])
    build(site, run, records)
    before = {path: (data, os.stat(site.feeds / path).st_mtime_ns)
              for path, data in site.files().items()}
    result = build(site, run, [*records, article(5, ["颱風"], "記者王小明", "local", day=5)],
                   "--verbose")
    after = site.files()
    changed = {path for path, data in after.items()
               if path not in before or before[path][0] != data}
    assert changed == {"rss.xml", "atom.xml", "feed.json", "local/rss.xml", "local/atom.xml",
                       "local/feed.json", "tags/颱風/rss.xml", "tags/颱風/atom.xml",
                       "tags/颱風/feed.json", "authors/記者王小明/rss.xml",
                       "authors/記者王小明/atom.xml", "authors/記者王小明/feed.json",
                       "articles/a005.json", "articles/a005.html",
                       "build-report.json", "index.html", "local/index.html",
                       "tags/颱風/index.html", "authors/記者王小明/index.html",
                       # its category's month archive (tags' and authors' are off by default)
                       "local/archive/2026-02.rss.xml", "local/archive/2026-02.atom.xml",
                       "local/archive/2026-02.json"}
    for path, (_data, mtime) in before.items():
        if path not in changed:
            assert os.stat(site.feeds / path).st_mtime_ns == mtime, path
    # the untouched tag and author feeds were not even planned
    assert "地震" not in result.out and "記者林雅婷" not in result.out


def test_a_tag_that_reaches_the_threshold_is_linked_from_its_older_articles(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=3)
    records = [article(n, ["颱風"]) for n in (1, 2)]
    build(site, run, records)
    assert label_hrefs(site, "a001", ("tags",)) == []
    build(site, run, [*records, article(3, ["颱風"])])
    tag = f"{FEEDS_URL}tags/%E9%A2%B1%E9%A2%A8/"
    for name in ("a001", "a002", "a003"):
        assert label_hrefs(site, name, ("tags",)) == [tag + "rss.xml", tag + "atom.xml",
                                                      tag + "feed.json"]


# --- retention ---

def test_a_tag_under_the_threshold_keeps_its_feed_until_retention_ends(
        site: Site, run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: start)
    configure(site, tags=3, retention=2)
    records = [article(n, ["颱風"]) for n in (1, 2, 3)]
    build(site, run, records)
    assert folders(site, "tags") == {"颱風"}
    records[2] = article(3, ["地震"])  # retagged: 颱風 falls to 2
    build(site, run, records)
    kept = feedparser.parse(site.read("tags/颱風/rss.xml"))
    assert [entry.link for entry in kept.entries] == [
        f"https://nchn.example.com/2026/02/{n:03d}/" for n in (2, 1)]
    assert label_hrefs(site, "a001", ("tags",)) != []
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=1, hours=23))
    records.append(article(4, ["其他"]))
    build(site, run, records)
    assert folders(site, "tags") == {"颱風"}
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=2))
    records.append(article(5, ["其他"]))
    build(site, run, records)
    assert folders(site, "tags") == set()
    assert not list((site.feeds / "tags").rglob("*.xml"))
    assert label_hrefs(site, "a001", ("tags",)) == label_hrefs(site, "a002", ("tags",)) == []
    assert "tags/" not in site.read("index.opml")


def test_a_tag_that_climbs_back_keeps_its_feed_and_its_retention_restarts(
        site: Site, run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: start)
    configure(site, tags=2, retention=1)
    build(site, run, [article(1, ["颱風"]), article(2, ["颱風"])])
    build(site, run, [article(1, ["颱風"]), article(2, ["地震"])])  # under since start
    build(site, run, [article(1, ["颱風"]), article(2, ["颱風"])])  # over again
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=3))
    build(site, run, [article(1, ["颱風"]), article(2, ["颱風"]), article(3, ["x"])])
    assert folders(site, "tags") == {"颱風"}


# --- the OPML list and the head fragments ---

def test_the_opml_lists_tag_and_author_feeds_as_their_own_groups(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=1, authors=1)
    build(site, run, [article(1, ["颱風", "地震"], ["記者王小明", "中央社"])])
    body = ET.fromstring(site.read("index.opml")).find("body")
    assert body is not None
    top = list(body)
    assert [o.get("text") for o in top] == [
        SITE_TITLE, f"地方 | {SITE_TITLE}", f"生活 | {SITE_TITLE}", f"社會 | {SITE_TITLE}",
        f"國際 | {SITE_TITLE}", "標籤", "作者"]
    assert [o.get("text") for o in top[-2]] == [f"地震 | {SITE_TITLE}", f"颱風 | {SITE_TITLE}"]
    assert [o.get("xmlUrl") for o in top[-1]] == [
        f"{FEEDS_URL}authors/{quote(name)}/rss.xml" for name in ("中央社", "記者王小明")]


def test_the_head_fragment_links_the_feeds_of_its_tags_and_authors_that_exist(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=2, authors=2)
    build(site, run, [article(1, ["颱風", "孤單", "地震"], "記者王小明"),
                      article(2, ["地震", "颱風"], ["中央社", "記者王小明"])])
    links = alternates(site, "a001")
    assert [link["title"] for link in links[:6]] == [f"地方 | {SITE_TITLE}"] * 3 + [
        SITE_TITLE] * 3
    labels = links[6:]
    assert [(link["title"], link["type"]) for link in labels[::3]] == [
        (f"颱風 | {SITE_TITLE}", "application/rss+xml"),
        (f"地震 | {SITE_TITLE}", "application/rss+xml"),
        (f"記者王小明 | {SITE_TITLE}", "application/rss+xml")]
    assert labels[0]["href"] == f"{FEEDS_URL}tags/{quote('颱風')}/rss.xml"
    assert all(str(link["href"]).isascii() for link in links)
    # `syndicate share --format head` prints what the build wrote, links included
    shared = run("share", "a001", "--format", "head", "--config", site.config)
    assert shared.code == 0
    assert shared.out == site.read("articles/a001.html")


# --- bad input, and turning a kind off ---

def test_hostile_names_stay_inside_their_folder(site: Site, run: Callable[..., Run]) -> None:
    names = [str(item["id"]) for item in yaml.safe_load(HOSTILE_IDS.read_text())["articles"]]
    names = [name for name in names if len(name) <= 200] + ["", " ", ".", "..", "/"]
    configure(site, tags=1, authors=1)
    outside = sorted(p for p in site.folder.rglob("*") if site.feeds not in p.parents)
    build(site, run, [article(n, [name], name or "x") for n, name in enumerate(names, 1)])
    assert sorted(p for p in site.folder.rglob("*") if site.feeds not in p.parents
                  and not p.name.startswith(("feeds", ".syndicate"))
                  and "cache-home" not in p.parts and p not in outside) == []
    for kind in ("tags", "authors"):
        root = site.feeds / kind
        for path in root.rglob("*"):
            relative = path.relative_to(root).parts
            assert len(relative) == 2 if path.is_file() else len(relative) == 1, path
            assert not relative[0].startswith((".", "-")) and ".." not in relative[0]
            assert "/" not in relative[0] and "\\" not in relative[0]
        assert len(folders(site, kind)) >= 5


def test_threshold_zero_turns_a_kind_off_and_removes_its_files(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=1, authors=1, output={"dir": "feeds", "pages": True})
    records = [article(1, ["颱風"], "記者王小明")]
    build(site, run, records)
    assert folders(site, "tags") == {"颱風"} and folders(site, "authors") == {"記者王小明"}
    configure(site, tags=0, authors=1, output={"dir": "feeds", "pages": True})
    build(site, run, records)
    assert not [p for p in (site.feeds / "tags").rglob("*") if p.is_file()]
    assert folders(site, "authors") == {"記者王小明"}
    assert label_hrefs(site, "a001") == [f"{FEEDS_URL}authors/{quote('記者王小明')}/{name}"
                                         for name in ("rss.xml", "atom.xml", "feed.json")]
    assert "/tags/" not in site.read("index.opml")


# --- syndicate status ---

def test_status_counts_tag_and_author_feeds_and_names_the_biggest(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=2, authors=9)
    build(site, run, [article(n, ["颱風", "地震"][: 1 + n % 2]) for n in range(1, 6)]
          + [article(6, ["single"])])
    out = run("status", "--config", site.config).out
    assert "tags         2 feed(s); the biggest:\n" \
           "         5  颱風  tags/颱風/\n" \
           "         3  地震  tags/地震/\n" in out
    assert "authors" not in out
    state = syndicate.status(syndicate.load_config(site.config))
    assert [(labels.kind, labels.feeds) for labels in state.labels] == [("tag", 2),
                                                                        ("author", 0)]


# --- an index from before tag feeds ---

def test_an_older_index_learns_the_labels_of_its_articles(
        site: Site, run: Callable[..., Run]) -> None:
    configure(site, tags=2)
    records = [article(n, ["颱風"]) for n in (1, 2)]
    build(site, run, records)
    index = next(site.folder.glob("*.sqlite"))
    db = sqlite3.connect(index)  # as syndicate before migration 9 left it (and so before 10)
    db.executescript("DROP TABLE label_items; DROP TABLE labels; PRAGMA user_version = 8;"
                     "DROP TABLE image_uses; DROP INDEX images_failed;"
                     "ALTER TABLE images DROP COLUMN tried;"
                     "UPDATE meta SET value = '' WHERE key = 'fingerprint feeds';"
                     "DELETE FROM feeds WHERE path LIKE 'tags/%';")
    db.close()
    shutil.rmtree(site.feeds / "tags")
    build(site, run, records)
    assert folders(site, "tags") == {"颱風"}
    assert len(feedparser.parse(site.read("tags/颱風/rss.xml")).entries) == 2
