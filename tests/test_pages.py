"""The landing page (index.html) of every feed folder: what a person who opens the folder in a
browser sees now that browsers drop XSLT. Read back with html.parser, and compared with the
feed it stands beside (JSON Feed, read as JSON)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urljoin

from conftest import CATEGORIES, Run, Site, record

FEEDS_URL = "https://nchn.example.com/feeds/"
FOLDERS = [""] + [f"{category['slug']}/" for category in CATEGORIES]
FEED_TYPES = {"application/rss+xml": "rss.xml", "application/atom+xml": "atom.xml",
              "application/feed+json": "feed.json"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        found = [self] if self.tag == tag and all(
            self.attrs.get(key.rstrip("_")) == value for key, value in attrs.items()) else []
        return found + [hit for child in self.children for hit in child.find_all(tag, **attrs)]

    def find(self, tag: str, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def walk(self) -> list[Element]:
        """This element and every element inside it (not text)."""
        return [self] + [hit for child in self.children if child.tag != "#text"
                         for hit in child.walk()]

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)


class _Tree(HTMLParser):
    """A page as a tree of elements; text with its character references decoded once."""

    VOID = frozenset({"meta", "link", "img", "br", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, (self.stack[-1].tag, tag)  # well nested
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Element("#text", {}, data))


def page(site: Site, folder: str) -> tuple[Element, str]:
    tree = _Tree()
    tree.feed(site.read(folder + "index.html"))
    tree.close()
    assert tree.stack == [tree.root]
    return tree.root, tree.doctype


def meta(root: Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in root.find_all("meta"):
        key = element.attrs.get("property") or element.attrs.get("name")
        if key:
            found.setdefault(key, []).append(element.attrs["content"])
    return found


def build(run: Callable[..., Run], site: Site) -> Run:
    result = run("build", "--config", site.config)
    assert result.code == 0, result.err
    return result


def test_every_feed_folder_has_a_page_that_leads_to_its_feeds(
        site: Site, run: Callable[..., Run]) -> None:
    build(run, site)
    for folder in FOLDERS:
        root, doctype = page(site, folder)
        assert doctype.lower() == "doctype html"
        html = root.find("html")
        assert html.attrs["lang"] == "zh-TW"
        assert root.find("meta", charset="utf-8")
        alternates = root.find("head").find_all("link", rel="alternate")
        assert {link.attrs["type"]: link.attrs["href"] for link in alternates} == {
            kind: FEEDS_URL + folder + name for kind, name in FEED_TYPES.items()}
        title = site.json(folder + "feed.json")["title"]
        assert all(link.attrs["title"] == title for link in alternates)
        assert root.find("link", rel="canonical").attrs["href"] == FEEDS_URL + folder
        tags = meta(root)
        assert tags["og:url"] == [FEEDS_URL + folder] and tags["og:type"] == ["website"]
        assert tags["og:title"] == [title]
        # the site's logo (no share.default_image here): a small card
        assert tags["og:image"] == ["https://nchn.example.com/logo.png"]
        assert tags["twitter:card"] == ["summary"]
        # the addresses to copy, absolute; their links open the files beside the page
        addresses = [(a.attrs["href"], a.all_text()) for a in root.find_all("a", class_="url")]
        assert addresses == [(name, FEEDS_URL + folder + name) for name in FEED_TYPES.values()]
        rss = quote(FEEDS_URL + folder + "rss.xml", safe="")
        hrefs = {a.attrs["href"] for a in root.find_all("a")}
        assert {f"https://feedly.com/i/subscription/feed/{rss}",
                f"https://www.inoreader.com/?add_feed={rss}",
                f"feed:{FEEDS_URL}{folder}rss.xml"} <= hrefs
        opml = next(href for href in hrefs if href.endswith("index.opml"))
        assert urljoin(FEEDS_URL + folder, opml) == FEEDS_URL + "index.opml"
        assert "這是「" in root.find("p", class_="what").all_text()  # zh-TW words for zh-TW
    site_page, _ = page(site, "")
    links = [a.attrs["href"] for a in site_page.find("nav").find_all("a")]
    assert [urljoin(FEEDS_URL, href) for href in links] == [FEEDS_URL + f for f in FOLDERS[1:]]
    assert all(site.feeds.joinpath(href, "index.html").is_file() for href in links)


def test_the_page_lists_the_feeds_items_in_its_order(site: Site, run: Callable[..., Run]
                                                      ) -> None:
    site.write_records([
        record(id="a", url="https://nchn.example.com/a/", title="甲篇", category="local",
               published="2026-02-04T09:00:00+08:00", author=["記者王小明", "記者李大華"],
               image={"url": "https://nchn.example.com/a.jpg", "width": 1200, "height": 630,
                      "alt": "甲的圖"}),
        record(id="b", url="https://nchn.example.com/b/", title="乙篇", category="local",
               published="2026-02-04T11:30:00+08:00", summary="乙的摘要。", author=None),
        record(id="c", url="https://nchn.example.com/c/", title="丙篇", category="life",
               published="2026-02-04T10:00:00+08:00"),
    ])
    build(run, site)
    for folder in ("", "local/"):
        root, _ = page(site, folder)
        items = root.find_all("li", class_="item")
        feed = site.json(folder + "feed.json")["items"]
        assert [item.find("h3").find("a").attrs["href"] for item in items] == [
            entry["url"] for entry in feed]
        assert [item.find("h3").all_text() for item in items] == [e["title"] for e in feed]
        assert [item.find("time").attrs["datetime"] for item in items] == [
            entry["date_published"] for entry in feed]
    root, _ = page(site, "local/")
    newest, older = root.find_all("li", class_="item")
    assert newest.find("time").all_text() == "2026-02-04 11:30"
    assert newest.find("p", class_="summary").all_text() == "乙的摘要。"
    assert not newest.find_all("img") and not newest.find_all("span", class_="author")
    assert older.find("span", class_="author").all_text() == "記者王小明、記者李大華"
    assert older.find("img").attrs == {
        "src": "https://nchn.example.com/a.jpg", "alt": "甲的圖", "width": "1200",
        "height": "630", "loading": "lazy", "decoding": "async"}


def test_a_page_has_no_script_and_no_markup_from_a_record(site: Site, run: Callable[..., Run]
                                                          ) -> None:
    from test_hostile import RECORD_LEVEL, hostile_site

    hostile_site(site, *RECORD_LEVEL)
    assert run("build", "--config", site.config).code == 3  # some records are rejected
    allowed = {"html", "head", "meta", "title", "link", "style", "body", "main", "header", "h1",
               "h2", "h3", "p", "a", "dl", "dt", "dd", "nav", "ul", "ol", "li", "section", "img",
               "div", "time", "span"}
    for folder in ("", "local/"):
        root, _ = page(site, folder)
        for element in root.walk()[1:]:
            assert element.tag in allowed
            for name, value in element.attrs.items():
                assert not name.startswith("on") and name != "style", (element.tag, name)
                if name in ("href", "src"):  # http(s), ours to a reader, or relative
                    assert value.startswith(("http:", "https:", "feed:https:")) or (
                        ":" not in value), value
        items = [(item.find("h3").find("a").attrs["href"], item.find("h3").all_text(),
                  item.find_all("span", class_="author")[0].all_text() if item.find_all(
                      "span", class_="author") else "")
                 for item in root.find_all("li", class_="item")]
        feed = [(entry["url"], entry["title"],
                 "、".join(author["name"] for author in entry.get("authors", [])))
                for entry in site.json(folder + "feed.json")["items"]]
        assert items == feed  # each value is the record's text, escaped exactly once
        assert any(title == "颱風假\"'>" for _, title, _ in items)
        html = site.read(folder + "index.html")
        assert "<script" not in html.lower() and "&amp;lt;" not in html
    result = run("check", "-q", site.feeds)
    assert (result.code, result.out) == (0, "")


def test_a_page_is_written_only_when_its_feeds_items_change(
        site: Site, run: Callable[..., Run]) -> None:
    build(run, site)
    pages = {folder: site.feeds / folder / "index.html" for folder in ("", "local/", "society/")}
    before = {folder: (path.stat().st_mtime_ns, path.read_bytes())
              for folder, path in pages.items()}
    site.write_records([record(), record(id="new", url="https://nchn.example.com/new/",
                                         title="新的社會新聞",
                                         published="2026-02-05T08:00:00+08:00")])
    build(run, site)
    after = {folder: (path.stat().st_mtime_ns, path.read_bytes())
             for folder, path in pages.items()}
    assert after["local/"] == before["local/"]  # another category's article: left alone
    for folder in ("", "society/"):
        assert after[folder][1] != before[folder][1]
        assert "新的社會新聞" in after[folder][1].decode("utf-8")


def test_pages_off_writes_none_and_removes_only_syndicates(
        site: Site, run: Callable[..., Run]) -> None:
    build(run, site)
    own = site.feeds / "about" / "index.html"  # the site's own page, in a folder of its own
    own.parent.mkdir()
    own.write_text("<p>關於我們</p>", encoding="utf-8")
    site.write_config(output={"dir": "feeds", "pages": False})
    result = run("build", "-v", "--config", site.config)
    assert result.code == 0
    assert not any((site.feeds / folder / "index.html").exists() for folder in FOLDERS)
    assert own.read_text(encoding="utf-8") == "<p>關於我們</p>"
    assert (site.feeds / "local" / "rss.xml").is_file()
    # and a fresh output with pages off has none either
    shutil.rmtree(site.feeds)
    site.folder.joinpath("feeds.index.sqlite").unlink()
    build(run, site)
    assert not list(site.feeds.rglob("index.html"))


def test_a_page_syndicate_did_not_write_is_left_with_a_warning(
        site: Site, run: Callable[..., Run]) -> None:
    theirs = site.feeds / "local" / "index.html"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("<p>地方新聞</p>", encoding="utf-8")
    result = build(run, site)
    assert theirs.read_text(encoding="utf-8") == "<p>地方新聞</p>"
    assert result.err == ("syndicate: warning: local/index.html: left as it is, syndicate did "
                          "not write it; set output.pages: false to keep your own pages, or "
                          "remove it to get syndicate's\n")
    assert (site.feeds / "society" / "index.html").is_file()
    theirs.unlink()  # removed: the next run that renders local/ writes syndicate's page
    site.write_records([record(), record(id="l", category="local",
                                         url="https://nchn.example.com/l/")])
    build(run, site)
    assert 'content="syndicate"' in theirs.read_text(encoding="utf-8")


def test_a_page_the_index_does_not_list_is_written_by_the_next_run_that_reads_a_change(
        site: Site, run: Callable[..., Run]) -> None:
    from syndicate.store import Store

    build(run, site)  # then as if syndicate had written the feeds of local/ but no page
    (site.feeds / "local" / "index.html").unlink()
    store = Store.open(site.folder / "feeds.index.sqlite")
    store.forget_output("local/index.html")
    store.commit()
    store.close()
    site.write_records([record(), record(id="w", category="world",
                                         url="https://nchn.example.com/w/")])
    build(run, site)
    assert (site.feeds / "local" / "index.html").is_file()


def test_an_english_site_gets_english_words_and_no_image_gives_a_warning(
        site: Site, run: Callable[..., Run]) -> None:
    site.write_config(site={"title": "Small Town News", "url": "https://nchn.example.com/",
                            "language": "en", "tag_date": "2026-01-01"})
    build(run, site)
    root, _ = page(site, "")
    assert root.find("html").attrs["lang"] == "en"
    assert root.find("p", class_="what").all_text().startswith("This is the news feed of")
    tags = meta(root)
    assert "og:image" not in tags and tags["twitter:card"] == ["summary"]
    result = run("check", site.feeds)
    assert [line for line in result.out.splitlines() if "index.html" in line] == [
        f"{site.feeds / folder / 'index.html'}: warning: missing Open Graph tag og:image: a link "
        "preview of this page has no picture (syndicate: set share.default_image or site.logo)"
        for folder in sorted(FOLDERS)]  # check goes by path
