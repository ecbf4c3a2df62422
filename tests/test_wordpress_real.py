"""syndicate against a real WordPress (Debian's package, started by tests/wordpress/wp-up on
loopback): our category feeds hold the same posts as WordPress's own category feeds, with the
same titles once decoded, and a second run after an edit re-renders only what changed.

Skipped where WordPress, MariaDB and PHP are not installed, unless SYNDICATE_REQUIRE_WORDPRESS
is set (as .ci/run does): then wp-up installs them, and a failure to start fails the test.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
import requests
import yaml
from conftest import ROOT, Run, Site

HARNESS = ROOT / "tests" / "wordpress"
SLUGS = ["local", "life", "health", "education", "travel", "consumer", "society", "world",
         "arts", "general"]
NAMES = ["地方", "生活", "健康", "文教", "旅遊", "消費", "社會", "國際", "藝術", "綜合"]


def _installed() -> bool:
    return bool(shutil.which("php")) and Path("/usr/share/wordpress/wp-settings.php").is_file() \
        and any(Path(d, name).exists() for d in ("/usr/sbin", "/usr/bin")
                for name in ("mariadbd", "mysqld"))


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not _installed() and not os.environ.get("SYNDICATE_REQUIRE_WORDPRESS"):
        pytest.skip("WordPress, MariaDB and PHP are not installed (tests/wordpress/README.md)")
    state = tmp_path_factory.mktemp("wordpress")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = subprocess.run([HARNESS / "wp-up", state, str(port)], capture_output=True,
                             text=True, timeout=1800)
    assert started.returncode == 0, started.stderr
    site = json.loads((state / "site.json").read_text(encoding="utf-8"))
    site["state"] = state
    yield site
    subprocess.run([HARNESS / "wp-down", state], capture_output=True, timeout=120)


def wp_php(wordpress: dict[str, Any], code: str) -> str:
    done = subprocess.run([HARNESS / "wp-php", wordpress["state"], code], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def built(wordpress: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("site"))
    site.write_config(
        site={"title": "全國大小事新聞網", "url": wordpress["url"], "language": "zh-TW",
              "timezone": "Asia/Taipei", "tag_date": "2026-01-01"},
        categories=[{"slug": slug, "name": name} for slug, name in zip(SLUGS, NAMES,
                                                                         strict=True)],
        sources=[{"type": "wordpress", "url": wordpress["url"]}],
        images={"allow_private": True})
    return site


def published(wordpress: dict[str, Any]) -> list[dict[str, Any]]:
    return [post for post in wordpress["posts"] if post["status"] == "publish"]


def test_a_first_build_holds_what_wordpress_publishes(
        wordpress: dict[str, Any], built: Site, run: Callable[..., Run]) -> None:
    result = run("build", "--config", built.config)
    assert result.code == 0, result.err
    # the seeded media are 640 to 1024 px wide: each article with one is a Discover warning
    # (issue 12), and nothing else is said
    widths = {item["id"]: item["width"] for item in wordpress["media"].values()}
    narrow = {f"articles/{post['id']}" for post in published(wordpress)
              if widths.get(post["featured_media"], 1200) < 1200}
    assert {re.fullmatch(r"syndicate: warning: (articles/\d+): lead image \d+ px wide; Google "
                         r"Discover shows large images from 1200 px", line)[1]
            for line in result.err.splitlines()} == narrow
    ours = feedparser.parse(built.read("rss.xml"))
    assert not ours.bozo
    assert {entry.link for entry in ours.entries} == {p["link"] for p in published(wordpress)}
    everything = "".join(path.read_text(encoding="utf-8")
                         for path in built.feeds.rglob("*") if path.is_file())
    assert "不應出現" not in everything  # the draft and the trashed post
    rest = requests.get(f"{wordpress['url']}wp-json/wp/v2/posts",
                        params={"per_page": 100, "_embed": 1}, timeout=30).json()
    by_link = {post["link"]: post for post in rest}
    compared, cut_by_wordpress = 0, 0
    for slug in SLUGS:
        theirs = feedparser.parse(requests.get(f"{wordpress['url']}category/{slug}/feed/",
                                               timeout=30).content)
        mine = feedparser.parse(built.read(f"{slug}/rss.xml"))
        assert not mine.bozo and theirs.entries
        assert [e.link for e in mine.entries] == [e.link for e in theirs.entries], slug
        for my_entry, their_entry in zip(mine.entries, theirs.entries, strict=True):
            rendered = by_link[my_entry.link]["title"]["rendered"]
            assert my_entry.title == html.unescape(rendered)
            if my_entry.title != their_entry.title:  # WordPress's feed cuts "我 <3 台灣" at "<"
                assert "<" in rendered and my_entry.title.startswith(their_entry.title)
                cut_by_wordpress += 1
            assert my_entry.author == their_entry.author
            assert {t.term for t in my_entry.tags} == {t.term for t in their_entry.tags}
            assert my_entry.published_parsed == their_entry.published_parsed
            compared += 1
    assert (compared, cut_by_wordpress) == (len(published(wordpress)), 1)


def test_featured_images_carry_wordpress_sizes(
        wordpress: dict[str, Any], built: Site) -> None:
    media = {item["url"]: item for item in wordpress["media"].values()}
    entries = feedparser.parse(built.read("rss.xml")).entries
    with_images = [entry for entry in entries if "media_content" in entry]
    assert len(with_images) == 21
    for entry in with_images:
        image = entry.media_content[0]
        facts = media[image["url"]]
        assert (image["width"], image["height"], image["type"]) == (
            str(facts["width"]), str(facts["height"]), facts["mime_type"])


def test_a_second_run_after_an_edit_and_a_new_post_rewrites_only_those(
        wordpress: dict[str, Any], built: Site, run: Callable[..., Run]) -> None:
    before = built.files()
    first, second = published(wordpress)[0], published(wordpress)[5]
    wp_php(wordpress, f'return wp_update_post(["ID" => {first["id"]}, '
                      f'"post_title" => "更新：“延長” & 🎉"], true);')
    added = wp_php(wordpress, 'return wp_insert_post(["post_title" => "新增：颱風 & 停班停課", '
                   '"post_content" => "<p>新的一則。</p>", "post_status" => "publish", '
                   f'"post_category" => [{wordpress["categories"][second["category"]]}]], '
                   'true);').strip()
    result = run("build", "-v", "--config", built.config)
    assert result.code == 0, result.err
    after = built.files()
    changed = {path for path in after if before.get(path) != after[path]}
    feeds = {f"{folder}{name}" for folder in {"", f"{first['category']}/",
                                              f"{second['category']}/"}
             for name in ("rss.xml", "atom.xml", "feed.json", "index.html")}
    articles = {f"articles/{post_id}.{kind}" for post_id in (first["id"], added)
                for kind in ("json", "html")}
    # and the month archives of the two categories (issue 16), and the feed of the edited
    # post's author, who has enough posts for one (the OPML lists the same feeds as before)
    archives = {path for path in changed if "/archive/" in path}
    author = wordpress["authors"][first["author"]]["name"]
    labels = {path for path in changed if path.startswith(("tags/", "authors/"))}
    assert changed - archives - labels == feeds | articles | {"build-report.json"}
    assert f"{first['category']}/archive/{first['date'][:7]}.rss.xml" in archives
    assert {path.split("/archive/")[0] for path in archives} <= {first["category"],
                                                                 second["category"]}
    assert labels == {f"authors/{author}/{name}"
                      for name in ("rss.xml", "atom.xml", "feed.json", "index.html")}
    titles = [e.title for e in feedparser.parse(built.read("rss.xml")).entries]
    assert "更新：“延長” & 🎉" in titles and "新增：颱風 & 停班停課" in titles
    result = run("build", "-v", "--config", built.config)
    assert result.out.startswith("nothing changed in the sources")


def test_a_full_sync_unpublishes_a_post_taken_back(
        wordpress: dict[str, Any], built: Site, run: Callable[..., Run]) -> None:
    post = published(wordpress)[2]
    wp_php(wordpress, f'return wp_update_post(["ID" => {post["id"]}, "post_status" => '
                      '"draft"], true);')
    assert run("build", "--full", "--config", built.config).code == 0
    assert post["link"] not in built.read("rss.xml")
    assert not (built.feeds / "articles" / f"{post['id']}.json").exists()


def test_init_from_wordpress_gives_a_config_that_builds(
        wordpress: dict[str, Any], tmp_path: Path, run: Callable[..., Run]) -> None:
    """`syndicate init --wordpress` (issue 13): the site's facts and its ten categories, as
    the REST API and the home page give them, and a build that publishes every post."""
    result = run("init", tmp_path, "--wordpress", wordpress["url"])
    assert result.code == 0, result.err
    config = tmp_path / "config" / "site.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    site = {key: data["site"][key] for key in ("title", "url", "description", "language",
                                               "timezone")}
    # the language is the home page's <html lang>: WordPress's default, en_US, on this site
    assert site == {"title": "全國大小事新聞網", "url": wordpress["url"],
                    "description": "全國大小事，一網打盡", "language": "en-US",
                    "timezone": "Asia/Taipei"}
    # in the order they were made: 綜合 is WordPress's first (its default category, renamed)
    assert [(c["slug"], c["name"]) for c in data["categories"]] == sorted(
        zip(SLUGS, NAMES, strict=True), key=lambda pair: wordpress["categories"][pair[0]])
    assert all(c["url"] == f"{wordpress['url']}category/{c['slug']}/" for c in data["categories"])
    assert data["sources"] == [{"type": "wordpress", "url": wordpress["url"]}]
    built = run("build", "--config", config)
    assert built.code == 0, built.err
    rest = requests.get(f"{wordpress['url']}wp-json/wp/v2/posts",
                        params={"per_page": 100, "_fields": "link"}, timeout=30).json()
    ours = feedparser.parse((tmp_path / "feeds" / "rss.xml").read_bytes())
    assert not ours.bozo
    assert {entry.link for entry in ours.entries} == {post["link"] for post in rest}
