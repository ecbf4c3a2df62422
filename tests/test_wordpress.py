"""The WordPress source, image facts and WebSub against a local fake WordPress (tests/fakewp.py):
mapping, incremental sync, reconciliation, and every fault leaving the index and the published
feeds as they were. test_wordpress_real.py runs the same code against WordPress itself."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from conftest import CATEGORIES, Run, Site
from fakewp import FakeWordPress, touch, wp_post

from syndicate import clock, net

TITLES = ["接見回國訪問團 卓揆:臺日&#8220;強強聯手&#8221;", "颱風假 &amp; 停班停課 🎉",
          "「藝術」展覽 &lt;3 開幕", "國際新聞 🇹🇼"]


@pytest.fixture
def fake() -> Iterator[FakeWordPress]:
    server = FakeWordPress(posts=[
        wp_post(100 + n, f"{TITLES[n % 4]} 第{n}則", category=2 + n % 4, minutes=n,
                image=None) for n in range(24)]).start()
    yield server
    server.stop()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between retries, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(net, "_sleep", recorded.append)
    return recorded


def wp_site(site: Site, fake: FakeWordPress, **sections: Any) -> Site:
    source = {"type": "wordpress", "url": fake.url, **sections.pop("source", {})}
    sections = {"images": {"allow_private": True}, "http": {"timeout": 1, "retries": 2},
                **sections}
    site.write_config(sources=[source], **sections)
    return site


def snapshot(site: Site) -> tuple[dict[str, bytes], list[Any]]:
    """The published files and every row of the index's tables."""
    index = site.folder / "feeds.index.sqlite"
    with sqlite3.connect(index) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = [(table, sorted(map(repr, db.execute(f"SELECT * FROM {table}"))))
                for table in tables if table != "meta"]
        rows.append(sorted(db.execute("SELECT * FROM meta WHERE key != 'last_run'")))
    return site.files(), rows


def test_posts_become_feed_items_with_entities_decoded_once(site: Site, fake: FakeWordPress,
                                                            run: Callable[..., Run]) -> None:
    wp_site(site, fake)
    result = run("build", "--config", site.config)
    assert (result.code, result.err) == (0, "")
    feed = feedparser.parse(site.read("rss.xml"))
    assert len(feed.entries) == 24
    titles = {entry.title for entry in feed.entries}
    assert "接見回國訪問團 卓揆:臺日“強強聯手” 第0則" in titles
    assert "颱風假 & 停班停課 🎉 第1則" in titles
    assert "「藝術」展覽 <3 開幕 第2則" in titles
    local = feedparser.parse(site.read("local/rss.xml"))
    assert {entry.link for entry in local.entries} == {
        post["link"] for post in fake.posts if post["categories"] == [2]}
    entry = local.entries[0]
    assert entry.author == "行政院"
    assert [tag.term for tag in entry.tags] == ["地方", "臺日關係"]
    # WordPress's own excerpt ("… [&hellip;]") is not a summary: ours is cut from the content
    assert "[" not in entry.summary and entry.summary.startswith(entry.title)


def test_rest_route_is_the_fallback_without_pretty_permalinks(site: Site, fake: FakeWordPress,
                                                              run: Callable[..., Run]) -> None:
    fake.pretty = False
    wp_site(site, fake)
    assert run("build", "--config", site.config).code == 0
    assert len(feedparser.parse(site.read("rss.xml")).entries) == 24
    assert any("rest_route=%2Fwp%2Fv2%2Fposts" in path for path in fake.requests)


def test_a_second_run_asks_only_for_changes_and_rewrites_only_them(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake)
    assert run("build", "--config", site.config).code == 0
    fake.requests.clear()
    quiet = run("build", "-v", "--config", site.config)
    assert quiet.out == ("nothing changed in the sources; nothing was read or written; "
                         "1 HTTP request(s) to WordPress\n")
    assert len(fake.requests) == 1 and "modified_after=2026-02-04T02%3A22%3A00Z" in \
        fake.requests[0]
    before = site.files()
    fake.posts[3]["title"]["rendered"] = "改過的標題"
    touch(fake.posts[3], 60)
    fake.posts.append(wp_post(500, "新的一則", category=5, minutes=90))
    result = run("build", "-v", "--config", site.config)
    assert result.code == 0
    written = {line.split()[1] for line in result.out.splitlines() if line.startswith("written")}
    # post 103 is in world/ (category 5), like the new one: only the site feed, world/, OPML
    # (each feed with its landing page, world/ with its month's archive)
    assert written == {"rss.xml", "atom.xml", "feed.json", "build-report.json",
                       "index.html", "world/rss.xml", "world/atom.xml", "world/feed.json",
                       "world/index.html", "world/archive/2026-02.rss.xml",
                       "world/archive/2026-02.atom.xml", "world/archive/2026-02.json",
                       "articles/103.json", "articles/103.html", "articles/500.json",
                       "articles/500.html",
                       # and the feeds of their tag and author, which every post here has
                       *(f"{folder}/{name}" for folder in ("tags/臺日關係", "authors/行政院")
                         for name in ("rss.xml", "atom.xml", "feed.json", "index.html"))}
    after = site.files()
    assert {path for path in after if before.get(path) != after[path]} == written
    assert "改過的標題" in site.read("world/rss.xml")


def test_a_full_sync_lists_ids_and_unpublishes_what_wordpress_no_longer_has(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake)
    assert run("build", "--config", site.config).code == 0
    gone = fake.posts.pop(5)
    assert run("build", "--config", site.config).code == 0
    assert gone["link"] in site.read("rss.xml")  # an incremental sync cannot see a deletion
    fake.requests.clear()
    result = run("build", "-v", "--full", "--config", site.config)
    assert result.code == 0
    assert gone["link"] not in site.read("rss.xml")
    assert not (site.feeds / "articles" / "105.json").exists()
    listing = [path for path in fake.requests if "_fields=id%2Cmodified_gmt" in path]
    assert len(listing) == 1


def test_unmapped_categories_are_rejected_by_name_and_mapping_fixes_them(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    fake.posts[0]["_embedded"]["wp:term"][0][0].update(slug="news", name="新聞")
    wp_site(site, fake)
    result = run("build", "--config", site.config)
    assert result.code == 3
    assert (f"rejected: {fake.url}wp-json/wp/v2/posts (post 100): id 100: category: unknown "
            "category '新聞'") in result.err
    wp_site(site, fake, source={"categories": {"news": "society"}})
    assert run("build", "--config", site.config).code == 0
    assert fake.posts[0]["link"] in site.read("society/rss.xml")


def test_private_sites_send_the_application_password(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    wp_site(site, fake, source={"username": "syndicate", "password_env": "WP_TEST_PASSWORD"})
    monkeypatch.delenv("WP_TEST_PASSWORD", raising=False)
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert "the environment variable WP_TEST_PASSWORD (sources[].password_env) is not set" \
        in result.err
    monkeypatch.setenv("WP_TEST_PASSWORD", "abcd efgh ijkl")
    assert run("build", "--config", site.config).code == 0
    assert set(fake.authorizations) == {"Basic c3luZGljYXRlOmFiY2QgZWZnaCBpamts"}


FAULTS = {
    "timeout": "no answer in time (http.timeout) (3 tries)",
    "500": "HTTP 500: 'Internal Server Error'",
    "503-long": "the server asks to retry after 86400 s (Retry-After: 86400)",
    "truncated": "the answer was cut short (3 tries)",
    "bad-json": "expected JSON, found invalid or truncated JSON",
    "html": "expected JSON, found text/html: 'Database Error' (an error page, a login page",
    "login": "redirected to a login page",
    "lying-pages": "X-WP-TotalPages 4 does not fit X-WP-Total 324",
    "lying-total": "WordPress says 250 items (X-WP-Total), its pages held 9",
    "endless": "WordPress says 100,000 pages, over the limit of 1,000 (http.max_pages)",
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_changes_nothing_and_says_which_url(
        site: Site, fake: FakeWordPress, run: Callable[..., Run], waits: list[float],
        fault: str) -> None:
    wp_site(site, fake, source={"full_sync_hours": 1})
    assert run("build", "--config", site.config).code == 0
    before = snapshot(site)
    fake.posts[0]["title"]["rendered"] = "不該出現的新標題"
    touch(fake.posts[0], 500)
    fake.fault = fault
    full = fault in ("lying-pages", "lying-total", "endless")  # faults of the id listing
    result = run("build", *(["--full"] if full else []), "--config", site.config)
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"syndicate: error: {fake.url}"), lines
    assert FAULTS[fault] in lines[0]
    assert lines[0].endswith("nothing was published, the feeds stay as they were")
    assert snapshot(site) == before
    fake.fault = None  # healed: the next run publishes the change
    assert run("build", "--config", site.config).code == 0
    assert "不該出現的新標題" in site.read("rss.xml")


def test_retries_honour_retry_after_and_then_succeed(
        site: Site, fake: FakeWordPress, run: Callable[..., Run], waits: list[float]) -> None:
    wp_site(site, fake)
    fake.fault, fake.fault_times = "503", 2
    assert run("build", "--config", site.config).code == 0
    assert waits == [1.0, 1.0]
    fake.fault, fake.fault_times = "500", 1
    fake.posts.append(wp_post(600, "重試之後", minutes=100))
    assert run("build", "--config", site.config).code == 0
    assert waits == [1.0, 1.0, 1.0]  # no Retry-After: the backoff's first step
    assert "重試之後" in site.read("rss.xml")


def test_a_feed_that_would_lose_most_items_is_not_published(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake)
    assert run("build", "--config", site.config).code == 0
    before = snapshot(site)
    del fake.posts[3:]  # WordPress answers, but with 3 of its 24 posts
    result = run("build", "--full", "--config", site.config)
    assert result.code == 1
    assert "feeds would lose most of their items ((site)/ from 24 to 3" in result.err
    assert snapshot(site) == before
    assert run("build", "--allow-shrink", "--full", "--config", site.config).code == 0
    assert len(feedparser.parse(site.read("rss.xml")).entries) == 3


# --- image facts ---

def test_image_sizes_come_from_the_first_bytes_once_per_url(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    for post in fake.posts[:3]:
        post.update(wp_post(post["id"], "有圖", minutes=post["id"] - 100,
                            image=f"{fake.url}img/baseline-1200x630.jpg"))
    fake.posts[3].update(wp_post(103, "也有圖", minutes=3, image=f"{fake.url}img/endless.jpg"))
    wp_site(site, fake, images={"allow_private": True, "max_bytes": 65536})
    assert run("build", "--config", site.config).code == 0
    assert sum("baseline-1200x630.jpg" in path for path in fake.requests) == 1
    assert fake.image_bytes_sent < 8 * 1024 * 1024  # the endless header was not read to the end
    entry = next(e for e in feedparser.parse(site.read("rss.xml")).entries if e.title == "有圖")
    assert entry.media_content[0]["width"] == "1200" and entry.media_content[0]["height"] == "630"
    assert entry.media_content[0]["type"] == "image/jpeg"
    head = site.read("articles/100.html")
    assert '<meta property="og:image:width" content="1200">' in head
    endless = site.json("articles/103.json")
    assert "og:image:width" not in str(endless)


def test_images_on_private_addresses_are_not_fetched_unless_allowed(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    fake.posts[0].update(wp_post(100, "有圖", image=f"{fake.url}img/baseline-1200x630.jpg"))
    site.write_config(sources=[{"type": "wordpress", "url": fake.url}])
    assert run("build", "--config", site.config).code == 0
    assert not any(path.startswith("/img/") for path in fake.requests)
    assert "og:image:width" not in site.read("articles/100.html")


# --- WebSub ---

def test_websub_hubs_are_linked_and_pinged_and_a_failed_ping_is_retried(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    hub = f"{fake.url}hub"
    wp_site(site, fake, websub={"hubs": [hub]})
    fake.hub_status = 503
    result = run("build", "--config", site.config)
    assert result.code == 0
    assert "syndicate: warning: WebSub hub " in result.err
    feed = feedparser.parse(site.read("local/atom.xml"))
    assert {link.href for link in feed.feed.links if link.rel == "hub"} == {hub}
    rss = feedparser.parse(site.read("local/rss.xml"))
    assert {link.href for link in rss.feed.links if link.rel == "hub"} == {hub}
    assert site.json("local/feed.json")["hubs"] == [{"type": "WebSub", "url": hub}]
    fake.hub_status = 204
    fake.pings.clear()
    result = run("build", "--config", site.config)  # nothing changed: only the retry
    assert (result.code, result.err) == (0, "")
    topics = sorted(topic for ping in fake.pings for topic in ping["hub.url"])
    assert len(topics) == 21 and "https://nchn.example.com/feeds/local/atom.xml" in topics
    # a tag's and an author's feed, announced as their self links say: percent-encoded
    assert f"https://nchn.example.com/feeds/authors/{quote('行政院')}/atom.xml" in topics
    assert all(ping["hub.mode"] == ["publish"] for ping in fake.pings)
    fake.pings.clear()
    assert run("build", "--config", site.config).code == 0
    assert fake.pings == []  # delivered once: not again


# --- config ---

def test_a_wordpress_source_needs_a_url_and_takes_no_file_keys(
        site: Site, run: Callable[..., Run]) -> None:
    site.write_config(sources=[{"type": "wordpress", "path": "x.yaml", "username": "me"}],
                      categories=CATEGORIES)
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert "sources[0]: missing key 'url': expected the site's home page for a wordpress " \
        "source" in result.err
    assert "sources[0].path: expected no path in a wordpress source: path belongs to files " \
        "sources" in result.err
    assert "sources[0]: expected username and password_env together" in result.err


# --- one article ---

def test_share_answers_from_the_index_without_asking_wordpress(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake)
    assert run("build", "--config", site.config).code == 0
    fake.requests.clear()
    by_id = run("share", "103", "--config", site.config)
    by_url = run("share", fake.posts[3]["link"], "--config", site.config)
    assert by_id.code == by_url.code == 0
    assert json.loads(by_id.out) == json.loads(by_url.out) == site.json("articles/103.json")
    assert fake.requests == []
    missing = run("share", "999", "--config", site.config)  # not built: the sources answer
    assert missing.code == 1
    assert missing.err == "syndicate: error: no published article has the id or URL '999'\n"
    assert any("_fields=id%2Cmodified_gmt" in path for path in fake.requests)


def test_images_are_not_read_when_probing_is_off(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    fake.posts[0].update(wp_post(100, "有圖", image=f"{fake.url}img/baseline-1200x630.jpg"))
    wp_site(site, fake, images={"probe": False, "allow_private": True})
    assert run("build", "--config", site.config).code == 0
    assert not any(path.startswith("/img/") for path in fake.requests)
    entry = feedparser.parse(site.read("rss.xml")).entries[-1]
    assert "width" not in entry.media_content[0]


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert net.retry_after_seconds("120") == 120.0
    assert net.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 30.0
    assert net.retry_after_seconds("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0
    assert net.retry_after_seconds("soon") is None


def test_a_full_sync_comes_by_itself_every_full_sync_hours(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: start)
    wp_site(site, fake, source={"full_sync_hours": 6})
    assert run("build", "--config", site.config).code == 0
    gone = fake.posts.pop(7)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=5, minutes=59))
    assert run("build", "--config", site.config).code == 0
    assert gone["link"] in site.read("rss.xml")
    fake.requests.clear()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=6))
    assert run("build", "--config", site.config).code == 0
    assert gone["link"] not in site.read("rss.xml")
    assert sum("_fields=id%2Cmodified_gmt" in path for path in fake.requests) == 1
