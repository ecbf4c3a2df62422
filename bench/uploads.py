"""Requests to the object store per run: what each kind of run sends to an S3 API bucket.

    python bench/uploads.py                   # 100k articles (the corpus of bench/run.py)
    python bench/uploads.py --size 1000 --results /tmp/u.md

Counts, not times: the bucket is moto's S3 server on 127.0.0.1 (tests/s3server.py) behind a
proxy that logs every request, and each step is `syndicate build -v` (or `sync`) in a process of
its own, whose output lists the files the folder rewrote. For each step the table gives the files
written and removed in the folder beside the PUT, DELETE and listing requests the bucket got:
the first build (which lists the empty bucket, then puts every file), a run with nothing to do,
one new article, 100 modified, a feeds-only config change, and a sync that finds nothing to fix.
The wall time is there to show the order of magnitude only (a shared machine).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import run as bench  # noqa: E402  (bench/run.py: the corpus and its edits)
from s3server import Proxy, start_moto, start_proxy, stop_proxy  # noqa: E402

STEPS = ("first", "no-op", "one new", "100 mod", "config: feeds", "sync")


def command(folder: Path, step: str) -> list[str]:
    config = str(folder / "site.yaml")
    if step == "sync":
        return [sys.executable, "-m", "syndicate.cli", "sync", "--config", config]
    return [sys.executable, "-m", "syndicate.cli", "build", "-v", "--config", config]


def add_bucket(folder: Path, endpoint: str, bucket: str) -> None:
    """The corpus's site.yaml with an s3 section (kept as .orig, which bench.fresh restores)."""
    path = folder / "site.yaml"
    bench._keep_original(path)
    text = path.with_name(path.name + ".orig").read_text(encoding="utf-8")
    path.write_text(f"{text.rstrip()}\ns3:\n  bucket: {bucket}\n  prefix: feeds/\n"
                    f"  endpoint_url: {endpoint}\n  region: us-east-1\n  path_style: true\n",
                    encoding="utf-8")


# Credentials for moto, and no AWS config of the machine's own.
AWS_ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def start_bucket() -> tuple[Any, Proxy, str]:
    """moto's S3 server on 127.0.0.1, the counting proxy in front of it, and a new bucket."""
    import boto3

    server, address = start_moto()
    proxy = start_proxy(address)
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=f"http://{address[0]}:{address[1]}", region_name="us-east-1",
                 aws_access_key_id="bench", aws_secret_access_key="bench"
                 ).create_bucket(Bucket=bucket)
    return server, proxy, bucket


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=HERE / ".data")
    parser.add_argument("--results", type=Path, default=HERE / "UPLOADS.md")
    args = parser.parse_args()
    env = {**os.environ, **AWS_ENV}
    folder = bench.prepare(args.size, args.data)
    bench.fresh(folder)
    server, proxy, bucket = start_bucket()
    add_bucket(folder, proxy.url, bucket)
    rows = []
    try:
        for step in STEPS:
            if step == "one new":
                bench.append_one(folder, args.size, 0)
            elif step == "100 mod":
                bench.modify_hundred(folder, args.size, 0)
            elif step == "config: feeds":
                bench.change_config(folder, "output", "items_per_feed", "60")
            proxy.clear()
            started = time.monotonic()
            done = subprocess.run(command(folder, step), env=env, capture_output=True,
                                  text=True)
            wall = time.monotonic() - started
            if done.returncode != 0:
                raise SystemExit(f"{step}: exit {done.returncode}\n{done.stderr}")
            lines = done.stdout.splitlines()
            written = sum(line.startswith("written ") for line in lines)
            removed = sum(line.startswith("removed ") for line in lines)
            methods = Counter(method for method, _ in proxy.log)
            rows.append((step, written, removed, methods["PUT"], methods["DELETE"],
                         methods["GET"], sum(methods.values()), wall))
            print(f"{step}: {rows[-1]}", file=sys.stderr)
    finally:
        stop_proxy(proxy)
        server.stop()
        bench.fresh(folder)
    table = ["| step | files written | files removed | PUT | DELETE | GET (listings) | "
             "requests | wall (s) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    table += [f"| {step} | {w:,} | {r:,} | {p:,} | {d:,} | {g:,} | {t:,} | {s:.1f} |"
              for step, w, r, p, d, g, t, s in rows]
    text = (f"# Requests to the object store per run\n\n{bench.machine()}\n\n"
            f"`python bench/uploads.py --size {args.size}`: {bench.label(args.size)} articles, "
            "moto's S3 server on 127.0.0.1 behind a counting proxy; each step is one process. "
            "Files written and removed are what `syndicate build -v` listed for the folder.\n\n"
            + "\n".join(table) + "\n")
    args.results.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
