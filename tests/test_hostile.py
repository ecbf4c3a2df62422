"""The hostile corpus (tests/fixtures/hostile/, plus cases too large to commit, made here): no
input gives a traceback, the outputs stay valid, and nothing injects markup or writes outside
the output folder. Each case's outcome is written in its file's comment and pinned here.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from conftest import Run, Site

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
RECORD_LEVEL = ["xss.yaml", "controls.json", "ids.yaml", "urls.yaml"]
BASE = {"url": "https://nchn.example.com/2026/02/04/big/", "category": "local",
        "published": "2026-02-04T10:00:00+08:00"}
TEN_MB = "長" * (10 * 1024 * 1024)
SAFE_SCHEMES = ("http:", "https:")


def hostile_site(site: Site, *files: str) -> Site:
    records = site.folder / "records"
    records.mkdir(exist_ok=True)
    for name in files:
        shutil.copy(HOSTILE / name, records / name)
    site.write_config(records_file="records")
    return site


def jsonl(path: Path, records: list[object]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


# --- record-level cases: the record is published clean, or rejected naming its field ---

EXPECTED_REJECTED = {
    # (file, id shown, field): reason starts with
    ("controls.json", "surrogate-url", "url"): "expected a URL of printable characters",
    ("controls.json", "surrogate-id", "id"): "expected at most 200 printable characters",
    ("controls.json", "nulid", "id"): "expected at most 200 printable characters",
    ("ids.yaml", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "id"): "expected at most 200",
    ("urls.yaml", "url-0", "url"): "expected a URL without a user name or password",
    ("urls.yaml", "url-1", "url"): "expected a URL without a user name or password",
    ("urls.yaml", "url-2", "url"): "expected an http(s) URL, found scheme 'javascript'",
    ("urls.yaml", "url-3", "url"): "expected an http(s) URL, found scheme 'javascript' in 'JaV",
    ("urls.yaml", "url-4", "url"): "expected an http(s) URL, found scheme 'data'",
    ("urls.yaml", "url-5", "url"): "expected an http(s) URL, found scheme 'vbscript'",
    ("urls.yaml", "url-6", "url"): "expected an http(s) URL, found scheme 'file'",
    ("urls.yaml", "url-7", "url"): "expected an absolute http(s) URL, found a relative one",
    ("urls.yaml", "url-8", "url"): "expected a URL with a host name",
    ("urls.yaml", "image-js", "image.url"): "expected an http(s) URL, found scheme",
    ("urls.yaml", "image-cred", "image.url"): "expected a URL without a user name",
    ("big.jsonl", "big-title", "title"): "expected at most 1,000 characters, found 10,485,760",
    ("big.jsonl", "big-summary", "summary"): "expected at most 10,000 characters, found 10,48",
    ("big.jsonl", "big-content", "content_html"): "expected at most 2,000,000 characters, fou",
    ("big.jsonl", "big-tag", "tags"): "expected at most 200 characters, found 10,485,760",
    ("big.jsonl", "?", "(record)"): "expected one JSON object per line, found JSON nested too",
}
EXPECTED_PUBLISHED = {
    "xss-title", "xss-entities", "bidi", "c0-c1", "surrogate-text", "url-9", "big-ok",
    "../../../etc/passwd", "a/b/c", "..", ".", ".hidden", "/absolute", "..\\..\\windows", "con",
    "%2e%2e%2f", "空白 與/斜線",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Run]:
    from syndicate.cli import main

    site = hostile_site(Site(tmp_path_factory.mktemp("hostile")), *RECORD_LEVEL)
    jsonl(site.folder / "records" / "big.jsonl", [
        {**BASE, "id": "big-title", "title": TEN_MB},
        {**BASE, "id": "big-summary", "title": "摘要太長", "summary": TEN_MB},
        {**BASE, "id": "big-content", "title": "內文太長", "content_html": f"<p>{TEN_MB}</p>"},
        {**BASE, "id": "big-tag", "title": "標籤太長", "tags": [TEN_MB]},
        {**BASE, "id": "big-ok", "title": "一般長度", "content_html": "<p>" + "字" * 100_000},
    ])
    with (site.folder / "records" / "big.jsonl").open("a", encoding="utf-8") as out:
        out.write("[" * 100_000 + "]" * 100_000 + "\n")  # nested past any recursion limit
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["build", "--config", str(site.config)])
    return site, Run(code, "", err.getvalue())


def test_each_hostile_record_is_published_clean_or_rejected_by_field(
        published: tuple[Site, Run]) -> None:
    site, result = published
    assert result.code == 3
    assert "Traceback" not in result.err
    rejected = {}
    for line in result.err.splitlines()[:-1]:
        assert line.startswith("rejected: "), line
        where, record_id, field, reason = line.removeprefix("rejected: ").split(": ", 3)
        rejected[(Path(where.split(":")[0].split(" ")[0]).name, record_id.removeprefix("id "),
                  field)] = reason
    assert set(rejected) == set(EXPECTED_REJECTED)
    for key, start in EXPECTED_REJECTED.items():
        assert rejected[key].startswith(start), (key, rejected[key])
    report = site.json("build-report.json")
    assert report["records"]["published"] == len(EXPECTED_PUBLISHED)
    assert {item_id(item) for item in site.json("feed.json")["items"]} == EXPECTED_PUBLISHED
    # an id holding '%' is written as base64url under article-b64/ (the W3C validator decodes
    # %25 twice and would call the tag URI non-canonical)
    assert any("2026-01-01:article-b64/" in item["id"] for item in site.json("feed.json")["items"])


def item_id(item: dict[str, str]) -> str:
    """The record id inside a JSON Feed item's tag: URI."""
    kind, _, value = item["id"].partition(",2026-01-01:")[2].partition("/")
    if kind == "article-b64":
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    return unquote(value)


def test_nothing_is_written_outside_the_output_or_hidden(published: tuple[Site, Run]) -> None:
    site, _ = published
    names = sorted(p.relative_to(site.feeds).as_posix() for p in site.feeds.rglob("*")
                   if p.is_file())
    assert all(not part.startswith(".") or name == ".syndicate.lock"
               for name in names for part in name.split("/"))
    articles = [name for name in names if name.startswith("articles/")]
    assert "articles/..%2F..%2F..%2Fetc%2Fpasswd.json" not in articles
    assert "articles/%2E.%2F..%2F..%2Fetc%2Fpasswd.json" in articles
    assert "articles/%2Ehidden.json" in articles and "articles/%2E.json" in articles
    assert len(articles) == 2 * len(EXPECTED_PUBLISHED)
    assert sorted(p.name for p in site.folder.iterdir()) == [
        "feeds", "feeds.index.sqlite", "records", "site.yaml"]


def test_the_outputs_pass_the_checks(published: tuple[Site, Run],
                                     run: Callable[..., Run]) -> None:
    site, _ = published
    result = run("check", "-q", site.feeds)
    assert (result.code, result.out) == (0, "")
    for path in site.feeds.rglob("*.xml"):
        if path.name != "index.opml":
            assert not feedparser.parse(path.read_bytes()).bozo, path


class _Markup(HTMLParser):
    """Every tag and attribute of an HTML text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {key: value or "" for key, value in attrs}))


def markup(text: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser.tags


def assert_harmless(tags: list[tuple[str, dict[str, str]]], allowed: set[str]) -> None:
    for tag, attributes in tags:
        assert tag in allowed, tag
        for name, value in attributes.items():
            assert not name.startswith("on") and name != "style", (tag, name)
            if name in ("href", "src"):
                assert value.lower().startswith(SAFE_SCHEMES), (tag, name, value)


def test_no_input_injects_markup(published: tuple[Site, Run]) -> None:
    site, _ = published
    content_tags = {"p", "a", "img", "b", "strong", "em", "i", "br", "table", "tbody", "tr",
                    "td", "th", "thead", "span", "div", "ul", "ol", "li", "blockquote", "h2",
                    "h3", "figure", "figcaption"}
    feed = site.json("feed.json")
    for item in feed["items"]:
        assert_harmless(markup(item["content_html"]), content_tags)
    # Tags in a title are dropped, also those that entities spelled ("&lt;script&gt;"): the
    # W3C validator and the link previews take a tag in a title or a meta value for markup.
    titles = {item_id(item): item["title"] for item in feed["items"]}
    assert titles["xss-title"] == "颱風假\"'>"
    assert titles["xss-entities"] == "已編碼"
    assert '<meta property="og:title" content="已編碼">' in site.read("articles/xss-entities.html")
    for entry in feedparser.parse(site.read("rss.xml")).entries:
        assert_harmless(markup(entry.content[0].value), content_tags)
    for head in (site.feeds / "articles").glob("*.html"):
        tags = markup(head.read_text(encoding="utf-8"))
        assert_harmless(tags, {"meta", "link", "script"})
        assert all(attrs.get("type") == "application/ld+json" for tag, attrs in tags
                   if tag == "script")
    for payload in (site.feeds / "articles").glob("*.json"):
        share = json.loads(payload.read_text(encoding="utf-8"))
        assert_harmless(markup(share["buttons_html"]), {"div", "a"})


def test_controls_and_bidi_overrides_never_reach_a_reader(published: tuple[Site, Run]) -> None:
    site, _ = published
    forbidden = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7f, 0xa0),
                                  *range(0x202a, 0x202f), *range(0x2066, 0x206a)]}
    for path in site.feeds.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            text = path.read_text(encoding="utf-8")  # and every file is valid UTF-8
            assert not forbidden & set(text), (path, forbidden & set(text))
    items = {item_id(item): item for item in site.json("feed.json")["items"]}
    assert items["bidi"]["title"] == "檔案 abcgnp.exe 與 隔離 嵌入"
    assert items["c0-c1"]["title"] == "控制字元[31m結束"
    assert items["surrogate-text"]["title"] == "孤立代理"


# --- file-level cases: the file is refused, nothing is published, the old files stay ---

FILE_LEVEL = {
    "invalid-utf8.jsonl": "invalid-utf8.jsonl:2: expected UTF-8 text, found the byte 0xff; "
                          "save the export as UTF-8",
    "alias-bomb.yaml": "alias-bomb.yaml:3: expected records, found YAML aliases that expand "
                       "to more than 5,000,000 values (an alias bomb?)",
    "python-tag.yaml": "python-tag.yaml:6: expected valid YAML, found a syntax error: could "
                       "not determine a constructor for the tag "
                       "'tag:yaml.org,2002:python/object/apply:os.system'",
    "deep.json": "deep.json: expected records, found JSON nested too deeply",
}


@pytest.mark.parametrize("name", list(FILE_LEVEL))
def test_a_hostile_file_stops_the_run_and_keeps_what_was_published(
        site: Site, run: Callable[..., Run], name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site.folder)
    (site.folder / "records").mkdir()
    site.write_records([{**BASE, "id": "kept", "title": "已發布"}], "records/ok.jsonl")
    site.write_config(records_file="records")
    assert run("build", "--config", site.config).code == 0
    before = site.files()
    if name == "deep.json":
        (site.folder / "records" / name).write_text("[" * 100_000 + "]" * 100_000)
    else:
        shutil.copy(HOSTILE / name, site.folder / "records" / name)
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert result.err == (f"syndicate: error: {site.folder / 'records'}/{FILE_LEVEL[name]}; "
                          "nothing was published, the feeds stay as they were\n")
    assert site.files() == before
    assert not (site.folder / "HOSTILE-EXECUTED").exists()


def test_a_hundred_thousand_copies_of_one_id_publish_one_article(
        site: Site, run: Callable[..., Run]) -> None:
    jsonl(site.folder / "copies.jsonl", [
        {**BASE, "id": "same", "title": f"第{n}版",
         "updated": f"2026-02-04T{10 + n // 3600 % 14:02d}:{n // 60 % 60:02d}:{n % 60:02d}+08:00"}
        for n in range(100_000)])
    site.write_config(records_file="copies.jsonl")
    result = run("build", "-v", "--config", site.config)
    assert result.code == 0
    items = site.json("feed.json")["items"]
    assert [item["title"] for item in items] == ["第50399版"]  # the newest `updated` wins
    duplicate = site.json("build-report.json")["duplicates"][0]
    assert (duplicate["id"], duplicate["records"], len(duplicate["dropped"])) == (
        "same", 100_000, 20)
    assert "and 99,979 more" in result.out
