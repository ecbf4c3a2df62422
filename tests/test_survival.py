"""Survival: a build killed at any moment, runs that start together, and an output folder that
is read-only, a disk that is full, an index that cannot be opened.

Every run here is a real `syndicate` process (the console script; there is no `python -m
syndicate`), killed with SIGKILL where a crash is the point. Nothing is timed: a kill lands
after a random delay drawn from a seeded generator, and what is asserted is the state it leaves,
which must hold wherever it landed. The output folder must only ever hold each file's old bytes
or its new bytes (or no file, for a file only one version has), and the run after a crash or a
fault must finish the job byte for byte.

Root ignores file modes, so the fault runs drop to user 65534 with setpriv when the tests run as
root; the full disk is a small tmpfs, which needs root (an in-process ENOSPC runs everywhere).
"""

from __future__ import annotations

import copy
import errno
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CATEGORIES, ROOT, Site, lock_held, record

import syndicate
from syndicate import publish as publish_module

SYNDICATE = Path(sys.executable).with_name("syndicate")  # the console script of this venv
# 560 articles (about 1,160 files) take 1.2-2 s for a full render on the 2-core test machine,
# and are more than one batch of renames (1,024 files): a kill can land between two batches.
CORPUS_SIZE = 560
CRASH_TRIALS = 50
JOBS = ("--jobs", "2")  # every full render of the crash trials renders on two worker processes
SEED = 20260204
LOCK, MARKER, TEMP_PREFIX = ".syndicate.lock", ".syndicate-publishing", ".syndicate-tmp-"
NOTHING_CHANGED = "nothing changed in the sources; nothing was read or written"
NOBODY = 65534  # the unprivileged user the fault runs use when the tests run as root
BOUND = 300  # seconds: a hung run fails the test instead of hanging it; never a measurement


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def _env() -> dict[str, str]:
    """The caller's environment without SYNDICATE_DEBUG: what cron would print is tested."""
    return {key: value for key, value in os.environ.items() if key != "SYNDICATE_DEBUG"}


def syndicate_run(*args: str | Path, prefix: Sequence[str] = (), cwd: Path | None = None
                  ) -> Ran:
    done = subprocess.run([*prefix, str(SYNDICATE), *map(str, args)], capture_output=True,
                          text=True, env=_env(), cwd=cwd, timeout=BOUND, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)


def published(feeds: Path) -> dict[str, bytes]:
    """Every published file (not the dotfiles: lock, marker, temporary files) by path."""
    return {p.relative_to(feeds).as_posix(): p.read_bytes() for p in sorted(feeds.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def dotfiles(feeds: Path) -> list[str]:
    return sorted(p.relative_to(feeds).as_posix() for p in feeds.rglob(".*"))


def temp_files(feeds: Path) -> list[str]:
    return [name for name in dotfiles(feeds) if Path(name).name.startswith(TEMP_PREFIX)]


def integrity(index: Path) -> str:
    """PRAGMA integrity_check of the index as a crash left it. Read-only, so that the test
    does not checkpoint the WAL: the next run sees exactly what the killed one left."""
    connection = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/corpus.py's records (JSON Lines day files) and its site.yaml."""
    folder = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(CORPUS_SIZE),
                    str(folder)], check=True, timeout=BOUND)
    return folder


def _write_yaml(path: Path, value: Any) -> Path:
    path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def crash_configs(corpus: Path, folder: Path) -> dict[str, Path]:
    """Two configs over one output folder (and so one index). B is another config file, so
    its fingerprint forces a full re-render; its site title and utm_campaign change the bytes
    of every feed and article file, and its records drop every 9th record and retitle every
    13th, so that files appear and go as well."""
    shutil.copytree(corpus / "records", folder / "records")
    (folder / "records-b").mkdir()
    for day in sorted((folder / "records").iterdir()):
        kept = []
        for number, line in enumerate(day.read_text(encoding="utf-8").splitlines(True)):
            if number % 9 == 4:
                continue
            if number % 13 == 6:
                line = line.replace('"title": "', '"title": "（更正）', 1)
            kept.append(line)
        (folder / "records-b" / day.name).write_text("".join(kept), encoding="utf-8")
    site = yaml.safe_load((corpus / "site.yaml").read_text(encoding="utf-8"))
    a, b = copy.deepcopy(site), copy.deepcopy(site)
    a["share"]["utm_campaign"] = "crash-a"
    b["share"]["utm_campaign"] = "crash-b"
    b["site"]["title"] += " B"
    b["sources"] = [{"type": "files", "path": "records-b"}]
    return {"a": _write_yaml(folder / "a.yaml", a), "b": _write_yaml(folder / "b.yaml", b)}


EARLY_TRIALS = 15


def kill_point(trial: int, rng: random.Random) -> float:
    """When trial `trial` kills its run, as a fraction of a mean run: stratified and seeded.
    The first 15 trials cover (0, 0.6) (reading records, writing the index, rendering); the
    other 35 cover (0.6, 1.25), where the renames are (after 80% of a run here: the first
    1,024 files, then the rest), the removals and the commit, and some kills come after the
    run has ended."""
    if trial < EARLY_TRIALS:
        return 0.6 * (trial + rng.random()) / EARLY_TRIALS
    late = CRASH_TRIALS - EARLY_TRIALS
    return 0.6 + 0.65 * (trial - EARLY_TRIALS + rng.random()) / late


def crash_phase(now: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """How far the killed run got: how many of the files that differ between the versions
    (bytes, or present in one only) were already at their new state."""
    moving = {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
    done = {p for p in moving if now.get(p) == new.get(p)}
    if not done:
        return "none"
    if done == moving:
        return "all"
    renamed = any(p in new for p in done)
    return "some (renamed)" if renamed else "some (removals only)"


def test_a_build_killed_at_any_moment_leaves_each_file_old_or_new(
        corpus: Path, tmp_path: Path) -> None:
    configs = crash_configs(corpus, tmp_path)
    feeds, index = tmp_path / "feeds", tmp_path / "feeds.index.sqlite"

    def build(name: str) -> float:
        start = time.monotonic()
        ran = syndicate_run("build", "-q", *JOBS, "--config", configs[name])
        assert (ran.code, ran.err) == (0, ""), ran
        return time.monotonic() - start

    build("a")
    reference = {"a": published(feeds)}
    durations = [build("b")]  # a switch of config: the full re-render every trial runs
    reference["b"] = published(feeds)
    durations.append(build("a"))
    assert published(feeds) == reference["a"], "the same records and config gave other bytes"
    a, b = reference["a"], reference["b"]
    # every file but the stylesheet, which is the same for every site
    assert all(a[path] != b[path] for path in a.keys() & b.keys() - {"feed.xsl"}), \
        "B must change every file"
    assert a.keys() - b.keys(), "B must drop files: they go A -> B and come back B -> A"

    def mean_run() -> float:
        """The mean of the last full runs: each recovery is one, so the kill points follow
        the machine's speed as it is during the trials, not only before them."""
        recent = durations[-5:]
        return sum(recent) / len(recent)

    rng = random.Random(SEED)
    phases: Counter[str] = Counter()
    marker_left = temps_left = 0
    current = "a"
    for trial in range(CRASH_TRIALS):
        target = "b" if current == "a" else "a"
        old, new = published(feeds), reference[target]
        delay = mean_run() * kill_point(trial, rng)
        process = subprocess.Popen([str(SYNDICATE), "build", "-q", *JOBS, "--config",
                                    configs[target]],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=_env())
        try:
            process.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            finished = False
        where = f"trial {trial} ({current} -> {target}, kill after {delay:.3f} s)"

        now = published(feeds)
        strays = sorted(set(now) - old.keys() - new.keys())
        assert not strays, f"{where}: files of neither version: {strays}"
        torn = sorted(p for p, data in now.items() if data not in (old.get(p), new.get(p)))
        assert not torn, f"{where}: files that are neither old nor new: {torn}"
        lost = sorted((old.keys() & new.keys()) - now.keys())
        assert not lost, f"{where}: files both versions have are missing: {lost}"
        odd = [name for name in dotfiles(feeds) if Path(name).name not in (LOCK, MARKER)
               and not Path(name).name.startswith(TEMP_PREFIX)]
        assert not odd, f"{where}: unexpected dotfiles {odd}"
        assert integrity(index) == "ok", where
        phase = "finished before the kill" if finished else crash_phase(now, old, new)
        phases[phase] += 1
        marker_left += (feeds / MARKER).exists()
        temps_left += bool(temp_files(feeds))

        start = time.monotonic()
        ran = syndicate_run("build", "-q", *JOBS, "--config", configs[target])
        if not finished:  # the killed run committed nothing: this one renders everything
            durations.append(time.monotonic() - start)
        assert (ran.code, ran.err) == (0, ""), f"{where}: the next run failed: {ran}"
        assert published(feeds) == new, f"{where}: the next run gave other bytes"
        assert dotfiles(feeds) == [LOCK], f"{where}: {dotfiles(feeds)}"
        current = target

    # Not a timing assertion: with 40 of the 50 delays drawn below the mean duration of a run,
    # a set of trials in which no run was caught before its end cannot happen on any machine.
    assert phases["finished before the kill"] < CRASH_TRIALS
    print(f"\ncrash trials: {CRASH_TRIALS}, mean full run {mean_run():.2f} s; phases at "
          f"the kill: {dict(sorted(phases.items()))}; marker left by {marker_left}, "
          f"temporary files left by {temps_left}")


# --- runs that overlap ---


def example_site(folder: Path) -> Path:
    """The bundled example, copied so that its ../feeds lands in `folder`."""
    (folder / "config").mkdir()
    for name in ("site.yaml", "articles.yaml"):
        shutil.copy(ROOT / "config" / name, folder / "config" / name)
    return folder / "config" / "site.yaml"


def test_four_runs_started_at_once_take_turns(tmp_path: Path) -> None:
    config = example_site(tmp_path)
    feeds = tmp_path / "feeds"
    first = syndicate_run("build", "--config", config)
    assert first.code == 0, first
    reference = published(feeds)
    shutil.rmtree(feeds)  # the same folder again (build-report.json names the source's path)
    for index in tmp_path.glob("feeds.index.sqlite*"):
        index.unlink()

    processes = [subprocess.Popen([str(SYNDICATE), "build", "-v", "--config", str(config)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=_env()) for _ in range(4)]
    runs = []
    for process in processes:
        out, err = process.communicate(timeout=BOUND)
        runs.append(Ran(process.returncode, out, err))

    for ran in runs:
        assert "Traceback" not in ran.out + ran.err, ran
        # 10 s of lock wait is far more than this site's build takes; if a loaded machine
        # ever exceeds it, the run must say so and give up cleanly, which is also correct.
        assert ran.code == 0 or (ran.code == 1 and "another syndicate run holds" in ran.err
                                 and ran.out == ""), ran
    writers = [ran for ran in runs if re.search(r"^written +rss\.xml ", ran.out, re.MULTILINE)]
    assert len(writers) == 1, runs
    others = [ran for ran in runs if ran is not writers[0] and ran.code == 0]
    assert all(ran.out == NOTHING_CHANGED + "\n" and ran.err == "" for ran in others), runs
    assert published(feeds) == reference
    assert dotfiles(feeds) == [LOCK]


def test_a_run_killed_holding_the_lock_never_blocks_the_next(corpus: Path,
                                                            tmp_path: Path) -> None:
    shutil.copytree(corpus / "records", tmp_path / "records")
    config = shutil.copy(corpus / "site.yaml", tmp_path / "site.yaml")
    feeds = tmp_path / "feeds"
    process = subprocess.Popen([str(SYNDICATE), "build", "-q", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    try:
        while not lock_held(feeds / LOCK):  # bounded: the run ends, holding it or not
            assert process.poll() is None, "the build ended before the test saw it hold the lock"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL  # killed while holding the lock

    ran = syndicate_run("build", "-q", "--config", config)
    # A lock that outlived its run would make this one wait 10 s and exit 1 with the lock
    # message; the exit code says which happened.
    assert (ran.code, ran.err) == (0, ""), ran
    assert "rss.xml" in published(feeds)
    assert dotfiles(feeds) == [LOCK]


def children(pid: int) -> list[int]:
    """The processes `pid` forked and has not reaped (Linux /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except FileNotFoundError:
        return []
    return [int(word) for word in text.split()]


def gone(pid: int) -> bool:
    """Whether `pid` has exited (a zombie has: it holds no file any more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_run_killed_while_its_workers_render_leaves_no_worker_and_no_lock(
        corpus: Path, tmp_path: Path) -> None:
    """--jobs 2 on 560 articles: the run forks two renderers. Killed (SIGKILL) while they
    exist, it leaves them nothing to do but exit: they hold no lock and write no file, and the
    next run builds the same bytes as a run with one process."""
    one = tmp_path / "one"
    shutil.copytree(corpus / "records", one / "records")
    shutil.copy(corpus / "site.yaml", one / "site.yaml")
    ran = syndicate_run("build", "-q", "--jobs", "1", "--config", one / "site.yaml")
    assert (ran.code, ran.err) == (0, ""), ran
    reference = published(one / "feeds")
    shutil.copytree(corpus / "records", tmp_path / "records")
    config = shutil.copy(corpus / "site.yaml", tmp_path / "site.yaml")
    feeds = tmp_path / "feeds"
    process = subprocess.Popen([str(SYNDICATE), "build", "-q", "--jobs", "2", "--config",
                                str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=_env())
    try:
        while len(workers := children(process.pid)) < 2:  # bounded: the run ends
            assert process.poll() is None, "the build ended before the test saw its workers"
            time.sleep(0.005)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not lock_held(feeds / LOCK), "a worker holds the lock of the run that forked it"
    deadline = time.monotonic() + BOUND
    while not all(gone(pid) for pid in workers):  # they read EOF and exit: not a timing test
        assert time.monotonic() < deadline, f"workers {workers} outlived their run"
        time.sleep(0.01)
    torn = [path for path, data in published(feeds).items() if reference.get(path) != data]
    assert not torn, f"files that are not the new ones: {torn}"

    ran = syndicate_run("build", "-q", "--jobs", "2", "--config", config)
    assert (ran.code, ran.err) == (0, ""), ran
    assert dotfiles(feeds) == [LOCK]
    assert published(feeds) == reference


# --- environment faults ---


def records(count: int) -> list[dict[str, Any]]:
    """`count` valid records over the conftest categories, one minute apart."""
    return [record(id=f"s{n:04d}", url=f"https://nchn.example.com/2026/02/04/s{n:04d}/",
                   category=CATEGORIES[n % len(CATEGORIES)]["slug"],
                   published=f"2026-02-04T{10 + n // 60 % 12:02d}:{n % 60:02d}:00+08:00",
                   title=f"第{n}則 卓揆:臺日「強強聯手」")
            for n in range(count)]


@pytest.fixture
def as_user() -> list[str]:
    """The command prefix under which file modes apply: nothing for a normal user; for root,
    which ignores modes, setpriv to user 65534 (the venv must be readable to it)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores file modes, and setpriv is not installed")
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = syndicate_run("--version", prefix=prefix, cwd=Path("/"))
    if probe.code != 0:
        pytest.skip(f"user {NOBODY} cannot run {SYNDICATE}: {probe.err.strip()}")
    return prefix


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder that user 65534 can traverse (tmp_path is root's, mode 0700)."""
    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="syndicate-survival-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        set_folder_modes(folder, 0o755)  # a test that failed mid-fault leaves nothing stuck
        shutil.rmtree(folder, ignore_errors=True)


def set_folder_modes(root: Path, mode: int) -> None:
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(mode)


@dataclass
class FaultSite:
    """A small built site whose files belong to the user the runs use."""

    site: Site
    prefix: list[str]
    feeds: Path
    index: Path

    def build(self) -> Ran:
        return syndicate_run("build", "--config", self.site.config, prefix=self.prefix,
                             cwd=self.site.folder)

    def change(self) -> None:
        """One more record: a run has something to write (an unchanged one writes nothing)."""
        self.site.write_records(records(13))


@pytest.fixture
def fault_site(open_folder: Path, as_user: list[str]) -> FaultSite:
    site = Site(open_folder / "site")
    site.folder.mkdir()
    site.write_records(records(12))
    site.write_config()
    if as_user:  # the runs write as 65534: the site folder (index, -wal, -shm) and feeds/
        site.folder.chmod(0o755)
        for path in [site.folder, *site.folder.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    made = FaultSite(site, as_user, site.feeds, site.folder / "feeds.index.sqlite")
    ran = made.build()
    assert (ran.code, ran.err) == (0, ""), ran
    return made


def failed_cleanly(ran: Ran, feeds: Path, before: dict[str, bytes]) -> str:
    """A fault's run: exit 1, one line on stderr, no traceback, every file as it was and no
    temporary file left. Returns the line."""
    lines = ran.err.strip().splitlines()
    assert ran.code == 1, ran
    assert "Traceback" not in ran.err + ran.out, ran
    assert len(lines) == 1, ran
    assert published(feeds) == before
    assert not temp_files(feeds)
    print(f"\nfault message: {lines[0]}")
    return lines[0]


def recovers(made: FaultSite) -> None:
    """The run after the fault is gone publishes the change the failed run could not: so the
    failed run did not commit the index either."""
    ran = made.build()
    assert (ran.code, ran.err) == (0, ""), ran
    assert "articles/s0012.json" in published(made.feeds)


def read_only_output(made: FaultSite) -> tuple[Ran, dict[str, bytes]]:
    before = published(made.feeds)
    made.change()
    set_folder_modes(made.feeds, 0o555)
    try:
        return made.build(), before
    finally:
        set_folder_modes(made.feeds, 0o755)


def test_a_read_only_output_folder_is_a_clear_error(fault_site: FaultSite) -> None:
    ran, before = read_only_output(fault_site)
    line = failed_cleanly(ran, fault_site.feeds, before)
    assert line == f"syndicate: error: cannot write into {fault_site.feeds}: Permission denied"
    recovers(fault_site)


def index_with_mode(made: FaultSite, mode: int) -> tuple[Ran, dict[str, bytes]]:
    before = published(made.feeds)
    made.change()
    made.index.chmod(mode)
    try:
        return made.build(), before
    finally:
        made.index.chmod(0o644)


@pytest.mark.parametrize("mode", [0o000, 0o444], ids=["unreadable", "read-only"])
def test_an_index_that_cannot_be_written_is_a_clear_error(fault_site: FaultSite,
                                                          mode: int) -> None:
    ran, before = index_with_mode(fault_site, mode)
    line = failed_cleanly(ran, fault_site.feeds, before)
    assert line == (f"syndicate: error: cannot open the index: {fault_site.index} is not "
                    "writable (it must be readable and writable by the user running syndicate)")
    recovers(fault_site)  # and nothing the failed run left (a -shm of mode 0444) stays in the way


# --- a full disk ---


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], None]]:
    """A tmpfs at tmp_path/disk (root only); yields resize(bytes), which remounts it."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("a small disk needs root and mount(8) to mount a tmpfs; the in-process "
                    "ENOSPC test covers the publisher")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs",
                              str(disk)], capture_output=True, text=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")

    def resize(size: int) -> None:
        subprocess.run([mount, "-o", f"remount,size={size}", str(disk)], check=True)

    try:
        yield resize
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def used_bytes(folder: Path) -> int:
    info = os.statvfs(folder)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


MIB = 1 << 20


def test_a_full_disk_fails_cleanly(small_disk: Callable[[int], None], tmp_path: Path) -> None:
    """The output folder and the index on a disk with room for the first build and 1 MiB
    more; the second build adds 400 records, so 800 article files of a page or more each
    (3+ MiB). Their index rows (well under SQLite's 2 MB page cache) stay in memory until the
    commit, so the disk fills while publishing."""
    disk = tmp_path / "disk"
    site = Site(tmp_path / "site")
    site.folder.mkdir()
    site.write_records(records(12))
    site.write_config(output={"dir": str(disk / "feeds")})
    made = FaultSite(site, [], disk / "feeds", disk / "feeds.index.sqlite")
    assert made.build() == Ran(0, "", "")
    before = published(made.feeds)
    assert before
    small_disk(used_bytes(disk) + MIB)
    site.write_records(records(412))
    line = failed_cleanly(made.build(), made.feeds, before)
    assert line.startswith("syndicate: error: cannot write ")
    assert line.endswith(": No space left on device")
    small_disk(64 * MIB)
    recovers(made)


def full_index_disk(resize: Callable[[int], None], tmp_path: Path
                    ) -> tuple[FaultSite, dict[str, bytes], Ran]:
    """The index alone on a disk with 64 KiB to spare; a change of 300 records needs more."""
    disk = tmp_path / "disk"
    site = Site(tmp_path / "site")
    site.folder.mkdir()
    site.write_records(records(12))
    site.write_config(output={"dir": "feeds", "index": str(disk / "feeds.index.sqlite")})
    made = FaultSite(site, [], site.feeds, disk / "feeds.index.sqlite")
    assert made.build() == Ran(0, "", "")
    before = published(made.feeds)
    resize(used_bytes(disk) + 64 * 1024)
    site.write_records(records(312))
    return made, before, made.build()


def test_a_full_disk_under_the_index_says_whether_the_files_were_published(
        small_disk: Callable[[int], None], tmp_path: Path) -> None:
    made, before, ran = full_index_disk(small_disk, tmp_path)
    lines = ran.err.strip().splitlines()
    assert ran.code == 1 and len(lines) == 1 and "Traceback" not in ran.err + ran.out, ran
    print(f"\nfault message: {lines[0]}")
    assert not temp_files(made.feeds)
    left = published(made.feeds)
    small_disk(64 * MIB)
    ran = made.build()
    assert (ran.code, ran.err) == (0, ""), ran
    after = published(made.feeds)
    assert "articles/s0311.json" in after
    # The index is committed after the files are published, so the failed commit may come
    # after a complete publish; the message says which, and the folder holds that version.
    published_first = (f"syndicate: error: the files are published, but the index {made.index} "
                       "could not record it (database or disk is full); the next run does this "
                       "run's work again")
    nothing = (f"syndicate: error: cannot write the index {made.index}: database or disk is "
               "full; nothing was published, the feeds stay as they were")
    assert (lines[0], left) in ((published_first, after), (nothing, before))


class FullDisk:
    """syndicate.publish's `os`, whose write() fails with ENOSPC after `allowed` calls."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, handle: int, data: Any) -> int:
        self.calls += 1
        if self.calls > self.allowed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.write(handle, data)


def test_enospc_while_publishing_raises_publish_error_and_keeps_the_files(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everywhere, root or not: the 6th file write of a run fails as on a full disk, after 5
    temporary files were written and are waiting to be renamed into place."""
    site.write_records(records(12))
    assert syndicate.build(syndicate.load_config(site.config)).exit_code == 0
    before = published(site.feeds)
    site.write_records(records(13))
    full = FullDisk(allowed=5)
    monkeypatch.setattr(publish_module, "os", full)
    with pytest.raises(syndicate.PublishError) as caught:
        syndicate.build(syndicate.load_config(site.config))
    monkeypatch.undo()
    assert full.calls == 6
    assert re.fullmatch(rf"cannot write {re.escape(str(site.feeds))}/\S+: "
                        r"No space left on device", str(caught.value)), caught.value
    assert published(site.feeds) == before
    assert not temp_files(site.feeds)
    assert syndicate.build(syndicate.load_config(site.config)).exit_code == 0
    assert "articles/s0012.json" in published(site.feeds)


class FailingOpen(FullDisk):
    """syndicate.publish's `os`, whose open() fails with ENOSPC for names containing `word`."""

    def __init__(self, word: str) -> None:
        super().__init__(allowed=sys.maxsize)
        self.word = word

    def open(self, path: Any, *args: Any) -> int:
        if self.word in str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.open(path, *args)


def unpublish_with_a_failing_report(site: Site, monkeypatch: pytest.MonkeyPatch
                                    ) -> dict[str, bytes]:
    """Publish s0000-s0002, then drop s0002 in a run whose last write (build-report.json)
    fails, as a run killed at that point would; returns the files before that run."""
    site.write_records(records(3))
    assert syndicate.build(syndicate.load_config(site.config)).exit_code == 0
    before = published(site.feeds)
    site.write_records(records(2))
    monkeypatch.setattr(publish_module, "os", FailingOpen("build-report.json"))
    with pytest.raises(syndicate.PublishError, match="No space left on device"):
        syndicate.build(syndicate.load_config(site.config))
    monkeypatch.undo()
    return before


def test_a_failed_run_removes_no_article_file(site: Site,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = unpublish_with_a_failing_report(site, monkeypatch)
    assert published(site.feeds) == before


def test_removals_a_failed_run_did_not_make_are_made_and_reported_by_the_next(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    unpublish_with_a_failing_report(site, monkeypatch)
    report = syndicate.build(syndicate.load_config(site.config))
    # s0002 was society's only article: its month's archive goes too
    assert report.removed == ["articles/s0002.html", "articles/s0002.json",
                              "society/archive/2026-02.atom.xml",
                              "society/archive/2026-02.json", "society/archive/2026-02.rss.xml"]
