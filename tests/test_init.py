"""`syndicate init` (issue 13): a commented config for a new site, from nothing, from a records
export with keys of its own, or from a WordPress site; `syndicate build` then publishes with it.
It never overwrites a file."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from conftest import EXAMPLE_CONFIG, Run, record
from fakewp import CATEGORIES, FakeWordPress, wp_post

import syndicate
from syndicate import clock, net
from syndicate.config import Site, _keys

TODAY = "2026-02-10"

# An export as a CMS writes it: its own keys, Chinese section names (one no table knows),
# entities, dates without an offset, and keys that are no record field.
FOREIGN = [
    {"post_id": 9001, "headline": "颱風 &amp; 停班停課", "pubDate": "2026-02-04 10:00",
     "modified": "2026-02-04 11:30", "link": "https://news.example.tw/2026/02/04/9001/",
     "section": "地方", "body": "<p>颱風來襲，今日停班停課。</p>", "excerpt": "颱風來襲。",
     "byline": "記者王小明", "keywords": "颱風,停班", "views": 12,
     "thumbnail": {"url": "https://news.example.tw/img/9001.jpg", "width": 1200,
                   "height": 630}},
    {"post_id": 9002, "headline": "國際新聞", "pubDate": "2026-02-04 12:00",
     "link": "https://news.example.tw/2026/02/04/9002/", "section": "國際",
     "body": "<p>國際新聞內文。</p>", "byline": "中央社", "views": 3},
    {"post_id": 9003, "headline": "專題：城市綠廊", "pubDate": "2026-02-05",
     "link": "https://news.example.tw/2026/02/05/9003/", "section": "專題報導",
     "body": "<p>專題內文。</p>"},
    {"post_id": 9004, "headline": "社會新聞", "pubDate": "2026/02/05 08:15",
     "link": "https://news.example.tw/2026/02/05/9004/", "section": " 社會 ",
     "body": "<p>社會新聞內文。</p>", "byline": "記者李大華"},
    {"post_id": 9005, "headline": "地方新聞二", "pubDate": "2026-02-06T09:00:00+08:00",
     "link": "https://news.example.tw/2026/02/06/9005/", "section": "地方",
     "body": "<p>地方新聞內文。</p>"},
]
FOREIGN_FIELDS = {"post_id": "id", "link": "url", "headline": "title", "section": "category",
                  "pubDate": "published", "modified": "updated", "excerpt": "summary",
                  "body": "content_html", "keywords": "tags", "byline": "author",
                  "thumbnail": "image"}


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    """tag_date is the day of init: a test fixes it."""
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat(f"{TODAY}T03:00:00+00:00"))


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def config_data(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def entries(folder: Path, feed: str = "rss.xml") -> list[Any]:
    parsed = feedparser.parse((folder / "feeds" / feed).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return list(parsed.entries)


def test_init_without_options_writes_a_commented_config_that_builds(
        tmp_path: Path, run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "nchn"
    result = run("init", folder)
    config = folder / "config" / "site.yaml"
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"wrote {config}: 1 category\n"
        f"check: put your records in {folder}/articles.yaml (docs/records.md says what a record "
        "holds)\n"
        "check: site.url is a placeholder: give your home page\n"
        "check: the one category is a placeholder: list your site's\n"
        f"next: check site: and categories: in {config}, then run\n"
        f"  syndicate build --config {config}\n")
    text = config.read_text(encoding="utf-8")
    # every key of site: sits under its description, the help text of config.py
    lines = text.splitlines()
    site = lines[lines.index("site:") + 1: lines.index("", lines.index("site:"))]
    keys = [line.split(":")[0].strip() for line in site if not line.lstrip().startswith("#")]
    assert keys == ["title", "url", "language", "timezone", "tag_date"]
    for name in keys:
        above = site[site.index(next(line for line in site if line.startswith(f"  {name}:")))
                     - 1]
        assert above.startswith("  # ")
        assert above[4:] in _keys(Site)[name].metadata["help"].replace("`", "")
    assert "  # logo: https://example.com/logo.png" in lines
    assert config_data(config)["site"]["tag_date"] == TODAY
    # it loads once the records are where it points, and build publishes them
    (folder / "articles.yaml").write_text(yaml.safe_dump(
        [record(category="新聞"), record(id="2", url="https://example.com/2/", category="news")],
        allow_unicode=True), encoding="utf-8")
    loaded = syndicate.load_config(config)
    assert [(c.slug, c.name) for c in loaded.categories] == [("news", "新聞")]
    assert loaded.output.dir == folder / "feeds"
    monkeypatch.chdir(folder)  # `syndicate build` in the folder finds config/site.yaml
    built = run("build")
    assert (built.code, built.err) == (0, "")
    assert {entry.id.rsplit("/", 1)[1] for entry in entries(folder)} == {"2026020401", "2"}
    assert len(entries(folder, "news/atom.xml")) == 2


def test_from_an_export_proposes_fields_and_categories_and_every_record_publishes(
        tmp_path: Path, run: Callable[..., Run]) -> None:
    export = write_jsonl(tmp_path / "cms" / "export.jsonl", FOREIGN)
    folder = tmp_path / "site"
    result = run("init", folder, "--from", export)
    config = folder / "config" / "site.yaml"
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"wrote {config}: 4 categories, 11 key(s) renamed under fields:\n"
        f"next: check site: and categories: in {config}, then run\n"
        f"  syndicate build --config {config}\n")
    data = config_data(config)
    assert data["site"] == {"title": "news.example.tw", "url": "https://news.example.tw/",
                            "language": "zh-TW", "timezone": "Asia/Taipei",
                            "tag_date": TODAY}
    # known section names get the example's slugs, the others their place in the list
    assert data["categories"] == [{"slug": "local", "name": "地方"},
                                  {"slug": "world", "name": "國際"},
                                  {"slug": "category-3", "name": "專題報導"},
                                  {"slug": "society", "name": "社會"}]
    # outside the site's folder, the export is named by its absolute path
    assert data["sources"] == [{"type": "files", "path": str(export.resolve()),
                                "fields": FOREIGN_FIELDS}]
    assert "    # not record fields, so not read: views" in config.read_text(encoding="utf-8")
    built = run("build", "--config", config)
    assert (built.code, built.err) == (0, "")
    items = entries(folder)
    assert sorted(entry.link for entry in items) == sorted(r["link"] for r in FOREIGN)
    first = next(entry for entry in items if entry.link.endswith("/9001/"))
    assert (first.title, first.author, first.summary) == ("颱風 & 停班停課", "記者王小明",
                                                          "颱風來襲。")
    assert [tag.term for tag in first.tags] == ["地方", "颱風", "停班"]
    assert first.media_content[0]["url"] == "https://news.example.tw/img/9001.jpg"
    assert [e.title for e in entries(folder, "category-3/rss.xml")] == ["專題：城市綠廊"]
    assert len(entries(folder, "local/rss.xml")) == 2


def test_an_export_inside_the_folder_is_named_relative_to_the_config(
        tmp_path: Path, run: Callable[..., Run]) -> None:
    folder = tmp_path / "site"
    export = folder / "exports" / "articles.json"
    export.parent.mkdir(parents=True)
    export.write_text(json.dumps({"articles": [record(), record(id="2", category="國際")]},
                                 ensure_ascii=False), encoding="utf-8")
    assert run("init", folder, "--from", export).code == 0
    data = config_data(folder / "config" / "site.yaml")
    # our own field names need no renaming
    assert data["sources"] == [{"type": "files", "path": "../exports/articles.json"}]
    assert data["categories"] == [{"slug": "society", "name": "society"},
                                  {"slug": "world", "name": "國際"}]
    moved = tmp_path / "moved"
    shutil.move(folder, moved)  # the folder can move: its paths are relative
    built = run("build", "--config", moved / "config" / "site.yaml")
    assert (built.code, built.err) == (0, "")
    assert len(entries(moved)) == 2


def test_from_the_examples_records_its_categories_named_by_slug_or_by_name(
        tmp_path: Path, run: Callable[..., Run]) -> None:
    """The example's records name a category by its slug (`society`) or its name (`社會`):
    both are one category. A slug no record gives a name for keeps the slug as its name."""
    shutil.copy(EXAMPLE_CONFIG.parent / "articles.yaml", tmp_path / "articles.yaml")
    assert run("init", tmp_path, "--from", tmp_path / "articles.yaml").code == 0
    config = tmp_path / "config" / "site.yaml"
    example = syndicate.load_config(EXAMPLE_CONFIG)
    made = syndicate.load_config(config)
    assert sorted((c.slug, c.name) for c in made.categories) == sorted(
        (c.slug, "general" if c.slug == "general" else c.name) for c in example.categories)
    assert made.sources[0].fields == {}
    built = run("build", "--config", config)
    assert (built.code, built.err) == (0, "")
    assert len(entries(tmp_path)) == 41


def test_a_required_field_no_key_stands_for_is_named(tmp_path: Path,
                                                     run: Callable[..., Run]) -> None:
    export = write_jsonl(tmp_path / "export.jsonl",
                         [{"guid": "a1", "name": "標題", "date": "2026-02-04"}])
    result = run("init", tmp_path / "site", "--from", export)
    assert result.code == 0
    assert [line for line in result.out.splitlines() if line.startswith("check:")] == [
        f"check: no key of {export} looks like the record field url (required): name the key "
        "that holds it under fields:",
        f"check: no key of {export} looks like the record field category (required): name the "
        "key that holds it under fields:",
        "check: site.url is a placeholder: give your home page",
        f"check: {export} names no category: the one category is a placeholder"]
    data = config_data(tmp_path / "site" / "config" / "site.yaml")
    assert data["sources"][0]["fields"] == {"guid": "id", "name": "title", "date": "published"}


@pytest.mark.parametrize("options", [[], ["--from", "export.jsonl"],
                                     ["--wordpress", "http://127.0.0.1:9/"]])
def test_init_never_overwrites_a_file(tmp_path: Path, run: Callable[..., Run],
                                      monkeypatch: pytest.MonkeyPatch,
                                      options: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "export.jsonl", FOREIGN)
    config = Path("config") / "site.yaml"
    config.parent.mkdir()
    config.write_text("# mine\n", encoding="utf-8")
    result = run("init", *options)
    assert (result.code, result.out) == (2, "")
    assert result.err == ("syndicate: error: config/site.yaml exists; init never overwrites a "
                          "file: move it away or choose another folder\n")
    assert config.read_text(encoding="utf-8") == "# mine\n"


def test_a_folder_that_is_a_file_is_a_clear_error(tmp_path: Path,
                                                  run: Callable[..., Run]) -> None:
    (tmp_path / "site").write_text("not a folder", encoding="utf-8")
    result = run("init", tmp_path / "site")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"syndicate: error: {tmp_path}/site/config: cannot make the folder: " \
                         "Not a directory\n"


@pytest.mark.parametrize(("content", "reason"), [
    (None, ": cannot read: No such file or directory"),
    ('[{"post_id": 1,', ":1: expected valid JSON, found Expecting property name enclosed in "
                        "double quotes at column 16"),
    ('{"post_id": 1}', ":1: expected a JSON array of records, found dict"),
    ("[1, 2]", ": expected records (mappings of fields), found 2 record(s) and none a mapping"),
])
def test_an_export_that_cannot_be_read_is_named_and_nothing_is_written(
        tmp_path: Path, run: Callable[..., Run], content: str | None, reason: str) -> None:
    export = tmp_path / "export.json"
    if content is not None:
        export.write_text(content, encoding="utf-8")
    result = run("init", tmp_path / "site", "--from", export)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"syndicate: error: {export}{reason} (--from)\n"
    assert not (tmp_path / "site").exists()


def test_from_and_wordpress_exclude_each_other(run: Callable[..., Run],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        run("init", "--from", "x.json", "--wordpress", "https://nchn.example.com/")
    assert stopped.value.code == 2
    assert "argument --wordpress: not allowed with argument --from" in capsys.readouterr().err


@pytest.fixture
def fake() -> Iterator[FakeWordPress]:
    server = FakeWordPress(posts=[wp_post(100 + n, f"第{n}則", category=2 + n % 4, minutes=n)
                                  for n in range(8)])
    # a category whose slug WordPress percent-encoded, with a post in it
    server.categories = [*CATEGORIES, (6, "%e5%b0%88%e9%a1%8c", "專題")]
    special = wp_post(200, "專題報導一", minutes=30)
    special["categories"] = [6]
    special["_embedded"]["wp:term"][0] = [{"id": 6, "taxonomy": "category",
                                           "slug": "%e5%b0%88%e9%a1%8c", "name": "專題"}]
    server.posts.append(special)
    server.start()
    yield server
    server.stop()


def test_from_wordpress_the_site_and_its_categories_and_it_builds(
        tmp_path: Path, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    folder = tmp_path / "site"
    result = run("init", folder, "--wordpress", fake.url)
    config = folder / "config" / "site.yaml"
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"wrote {config}: 5 categories\nnext: ")
    data = config_data(config)
    assert data["site"] == {"title": "全國大小事新聞網", "url": fake.url,
                            "description": "全國大小事，一網打盡", "language": "zh-TW",
                            "timezone": "Asia/Taipei", "tag_date": TODAY}
    assert data["categories"] == [
        *({"slug": slug, "name": name, "url": f"{fake.url}category/{slug}/"}
          for _, slug, name in CATEGORIES),
        {"slug": "category-5", "name": "專題", "url": f"{fake.url}category/%e5%b0%88%e9%a1%8c/"}]
    assert data["sources"] == [{"type": "wordpress", "url": fake.url}]
    built = run("build", "--config", config)
    assert (built.code, built.err) == (0, "")
    assert {entry.link for entry in entries(folder)} == {post["link"] for post in fake.posts}
    assert [entry.title for entry in entries(folder, "category-5/rss.xml")] == ["專題報導一"]


def test_from_wordpress_without_a_zone_name_or_a_language(
        tmp_path: Path, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    fake.index = {"name": "R&amp;D 新聞", "description": "", "timezone_string": "",
                  "gmt_offset": 9}
    fake.home_html = "<!DOCTYPE html><html><head><title>x</title>"
    fake.categories = [(1, "uncategorized", "未分類"), (2, "%e5%9c%b0%e6%96%b9", "地方"),
                       (3, "%e5%9c%b0%e6%96%b9-2", "地方"), (4, "local", "Local")]
    result = run("init", tmp_path, "--wordpress", f"{fake.url}wp-json/wp/v2/")
    assert result.code == 0, result.err
    assert f"check: {fake.url} names no language (<html lang>): site.language is zh-TW" \
        in result.out.splitlines()
    data = config_data(tmp_path / "config" / "site.yaml")
    assert data["site"] == {"title": "R&D 新聞", "url": fake.url, "language": "zh-TW",
                            "timezone": "Etc/GMT-9", "tag_date": TODAY}
    # WordPress's ASCII slugs are kept; 地方's slug is taken, and so is its name the second time
    assert [(c["slug"], c["name"]) for c in data["categories"]] == [
        ("uncategorized", "未分類"), ("local-2", "地方"), ("local-3", "地方 (local-3)"),
        ("local", "Local")]
    # the source finds the first 地方 by its name; the second needs its id mapped
    assert data["sources"] == [{"type": "wordpress", "url": fake.url,
                                "categories": {"3": "local-3"}}]
    assert syndicate.load_config(tmp_path / "config" / "site.yaml").site.zone.key == "Etc/GMT-9"


def test_a_site_without_wordpress_is_a_clear_error(tmp_path: Path, run: Callable[..., Run],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "_sleep", lambda seconds: None)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("init", tmp_path / "site", "--wordpress", f"http://127.0.0.1:{port}/")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"syndicate: error: http://127.0.0.1:{port}/wp-json/?_fields=name%2Cdescription%2Curl"
        "%2Chome%2Ctimezone_string%2Cgmt_offset: cannot connect (4 tries)\n")
    assert not (tmp_path / "site").exists()


def test_the_python_api_returns_what_was_proposed(tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "export.jsonl", FOREIGN)
    made = syndicate.init_site(tmp_path / "site", records=export)
    assert made == syndicate.NewSite(
        config=tmp_path / "site" / "config" / "site.yaml", records=export,
        fields=FOREIGN_FIELDS, notes=(),
        categories=(("local", "地方"), ("world", "國際"), ("category-3", "專題報導"),
                    ("society", "社會")))
