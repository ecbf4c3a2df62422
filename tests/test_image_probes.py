"""Image facts read over HTTP, end to end through `syndicate build` against a loopback server
(tests/fakewp.py serves tests/fixtures/images under img/): AVIF, HEIC and a JPEG stored
sideways in the head fragment and the feeds; failed probes tried again after images.retry_hours,
at most images.retry_per_run a run; and images past the run's deadline read by the next run."""

from __future__ import annotations

import mimetypes
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser
import pytest
from conftest import Run, Site, record
from fakewp import FakeWordPress, wp_post

from syndicate import clock

START = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeWordPress]:
    server = FakeWordPress(posts=[wp_post(100 + n, f"第{n}則", minutes=n) for n in range(4)])
    yield server.start()
    server.stop()


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Set the wall clock to START plus a time."""
    def move(offset: timedelta) -> None:
        monkeypatch.setattr(clock, "now", lambda: START + offset)
    move(timedelta(0))
    return move


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.properties: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("property", "").startswith("og:image"):
            self.properties[found["property"] or ""] = found.get("content") or ""


def og_image(site: Site, article: str) -> dict[str, str]:
    """The og:image properties of an article's head fragment, as an HTML parser reads them."""
    parser = _Meta()
    parser.feed(site.read(f"articles/{article}.html"))
    return {key: value for key, value in parser.properties.items()
            if key in ("og:image:type", "og:image:width", "og:image:height")}


def rss_media(site: Site, link: str) -> dict[str, Any]:
    entry = next(e for e in feedparser.parse(site.read("rss.xml")).entries if e.link == link)
    return entry.media_content[0]


def atom_enclosure(site: Site, link: str) -> dict[str, Any]:
    entry = next(e for e in feedparser.parse(site.read("atom.xml")).entries if e.link == link)
    return next(link for link in entry.links if link.rel == "enclosure")


def wp_site(site: Site, fake: FakeWordPress, **sections: Any) -> None:
    images = {"allow_private": True, **sections.pop("images", {})}
    site.write_config(sources=[{"type": "wordpress", "url": fake.url}], images=images,
                      http=sections.pop("http", {"timeout": 1, "retries": 0}), **sections)


def image_requests(fake: FakeWordPress, name: str) -> int:
    return sum(path.startswith(f"/img/{name}") for path in fake.requests)


def link(post_id: int) -> str:
    return f"https://nchn.example.com/2026/02/post-{post_id}/"


# --- what is published of an image's facts ---

def test_avif_heic_and_a_sideways_jpeg_get_their_size_and_type_everywhere(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    images = {100: "plain-640x360.avif", 101: "odd-333x77.avif", 102: "plain-320x240.heic",
              103: "rotated-exif6-80x120.jpg"}
    for post_id, name in images.items():
        fake.posts[post_id - 100].update(
            wp_post(post_id, f"有圖 {post_id}", minutes=post_id - 100,
                    image=f"{fake.url}img/{name}"))
    wp_site(site, fake)
    assert run("build", "--config", site.config).code == 0
    expected = {100: ("image/avif", "640", "360"), 101: ("image/avif", "333", "77"),
                102: ("image/heic", "320", "240"),
                103: ("image/jpeg", "80", "120")}  # stored 120x80, shown (EXIF 6) 80x120
    for post_id, (kind, width, height) in expected.items():
        assert og_image(site, str(post_id)) == {
            "og:image:type": kind, "og:image:width": width, "og:image:height": height}
        media = rss_media(site, link(post_id))
        assert (media["type"], media["width"], media["height"]) == (kind, width, height)
        assert atom_enclosure(site, link(post_id))["type"] == kind


def test_a_record_image_type_comes_from_its_extension_on_any_machine(
        site: Site, run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a machine without /etc/mime.types, where Python 3.11 knows no .webp
    monkeypatch.setattr(mimetypes, "guess_type", lambda *args, **kwargs: (None, None))
    site.write_records([
        record(id="a1", image={"url": "https://cdn.example.com/a1.avif", "width": 1200,
                               "height": 630}),
        record(id="a2", url="https://nchn.example.com/a2/",
               image="https://cdn.example.com/a2.WEBP"),
        record(id="a3", url="https://nchn.example.com/a3/",
               image="https://cdn.example.com/a3.heic?v=2"),
    ])
    site.write_config(images={"probe": False})
    assert run("build", "--config", site.config).code == 0
    assert og_image(site, "a1") == {"og:image:type": "image/avif", "og:image:width": "1200",
                                    "og:image:height": "630"}
    assert og_image(site, "a2") == {"og:image:type": "image/webp"}
    assert og_image(site, "a3") == {"og:image:type": "image/heic"}
    assert rss_media(site, "https://nchn.example.com/a2/")["type"] == "image/webp"


# --- failed probes are tried again ---

def test_a_failed_probe_is_tried_again_after_retry_hours_and_its_article_published_again(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        at: Callable[[timedelta], None]) -> None:
    name = "plain-640x360.avif"
    fake.posts[0].update(wp_post(100, "有圖", image=f"{fake.url}img/{name}"))
    fake.image_status[name] = 404
    wp_site(site, fake, images={"retry_hours": 24})

    def build(offset: timedelta) -> None:
        at(offset)
        assert run("build", "--config", site.config).code == 0

    build(timedelta(0))
    assert image_requests(fake, name) == 1
    assert og_image(site, "100") == {"og:image:type": "image/avif"}  # as its URL names it
    build(timedelta(hours=23, minutes=59))
    assert image_requests(fake, name) == 1  # not due yet
    build(timedelta(hours=24))
    assert image_requests(fake, name) == 2  # due: tried again, and failed again
    build(timedelta(hours=47, minutes=59))
    assert image_requests(fake, name) == 2  # 24 hours from the second try, not the first
    del fake.image_status[name]
    before = site.read("articles/100.html")
    build(timedelta(hours=48))
    assert image_requests(fake, name) == 3
    assert site.read("articles/100.html") != before
    assert og_image(site, "100") == {"og:image:type": "image/avif", "og:image:width": "640",
                                     "og:image:height": "360"}
    media = rss_media(site, link(100))
    assert (media["width"], media["height"]) == ("640", "360")
    build(timedelta(hours=100))
    assert image_requests(fake, name) == 3  # read: never again


def test_at_most_retry_per_run_old_failures_are_tried_in_a_run(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        at: Callable[[timedelta], None]) -> None:
    names = {100: "plain-640x360.avif", 101: "plain-320x240.heic"}
    for post_id, name in names.items():
        fake.posts[post_id - 100].update(wp_post(post_id, f"有圖 {post_id}",
                                                 minutes=post_id - 100,
                                                 image=f"{fake.url}img/{name}"))
        fake.image_status[name] = 500
    wp_site(site, fake, images={"retry_hours": 1, "retry_per_run": 1})
    assert run("build", "--config", site.config).code == 0
    assert [image_requests(fake, name) for name in names.values()] == [1, 1]
    fake.image_status.clear()
    at(timedelta(hours=2))
    assert run("build", "--config", site.config).code == 0
    assert sorted(image_requests(fake, name) for name in names.values()) == [1, 2]
    assert sum("og:image:width" in og_image(site, str(post_id)) for post_id in names) == 1
    assert run("build", "--config", site.config).code == 0  # the other is still due
    assert [image_requests(fake, name) for name in names.values()] == [2, 2]
    assert all("og:image:width" in og_image(site, str(post_id)) for post_id in names)


def test_a_cron_run_with_nothing_changed_still_tries_a_failed_image_when_due(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        at: Callable[[timedelta], None]) -> None:
    # A files source: the run with nothing changed takes the config-less no-op path (noop.py).
    name = "odd-333x77.avif"
    site.write_records([record(id="a1", image=f"{fake.url}img/{name}")])
    site.write_config(images={"allow_private": True, "retry_hours": 6},
                      http={"timeout": 1, "retries": 0})
    fake.image_status[name] = 404
    assert run("build", "--config", site.config).code == 0
    assert image_requests(fake, name) == 1
    at(timedelta(hours=5, minutes=59))
    assert run("build", "--config", site.config).code == 0
    assert image_requests(fake, name) == 1
    del fake.image_status[name]
    at(timedelta(hours=6))
    assert run("build", "--config", site.config).code == 0
    assert image_requests(fake, name) == 2
    assert og_image(site, "a1") == {"og:image:type": "image/avif", "og:image:width": "333",
                                    "og:image:height": "77"}


# --- the run's deadline for images ---

def test_images_past_the_run_deadline_are_published_without_a_size_and_read_next_run(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    fake.posts = [wp_post(100 + n, f"第{n}則", minutes=n,
                          image=f"{fake.url}img/baseline-1200x630.jpg?n={n}") for n in range(20)]
    fake.image_delay = 1.5
    wp_site(site, fake, deadlines={"images": 2}, http={"timeout": 5, "retries": 0})
    started = time.monotonic()
    result = run("build", "--config", site.config)
    assert time.monotonic() - started < 60
    assert result.code == 0
    warnings = re.findall(r"syndicate: warning: images: deadlines\.images = 2 s passed; (\d+) "
                          r"image\(s\) are published without a size and read by the next run",
                          result.err)
    assert len(warnings) == 1
    sizeless = [n for n in range(20) if "og:image:width" not in og_image(site, str(100 + n))]
    assert int(warnings[0]) == len(sizeless) > 0
    entries = feedparser.parse(site.read("rss.xml")).entries
    assert len(entries) == 20
    before = {n: site.read(f"articles/{100 + n}.html") for n in sizeless}

    fake.image_delay = 0
    result = run("build", "--config", site.config)
    assert (result.code, result.err) == (0, "")
    for n in range(20):
        assert og_image(site, str(100 + n)) == {"og:image:type": "image/jpeg",
                                                "og:image:width": "1200",
                                                "og:image:height": "630"}
    assert all(site.read(f"articles/{100 + n}.html") != before[n] for n in sizeless)
    assert all(entry.media_content[0].get("width") == "1200"
               for entry in feedparser.parse(site.read("rss.xml")).entries)


def test_failures_in_an_index_from_before_retries_are_tried_at_once_after_the_upgrade(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        at: Callable[[timedelta], None]) -> None:
    name = "alpha-200x100.avif"
    site.write_records([record(id="a1", image=f"{fake.url}img/{name}")])
    site.write_config(images={"allow_private": True}, http={"timeout": 1, "retries": 0})
    fake.image_status[name] = 404
    assert run("build", "--config", site.config).code == 0
    db = sqlite3.connect(site.folder / "feeds.index.sqlite")  # as syndicate before schema 10
    db.executescript("DROP TABLE image_uses; DROP INDEX images_failed;"
                     "ALTER TABLE images DROP COLUMN tried; PRAGMA user_version = 9;"
                     "DELETE FROM meta WHERE key = 'images due';")
    db.close()
    del fake.image_status[name]
    at(timedelta(hours=1))
    assert run("build", "--config", site.config).code == 0
    assert image_requests(fake, name) == 2
    assert og_image(site, "a1") == {"og:image:type": "image/avif", "og:image:width": "200",
                                    "og:image:height": "100"}
