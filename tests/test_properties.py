"""Property tests (hypothesis): a record built from arbitrary Unicode is either rejected with a
RecordError naming one of its fields, or published as feeds that feedparser reads back with
exactly the normalized title and summary, share links that decode to the article's URL, and a
tweet of at most 280 weighted characters (counted by twitter-text).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import feedparser
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

import syndicate

FIELDS = {"id", "url", "title", "summary", "tags", "author", "category", "published",
          "content_html"}
SITE = {"title": "全國大小事新聞網", "url": "https://nchn.example.com/", "language": "zh-TW",
        "timezone": "Asia/Taipei", "tag_date": "2026-01-01"}
# Every code point, surrogates and controls included, weighted towards what news text holds.
text = st.text(st.characters(codec=None), max_size=300) | st.text(
    st.sampled_from("臺灣新聞「」，。！？ &<>\"'#@…🇹🇼👨‍👩‍👧\u202e\u0000\t\n"), max_size=80)
# The same without surrogates and controls: most of these records get through, to the feeds.
printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=300)
field = printable | text


def as_feedparser_reads(value: str) -> str:
    """feedparser "repairs" text that is all Latin-1 and whose bytes are valid UTF-8 (it takes
    it for UTF-8 read as Latin-1: "Â¡" becomes "¡"); our bytes are right, so the expected text
    goes through the same repair."""
    try:
        return value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _config(folder: Path) -> Any:
    (folder / "records.json").write_text("[]", encoding="utf-8")
    (folder / "site.yaml").write_text(yaml.safe_dump({
        "site": SITE, "categories": [{"slug": "local", "name": "地方"}],
        "sources": [{"type": "files", "path": "records.json"}], "output": {"dir": "feeds"},
        "share": {"x_via": "nchn_news"}, "images": {"probe": False}}, allow_unicode=True),
        encoding="utf-8")
    return syndicate.load_config(folder / "site.yaml")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_id=field, title=field, summary=field, path=field,
       tags=st.lists(field, max_size=3), author=field)
def test_any_record_is_rejected_by_field_or_read_back_exactly(
        record_id: str, title: str, summary: str, path: str, tags: list[str],
        author: str) -> None:
    raw = {"id": record_id, "url": "https://nchn.example.com/" + path, "title": title,
           "summary": summary, "tags": tags, "author": author, "category": "地方",
           "published": "2026-02-04T10:00:00+08:00"}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = _config(folder)
        # JSON with ASCII escapes: lone surrogates reach the parser as they would from a CMS
        (folder / "records.json").write_text(json.dumps([raw]), encoding="ascii")
        articles, report = syndicate.load_articles(config)
        if report.rejected:
            (error,) = report.rejected
            event(f"rejected: {error.field}")
            assert error.field.split(".")[0] in FIELDS and error.reason
            assert not articles
            return
        (article,) = articles
        event("published")
        syndicate.build(config)
        feeds = folder / "feeds"
        atom = feedparser.parse((feeds / "atom.xml").read_bytes())
        rss = feedparser.parse((feeds / "rss.xml").read_bytes())
        (entry,) = atom.entries
        assert not atom.bozo and not rss.bozo
        assert entry.title == as_feedparser_reads(article.title)
        assert entry.summary == as_feedparser_reads(article.summary)
        assert rss.entries[0].title == as_feedparser_reads(article.title)
        items = json.loads((feeds / "feed.json").read_text(encoding="utf-8"))["items"]
        assert (items[0]["title"], items[0]["summary"]) == (article.title, article.summary)

        share = syndicate.share_payload(article, config)["share"]
        for network, key, parameter in (("facebook", "url", "u"), ("line", "url", "url"),
                                        ("x", "url", "url")):
            query = parse_qs(urlsplit(share[network][key]).query)
            assert query[parameter] == [article.url]
        # the same URL once decoded, less an empty "?" or "#" (urlunsplit's reading)
        assert unquote(article.url) == unquote(urlunsplit(urlsplit(raw["url"].strip())))
        tweet = share["x"]["tweet"]
        assert parse_tweet(tweet).weightedLength == share["x"]["weighted_length"] <= 280
