"""`syndicate check`: clean on what build writes, and one exact line per problem on files broken
the ways feeds break in the wild (each made by editing a real published file)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE_CONFIG, Run, record


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from syndicate import build, load_config

    folder = tmp_path_factory.mktemp("published") / "feeds"
    build(load_config(EXAMPLE_CONFIG), output=folder)
    return folder


def broken(published: Path, tmp_path: Path, relative: str, old: str, new: str,
           count: int = 1) -> Path:
    """A copy of one published file with `old` replaced by `new`, alone in a folder at its
    relative place (so that its self link still matches)."""
    text = (published / relative).read_text(encoding="utf-8")
    assert old in text, old
    target = tmp_path / "site" / relative
    target.parent.mkdir(parents=True)
    target.write_text(text.replace(old, new, count), encoding="utf-8")
    return tmp_path / "site"


def line_of(folder: Path, relative: str, fragment: str) -> int:
    lines = (folder / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


def test_what_build_writes_has_no_error(published: Path, run: Callable[..., Run]) -> None:
    result = run("check", published)
    assert result.code == 0
    # 149 files before issue 16, then 90 archive files and the 12 of one tag and two authors
    assert result.out.splitlines()[-1] == "251 file(s) checked: 0 error(s), 16 warning(s)"
    warnings = result.out.splitlines()[:-1]
    # the sample images that give no size and cannot be read from example.com
    assert all(line.endswith("og:image without og:image:width and height: Facebook shows a "
                             "small card on the first share") for line in warnings)


def test_the_default_folder_is_the_configs_output(published: Path, tmp_path: Path,
                                                  run: Callable[..., Run]) -> None:
    site = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, site)
    result = run("check", "-q", "--config", site / "site.yaml")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"syndicate: error: {tmp_path / 'feeds'} is not a folder\n"


CASES = [
    ("local/rss.xml", "</channel>", "</chanel>", "not well-formed XML: Opening and ending tag "
     "mismatch: channel line 4 and chanel"),
    ("local/rss.xml", "<lastBuildDate>Wed, 04 Feb 2026", "<lastBuildDate>Thu, 04 Feb 2026",
     "wrong day of the week in 'Thu, 04 Feb 2026 15:00:00 +0800': it is a Wed"),
    ("local/rss.xml", "<pubDate>", "<pubDate>2026-02-04 ", "not an RFC 822 date: "),
    ("local/rss.xml", "<link>https://nchn.example.com/2026/02/04/2026020408/</link>",
     "<link>/2026/02/04/2026020408/</link>",
     "item link is not an absolute http(s) URL: '/2026/02/04/2026020408/'"),
    ("local/rss.xml", "feeds/local/rss.xml", "feeds/life/rss.xml",
     "the self link https://nchn.example.com/feeds/life/rss.xml does not end in "
     "/local/rss.xml, where this file lives"),
    ("local/rss.xml", "<title>地方 | 全國大小事新聞網</title>\n", "",
     "missing element: channel title"),
    ("atom.xml", "<updated>", "<updated>yesterday ", "not an RFC 3339 date-time: 'yesterday "),
    ("feed.json", '"date_modified": "', '"date_modified": "2026/02/04 ',
     "not an RFC 3339 date-time: '2026/02/04 "),
    ("feed.json", '"image": "https://', '"image": "//', "items[0].image is not an absolute "
     "http(s) URL: '//"),
    ("articles/2026020408.html", '<meta property="og:url"', '<meta property="og:uurl"',
     "missing Open Graph tag og:url"),
    ("articles/2026020401.html", 'content="1200"', 'content="1200px"',
     "og:image:width is not a positive whole number: '1200px'"),
    ("articles/2026020408.html", '<script type="application/ld+json">',
     '<script>alert(1)</script><script type="application/ld+json">',
     "a script of type 'text/javascript' in a head fragment"),
    ("articles/2026020408.html", '<meta property="og:description" content="',
     '<meta property="og:description" content="&lt;b&gt;',
     "og:description holds an HTML tag: '<b>"),
    # a landing page is a page, not a head fragment: no script of any kind, the same og rules
    ("local/index.html", "</main>", '<script type="application/ld+json">{}</script></main>',
     "a script (type 'application/ld+json') in a page of the feeds folder: its landing pages "
     "are static"),
    ("local/index.html", '<meta property="og:url"', '<meta property="og:uurl"',
     "missing Open Graph tag og:url"),
]


@pytest.mark.parametrize(("relative", "old", "new", "message"), CASES,
                         ids=[case[3][:40] for case in CASES])
def test_each_problem_is_one_line_with_file_and_line(
        published: Path, tmp_path: Path, run: Callable[..., Run], relative: str, old: str,
        new: str, message: str) -> None:
    folder = broken(published, tmp_path, relative, old, new)
    result = run("check", "-q", folder)
    assert result.code == 1
    errors = result.out.splitlines()
    assert len(errors) == 1, errors
    assert message in errors[0]
    where = re.match(rf"^{re.escape(str(folder / relative))}(:(\d+))?: error: ", errors[0])
    assert where, errors[0]
    if where.group(2) and new.strip():
        fragment = new.strip().splitlines()[0][:30]
        assert int(where.group(2)) == line_of(folder, relative, fragment)


def test_a_tag_in_a_title_is_a_warning(published: Path, tmp_path: Path,
                                       run: Callable[..., Run]) -> None:
    folder = broken(published, tmp_path, "local/rss.xml", "<title>大阪世博",
                    "<title>&lt;b&gt;大阪世博")
    result = run("check", folder)
    line = line_of(folder, "local/rss.xml", "&lt;b&gt;大阪世博")
    assert result.code == 0
    assert result.out.splitlines()[0] == (
        f"{folder}/local/rss.xml:{line}: warning: the title holds an HTML tag: "
        "'<b>大阪世博TECH WORLD館「Take Home」 2026台灣燈會嘉義重現'")


def test_an_id_used_twice_points_at_both(published: Path, tmp_path: Path,
                                        run: Callable[..., Run]) -> None:
    text = (published / "local" / "atom.xml").read_text(encoding="utf-8")
    ids = re.findall(r"<id>(tag:[^<]+article/[^<]+)</id>", text)
    folder = broken(published, tmp_path, "local/atom.xml", ids[1], ids[0])
    result = run("check", "-q", folder)
    first = line_of(folder, "local/atom.xml", f"<id>{ids[0]}</id>")
    second = [n for n, line in enumerate((folder / "local/atom.xml").read_text(
        encoding="utf-8").splitlines(), 1) if f"<id>{ids[0]}</id>" in line][1]
    assert result.out == (f"{folder}/local/atom.xml:{second}: error: id {ids[0]!r} appears "
                          f"twice (first on line {first})\n")


def test_untrusted_xml_entities_are_not_expanded(tmp_path: Path,
                                                 run: Callable[..., Run]) -> None:
    (tmp_path / "rss.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">'
        '<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&b;&secret;</title><link>https://a.example/</link>'
        '<description>d</description></channel></rss>', encoding="utf-8")
    result = run("check", "-q", tmp_path)
    # neither the file nor the entities are read: the title is left without text
    assert (result.code, result.out) == (
        1, f"{tmp_path}/rss.xml:1: error: missing element: channel title\n")


def test_lead_images_google_discover_shows_small_are_warnings(site, run) -> None:
    def imaged(key: str, width: int, url: str | None = None) -> dict:
        return record(id=key, url=f"https://nchn.example.com/{key}/", image={
            "url": url or f"https://nchn.example.com/{key}.jpg", "width": width,
            "height": 600, "alt": "圖"})

    site.write_records([imaged("narrow", 800), imaged("wide", 1200),
                        imaged("logo", 1200, "https://nchn.example.com/logo.png"),
                        record(id="noimage")])
    assert run("build", "-q", "--config", site.config).code == 0
    result = run("check", site.feeds)
    assert result.code == 0
    found = [line for line in result.out.splitlines() if "Discover" in line]
    head = site.feeds / "articles"
    assert found == [
        # the same og:image as the logo, which JSON-LD names as the publisher's: check cannot
        # tell an article's own image from the logo standing in for a missing one
        f"{head}/logo.html:{line_of(head, 'logo.html', 'og:image')}: warning: og:image is the "
        "site logo (the JSON-LD publisher's logo): Google Discover wants an image of the article",
        f"{head}/narrow.html:{line_of(head, 'narrow.html', 'og:image:width')}: warning: "
        "og:image is 800 px wide: Google Discover shows large images from 1200 px",
        f"{head}/noimage.html:{line_of(head, 'noimage.html', 'og:image')}: warning: og:image is "
        "the site logo (the JSON-LD publisher's logo): Google Discover wants an image of the "
        "article",
    ]


def test_a_landing_page_without_feed_links_or_image_is_warned_about(
        published: Path, tmp_path: Path, run: Callable[..., Run]) -> None:
    text = (published / "local" / "index.html").read_text(encoding="utf-8")
    kept = "\n".join(line for line in text.splitlines()
                     if 'rel="alternate"' not in line and "og:image" not in line)
    folder = tmp_path / "site"
    (folder / "local").mkdir(parents=True)
    (folder / "local" / "index.html").write_text(kept, encoding="utf-8")
    result = run("check", folder)
    page = folder / "local" / "index.html"
    assert (result.code, result.out) == (0, (
        f"{page}: warning: missing Open Graph tag og:image: a link preview of this page has no "
        "picture (syndicate: set share.default_image or site.logo)\n"
        f"{page}: warning: no <link rel=\"alternate\"> to a feed: a reader given this page's "
        "address cannot find the feeds\n"
        "1 file(s) checked: 0 error(s), 2 warning(s)\n"))


def test_without_a_publisher_logo_the_logo_is_not_guessed(tmp_path: Path,
                                                         run: Callable[..., Run]) -> None:
    # another site's fragment: its JSON-LD names no publisher logo to compare og:image with
    og = {"og:title": "t", "og:type": "article", "og:url": "https://a.example/1",
          "og:image": "https://a.example/logo.png", "og:image:width": "1200",
          "og:image:height": "630"}
    fragment = "".join(f'<meta property="{key}" content="{value}">' for key, value in og.items())
    (tmp_path / "a.html").write_text(
        fragment + '<meta name="twitter:card" content="summary_large_image">'
        '<script type="application/ld+json">{"@type":"NewsArticle"}</script>', encoding="utf-8")
    result = run("check", tmp_path)
    assert (result.code, result.out) == (0, "1 file(s) checked: 0 error(s), 0 warning(s)\n")
