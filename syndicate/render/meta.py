"""The <head> fragment of an article page (Open Graph, Twitter Card, JSON-LD, canonical and feed
links) and the per-article share payload. Pure: an article and the config in, text out.

Text was entity-decoded once on the way in; here every value is HTML-escaped exactly once, and
JSON-LD escapes <, > and & so that "</script>" in a title cannot end its script element.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..config import Config
from ..dates import rfc3339
from ..records import Article, Image
from ..report import compact_json
from ..text import excerpt
from .feeds import FORMATS, FeedSpec
from .share import ShareLinks, buttons_html, share_links

OG_DESCRIPTION_CHARS = 300
TWITTER_TITLE_CHARS = 70
TWITTER_DESCRIPTION_CHARS = 200
HEADLINE_CHARS = 110  # Google's limit for a NewsArticle headline
# Google Discover shows an image large when it is at least this wide and the page allows it
# (max-image-preview:large); it advises against the site logo as the image (research/partners.md).
DISCOVER_WIDTH = 1200
ROBOTS = "max-image-preview:large"
_REPEATED = ("article:tag", "article:author")
# Names that are organisations (agencies, companies) rather than people, for JSON-LD authors.
_ORGANISATION = re.compile(r"(院|部|署|局|會|處|府|所|中心|公司|協會|總會|委員會|編輯部|新聞網)$")


def lead_image(article: Article, config: Config) -> Image | None:
    """The article's image, else the configured default image, else the site logo."""
    if article.image:
        return article.image
    if config.share.default_image:
        return Image(**config.share.default_image)
    return Image(url=config.site.logo) if config.site.logo else None


def discover_problem(article: Article, config: Config) -> str | None:
    """Why Google Discover would not show the article's own image large: "logo" (it is the site
    logo) or "narrow" (known to be under DISCOVER_WIDTH); None for neither, an image of unknown
    width, or no image of its own (a configured image stands in: preview's no-image row)."""
    image = article.image
    if image is None:
        return None
    if image.url == config.site.logo:
        return "logo"
    return "narrow" if image.width and image.width < DISCOVER_WIDTH else None


def discover_warning(article: Article, config: Config) -> str | None:
    """The build's warning line for discover_problem, without the article's file name."""
    problem = discover_problem(article, config)
    if problem == "logo":
        return "lead image is the site logo; Google Discover wants an image of the article"
    if problem == "narrow" and article.image:
        return (f"lead image {article.image.width} px wide; Google Discover shows large images "
                f"from {DISCOVER_WIDTH} px")
    return None


def open_graph(article: Article, config: Config) -> list[tuple[str, str]]:
    """Open Graph and article:* properties, in the order Facebook documents them."""
    section = config.category(article.category)
    tags: list[tuple[str, str]] = [
        ("og:type", "article"),
        ("og:title", article.title),
        ("og:description", excerpt(article.summary, OG_DESCRIPTION_CHARS)),
        ("og:url", article.url),
        ("og:site_name", config.site.title),
        ("og:locale", config.site.language.replace("-", "_")),
    ]
    image = lead_image(article, config)
    if image:
        tags += image_properties(image)
    tags += [("article:published_time", rfc3339(article.published)),
             ("article:modified_time", rfc3339(article.updated))]
    if section:
        tags.append(("article:section", section.name))
    tags += [("article:tag", tag) for tag in article.tags]
    tags += [("article:author", name) for name in article.authors]
    if config.share.fb_app_id:
        tags.append(("fb:app_id", config.share.fb_app_id))
    return tags


def image_properties(image: Image) -> list[tuple[str, str]]:
    """og:image and the structured properties of it that are known."""
    tags = [("og:image", image.url)]
    if image.url.startswith("https:"):
        tags.append(("og:image:secure_url", image.url))
    return tags + [(f"og:image:{key}", str(value)) for key, value in
                   (("type", image.type), ("width", image.width), ("height", image.height),
                    ("alt", image.alt)) if value]


def twitter_card(article: Article, config: Config) -> list[tuple[str, str]]:
    tags = [("twitter:card", "summary_large_image")]
    if config.share.twitter_site:
        tags.append(("twitter:site", config.share.twitter_site))
    tags += [("twitter:title", excerpt(article.title, TWITTER_TITLE_CHARS)),
             ("twitter:description", excerpt(article.summary, TWITTER_DESCRIPTION_CHARS))]
    image = lead_image(article, config)
    if image:
        tags.append(("twitter:image", image.url))
        if image.alt:
            tags.append(("twitter:image:alt", image.alt))
    return tags


def json_ld(article: Article, config: Config,
            related: Sequence[Article] = ()) -> dict[str, Any]:
    """A schema.org NewsArticle as Google's article rich results read it. The related
    articles are the `relatedLink` of its page (schema.org has that property on WebPage only)."""
    section = config.category(article.category)
    publisher: dict[str, Any] = {"@type": "Organization", "name": config.site.title,
                                 "url": config.site.url}
    if config.site.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": config.site.logo}
    page: dict[str, Any] = {"@type": "WebPage", "@id": article.url}
    if related:
        page["relatedLink"] = [other.url for other in related]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": excerpt(article.title, HEADLINE_CHARS),
        "description": excerpt(article.summary, OG_DESCRIPTION_CHARS),
        "url": article.url,
        "mainEntityOfPage": page,
        "datePublished": rfc3339(article.published),
        "dateModified": rfc3339(article.updated),
        "inLanguage": config.site.language,
        "publisher": publisher,
    }
    if article.authors:
        data["author"] = [{"@type": "Organization" if _ORGANISATION.search(name) else "Person",
                           "name": name} for name in article.authors]
    image = lead_image(article, config)
    if image:
        data["image"] = {"@type": "ImageObject", "url": image.url,
                         **{key: value for key, value in (("width", image.width),
                                                          ("height", image.height)) if value}}
    if section:
        data["articleSection"] = section.name
    if article.tags:
        data["keywords"] = list(article.tags)
    return data


def feed_links(article: Article, config: Config) -> list[tuple[str, str, str]]:
    """(media type, title, href) of the article's category feeds, then the site feeds."""
    specs = [FeedSpec.for_site(config)]
    section = config.category(article.category)
    if section:
        specs.insert(0, FeedSpec.for_category(config, section))
    return [link for spec in specs for link in spec_links(spec, config)]


def spec_links(spec: FeedSpec, config: Config) -> list[tuple[str, str, str]]:
    """(media type, title, href) of one feed's three formats."""
    return [(fmt.media_type, spec.title, spec.url(config, fmt.filename)) for fmt in FORMATS]


def script_json(value: object) -> str:
    """JSON that is safe inside <script>: no <, > or & that HTML could read as markup."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_NEEDS_ESCAPE = re.compile("[&<>\"']")


def attr(value: str) -> str:
    """A value as it stands in a double-quoted attribute: HTML-escaped once."""
    # Most values hold nothing to escape; looking costs a fifth of html.escape's five replaces.
    return html.escape(value, quote=True) if _NEEDS_ESCAPE.search(value) else value


def meta_lines(properties: Sequence[tuple[str, str]], names: Sequence[tuple[str, str]]
               ) -> list[str]:
    """<meta property> for Open Graph pairs, then <meta name> for Twitter Card pairs."""
    return ([f'<meta property="{key}" content="{attr(value)}">' for key, value in properties]
            + [f'<meta name="{key}" content="{attr(value)}">' for key, value in names])


def alternate_lines(links: Sequence[tuple[str, str, str]]) -> list[str]:
    """Feed autodiscovery: one <link rel="alternate"> per (media type, title, href)."""
    return [f'<link rel="alternate" type="{kind}" title="{attr(title)}" href="{attr(href)}">'
            for kind, title, href in links]


def head_html(article: Article, config: Config, related: Sequence[Article] = (),
              labels: Sequence[FeedSpec] = ()) -> str:
    """The <head> fragment for the article's page: paste it inside <head>.

    :param related: its related articles, resolved (query.related_articles), for the JSON-LD.
    :param labels: the published feeds of its tags and authors (labels.article_label_specs),
        linked for autodiscovery after its category's and the site's.
    """
    return _head(article, config, open_graph(article, config), twitter_card(article, config),
                 json_ld(article, config, related), labels)


def share_payload(article: Article, config: Config,
                  related: Sequence[Article] = ()) -> dict[str, Any]:
    """Everything a page needs to share one article: links, texts, metadata, buttons.

    :param related: its related articles, resolved (query.related_articles).
    """
    return _payload(article, _Parts.of(article, config, related), related)


def article_files(article: Article, config: Config, related: Sequence[Article] = (),
                  labels: Sequence[FeedSpec] = ()) -> tuple[bytes, bytes]:
    """The article's two files: compact_json(share_payload(...)) and head_html(...) as UTF-8,
    with the share links, Open Graph, Twitter Card and JSON-LD computed once for both: the
    build writes these for every article.

    :param related: its related articles, resolved (query.related_articles).
    :param labels: the published feeds of its tags and authors (labels.article_label_specs).
    """
    parts = _Parts.of(article, config, related)
    # The JSON-LD is encoded in each file: splicing one encoding into the payload's JSON
    # measured slower than the C encoder going over it again.
    return (compact_json(_payload(article, parts, related)),
            _head(article, config, parts.open_graph, parts.twitter, parts.json_ld,
                  labels).encode("utf-8"))


class _Parts(NamedTuple):
    """What both files of an article are made of, computed once for the two."""

    links: ShareLinks
    open_graph: list[tuple[str, str]]
    twitter: list[tuple[str, str]]
    json_ld: dict[str, Any]

    @classmethod
    def of(cls, article: Article, config: Config, related: Sequence[Article]) -> _Parts:
        return cls(share_links(article, config), open_graph(article, config),
                   twitter_card(article, config), json_ld(article, config, related))


def _head(article: Article, config: Config, properties: Sequence[tuple[str, str]],
          names: Sequence[tuple[str, str]], ld: dict[str, Any],
          labels: Sequence[FeedSpec] = ()) -> str:
    lines = [f'<meta name="robots" content="{attr(ROBOTS)}">'] if config.share.robots else []
    lines.append(f'<link rel="canonical" href="{attr(article.url)}">')
    lines += meta_lines(properties, names)
    lines.append(_alternates(config, article))
    lines += alternate_lines([link for spec in labels for link in spec_links(spec, config)])
    lines.append(f'<script type="application/ld+json">{script_json(ld)}</script>')
    return "\n".join(lines) + "\n"


def _alternates(config: Config, article: Article) -> str:
    """The feed autodiscovery lines of the article: the same for every article of its
    category, so made once per config and category."""
    known = _ALTERNATES.get(id(config))
    if known is None or known[0] is not config:  # an id is reused once its config is gone
        if len(_ALTERNATES) >= 8:
            _ALTERNATES.clear()
        known = _ALTERNATES[id(config)] = (config, {})
    lines = known[1].get(article.category)
    if lines is None:
        lines = known[1][article.category] = "\n".join(alternate_lines(feed_links(article,
                                                                                  config)))
    return lines


_ALTERNATES: dict[int, tuple[Config, dict[str, str]]] = {}


def _payload(article: Article, parts: _Parts, related: Sequence[Article]) -> dict[str, Any]:
    links, tweet = parts.links, parts.links.tweet
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "share": {
            "facebook": {"url": links.facebook},
            "line": {"url": links.line, "app_url": links.line_app, "text": links.line_text},
            "x": {"url": links.x, "text": tweet.text, "hashtags": list(tweet.hashtags),
                  "via": tweet.via, "tweet": tweet.composed,
                  "weighted_length": tweet.weighted_length},
        },
        "open_graph": _grouped(parts.open_graph),
        "twitter": _grouped(parts.twitter),
        "json_ld": parts.json_ld,
        "related": [{"id": other.id, "url": other.url, "title": other.title}
                    for other in related],
        "buttons_html": buttons_html(links),
    }


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Properties as a mapping; the ones that may repeat hold lists."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in _REPEATED:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out
