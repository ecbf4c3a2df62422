"""The bundled example, read back by independent consumers: feedparser for RSS and Atom, the json
module for JSON Feed. Item by item, every format must say what the normalized records say."""

from __future__ import annotations

import calendar
import html
import json
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import EXAMPLE_CONFIG, record

import syndicate
from syndicate.plan import feed_specs


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[syndicate.Config, Path]:
    output = tmp_path_factory.mktemp("example") / "feeds"
    config = syndicate.load_config(EXAMPLE_CONFIG)
    report = syndicate.build(config, output=output)
    assert report.exit_code == 0
    return config, output


def _expected(config: syndicate.Config) -> dict[str, list[syndicate.Article]]:
    articles, report = syndicate.load_articles(config)
    assert not report.rejected
    limit = config.output.items_per_feed
    return {spec.folder: [a for a in articles
                          if spec.category is None or a.category == spec.category.slug][:limit]
            for spec in feed_specs(config)}


def _labels(config: syndicate.Config, article: syndicate.Article) -> list[str]:
    section = config.category(article.category)
    assert section is not None
    return [section.name] + [tag for tag in article.tags if tag != section.name]


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, sorted(attrs)))

    def handle_data(self, data: str) -> None:
        self.seen.append(data)


def _markup(fragment: str) -> list[object]:
    """Tags with their attributes, and text, in order: what feedparser's sanitizer keeps of
    clean HTML whatever the attribute order or the self-closing style."""
    parser = _Markup()
    parser.feed(fragment)
    parser.close()
    return parser.seen


def _utc_seconds(value: datetime) -> int:
    return int(value.timestamp())


def _parsed_seconds(struct: object) -> int:
    return calendar.timegm(struct)  # type: ignore[arg-type]


def test_every_folder_has_three_formats_and_the_opml(example):
    config, output = example
    for folder in _expected(config):
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert (output / folder / name).is_file(), folder + name
    opml = (output / "index.opml").read_text(encoding="utf-8")
    feeds = opml.count("<outline type=\"rss\"")
    # the site, each category, then the example's tag (臺日關係) and authors in their groups
    assert feeds == 1 + len(config.categories) + 3
    assert opml.count("<outline ") == feeds + 2


def test_example_covers_every_category(example):
    config, _ = example
    expected = _expected(config)
    assert len(expected[""]) >= 40
    for category in config.categories:
        assert expected[f"{category.slug}/"], f"no article in {category.slug}"


def test_rss_items_equal_the_records(example):
    config, output = example
    for folder, articles in _expected(config).items():
        parsed = feedparser.parse((output / folder / "rss.xml").read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert [e.id for e in parsed.entries] == [
            f"tag:nchn.example.com,2026-01-01:article/{a.id}" for a in articles]
        for entry, article in zip(parsed.entries, articles, strict=True):
            assert entry.title == article.title
            assert entry.link == article.url
            assert entry.guidislink is False
            assert _parsed_seconds(entry.published_parsed) == _utc_seconds(article.published)
            assert [a.get("name") for a in entry.get("authors", [])] == list(article.authors)
            assert [t.term for t in entry.tags] == _labels(config, article)
            # an RSS description is HTML: the plain summary, escaped once ("Arts &amp; Tech")
            assert html.unescape(entry.summary) == article.summary
            assert _markup(entry.content[0].value) == _markup(article.content_html)


def test_atom_entries_equal_the_records(example):
    config, output = example
    for folder, articles in _expected(config).items():
        parsed = feedparser.parse((output / folder / "atom.xml").read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert len(parsed.entries) == len(articles)
        for entry, article in zip(parsed.entries, articles, strict=True):
            assert entry.id == f"tag:nchn.example.com,2026-01-01:article/{article.id}"
            assert entry.title == article.title
            assert entry.link == article.url
            assert _parsed_seconds(entry.published_parsed) == _utc_seconds(article.published)
            assert _parsed_seconds(entry.updated_parsed) == _utc_seconds(article.updated)
            assert [a.get("name") for a in entry.get("authors", [])] == list(article.authors)
            assert [t.label or t.term for t in entry.tags] == _labels(config, article)
            assert entry.summary == article.summary
            assert entry.content[0].type == "text/html"
            assert _markup(entry.content[0].value) == _markup(article.content_html)


def test_json_feed_items_equal_the_records(example):
    config, output = example
    for folder, articles in _expected(config).items():
        feed = json.loads((output / folder / "feed.json").read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"] == f"https://nchn.example.com/feeds/{folder}feed.json"
        assert len(feed["items"]) == len(articles)
        for item, article in zip(feed["items"], articles, strict=True):
            assert item["id"] == f"tag:nchn.example.com,2026-01-01:article/{article.id}"
            assert item["title"] == article.title
            assert item["url"] == article.url
            assert datetime.fromisoformat(item["date_published"]) == article.published
            assert datetime.fromisoformat(item["date_modified"]) == article.updated
            assert [a["name"] for a in item.get("authors", [])] == list(article.authors)
            assert item["tags"] == _labels(config, article)
            assert item["content_html"] == article.content_html
            assert item["summary"] == article.summary
            assert item.get("image") == (article.image.url if article.image else None)


def test_the_lead_image_appears_three_ways(example):
    config, output = example
    article = next(a for a in _expected(config)[""] if a.image and a.image.width)
    rss = feedparser.parse((output / "rss.xml").read_bytes())
    entry = next(e for e in rss.entries if e.id.endswith("/" + article.id))
    assert entry.media_content[0]["url"] == article.image.url
    assert entry.media_content[0]["width"] == str(article.image.width)
    assert entry.media_thumbnail[0]["url"] == article.image.url
    assert f'src="{article.image.url}"' in entry.content[0].value
    atom = feedparser.parse((output / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if e.id.endswith("/" + article.id))
    enclosures = [link for link in entry.links if link.rel == "enclosure"]
    assert [(link.href, link.type) for link in enclosures] == [(article.image.url,
                                                                 article.image.type)]
    feed = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["id"].endswith("/" + article.id))
    assert item["image"] == article.image.url


def test_feeds_are_newest_first_and_never_say_now(example):
    config, output = example
    for folder, articles in _expected(config).items():
        published = [a.published for a in articles]
        assert published == sorted(published, reverse=True)
        atom = feedparser.parse((output / folder / "atom.xml").read_bytes())
        newest = max(a.updated for a in articles)
        assert _parsed_seconds(atom.feed.updated_parsed) == _utc_seconds(newest)
        rss = feedparser.parse((output / folder / "rss.xml").read_bytes())
        assert rss.feed.updated_parsed[:6] == newest.astimezone(UTC).timetuple()[:6]


def test_site_and_category_feeds_describe_themselves(example):
    config, output = example
    rss = feedparser.parse((output / "society" / "rss.xml").read_bytes())
    assert rss.feed.title == "社會 | 全國大小事新聞網"
    assert rss.feed.language == "zh-TW"
    self_links = [link.href for link in rss.feed.links if link.rel == "self"]
    assert self_links == ["https://nchn.example.com/feeds/society/rss.xml"]
    atom = feedparser.parse((output / "atom.xml").read_bytes())
    assert atom.feed.id == "tag:nchn.example.com,2026-01-01:feed"
    assert atom.feed.title == config.site.title
    assert atom.feed.author == config.site.author  # for entries that name no author


def test_an_id_with_percent_signs_gets_a_canonical_tag_uri(site, run):
    """The W3C validator decodes %25 twice and calls such a tag: URI non-canonical, so an id
    holding '%' (a permalink used as the id) is written as base64url under article-b64/."""
    permalink = "https://nchn.example.com/2026/02/04/%E5%8D%93%E6%8F%86/"
    site.write_records([record(id=permalink), record(id="2026020402")])
    assert run("build", "--config", site.config).code == 0
    ids = [item["id"] for item in site.json("feed.json")["items"]]
    assert sorted(ids) == [
        "tag:nchn.example.com,2026-01-01:article-b64/aHR0cHM6Ly9uY2huLmV4YW1wbGUuY29tLzIwMjYvMDI"
        "vMDQvJUU1JThEJTkzJUU2JThGJTg2Lw",
        "tag:nchn.example.com,2026-01-01:article/2026020402"]
    parsed = feedparser.parse(site.read("atom.xml"))
    assert sorted(entry.id for entry in parsed.entries) == sorted(ids)


def test_readers_agree_on_the_times_of_date_only_records(site, run):
    """Issue 13: no invented fraction of a second. Date-only records keep midnight, two items
    of one day share it, and feedparser reads the same instants from RSS, Atom and JSON Feed."""
    dates = [("2026-02-01", None), ("2026-02-01", None), ("2026-02-02", "2026-02-05"),
             ("2026-02-02", "2026-02-05 08:30"), ("2026-02-03", None)]
    site.write_records([record(id=f"a{n}", url=f"https://nchn.example.com/a{n}/",
                               published=published, updated=updated)
                        for n, (published, updated) in enumerate(dates)])
    assert run("build", "--config", site.config).code == 0

    def taipei(value: str) -> int:  # what the record says, read in the site's zone (+08:00)
        return calendar.timegm(time.strptime(value, "%Y-%m-%d %H:%M"
                                             if " " in value else "%Y-%m-%d")) - 8 * 3600

    expected = {f"https://nchn.example.com/a{n}/": (taipei(published), taipei(updated or published))
                for n, (published, updated) in enumerate(dates)}
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(site.read(name), response_headers={
            "content-type": "application/xml"})
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        seen = {entry.link: (calendar.timegm(entry.published_parsed),
                             calendar.timegm(entry.updated_parsed)
                             if "updated" in entry else None) for entry in parsed.entries}
        if name == "rss.xml":  # RSS has no updated time: pubDate alone
            assert {link: when[0] for link, when in seen.items()} == {
                link: when[0] for link, when in expected.items()}
        else:
            assert seen == expected, name
    # feedparser 6.0 reads no JSON Feed: the json module and the standard RFC 3339 parser do
    items = site.json("feed.json")["items"]
    assert {item["url"]: tuple(int(datetime.fromisoformat(item[key]).timestamp())
                               for key in ("date_published", "date_modified"))
            for item in items} == expected
    # to the second in every format, as the record gave it: no fraction anywhere
    assert "<updated>2026-02-01T00:00:00+08:00</updated>" in site.read("atom.xml")
    assert {item["date_modified"] for item in site.json("feed.json")["items"]} == {
        "2026-02-01T00:00:00+08:00", "2026-02-05T00:00:00+08:00", "2026-02-05T08:30:00+08:00",
        "2026-02-03T00:00:00+08:00"}
