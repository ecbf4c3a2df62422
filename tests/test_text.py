"""Summaries: derived from the content when a record has none, cut by characters at a sentence
end, never inside a character or an emoji sequence."""

from __future__ import annotations

import pytest
from conftest import record

from syndicate.text import clip, columns, excerpt, fit, graphemes, html_to_text, safe_cut

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



FAMILY = "👨\u200d👩\u200d👧\u200d👦"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # a tag sequence


@pytest.mark.parametrize(("text", "clusters"), [
    ("", []),
    ("臺灣", ["臺", "灣"]),
    ("🇹🇼🇯🇵🇰", ["🇹🇼", "🇯🇵", "🇰"]),              # flags pair from the start of the run
    (f"{FAMILY}x", [FAMILY, "x"]),                  # a ZWJ family is one character
    ("e\u0301\u0323a", ["e\u0301\u0323", "a"]),    # combining marks stay with their letter
    ("1\ufe0f\u20e3👍🏽", ["1\ufe0f\u20e3", "👍🏽"]),  # keycap; skin tone
    (f"a{SCOTLAND}", ["a", SCOTLAND]),
])
def test_graphemes_keep_characters_whole(text, clusters):
    assert list(graphemes(text)) == clusters


@pytest.mark.parametrize(("text", "width"), [
    ("abc", 3),
    ("臺灣", 4),
    ("ＡＢ", 4),            # full-width Latin
    ("🇹🇼", 2),
    (FAMILY, 2),
    (SCOTLAND, 2),
    ("👍🏽", 2),
    ("☀", 1), ("☀\ufe0f", 2),  # text presentation 1, emoji presentation 2
    ("e\u0301", 1),
    ("\u200b\x00", 0),     # format and control characters take no room
    ("…", 1),               # East Asian ambiguous: 1 (fit reserves 2 for its own "…")
])
def test_columns_count_cjk_and_emoji_as_two(text, width):
    assert columns(text) == width


@pytest.mark.parametrize(("text", "budget", "shown"), [
    ("臺灣", 4, "臺灣"),                        # fits: unchanged, no ellipsis
    ("臺灣新聞網站", 8, "臺灣新…"),               # 6 columns of text, 2 of "…"
    ("🇹🇼🇹🇼🇹🇼", 5, "🇹🇼…"),
    ("Taiwan 臺灣新聞", 10, "Taiwan…"),          # the space before the cut goes
    ("cafe\u0301 au lait", 7, "cafe\u0301…"),
    (f"家{FAMILY}庭院", 6, f"家{FAMILY}…"),
    (f"家{FAMILY}庭院", 5, "家…"),               # the family does not fit whole: it goes whole
])
def test_fit_cuts_to_a_column_budget_on_a_grapheme(text, budget, shown):
    assert fit(text, budget) == shown


@pytest.mark.parametrize(("text", "limit", "cut"), [
    ("🇹a", 1, 1),                 # a lone regional indicator is a whole character
    ("🇹🇼🇯a", 3, 3),
    ("a\u200d🇹🇼", 3, 0),          # a flag after a joiner belongs to the joined sequence
])
def test_safe_cut_follows_the_grapheme_rule_for_regional_indicators(text, limit, cut):
    # safe_cut and graphemes share one rule: the cut is where graphemes() ends a character
    assert safe_cut(text, limit) == cut


def test_clip_cuts_on_a_grapheme_drops_the_space_and_appends_the_ellipsis():
    assert clip("臺灣 新聞", 3) == "臺灣…"
    assert clip("ab👍🏽cd", 3) == "ab…"
    assert clip("臺灣新聞", 3, "...") == "臺灣新..."

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
