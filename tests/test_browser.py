"""What people see, in a real browser: headless Chromium (Debian's chromium and chromium-driver,
driven with Selenium) opens a category feed served by `syndicate serve` and sees the styled
page, and opens the share-card preview and sees every card, with no console error.

Skipped where Chromium is not installed, unless SYNDICATE_REQUIRE_BROWSER is set (as .ci/run
does, after installing the packages). Screenshots go to tests/artifacts/, which git ignores.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CATEGORIES, Site, record

import syndicate

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"
IMAGES = Path(__file__).parent / "fixtures" / "images"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists())
    and not os.environ.get("SYNDICATE_REQUIRE_BROWSER"),
    reason="Chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="syndicate-chromium-")
    # The machine has no network: without the background-networking flags Chromium keeps
    # trying Google's hosts. --no-sandbox: CI runs as root.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                 "--window-size=1200,1600", "--lang=zh-TW"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    """A site whose images live in the served folder itself, so that the pages load every
    resource from 127.0.0.1 (the machine has no other network), served by syndicate serve."""
    from syndicate.serve import make_server

    site = Site(tmp_path_factory.mktemp("browser"))
    site.feeds.mkdir()
    server = make_server(site.feeds, 0)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    shutil.copytree(IMAGES, site.feeds / "img")
    images = [{"url": f"{base}img/baseline-1200x630.jpg", "width": 1200, "height": 630,
               "alt": "臺日合作記者會"},
              {"url": f"{base}img/palette-800x800.png", "width": 800, "height": 800, "alt": ""},
              {"url": f"{base}img/rgba-257x129.png"}]
    site.write_records([
        record(id=f"2026020{n}", url=f"https://nchn.example.com/2026/02/04/{n}/",
               title=title, category=CATEGORIES[n % 2]["slug"],
               published=f"2026-02-04T1{n}:00:00+08:00", image=images[n % 3],
               summary=f"第{n}則摘要：「強強聯手」& 民主供應鏈。")
        for n, title in enumerate(["接見回國訪問團 卓揆:臺日「強強聯手」", "颱風假 & 停班停課 🎉",
                                   "國慶煙火 🇹🇼 倒數", "藝術節開幕「光影之間」展覽登場"])])
    site.write_config(site={"title": "全國大小事新聞網", "url": "https://nchn.example.com/",
                            "language": "zh-TW", "timezone": "Asia/Taipei",
                            "tag_date": "2026-01-01", "logo": f"{base}img/palette-800x800.png",
                            "feeds_url": base},
                      images={"probe": False})
    syndicate.build(syndicate.load_config(site.config))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, base
    finally:
        server.shutdown()
        server.server_close()


def console_errors(browser: Any) -> list[dict[str, Any]]:
    """The page's errors. Chromium asks for /favicon.ico when it opens an XML document, before
    the stylesheet's <link rel="icon"> exists; the feeds folder has no icon, and that 404 is
    the browser's, not the page's."""
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
            and "/favicon.ico - " not in entry["message"]]


def screenshot(browser: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    browser.save_screenshot(str(path))
    return path


@pytest.mark.parametrize("feed", ["local/rss.xml", "life/atom.xml"])
def test_a_served_category_feed_is_a_styled_page(browser: Any, served: tuple[Site, str],
                                                 feed: str) -> None:
    from selenium.webdriver.common.by import By

    site, base = served
    browser.get(base + feed)
    heading = browser.find_element(By.CSS_SELECTOR, "h1")
    category = "地方" if feed.startswith("local") else "生活"
    assert heading.text == f"{category} | 全國大小事新聞網"
    assert browser.find_element(By.CSS_SELECTOR, ".url input").get_attribute("value") == (
        base + feed)
    items = browser.find_elements(By.CSS_SELECTOR, "li.item")
    expected = [item["title"] for item in site.json(feed.replace(
        feed.rpartition("/")[2], "feed.json"))["items"]]
    assert [item.find_element(By.CSS_SELECTOR, "h2").text for item in items] == expected
    for item in items:  # every lead image loaded (naturalWidth is 0 for a broken image)
        image = item.find_element(By.CSS_SELECTOR, "img")
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 0
    assert console_errors(browser) == []
    screenshot(browser, f"feed-{feed.replace('/', '-')}.png")


def test_the_preview_shows_every_card_and_real_share_buttons(
        browser: Any, served: tuple[Site, str], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    site, _ = served
    config = syndicate.load_config(site.config)
    from syndicate.preview import write_preview

    page = write_preview(config, [], tmp_path / "preview")
    browser.get(page.as_uri())
    sections = browser.find_elements(By.CSS_SELECTOR, "section.article")
    assert len(sections) == 4
    for section in sections:
        cards = section.find_elements(By.CSS_SELECTOR, ".card")
        assert len(cards) == 3
        for image in section.find_elements(By.CSS_SELECTOR, ".card img"):
            assert browser.execute_script("return arguments[0].naturalWidth", image) > 0
    first = site.json("articles/20260200.json")
    facebook = browser.find_element(By.CSS_SELECTOR, "#article-20260200 a.share-facebook")
    assert facebook.get_attribute("href") == first["share"]["facebook"]["url"]
    assert console_errors(browser) == []
    screenshot(browser, "preview.png")
