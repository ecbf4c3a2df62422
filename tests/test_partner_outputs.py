"""The partner files in the pipeline: switched on in the config, planned like the feeds (written
only when their items change, removed when switched off), their left-out articles warned about
once, listed in build-report.json and `syndicate status`, and their rules known to
`syndicate check` (one test per rule)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import Run, Site, record
from lxml import etree

ALL = {"yahoo": True, "yahoo_categories": True, "line_today": True, "msn": True}
FILES = ["line-today/articles.xml", "msn/rss.xml", "yahoo/life/rss.xml", "yahoo/local/rss.xml",
         "yahoo/rss.xml", "yahoo/society/rss.xml", "yahoo/world/rss.xml"]


@pytest.fixture
def partners(site: Site) -> Site:
    site.write_records([
        record(),
        record(id="short", title="太短的標題", url="https://nchn.example.com/short/",
               published="2026-02-03T09:00:00+08:00", category="life"),
        record(id="img", title="有圖片的文章 標題超過二十個字的新聞報導內容", category="local",
               url="https://nchn.example.com/img/", published="2026-02-02T09:00:00+08:00",
               image={"url": "https://nchn.example.com/i.jpg", "width": 1200, "height": 630,
                      "alt": "圖說"})])
    site.write_config(partners=ALL, images={"probe": False})
    return site


def written(result: Run) -> set[str]:
    return {line.split()[1] for line in result.out.splitlines() if line.startswith("written")}


def test_every_configured_partner_file_is_written(partners: Site,
                                                  run: Callable[..., Run]) -> None:
    result = run("build", "-v", "--config", partners.config)
    assert result.code == 0
    assert sorted(str(p.relative_to(partners.feeds / "partners"))
                  for p in (partners.feeds / "partners").rglob("*.xml")) == FILES
    assert result.err == (
        "syndicate: warning: partners/msn: 2026020401: left out: title of 19 characters, MSN "
        "needs more than 20\n"
        "syndicate: warning: partners/msn: short: left out: title of 5 characters, MSN needs "
        "more than 20\n")
    yahoo = feedparser.parse(partners.read("partners/yahoo/rss.xml"))
    assert (yahoo.bozo, [e.link for e in yahoo.entries]) == (0, [
        "https://nchn.example.com/2026/02/04/2026020401/", "https://nchn.example.com/short/",
        "https://nchn.example.com/img/"])
    assert {link.href for link in yahoo.feed.links if link.rel == "self"} == {
        "https://nchn.example.com/feeds/partners/yahoo/rss.xml"}
    local = feedparser.parse(partners.read("partners/yahoo/local/rss.xml"))
    assert [e.link for e in local.entries] == ["https://nchn.example.com/img/"]
    assert local.feed.title == "全國大小事新聞網 · 地方"
    msn = feedparser.parse(partners.read("partners/msn/rss.xml"))
    assert "https://nchn.example.com/short/" not in [e.link for e in msn.entries]
    line = etree.fromstring(partners.read("partners/line-today/articles.xml").encode())
    assert line.xpath("article/ID/text()") == ["2026020401", "short", "img"]


def test_partner_files_change_only_when_their_items_do(partners: Site,
                                                       run: Callable[..., Run]) -> None:
    assert run("build", "--config", partners.config).code == 0
    again = run("build", "-v", "--config", partners.config)
    assert again.out.startswith("nothing changed") and again.err == ""  # warned once
    partners.write_records([
        record(), record(id="short", title="太短的標題", url="https://nchn.example.com/short/",
                         published="2026-02-03T09:00:00+08:00", category="life"),
        record(id="img", title="有圖片的文章 標題超過二十個字的新聞報導內容 更新了",
               category="local", url="https://nchn.example.com/img/",
               published="2026-02-02T09:00:00+08:00")])
    result = run("build", "-v", "--config", partners.config)
    assert {path for path in written(result) if path.startswith("partners/")} == {
        "partners/yahoo/rss.xml", "partners/yahoo/local/rss.xml", "partners/msn/rss.xml",
        "partners/line-today/articles.xml"}


def test_partner_files_are_listed_and_go_when_switched_off(partners: Site,
                                                          run: Callable[..., Run]) -> None:
    assert run("build", "--config", partners.config).code == 0
    report = partners.json("build-report.json")
    assert {"path": "partners/msn/rss.xml", "items": 3} in report["partners"]
    status = run("status", "--config", partners.config).out
    assert "partners     7 file(s)\n" in status
    partners.write_config(partners={"msn": True}, images={"probe": False})
    result = run("build", "-v", "--config", partners.config)
    assert "removed   partners/yahoo/rss.xml" in result.out
    assert sorted(str(p.relative_to(partners.feeds / "partners"))
                  for p in (partners.feeds / "partners").rglob("*.xml")) == ["msn/rss.xml"]


def test_an_unknown_partner_is_a_config_error(site: Site, run: Callable[..., Run]) -> None:
    site.write_config(partners={"yahoo": True, "smartnews": True})
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert "partners.smartnews: unknown key; expected one of yahoo, yahoo_categories, " \
           "line_today, msn, items, msn_items, msn_require_image, utm_campaign" in result.err


def test_check_passes_what_build_writes(partners: Site, run: Callable[..., Run]) -> None:
    assert run("build", "--config", partners.config).code == 0
    result = run("check", partners.feeds / "partners")
    assert (result.code, result.out) == (0, "7 file(s) checked: 0 error(s), 0 warning(s)\n")


RSS = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
       'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
       'xmlns:mi="http://schemas.ingestion.microsoft.com/common/">\n<channel>'
       "<title>t</title><link>https://x.example/</link><description>d</description>\n"
       "{item}</channel></rss>\n")
MSN_ITEM = ("<item><title>{title}</title><link>https://x.example/a</link>"
            "<pubDate>{date}</pubDate><description>{abstract}</description>"
            "<content:encoded>{body}</content:encoded>{extra}</item>\n")
GOOD = {"title": "一則標題夠長的新聞報導內容在這裡寫著很多字",
        "date": "Wed, 04 Feb 2026 02:00:00 +0000", "abstract": "摘要",
        "body": "&lt;p&gt;內文&lt;/p&gt;", "extra": ""}
LONG = "長" * 151


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": "太短的標題"}, "MSN: a title needs more than 20 characters, found 5"),
    ({"title": LONG}, "MSN: a title of 151 characters needs an mi:shortTitle of at most 150"),
    ({"date": "Wed, 04 Feb 2026 10:00:00 +0800"}, "MSN: dates must be in UTC"),
    ({"abstract": "&lt;b&gt;摘要&lt;/b&gt;"}, "MSN: the abstract (description) holds HTML"),
    ({"body": "&lt;script&gt;x()&lt;/script&gt;"}, "MSN: the body holds <script>, which MSN "
                                                     "strips"),
    ({"body": '&lt;iframe src="https://evil.example/v"&gt;&lt;/iframe&gt;'},
     "MSN: a frame from evil.example, which is not a platform MSN shows"),
])
def test_check_knows_msn_s_rules(tmp_path: Path, run: Callable[..., Run],
                                 changes: dict[str, str], message: str) -> None:
    folder = tmp_path / "partners" / "msn"
    folder.mkdir(parents=True)
    (folder / "rss.xml").write_text(RSS.format(item=MSN_ITEM.format(**{**GOOD, **changes})),
                                    encoding="utf-8")
    result = run("check", tmp_path)
    assert message in result.out, result.out
    assert result.code == 1


def test_check_accepts_what_msn_allows(tmp_path: Path, run: Callable[..., Run]) -> None:
    folder = tmp_path / "partners" / "msn"
    folder.mkdir(parents=True)
    allowed = {**GOOD, "title": LONG, "extra": "<mi:shortTitle>短一點的標題</mi:shortTitle>",
               "body": '&lt;p&gt;&lt;iframe src="https://www.youtube.com/embed/x"&gt;'
                       "&lt;/iframe&gt;&lt;/p&gt;"}
    (folder / "rss.xml").write_text(RSS.format(item=MSN_ITEM.format(**allowed)),
                                    encoding="utf-8")
    result = run("check", tmp_path)
    assert (result.code, result.out.splitlines()[-1]) == (
        0, "1 file(s) checked: 0 error(s), 1 warning(s)")  # the warning: no self link
    assert "MSN" not in result.out


def test_check_knows_yahoo_s_rules(tmp_path: Path, run: Callable[..., Run]) -> None:
    folder = tmp_path / "partners" / "yahoo"
    folder.mkdir(parents=True)
    item = "<item><title>t</title><link>https://x.example/a</link></item>\n"
    (folder / "rss.xml").write_text(RSS.format(item=item), encoding="utf-8")
    out = run("check", tmp_path).out
    assert "error: Yahoo: an item needs its full content (content:encoded)" in out
    assert "warning: Yahoo: an item without a category (its section)" in out


LINE = ("<articles><UUID>u</UUID><time>{time}</time><article><ID>1</ID>"
        "<nativeCountry>TW</nativeCountry><language>zh</language>"
        "<startYmdtUnix>{start}</startYmdtUnix><endYmdtUnix>1801730700000</endYmdtUnix>"
        "<title>{title}</title><category>c</category>"
        "<publishTimeUnix>1770194700000</publishTimeUnix>"
        "<updateTimeUnix>1770194700000</updateTimeUnix><contentType>0</contentType>"
        "<thumbnail>{thumbnail}</thumbnail><contents><text><content>x</content></text>"
        "</contents><sourceUrl>https://x.example/a</sourceUrl></article></articles>\n")
LINE_GOOD = {"time": "1770194700000", "start": "1770194700000", "title": "t",
             "thumbnail": "https://x.example/i.jpg"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"time": "2026-02-04"}, "LINE TODAY: time is not epoch milliseconds: '2026-02-04'"),
    ({"start": "1901730700000"}, "LINE TODAY: startYmdtUnix is not before endYmdtUnix"),
    ({"title": "&lt;b&gt;t&lt;/b&gt;"}, "LINE TODAY: the title holds an HTML tag"),
    ({"thumbnail": "/i.jpg"}, "thumbnail is not an absolute http(s) URL: '/i.jpg'"),
    ({"title": ""}, "LINE TODAY: missing element: title"),
])
def test_check_knows_line_today_s_rules(tmp_path: Path, run: Callable[..., Run],
                                        changes: dict[str, str], message: str) -> None:
    folder = tmp_path / "partners" / "line-today"
    folder.mkdir(parents=True)
    (folder / "articles.xml").write_text(LINE.format(**{**LINE_GOOD, **changes}),
                                         encoding="utf-8")
    result = run("check", tmp_path)
    assert message in result.out, result.out
    assert result.code == 1
