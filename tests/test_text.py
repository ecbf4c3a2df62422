"""Summaries: derived from the content when a record has none, cut by characters at a sentence
end, never inside a character or an emoji sequence."""

from __future__ import annotations

import pytest
from conftest import record

from syndicate.text import excerpt, html_to_text, safe_cut

BODY = ("行政院長卓榮泰今(4)日接見「日本臺灣商會聯合總會回國訪問團」一行時表示,臺灣正全力推動"
        "「AI新十大建設」,盼與日本政府及民間產業進行更多連結。" * 3)


def test_a_missing_summary_is_the_contents_first_sentences(site, run):
    site.write_records([record(summary=None, content_html=f"<p>{BODY}</p><p>第二段。</p>")])
    assert run("build", "--config", site.config).code == 0
    summary = site.json("feed.json")["items"][0]["summary"]
    assert summary.endswith("連結。")
    assert len(summary) <= 160 and BODY.startswith(summary)


def test_html_to_text_decodes_entities_once_and_drops_scripts():
    markup = "<p>A &amp;amp; B&#8220;</p><script>alert(1)</script><style>p{}</style><br>C"
    assert html_to_text(markup) == "A &amp; B“ C"


def test_excerpt_prefers_a_sentence_end():
    text = "第一句話在這裡。第二句話比較長一點點,還沒有結束"
    assert excerpt(text, 14) == "第一句話在這裡。"  # the sentence end is past half the budget
    assert excerpt(text, 20) == "第一句話在這裡。第二句話比較長一點點,…"  # it is not


def test_excerpt_without_a_sentence_end_cuts_and_adds_an_ellipsis():
    assert excerpt("臺" * 30, 10) == "臺" * 9 + "…"


@pytest.mark.parametrize(("text", "limit", "cut"), [
    ("ab👨\u200d👩\u200d👧cd", 4, 2),       # inside a ZWJ family: before it
    ("a🇹🇼🇯🇵", 2, 1),                        # between the two halves of a flag
    ("a🇹🇼🇯🇵", 3, 3),                        # after a whole flag
    ("1\ufe0f\u20e3x", 1, 0),                # a keycap is one character
    ("e\u0301x", 1, 0),                      # a combining accent stays with its letter
    ("臺灣", 1, 1),
])
def test_safe_cut_never_splits_a_grapheme(text, limit, cut):
    assert safe_cut(text, limit) == cut


@pytest.mark.parametrize(("markup", "text"), [
    ("&lt;script&gt;alert(1)&lt;/script&gt; 已編碼", "已編碼"),  # markup spelled by entities
    ("&lt;b&gt;粗體&lt;/b&gt;", "粗體"),
    ("數學題「1 &lt; 2 &gt; 0」", "數學題「1 < 2 > 0」"),  # not a tag: kept as text
    ("我 &lt;3 台灣", "我 <3 台灣"),
    ("abc\u202egnp.exe \u2066x\u2069", "abcgnp.exe x"),  # bidi overrides and isolates go
    ("\u200f右至左標記", "\u200f右至左標記"),  # a right-to-left mark stays
])
def test_plain_text_holds_no_tag_and_no_bidi_override(markup, text):
    assert html_to_text(markup) == text
