"""Tag and author feeds at scale: what they add to a first build, and what one new article costs.

    python bench/tags.py                              # 100k articles, 20,000 topic tags
    python bench/tags.py --sizes 1000000 --skip-off   # the 1M index, tags on only
    python bench/tags.py --sizes 2000 --results /tmp/t.md     # a quick look

The corpus is bench/corpus.py's with a long tail of topic tags and reporters (`--tags`, kept in
bench/.data/<size>-tags/). Each step is a process of its own, measured for wall time and peak RSS
(bench/run.py's measure), in one run:
  tags off   the first build with `tags.min_articles: 0` and `authors.min_articles: 0`
  tags on    the first build with the defaults (a feed for each tag and author with 5 articles)
  no-op      again, nothing changed
  one new    one article with two tags and two authors appended to today's file
Beside each it counts the files in the output folder: all, those of tag and author feeds, and
archive documents; for "one new", the files whose bytes changed. The table goes to
bench/RESULTS.md, between the markers of its own section.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import run as bench  # noqa: E402

TAGS = 20_000
BEGIN, END = "<!-- bench/tags.py: begin -->", "<!-- bench/tags.py: end -->"


def prepare(count: int, data: Path) -> Path:
    folder = data / f"{bench.label(count)}-tags"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "corpus.py"), str(count), str(folder),
                        "--tags", str(TAGS)], check=True)
        done.touch()
    return folder


def set_thresholds(folder: Path, minimum: int | None) -> None:
    """site.yaml as the corpus wrote it, plus the thresholds (None: the defaults)."""
    path = folder / "site.yaml"
    bench._keep_original(path)
    text = path.with_name(path.name + ".orig").read_text(encoding="utf-8").rstrip() + "\n"
    if minimum is not None:
        text += f"tags:\n  min_articles: {minimum}\nauthors:\n  min_articles: {minimum}\n"
    path.write_text(text, encoding="utf-8")


def snapshot(root: Path, out: Path) -> None:
    """Write each published file's (size, mtime_ns) to `out`, in a process of its own: a
    child's peak RSS (wait4) starts at its parent's size, so the runner holds no file list."""
    subprocess.run([sys.executable, __file__, "--snapshot", str(root), str(out)], check=True)


def _snapshot(root: Path) -> dict[str, list[int]]:
    return {str(path.relative_to(root)): [path.stat().st_size, path.stat().st_mtime_ns]
            for path in root.rglob("*") if path.is_file() and not path.name.startswith(".")}


def counts(before: Path | None, after: Path) -> tuple[int, int, int]:
    """(all, tag and author feeds' files, archive documents) of the files in the snapshot
    `after`, or of those that differ from `before`; counted in a process of its own."""
    command = [sys.executable, __file__, "--count", str(after)]
    if before:
        command.append(str(before))
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    total, labels, archives = (int(n) for n in done.stdout.split())
    return total, labels, archives


def _count(after: dict[str, list[int]], before: dict[str, list[int]] | None) -> list[int]:
    files = set(after) if before is None else {
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    labels = sum(1 for path in files if path.startswith(("tags/", "authors/")))
    archives = sum(1 for path in files if "/archive/" in f"/{path}")
    return [len(files), labels, archives]


def append_tagged(folder: Path, count: int) -> None:
    today = corpus.day_file(folder, 0)
    bench._keep_original(today)
    record = corpus.article(count, __import__("random").Random(7))
    record.update(id="tagged-new", published=corpus.LAST_DAY.isoformat(),
                  tags=["話題00001", "話題00042"], author=["記者王小明", "記者001"])
    with today.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_size(count: int, data: Path, skip_off: bool = False
             ) -> list[tuple[str, bench.Sample, tuple[int, int, int]]]:
    folder = prepare(count, data)
    before, after = folder / "before.json", folder / "after.json"
    rows = []
    try:
        for step, minimum in (("tags off", 0), ("tags on", None))[skip_off:]:
            bench.fresh(folder)
            set_thresholds(folder, minimum)
            sample = bench.measure(bench.syndicate(folder))
            snapshot(folder / "feeds", before)
            rows.append((step, sample, counts(None, before)))
        rows.append(("no-op", bench.measure(bench.syndicate(folder)), (0, 0, 0)))
        append_tagged(folder, count)
        sample = bench.measure(bench.syndicate(folder))
        snapshot(folder / "feeds", after)
        rows.append(("one new", sample, counts(before, after)))
    finally:
        bench.fresh(folder)
        for path in (before, after):
            path.unlink(missing_ok=True)
    return rows


def table(results: dict[int, list[tuple[str, bench.Sample, tuple[int, int, int]]]]) -> str:
    lines = ["| articles | step | wall (s) | peak RSS (MB) | files | tag and author files | "
             "archive files |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for count, rows in results.items():
        for step, sample, (files, labels, archives) in rows:
            lines.append(f"| {bench.label(count)} | {step} | {sample.wall:.1f} | "
                         f"{sample.rss:.0f} | {files:,} | {labels:,} | {archives:,} |")
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--snapshot"]:  # a child of snapshot()
        Path(sys.argv[3]).write_text(json.dumps(_snapshot(Path(sys.argv[2]))), encoding="utf-8")
        return
    if sys.argv[1:2] == ["--count"]:  # a child of counts()
        after = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        before = (json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
                  if len(sys.argv) > 3 else None)
        print(*_count(after, before))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--data", type=Path, default=HERE / ".data")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--skip-off", action="store_true",
                        help="leave out the tags-off first build (for 1M, where a first build "
                             "takes long)")
    args = parser.parse_args()
    results = {count: run_size(count, args.data, args.skip_off) for count in args.sizes}
    section = (f"{BEGIN}\n## Tag and author feeds (`python bench/tags.py --sizes "
               f"{' '.join(map(str, args.sizes))}`)\n\n{bench.machine()}\n\nThe corpus with "
               f"{TAGS:,} topic tags and {TAGS // 100} reporters; for \"one new\", the files "
               f"are those whose bytes changed.\n\n{table(results)}\n{END}\n")
    text = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip() + "\n\n" + section if text else section
    args.results.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
