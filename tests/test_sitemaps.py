"""Sitemaps: the Google News sitemap of the last two days, one sitemap per month of articles, and
the index; planned like the feeds, checked against the sitemaps.org and Google schemas (copies in
tests/fixtures/sitemaps, see SOURCE there) with lxml, and by `syndicate check`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import ROOT, Run, Site, record
from lxml import etree

import syndicate

SCHEMAS = ROOT / "tests" / "fixtures" / "sitemaps"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9",
      "image": "http://www.google.com/schemas/sitemap-image/1.1"}
TAIPEI = timezone(timedelta(hours=8))
NEWEST = datetime(2026, 2, 4, 18, 0, tzinfo=TAIPEI)


def generated(count_recent: int = 1200, count_older: int = 1800) -> list[dict[str, object]]:
    """3,000 articles over 40 days: `count_recent` in the last two days (more than one News
    sitemap holds), the others over the 38 days before."""
    records = []
    for n in range(count_recent + count_older):
        if n < count_recent:
            when = NEWEST - timedelta(minutes=n * (2 * 24 * 60 - 1) // count_recent)
        else:
            when = NEWEST - timedelta(days=2, hours=1) - timedelta(
                minutes=(n - count_recent) * (38 * 24 * 60) // count_older)
        records.append(record(
            id=f"g{n:05d}", url=f"https://nchn.example.com/g/{n}/", title=f"第{n}則 新聞標題",
            category=("local", "life", "society", "world")[n % 4],
            published=when.isoformat(), image=f"https://nchn.example.com/img/{n}.jpg"
            if n % 2 else None))
    return records


@pytest.fixture
def big(site: Site) -> Site:
    site.write_records(generated(), "articles.jsonl")
    site.write_config("articles.jsonl", sitemaps={"news": True, "articles": True},
                      images={"probe": False})
    return site


def parse(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def valid(path: Path, schema: str) -> bool:
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    return xsd.validate(etree.parse(str(path)))


def locs(path: Path) -> list[str]:
    return parse(path).xpath("//s:url/s:loc/text()", namespaces=NS)


def test_the_news_sitemap_holds_exactly_the_last_two_days(big: Site,
                                                          run: Callable[..., Run]) -> None:
    assert run("build", "--config", big.config) == Run(0, "", "")
    folder = big.feeds / "sitemaps"
    first, second = folder / "news.xml", folder / "news-2.xml"
    assert not (folder / "news-3.xml").exists()
    assert [len(locs(first)), len(locs(second))] == [1000, 200]
    records = generated()
    recent = [r["url"] for r in records
              if datetime.fromisoformat(str(r["published"])) >= NEWEST - timedelta(days=2)]
    assert locs(first) + locs(second) == recent  # newest first, every one of them
    assert valid(first, "all.xsd") and valid(second, "all.xsd")
    news = parse(first).xpath("//news:news", namespaces=NS)[0]
    assert news.xpath("news:publication/news:name/text()", namespaces=NS) == ["全國大小事新聞網"]
    assert news.xpath("news:publication/news:language/text()", namespaces=NS) == ["zh-tw"]
    assert news.xpath("news:publication_date/text()", namespaces=NS) == [
        "2026-02-04T18:00:00+08:00"]
    assert news.xpath("news:title/text()", namespaces=NS) == ["第0則 新聞標題"]
    images = parse(first).xpath("//s:url[2]/image:image/image:loc/text()", namespaces=NS)
    assert images == ["https://nchn.example.com/img/1.jpg"]


def test_every_article_is_in_its_months_sitemap_and_the_index_lists_them_all(
        big: Site, run: Callable[..., Run]) -> None:
    assert run("build", "--config", big.config).code == 0
    folder = big.feeds / "sitemaps"
    months = sorted(path.name for path in folder.glob("articles-*.xml"))
    assert months == ["articles-2025-12.xml", "articles-2026-01.xml", "articles-2026-02.xml"]
    by_month: dict[str, list[str]] = {}
    for r in generated():
        month = datetime.fromisoformat(str(r["published"])).astimezone(TAIPEI).strftime("%Y-%m")
        by_month.setdefault(f"articles-{month}.xml", []).append(str(r["url"]))
    for name in months:
        assert sorted(locs(folder / name)) == sorted(by_month[name])
        assert valid(folder / name, "all.xsd")
    index = parse(folder / "index.xml")
    listed = index.xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    assert sorted(listed) == sorted(f"https://nchn.example.com/feeds/sitemaps/{path.name}"
                                    for path in folder.glob("*.xml") if path.name != "index.xml")
    assert valid(folder / "index.xml", "siteindex.xsd")
    lastmods = dict(zip(listed, index.xpath("//s:sitemap/s:lastmod/text()", namespaces=NS),
                        strict=True))
    assert lastmods["https://nchn.example.com/feeds/sitemaps/articles-2026-02.xml"] == (
        "2026-02-04T18:00:00+08:00")  # the newest time of the month, to the second


def test_one_new_article_rewrites_only_what_shows_it(big: Site,
                                                     run: Callable[..., Run]) -> None:
    assert run("build", "--config", big.config).code == 0
    records = generated()
    records.append(record(id="new", url="https://nchn.example.com/new/", category="life",
                          published=(NEWEST + timedelta(minutes=5)).isoformat()))
    big.write_records(records, "articles.jsonl")
    result = run("build", "-v", "--config", big.config)
    written = {line.split()[1] for line in result.out.splitlines()
               if line.startswith("written")}
    assert written == {
        "rss.xml", "atom.xml", "feed.json", "index.html", "life/rss.xml",
        "life/atom.xml", "life/feed.json", "life/index.html", "life/archive/2026-02.rss.xml",
        "life/archive/2026-02.atom.xml", "life/archive/2026-02.json", "articles/new.json",
        "articles/new.html", "sitemaps/news.xml", "sitemaps/news-2.xml",
        "sitemaps/articles-2026-02.xml", "sitemaps/index.xml", "build-report.json",
        # and the feeds of its tag and its author (record()'s), which have feeds here
        *(f"{folder}/{name}" for folder in ("tags/臺日關係", "authors/行政院")
          for name in ("rss.xml", "atom.xml", "feed.json", "index.html"))}
    assert locs(big.feeds / "sitemaps" / "news.xml")[0] == "https://nchn.example.com/new/"
    again = run("build", "-v", "--config", big.config)
    assert again.out.startswith("nothing changed in the sources")


def test_sitemaps_are_listed_in_the_report_and_in_status(big: Site,
                                                         run: Callable[..., Run]) -> None:
    assert run("build", "--config", big.config).code == 0
    report = json.loads((big.feeds / "build-report.json").read_text(encoding="utf-8"))
    assert {"path": "sitemaps/news.xml", "items": 1000} in report["sitemaps"]
    assert {"path": "sitemaps/index.xml", "items": 5} in report["sitemaps"]
    status = run("status", "--config", big.config).out
    assert ("sitemaps     6 file(s); robots.txt: Sitemap: "
            "https://nchn.example.com/feeds/sitemaps/index.xml\n") in status
    state = syndicate.status(syndicate.load_config(big.config))
    assert state.robots == "Sitemap: https://nchn.example.com/feeds/sitemaps/index.xml"


def test_switching_sitemaps_off_removes_them(big: Site, run: Callable[..., Run]) -> None:
    assert run("build", "--config", big.config).code == 0
    big.write_config("articles.jsonl", sitemaps={"news": True}, images={"probe": False})
    result = run("build", "-v", "--config", big.config)
    assert result.code == 0
    assert sorted(p.name for p in (big.feeds / "sitemaps").iterdir()) == [
        "index.xml", "news-2.xml", "news.xml"]
    assert "removed   sitemaps/articles-2026-01.xml" in result.out
    big.write_config("articles.jsonl", images={"probe": False})
    assert run("build", "--config", big.config).code == 0
    assert list((big.feeds / "sitemaps").iterdir()) == []
    assert syndicate.status(syndicate.load_config(big.config)).robots is None


def test_the_publication_name_and_language_come_from_the_config(
        site: Site, run: Callable[..., Run]) -> None:
    site.write_config(sitemaps={"news": True, "publication": "NCHN 新聞"},
                      site={"title": "全國大小事新聞網", "url": "https://nchn.example.com/",
                            "language": "zh-Hans", "timezone": "Asia/Taipei"})
    assert run("build", "--config", site.config).code == 0
    news = parse(site.feeds / "sitemaps" / "news.xml")
    assert news.xpath("//news:name/text()", namespaces=NS) == ["NCHN 新聞"]
    assert news.xpath("//news:language/text()", namespaces=NS) == ["zh-cn"]


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-TW", "zh-tw"), ("zh-Hant", "zh-tw"), ("zh-Hant-TW", "zh-tw"), ("zh-HK", "zh-tw"),
    ("zh-CN", "zh-cn"), ("zh-Hans", "zh-cn"), ("zh", "zh-cn"), ("en-US", "en"), ("ja", "ja")])
def test_news_language_follows_google_s_codes(language: str, expected: str) -> None:
    from syndicate.render.sitemap import news_language

    assert news_language(language) == expected


def test_an_unknown_sitemaps_key_is_a_config_error(site: Site, run: Callable[..., Run]) -> None:
    site.write_config(sitemaps={"news": True, "newz": True})
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert "sitemaps.newz: unknown key; did you mean news? expected one of news, articles, " \
           "publication" in result.err


URLSET = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{s}" xmlns:news="{news}">\n'
          "{body}</urlset>\n")
NEWS_ITEM = ("<url><loc>{loc}</loc><news:news><news:publication><news:name>N</news:name>"
             "<news:language>zh-tw</news:language></news:publication><news:publication_date>"
             "{date}</news:publication_date><news:title>{title}</news:title></news:news></url>\n")


@pytest.mark.parametrize(("body", "message"), [
    (NEWS_ITEM.format(loc="/a/", date="2026-02-04T10:00:00+08:00", title="t"),
     "error: loc is not an absolute http(s) URL: '/a/'"),
    (NEWS_ITEM.format(loc="https://x.example/a", date="2026-02-04T10:00:00+08:00", title="t") * 2,
     "error: loc 'https://x.example/a' appears twice (first on line 3)"),
    (NEWS_ITEM.format(loc="https://x.example/a", date="2026-02-04 10:00", title="t"),
     "error: news:publication_date is not a W3C datetime: '2026-02-04 10:00'"),
    (NEWS_ITEM.format(loc="https://x.example/a", date="2026-02-04T10:00:00+08:00",
                      title="&lt;b&gt;t&lt;/b&gt;"),
     "error: news:title holds an HTML tag: '<b>t</b>'"),
    (NEWS_ITEM.format(loc="https://x.example/a", date="2026-02-04T10:00:00+08:00", title="t")
     .replace("<news:name>N</news:name>", ""), "error: missing element: news:publication/name"),
    (NEWS_ITEM.format(loc="https://x.example/a", date="2026-02-04T10:00:00+08:00", title="t")
     + NEWS_ITEM.format(loc="https://x.example/b", date="2026-01-04T10:00:00+08:00", title="t"),
     "warning: publication dates from 2026-01-04T10:00:00+08:00 to 2026-02-04T10:00:00+08:00: "
     "Google News reads only the last two days"),
    ("".join(NEWS_ITEM.format(loc=f"https://x.example/{n}", date="2026-02-04T10:00:00+08:00",
                              title="t") for n in range(1001)),
     "error: 1,001 news:news: a News sitemap holds at most 1,000"),
])
def test_check_knows_the_sitemap_rules(tmp_path: Path, run: Callable[..., Run], body: str,
                                       message: str) -> None:
    (tmp_path / "news.xml").write_text(URLSET.format(body=body, **NS), encoding="utf-8")
    result = run("check", tmp_path)
    assert message in result.out, result.out
    assert result.code == (1 if message.startswith("error") else 0)


def test_check_passes_what_build_writes(big: Site, run: Callable[..., Run]) -> None:
    assert run("build", "--config", big.config).code == 0
    result = run("check", big.feeds / "sitemaps")
    assert (result.code, result.out) == (0, "6 file(s) checked: 0 error(s), 0 warning(s)\n")
