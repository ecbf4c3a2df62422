"""The floor: read and json-parse every record, nothing else.

    python bench/floor.py bench/.data/100k/records
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(records: Path) -> int:
    count = 0
    for path in sorted(records.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                json.loads(line)
                count += 1
    return count


if __name__ == "__main__":
    main(Path(sys.argv[1]))
