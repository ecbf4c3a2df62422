"""What rendering one article's two files costs in Python, with no disk: µs per article.

    python bench/article_cost.py bench/.data/10k/site.yaml --count 10000
    PYTHONPATH=/tmp/base python bench/article_cost.py ...     # another tree's code, side by side

Reads the first --count records of the corpus's sources (bench/corpus.py writes one) and
normalizes them (not timed), then times, for every article, what publish_articles does besides
writing: the file name, the share payload as compact JSON and the <head> fragment as UTF-8.
Prints the median of --repeat rounds. A comparison, never a test: run both trees in one session.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def load(config_path: Path, count: int) -> tuple[object, list[object]]:
    from syndicate.config import load_config
    from syndicate.records import normalize, rename_fields
    from syndicate.sources.files import list_files, read_file

    config = load_config(config_path)
    articles: list[object] = []
    for source in config.sources:
        for path in list_files(source):
            for raw, origin in read_file(path, source):
                if len(articles) >= count:
                    return config, articles
                articles.append(normalize(rename_fields(raw, {}), config, origin))
    return config, articles


def render(config: object, articles: list[object]) -> int:
    """Every article's two files as publish_articles renders them; their total size."""
    from syndicate.records import safe_name

    files = _renderer()
    size = 0
    for article in articles:
        name = f"articles/{safe_name(article.id)}"  # type: ignore[attr-defined]
        data, head = files(article, config, [])
        size += len(name) + len(data) + len(head)
    return size


def _renderer() -> Callable[[object, object, list[object]], tuple[bytes, bytes]]:
    """render.meta.article_files, or what publish_articles called before it existed (the
    code of an older tree: the same bytes)."""
    try:
        from syndicate.render.meta import article_files  # type: ignore[attr-defined]
    except ImportError:
        from syndicate.render.meta import head_html, share_payload
        from syndicate.report import compact_json

        def article_files(article, config, related):  # type: ignore[no-untyped-def]
            return (compact_json(share_payload(article, config, related)),
                    head_html(article, config, related).encode("utf-8"))
    return article_files  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config, articles = load(args.config, args.count)
    render(config, articles[:50])  # first-use imports (twitter-text) out of the timing
    rounds, size = [], 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        size = render(config, articles)
        rounds.append(time.perf_counter() - started)
    per = statistics.median(rounds) / len(articles) * 1e6
    print(f"{len(articles)} articles, {size / len(articles) / 1024:.2f} KB each: "
          f"{per:.1f} µs per article (median of {args.repeat})")


if __name__ == "__main__":
    main()
