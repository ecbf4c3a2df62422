"""Tweet length by twitter-text v3, checked against the official conformance cases (copied with
their licence under tests/fixtures/twitter-text/), and tweet composition under 280."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import yaml

from syndicate.tweet import (
    MAX_WEIGHTED_LENGTH,
    compose_tweet,
    hashtag,
    parse_tweet,
    weighted_length,
)

CONF = Path(__file__).parent / "fixtures" / "twitter-text"
SECTION_CONFIG = {  # as twitter-text's own conformance runners pair them
    "WeightedTweetsCounterTest": "v2",
    "WeightedTweetsWithDiscountedEmojiCounterTest": "v3",
    "UnicodeDirectionalMarkerCounterTest": "v3",
}
VALIDATE = yaml.safe_load((CONF / "validate.yml").read_text(encoding="utf-8"))["tests"]
EXTRACT = yaml.safe_load((CONF / "extract.yml").read_text(encoding="utf-8"))["tests"]
CASES = [(section, config, case) for section, config in SECTION_CONFIG.items()
         for case in VALIDATE[section]]
URL = "https://nchn.example.com/2026/02/04/%E5%8D%93%E6%8F%86/?utm_source=x"


@pytest.mark.parametrize(("section", "config", "case"), CASES,
                         ids=[f"{s}: {c['description']}" for s, _, c in CASES])
def test_conformance_weighted_length(section, config, case):
    cfg = json.loads((CONF / "config" / f"{config}.json").read_text(encoding="utf-8"))
    result = parse_tweet(case["text"], cfg)
    expected = case["expected"]
    assert result.weighted_length == expected["weightedLength"]
    assert result.valid == expected["valid"]
    assert result.permillage == expected["permillage"]
    assert result.display_range == (expected["displayRangeStart"], expected["displayRangeEnd"])
    assert result.valid_range == (expected["validRangeStart"], expected["validRangeEnd"])


def test_all_conformance_sections_ran():
    assert len(CASES) == 44


@pytest.mark.parametrize(("text", "length"), [
    ("臺灣", 4),                                   # CJK counts 2
    ("「強強聯手」", 12),                            # full-width punctuation counts 2
    ("AI新十大建設", 12),                           # ASCII 1, CJK 2
    ("卓揆:臺日", 9),                               # ASCII colon counts 1
    ("…", 2),                                      # U+2026 is outside the weight-1 ranges
    ("—“”", 3),                                    # U+2014, U+201C, U+201D count 1
    ("🇹🇼", 2),                                     # a flag is one emoji
    ("👨\u200d👩\u200d👧\u200d👦", 2),               # a ZWJ family is one emoji
    ("1\ufe0f\u20e3", 2),                          # a keycap is one emoji
    ("👍🏽", 2),                                     # skin tone modifier
    ("e\u0301", 1),                                # NFC first: é counts 1
    ("看 https://nchn.example.com/%E5%8D%93/" + "x" * 100, 2 + 1 + 23),  # a URL counts 23
    # A raw Chinese path ends the URL where Twitter's URL rules end it, and the rest counts as
    # text: the reason every shared URL is percent-encoded first.
    ("看 https://nchn.example.com/很長的網址/" + "x" * 100, 2 + 1 + 23 + 10 + 1 + 100),
    ("nchn.example.com 新聞", 23 + 1 + 4),          # a URL without a scheme too
])
def test_weighted_length_of_zh_tw_text(text, length):
    assert weighted_length(text) == length


HEADLINE = "接見「日本臺灣商會聯合總會」回國訪問團 卓揆:臺日「強強聯手」合作 打造更堅固民主供應鏈"


def test_a_title_that_fits_is_kept_whole():
    tweet = compose_tweet(HEADLINE, ["臺日關係", "AI 新十大建設"], URL, "nchn_news")
    assert tweet.text == HEADLINE
    assert tweet.hashtags == ("臺日關係", "AI新十大建設")
    assert tweet.composed == f"{HEADLINE} #臺日關係 #AI新十大建設 {URL} via @nchn_news"
    assert tweet.weighted_length == weighted_length(tweet.composed) == 148


@pytest.mark.parametrize("title", [
    "臺" * 200,
    "🇹🇼" * 150,
    "👨\u200d👩\u200d👧\u200d👦" * 150,
    "Taiwan 臺灣 " * 40,
    "1\ufe0f\u20e3" * 200,
    "é" * 300,
])
def test_a_long_title_is_cut_on_a_grapheme_and_ends_with_an_ellipsis(title):
    tweet = compose_tweet(title, ["燈會", "嘉義"], URL, "nchn_news")
    assert tweet.weighted_length == weighted_length(tweet.composed) <= MAX_WEIGHTED_LENGTH
    assert tweet.weighted_length >= MAX_WEIGHTED_LENGTH - 2  # nothing that still fits was cut
    assert tweet.text.endswith("…")
    kept = tweet.text[:-1].rstrip()
    assert title.startswith(kept)
    assert unicodedata.normalize("NFC", kept) == kept
    rest = title[len(kept):]
    # the cut is on a grapheme boundary: what is left starts a new character
    assert not rest or unicodedata.category(rest[0]) not in ("Mn", "Me", "Mc")
    assert rest[:1] not in ("\u200d", "\ufe0f", "\u20e3")
    flags = sum(1 for char in kept if 0x1F1E6 <= ord(char) <= 0x1F1FF)
    assert flags % 2 == 0


def test_hashtags_go_before_the_title_is_cut_to_nothing():
    tags = [f"標籤{n}號很長的標籤文字" for n in range(20)]
    tweet = compose_tweet("臺灣燈會" * 30, tags, URL, "nchn_news")
    assert tweet.weighted_length <= MAX_WEIGHTED_LENGTH
    assert len(tweet.text) >= 11
    assert 0 < len(tweet.hashtags) < len(tags)


@pytest.mark.parametrize(("tag", "expected"), [
    ("AI 新十大建設", "AI新十大建設"),
    ("臺日關係", "臺日關係"),
    ("Taiwan-Japan", "TaiwanJapan"),
    ("C++ & Python!", "CPython"),
    ("台灣・日本", "台灣・日本"),     # Twitter keeps the katakana middle dot in a hashtag
    ("#燈會", "燈會"),
    ("「燈會」、嘉義。", "燈會嘉義"),
    ("2026", None),                 # all digits: Twitter does not link it
    ("①②", None),                   # not decimal digits either
    ("🇹🇼", None),
    ("", None),
])
def test_hashtags_from_tags(tag, expected):
    assert hashtag(tag) == expected


HASHTAG_CASES = [hashtag for section in ("hashtags", "hashtags_from_astral")
                 for case in EXTRACT[section] for hashtag in case["expected"]]


@pytest.mark.parametrize("expected", HASHTAG_CASES)
def test_every_hashtag_twitter_extracts_is_kept_whole(expected):
    # extract.yml says where Twitter ends a hashtag; a tag that is already such a hashtag
    # must come out unchanged, or the linked hashtag would differ from ours.
    assert hashtag(expected) == unicodedata.normalize("NFC", expected)


def _library_length(text: str) -> int:
    cfg = json.loads((CONF / "config" / "v3.json").read_text(encoding="utf-8"))
    return parse_tweet(text, cfg).weighted_length  # with a config: always the library


PIECES = ["臺灣", "「強強聯手」", "AI新十大建設", " ", "…", "—", "©", "®", "🇹🇼", "👨‍👩‍👧",
          "1️⃣", "👍🏽", "☀", "☀️", "😀", "𠀀", "é", "e\u0301", "Node.js", "\u202e", "#燈會",
          "https://nchn.example.com/2026/%E5%8D%93/?utm_source=x", "via @nchn_news", "〰", "‼",
          "nchn.example.com", "a.b", "x" * 30, "ｘ", "\n"]


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_weight_equals_twitter_text(seed):
    import random

    rng = random.Random(seed)
    for _ in range(50):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 12)))
        assert weighted_length(text) == _library_length(text), repr(text)


@pytest.mark.parametrize(("section", "config", "case"),
                         [c for c in CASES if c[1] == "v3"],
                         ids=[f"{s}: {c['description']}" for s, v, c in CASES if v == "v3"])
def test_conformance_through_the_default_path(section, config, case):
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]


# Pieces that the word-by-word weighing and the dot-and-digit rule must weigh as the library
# does (issue 14): a tweet that needs the library is weighed word by word between spaces.
WORDS = ["長照3.0", "3.0", "v1.2.3", "a.3.com", "3.com", "x.3", "台灣.com", "example.台灣",
         "nchn.example.com", "https://x.3", "https://nchn.example.com/a.3", ".5", "5.",
         "🇹🇼", "👨‍👩‍👧‍👦", "1️⃣", "好消息🎉", "卓揆:臺日", "#燈會", "@nchn_news", "via", "",
         "-nchn.example.com", "$nchn.example.com", "e\u0301", "\u0301", "\r\n", "…",
         "https://nchn.example.com/2026/%E5%8D%93/?utm_source=x&utm_medium=social"]


@pytest.mark.parametrize("seed", range(30))
def test_word_by_word_weight_equals_twitter_text(seed):
    import random

    rng = random.Random(seed)
    for _ in range(60):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(1, 8))]
        for text in (" ".join(words), "".join(words)):
            assert weighted_length(text) == _library_length(text), repr(text)
