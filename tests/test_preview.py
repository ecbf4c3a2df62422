"""`syndicate preview`: the share-card page, read back with HTML parsers (lxml for the structure,
the standard library's for the text), against what share_payload publishes."""

from __future__ import annotations

import html
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from conftest import Site, record

import syndicate
from syndicate.preview import write_preview
from syndicate.render.meta import head_html, share_payload
from syndicate.render.preview import (
    FACEBOOK_TITLE,
    LINE_TITLE,
    WARNING_KINDS,
    anchor,
    preview_html,
)
from syndicate.text import columns, fit, graphemes

IMG = "https://nchn.example.com/wp-content/uploads/2026/02"
LOGO = "https://nchn.example.com/logo.png"
DEFAULT_IMAGE = {"url": "https://nchn.example.com/share.png", "width": 1200, "height": 630,
                 "alt": "全國大小事新聞網"}
LONG_TITLE = "行政院今日召開記者會說明" + "全國各地方政府因應強烈寒流所採取的防寒措施" * 6
SPECIAL_TITLE = "「台積電」&amp; \"AMD\" 合作 <3 🇹🇼👨‍👩‍👧 café 'quote'"


def _records() -> list[dict]:
    def at(hour: int) -> str:
        return f"2026-02-04T{hour:02d}:00:00+08:00"

    return [
        record(id="big", url="https://nchn.example.com/big/", title="大圖卡片", published=at(16),
               image={"url": f"{IMG}/big.jpg", "width": 1200, "height": 630, "alt": "記者會現場"}),
        record(id="small", url="https://nchn.example.com/small/", title="小圖", published=at(15),
               image={"url": f"{IMG}/small.jpg", "width": 300, "height": 200, "alt": "小圖"}),
        record(id="nosize", url="https://nchn.example.com/nosize/", title="不知大小",
               published=at(14), image=f"{IMG}/nosize.jpg"),
        record(id="noimage", url="https://nchn.example.com/noimage/", title="沒有圖",
               published=at(13)),
        record(id="long", url="https://nchn.example.com/long/", title=LONG_TITLE,
               published=at(12), summary="寒流來襲,各地氣溫驟降。" * 40,
               image={"url": f"{IMG}/long.jpg", "width": 1200, "height": 630, "alt": "寒流"}),
        record(id="tiny", url="https://nchn.example.com/tiny/", title="很小的圖", published=at(11),
               image={"url": f"{IMG}/tiny.png", "width": 150, "height": 150, "alt": "圖"}),
        record(id="special", url="https://nchn.example.com/special/", title=SPECIAL_TITLE,
               published=at(10),
               image={"url": f"{IMG}/s.jpg?a=1&b=2", "width": 1200, "height": 630,
                      "alt": "台積電 & AMD \"合作\""}),
    ]


ORDER = ["big", "small", "nosize", "noimage", "long", "tiny", "special"]  # newest first
EXPECTED = {
    "big": set(),
    "small": {"image-small", "discover"},
    "nosize": {"image-size-unknown", "no-alt"},
    "noimage": {"no-image", "image-size-unknown", "no-alt"},  # the logo stands in, size unknown
    "long": {"title-cut-facebook", "title-cut-line", "title-cut-x", "description-cut",
             "tweet-cut"},
    "tiny": {"image-too-small", "image-small-x", "discover"},
    "special": set(),
}


@pytest.fixture
def cards(site: Site) -> Site:
    site.write_records(_records())
    site.write_config(share={"x_via": "nchn_news", "utm_campaign": "preview"},
                      images={"probe": False})
    return site


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def _sections(page: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    return {section.get("data-id"): section
            for section in page.xpath('//section[@class="article"]')}


def _kinds(section: lxml.html.HtmlElement) -> set[str]:
    return {item.get("data-kind") for item in section.xpath('.//li[@class="warning"]')}


def _text(section: lxml.html.HtmlElement, xpath: str) -> str:
    (found,) = section.xpath(xpath)
    return found.text_content()


def test_cli_writes_the_site_feed_beside_the_feeds_folder(cards, run):
    result = run("preview", "--config", cards.config)
    path = cards.folder / "feeds-preview" / "index.html"
    assert (result.code, result.out, result.err) == (0, f"{path}\n", "")
    assert not cards.feeds.exists()  # nothing written into (or as) the feeds folder
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.html"]  # no temp file left
    page = _page(path)
    assert list(_sections(page)) == ORDER
    for record_id, section in _sections(page).items():
        assert section.get("id") == anchor(record_id)
        services = [card.get("data-service") for card in section.xpath(".//figure")]
        assert services == ["facebook", "line", "x"], record_id
        assert _kinds(section) == EXPECTED[record_id], record_id
        assert _kinds(section) <= set(WARNING_KINDS)
        assert bool(section.xpath('.//p[@class="ok"]')) == (not EXPECTED[record_id])


def test_the_cards_show_what_share_payload_publishes(cards, run):
    assert run("preview", "--config", cards.config).code == 0
    text = (cards.folder / "feeds-preview" / "index.html").read_text(encoding="utf-8")
    sections = _sections(lxml.html.document_fromstring(text))
    config = syndicate.load_config(cards.config)
    articles, _ = syndicate.load_articles(config)
    for article in articles:
        payload = share_payload(article, config)
        section = sections[article.id]
        x = payload["share"]["x"]
        assert _text(section, './/p[@class="tweet-text"]') == x["tweet"]
        assert _text(section, './/p[@class="tweet-length"]') == f"{x['weighted_length']} / 280"
        assert section.xpath('.//p[@class="tweet-length"]/data/@value') == \
            [str(x["weighted_length"])]
        # the buttons exactly as build writes them, and their links those of the payload
        assert payload["buttons_html"] in text
        links = {a.get("class"): a.get("href")
                 for a in section.xpath('.//div[@class="syndicate-share"]/a')}
        assert links == {"share-facebook": payload["share"]["facebook"]["url"],
                         "share-line": payload["share"]["line"]["url"],
                         "share-x": x["url"]}
        og, card = payload["open_graph"], payload["twitter"]
        fb = section.xpath('.//figure[@data-service="facebook"]')[0]
        assert _text(fb, './/div[@class="domain"]') == "NCHN.EXAMPLE.COM"
        assert _text(fb, './/div[@class="title"]') == fit(og["og:title"], FACEBOOK_TITLE)
        line = section.xpath('.//figure[@data-service="line"]')[0]
        assert _text(line, './/div[@class="title"]') == fit(og["og:title"], LINE_TITLE)
        assert _text(line, './/p[contains(@class, "line-text")]') == \
            payload["share"]["line"]["text"]
        xcard = section.xpath('.//figure[@data-service="x"]')[0]
        assert _text(xcard, './/span[contains(@class, "title")]') == card["twitter:title"]
        shown = {img.get("src") for img in section.xpath(".//figure//img")}
        assert shown <= {og["og:image"]}
    long = sections["long"]
    fb_title = _text(long, './/figure[@data-service="facebook"]//div[@class="title"]')
    assert fb_title.endswith("…") and columns(fb_title) <= FACEBOOK_TITLE
    assert LONG_TITLE.startswith(fb_title[:-1])
    # Facebook draws no image under 200×200, X none under 300×157; LINE still does
    tiny = sections["tiny"]
    assert [len(tiny.xpath(f'.//figure[@data-service="{s}"]//img')) for s in
            ("facebook", "line", "x")] == [0, 1, 0]
    assert sections["small"].xpath('.//div[contains(@class, "fb-small")]')


class _Text(HTMLParser):
    """The text of every h2 and pre and the alt of every img, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self.alts: list[str | None] = []
        self.tags: list[str] = []
        self._h2 = False
        self._pre = False
        self.head = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "h2":
            self._h2 = True
            self.titles.append("")
        elif tag == "img":
            self.alts.append(dict(attrs).get("alt"))
        self._pre = tag == "pre"

    def handle_endtag(self, tag):
        self._h2 = self._pre = False

    def handle_data(self, data):
        if self._h2:
            self.titles[-1] += data
        if self._pre:
            self.head += data


def test_text_is_escaped_exactly_once(cards):
    config = syndicate.load_config(cards.config)
    articles, _ = syndicate.load_articles(config)
    special = next(a for a in articles if a.id == "special")
    assert special.title == html.unescape(SPECIAL_TITLE)  # "&amp;" was decoded on the way in
    page = preview_html([special], config)
    parser = _Text()
    parser.feed(page)
    parser.close()
    assert parser.titles == [special.title]
    assert set(parser.alts) == {special.image.alt}
    assert parser.head == head_html(special, config)  # shown as text, the markup escaped once
    cards = page.split("<details>")[0]  # the head fragment is markup shown as text: once more
    assert "&amp;amp;" not in cards and "&amp;quot;" not in cards
    assert "&amp; &quot;AMD&quot;" in page
    assert f'src="{html.escape(special.image.url)}"' in page  # "&" in the URL escaped once
    assert "script" not in parser.tags


def test_only_http_images_reach_the_page(cards):
    config = syndicate.load_config(cards.config)
    article = next(a for a in syndicate.load_articles(config)[0] if a.id == "big")
    hostile = replace(article, image=replace(article.image, url="javascript:alert(1)"))
    page = preview_html([hostile], config)
    assert "javascript:" not in page.split("<details>")[0]
    assert not lxml.html.document_fromstring(page).xpath("//img")


def test_the_page_is_self_contained_and_scriptless(cards, tmp_path):
    config = syndicate.load_config(cards.config)
    path = write_preview(config, [], tmp_path / "out")
    assert path == tmp_path / "out" / "index.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>\n<html lang=\"zh-TW\">")
    assert "<script" not in text.lower()
    page = lxml.html.document_fromstring(text)
    assert page.xpath("//meta[@charset='utf-8']") and page.xpath("//meta[@name='viewport']")
    assert not page.xpath("//script | //iframe | //object | //embed | //link[@rel='stylesheet']")
    assert not page.xpath("//@*[starts-with(name(), 'on')]")  # no event handler anywhere
    images = {img.get("src") for img in page.xpath("//img")}
    assert images and all(src.startswith(f"{IMG}/") or src == LOGO for src in images)
    assert page.xpath("//link/@href") == ["data:,"]  # the favicon: no request, no 404
    html5lib = pytest.importorskip("html5lib")
    html5lib.HTMLParser(strict=True).parse(text)  # no parse error at all
    assert preview_html(syndicate.load_articles(config)[0], config) == text  # same input, bytes


def test_ids_are_read_from_the_index_in_the_order_given(cards, run):
    cards.write_config(share={"x_via": "nchn_news"}, images={"probe": False},
                       output={"dir": "feeds", "items_per_feed": 2})
    assert run("build", "--config", cards.config).code == 0
    # a record changed after the build: the preview shows what the index published
    changed = [dict(r, title="改過的標題") if r["id"] == "big" else r for r in _records()]
    cards.write_records(changed)
    result = run("preview", "--config", cards.config)
    assert result.code == 0
    page = _page(Path(result.out.strip()))
    assert list(_sections(page)) == ["big", "small"]  # the site feed: the newest 2
    assert _text(_sections(page)["big"], ".//h2") == "大圖卡片"
    # by id or by URL, in the order asked, once each; an id no build has published yet comes
    # from the sources
    cards.write_records([*changed, record(id="new", url="https://nchn.example.com/new/",
                                          title="還沒建置", published="2026-02-05")])
    result = run("preview", "--config", cards.config, "--output", cards.folder / "p", "tiny",
                 "https://nchn.example.com/long/", "new", "tiny", "long")
    assert (result.code, result.out) == (0, f"{cards.folder / 'p' / 'index.html'}\n")
    assert list(_sections(_page(cards.folder / "p" / "index.html"))) == ["tiny", "long", "new"]


def test_an_unknown_id_is_one_line_and_writes_nothing(cards, run):
    result = run("preview", "--config", cards.config, "big", "smal")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("syndicate: error: no published article has the id or URL 'smal'; "
                          "the closest ids are small, special\n")
    assert not (cards.folder / "feeds-preview").exists()


def test_the_preview_never_goes_into_the_feeds_folder(cards, run):
    result = run("preview", "--config", cards.config, "--output", cards.feeds / "preview")
    assert result.code == 1
    assert result.err.startswith("syndicate: error: refusing to write the preview into ")
    assert not cards.feeds.exists()


@pytest.mark.parametrize(("share", "logo", "kinds", "image"), [
    ({"default_image": DEFAULT_IMAGE}, LOGO, {"no-image"}, DEFAULT_IMAGE["url"]),
    ({}, LOGO, {"no-image", "image-size-unknown", "no-alt"}, LOGO),
    ({}, None, {"no-image"}, None),
])
def test_an_article_without_image_shows_the_fallback(site, share, logo, kinds, image):
    site.write_records([record(id="noimage")])
    site.write_config(share=share)
    config = syndicate.load_config(site.config)
    if logo is None:
        config = replace(config, site=replace(config.site, logo=None))
    articles, _ = syndicate.load_articles(config)
    section = _sections(lxml.html.document_fromstring(preview_html(articles, config)))["noimage"]
    assert _kinds(section) == kinds
    (message,) = [li.text_content() for li in section.xpath('.//li[@data-kind="no-image"]')]
    expected = {DEFAULT_IMAGE["url"]: "share.default_image", LOGO: "site.logo",
                None: "no share.default_image or site.logo"}[image]
    assert expected in message
    sources = [img.get("src") for img in section.xpath(".//figure//img")]
    assert sources == ([image] * 3 if image else [])


@pytest.mark.parametrize(("image", "zh", "en"), [
    ({"url": f"{IMG}/narrow.jpg", "width": 800, "height": 600}, "圖片寬 800 px,不到 1200 px",
     "the image is 800 px wide, under 1200 px: Google Discover shows no large image"),
    ({"url": LOGO, "width": 1200, "height": 630}, "文章的圖片是網站標誌(site.logo)",
     "the article's image is the site logo (site.logo): Google Discover advises an image of "
     "the article"),
])
def test_a_lead_image_discover_shows_small_is_a_warning(site, image, zh, en):
    site.write_records([record(id="discover", image={**image, "alt": "圖"})])
    config = syndicate.load_config(site.config)
    articles, _ = syndicate.load_articles(config)
    section = _sections(lxml.html.document_fromstring(preview_html(articles, config)))["discover"]
    (warning,) = section.xpath('.//li[@data-kind="discover"]')
    assert warning.text_content().startswith(zh)
    assert _text(warning, './/span[@class="en"]') == en


def test_columns_count_cjk_and_emoji_as_two_and_cuts_keep_characters_whole():
    assert columns("abc") == 3
    assert columns("中文\uff0c") == 6  # a full-width comma
    assert columns("🇹🇼") == 2 and columns("👨‍👩‍👧") == 2 and columns("e\u0301") == 1
    assert list(graphemes("a🇹🇼👍🏽e\u0301")) == ["a", "🇹🇼", "👍🏽", "e\u0301"]
    assert fit("短標題", 10) == "短標題"
    title = "🇹🇼" * 10
    for budget in range(3, 20):
        cut = fit(title, budget)
        assert columns(cut) <= budget and cut.endswith("…")
        assert set(graphemes(cut[:-1])) <= {"🇹🇼"}
    assert anchor("a/b 中") == "article-a_2Fb_20_E4_B8_AD"
    assert anchor("a_2F") != anchor("a/")


def test_importing_the_preview_reads_no_css() -> None:
    # the CSS is package data, opened only when a preview page is drawn
    probe = "import syndicate.render.preview as p; print(p._css.cache_info().misses)"
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout == "0\n"
