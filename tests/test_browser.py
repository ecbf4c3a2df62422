"""What people see, in a real browser: headless Chromium (Debian's chromium and chromium-driver,
driven with Selenium) opens a category feed served by `syndicate serve` and sees the styled
page, and opens the share-card preview and sees every card, with no console error, every image
loaded, and every character drawn in a font that has it: no missing-glyph boxes, emoji in
colour (tests/glyphs.js says how that is measured).

Skipped where Chromium is not installed, unless SYNDICATE_REQUIRE_BROWSER is set (as .ci/run
does, after installing the packages); likewise where it has no CJK or colour emoji font, and
then the failures name the Debian package to install. Screenshots go to tests/artifacts/, which
git ignores.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import CATEGORIES, Site, record

import syndicate

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"
IMAGES = Path(__file__).parent / "fixtures" / "images"
GLYPHS_JS = (Path(__file__).parent / "glyphs.js").read_text(encoding="utf-8")
REQUIRED = bool(os.environ.get("SYNDICATE_REQUIRE_BROWSER"))
CJK_FONTS, EMOJI_FONTS = "fonts-noto-cjk", "fonts-noto-color-emoji"
UNKNOWN_FONT = "no font package known"
# The fonts of a fresh Debian machine with chromium installed (fonts-dejavu-core and
# fonts-liberation), as if the two packages above were not installed: a fontconfig file that
# lists only their folders, and the system's aliases (sans-serif -> DejaVu Sans, ...).
FRESH_MACHINE_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <dir>/usr/share/fonts/truetype/liberation</dir>
  <cachedir>{cache}</cachedir>
  <include ignore_missing="yes">/etc/fonts/conf.d</include>
</fontconfig>
"""

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not REQUIRED,
    reason="Chromium is not installed (apt-get install chromium chromium-driver)")


@contextmanager
def chromium(env: Mapping[str, str] | None = None) -> Iterator[Any]:
    """Headless Chromium under chromedriver; `env` is the environment both run in."""
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
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER), env=env), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def fonts(browser: Any) -> None:
    """Skip, unless SYNDICATE_REQUIRE_BROWSER is set, where Chromium has no font for Chinese
    or emoji: every character would be a box. Where it is set, the tests fail and say which
    package to install."""
    browser.get(html_page("<p>臺日強強聯手 🎉 🇹🇼</p>"))
    missing = unreadable(browser)
    if missing and not REQUIRED:
        pytest.skip(f"Chromium has no font for {''.join(missing)} "
                    f"({install_hint(missing)})")


@pytest.fixture(scope="module")
def fresh_machine_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium that sees only the fonts of a fresh machine, without the CJK and emoji ones."""
    folder = tmp_path_factory.mktemp("fontconfig")
    config = folder / "fonts.conf"
    config.write_text(FRESH_MACHINE_FONTS.format(cache=folder / "cache"), encoding="utf-8")
    with chromium({**os.environ, "FONTCONFIG_FILE": str(config)}) as driver:
        yield driver


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


def html_page(body: str) -> str:
    """A data: URL of a zh-TW page whose <body> is `body`."""
    return "data:text/html;charset=utf-8," + quote(
        f'<!DOCTYPE html><html lang="zh-TW"><meta charset="utf-8"><body>{body}</body></html>')


def unreadable(driver: Any) -> dict[str, str]:
    """The graphemes of the page that draw as a missing-glyph box, draw nothing, or (emoji)
    draw without colour, each with its problem and the font package that would draw it:
    grapheme -> "box (fonts-noto-cjk)". Measured by tests/glyphs.js."""
    result = driver.execute_script(GLYPHS_JS)
    assert result["checked"] > 0, f"{driver.current_url}: the page has no text to check"
    return {entry["text"]: f"{entry['problem']} ({font_package(entry)})"
            for entry in result["unreadable"]}


def font_package(entry: Mapping[str, Any]) -> str:
    """The Debian package whose fonts draw the grapheme of an entry of tests/glyphs.js."""
    if entry["emoji"]:
        return EMOJI_FONTS
    if any(unicodedata.east_asian_width(char) in "WF" for char in entry["text"]):
        return CJK_FONTS
    return UNKNOWN_FONT


def install_hint(missing: Mapping[str, str]) -> str:
    packages = sorted({problem.partition(" (")[2].rstrip(")") for problem in missing.values()}
                      - {UNKNOWN_FONT})
    return f"apt-get install {' '.join(packages)}" if packages else "no font package known"


def wait_for_images(driver: Any, timeout: float = 10) -> list[str]:
    """Scroll each image that has not finished loading into view, as a reader would (a lazy
    image loads only then), until all have; then back to the top. The images still loading
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        loading = driver.execute_script(
            "const loading = [...document.images].filter(image => !image.complete);"
            "if (loading.length) loading[0].scrollIntoView(); else window.scrollTo(0, 0);"
            "return loading.map(image => image.currentSrc || image.src);")
        if not loading or time.monotonic() > deadline:
            return loading
        time.sleep(0.1)


def assert_readable(driver: Any, must_contain: Sequence[str]) -> None:
    """The page open in `driver` reads as a person should see it: its text
    (document.body.innerText) holds each string of `must_contain`, every <img> loaded
    (complete, naturalWidth > 0), and every character draws in a font that has it: no
    missing-glyph boxes, emoji in colour. The failure names the font package to install."""
    url = driver.current_url
    text = driver.execute_script("return document.body.innerText")
    absent = [string for string in must_contain if string not in text]
    assert not absent, f"{url}: the page does not show {absent}; it shows {text[:500]!r}"
    loading = wait_for_images(driver)
    assert not loading, f"{url}: images still loading after 10 s: {loading}"
    broken = driver.execute_script("return [...document.images].filter(image => "
                                   "image.naturalWidth === 0).map(image => image.src)")
    assert not broken, f"{url}: images that did not load: {broken}"
    missing = unreadable(driver)
    groups: dict[str, str] = {}
    for grapheme, problem in missing.items():
        groups[problem] = groups.get(problem, "") + grapheme
    assert not missing, (
        f"{url}: {len(missing)} character(s) a reader cannot read: "
        + "; ".join(f"{problem}: {graphemes}" for problem, graphemes in groups.items())
        + f"; install the fonts: {install_hint(missing)}")


def dismiss_xslt_banner(driver: Any) -> bool:
    """Close the banner Chromium 156 draws over a page made by an XSLT stylesheet ("This site
    uses XSLT; that functionality is being removed from this browser…"), as a reader would, so
    that the screenshot shows the page; whether there was one."""
    return bool(driver.execute_script(
        "const banner = document.querySelector('xslt-warning-banner');"
        "if (banner) banner.remove(); return Boolean(banner);"))


@pytest.mark.usefixtures("fonts")
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
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.item img")) == len(items)
    assert_readable(browser, [category, expected[0]])
    assert console_errors(browser) == []
    dismiss_xslt_banner(browser)
    screenshot(browser, f"feed-{feed.replace('/', '-')}.png")


@pytest.mark.usefixtures("fonts")
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
        assert len(section.find_elements(By.CSS_SELECTOR, ".card")) == 3
        assert section.find_elements(By.CSS_SELECTOR, ".card img")
    newest = site.json("feed.json")["items"][0]
    assert_readable(browser, [config.category(newest["tags"][0]).name, newest["title"]])
    first = site.json("articles/20260200.json")
    facebook = browser.find_element(By.CSS_SELECTOR, "#article-20260200 a.share-facebook")
    assert facebook.get_attribute("href") == first["share"]["facebook"]["url"]
    assert console_errors(browser) == []
    screenshot(browser, "preview.png")


@pytest.mark.usefixtures("fonts")
@pytest.mark.parametrize("folder", ["local/", ""])
def test_a_landing_page_reads_like_its_feed(browser: Any, served: tuple[Site, str],
                                            folder: str) -> None:
    """The landing page (index.html) of a category and of the site, as the server's folder
    address shows it: the feed's title, its newest item, every image and every character."""
    site, base = served
    if not (site.feeds / folder / "index.html").exists():
        pytest.skip("this build writes no landing page (index.html)")
    feed = site.json(f"{folder}feed.json")
    browser.get(base + folder)
    assert_readable(browser, [feed["title"], feed["items"][0]["title"]])
    assert console_errors(browser) == []
    screenshot(browser, f"page-{folder.strip('/') or 'site'}.png")


@pytest.mark.usefixtures("fonts")
def test_the_glyph_check_finds_a_character_no_font_has(browser: Any) -> None:
    """The check of assert_readable can fail: U+F0001, a private-use code point, can only draw
    as a box; the Chinese and the emoji around it draw in their fonts."""
    browser.get(html_page("<h1>臺日「強強聯手」</h1><p>颱風假 🎉 國慶 🇹🇼 \U000f0001 ok</p>"))
    assert unreadable(browser) == {"\U000f0001": "box (no font package known)"}
    with pytest.raises(AssertionError, match=r"1 character\(s\) a reader cannot read: box "
                       r"\(no font package known\): \U000f0001; install the fonts: no font"):
        assert_readable(browser, ["強強聯手"])


def test_the_page_check_finds_absent_text_and_a_broken_image(browser: Any) -> None:
    browser.get(html_page('<h1>Feed</h1><img src="data:image/png;base64,AAAA" alt="">'))
    with pytest.raises(AssertionError, match=r"the page does not show \['強強聯手'\]"):
        assert_readable(browser, ["Feed", "強強聯手"])
    with pytest.raises(AssertionError, match=r"images that did not load: \['data:image/png"):
        assert_readable(browser, ["Feed"])


def test_without_the_cjk_and_emoji_fonts_the_feed_is_unreadable(
        fresh_machine_browser: Any, served: tuple[Site, str]) -> None:
    """What a fresh machine shows: Chromium with only the DejaVu and Liberation fonts draws every
    Chinese character of the feed page as a box and the flag without colour, and the check
    says so, naming both packages."""
    _, base = served
    fresh_machine_browser.get(base + "local/rss.xml")
    missing = unreadable(fresh_machine_browser)
    for char in "地方全國大小事新聞網國慶煙火倒數":
        assert missing[char] == f"box ({CJK_FONTS})"
    # Two boxes, one per regional indicator: unlike the one box of U+10FFFD, but no colour.
    assert missing["🇹🇼"] == f"not in colour ({EMOJI_FONTS})"
    with pytest.raises(AssertionError,
                       match=f"; install the fonts: apt-get install {CJK_FONTS} {EMOJI_FONTS}\n"):
        assert_readable(fresh_machine_browser, ["地方"])
    dismiss_xslt_banner(fresh_machine_browser)
    screenshot(fresh_machine_browser, "feed-local-rss.xml-without-fonts.png")
