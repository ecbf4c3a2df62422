"""Bad and awkward input, each with its documented outcome, through the CLI."""

from __future__ import annotations

import json

import feedparser
import pytest
import yaml
from conftest import record

from syndicate.records import safe_name


def _build(site, run, records, name="articles.yaml"):
    site.write_records(records, name)
    site.write_config(records_file=name)
    return run("build", "--config", site.config)


def _rejection(result) -> str:
    lines = [line for line in result.err.splitlines() if line.startswith("rejected: ")]
    assert len(lines) == 1, result.err
    return lines[0]


@pytest.mark.parametrize("field", ["id", "url", "title", "category", "published"])
def test_a_missing_required_field_rejects_only_that_record(site, run, field):
    result = _build(site, run, [record(id="good"), record(**{"id": "bad", field: None})])
    assert result.code == 3
    expected_id = "?" if field == "id" else "bad"
    assert f"(record #2): id {expected_id}: {field}: required field is missing or empty" in (
        _rejection(result))
    items = site.json("feed.json")["items"]
    assert [i["id"].rsplit("/", 1)[1] for i in items] == ["good"]
    report = site.json("build-report.json")
    assert report["records"] == {"published": 1, "rejected": 1, "duplicates": 0}
    assert report["rejected"][0]["field"] == field


@pytest.mark.parametrize(("url", "reason"), [
    ("javascript:alert(1)", "expected an http(s) URL, found scheme 'javascript'"),
    ("/2026/02/04/x/", "expected an absolute http(s) URL, found a relative one"),
    ("data:text/html,<b>x</b>", "expected an http(s) URL, found scheme 'data'"),
])
def test_article_urls_must_be_absolute_web_urls(site, run, url, reason):
    result = _build(site, run, [record(id="good"), record(id="bad", url=url)])
    assert result.code == 3
    assert f"id bad: url: {reason}" in _rejection(result)


def test_an_unknown_category_names_the_valid_ones(site, run):
    result = _build(site, run, [record(id="good"), record(id="bad", category="體育")])
    assert result.code == 3
    assert ("id bad: category: unknown category '體育'; expected one of local (地方), "
            "life (生活), society (社會), world (國際)") in _rejection(result)


def test_a_category_may_be_its_display_name(site, run):
    result = _build(site, run, [record(category="國際")])
    assert result.code == 0, result.err
    assert len(site.json("world/feed.json")["items"]) == 1


def test_an_unparsable_date_is_rejected(site, run):
    result = _build(site, run, [record(id="good"), record(id="bad", published="下週三")])
    assert result.code == 3
    assert "id bad: published: expected a date such as" in _rejection(result)
    assert "found '下週三'" in _rejection(result)


@pytest.mark.parametrize(("value", "reason"), [
    ("民國115年2月30日", "2月30日 does not exist: 2026-02 has 28 days"),
    ("2026-02-30", "2月30日 does not exist: 2026-02 has 28 days"),
    ("115/02/29 10:00", "2月29日 does not exist: 2026-02 has 28 days"),
    ("2026/13/01", "month 13 does not exist"),
    ("2026-02-04T25:00:00", "25:00:00 is not a time of day"),
])
def test_a_day_that_does_not_exist_is_named(site, run, value, reason):
    """Issue 13: an impossible date says so, not "expected a date such as ..."."""
    result = _build(site, run, [record(id="good"), record(id="bad", published=value)])
    assert result.code == 3
    assert f"id bad: published: {reason}, found {value!r}" in _rejection(result)


def test_the_29th_of_february_of_a_leap_year_exists(site, run):
    result = _build(site, run, [record(published="民國113年2月29日")])
    assert result.code == 0, result.err
    assert site.json("feed.json")["items"][0]["date_published"] == "2024-02-29T00:00:00+08:00"


@pytest.mark.parametrize(("value", "iso"), [
    ("2026-02-04T15:30:00+08:00", "2026-02-04T15:30:00+08:00"),
    ("2026-02-04", "2026-02-04T00:00:00+08:00"),
    ("2026/02/04 15:30", "2026-02-04T15:30:00+08:00"),
    ("Wed, 04 Feb 2026 07:30:00 GMT", "2026-02-04T15:30:00+08:00"),
    ("民國115年2月4日", "2026-02-04T00:00:00+08:00"),
    ("115/02/04", "2026-02-04T00:00:00+08:00"),
    ("115/02/04 09:15", "2026-02-04T09:15:00+08:00"),
])
def test_taiwanese_cms_date_shapes(site, run, value, iso):
    result = _build(site, run, [record(published=value)])
    assert result.code == 0, result.err
    assert site.json("feed.json")["items"][0]["date_published"] == iso
    assert iso[:10] in site.read("atom.xml")


def test_unparsable_yaml_names_file_and_line_and_publishes_nothing(site, run):
    (site.folder / "articles.yaml").write_text("articles:\n  - id: 1\n    title: [\n",
                                               encoding="utf-8")
    site.write_config()
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert f"{site.folder / 'articles.yaml'}:4: expected valid YAML" in result.err
    assert site.files() == {}


def test_unparsable_json_names_file_and_line(site, run):
    (site.folder / "articles.json").write_text('[\n{"id": "1",\n "title": }\n]',
                                               encoding="utf-8")
    site.write_config(records_file="articles.json")
    result = run("build", "--config", site.config)
    assert result.code == 1
    assert (f"{site.folder / 'articles.json'}:3: expected valid JSON, found Expecting value "
            "at column 11") in result.err


def test_a_bad_json_lines_line_is_rejected_by_its_line(site, run):
    path = site.write_records([record(id="a"), record(id="b")], "articles.jsonl")
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    site.write_config(records_file="articles.jsonl")
    result = run("build", "--config", site.config)
    assert result.code == 3
    assert f"{path}:3 (record #3): id ?: (record): expected one JSON object per line" in (
        _rejection(result))
    assert len(site.json("feed.json")["items"]) == 2


def test_previous_feeds_survive_a_source_that_stops_parsing(site, run):
    assert run("build", "--config", site.config).code == 0
    before = site.files()
    (site.folder / "articles.yaml").write_text("articles: [\n", encoding="utf-8")
    assert run("build", "--config", site.config).code == 1
    assert site.files() == before


def test_control_characters_are_dropped_and_cdata_ends_are_escaped(site, run):
    result = _build(site, run, [record(title="卓揆\x00接見\x07訪問團\x1b",
                                       content_html="<p>程式碼 a]]>b\x0c 結束</p>",
                                       summary="摘要\x9f文字")])
    assert result.code == 0, result.err
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(site.feeds / name)
        assert parsed.bozo == 0
        entry = parsed.entries[0]
        assert entry.title == "卓揆接見訪問團"
        assert entry.summary == "摘要文字"
        assert entry.content[0].value == "<p>程式碼 a]]&gt;b 結束</p>"
    assert "]]>" not in site.read("rss.xml")
    assert site.json("feed.json")["items"][0]["content_html"] == "<p>程式碼 a]]&gt;b 結束</p>"


def test_entities_in_titles_are_decoded_exactly_once(site, run):
    result = _build(site, run, [record(title="「&#8220;微笑南灣&#8221;計畫」 Arts &amp; Tech",
                                       author="記者&#29579;小明")])
    assert result.code == 0, result.err
    title = "「“微笑南灣”計畫」 Arts & Tech"
    assert site.json("feed.json")["items"][0]["title"] == title
    for name in ("rss.xml", "atom.xml"):
        entry = feedparser.parse(site.feeds / name).entries[0]
        assert entry.title == title
        assert entry.author == "記者王小明"
    assert "&amp;#8220;" not in site.read("rss.xml")
    assert "&amp;amp;" not in site.read("atom.xml")


def test_raw_chinese_in_urls_is_percent_encoded_in_every_output(site, run):
    raw = "https://nchn.example.com/2026/02/04/卓揆-臺日強強聯手/"
    encoded = ("https://nchn.example.com/2026/02/04/"
               "%E5%8D%93%E6%8F%86-%E8%87%BA%E6%97%A5%E5%BC%B7%E5%BC%B7%E8%81%AF%E6%89%8B/")
    result = _build(site, run, [record(url=raw, image="/uploads/燈會.jpg")])
    assert result.code == 0, result.err
    assert feedparser.parse(site.feeds / "rss.xml").entries[0].link == encoded
    assert feedparser.parse(site.feeds / "atom.xml").entries[0].link == encoded
    item = site.json("feed.json")["items"][0]
    assert item["url"] == encoded
    assert item["image"] == "https://nchn.example.com/uploads/%E7%87%88%E6%9C%83.jpg"
    for name in ("rss.xml", "atom.xml", "feed.json"):
        assert "卓揆-臺日" not in site.read(name)


def test_relative_links_and_images_in_content_are_made_absolute(site, run):
    content = ('<p><a href="/tag/AI/">AI</a> <img src="../img/a.jpg" alt="a" '
               'srcset="/img/a-2x.jpg 2x, img/b.jpg 3x"> <a href="#top">上</a> '
               '<a href="mailto:news@nchn.example.com">信</a></p>')
    result = _build(site, run, [record(url="https://nchn.example.com/2026/02/04/x/",
                                       content_html=content)])
    assert result.code == 0, result.err
    html = site.json("feed.json")["items"][0]["content_html"]
    assert 'href="https://nchn.example.com/tag/AI/"' in html
    assert 'src="https://nchn.example.com/2026/02/04/img/a.jpg"' in html
    assert ('srcset="https://nchn.example.com/img/a-2x.jpg 2x, '
            'https://nchn.example.com/2026/02/04/x/img/b.jpg 3x"') in html
    assert 'href="#top"' in html
    assert 'href="mailto:news@nchn.example.com"' in html


def test_the_newer_of_two_records_with_one_id_wins_and_is_reported(site, run):
    result = _build(site, run, [
        record(title="初稿", updated="2026-02-04T11:00:00+08:00"),
        record(title="更正版", updated="2026-02-04T18:00:00+08:00"),
        record(title="舊版", updated="2026-02-04T10:30:00+08:00"),
    ])
    assert result.code == 0, result.err
    assert result.err == ""
    items = site.json("feed.json")["items"]
    assert [item["title"] for item in items] == ["更正版"]
    duplicates = site.json("build-report.json")["duplicates"]
    assert len(duplicates) == 1
    assert duplicates[0]["id"] == "2026020401"
    assert duplicates[0]["kept"].endswith("(record #2)")
    assert [d.rsplit(" ", 1)[1] for d in duplicates[0]["dropped"]] == ["#1)", "#3)"]


def test_an_id_like_a_path_never_leaves_the_output_folder(site, run, tmp_path):
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    result = _build(site, run, [record(id="../x"), record(id="/etc/passwd"),
                                record(id="a\x00b")])
    assert result.code == 3  # the NUL in the third id is refused, the others publish
    ids = [i["id"] for i in site.json("feed.json")["items"]]
    assert sorted(ids) == ["tag:nchn.example.com,2026-01-01:article/%2Fetc%2Fpasswd",
                           "tag:nchn.example.com,2026-01-01:article/..%2Fx"]
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert not (site.folder / "x").exists()
    assert all(site.feeds in (site.feeds / p).resolve().parents for p in site.files())


@pytest.mark.parametrize(("record_id", "name"), [
    ("2026020401", "2026020401"), ("../x", "%2E.%2Fx"), (".hidden", "%2Ehidden"),
    ("a/b", "a%2Fb"), ("新聞 1", "%E6%96%B0%E8%81%9E%201"), ("", "%00"),
])
def test_safe_name_maps_ids_to_plain_file_names(record_id, name):
    assert safe_name(record_id) == name


def test_safe_name_keeps_long_ids_apart():
    first, second = safe_name("長" * 100 + "a"), safe_name("長" * 100 + "b")
    assert first != second
    assert len(first) <= 167 and "/" not in first


def test_json_records_may_rename_fields(site, run):
    raw = {"post_id": 7, "permalink": "https://nchn.example.com/p/7/", "headline": "標題",
           "section": "life", "date": "2026-02-04"}
    (site.folder / "export.json").write_text(json.dumps([raw]), encoding="utf-8")
    site.write_config(sources=[{"type": "files", "path": "export.json", "fields": {
        "post_id": "id", "permalink": "url", "headline": "title", "section": "category",
        "date": "published"}}])
    result = run("build", "--config", site.config)
    assert result.code == 0, result.err
    assert site.json("life/feed.json")["items"][0]["title"] == "標題"


@pytest.mark.parametrize(("field", "value"), [
    ("category", ["社會", "生活"]), ("title", {"zh": "標題"}), ("published", 20260204.5),
    ("tags", 7), ("author", True), ("image", {"alt": "沒有網址"}),
    ("image.width", "1200px"),
])
def test_fields_of_the_wrong_type_are_rejected_not_crashed_on(site, run, field, value):
    if field == "image.width":
        value = {"url": "https://nchn.example.com/a.jpg", "width": value}
    bad = record(id="bad", **{field.split(".")[0]: value})
    result = _build(site, run, [record(id="good"), bad])
    assert result.code == 3, result.err
    assert f"id bad: {field}: expected" in _rejection(result)


def test_every_file_format_gives_the_same_feeds(site, run):
    records = [record(id="a"), record(id="b", category="life", published="2026/02/03 08:00")]
    outputs = []
    for name in ("articles.yaml", "articles.json", "articles.jsonl", "list.yml"):
        if name == "list.yml":  # a YAML file that is a bare list, not {articles: [...]}
            (site.folder / name).write_text(yaml.safe_dump(records, allow_unicode=True),
                                            encoding="utf-8")
        else:
            site.write_records(records, name)
        site.write_config(records_file=name)
        assert run("build", "--config", site.config).code == 0
        outputs.append({k: v for k, v in site.files().items() if k != "build-report.json"})
    assert outputs[0] == outputs[1] == outputs[2] == outputs[3]


EMBEDS = (
    '<p onclick="steal()" style="position:fixed" class="lead">卓揆表示</p>'
    '<blockquote class="twitter-tweet"><a href="https://twitter.com/x/status/1">推文</a>'
    '</blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
    '<style>p { color: red }</style>'
    '<iframe src="https://www.youtube.com/embed/abc" title="記者會影片" width="560"></iframe>'
    '<a href="javascript:alert(1)">連結</a><img src="data:image/png;base64,AAAA" alt="x">'
    '<form action="/vote"><input name="q"></form><object data="x.swf"></object>'
    '<!-- 編輯註記 --><img src="/燈會.jpg" alt="燈會" onerror="x()">'
)


def test_content_keeps_what_readers_show_and_drops_what_they_strip(site, run):
    result = _build(site, run, [record(content_html=EMBEDS)])
    assert result.code == 0, result.err
    html = site.json("feed.json")["items"][0]["content_html"]
    assert html == (
        '<p>卓揆表示</p><blockquote><a href="https://twitter.com/x/status/1">推文</a>'
        '</blockquote><a href="https://www.youtube.com/embed/abc">記者會影片</a><a>連結</a>'
        '<img alt="x"><img src="https://nchn.example.com/%E7%87%88%E6%9C%83.jpg" alt="燈會">'
    )
    atom = feedparser.parse(site.feeds / "atom.xml")
    assert atom.bozo == 0
    assert "youtube.com/embed/abc" in atom.entries[0].content[0].value


def test_a_json_lines_record_with_a_raw_line_separator_in_a_string_is_one_record(site, run):
    # JSON allows U+2028, U+2029 and U+0085 raw inside a string (json.dumps with
    # ensure_ascii=False writes them so); only LF, CRLF or CR ends a JSON Lines line.
    path = site.folder / "articles.jsonl"
    lines = [record(id="a", title="第一行\u2028第二行"), record(id="b", summary="摘要\x85")]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(json.dumps(r, ensure_ascii=False)
                                                   for r in lines).encode("utf-8") + b"\r\n")
    site.write_config(records_file="articles.jsonl")
    result = run("build", "--config", site.config)
    assert result.code == 0, result.err
    assert sorted(i["id"].rsplit("/", 1)[1] for i in site.json("feed.json")["items"]) == [
        "a", "b"]


def test_a_bad_line_after_old_mac_line_ends_is_named_by_its_line(site, run):
    path = site.folder / "articles.jsonl"
    path.write_bytes("\r".join([json.dumps(record(id="a")), "", json.dumps(record(id="b")),
                                "{not json"]).encode("utf-8") + b"\n")
    site.write_config(records_file="articles.jsonl")
    result = run("build", "--config", site.config)
    assert result.code == 3
    assert f"{path}:4 (record #3): id ?: (record): expected one JSON object per line" in (
        _rejection(result))


def test_a_big_json_lines_file_is_read_a_chunk_at_a_time(site):
    # issue 14: a JSON Lines file streams into the index; the build holds a bounded number of
    # its records, not the file (here 12,000 records of 1 KB: 12 MB; before, 8 times that).
    import tracemalloc

    import syndicate

    path = site.folder / "big.jsonl"
    path.write_text(json.dumps(record(id="same")) + "\n", encoding="utf-8")
    site.write_config(records_file="big.jsonl")
    config = syndicate.load_config(site.config)
    syndicate.build(config, output=site.folder / "feeds")  # imports what a build needs
    body = "<p>" + "x" * 1000 + "</p>"
    with path.open("w", encoding="utf-8") as out:
        for number in range(12_000):  # one id: the build renders one article, reads them all
            out.write(json.dumps(record(id="same", content_html=f"{number}{body}")) + "\n")
    tracemalloc.start()
    try:
        report = syndicate.build(config, output=site.folder / "feeds")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.records_read == 12_000 and report.articles == 1
    assert peak < path.stat().st_size / 2, f"peak {peak:,} bytes"
