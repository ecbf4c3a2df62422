"""What config keys are described with, so that each key of `config` is described once.

`key()` makes a dataclass field that carries a key's parser, help text and default; `section`
makes a dataclass of such fields. A parser takes a value from the YAML file and returns it, or
raises ValueError("expected ..., found ...") for `config` to locate by file, line and key; each
parser is registered in ACCEPTS with what it accepts, in the words of docs/config.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, TypeVar, dataclass_transform
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .urls import URLError, web_url

Parse = Callable[[Any], Any]
ACCEPTS: dict[Parse, str] = {}  # parser -> what it accepts: the type column of docs/config.md
_P = TypeVar("_P", bound=Parse)
_T = TypeVar("_T")


def key(parser: Parse, help: str, *, default: Any = MISSING, required: str = "",
        shown: str = "") -> Any:
    """A dataclass field that is a key of the config file.

    :param parser: checks a value from the file: returns it, or raises ValueError("expected ...").
    :param help: what the key does: one line of docs/config.md.
    :param default: the value of an absent key; a section's default is an instance of its
        dataclass (an absent section is one with no keys). Without one the key is required.
    :param required: what a missing required key should have been: completes "expected ...";
        a key of `sources:` entries is required in the entries of the types that read it
        (sources.REGISTRY).
    :param shown: the default as docs/config.md words it, where another key's value supplies it.
    """
    metadata = {"parse": parser, "help": help, "required": required, "shown": shown}
    if isinstance(default, dict):  # each object gets a dict of its own
        return field(default_factory=default.copy, metadata=metadata)
    return field(default=default, metadata=metadata)


# Type checkers then see the defaults given as key(default=...), and ruff sees no function call
# in a dataclass default (RUF009): key() returns a dataclasses.Field, as field() does.
@dataclass_transform(frozen_default=True, field_specifiers=(key, field))
def section(cls: type[_T]) -> type[_T]:
    """A frozen dataclass whose `key()` fields are keys of the config file."""
    return dataclass(frozen=True)(cls)


def absent(spec: Field[Any]) -> Any:
    """The value of a key the file leaves out; an absent section is one with no keys."""
    if spec.default_factory is not MISSING:
        return spec.default_factory()
    if spec.default is MISSING:  # required: the checker reports it
        return None
    return {} if is_dataclass(spec.default) else spec.default


def fill(obj: object, **defaults: Any) -> None:
    """Give the empty fields of a frozen dataclass their defaults taken from other keys."""
    for name, value in defaults.items():
        if not getattr(obj, name):
            object.__setattr__(obj, name, value)


def accepts(what: str) -> Callable[[_P], _P]:
    """Register what a parser accepts."""
    def register(parse: _P) -> _P:
        ACCEPTS[parse] = what
        return parse
    return register


def found(value: object) -> str:
    """A bad value as messages show it: its type and repr."""
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


@accepts("text")
def text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, found {found(value)}")
    return value.strip()


@accepts("a path, relative to the config file's folder")
def path(value: object) -> Path:
    return Path(text(value))


@accepts("an absolute http(s) URL")
def url(value: object) -> str:
    try:
        return web_url(text(value))
    except URLError as exc:
        raise ValueError(str(exc)) from exc


@accepts("an absolute http(s) URL, to which a final `/` is added")
def folder_url(value: object) -> str:
    address = url(value)
    return address if address.endswith("/") else address + "/"


@accepts("an absolute http(s) URL, or a list of them")
def urls(value: object) -> tuple[str, ...]:
    return tuple(url(item) for item in (value if isinstance(value, list) else [value]))


def whole_number(low: int, high: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}, found {found(value)}")
        return value
    return accepts(f"a whole number from {low} to {high}")(parse)


def one_of(*choices: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, found {found(value)}")
        return str(value)
    return accepts(f"one of {', '.join(f'`{choice}`' for choice in choices)}")(parse)


def registered(registry: Mapping[str, Any]) -> Callable[[object], str]:
    """One of the names in `registry`, as it is when a value is checked (a type registered
    after this module was imported counts)."""
    def parse(value: object) -> str:
        return one_of(*registry)(value)
    return accepts(f"one of {', '.join(f'`{choice}`' for choice in registry)}")(parse)


def matching(pattern: str, what: str) -> Callable[[object], str]:
    """Text that matches `pattern`; `what` describes it, with an example."""
    def parse(value: object) -> str:
        given = text(value)
        if not re.fullmatch(pattern, given):
            raise ValueError(f"expected {what}, found {given!r}")
        return given
    return accepts(what)(parse)


def instance(kind: type, what: str) -> Callable[[object], Any]:
    def parse(value: object) -> Any:
        if not isinstance(value, kind):
            raise ValueError(f"expected {what}, found {found(value)}")
        return value
    return accepts(what)(parse)


boolean = instance(bool, "true or false")
mapping = instance(dict, "a mapping")
listing = instance(list, "a list")
language = matching(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", "a language tag such as zh-TW")
env_name = matching(r"[A-Za-z_][A-Za-z0-9_]*",
                    "the name of an environment variable such as WP_PASSWORD")
_image_side = whole_number(1, 100_000)


@accepts("an IANA time zone such as `Asia/Taipei`")
def timezone(value: object) -> str:
    name = text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"expected an IANA time zone such as Asia/Taipei, "
                         f"found {name!r}{hint}") from exc
    return name


@accepts("a date such as `2026` or `2026-02-04`")
def tag_date(value: object) -> str:
    given = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", given):
        raise ValueError(f"expected a date such as 2026 or 2026-02-04, found {found(value)}")
    return given


@accepts("an X account such as `@nchn_news`")
def x_account(value: object) -> str:
    given = text(value).removeprefix("@")
    if not re.fullmatch(r"[A-Za-z0-9_]{1,15}", given):
        raise ValueError(f"expected an X account such as @nchn_news, found {value!r}")
    return given


@accepts("a numeric id")
def numeric_id(value: object) -> str:
    given = str(value).strip() if isinstance(value, str | int) and value is not True else ""
    if not given.isdigit():
        raise ValueError(f"expected a numeric id, found {found(value)}")
    return given


@accepts("an image URL, or a mapping of `url`, `width`, `height`, `alt`, `type`")
def image(value: object) -> dict[str, Any]:
    spec = {"url": value} if isinstance(value, str) else value
    if not isinstance(spec, dict) or "url" not in spec:
        raise ValueError(f"expected an image URL or a mapping with url, width, height, alt, "
                         f"found {found(value)}")
    unknown = set(spec) - {"url", "width", "height", "alt", "type"}
    if unknown:
        raise ValueError(f"expected the keys url, width, height, alt, type, "
                         f"found {', '.join(sorted(map(str, unknown)))}")
    made = {"url": url(spec["url"]), "alt": str(spec.get("alt") or "").strip(),
            "type": spec.get("type")}
    for side in ("width", "height"):
        made[side] = _image_side(spec[side]) if spec.get(side) is not None else None
    return made


def renames(record_fields: Sequence[str]) -> Callable[[object], dict[str, str]]:
    """A mapping of the user's keys to record fields."""
    def parse(value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping of your key: record field, "
                             f"found {found(value)}")
        for theirs, ours in value.items():
            if ours not in record_fields:
                raise ValueError(f"expected record fields ({', '.join(record_fields)}) as "
                                 f"values, found {ours!r} for {theirs!r}")
        return {str(theirs): str(ours) for theirs, ours in value.items()}
    return accepts("a mapping of your key: record field")(parse)


@accepts("a mapping of WordPress category: category")
def category_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
            isinstance(v, str) and isinstance(k, str | int) for k, v in value.items()):
        raise ValueError(f"expected a mapping of WordPress category (slug, name or id): "
                         f"category slug, found {found(value)}")
    return {str(k): v for k, v in value.items()}


@accepts("a bucket name such as `news-feeds`")
def bucket(value: object) -> str:
    given = text(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]", given):
        raise ValueError(f"expected a bucket name of a-z, 0-9, '.', '_' and '-' such as "
                         f"news-feeds, found {given!r}")
    return given


@accepts("a key prefix such as `feeds/`, to which a final `/` is added")
def key_prefix(value: object) -> str:
    given = text(value).strip("/")
    if any(part in ("", ".", "..") for part in given.split("/")) or "\\" in given:
        raise ValueError(f"expected a key prefix such as feeds/, found {value!r}")
    return given + "/"


def cache_control(kinds: Sequence[str]) -> Callable[[object], dict[str, str]]:
    """A mapping of some of `kinds` to a Cache-Control header value."""
    def parse(value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping of kind: Cache-Control, found {found(value)}")
        unknown = sorted(str(name) for name in value if name not in kinds)
        if unknown:
            raise ValueError(f"expected kinds among {', '.join(kinds)}, "
                             f"found {', '.join(unknown)}")
        made = {str(name): text(header) for name, header in value.items()}
        for name, header in made.items():
            if not re.fullmatch(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?", header):
                raise ValueError(f"expected a Cache-Control value such as max-age=300 for "
                                 f"{name}, found {header!r}")
        return made
    return accepts("a mapping of kind: `Cache-Control` value")(parse)
