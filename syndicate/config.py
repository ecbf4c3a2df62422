"""Load and validate config/site.yaml into frozen dataclasses, reporting every problem at once.

Each problem reads ``file:line: key: what was expected, found what`` so that cron mail points at
the line to fix. Relative paths in the file are relative to the folder that holds it.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from .errors import ConfigError
from .urls import URLError, web_url

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SOURCE_TYPES = ("files", "wordpress")
# the keys that belong to one source type only
SOURCE_KEYS = {"files": ("path", "format", "fields"),
               "wordpress": ("url", "categories", "full_sync_hours", "username", "password_env")}
SOURCE_FORMATS = ("auto", "yaml", "json", "jsonl")
UPDATE_PERIODS = ("hourly", "daily", "weekly", "monthly", "yearly")
RECORD_FIELDS = ("id", "url", "title", "category", "published", "updated", "summary",
                 "content_html", "tags", "author", "image")


# libyaml's parser when PyYAML was built with it: a cron run reads the config every time.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    description: str
    url: str


@dataclass(frozen=True)
class Source:
    type: str  # files or wordpress
    path: Path | None = None  # files: a records file, a folder of them or a glob
    format: str = "auto"
    fields: Mapping[str, str] = field(default_factory=dict)  # the user's key -> record field
    url: str | None = None  # wordpress: the site's home page
    categories: Mapping[str, str] = field(default_factory=dict)  # WordPress category -> ours
    full_sync_hours: int = 24  # wordpress: how often to list every post, to see deletions
    username: str | None = None  # wordpress: for a private site, with an application password
    password_env: str | None = None  # ... read from this environment variable, never the file

    @property
    def key(self) -> str:
        """The name of the source in the index and in messages."""
        return str(self.path) if self.type == "files" else f"{self.url}wp-json/wp/v2/posts"


@dataclass(frozen=True)
class Http:
    timeout: float  # seconds to connect, and to wait for each read
    retries: int  # more tries after a connection error, a timeout, 429 or 5xx
    max_pages: int  # of one WordPress listing
    max_response_mb: int


@dataclass(frozen=True)
class Images:
    probe: bool  # read the size and type of images that have none from their first bytes
    max_bytes: int  # read at most this much of an image
    allow_private: bool  # fetch images from private, loopback and link-local addresses


@dataclass(frozen=True)
class WebSub:
    hubs: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    title: str
    url: str
    description: str
    language: str
    timezone: str
    logo: str | None
    feeds_url: str
    tag_date: str
    author: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


@dataclass(frozen=True)
class Output:
    dir: Path
    index: Path | None  # None: beside the output folder, see index_path()
    items_per_feed: int
    update_period: str
    update_frequency: int

    def index_path(self) -> Path:
        """The SQLite index: `output.index`, or beside the output folder (never inside it, where
        the web server would publish it)."""
        return self.index or self.dir.with_name(self.dir.name + ".index.sqlite")


@dataclass(frozen=True)
class Share:
    x_endpoint: str
    x_via: str | None  # an X account without "@"
    twitter_site: str | None  # "@account"
    fb_app_id: str | None
    utm_campaign: str | None  # UTM parameters are added to shared URLs only when this is set
    default_image: Mapping[str, Any] | None  # url, width, height, alt, type


@dataclass(frozen=True)
class Config:
    path: Path
    site: Site
    categories: tuple[Category, ...]
    sources: tuple[Source, ...]
    output: Output
    share: Share
    http: Http = Http(timeout=10, retries=3, max_pages=1000, max_response_mb=50)
    images: Images = Images(probe=True, max_bytes=65536, allow_private=False)
    websub: WebSub = WebSub(hubs=())
    _lookup: Mapping[str, Category] = field(default_factory=dict, repr=False, compare=False)

    def category(self, key: str) -> Category | None:
        """The category whose slug or display name is `key`."""
        return self._lookup.get(key)


# --- value parsers: each returns the value or raises ValueError("expected ..., found ...") ---

def _found(value: object) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, found {_found(value)}")
    return value.strip()


def _url(value: object) -> str:
    text = _text(value)
    try:
        return web_url(text)
    except URLError as exc:
        raise ValueError(str(exc)) from exc


def _dir_url(value: object) -> str:
    url = _url(value)
    return url if url.endswith("/") else url + "/"


def _int_between(low: int, high: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}, found {_found(value)}")
        return value
    return parse


def _choice(*choices: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, found {_found(value)}")
        return str(value)
    return parse


def _timezone(value: object) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"expected an IANA time zone such as Asia/Taipei, "
                         f"found {name!r}{hint}") from exc
    return name


def _language(value: object) -> str:
    text = _text(value)
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", text):
        raise ValueError(f"expected a language tag such as zh-TW, found {text!r}")
    return text


def _tag_date(value: object) -> str:
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"expected a date such as 2026 or 2026-02-04, found {_found(value)}")
    return text


def _handle(value: object) -> str:
    text = _text(value).removeprefix("@")
    if not re.fullmatch(r"[A-Za-z0-9_]{1,15}", text):
        raise ValueError(f"expected an X account such as @nchn_news, found {value!r}")
    return text


def _digits(value: object) -> str:
    text = str(value).strip() if isinstance(value, str | int) and value is not True else ""
    if not text.isdigit():
        raise ValueError(f"expected a numeric id, found {_found(value)}")
    return text


def _image_spec(value: object) -> dict[str, Any]:
    spec = {"url": value} if isinstance(value, str) else value
    if not isinstance(spec, dict) or "url" not in spec:
        raise ValueError(f"expected an image URL or a mapping with url, width, height, alt, "
                         f"found {_found(value)}")
    unknown = set(spec) - {"url", "width", "height", "alt", "type"}
    if unknown:
        raise ValueError(f"expected the keys url, width, height, alt, type, "
                         f"found {', '.join(sorted(map(str, unknown)))}")
    image = {"url": _url(spec["url"]), "alt": str(spec.get("alt") or "").strip(),
             "type": spec.get("type")}
    for key in ("width", "height"):
        image[key] = _int_between(1, 100_000)(spec[key]) if spec.get(key) is not None else None
    return image


def _slug(value: object) -> str:
    text = _text(value)
    if not SLUG.match(text):
        raise ValueError(f"expected an ASCII slug of a-z, 0-9 and '-', found {text!r}")
    return text


def _fields(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of your key: record field, found {_found(value)}")
    renames: dict[str, str] = {}
    for theirs, ours in value.items():
        if ours not in RECORD_FIELDS:
            raise ValueError(f"expected record fields ({', '.join(RECORD_FIELDS)}) as values, "
                             f"found {ours!r} for {theirs!r}")
        renames[str(theirs)] = str(ours)
    return renames


def _category_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
            isinstance(v, str) and isinstance(k, str | int) for k, v in value.items()):
        raise ValueError(f"expected a mapping of WordPress category (slug, name or id): "
                         f"category slug, found {_found(value)}")
    return {str(k): v for k, v in value.items()}


def _env_name(value: object) -> str:
    text = _text(value)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ValueError(f"expected the name of an environment variable such as WP_PASSWORD, "
                         f"found {text!r}")
    return text


def _hubs(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(_url(item) for item in items)


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {_found(value)}")
    return value


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping, found {_found(value)}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, found {_found(value)}")
    return value


@dataclass(frozen=True)
class _Required:
    """The default of a key that must be given; `what` completes "expected ..."."""

    what: str


# section -> {key: (parser, default)}; a _Required default makes the key required.
_SCHEMA: dict[str, dict[str, tuple[Callable[[Any], Any], Any]]] = {
    "": {
        "site": (_mapping, _Required("a mapping")),
        "categories": (_list, _Required("a list of categories")),
        "sources": (_list, _Required("a list of sources")), "output": (_mapping, {}),
        "share": (_mapping, {}), "http": (_mapping, {}), "images": (_mapping, {}),
        "websub": (_mapping, {}),
    },
    "site": {
        "title": (_text, _Required("the site's name")),
        "url": (_dir_url, _Required("the home page's absolute https URL")),
        "description": (_text, None), "language": (_language, "en"),
        "timezone": (_timezone, "UTC"), "logo": (_url, None), "feeds_url": (_dir_url, None),
        "tag_date": (_tag_date, "2000"), "author": (_text, None),
    },
    "categories": {
        "slug": (_slug, _Required("an ASCII slug")),
        "name": (_text, _Required("the display name")),
        "description": (_text, None), "url": (_url, None),
    },
    "sources": {
        "type": (_choice(*SOURCE_TYPES), "files"), "path": (_text, None),
        "format": (_choice(*SOURCE_FORMATS), "auto"), "fields": (_fields, {}),
        "url": (_dir_url, None), "categories": (_category_map, {}),
        "full_sync_hours": (_int_between(1, 24 * 365), 24), "username": (_text, None),
        "password_env": (_env_name, None),
    },
    "share": {
        "x_endpoint": (_url, "https://x.com/intent/tweet"), "x_via": (_handle, None),
        "twitter_site": (_handle, None), "fb_app_id": (_digits, None),
        "utm_campaign": (_text, None), "default_image": (_image_spec, None),
    },
    "output": {
        "dir": (_text, "feeds"), "index": (_text, None),
        "items_per_feed": (_int_between(1, 1000), 50),
        "update_period": (_choice(*UPDATE_PERIODS), "hourly"),
        "update_frequency": (_int_between(1, 1000), 1),
    },
    "http": {
        "timeout": (_int_between(1, 600), 10), "retries": (_int_between(0, 10), 3),
        "max_pages": (_int_between(1, 100_000), 1000),
        "max_response_mb": (_int_between(1, 10_000), 50),
    },
    "images": {
        "probe": (_boolean, True), "max_bytes": (_int_between(1024, 16 * 1024 * 1024), 65536),
        "allow_private": (_boolean, False),
    },
    "websub": {"hubs": (_hubs, ())},
}


class _Checker:
    """Collects problems, each located by the YAML line of the key it is about."""

    def __init__(self, label: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.label = label
        self.lines = lines
        self.problems: list[tuple[int, str]] = []  # (line, message), listed by line

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1)
                     if path[:n] in self.lines), 1)
        key = _dotted(path) or "(top level)"
        self.problems.append((line, f"{self.label}:{line}: {key}: {message}"))

    def section(self, path: tuple[Any, ...], value: object, schema: str) -> dict[str, Any]:
        """The values of one mapping, defaults filled in; None values where a key was bad."""
        spec = _SCHEMA[schema]
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping with keys {', '.join(spec)}, "
                               f"found {_found(value)}")
            return dict.fromkeys(spec)
        out: dict[str, Any] = {}
        for key in value:
            if key not in spec:
                close = difflib.get_close_matches(str(key), list(spec), n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                self.problem((*path, key), f"unknown key; {hint}expected one of {', '.join(spec)}")
        for key, (parse, default) in spec.items():
            if key not in value or value[key] is None:
                if isinstance(default, _Required):
                    self.problem(path, f"missing key {key!r}: expected {default.what}")
                out[key] = None if isinstance(default, _Required) else default
                continue
            try:
                out[key] = parse(value[key])
            except ValueError as exc:
                self.problem((*path, key), str(exc))
                out[key] = None
        return out


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
        raise ConfigError([f"{label}:1: cannot read the config file: {_os_reason(exc)}"]) from exc
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
    top = checker.section((), data if data is not None else {}, "")
    base = path.parent
    site = checker.section(("site",), top["site"], "site") if top["site"] is not None else None
    categories = [
        checker.section(("categories", index), raw, "categories")
        for index, raw in enumerate(top["categories"] or [])
    ]
    if top["categories"] is not None and not categories:
        checker.problem(("categories",), "expected at least one category, found an empty list")
    sources = [
        checker.section(("sources", index), raw, "sources")
        for index, raw in enumerate(top["sources"] or [])
    ]
    if top["sources"] is not None and not sources:
        checker.problem(("sources",), "expected at least one source, found an empty list")
    output = checker.section(("output",), top["output"], "output")
    share = checker.section(("share",), top["share"], "share")
    http = checker.section(("http",), top["http"], "http")
    images = checker.section(("images",), top["images"], "images")
    websub = checker.section(("websub",), top["websub"], "websub")

    lookup = _category_lookup(checker, categories, site["url"] if site else None)
    for index, source in enumerate(sources):
        _check_source_keys(checker, ("sources", index), source, top["sources"][index])
        if source["type"] == "files" and source["path"]:
            source["path"] = _readable(checker, ("sources", index, "path"), base / source["path"])
    if checker.problems or site is None:
        return None

    site_url = site["url"]
    final_site = Site(
        title=site["title"], url=site_url, description=site["description"] or site["title"],
        language=site["language"], timezone=site["timezone"], logo=site["logo"],
        feeds_url=site["feeds_url"] or site_url + "feeds/", tag_date=site["tag_date"],
        author=site["author"] or site["title"],
    )
    return Config(
        path=path,
        site=final_site,
        categories=tuple(lookup.values()),
        sources=tuple(Source(**s) for s in sources),
        output=Output(dir=Path(os.path.normpath(base / output["dir"])),
                      index=Path(os.path.normpath(base / output["index"]))
                      if output["index"] else None,
                      items_per_feed=output["items_per_feed"],
                      update_period=output["update_period"],
                      update_frequency=output["update_frequency"]),
        share=Share(
            x_endpoint=share["x_endpoint"], x_via=share["x_via"],
            twitter_site=f"@{share['twitter_site'] or share['x_via']}"
            if share["twitter_site"] or share["x_via"] else None,
            fb_app_id=share["fb_app_id"], utm_campaign=share["utm_campaign"],
            default_image=share["default_image"],
        ),
        http=Http(**http),
        images=Images(**images),
        websub=WebSub(hubs=tuple(websub["hubs"])),
        _lookup={key: cat for cat in lookup.values() for key in (cat.slug, cat.name)},
    )


def _check_source_keys(checker: _Checker, path: tuple[Any, ...], source: dict[str, Any],
                       raw: object) -> None:
    """A files source needs a path, a wordpress source a url; neither takes the other's keys."""
    kind = source["type"]
    if kind not in SOURCE_KEYS or not isinstance(raw, dict):
        return
    needed = {"files": ("path", "a records file"), "wordpress": ("url", "the site's home page")}
    key, what = needed[kind]
    if raw.get(key) is None:
        checker.problem(path, f"missing key {key!r}: expected {what} for a {kind} source")
    for other, keys in SOURCE_KEYS.items():
        for name in keys:
            if other != kind and name in raw:
                checker.problem((*path, name), f"expected no {name} in a {kind} source: "
                                               f"{name} belongs to {other} sources")
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
        by_slug[slug] = Category(slug=slug, name=name, description=raw.get("description") or name,
                                 url=raw.get("url") or site_url or "")
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


def is_glob(path: Path) -> bool:
    return any(char in str(path) for char in "*?[")


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
