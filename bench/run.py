"""The benchmark: syndicate against a naive feedgen script and the floor, side by side.

    python bench/run.py                      # 100k and 1M articles, median of 3 (takes long)
    python bench/run.py --sizes 1000 --repeat 1 --results /tmp/r.md    # the CI smoke

For each size it generates the corpus (bench/corpus.py; kept in bench/.data/ between runs) and
measures, in one run, wall time and peak RSS of each step as a separate process:
  (a) naive   bench/naive.py: dateutil on every date, sort everything, feedgen, every run
  (b) floor   bench/floor.py: read and json-parse every record, nothing else
  (c) first   syndicate's first build, per-article files included
  (d) no-op   syndicate again, nothing changed
  (e) one new one article appended to today's file
  (f) 100 mod 100 articles of the newest files modified
  (g) import  python -c "import feedgen.feed, dateutil.parser, yaml, requests"
  (h) output floor  bench/output_floor.py: two files per article (1.6 and 2.6 KB) through a
                    temporary file and a rename, one syncfs at the end
  (i) full    syndicate build --full, nothing changed in the bytes
      read back  bench/output_floor.py read: every output file read once (the floor of (i))
  (j) config: feeds  output.items_per_feed changed, then a build
  (k) config: share  share.utm_campaign changed, then a build
The table (median of --repeat runs, ratios to (a) and (b), and each target of issue 14 as a
ratio: the first build against (b) + (h), --full against (b) + read back, the no-op against
(g)) is printed and written to bench/RESULTS.md with a description of the machine. Not a test:
timings on a shared machine are compared side by side in one run, never against fixed numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (bench/corpus.py, beside this file)

PYTHON = sys.executable
STEPS = ("naive", "floor", "output floor", "first", "full", "read back", "no-op", "one new",
         "100 mod", "config: feeds", "config: share", "import")
# step -> (what it is measured against, the steps that make that, the most that meets issue
# 14's target): a ratio in one run, never a fixed number of seconds
TARGETS = {"first": ("floor + output floor", ("floor", "output floor"), 2.5),
           "full": ("floor + read back", ("floor", "read back"), 1.5),
           "no-op": ("import", ("import",), 0.35)}


@dataclass
class Sample:
    wall: float  # seconds
    rss: float  # MB


def measure(command: list[str]) -> Sample:
    """Run one process; its wall time and peak resident memory (from wait4)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 3):
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n"
                             f"{errors.read().decode(errors='replace')}")
    return Sample(wall, usage.ru_maxrss / 1024)


def label(count: int) -> str:
    return f"{count // 1_000_000}M" if count >= 1_000_000 and count % 1_000_000 == 0 else (
        f"{count // 1000}k" if count % 1000 == 0 else str(count))


def prepare(count: int, data: Path) -> Path:
    folder = data / label(count)
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        # In a process of its own: a child's peak RSS (wait4) starts at its parent's size, so
        # the runner must stay small.
        subprocess.run([PYTHON, str(HERE / "corpus.py"), str(count), str(folder)], check=True)
        done.touch()
    return folder


def syndicate(folder: Path, *options: str) -> list[str]:
    return [PYTHON, "-m", "syndicate.cli", "build", "-q", *options, "--config",
            str(folder / "site.yaml")]


def fresh(folder: Path) -> None:
    """Remove syndicate's output and index, and undo the edits of earlier steps."""
    shutil.rmtree(folder / "feeds", ignore_errors=True)
    shutil.rmtree(folder / "floor-out", ignore_errors=True)
    for index in folder.glob("feeds.index.sqlite*"):
        index.unlink()
    for path in (*(folder / "records").glob("*.jsonl.orig"), folder / "site.yaml.orig"):
        if path.exists():
            path.replace(path.with_suffix(""))


def change_config(folder: Path, section: str, key: str, value: str) -> None:
    """Set `key: value` in a section of the corpus's site.yaml (as bench/corpus.py writes it:
    each section's keys two spaces in, one per line), keeping the original to restore."""
    path = folder / "site.yaml"
    _keep_original(path)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith(f"  {key}:")]
    at = lines.index(f"{section}:") + 1
    lines.insert(at, f"  {key}: {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append_one(folder: Path, count: int, number: int) -> None:
    today = corpus.day_file(folder, 0)
    record = corpus.article(count + number, __import__("random").Random(number))
    record["id"] = f"new-{number}"
    record["published"] = corpus.LAST_DAY.isoformat()
    _keep_original(today)
    with today.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def modify_hundred(folder: Path, count: int, round_: int) -> None:
    """Change the title of 100 articles spread over the newest files."""
    per_file = max(1, 100 // max(1, min(10, count // corpus.PER_DAY)))
    changed = 0
    for day in range(0, max(1, count // corpus.PER_DAY) + 1):
        path = corpus.day_file(folder, day * corpus.PER_DAY)
        if changed >= 100 or not path.exists():
            break
        _keep_original(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        for index in range(min(per_file, 100 - changed, len(lines))):
            record = json.loads(lines[index])
            record["title"] += f" 更新{round_}"
            record["updated"] = corpus.LAST_DAY.isoformat()
            lines[index] = json.dumps(record, ensure_ascii=False)
            changed += 1
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _keep_original(path: Path) -> None:
    original = path.with_name(path.name + ".orig")
    if not original.exists():
        shutil.copy2(path, original)


def run_size(count: int, repeat: int, data: Path,
             after_round: Callable[[dict[str, list[Sample]]], None],
             first_once: bool = False) -> dict[str, list[Sample]]:
    folder = prepare(count, data)
    records = folder / "records"
    samples: dict[str, list[Sample]] = {step: [] for step in STEPS}
    for round_ in range(repeat):
        print(f"  {label(count)} round {round_ + 1}/{repeat}", file=sys.stderr)
        samples["import"].append(measure(
            [PYTHON, "-c", "import feedgen.feed, dateutil.parser, yaml, requests"]))
        if first_once and round_:  # the index of round 1 serves the cheap steps again
            _incremental_steps(folder, count, round_, samples)
            after_round(samples)
            continue
        fresh(folder)
        samples["floor"].append(measure([PYTHON, str(HERE / "floor.py"), str(records)]))
        naive_out = Path(tempfile.mkdtemp(prefix="naive-"))
        samples["naive"].append(measure([PYTHON, str(HERE / "naive.py"), str(records),
                                         str(naive_out)]))
        shutil.rmtree(naive_out, ignore_errors=True)
        # on the disk of the build's output, into a folder as big as its articles/ folder
        samples["output floor"].append(measure([PYTHON, str(HERE / "output_floor.py"), "write",
                                                str(count), str(folder / "floor-out")]))
        shutil.rmtree(folder / "floor-out", ignore_errors=True)
        samples["first"].append(measure(syndicate(folder)))
        samples["full"].append(measure(syndicate(folder, "--full")))
        samples["read back"].append(measure([PYTHON, str(HERE / "output_floor.py"), "read",
                                             str(folder / "feeds")]))
        # every article file changes: as dear as the first build, so once per full round
        change_config(folder, "share", "utm_campaign", f"share-{round_ + 1}")
        samples["config: share"].append(measure(syndicate(folder)))
        _incremental_steps(folder, count, round_, samples)
        after_round(samples)  # a long run that is stopped keeps the rounds it finished
    fresh(folder)
    return samples


def _incremental_steps(folder: Path, count: int, round_: int,
                       samples: dict[str, list[Sample]]) -> None:
    samples["no-op"].append(measure(syndicate(folder)))
    append_one(folder, count, round_)
    samples["one new"].append(measure(syndicate(folder)))
    modify_hundred(folder, count, round_)
    samples["100 mod"].append(measure(syndicate(folder)))
    # feeds only: the default is 50, and every round a number the index has not seen
    change_config(folder, "output", "items_per_feed", str(60 + round_))
    samples["config: feeds"].append(measure(syndicate(folder)))


def table(results: dict[int, dict[str, list[Sample]]]) -> str:
    lines = ["| articles | step | wall (s) | peak RSS (MB) | × naive | × floor | target |",
             "| ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    for count, samples in results.items():
        wall = {step: statistics.median(s.wall for s in runs)
                for step, runs in samples.items() if runs}
        rss = {step: statistics.median(s.rss for s in runs)
               for step, runs in samples.items() if runs}
        for step in STEPS:
            if step not in wall:  # a run stopped before this step
                continue
            lines.append(f"| {label(count)} | {step} | {wall[step]:.3f} | {rss[step]:.0f} | "
                         f"{_ratio(wall[step], wall.get('naive'), 3)} | "
                         f"{_ratio(wall[step], wall.get('floor'), 2)} | "
                         f"{target(step, wall)} |")
    return "\n".join(lines)


def _ratio(value: float, base: float | None, digits: int) -> str:
    return f"{value / base:.{digits}f}" if base else "–"


def target(step: str, wall: dict[str, float]) -> str:
    """The step's time as a ratio to what issue 14 measures it against, and whether that
    meets the target; empty for a step without such a target."""
    if step not in TARGETS:
        return ""
    name, parts, most = TARGETS[step]
    if not all(part in wall for part in parts):
        return ""
    ratio = wall[step] / sum(wall[part] for part in parts)
    return f"{ratio:.2f} × ({name}), target ≤ {most}: {'met' if ratio <= most else 'missed'}"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?")
    return (f"{os.cpu_count()} × {cpu}, "
            f"{int(memory) // 1024 // 1024} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / ".data")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--first-once", action="store_true",
                        help="run naive, floor and the first build in round 1 only, and the "
                             "cheap steps in every round (for sizes where a build takes long)")
    args = parser.parse_args()
    results: dict[int, dict[str, list[Sample]]] = {}

    def write(samples: dict[str, list[Sample]] | None = None, count: int = 0) -> str:
        if samples is not None:
            results[count] = samples
        rounds = "; ".join(f"{label(c)}: {', '.join(f'{k} {len(v)}' for k, v in s.items())}"
                           for c, s in results.items())
        text = table(results)
        args.results.write_text(
            f"# Benchmark results\n\n{machine()}\n\n`python bench/run.py --sizes "
            f"{' '.join(map(str, args.sizes))} --repeat {args.repeat}"
            f"{' --first-once' if args.first_once else ''}` — the median of the runs of each "
            f"step ({rounds}); each step is its own process.\n\n{text}\n",
            encoding="utf-8")
        return text

    for count in args.sizes:
        run_size(count, args.repeat, args.data, lambda samples, c=count: write(samples, c),
                 args.first_once)
    print(write())


if __name__ == "__main__":
    main()
