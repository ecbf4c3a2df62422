"""Archived feeds (RFC 5005 section 4; issue 16): each feed's months as archive documents that a
reader follows back from the current feed and forward again, that never change once their month
is over (but for an edit of one of their own articles), and that a run rewrites only where its
articles changed."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, unquote

import feedparser
import pytest
from conftest import record
from lxml import etree

import syndicate

FEEDS_URL = "https://nchn.example.com/feeds/"
NS_FH = "http://purl.org/syndication/history/1.0"

# society's history: November, (no December), January, February; local and life around it
HISTORY = [
    record(id="n1", category="society", published="2025-11-03T09:00:00+08:00"),
    record(id="n2", category="society", published="2025-11-20T09:00:00+08:00"),
    record(id="j1", category="society", published="2026-01-05T09:00:00+08:00"),
    record(id="j2", category="society", published="2026-01-06T09:00:00+08:00"),
    # 15:30 UTC on January 31st: still January in Taipei
    record(id="j3", category="society", published="2026-01-31T23:30:00+08:00"),
    # 16:30 UTC on January 31st, but February in Taipei: the site's zone decides
    record(id="f1", category="society", published="2026-02-01T00:30:00+08:00"),
    record(id="f2", category="society", published="2026-02-04T10:00:00+08:00"),
    record(id="l1", category="local", published="2025-12-24T10:00:00+08:00"),
    record(id="l2", category="life", published="2026-02-02T10:00:00+08:00"),
]
SOCIETY = {"n1", "n2", "j1", "j2", "j3", "f1", "f2"}
MONTHS = ["2025-11", "2026-01", "2026-02"]
SUFFIXES = (".rss.xml", ".atom.xml", ".json")


@pytest.fixture
def history(site):
    site.write_records(HISTORY)
    site.write_config(output={"dir": "feeds", "items_per_feed": 2})
    return site


def _local(site, url: str) -> Path:
    assert url.startswith(FEEDS_URL), url
    return site.feeds / url.removeprefix(FEEDS_URL)


def _link(parsed, rel: str) -> str | None:
    found = [link["href"] for link in parsed.feed.get("links", []) if link.get("rel") == rel]
    assert len(found) <= 1, (rel, found)
    return found[0] if found else None


def _ids(parsed) -> list[str]:
    return [entry.id.rpartition("/")[2] for entry in parsed.entries]


def _mtimes(site) -> dict[str, int]:
    return {p.relative_to(site.feeds).as_posix(): p.stat().st_mtime_ns
            for p in site.feeds.rglob("*") if p.is_file() and not p.name.startswith(".")}


def _archives(site, written: list[str] | None = None) -> list[str]:
    names = written if written is not None else list(_mtimes(site))
    return sorted(name for name in names if "/archive/" in f"/{name}")


def _written(result) -> list[str]:
    return sorted(line.split()[1] for line in result.out.splitlines()
                  if line.startswith("written "))


@pytest.mark.parametrize("current", ["rss.xml", "atom.xml"])
def test_a_reader_follows_the_archives_back_and_forth_and_sees_every_item_once(
        history, run, current):
    assert run("build", "--config", history.config).code == 0
    subscription = feedparser.parse(history.feeds / "society" / current)
    assert not subscription.bozo
    assert _ids(subscription) == ["f2", "f1"]  # two items per feed: the rest is archived

    back, seen, url = [], [], _link(subscription, "prev-archive")
    while url:
        parsed = feedparser.parse(_local(history, url))
        assert not parsed.bozo, url
        assert _link(parsed, "self") == url
        assert _link(parsed, "current") == FEEDS_URL + "society/" + current
        root = etree.parse(str(_local(history, url))).getroot()
        channel = root.find("channel") if root.tag == "rss" else root
        assert channel.find(f"{{{NS_FH}}}archive") is not None
        back.append(url)
        seen += _ids(parsed)
        url = _link(parsed, "prev-archive")
    suffix = ".rss.xml" if current == "rss.xml" else ".atom.xml"
    assert back == [f"{FEEDS_URL}society/archive/{month}{suffix}" for month in reversed(MONTHS)]
    assert sorted(seen) == sorted(SOCIETY)  # each item once, none from another category

    forward, url = [], back[-1]
    while url:
        forward.append(url)
        url = _link(feedparser.parse(_local(history, url)), "next-archive")
    assert forward == back[::-1]  # the newest month links no newer one


def test_json_feed_pages_chain_through_next_url(history, run):
    assert run("build", "--config", history.config).code == 0
    page = history.json("society/feed.json")
    pages, seen = [], []
    while "next_url" in page:
        path = _local(history, page["next_url"])
        page = json.loads(path.read_text(encoding="utf-8"))
        assert _local(history, page["feed_url"]) == path
        pages.append(path.relative_to(history.feeds).as_posix())
        seen += [item["id"].rpartition("/")[2] for item in page["items"]]
    assert pages == [f"society/archive/{month}.json" for month in reversed(MONTHS)]
    assert sorted(seen) == sorted(SOCIETY)


def test_a_month_is_the_site_zone_s_and_its_items_are_newest_first(history, run):
    assert run("build", "--config", history.config).code == 0
    january = feedparser.parse(history.feeds / "society/archive/2026-01.atom.xml")
    february = feedparser.parse(history.feeds / "society/archive/2026-02.atom.xml")
    assert _ids(january) == ["j3", "j2", "j1"]
    assert _ids(february) == ["f2", "f1"]


def test_an_archive_item_carries_the_same_facts_as_in_the_current_feed(history, run):
    assert run("build", "--config", history.config).code == 0
    current = feedparser.parse(history.feeds / "society/rss.xml").entries[0]
    archived = feedparser.parse(history.feeds / "society/archive/2026-02.rss.xml").entries[0]
    for fact in ("id", "title", "link", "published", "summary", "content", "tags", "authors"):
        assert archived.get(fact) == current.get(fact), fact


def test_a_finished_month_never_changes_when_newer_articles_arrive(history, run):
    assert run("build", "--config", history.config).code == 0
    january = {f"society/archive/2026-01{s}": None for s in SUFFIXES}
    files, mtimes = history.files(), _mtimes(history)

    history.write_records([*HISTORY, record(id="m1", category="society",
                                            published="2026-03-02T09:00:00+08:00")])
    result = run("build", "--config", history.config, "-v")
    assert result.code == 0
    # March starts: its files are new, and February gains its one-time next-archive link
    # (JSON Feed pages link only older pages: February's stays as it was)
    assert _archives(history, _written(result)) == sorted(
        [f"society/archive/2026-03{s}" for s in SUFFIXES]
        + ["society/archive/2026-02.rss.xml", "society/archive/2026-02.atom.xml"])
    assert "2026-03.rss.xml" in history.read("society/archive/2026-02.rss.xml")
    assert "2026-03.rss.xml" in history.read("society/rss.xml")  # prev-archive: the newest
    for name in january:
        assert (history.files()[name], _mtimes(history)[name]) == (files[name], mtimes[name])

    february = {name: _mtimes(history)[name] for name in _archives(history) if "2026-02" in name}
    history.write_records([*HISTORY, record(id="m1", category="society",
                                            published="2026-03-02T09:00:00+08:00"),
                           record(id="m2", category="society",
                                  published="2026-03-03T09:00:00+08:00")])
    result = run("build", "--config", history.config, "-v")
    assert _archives(history, _written(result)) == [f"society/archive/2026-03{s}"
                                                    for s in sorted(SUFFIXES)]
    assert {name: _mtimes(history)[name] for name in february} == february


def test_an_edit_to_an_old_article_rewrites_only_its_month(history, run):
    assert run("build", "--config", history.config).code == 0
    before = _mtimes(history)
    edited = [dict(r, title="更正:原標題有誤", updated="2026-02-05T09:00:00+08:00")
              if r["id"] == "n2" else r for r in HISTORY]
    history.write_records(edited)
    result = run("build", "--config", history.config, "-v")
    assert result.code == 0
    assert _archives(history, _written(result)) == [f"society/archive/2025-11{s}"
                                                    for s in sorted(SUFFIXES)]
    after = _mtimes(history)
    assert {name for name in _archives(history) if after[name] != before[name]} == {
        f"society/archive/2025-11{s}" for s in SUFFIXES}
    assert "更正:原標題有誤" in history.read("society/archive/2025-11.atom.xml")


def test_a_new_article_costs_its_month_s_three_archive_files(history, run):
    assert run("build", "--config", history.config).code == 0
    history.write_records([*HISTORY, record(id="f3", category="society",
                                            published="2026-02-05T09:00:00+08:00")])
    result = run("build", "--config", history.config, "-v")
    assert _archives(history, _written(result)) == [f"society/archive/2026-02{s}"
                                                    for s in sorted(SUFFIXES)]
    assert "removed" not in result.out


def test_a_month_left_empty_goes_and_its_neighbours_link_past_it(history, run):
    """An article moved to another category leaves its month (November: n1 and n2 move)."""
    assert run("build", "--config", history.config).code == 0
    moved = [dict(r, category="life") if r["id"] in ("n1", "n2") else r for r in HISTORY]
    history.write_records(moved)
    result = run("build", "--config", history.config, "-v")
    assert result.code == 0
    assert not any((history.feeds / f"society/archive/2025-11{s}").exists() for s in SUFFIXES)
    assert "removed   society/archive/2025-11.rss.xml" in result.out
    oldest = feedparser.parse(history.feeds / "society/archive/2026-01.rss.xml")
    assert _link(oldest, "prev-archive") is None
    life = feedparser.parse(history.feeds / "life/archive/2025-11.rss.xml")
    assert sorted(_ids(life)) == ["n1", "n2"]
    assert _link(life, "next-archive") == FEEDS_URL + "life/archive/2026-02.rss.xml"


def test_category_archives_are_on_by_default_and_the_site_s_off(history, run):
    assert run("build", "--config", history.config).code == 0
    assert _archives(history) == sorted(
        [f"society/archive/{month}{s}" for month in MONTHS for s in SUFFIXES]
        + [f"local/archive/2025-12{s}" for s in SUFFIXES]
        + [f"life/archive/2026-02{s}" for s in SUFFIXES])
    assert "prev-archive" not in history.read("rss.xml")
    assert "next_url" not in history.json("feed.json")


def test_the_site_archives_when_turned_on_hold_every_category(history):
    history.write_config(output={"dir": "feeds", "items_per_feed": 2},
                         archives={"site": True, "categories": False})
    report = syndicate.build(syndicate.load_config(history.config))
    written = {result.path for result in report.files if result.written}
    assert {f"archive/2025-12{s}" for s in SUFFIXES} <= written
    assert _ids(feedparser.parse(history.feeds / "archive/2025-12.atom.xml")) == ["l1"]
    assert sorted(_ids(feedparser.parse(history.feeds / "archive/2026-02.atom.xml"))) == [
        "f1", "f2", "l2"]
    assert not any("/archive/" in f"/{path}" and not path.startswith("archive/")
                   for path in written)
    assert "archive/2026-02.rss.xml" in history.read("rss.xml")


def test_turning_archives_off_removes_only_the_files_syndicate_wrote(history, run):
    assert run("build", "--config", history.config).code == 0
    (history.feeds / "society/archive/2020-01.rss.xml").write_text("the site's own\n")
    history.write_config(output={"dir": "feeds", "items_per_feed": 2},
                         archives={"categories": False})
    result = run("build", "--config", history.config, "-v")
    assert result.code == 0
    assert _archives(history) == ["society/archive/2020-01.rss.xml"]
    assert "prev-archive" not in history.read("society/atom.xml")
    assert "next_url" not in history.json("society/feed.json")

    history.write_config(output={"dir": "feeds", "items_per_feed": 2})
    assert run("build", "--config", history.config).code == 0
    assert len(_archives(history)) == 3 * 5 + 1


def test_syndicate_check_accepts_the_archives(history, run):
    assert run("build", "--config", history.config).code == 0
    assert len(_archives(history)) == 3 * 5  # society's three months, local's and life's one
    result = run("check", history.feeds)
    assert result.code == 0
    assert " 0 error(s)" in result.out.splitlines()[-1]
    assert [line for line in result.out.splitlines() if "/archive/" in line] == []


def test_syndicate_check_finds_an_archive_that_names_no_current_feed(history, run):
    assert run("build", "--config", history.config).code == 0
    path = history.feeds / "society/archive/2026-01.rss.xml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('rel="current"', 'rel="related"')
    text = text.replace(FEEDS_URL + "society/archive/2025-11.rss.xml", "2025-11.rss.xml")
    text = text.replace("archive/2026-01.rss.xml", "archive/2025-01.rss.xml")
    path.write_text(text, encoding="utf-8")
    lines = [line.removeprefix(str(history.feeds) + "/") for line in
             run("check", history.feeds).out.splitlines() if "/archive/" in line]
    assert [line.split(": ", 2)[1:] for line in lines] == [
        ["error", "the self link https://nchn.example.com/feeds/society/archive/2025-01.rss.xml "
                  "does not end in /society/archive/2026-01.rss.xml, where this file lives"],
        ["warning", "an archive document (fh:archive) without a rel=\"current\" link: a reader "
                    "cannot find the feed to subscribe to"],
        ["error", "atom:link rel=prev-archive is not an absolute http(s) URL: "
                  "'2025-11.rss.xml'"]]


def test_the_archives_are_byte_identical_from_the_same_records(history, run, tmp_path):
    assert run("build", "--config", history.config).code == 0
    first = {name: data for name, data in history.files().items() if "archive/" in name}
    assert len(first) == 3 * 5
    assert run("build", "--config", history.config, "--output", tmp_path / "again").code == 0
    again = {name: (tmp_path / "again" / name).read_bytes() for name in first}
    assert again == first


TAG_FOLDER = "tags/臺日關係/"  # conftest.record() gives every record this tag


def test_a_tag_feed_s_archives_chain_over_every_category_when_turned_on(history, run):
    history.write_config(output={"dir": "feeds", "items_per_feed": 2},
                         archives={"tags": True})
    assert run("build", "--config", history.config).code == 0
    subscription = feedparser.parse(history.feeds / TAG_FOLDER / "rss.xml")
    seen, months, url = _ids(subscription), [], _link(subscription, "prev-archive")
    while url:  # percent-encoded UTF-8, as every URL of a CJK folder
        assert url.startswith(FEEDS_URL + quote(TAG_FOLDER) + "archive/"), url
        parsed = feedparser.parse(_local(history, unquote(url)))
        assert not parsed.bozo, url
        assert _link(parsed, "current") == FEEDS_URL + quote(TAG_FOLDER) + "rss.xml"
        months.append(url.rsplit("/", 1)[1])
        seen += _ids(parsed)
        url = _link(parsed, "prev-archive")
    assert months == ["2026-02.rss.xml", "2026-01.rss.xml", "2025-12.rss.xml",
                      "2025-11.rss.xml"]
    assert set(seen) == {r["id"] for r in HISTORY}  # every category's, the newest two twice
    assert not (history.feeds / "authors" / "行政院" / "archive").exists()  # authors: off

    before = _mtimes(history)
    history.write_records([*HISTORY, record(id="f3", category="local",
                                            published="2026-02-05T10:00:00+08:00")])
    written = _written(run("build", "-v", "--config", history.config))
    # the tag's month, local's first February, and local's December once (its next-archive)
    assert _archives(history, written) == sorted(
        [f"{TAG_FOLDER}archive/2026-02{suffix}" for suffix in SUFFIXES]
        + [f"local/archive/2026-02{suffix}" for suffix in SUFFIXES]
        + ["local/archive/2025-12.rss.xml", "local/archive/2025-12.atom.xml"])
    after = _mtimes(history)
    assert all(after[path] == before[path] for path in _archives(history)
               if path.startswith(TAG_FOLDER) and "2026-02" not in path)


def test_a_tag_feed_that_goes_takes_its_archives_with_it(history, run):
    history.write_config(output={"dir": "feeds", "items_per_feed": 2},
                         archives={"tags": True})
    assert run("build", "--config", history.config).code == 0
    assert (history.feeds / TAG_FOLDER / "archive" / "2025-11.rss.xml").is_file()
    history.write_config(output={"dir": "feeds", "items_per_feed": 2},
                         archives={"tags": True}, tags={"min_articles": 0})
    assert run("build", "--config", history.config).code == 0
    assert not [path for path in _mtimes(history) if path.startswith("tags/")]
