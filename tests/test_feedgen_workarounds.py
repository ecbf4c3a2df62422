"""One test per feedgen 1.0.0 defect that would cost a validator error or warning (issue 2)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

import syndicate
from syndicate.render.feeds import FeedSpec, render_atom, render_rss

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
SY = "{http://purl.org/rss/1.0/modules/syndication/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def feed_input(site):
    from conftest import record

    site.write_records([
        record(id="old", published="2020-01-01T08:00:00+08:00", author=["行政院", "內政部"],
               image={"url": "https://nchn.example.com/a.jpg", "width": 1200, "height": 630,
                      "alt": "圖說"}),
        record(id="new", published="2020-03-01T08:00:00+08:00",
               updated="2020-03-02T09:30:00+08:00"),
    ])
    config = syndicate.load_config(site.config)
    articles, _ = syndicate.load_articles(config)
    return config, FeedSpec.for_site(config), articles


def test_atom_entry_links_keep_their_attributes(feed_input):
    root = ET.fromstring(render_atom(*feed_input))
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith("old"))
    links = [(link.get("rel"), link.get("type")) for link in entry.iter(f"{ATOM}link")]
    assert links == [("alternate", "text/html"), ("enclosure", "image/jpeg")]


def test_atom_content_is_html_not_cdata(feed_input):
    data = render_atom(*feed_input)
    root = ET.fromstring(data)
    assert {c.get("type") for c in root.iter(f"{ATOM}content")} == {"html"}
    assert {s.get("type") for s in root.iter(f"{ATOM}summary")} == {"text"}
    assert b"CDATA" not in data


def test_rss_channel_link_is_the_site_not_the_self_link(feed_input):
    channel = ET.fromstring(render_rss(*feed_input)).find("channel")
    assert channel.findtext("link") == "https://nchn.example.com/"
    assert channel.find(f"{ATOM}link").get("href") == "https://nchn.example.com/feeds/rss.xml"


def test_syndication_module_uses_the_spec_case(feed_input):
    data = render_rss(*feed_input)
    channel = ET.fromstring(data).find("channel")
    assert channel.findtext(f"{SY}updatePeriod") == "hourly"
    assert channel.findtext(f"{SY}updateFrequency") == "1"
    assert b"UpdatePeriod" not in data


def test_one_image_is_media_content_not_a_media_group(feed_input):
    data = render_rss(*feed_input)
    item = next(i for i in ET.fromstring(data).iter("item") if i.findtext("guid").endswith("old"))
    content = item.find(f"{MEDIA}content")
    assert content.attrib == {"url": "https://nchn.example.com/a.jpg", "medium": "image",
                              "type": "image/jpeg", "width": "1200", "height": "630"}
    assert content.findtext(f"{MEDIA}description") == "圖說"
    assert item.find(f"{MEDIA}thumbnail").get("url") == "https://nchn.example.com/a.jpg"
    assert b"media:group" not in data


def test_build_dates_are_the_newest_item_not_now(feed_input):
    channel = ET.fromstring(render_rss(*feed_input)).find("channel")
    assert channel.findtext("lastBuildDate") == "Mon, 02 Mar 2020 09:30:00 +0800"
    atom = ET.fromstring(render_atom(*feed_input))
    assert atom.findtext(f"{ATOM}updated") == "2020-03-02T09:30:00+08:00"


def test_entries_keep_our_order(feed_input):
    config, spec, articles = feed_input
    assert [a.id for a in articles] == ["new", "old"]
    rss = ET.fromstring(render_rss(config, spec, articles))
    assert [i.findtext("guid").rsplit("/", 1)[1] for i in rss.iter("item")] == ["new", "old"]
    atom = ET.fromstring(render_atom(config, spec, articles))
    ids = [e.findtext(f"{ATOM}id").rsplit("/", 1)[1] for e in atom.iter(f"{ATOM}entry")]
    assert ids == ["new", "old"]


def test_rss_names_authors_with_dc_creator_not_author(feed_input):
    rss = ET.fromstring(render_rss(*feed_input))
    item = next(i for i in rss.iter("item") if i.findtext("guid").endswith("old"))
    assert item.find("author") is None
    assert [c.text for c in item.iter(f"{DC}creator")] == ["行政院", "內政部"]
