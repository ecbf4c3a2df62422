"""Record files: YAML (a list, or a mapping with `articles:`), JSON (an array) and JSON Lines.

As a source, a file is read only when it changed: one whose size, mtime and inode are what the
index saw last time is not opened.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import yaml

from ..config import Source
from ..errors import SourceError
from ..store import Stat
from . import Batch, Changes, Raw
from .listing import FORMATS_BY_SUFFIX, file_stats

if TYPE_CHECKING:
    from ..config import Config
    from ..network import Network
    from ..store import Store



class _RecordLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML (libyaml's parser when there is one) that leaves dates as the strings the CMS
    wrote; dates.py reads them."""


_RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# YAML aliases may repeat a node anywhere: ten nested lists of ten aliases are 10**10 values
# (the "billion laughs"). A records file that expands past this many values is refused.
YAML_MAX_VALUES = 5_000_000


class Files:
    """`type: files`: a records file, a folder of them, or a glob."""

    type: ClassVar[str] = "files"

    def __init__(self, spec: Source, config: Config, network: Network) -> None:
        assert spec.path is not None
        self.spec = spec
        self.key = str(spec.path)
        self.requests = 0

    def changes(self, store: Store, *, full: bool) -> Changes:
        """The files that are new or changed since the index read them (all of them after a
        reset), and the files gone. Only stats: nothing is read here."""
        known = store.file_stats(self.key)
        stats = self._stats()
        changed = {path: stat for path, stat in stats.items() if known.get(path) != stat}

        def save(store: Store) -> None:
            for path, stat in changed.items():
                store.set_file(self.key, path, stat)

        return Changes(
            batches=[Batch(path, functools.partial(read_file, Path(path), self.spec))
                     for path in changed],
            gone=sorted(set(known) - set(stats)), save=save)

    def _stats(self) -> dict[str, Stat]:
        assert self.spec.path is not None
        return file_stats(self.spec.path)


def read_file(path: Path, source: Source) -> Iterator[Raw]:
    """Every raw record of one file, with its origin, keys renamed by the source's `fields:`.

    JSON Lines stream: a line is read, decoded and parsed when its record is wanted, so a file
    of any size holds one line at a time. A JSON array or a YAML file is parsed whole when the
    first record is wanted (docs/records.md says why).

    :raises SourceError: when the file cannot be read or does not parse (while iterating).
    """
    from ..records import rename_fields

    kind = source.format if source.format != "auto" else _guess_format(path)
    if kind == "jsonl":
        records = _jsonl_records(_lines(path), str(path))
    else:
        reader = {"yaml": _yaml_records, "json": _json_records}[kind]
        records = reader(_read_text(path), str(path))
    for raw, origin in records:
        yield (rename_fields(raw, source.fields) if isinstance(raw, dict) else raw), origin


def _guess_format(path: Path) -> str:
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise SourceError(f"{path}: cannot tell the format from the name; expected a file ending "
                          f"in {', '.join(FORMATS_BY_SUFFIX)} or `format:` in the source's config"
                          ) from None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _not_utf8(path, line, data[exc.start]) from exc


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line of a UTF-8 file, read one at a time. A line ends at
    LF, CRLF or CR, as str.splitlines ends it; U+2028, U+2029 and U+0085, which JSON allows
    raw inside a string, end none. A byte-order mark before the first line is dropped."""
    number = 0
    try:
        with path.open("rb") as handle:
            for data in handle:
                number += 1
                try:
                    text = data.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise _not_utf8(path, number, data[exc.start]) from exc
                text = text.removesuffix("\n").removesuffix("\r")
                if "\r" in text:  # old Mac line ends: each CR ends a line
                    first, *rest = text.split("\r")
                    yield number, first
                    for part in rest:
                        number += 1
                        yield number, part
                else:
                    yield number, text
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: OSError) -> SourceError:
    return SourceError(f"{path}: cannot read: {exc.strerror or exc}")


def _not_utf8(path: Path, line: int, byte: int) -> SourceError:
    return SourceError(f"{path}:{line}: expected UTF-8 text, found the byte 0x{byte:02x}; "
                       "save the export as UTF-8")


def _yaml_records(text: str, label: str) -> Iterator[Raw]:
    from ..records import Origin

    loader = _RecordLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > YAML_MAX_VALUES:
            raise SourceError(f"{label}:{node.start_mark.line + 1}: expected records, found YAML "
                              f"aliases that expand to more than {YAML_MAX_VALUES:,} values "
                              "(an alias bomb?)")
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise SourceError(f"{label}{line}: expected valid YAML, found a syntax error: {reason}"
                          ) from exc
    except RecursionError as exc:
        raise SourceError(f"{label}: expected records, found YAML nested too deeply") from exc
    finally:
        loader.dispose()
    if isinstance(data, dict) and "articles" in data:
        data = data["articles"]
        node = next(value for key, value in node.value if key.value == "articles")
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise SourceError(f"{label}:1: expected a list of records or a mapping with `articles:`, "
                          f"found {type(data).__name__}")
    for index, (raw, item) in enumerate(zip(data, node.value, strict=True)):
        yield raw, Origin(label, index, item.start_mark.line + 1)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is copied out (memoized per node, so
    the count itself stays as cheap as the document)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a node that contains itself counts once
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, sizes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(key, sizes) + _expanded_size(value, sizes)
                       for key, value in node.value)
    else:
        size = 1
    sizes[id(node)] = size
    return size


def _json_records(text: str, label: str) -> Iterator[Raw]:
    from ..records import Origin

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{label}:{exc.lineno}: expected valid JSON, found {exc.msg} "
                          f"at column {exc.colno}") from exc
    except RecursionError as exc:
        raise SourceError(f"{label}: expected records, found JSON nested too deeply") from exc
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list):
        raise SourceError(f"{label}:1: expected a JSON array of records, "
                          f"found {type(data).__name__}")
    for index, raw in enumerate(data):
        yield raw, Origin(label, index)


def _jsonl_records(lines: Iterable[tuple[int, str]], label: str) -> Iterator[Raw]:
    """One record per line; a line that is not JSON is rejected on its own, as a bad record."""
    from ..records import Origin, Unparsable

    index = 0
    for number, line in lines:
        if not line.strip():
            continue
        origin = Origin(label, index, number)
        index += 1
        try:
            yield json.loads(line), origin
        except json.JSONDecodeError as exc:
            yield Unparsable(f"expected one JSON object per line, found {exc.msg} "
                              f"at column {exc.colno}"), origin
        except RecursionError:
            yield Unparsable("expected one JSON object per line, found JSON nested too "
                             "deeply"), origin
