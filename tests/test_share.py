"""Share links and page metadata, read back by independent consumers: extruct for Open Graph and
JSON-LD, the standard library's HTML parser for the rest, urllib for the links."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import extruct
import pytest
from conftest import EXAMPLE_CONFIG, record

import syndicate
from syndicate.records import safe_name
from syndicate.render.feeds import labels
from syndicate.text import excerpt
from syndicate.tweet import weighted_length

SHARE = {"x_via": "nchn_news", "utm_campaign": "spring share", "fb_app_id": "1234567890"}


class _Head(HTMLParser):
    """Every tag of a head fragment with its attributes, and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _head(fragment: str) -> _Head:
    parser = _Head()
    parser.feed(fragment)
    parser.close()
    return parser


def _names(fragment: str, attribute: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag, attrs in _head(fragment).tags:
        if tag == "meta" and attrs.get(attribute):
            out.setdefault(attrs[attribute], []).append(attrs["content"])
    return out


def _opengraph(fragment: str) -> dict[str, list[str]]:
    page = f"<html><head>{fragment}</head><body></body></html>"
    data = extruct.extract(page, base_url="https://nchn.example.com/",
                           syntaxes=["opengraph", "json-ld"], uniform=False)
    out: dict[str, list[str]] = {}
    for key, value in data["opengraph"][0]["properties"]:
        out.setdefault(key, []).append(value)
    out["json-ld"] = data["json-ld"]
    return out


def _query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query, keep_blank_values=True)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    output = tmp_path_factory.mktemp("example") / "feeds"
    config = syndicate.load_config(EXAMPLE_CONFIG)
    assert syndicate.build(config, output=output).exit_code == 0
    articles, _ = syndicate.load_articles(config)
    return config, output, articles


def test_every_article_gets_a_payload_and_a_head_fragment(example):
    _config, output, articles = example
    names = sorted(p.name for p in (output / "articles").iterdir())
    assert names == sorted(f"{safe_name(a.id)}.{ext}" for a in articles for ext in ("html", "json"))


def test_head_metadata_equals_the_record(example):
    config, output, articles = example
    for article in articles:
        fragment = (output / "articles" / f"{safe_name(article.id)}.html").read_text("utf-8")
        og = _opengraph(fragment)
        assert og["og:title"] == [article.title]
        assert og["og:type"] == ["article"]
        assert og["og:url"] == [article.url]
        assert og["og:description"] == [excerpt(article.summary, 300)]
        assert og["og:locale"] == ["zh_TW"]
        image = article.image
        if image:
            assert og["og:image"] == [image.url]
            if image.width:
                assert og["og:image:width"] == [str(image.width)]
                assert og["og:image:height"] == [str(image.height)]
            if image.alt:
                assert og["og:image:alt"] == [image.alt]
        else:
            assert og["og:image"] == [config.share.default_image["url"]]
        assert og["article:section"] == [labels(config, article)[0]]
        assert og.get("article:tag", []) == list(article.tags)
        assert og.get("article:author", []) == list(article.authors)
        assert og["article:published_time"] == [article.published.isoformat()]
        assert og["article:modified_time"] == [article.updated.isoformat()]

        twitter = _names(fragment, "name")
        assert twitter["twitter:card"] == ["summary_large_image"]
        assert twitter["twitter:site"] == ["@nchn_news"]
        assert twitter["twitter:title"] == [excerpt(article.title, 70)]
        assert len(twitter["twitter:title"][0]) <= 70
        assert len(twitter["twitter:description"][0]) <= 200
        assert twitter["twitter:image"] == og["og:image"]

        (ld,) = og["json-ld"]
        assert ld["@type"] == "NewsArticle"
        assert ld["headline"] == excerpt(article.title, 110)
        assert ld["mainEntityOfPage"]["@id"] == article.url
        assert ld["datePublished"] == article.published.isoformat()
        assert [a["name"] for a in ld.get("author", [])] == list(article.authors)
        assert ld["publisher"]["logo"]["url"] == config.site.logo


def test_canonical_and_feed_autodiscovery_links(example):
    _config, output, articles = example
    article = next(a for a in articles if a.category == "society")
    links = [attrs for tag, attrs in _head((output / "articles" /
                                            f"{safe_name(article.id)}.html").read_text("utf-8")
                                           ).tags if tag == "link"]
    assert links[0] == {"rel": "canonical", "href": article.url}
    assert [(link["type"], link["href"]) for link in links[1:]] == [
        ("application/rss+xml", "https://nchn.example.com/feeds/society/rss.xml"),
        ("application/atom+xml", "https://nchn.example.com/feeds/society/atom.xml"),
        ("application/feed+json", "https://nchn.example.com/feeds/society/feed.json"),
        ("application/rss+xml", "https://nchn.example.com/feeds/rss.xml"),
        ("application/atom+xml", "https://nchn.example.com/feeds/atom.xml"),
        ("application/feed+json", "https://nchn.example.com/feeds/feed.json"),
    ]


def test_every_sample_tweet_fits_and_reports_its_true_length(example):
    _config, output, articles = example
    for article in articles:
        payload = json.loads((output / "articles" / f"{safe_name(article.id)}.json").read_text())
        x = payload["share"]["x"]
        assert x["weighted_length"] == weighted_length(x["tweet"]) <= 280
        query = _query(x["url"])
        assert query["text"] == [x["text"]]
        assert query["via"] == ["nchn_news"]


def _site_with(site, **fields):
    site.write_records([record(**fields)])
    site.write_config(share=SHARE)
    return syndicate.load_config(site.config)


def test_share_links_decode_to_the_url_with_utm_and_its_own_query_and_fragment(site):
    url = "https://nchn.example.com/新聞/2026/卓揆?ref=首頁&page=2#第二段"
    encoded = ("https://nchn.example.com/%E6%96%B0%E8%81%9E/2026/%E5%8D%93%E6%8F%86"
               "?ref=%E9%A6%96%E9%A0%81&page=2")
    config = _site_with(site, url=url)
    (article,), _ = syndicate.load_articles(config)
    share = syndicate.share_payload(article, config)["share"]

    def shared(network: str) -> str:
        return (f"{encoded}&utm_source={network}&utm_medium=social&utm_campaign=spring%20share"
                "#%E7%AC%AC%E4%BA%8C%E6%AE%B5")

    assert share["facebook"]["url"].startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert _query(share["facebook"]["url"]) == {"u": [shared("facebook")]}
    assert share["line"]["url"].startswith("https://social-plugins.line.me/lineit/share?url=")
    assert _query(share["line"]["url"]) == {"url": [shared("line")]}
    assert share["line"]["app_url"].startswith("https://line.me/R/share?text=")
    assert _query(share["line"]["app_url"]) == {"text": [f"{article.title} {shared('line')}"]}
    assert share["x"]["url"].startswith("https://x.com/intent/tweet?text=")
    assert _query(share["x"]["url"])["url"] == [shared("x")]
    for link in (share["facebook"]["url"], share["line"]["url"], share["line"]["app_url"],
                 share["x"]["url"]):
        assert "+" not in link and " " not in link and link.isascii()


def test_hostile_text_is_escaped_once_and_never_a_tag(site):
    config = _site_with(
        site, title='"><script>alert(1)</script>&amp; 卓揆 <b>強強聯手</b>',
        summary="摘要 </script><script>alert(2)</script> 結束。",
        tags=["AI 新十大建設", "#燈會", "R&D", "C++"], author='行政院"><img src=x>',
        image={"url": "https://nchn.example.com/a.jpg", "alt": '"><svg onload=alert(3)>'})
    (article,), _ = syndicate.load_articles(config)
    assert article.title == '">& 卓揆 強強聯手'  # markup dropped, the entity decoded once
    fragment = syndicate.head_html(article, config)
    head = _head(fragment)
    assert [tag for tag, _ in head.tags if tag not in ("meta", "link", "script")] == []
    assert len(head.scripts) == 1 and "</script" not in head.scripts[0].lower()
    ld = json.loads(head.scripts[0])
    assert ld["headline"] == article.title
    assert ld["description"] == article.summary
    og = _names(fragment, "property")
    assert og["og:title"] == [article.title]
    assert og["og:image:alt"] == ['"&gt;'.replace("&gt;", ">")]
    for values in (*og.values(), *_names(fragment, "name").values()):
        for value in values:
            assert "<" not in value and "&amp;" not in value and "&lt;" not in value
    share = syndicate.share_payload(article, config)["share"]
    utm = "utm_medium=social&utm_campaign=spring%20share"
    assert _query(share["facebook"]["url"]) == {
        "u": [f"{article.url}?utm_source=facebook&{utm}"]}
    assert _query(share["line"]["app_url"]) == {
        "text": [f"{article.title} {article.url}?utm_source=line&{utm}"]}
    x = _query(share["x"]["url"])
    assert x["url"] == [f"{article.url}?utm_source=x&{utm}"]
    assert x["text"] == [article.title]
    assert x["hashtags"] == ["AI新十大建設,燈會,RD,C"]
    buttons = syndicate.share_payload(article, config)["buttons_html"]
    assert [tag for tag, _ in _head(buttons).tags] == ["div", "a", "a", "a"]


def test_buttons_are_plain_links_labelled_as_on_the_seed_page(site):
    config = _site_with(site)
    (article,), _ = syndicate.load_articles(config)
    payload = syndicate.share_payload(article, config)
    anchors = [attrs for tag, attrs in _head(payload["buttons_html"]).tags if tag == "a"]
    assert [a["href"] for a in anchors] == [payload["share"]["facebook"]["url"],
                                           payload["share"]["line"]["url"],
                                           payload["share"]["x"]["url"]]
    assert {(a["target"], a["rel"]) for a in anchors} == {("_blank", "noopener noreferrer")}
    assert "分享到Facebook" in payload["buttons_html"]
    assert "分享到LINE" in payload["buttons_html"]
    assert "分享到Twitter" in payload["buttons_html"]
    assert "<script" not in payload["buttons_html"] and "onclick" not in payload["buttons_html"]


def test_no_utm_without_a_campaign(site):
    site.write_records([record()])
    site.write_config()
    config = syndicate.load_config(site.config)
    (article,), _ = syndicate.load_articles(config)
    share = syndicate.share_payload(article, config)["share"]
    assert _query(share["facebook"]["url"]) == {"u": [article.url]}
    assert "via" not in _query(share["x"]["url"])


def test_articles_no_longer_published_lose_their_files(site, run):
    site.write_records([record(id="a"), record(id="b")])
    run("build", "--config", site.config)
    assert sorted(p.name for p in (site.feeds / "articles").iterdir()) == [
        "a.html", "a.json", "b.html", "b.json"]
    site.write_records([record(id="a")])
    result = run("build", "--config", site.config, "-v")
    assert result.code == 0
    assert sorted(p.name for p in (site.feeds / "articles").iterdir()) == ["a.html", "a.json"]
    assert "removed   articles/b.html\nremoved   articles/b.json\n" in result.out


def test_share_command_prints_one_article(site, run):
    site.write_records([record(id="2026020401"), record(id="2026020402")])
    site.write_config(share=SHARE)
    result = run("share", "2026020401", "--config", site.config)
    assert result.code == 0
    payload = json.loads(result.out)
    config = syndicate.load_config(site.config)
    article = syndicate.find_article(config, "2026020401")
    assert payload == json.loads(json.dumps(syndicate.share_payload(article, config)))
    head = run("share", "https://nchn.example.com/2026/02/04/2026020401/", "--config",
               site.config, "--format", "head")
    assert head.out == syndicate.head_html(article, config)
    buttons = run("share", "2026020401", "--config", site.config, "--format", "buttons")
    assert buttons.out == payload["buttons_html"] + "\n"


def test_share_command_names_the_closest_ids_for_an_unknown_one(site, run):
    site.write_records([record(id="2026020401"), record(id="2026020402"), record(id="x")])
    result = run("share", "2026020403", "--config", site.config)
    assert result.code == 1
    assert result.err == ("syndicate: error: no published article has the id or URL "
                          "'2026020403'; the closest ids are 2026020401, 2026020402\n")


def test_the_head_fragment_file_equals_the_api(example):
    config, output, articles = example
    for article in articles[:5]:
        path: Path = output / "articles" / f"{safe_name(article.id)}.html"
        assert path.read_text("utf-8") == syndicate.head_html(article, config)


def test_encode_equals_urllib_quote_for_any_text():
    import random
    from urllib.parse import quote

    from syndicate.render.share import encode

    rng = random.Random(7)
    alphabet = [chr(c) for c in (*range(32, 127), 0xA0, 0xE9, 0x300C, 0x81FA, 0x1F1F9, 0x1F600)]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert encode(text) == quote(text, safe="")


def test_the_build_writes_the_bytes_of_the_api_for_every_article(example):
    # issue 14: the build renders both files from pieces computed once and the JSON-LD encoded
    # once; the bytes stay those of compact_json(share_payload) and head_html.
    from syndicate.render.meta import article_files
    from syndicate.report import compact_json

    config, output, articles = example
    for number, article in enumerate(articles):
        related = articles[number + 1:number + 3]
        expected = (compact_json(syndicate.share_payload(article, config, related)),
                    syndicate.head_html(article, config, related).encode("utf-8"))
        assert article_files(article, config, related) == expected
        if not related:  # as the build wrote them (the example's records name none)
            name = output / "articles" / safe_name(article.id)
            assert (name.with_suffix(".json").read_bytes(),
                    name.with_suffix(".html").read_bytes()) == expected


@pytest.mark.parametrize("url", [
    "https://nchn.example.com/a/", "https://nchn.example.com", "https://nchn.example.com?",
    "https://nchn.example.com/a?b=1", "https://nchn.example.com/a?b=1#c", "https://h.example/#",
    "https://h.example/a#frag?x=1", "https://h.example/a?#", "https://h.example/a??x#y#z",
    "http://h.example:8080/%E5%8D%93?q=%20#%E6%8F%86", "https://[::1]/a?b#c",
])
def test_utm_parameters_go_where_urllib_puts_them(url):
    from urllib.parse import urlunsplit

    from syndicate.render.share import query, with_utm

    parts = urlsplit(url)
    utm = query([("utm_source", "x"), ("utm_medium", "social"), ("utm_campaign", "春 節&")])
    expected = urlunsplit(parts._replace(query=f"{parts.query}&{utm}" if parts.query else utm))
    assert with_utm(url, "x", "春 節&") == expected
    assert with_utm(url, "x", None) == url
