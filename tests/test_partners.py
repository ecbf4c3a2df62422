"""The partner outputs (Yahoo奇摩, LINE TODAY, MSN), built from records through the public API and
read back by independent consumers: feedparser for the two RSS feeds, lxml for LINE's XML."""

from __future__ import annotations

import calendar
import uuid
from datetime import timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest
from conftest import record
from lxml import etree

import syndicate
from syndicate.render.partners import Rendered, line_today, msn, yahoo

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
MEDIA = "{http://search.yahoo.com/mrss/}"
MI = "{http://schemas.ingestion.microsoft.com/common/}"
DCTERMS = "{http://purl.org/dc/terms/}"
UTM = "utm_medium=social&utm_campaign=partner_feed"
HTML_UTM = UTM.replace("&", "&amp;")  # in an href of the content HTML
IMAGE = {"url": "https://nchn.example.com/uploads/old-house.jpg", "width": 1200, "height": 630,
         "alt": "老宅延壽說明會"}
HOUSE = record(id="2026020402", url="https://nchn.example.com/2026/02/04/2026020402/",
               title="讓南部的太陽照進安全的家! 內政部「老宅延壽」首度屏東開講 打造銀髮友善家園",
               published="2026-02-04T10:20:00+08:00", updated="2026-02-04T16:05:00+08:00",
               author=["內政部", "記者王小明"], tags=["老宅延壽", "屏東"], image=IMAGE,
               summary="內政部「老宅延壽」說明會 & 座談。",
               content_html="<p>內政部今日在屏東舉辦說明會。</p>")
CABINET = record()  # its title has 19 characters
FESTIVAL = record(id="2026020403", url="https://nchn.example.com/2026/02/04/2026020403/",
                  title="海內外演出超過百組破紀錄!浮現祭再攜手多家品牌共襄盛舉", category="life",
                  published="2026-02-04T11:00:00+08:00", author=None, tags=None,
                  image="https://nchn.example.com/uploads/festival.png",
                  summary="浮現祭今年演出超過百組。",
                  content_html="<p>浮現祭今年演出超過百組。</p>")


def _load(site, records):
    site.write_records(records)
    config = syndicate.load_config(site.config)
    articles, report = syndicate.load_articles(config)
    assert not report.rejected
    return config, articles


@pytest.fixture
def loaded(site):
    """The config, the three articles newest first, and related lists that repeat one article
    as the seed page's "相關的文章" does."""
    config, articles = _load(site, [CABINET, HOUSE, FESTIVAL])
    by_id = {article.id: article for article in articles}
    related = {"2026020402": [by_id["2026020403"], by_id["2026020403"], by_id["2026020401"]]}
    return config, articles, related


def _content(data: bytes, index: int = 0) -> str:
    """content:encoded of an item, as an XML parser reads it."""
    return ET.fromstring(data).findall("channel/item")[index].findtext(CONTENT)


# --- Yahoo奇摩 ---

def _read_back(data: bytes) -> list[dict[str, object]]:
    """Each item's facts as feedparser reads them: what a reader of the feed learns."""
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [{"guid": (entry.id, entry.guidislink), "title": entry.title, "link": entry.link,
             "published": calendar.timegm(entry.published_parsed),
             "authors": [author.get("name") for author in entry.get("authors", [])],
             "categories": [tag.term for tag in entry.tags],
             "image": entry.get("media_content", [])} for entry in parsed.entries]


def _facts(config, article) -> dict[str, object]:
    """The same facts as the normalized record says them."""
    image = article.image
    return {"guid": (f"tag:nchn.example.com,2026-01-01:article/{article.id}", False),
            "title": article.title, "link": article.url,
            "published": int(article.published.timestamp()), "authors": list(article.authors),
            "categories": [config.category(article.category).name],
            "image": [{key: str(value) for key, value in (
                ("url", image.url), ("medium", "image"), ("type", image.type),
                ("width", image.width), ("height", image.height)) if value}] if image else []}


def test_yahoo_items_equal_the_records(loaded):
    config, articles, related = loaded
    data = yahoo.render(config, articles, related, yahoo.YahooOptions()).data
    assert _read_back(data) == [_facts(config, article) for article in articles]


def test_yahoo_description_is_the_summary_escaped_once_as_html(loaded):
    config, articles, related = loaded
    data = yahoo.render(config, articles, related, yahoo.YahooOptions()).data
    item = ET.fromstring(data).findall("channel/item")[1]
    assert item.findtext("description") == "內政部「老宅延壽」說明會 &amp; 座談。"


def test_yahoo_channel_carries_ttl_image_copyright_and_self_link(loaded):
    config, articles, related = loaded
    feed = feedparser.parse(yahoo.render(config, articles, related,
                                         yahoo.YahooOptions(ttl_minutes=10)).data).feed
    assert (feed.language, feed.ttl, feed.image.href, feed.rights) == (
        "zh-TW", "10", "https://nchn.example.com/logo.png", "© 全國大小事新聞網")
    assert [link.href for link in feed.links if link.rel == "self"] == [
        "https://nchn.example.com/feeds/partners/yahoo/rss.xml"]


def test_yahoo_pub_date_is_in_the_site_zone(loaded):
    config, articles, related = loaded
    data = yahoo.render(config, articles, related, yahoo.YahooOptions()).data
    assert b"<pubDate>Wed, 04 Feb 2026 10:20:00 +0800</pubDate>" in data


def test_yahoo_content_is_image_caption_body_then_related_links_each_once(loaded):
    config, articles, related = loaded
    data = yahoo.render(config, articles, related, yahoo.YahooOptions()).data
    assert _content(data, 1) == (
        '<figure><img src="https://nchn.example.com/uploads/old-house.jpg" alt="老宅延壽說明會" '
        'width="1200" height="630"><figcaption>老宅延壽說明會</figcaption></figure>'
        "<p>內政部今日在屏東舉辦說明會。</p><p>相關的文章</p><ul>"
        '<li><a href="https://nchn.example.com/2026/02/04/2026020403/?utm_source=yahoo&amp;'
        f'{HTML_UTM}">海內外演出超過百組破紀錄!浮現祭再攜手多家品牌共襄盛舉</a></li>'
        '<li><a href="https://nchn.example.com/2026/02/04/2026020401/?utm_source=yahoo&amp;'
        f'{HTML_UTM}">接見回國訪問團 卓揆:臺日「強強聯手」</a></li></ul>')


def test_yahoo_content_drops_embedded_frames(site):
    config, articles = _load(site, [record(content_html=(
        '<p>影片</p><iframe src="https://www.youtube.com/embed/abc" title="記者會"></iframe>'
        "<p>完</p>"))])
    data = yahoo.render(config, articles, {}, yahoo.YahooOptions()).data
    assert _content(data) == "<p>影片</p><p>完</p>"


def test_yahoo_takes_at_most_items(loaded):
    config, articles, related = loaded
    parsed = feedparser.parse(yahoo.render(config, articles, related,
                                           yahoo.YahooOptions(items=2)).data)
    assert [e.link for e in parsed.entries] == [a.url for a in articles[:2]]


# --- LINE TODAY ---

SHAPE = ["ID", "nativeCountry", "language", "startYmdtUnix", "endYmdtUnix", "title", "category",
         "publishTimeUnix", "updateTimeUnix", "contentType", "thumbnail", "contents", "author",
         "sourceUrl", "tags", "recommendArticles"]
EPOCH_MS = ["startYmdtUnix", "endYmdtUnix", "publishTimeUnix", "updateTimeUnix"]


def _line(loaded, **options) -> etree._Element:
    config, articles, related = loaded
    rendered = line_today.render(config, articles, related, line_today.LineTodayOptions(**options))
    return etree.fromstring(rendered.data)


def _ms(value) -> int:
    return int(value.timestamp()) * 1000 + value.microsecond // 1000


def test_line_today_has_the_documented_shape(loaded):
    root = _line(loaded)
    assert [child.tag for child in root][:2] == ["UUID", "time"]
    assert uuid.UUID(root.findtext("UUID")).version == 5  # derived from the content
    assert root.findtext("time").isdigit()
    house = root.findall("article")[1]
    assert [child.tag for child in house] == SHAPE
    assert all(house.findtext(tag).isdigit() for tag in EPOCH_MS)
    assert [[child.tag for child in item] for item in house.iterfind(
        "recommendArticles/article")] == [["title", "url", "thumbnail"], ["title", "url"]]


def test_line_today_article_values_equal_the_record(loaded):
    _, articles, _ = loaded
    house = articles[1]
    element = _line(loaded).findall("article")[1]
    assert {tag: element.findtext(tag) for tag in SHAPE[:11]} == {
        "ID": "2026020402", "nativeCountry": "TW", "language": "zh",
        "startYmdtUnix": str(_ms(house.updated)),
        "endYmdtUnix": str(_ms(house.published + timedelta(days=365))),
        "title": house.title, "category": "社會",
        "publishTimeUnix": str(_ms(house.published)), "updateTimeUnix": str(_ms(house.updated)),
        "contentType": "0", "thumbnail": IMAGE["url"]}
    assert element.findtext("author") == "內政部、記者王小明"
    assert [tag.text for tag in element.iterfind("tags/tag")] == ["老宅延壽", "屏東"]


def test_line_today_source_url_carries_its_utm_source(loaded):
    element = _line(loaded).findall("article")[1]
    assert element.findtext("sourceUrl") == (
        f"https://nchn.example.com/2026/02/04/2026020402/?utm_source=line_today&{UTM}")


def test_line_today_recommends_each_related_article_once(loaded):
    element = _line(loaded).findall("article")[1]
    assert [[child.text for child in item] for item in element.iterfind(
        "recommendArticles/article")] == [
        ["海內外演出超過百組破紀錄!浮現祭再攜手多家品牌共襄盛舉",
         f"https://nchn.example.com/2026/02/04/2026020403/?utm_source=line_today&{UTM}",
         "https://nchn.example.com/uploads/festival.png"],
        ["接見回國訪問團 卓揆:臺日「強強聯手」",
         f"https://nchn.example.com/2026/02/04/2026020401/?utm_source=line_today&{UTM}"]]


def test_line_today_content_reads_back_as_html_image_first_links_last(loaded):
    content = _line(loaded).findall("article")[1].findtext("contents/text/content")
    assert content.startswith('<figure><img src="https://nchn.example.com/uploads/old-house.jpg"')
    assert content.endswith(
        f'utm_source=line_today&amp;{HTML_UTM}">接見回國訪問團 卓揆:臺日「強強聯手」</a></li></ul>')


def test_line_today_thumbnail_falls_back_to_the_site_logo(loaded):
    cabinet = _line(loaded).findall("article")[2]
    assert cabinet.findtext("thumbnail") == "https://nchn.example.com/logo.png"


def test_line_today_time_is_the_newest_change(loaded):
    _, articles, _ = loaded
    assert _line(loaded).findtext("time") == str(max(_ms(a.updated) for a in articles))


def test_line_today_uuid_follows_the_articles(loaded):
    config, articles, related = loaded
    options = line_today.LineTodayOptions()
    first = line_today.render(config, articles, related, options).data
    assert line_today.render(config, articles, related, options).data == first
    fewer = line_today.render(config, articles[1:], related, options).data
    assert etree.fromstring(fewer).findtext("UUID") != etree.fromstring(first).findtext("UUID")


# --- MSN ---

def _msn(loaded, **options) -> Rendered:
    config, articles, related = loaded
    return msn.render(config, articles, related, msn.MsnOptions(**options))


def _msn_body(site, markup: str) -> str:
    """content:encoded of an article whose title MSN keeps."""
    config, articles = _load(site, [record(title=HOUSE["title"], content_html=markup)])
    return _content(msn.render(config, articles, {}, msn.MsnOptions()).data)


def test_msn_description_is_the_plain_summary(loaded):
    item = ET.fromstring(_msn(loaded).data).findall("channel/item")[1]
    assert item.findtext("description") == "內政部「老宅延壽」說明會 & 座談。"


def test_msn_items_equal_the_records(loaded):
    config, articles, _ = loaded
    assert _read_back(_msn(loaded).data) == [
        _facts(config, article) for article in articles if article.id != "2026020401"]


def test_msn_dates_are_utc(loaded):
    data = _msn(loaded).data
    assert b"<pubDate>Wed, 04 Feb 2026 02:20:00 +0000</pubDate>" in data
    assert b"<lastBuildDate>Wed, 04 Feb 2026 08:05:00 +0000</lastBuildDate>" in data


def test_msn_leaves_out_a_title_of_20_characters_or_fewer(loaded):
    assert _msn(loaded).warnings == (
        "partners/msn: 2026020401: left out: title of 19 characters, MSN needs more than 20",)


def test_msn_keeps_a_title_of_21_characters(site):
    config, articles = _load(site, [record(title="接見回國訪問團 卓揆:臺日「強強聯手」!!")])
    rendered = msn.render(config, articles, {}, msn.MsnOptions())
    assert (rendered.warnings, len(ET.fromstring(rendered.data).findall("channel/item"))) == ((), 1)


def test_msn_long_title_gets_a_short_title_cut_on_a_grapheme(site):
    title = "卓揆" * 74 + "👍🏽" + "。後續"  # the cut at 149 falls inside the emoji
    config, articles = _load(site, [record(title=title)])
    item = ET.fromstring(msn.render(config, articles, {}, msn.MsnOptions()).data).find(
        "channel/item")
    assert (item.findtext("title"), item.findtext(f"{MI}shortTitle")) == (title, "卓揆" * 74 + "…")


def test_msn_declares_mi_only_for_a_short_title(loaded):
    assert b"schemas.ingestion.microsoft.com" not in _msn(loaded).data


def test_msn_body_keeps_only_allowed_tags(site):
    assert _msn_body(site, (
        '<section><p style="color:red" onclick="x()">文字<u>底線</u></p></section>'
        "<script>alert(1)</script><style>p{}</style>"
        '<a href="javascript:alert(1)">壞</a><a href="tel:02">電話</a><a href="/about">關於</a>'
        '<figure><img src="/a.jpg" class="wide"><figcaption>圖</figcaption></figure>')) == (
        "<p>文字底線</p><a>壞</a><a>電話</a>"
        '<a href="https://nchn.example.com/about">關於</a>'
        '<img src="https://nchn.example.com/a.jpg">圖')


def test_msn_drops_a_frame_from_an_unlisted_host(site):
    assert _msn_body(site, '<p>地圖</p><iframe src="https://maps.example.net/embed?q=1"></iframe>'
                     ) == "<p>地圖</p>"


def test_msn_keeps_a_frame_from_a_listed_host(site):
    assert _msn_body(site, '<p>影片</p><iframe src="//www.youtube.com/embed/abc" width="560" '
                           "allowfullscreen></iframe>") == (
        '<p>影片</p><iframe src="https://www.youtube.com/embed/abc"></iframe>')


def test_msn_keeps_an_article_without_image_by_default(site):
    config, articles = _load(site, [HOUSE, record(id="2026020409", title=HOUSE["title"] + "續")])
    assert msn.render(config, articles, {}, msn.MsnOptions()).warnings == ()


def test_msn_require_image_leaves_out_an_article_without_one(site):
    config, articles = _load(site, [HOUSE, record(id="2026020409", title=HOUSE["title"] + "續")])
    rendered = msn.render(config, articles, {}, msn.MsnOptions(require_image=True))
    assert rendered.warnings == (
        "partners/msn: 2026020409: left out: no lead image, and require_image is set",)


def test_msn_lead_image_has_credit_title_and_thumbnail(loaded):
    item = ET.fromstring(_msn(loaded).data).findall("channel/item")[1]
    media = item.find(f"{MEDIA}content")
    assert (media.findtext(f"{MEDIA}credit"), media.findtext(f"{MEDIA}title"),
            item.find(f"{MEDIA}thumbnail").get("url")) == ("內政部", "老宅延壽說明會", IMAGE["url"])


def test_msn_modified_only_when_the_record_was_updated(loaded):
    items = ET.fromstring(_msn(loaded).data).findall("channel/item")
    assert [item.findtext(f"{DCTERMS}modified") for item in items] == [
        None, "2026-02-04T08:05:00Z"]


def test_msn_takes_the_20_newest_by_default(site):
    records = [record(id=f"2026020{n:03d}", title=HOUSE["title"] + str(n),
                      url=f"https://nchn.example.com/{n}/",
                      published=f"2026-02-04T10:{n:02d}:00+08:00") for n in range(25)]
    config, articles = _load(site, records)
    items = ET.fromstring(msn.render(config, articles, {}, msn.MsnOptions()).data)
    assert [i.findtext("link") for i in items.iterfind("channel/item")] == [
        f"https://nchn.example.com/{n}/" for n in range(24, 4, -1)]


# --- all three ---

@pytest.mark.parametrize(("module", "options"), [
    (yahoo, yahoo.YahooOptions()), (line_today, line_today.LineTodayOptions()),
    (msn, msn.MsnOptions())])
def test_the_same_records_give_the_same_bytes(site, module, options):
    config, articles = _load(site, [CABINET, HOUSE, FESTIVAL])
    first = module.render(config, articles, {}, options)
    config, again = _load(site, [FESTIVAL, HOUSE, CABINET])  # read afresh, in another order
    assert module.render(config, again, {}, options) == first
    assert first.data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")

