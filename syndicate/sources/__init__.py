"""Sources read raw article records. Pelican's readers are the model: each kind of source is a
class that declares the config `type:` it reads and has one method, `changes`, that says what
changed since the index last read it. `ingest` loops over the sources without knowing their kind.

A new kind of source is one module with a class that implements `Source`, and one line in
`REGISTRY` (or one call of `register`). Modules are imported only for the types a config uses,
so a files-only cron run never imports the WordPress source or requests.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

if TYPE_CHECKING:
    from ..config import Config
    from ..config import Source as SourceSpec
    from ..network import Network
    from ..records import Origin
    from ..store import Store

Raw = tuple[Any, "Origin"]  # a raw record (our field names) and where it came from

# How records are read and normalized (a source's reading, records.normalize, the image probe):
# bump it when a change there changes what the index holds for the same input, and the next run
# reads every source again (syndicate/kinds.py).
INGEST_VERSION = 1



class SourceType(NamedTuple):
    """A kind of source: its class ("module:Class", imported on first use) and the keys of a
    `sources:` entry it reads besides `type` (config.py describes each key; this says whose)."""

    target: str
    keys: tuple[str, ...] = ()


# the config's `type:` -> its kind
REGISTRY: dict[str, SourceType] = {
    "files": SourceType("syndicate.sources.files:Files", ("path", "format", "fields")),
    "wordpress": SourceType("syndicate.sources.wordpress:WordPressSource",
                            ("url", "categories", "full_sync_hours", "username", "password_env")),
}


def _keep_nothing(store: Store) -> None:
    """The `save` of a source that keeps no state."""


class Batch(NamedTuple):
    """Records that replace what the index holds under `key`: all of it when `versions` is None
    (a file read again), else the records at the positions in `versions` and `removed` (the
    posts a network source read, and those it no longer has)."""

    key: str
    # called by ingest: a file is read only when it is ingested, a record at a time if the
    # source streams them (an iterator: a JSON Lines file) or all at once (a list)
    read: Callable[[], Iterable[Raw]]
    versions: dict[int, str] | None = None  # position -> version of the records read
    removed: Sequence[int] = ()


class Changes(NamedTuple):
    """What one source has that the index does not: batches to ingest, keys whose records are
    all gone, and the state to keep once the run is published (`save`, before the index
    commits, so that a run that fails reads the same again)."""

    batches: Sequence[Batch] = ()
    gone: Sequence[str] = ()
    save: Callable[[Store], None] = _keep_nothing

    def __bool__(self) -> bool:
        return bool(self.batches or self.gone)


class Source(Protocol):
    """One source of the config, made with its config entry, the site config and the run's
    network handle (the HTTP client, made on first use)."""

    type: ClassVar[str]  # the `type:` of its config entry
    key: str  # its name in the index and in messages
    requests: int  # HTTP requests made so far

    def __init__(self, spec: SourceSpec, config: Config, network: Network) -> None: ...

    def changes(self, store: Store, *, full: bool) -> Changes:
        """What changed since `store` last read this source; with `full`, everything it has
        that the index may not (a full listing of a network source).

        :raises SourceError: naming the file or URL, when the source cannot be read.
        """
        ...


def register(type_name: str, target: str, keys: tuple[str, ...] = ()) -> None:
    """Make `type: <type_name>` in a config read by the class at "module:Class", which takes
    `keys` (of those config.Source describes) from its entry."""
    REGISTRY[type_name] = SourceType(target, keys)


def readers(key: str) -> list[str]:
    """The source types that read `key`."""
    return [name for name, kind in REGISTRY.items() if key in kind.keys]


def open_sources(config: Config, network: Network) -> list[Source]:
    """One Source per entry of the config's `sources:`, in order."""
    return [source_class(spec.type)(spec, config, network) for spec in config.sources]


def source_class(type_name: str) -> type[Source]:
    module, _, name = REGISTRY[type_name].target.partition(":")
    found: type[Source] = getattr(importlib.import_module(module), name)
    return found


__all__ = ["REGISTRY", "Batch", "Changes", "Raw", "Source", "SourceType", "open_sources",
           "readers", "register", "source_class"]
