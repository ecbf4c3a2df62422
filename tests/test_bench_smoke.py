"""The benchmark keeps working: a tiny run of bench/run.py (1k articles, one round). It asserts
what the runner produced, never how fast anything was: timings belong in bench/RESULTS.md."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_runs_end_to_end(tmp_path):
    results = tmp_path / "RESULTS.md"
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "1000",
                    "--repeat", "1", "--data", str(tmp_path / "data"), "--results",
                    str(results)], check=True, capture_output=True, cwd=ROOT)
    rows = [line for line in results.read_text(encoding="utf-8").splitlines()
            if line.startswith("| 1k |")]
    steps = [row.split("|")[2].strip() for row in rows]
    assert steps == ["naive", "floor", "output floor", "first", "full", "read back", "no-op",
                     "one new", "100 mod", "config: feeds", "config: share", "import"]
    for row in rows:
        wall, rss = (float(cell) for cell in row.split("|")[3:5])
        assert wall > 0 and rss > 0


def test_the_corpus_is_deterministic(tmp_path):
    for name in ("one", "two"):
        subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "1500",
                        str(tmp_path / name)], check=True, cwd=ROOT)
    one = sorted((tmp_path / "one" / "records").iterdir())
    two = sorted((tmp_path / "two" / "records").iterdir())
    assert [p.name for p in one] == [p.name for p in two] == ["2026-02-03.jsonl",
                                                              "2026-02-04.jsonl"]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=True))


def test_the_tags_benchmark_runs_end_to_end(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nthe other table\n", encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "bench" / "tags.py"), "--sizes", "1200",
                    "--data", str(tmp_path / "data"), "--results", str(results)],
                   check=True, capture_output=True, cwd=ROOT)
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\nthe other table\n")  # kept, section added
    rows = {row.split("|")[2].strip(): row.split("|")[3:8] for row in text.splitlines()
            if row.startswith("| 1200 |")}
    assert list(rows) == ["tags off", "tags on", "no-op", "one new"]
    # the fourth of wall, RSS, files, tag and author files, archive files
    off, on = (int(rows[step][3].replace(",", "")) for step in ("tags off", "tags on"))
    assert off == 0 < on


def test_the_deadlines_benchmark_runs_end_to_end(tmp_path):
    results = tmp_path / "DEADLINES.md"
    subprocess.run([sys.executable, str(ROOT / "bench" / "deadlines.py"), "--seconds", "2",
                    "--articles", "20", "--data", str(tmp_path / "data"), "--results",
                    str(results)], check=True, capture_output=True, cwd=ROOT)
    rows = {row.split("|")[1].strip(): row.split("|")[2:7]
            for row in results.read_text(encoding="utf-8").splitlines()
            if row.startswith("| ") and row.count("|") == 7 and row[2:5] != "---"
            and "scenario" not in row}
    assert list(rows) == ["healthy upstreams (the run's own work)", "WordPress drips",
                          "images drip, hub drips", "images drip, object store slow"]
    exits = [int(cells[3]) for cells in rows.values()]
    assert exits == [0, 1, 0, 0]
    assert "not done when deadlines.wordpress = 2 s passed" in rows["WordPress drips"][4]
    assert "deadlines.images = 2 s passed" in rows["images drip, hub drips"][4]
    assert "deadlines.pings = 2 s passed" in rows["images drip, hub drips"][4]
    assert "deadlines.uploads = 2 s passed" in rows["images drip, object store slow"][4]
