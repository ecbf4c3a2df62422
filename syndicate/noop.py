"""The no-op run without the config: a cron run whose config file and record files are as the
last run that succeeded left them stats them, updates the index's last run and returns, reading
no YAML and importing no renderer, parser or HTTP client.

What it needs is kept in two places. A state file per config (keyed by the config's resolved
path, in $XDG_CACHE_HOME/syndicate or ~/.cache/syndicate) says where that config's index and
output are, the config file's size, mtime and inode, the program's versions and the
fingerprints the run published with. The index says which files sources the run read (the paths
as the config gives them, listed again here exactly as a run lists them: a new file in a folder
or a glob is seen), and when an image probe is next due (images.retry_hours). Neither is
trusted: anything missing, different or unexpected, and the run takes the normal path, which
loads the config and does the same no-op the long way.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import clock
from .publish import hold_lock
from .report import REPORT_NAME, BuildReport
from .sources.listing import file_stats
from .store import Store

if TYPE_CHECKING:
    from .config import Config

FILES_SOURCES = "files sources"  # the index's meta key: JSON list of paths, or "" for none
# The index's meta key: when an image probe is next due (a stamp, "" for at once), or "never";
# written by each run with the config's images.retry_hours, which this path does not read.
IMAGES_DUE = "images due"


def state_path(config_path: Path) -> Path:
    """The state file of the config at `config_path`."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    digest = hashlib.sha256(str(config_path.resolve()).encode()).hexdigest()
    return Path(cache) / "syndicate" / f"{digest}.json"


def files_sources(config: Config) -> str:
    """What the index keeps for the no-op path: the paths of the sources, when every source
    is a files source (a WordPress source must ask its site on every run)."""
    if any(source.type != "files" for source in config.sources):
        return ""
    return json.dumps([str(source.path) for source in config.sources])


def remember(config: Config) -> None:
    """After a run of `config` that succeeded: write its state file. A state file that cannot
    be written only costs the next run the normal path."""
    from .kinds import fingerprints

    state = {"program": _program(), "config": _stat(config.path),
             "output": str(config.output.dir.resolve()),
             "index": str(config.output.index_path().resolve()),
             "fingerprints": fingerprints(config)}
    try:
        path = state_path(config.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        temporary.replace(path)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to find the cache in
        pass


def build_if_unchanged(config_path: Path) -> BuildReport | None:
    """Today's no-op run, when nothing changed since the last run that succeeded: the config
    file, every record file, no ping or re-scrape owed. None: take the normal path."""
    state = _state(config_path)
    if state is None:
        return None
    output, index = Path(state["output"]), Path(state["index"])
    if not (output / REPORT_NAME).is_file() or not index.is_file():
        return None
    with hold_lock(output):
        store = Store.open(index)
        try:
            if not _unchanged(store, state):
                return None
            store.put("last_run", clock.stamp())
            store.commit()
        finally:
            store.close()
    return BuildReport(noop=True)


def _state(config_path: Path) -> dict[str, Any] | None:
    """The state file, if it is sound and the config and program are what it says."""
    try:
        state = json.loads(state_path(config_path).read_text(encoding="utf-8"))
        sound = (state["program"] == _program() and state["config"] == _stat(config_path)
                 and isinstance(state["fingerprints"], dict)
                 and all(isinstance(state[name], str) for name in ("output", "index")))
    except (OSError, RuntimeError, ValueError, KeyError, TypeError):
        return None  # none yet, unreadable, corrupt, or no config file (the normal path says)
    return state if sound else None


def _unchanged(store: Store, state: dict[str, Any]) -> bool:
    """Whether the index was last published with this state's fingerprints, owes nothing, and
    holds every record file of its files sources as they are now."""
    from .kinds import key
    from .targets import pending

    if any(store.get(key(name)) != digest for name, digest in state["fingerprints"].items()):
        return False  # another config or folder published into this index since
    if store.pending_pings() or store.pending_scrapes() or pending(store):
        return False  # owed to a hub, Facebook or the object store
    due = store.get(IMAGES_DUE)
    if due != "never" and (due is None or due <= clock.stamp()):
        return False  # an image to read again (or an index from before this key)
    listed = store.get(FILES_SOURCES)
    if not listed:
        return False  # a network source, or an index from before the no-op path
    return all(file_stats(Path(path)) == store.file_stats(path) for path in json.loads(listed))


def _stat(path: Path) -> list[int]:
    info = os.stat(path)
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _program() -> str:
    """The program's versions: another syndicate, or another renderer, takes the normal path."""
    from . import __version__, render, sources

    versions = [getattr(render, name) for name in sorted(dir(render)) if name.endswith("_VERSION")]
    return f"{__version__} {versions} {sources.INGEST_VERSION}"
