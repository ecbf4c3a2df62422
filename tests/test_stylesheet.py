"""The browser view of the feeds: every RSS and Atom feed names feed.xsl, and the stylesheet,
applied by libxslt (the XSLT engine Chromium uses; tests/test_browser.py drives Chromium),
turns each into a readable page with the feed's URL and every item."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from conftest import EXAMPLE_CONFIG
from lxml import etree

import syndicate
from syndicate.render.stylesheet import stylesheet


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stylesheet") / "feeds"
    syndicate.build(syndicate.load_config(EXAMPLE_CONFIG), output=folder)
    return folder


def test_every_rss_and_atom_feed_names_the_stylesheet_beside_it(feeds: Path) -> None:
    assert (feeds / "feed.xsl").is_file()
    feeds_only = [*feeds.glob("*.xml"), *feeds.glob("*/*.xml")]
    for path in [path for path in feeds_only if path.name in ("rss.xml", "atom.xml")]:
        href = "feed.xsl" if path.parent == feeds else "../feed.xsl"
        second = path.read_text(encoding="utf-8").splitlines()[1]
        assert second == f'<?xml-stylesheet type="text/xsl" href="{href}"?>', path
        assert (path.parent / href).resolve() == (feeds / "feed.xsl").resolve()


def page(feeds: Path, relative: str) -> etree._Element:
    transform = etree.XSLT(etree.parse(str(feeds / "feed.xsl")))
    return etree.HTML(str(transform(etree.parse(str(feeds / relative)))).encode("utf-8"))


@pytest.mark.parametrize("relative", ["local/rss.xml", "local/atom.xml", "rss.xml", "atom.xml"])
def test_a_browser_shows_the_feed_url_and_every_item(feeds: Path, relative: str) -> None:
    parsed = feedparser.parse((feeds / relative).read_bytes())
    view = page(feeds, relative)
    assert view.get("lang") == "zh-TW"
    assert view.findtext(".//h1/a") == parsed.feed.title
    self_url = f"https://nchn.example.com/feeds/{relative}"
    assert view.find(".//input").get("value") == self_url
    readers = [a.get("href") for a in view.iterfind(".//p[@class='readers']/a")]
    assert readers == [f"https://feedly.com/i/subscription/feed/{self_url}",
                       f"https://www.inoreader.com/?add_feed={self_url}", f"feed:{self_url}"]
    items = view.findall(".//li[@class='item']")
    assert len(items) == len(parsed.entries)
    for item, entry in zip(items, parsed.entries, strict=True):
        link = item.find(".//h2/a")
        assert (link.text, link.get("href")) == (entry.title, entry.link)
        # the summary reads as text, escaped exactly once ("Arts & Tech", not "Arts &amp; Tech")
        assert item.findtext(".//p[@class='summary']") == html.unescape(entry.summary)
        image = item.find("img")
        if "media_thumbnail" in entry or any(link.rel == "enclosure" for link in entry.links):
            assert image is not None and image.get("src").startswith("https://")
        else:
            assert image is None


def test_the_stylesheet_is_not_a_feed_and_feeds_stay_feeds(feeds: Path) -> None:
    text = (feeds / "feed.xsl").read_text(encoding="utf-8")
    assert "<script" not in text  # the page needs no script
    for relative in ("rss.xml", "atom.xml"):
        assert not feedparser.parse((feeds / relative).read_bytes()).bozo


def test_the_written_stylesheet_is_the_packages_file_byte_for_byte(feeds: Path) -> None:
    assert (feeds / "feed.xsl").read_bytes() == stylesheet()


def test_importing_the_feed_renderers_reads_no_stylesheet() -> None:
    # a cron run that renders no feed imports feeds.py (and so stylesheet.py) all the same
    probe = ("import syndicate.render.feeds, syndicate.render.stylesheet as s; "
             "print(s.stylesheet.cache_info().misses)")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout == "0\n"
