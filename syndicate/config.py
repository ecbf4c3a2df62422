"""Load and validate config/site.yaml into frozen dataclasses, reporting every problem at once.

Each problem reads ``file:line: key: what was expected, found what`` so that cron mail points at
the line to fix. Relative paths in the file are relative to the folder that holds it.

Every key is described once, as a field of its section's dataclass made by config_keys.key():
its parser, its help text, and its default or what a missing key should have been. The checker,
the defaults of objects built in Python and docs/config.md (`reference()`) all read those.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from . import config_keys as parse
from .config_keys import absent, fill, found, key, section
from .errors import ConfigError
from .sources import REGISTRY, readers
from .sources.listing import is_glob

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SOURCE_FORMATS = ("auto", "yaml", "json", "jsonl")
UPDATE_PERIODS = ("hourly", "daily", "weekly", "monthly", "yearly")
RECORD_FIELDS = ("id", "url", "title", "category", "published", "updated", "summary",
                 "content_html", "tags", "author", "image", "related")

# libyaml's parser when PyYAML was built with it: a cron run reads the config every time.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@section
class Site:
    title: str = key(parse.text, "the site's name; the site feed's title",
                     required="the site's name")
    url: str = key(parse.folder_url, "the home page, absolute http(s)",
                   required="the home page's absolute https URL")
    description: str = key(parse.text, "the site feed's description", default="",
                           shown="`site.title`")
    language: str = key(parse.language, "a language tag such as `zh-TW` (RSS `language`, Atom "
                        "`xml:lang`)", default="en")
    timezone: str = key(parse.timezone, "an IANA zone such as `Asia/Taipei`, for dates without "
                        "an offset", default="UTC")
    logo: str | None = key(parse.url, "an image URL: the RSS channel image and the Atom logo",
                           default=None)
    feeds_url: str = key(parse.folder_url, "where the output folder is served; self links and "
                         "ids of feeds use it", default="", shown="`site.url` + `feeds/`")
    tag_date: str = key(
        parse.tag_date, "the date part of every `tag:` id (`2026` or `2026-01-01`), and the date "
        "of a feed that has no item yet. Never change it once feeds are public: every id would "
        "change", default="2000")
    author: str = key(parse.text, "the feed-level author, for items that name none", default="",
                      shown="`site.title`")

    def __post_init__(self) -> None:
        fill(self, description=self.title, feeds_url=self.url + "feeds/", author=self.title)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


@section
class Category:
    slug: str = key(parse.matching(SLUG.pattern, "an ASCII slug of a-z, 0-9 and '-'"),
                    "ASCII `a-z 0-9 -`, unique: the category's folder under `feeds/`",
                    required="an ASCII slug")
    name: str = key(parse.text, "the display name (`社會`), unique", required="the display name")
    description: str = key(parse.text, "the category feed's description", default="",
                           shown="the name")
    url: str = key(parse.url, "the category's page, the feed's home link", default="",
                   shown="`site.url`")  # load_config() fills it in

    def __post_init__(self) -> None:
        fill(self, description=self.name)


@section
class Source:
    type: str = key(parse.registered(REGISTRY), "`files` (record files) or `wordpress` (a "
                    "WordPress site's REST API)", default="files")
    path: Path | None = key(
        parse.path, "a records file, a folder of them (every `.yaml`, `.yml`, `.json`, `.jsonl`, "
        "`.ndjson` file in it, in name order) or a glob such as `exports/2026-*.jsonl`",
        default=None, required="a records file")
    format: str = key(parse.one_of(*SOURCE_FORMATS), "`auto`, `yaml`, `json` or `jsonl`",
                      default="auto")
    fields: Mapping[str, str] = key(
        parse.renames(RECORD_FIELDS), "renames your export's keys to the record fields: "
        "`{headline: title, post_id: id}`", default={})
    url: str | None = key(
        parse.folder_url, "the WordPress site's home page; the API is `<url>wp-json/wp/v2/`, or "
        "`<url>?rest_route=` without pretty permalinks", default=None,
        required="the site's home page")
    categories: Mapping[str, str] = key(
        parse.category_map, "maps WordPress categories (slug, name or numeric id) to config "
        "categories (slug or name): `{uncategorized: general, 12: local}`; without an entry a "
        "WordPress category matches a config category of the same slug, then of the same name",
        default={})
    full_sync_hours: int = key(
        parse.whole_number(1, 24 * 365), "how often a run lists every published post (ids and "
        "modification times only) to notice posts unpublished, trashed or deleted", default=24)
    username: str | None = key(
        parse.text, "for a private site: the WordPress user of an [application password]"
        "(https://make.wordpress.org/core/2020/11/05/application-passwords-integration-guide/)",
        default=None)
    password_env: str | None = key(
        parse.env_name, "the environment variable that holds that application password (never "
        "the config file)", default=None)


@section
class Output:
    dir: Path = key(parse.path, "the output folder (`--output` overrides it)",
                    default=Path("feeds"))
    index: Path | None = key(
        parse.path, "the SQLite index of articles; never inside the output folder, where it "
        "would be published", default=None, shown="beside `output.dir` (`feeds.index.sqlite`)")
    items_per_feed: int = key(parse.whole_number(1, 1000), "items in each feed, 1 to 1000",
                              default=50)
    update_period: str = key(parse.one_of(*UPDATE_PERIODS), "RSS `sy:updatePeriod`: `hourly`, "
                             "`daily`, `weekly`, `monthly` or `yearly`", default="hourly")
    update_frequency: int = key(parse.whole_number(1, 1000), "RSS `sy:updateFrequency`",
                                default=1)
    pages: bool = key(parse.boolean, "write `index.html` beside the feeds of the site and of "
                      "each category: the page a person who opens the folder sees (docs/pages.md)."
                      " Off: no page is written, and those syndicate wrote are removed",
                      default=True)
    jobs: int | None = key(parse.whole_number(1, 256), "processes that render the article files "
                           "of a run that renders many (`--jobs` overrides it); the bytes are "
                           "the same whatever the number", default=None,
                           shown="the number of cores")

    def index_path(self) -> Path:
        """The SQLite index: `output.index`, or beside the output folder (never inside it, where
        the web server would publish it)."""
        return self.index or self.dir.with_name(self.dir.name + ".index.sqlite")


@section
class Share:
    x_endpoint: str = key(parse.url, "the X web intent the share link opens",
                          default="https://x.com/intent/tweet")
    x_via: str | None = key(parse.x_account, "an X account (`nchn_news` or `@nchn_news`): "
                            "`via @account` after the tweet", default=None)  # without "@"
    twitter_site: str | None = key(parse.x_account, "the account for `twitter:site`",
                                   default=None, shown="`share.x_via`")  # with "@"
    fb_app_id: str | None = key(parse.numeric_id, "`fb:app_id`, a number", default=None)
    facebook_token_env: str | None = key(
        parse.env_name, "the environment variable that holds a Facebook app access token "
        "(never the config file; see deploy.md): when set, a run that changes a published "
        "article's title, description or image asks Facebook to read its page again",
        default=None)
    facebook_graph: str = key(parse.url, "the Graph API endpoint those requests go to",
                              default="https://graph.facebook.com/")
    utm_campaign: str | None = key(parse.text, "when set, shared URLs get `utm_source`, "
                                   "`utm_medium=social` and this `utm_campaign`", default=None)
    default_image: Mapping[str, Any] | None = key(
        parse.image, "the share image of an article without one: a URL, or `url`, `width`, "
        "`height`, `alt`, `type`", default=None, shown="the site logo")
    robots: bool = key(parse.boolean, "put `<meta name=\"robots\" content=\"max-image-preview:"
                       "large\">` in each head fragment: Google Discover and search show large "
                       "images only with it", default=True)
    related: int = key(parse.whole_number(0, 20), "the most related articles (a record's "
                       "`related`) an article's JSON-LD, share JSON and partner files name",
                       default=3)

    def __post_init__(self) -> None:
        handle = self.twitter_site or self.x_via  # twitter:site is "@" and the account
        object.__setattr__(self, "twitter_site", "@" + handle.removeprefix("@") if handle else None)


@section
class Http:
    timeout: float = key(parse.whole_number(1, 600), "seconds to connect, and to wait for each "
                         "read, on every HTTP request", default=10)
    retries: int = key(
        parse.whole_number(0, 10), "more tries after a connection error, a timeout, HTTP 429 or "
        "5xx: 1 s, 2 s, 4 s … apart, or as `Retry-After` says (up to 120 s; a longer one fails "
        "the run, and the next run tries again)", default=3)
    max_pages: int = key(parse.whole_number(1, 100_000), "the most pages (of 100 posts) one "
                         "WordPress listing may have", default=1000)
    max_response_mb: int = key(parse.whole_number(1, 10_000),
                               "the largest answer read from WordPress", default=50)
    deadline: int = key(parse.whole_number(1, 3600), "seconds one request may take in all: "
                        "connecting and every read together, however slowly the server sends",
                        default=30)


@section
class Deadlines:
    """How long each kind of network work may take in one run (docs/deploy.md): the most a run
    holds the output folder's lock is about their sum."""

    wordpress: int = key(parse.whole_number(1, 86_400), "seconds the WordPress sync may take; "
                         "past it the run fails and publishes nothing", default=900)
    images: int = key(parse.whole_number(1, 86_400), "seconds reading image sizes may take; "
                      "past it the rest are published without a size and read by the next run",
                      default=300)
    pings: int = key(parse.whole_number(1, 86_400), "seconds the WebSub pings and Facebook "
                     "re-scrapes may take; what is not sent stays queued for the next run",
                     default=120)
    uploads: int = key(parse.whole_number(1, 86_400), "seconds the uploads to the object store "
                       "may take; what is not up stays queued for the next run", default=900)


@section
class Images:
    probe: bool = key(parse.boolean, "read the width, height and type of article images that "
                      "have no size from their first bytes", default=True)
    max_bytes: int = key(parse.whole_number(1024, 16 * 1024 * 1024), "how much of an image is "
                         "read at most (a `Range` request)", default=65536)
    allow_private: bool = key(parse.boolean, "fetch images from private, loopback and "
                              "link-local addresses too", default=False)
    retry_hours: int = key(parse.whole_number(1, 24 * 365), "hours after which an image that "
                           "could not be read is tried again", default=24)
    retry_per_run: int = key(parse.whole_number(0, 100_000), "the most images that failed "
                             "before one run tries again, the oldest first (those a run's "
                             "deadline left unread are not counted)", default=50)


@section
class WebSub:
    hubs: tuple[str, ...] = key(
        parse.urls, "WebSub hubs (a URL or a list): every feed links them with `rel=\"hub\"`, and "
        "a run pings them for each feed it changed", default=())


@section
class Sitemaps:
    news: bool = key(parse.boolean, "write `sitemaps/news.xml`, the Google News sitemap of the "
                     "last two days' articles", default=False)
    articles: bool = key(parse.boolean, "write `sitemaps/articles-YYYY-MM.xml`, every article by "
                         "month of publication", default=False)
    publication: str = key(parse.text, "the publication's name in the News sitemap, exactly as "
                           "Google News knows it", default="", shown="`site.title`")


@section
class Partners:
    yahoo: bool = key(parse.boolean, "write `partners/yahoo/rss.xml` for Yahoo奇摩新聞",
                      default=False)
    yahoo_categories: bool = key(parse.boolean, "also `partners/yahoo/<slug>/rss.xml`, one per "
                                 "category", default=False)
    line_today: bool = key(parse.boolean, "write `partners/line-today/articles.xml` for LINE "
                           "TODAY", default=False)
    msn: bool = key(parse.boolean, "write `partners/msn/rss.xml` for MSN Partner Hub",
                    default=False)
    items: int = key(parse.whole_number(1, 1000), "items in the Yahoo and LINE TODAY files",
                     default=0, shown="`output.items_per_feed`")
    msn_items: int = key(parse.whole_number(1, 1000), "items in the MSN file (MSN reads about "
                         "the 20 newest)", default=20)
    msn_require_image: bool = key(parse.boolean, "leave articles without a lead image out of "
                                  "the MSN file", default=False)
    utm_campaign: str = key(parse.text, "`utm_campaign` of the links in partner files (their "
                            "`utm_source` names the partner)", default="partner_feed")


@section
class Archives:
    """Which feeds get monthly archive documents (RFC 5005 section 4, docs/archives.md)."""

    site: bool = key(parse.boolean, "write `archive/YYYY-MM.rss.xml`, `.atom.xml` and `.json` "
                     "for the site feed (every article is in its category's archive already)",
                     default=False)
    categories: bool = key(parse.boolean, "likewise `<slug>/archive/…` for each category feed",
                           default=True)
    tags: bool = key(parse.boolean, "likewise for each tag feed, once tag feeds exist",
                     default=False)
    authors: bool = key(parse.boolean, "likewise for each author feed, once author feeds exist",
                        default=False)

    def follows(self, kind: str) -> bool:
        """Whether feeds of `kind` (FeedSpec.kind: "site", "category", "tag", "author") have
        archives."""
        return {"site": self.site, "category": self.categories, "tag": self.tags,
                "author": self.authors}.get(kind, False)


_MIN_ARTICLES = ("how many published articles {a} needs for a feed of its own, "
                 "`{folder}/<slug>/` (docs/labels.md); 0: no {what} feeds, and those published "
                 "are removed")
_RETENTION = ("how many days {a} that falls under `min_articles` keeps its feed, with the "
              "items it still has, before its files are removed")


@section
class Tags:
    min_articles: int = key(parse.whole_number(0, 1_000_000),
                            _MIN_ARTICLES.format(a="a tag", what="tag", folder="tags"), default=5)
    retention_days: int = key(parse.whole_number(0, 36_500),
                              _RETENTION.format(a="a tag"), default=30)


@section
class Authors:
    min_articles: int = key(parse.whole_number(0, 1_000_000),
                            _MIN_ARTICLES.format(a="an author", what="author",
                                                 folder="authors"), default=5)
    retention_days: int = key(parse.whole_number(0, 36_500),
                              _RETENTION.format(a="an author"), default=30)


CACHE_KINDS = ("feeds", "pages", "articles", "sitemaps", "partners", "other")
CACHE_DEFAULTS = {"feeds": "max-age=300", "pages": "max-age=300", "articles": "max-age=3600",
                  "sitemaps": "max-age=300", "partners": "max-age=300", "other": "max-age=300"}


@section
class S3:
    bucket: str | None = key(
        parse.bucket, "the bucket the output folder is mirrored to after each run (docs/deploy.md)"
        "; without it nothing is uploaded", default=None)
    prefix: str = key(parse.key_prefix, "where in the bucket: `feeds/` puts rss.xml at "
                      "`feeds/rss.xml`", default="")
    endpoint_url: str | None = key(
        parse.url, "the S3 API endpoint: `https://storage.googleapis.com` (Google Cloud Storage), "
        "`https://<account>.r2.cloudflarestorage.com` (R2), your MinIO or Ceph address",
        default=None, shown="AWS S3")
    region: str | None = key(parse.text, "the region (`auto` for R2)", default=None,
                             shown="the AWS chain's")
    profile: str | None = key(
        parse.text, "a profile of the AWS credentials file. Credentials come from the "
        "environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) or the standard AWS chain, "
        "never from this file", default=None)
    path_style: bool = key(parse.boolean, "name the bucket in the path, not the host name "
                           "(MinIO and Ceph without wildcard DNS)", default=False)
    gzip: bool = key(parse.boolean, "store text compressed with `Content-Encoding: gzip` "
                     "(docs/deploy.md says which CDNs want it)", default=False)
    cache_control: Mapping[str, str] = key(
        parse.cache_control(CACHE_KINDS), "`Cache-Control` by kind of file: `feeds`, `pages`, "
        "`articles`, `sitemaps`, `partners`, `other` (OPML, stylesheet, build-report.json)",
        default=CACHE_DEFAULTS, shown="`max-age=3600` for articles, `max-age=300` for the rest")
    connections: int = key(parse.whole_number(1, 64), "uploads at once", default=8)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cache_control", {**CACHE_DEFAULTS, **self.cache_control})


@section
class Config:
    path: Path  # the config file; the other keys are its sections
    site: Site = key(parse.mapping, "the site: name, address, language", required="a mapping")
    categories: tuple[Category, ...] = key(
        parse.listing, "the categories, each with its own feeds", required="a list of categories")
    sources: tuple[Source, ...] = key(
        parse.listing, "where articles come from: files or WordPress", required="a list of sources")
    output: Output = key(parse.mapping, "where feeds are written, and how", default=Output())
    share: Share = key(parse.mapping, "share links and article pages' metadata", default=Share())
    http: Http = key(parse.mapping, "timeouts, retries and limits of requests", default=Http())
    deadlines: Deadlines = key(parse.mapping, "how long each kind of network work may take in "
                               "a run", default=Deadlines())
    images: Images = key(parse.mapping, "measuring images without a size", default=Images())
    websub: WebSub = key(parse.mapping, "hubs that announce changed feeds", default=WebSub())
    sitemaps: Sitemaps = key(parse.mapping, "sitemaps for search engines and Google News "
                             "(`sitemaps/index.xml` lists them)", default=Sitemaps())
    archives: Archives = key(parse.mapping, "monthly archives of the feeds, which readers "
                             "follow back in time (docs/archives.md)", default=Archives())
    tags: Tags = key(parse.mapping, "a feed for each tag with enough articles", default=Tags())
    authors: Authors = key(parse.mapping, "a feed for each author with enough articles",
                           default=Authors())
    partners: Partners = key(parse.mapping, "the files aggregators read: Yahoo奇摩, LINE TODAY, "
                             "MSN", default=Partners())
    s3: S3 = key(parse.mapping, "the object store (S3 API) the output folder is mirrored to",
                 default=S3())
    _lookup: Mapping[str, Category] = field(default_factory=dict, repr=False, compare=False)

    def category(self, key: str) -> Category | None:
        """The category whose slug or display name is `key`."""
        return self._lookup.get(key)


def _keys(cls: type) -> dict[str, Field[Any]]:
    """The config keys of a section's dataclass, in the order messages and docs list them."""
    return {f.name: f for f in fields(cls) if "parse" in f.metadata}


def _sections() -> Iterator[tuple[str, type, bool]]:
    """Each section of the file: its name, its dataclass, and whether it is a list of them."""
    hints = get_type_hints(Config)
    for name in _keys(Config):
        hint = hints[name]
        yield (name, get_args(hint)[0], True) if get_origin(hint) is tuple else (name, hint, False)



class _Checker:
    """Collects problems, each located by the YAML line of the key it is about."""

    def __init__(self, label: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.label = label
        self.lines = lines
        self.problems: list[tuple[int, str]] = []  # (line, message), listed by line

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1)
                     if path[:n] in self.lines), 1)
        where = _dotted(path) or "(top level)"
        self.problems.append((line, f"{self.label}:{line}: {where}: {message}"))

    def section(self, path: tuple[Any, ...], value: object, cls: type) -> dict[str, Any]:
        """The values of one mapping, defaults filled in; None values where a key was bad."""
        keys = _keys(cls)
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping with keys {', '.join(keys)}, "
                               f"found {found(value)}")
            return dict.fromkeys(keys)
        for name in value:
            if name not in keys:
                close = difflib.get_close_matches(str(name), list(keys), n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                self.problem((*path, name), f"unknown key; {hint}expected one of {', '.join(keys)}")
        return {name: self.value((*path, name), value.get(name), spec)
                for name, spec in keys.items()}

    def value(self, path: tuple[Any, ...], raw: object, spec: Field[Any]) -> Any:
        """One key's value: parsed, its default when absent, or None after a problem."""
        if raw is None:
            if spec.default is MISSING and spec.default_factory is MISSING:
                self.problem(path[:-1], f"missing key {path[-1]!r}: "
                                        f"expected {spec.metadata['required']}")
            return absent(spec)
        try:
            return spec.metadata["parse"](raw)
        except ValueError as exc:
            self.problem(path, str(exc))
            return None

    def entries(self, name: str, raw: list[Any] | None, cls: type) -> list[dict[str, Any]]:
        """The values of each mapping of a list section, which must not be empty."""
        entries = [self.section((name, index), item, cls) for index, item in enumerate(raw or [])]
        if raw is not None and not entries:
            self.problem((name,), f"expected at least one {cls.__name__.lower()}, "
                                  "found an empty list")
        return entries


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_index(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map each key path of a composed YAML document to its 1-based line."""
    lines: dict[tuple[Any, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            sub = (*path, key_node.value)
            lines[sub] = key_node.start_mark.line + 1
            lines.update(_line_index(value_node, sub))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            lines.update(_line_index(item, (*path, index)))
    return lines


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the configuration file at `path`.

    :param path: the YAML file, usually config/site.yaml.
    :raises ConfigError: listing every problem, each as ``file:line: key: message``.
    """
    path = Path(path)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError([f"{label}:1: cannot read the config file: {reason}"]) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()  # one parse gives the lines and the data
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{label}:{line}: expected valid YAML, found a syntax error: {reason}"]
                          ) from exc
    finally:
        loader.dispose()
    checker = _Checker(label, _line_index(node))
    config = _build(checker, path, data)
    if checker.problems:
        raise ConfigError([text for _, text in sorted(checker.problems, key=lambda p: p[0])])
    assert config is not None
    return config


def _build(checker: _Checker, path: Path, data: object) -> Config | None:
    top = checker.section((), data if data is not None else {}, Config)
    values: dict[str, Any] = {}
    for name, cls, is_list in _sections():
        if is_list:
            values[name] = checker.entries(name, top[name], cls)
        # a required section that is absent or no mapping has been reported; an optional one
        # that is no mapping is reported again, naming its keys
        elif top[name] is not None or _keys(Config)[name].default is not MISSING:
            values[name] = checker.section((name,), top[name], cls)
    site, base = values.get("site"), path.parent
    lookup = _category_lookup(checker, values["categories"], site["url"] if site else None)
    for index, source in enumerate(values["sources"]):
        _check_source_keys(checker, ("sources", index), source, top["sources"][index])
        if source["path"]:
            source["path"] = _readable(checker, ("sources", index, "path"), base / source["path"])
    if checker.problems or site is None:
        return None
    for name in ("dir", "index"):  # relative to the config file's folder
        target = values["output"][name]
        values["output"][name] = Path(os.path.normpath(base / target)) if target else None
    made = {name: cls(**values[name]) for name, cls, is_list in _sections() if not is_list}
    return Config(path=path, categories=tuple(lookup.values()),
                  sources=tuple(Source(**source) for source in values["sources"]), **made,
                  _lookup={name: cat for cat in lookup.values() for name in (cat.slug, cat.name)})


def _check_source_keys(checker: _Checker, path: tuple[Any, ...], source: dict[str, Any],
                       raw: object) -> None:
    """A source needs the required keys of its type, and takes no key that only other types
    read (sources.REGISTRY says which type reads which key)."""
    kind = source["type"]
    if kind not in REGISTRY or not isinstance(raw, dict):
        return
    for name, spec in _keys(Source).items():
        required = spec.metadata["required"]
        if name in REGISTRY[kind].keys and required and raw.get(name) is None:
            checker.problem(path, f"missing key {name!r}: expected {required} "
                                  f"for a {kind} source")
        elif name != "type" and name in raw and name not in REGISTRY[kind].keys:
            owners = " and ".join(readers(name))
            checker.problem((*path, name), f"expected no {name} in a {kind} source: "
                                           f"{name} belongs to {owners} sources")
    if kind == "wordpress" and bool(raw.get("username")) != bool(raw.get("password_env")):
        checker.problem(path, "expected username and password_env together (an application "
                              "password read from that environment variable), found one of them")


def _category_lookup(checker: _Checker, categories: list[dict[str, Any]],
                     site_url: str | None) -> dict[str, Category]:
    by_slug: dict[str, Category] = {}
    names: dict[str, str] = {}
    for index, raw in enumerate(categories):
        slug, name = raw.get("slug"), raw.get("name")
        if not slug or not name:
            continue
        if slug in by_slug:
            checker.problem(("categories", index, "slug"),
                            f"expected a unique slug, found {slug!r} a second time")
            continue
        if name in names:
            checker.problem(("categories", index, "name"),
                            f"expected a unique name, found {name!r} again (slug {names[name]!r})")
            continue
        names[name] = slug
        by_slug[slug] = Category(**{**raw, "url": raw["url"] or site_url or ""})
    return by_slug


def _readable(checker: _Checker, path: tuple[Any, ...], target: Path) -> Path | None:
    """A records file, a folder of them, or a glob whose fixed part is a folder."""
    expected = "expected a records file, a folder of them or a glob such as exports/*.jsonl"
    if is_glob(target):
        fixed = Path(*[part for part in itertools.takewhile(lambda p: not is_glob(Path(p)),
                                                            target.parts)])
        if not fixed.is_dir():
            checker.problem(path, f"{expected}, found no folder {fixed} for the glob {target}")
            return None
        return target
    if not (target.is_file() or target.is_dir()):
        checker.problem(path, f"{expected}, found nothing at {target}")
        return None
    if not os.access(target, os.R_OK | (os.X_OK if target.is_dir() else 0)):
        checker.problem(path, f"{expected}, found {target} (permission denied)")
        return None
    return target


def reference() -> str:
    """The markdown of docs/config.md: a table of each section's keys, from their fields."""
    from .config_reference import reference as render

    return render()
