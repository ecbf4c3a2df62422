"""The baseline to beat: the feedgen script a news site writes by hand.

    python bench/naive.py bench/.data/100k/records OUT

It reads every record of every file, parses every date with dateutil, sorts everything, and
writes RSS and Atom for the site and each category with feedgen, every run, whatever changed.
It writes no per-article files and validates nothing: it is the floor of effort, not of quality.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dateutil.parser
from feedgen.feed import FeedGenerator

CATEGORIES = {"地方": "local", "生活": "life", "健康": "health", "文教": "education",
              "旅遊": "travel", "消費": "consumer", "社會": "society", "國際": "world",
              "藝術": "arts", "綜合": "general"}


def main(records: Path, out: Path) -> None:
    articles = []
    for path in sorted(records.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                record["published"] = dateutil.parser.parse(record["published"])
                record["category"] = CATEGORIES.get(record["category"], record["category"])
                articles.append(record)
    articles.sort(key=lambda record: record["published"], reverse=True)
    feeds = {"": articles[:50]}
    for slug in CATEGORIES.values():
        feeds[slug] = [record for record in articles if record["category"] == slug][:50]
    for slug, items in feeds.items():
        fg = FeedGenerator()
        fg.id(f"https://nchn.example.com/{slug}")
        fg.title(f"全國大小事新聞網 {slug}")
        fg.link(href="https://nchn.example.com/", rel="alternate")
        fg.description("全國大小事新聞網")
        for record in items:
            entry = fg.add_entry()
            entry.id(record["url"])
            entry.title(record["title"])
            entry.link(href=record["url"])
            entry.published(record["published"])
            entry.content(record["content_html"], type="CDATA")
        folder = out / slug
        folder.mkdir(parents=True, exist_ok=True)
        fg.rss_file(str(folder / "rss.xml"), pretty=True)
        fg.atom_file(str(folder / "atom.xml"), pretty=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
