"""Related articles (a record's `related`), the robots meta and the Google Discover warnings
(issue 12, items 2 and 3), through the CLI and the API, read back with the standard library's
HTML parser and json."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from conftest import record

import syndicate
from syndicate.records import article_from_json, article_to_json

LOGO = "https://nchn.example.com/logo.png"  # conftest's site.logo
IMG = "https://nchn.example.com/wp-content/uploads/2026/02"
# The seed page (../shared/seed/nchn-article-page.txt): 接見「日本臺灣商會聯合總會」回國訪問團's own
# list of related articles names 老宅延壽 once, then the article itself four times.
PREMIER = record(id="2026020401", url="https://nchn.example.com/2026/02/04/卓揆-臺日強強聯手/",
                 published="2026-02-04T15:00:00+08:00")
OLD_HOUSE = record(id="2026020402", url="https://nchn.example.com/2026/02/04/2026020402/",
                   title="讓南部的太陽照進安全的家! 內政部「老宅延壽」首度屏東開講",
                   published="2026-02-04T12:00:00+08:00", author="內政部")
PREMIER_URL = ("https://nchn.example.com/2026/02/04/%E5%8D%93%E6%8F%86-%E8%87%BA%E6%97%A5"
               "%E5%BC%B7%E5%BC%B7%E8%81%AF%E6%89%8B/")


class _Head(HTMLParser):
    """A head fragment's meta tags, each as its attributes, and the text of its JSON-LD."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.meta: list[dict[str, str | None]] = []
        self.script = ""
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.meta.append(dict(attrs))

    def handle_data(self, data):
        self.script += data if self.lasttag == "script" else ""  # and the line break after it


def _build(site, run, records, *args, **share):
    site.write_records(records)
    site.write_config(share=share) if share else site.write_config()
    return run("build", "--config", site.config, *args)


def _related(site, record_id: str) -> tuple[list[str], list[dict]]:
    """(JSON-LD relatedLink, share JSON related) of an article as build wrote them."""
    payload = site.json(f"articles/{record_id}.json")
    page = json.loads(_Head(site.read(f"articles/{record_id}.html")).script)[
        "mainEntityOfPage"]
    assert payload["json_ld"]["mainEntityOfPage"] == page
    return page.get("relatedLink", []), payload["related"]


def test_the_seed_pages_repeated_article_is_named_once(site, run):
    seed = dict(PREMIER, related=[OLD_HOUSE["url"], PREMIER["url"], PREMIER["url"],
                                  PREMIER["url"], PREMIER["url"]])
    # another article whose list repeats the premier's four times, by id and by URL
    other = record(id="2026020403", url="https://nchn.example.com/2026/02/04/2026020403/",
                   related=["2026020401", PREMIER["url"], " 2026020401 ", PREMIER_URL])
    assert _build(site, run, [seed, OLD_HOUSE, other]).code == 0
    old_house = {"id": "2026020402", "url": OLD_HOUSE["url"], "title": OLD_HOUSE["title"]}
    assert _related(site, "2026020401") == ([OLD_HOUSE["url"]], [old_house])  # itself dropped
    premier = {"id": "2026020401", "url": PREMIER_URL, "title": PREMIER["title"]}
    assert _related(site, "2026020403") == ([PREMIER_URL], [premier])
    assert _related(site, "2026020402") == ([], [])  # no related: no relatedLink at all
    assert "relatedLink" not in site.read("articles/2026020402.html")


def test_itself_unpublished_and_unknown_entries_are_dropped(site, run):
    article = record(id="a", url="https://nchn.example.com/a/",
                     related=["a", "https://nchn.example.com/a/", "rejected", "nowhere",
                              "https://nchn.example.com/nowhere/", "b"])
    rejected = record(id="rejected", url="https://nchn.example.com/rejected/", category="體育")
    b = record(id="b", url="https://nchn.example.com/b/", title="乙")
    assert _build(site, run, [article, rejected, b]).code == 3  # "rejected" is not published
    assert _related(site, "a") == (["https://nchn.example.com/b/"],
                                   [{"id": "b", "url": "https://nchn.example.com/b/",
                                     "title": "乙"}])


def test_an_article_no_longer_published_leaves_the_list_when_its_referrer_changes(site, run):
    a = record(id="a", url="https://nchn.example.com/a/", related=["b", "c"])
    b, c = (record(id=key, url=f"https://nchn.example.com/{key}/") for key in "bc")
    assert _build(site, run, [a, b, c]).code == 0
    assert _related(site, "a")[0] == ["https://nchn.example.com/b/", "https://nchn.example.com/c/"]
    assert _build(site, run, [dict(a, summary="改過。"), c]).code == 0
    assert _related(site, "a")[0] == ["https://nchn.example.com/c/"]


@pytest.mark.parametrize(("limit", "expected"), [(2, ["b", "c"]), (3, ["b", "c", "d"]),
                                                 (0, [])])
def test_at_most_share_related_articles_in_the_order_given(site, run, limit, expected):
    others = [record(id=key, url=f"https://nchn.example.com/{key}/") for key in "edcb"]
    article = record(id="a", url="https://nchn.example.com/a/", related=list("bcde"))
    assert _build(site, run, [article, *others], related=limit).code == 0
    links, listed = _related(site, "a")
    assert [item["id"] for item in listed] == expected
    assert links == [f"https://nchn.example.com/{key}/" for key in expected]


def test_ids_and_urls_both_resolve_and_raw_chinese_urls_match(site, run):
    article = record(id="a", url="https://nchn.example.com/a/",
                     related=[PREMIER["url"], "2026020402", PREMIER_URL])
    assert _build(site, run, [article, PREMIER, OLD_HOUSE]).code == 0
    assert _related(site, "a")[0] == [PREMIER_URL, OLD_HOUSE["url"]]


def test_share_and_preview_show_what_build_wrote(site, run, tmp_path):
    article = record(id="a", url="https://nchn.example.com/a/", related=["2026020402"])
    assert _build(site, run, [article, OLD_HOUSE]).code == 0
    shared = run("share", "a", "--config", site.config)
    assert json.loads(shared.out) == site.json("articles/a.json")
    head = run("share", "https://nchn.example.com/a/", "--config", site.config, "--format",
               "head")
    assert head.out == site.read("articles/a.html")
    config = syndicate.load_config(site.config)
    found, related = syndicate.share_view(config, "a")
    assert [other.id for other in related] == ["2026020402"]
    assert syndicate.head_html(found, config, related) == site.read("articles/a.html")
    # before any build the sources answer, with the same related articles
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "site.yaml").write_text(site.config.read_text("utf-8"), "utf-8")
    (fresh / "articles.yaml").write_text((site.folder / "articles.yaml").read_text("utf-8"),
                                         "utf-8")
    assert run("share", "a", "--config", fresh / "site.yaml", "--format", "head").out == (
        site.read("articles/a.html"))
    preview = run("preview", "--config", site.config, "a")
    assert preview.code == 0
    page = (site.folder / "feeds-preview" / "index.html").read_text("utf-8")
    assert _escaped(site.read("articles/a.html")) in page


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_related_must_be_a_list(site, run):
    result = _build(site, run, [record(id="good"), record(id="bad", related=5)])
    assert result.code == 3
    (line,) = [line for line in result.err.splitlines() if line.startswith("rejected: ")]
    assert line.endswith("id bad: related: expected a list of ids or URLs, found int")
    result = _build(site, run, [record(id="good"), record(id="bad", related=["b", {"id": 1}])])
    assert "id bad: related: expected a list of ids or URLs, found {'id': 1}" in result.err


def test_related_is_trimmed_and_kept_in_order_once_each(site):
    site.write_records([record(related=[" b ", "", "c", "b", 7, "  "] + [f"x{n}" for n in
                                                                     range(60)])])
    config = syndicate.load_config(site.config)
    (article,), _ = syndicate.load_articles(config)
    assert article.related[:4] == ("b", "c", "7", "x0")
    assert len(article.related) == 50


def test_fields_may_rename_a_key_to_related(site, run):
    site.write_records([record(id="a", url="https://nchn.example.com/a/", see_also=["b"]),
                        record(id="b", url="https://nchn.example.com/b/")])
    site.write_config(sources=[{"type": "files", "path": "articles.yaml",
                                "fields": {"see_also": "related"}}])
    assert run("build", "--config", site.config).code == 0
    assert _related(site, "a")[0] == ["https://nchn.example.com/b/"]


def test_article_json_of_an_older_index_without_related_still_loads(site):
    config = syndicate.load_config(site.config)
    (article,), _ = syndicate.load_articles(config)
    data = json.loads(article_to_json(article))
    del data["related"]
    assert article_from_json(json.dumps(data)) == article


# --- robots ---


def test_the_robots_meta_allows_large_image_previews_by_default(site, run):
    assert _build(site, run, [record()]).code == 0
    meta = _Head(site.read("articles/2026020401.html")).meta
    assert meta[0] == {"name": "robots", "content": "max-image-preview:large"}
    assert [tag for tag in meta if tag.get("name") == "robots"] == [meta[0]]


def test_share_robots_false_leaves_it_out(site, run):
    assert _build(site, run, [record()], robots=False).code == 0
    meta = _Head(site.read("articles/2026020401.html")).meta
    assert [tag for tag in meta if tag.get("name") == "robots"] == []


# --- Google Discover warnings from build ---


def _imaged(key: str, width: int, url: str | None = None) -> dict:
    return record(id=key, url=f"https://nchn.example.com/{key}/",
                  image={"url": url or f"{IMG}/{key}.jpg", "width": width,
                         "height": width // 2, "alt": "圖"})


def test_build_warns_of_narrow_and_logo_lead_images_once(site, run):
    records = [_imaged("narrow", 800), _imaged("wide", 1200), _imaged("logo", 1200, LOGO),
               record(id="noimage")]  # the logo stands in: preview's no-image row says so
    result = _build(site, run, records)
    assert result.code == 0
    assert result.err == (
        "syndicate: warning: articles/logo: lead image is the site logo; Google Discover "
        "wants an image of the article\n"
        "syndicate: warning: articles/narrow: lead image 800 px wide; Google Discover shows "
        "large images from 1200 px\n")
    # the next run writes nothing, and says nothing
    assert run("build", "--config", site.config).err == ""
    # a change to the article writes its files again: warned again, it alone
    site.write_records([dict(records[0], title="改過的標題"), *records[1:]])
    assert run("build", "--config", site.config).err == (
        "syndicate: warning: articles/narrow: lead image 800 px wide; Google Discover shows "
        "large images from 1200 px\n")
    assert run("build", "--config", site.config, "-q", "--full").err == ""


def test_hundreds_of_narrow_images_give_twenty_lines_and_a_count(site, run):
    result = _build(site, run, [_imaged(f"n{n:03d}", 640) for n in range(250)])
    lines = result.err.splitlines()
    assert len(lines) == 21
    assert lines[0] == ("syndicate: warning: articles/n000: lead image 640 px wide; Google "
                        "Discover shows large images from 1200 px")
    assert lines[-1] == ("syndicate: warning: and 230 more article(s) whose lead image Google "
                         "Discover shows small (syndicate preview shows each)")
