"""Throughput of parse_deadline on the labelled phrases (target: 20,000 phrases/s on one core)."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from schedules.deadlines import parse_deadline  # noqa: E402

LABELLED_SET = REPO_ROOT / "tests" / "data" / "deadlines.jsonl"
TARGET_PER_SECOND = 20_000
MIN_SECONDS = 2.0


def load_phrases() -> list[tuple[str, date | None]]:
    """The labelled phrases with their 'today' (distinct inputs, no cache to flatter us)."""
    with LABELLED_SET.open(encoding="utf-8") as lines:
        examples = [json.loads(line) for line in lines if line.strip()]
    return [
        (example["text"], date.fromisoformat(example["today"]) if "today" in example else None)
        for example in examples
    ]


def measure(phrases: list[tuple[str, date | None]]) -> float:
    """Phrases parsed per second, over at least MIN_SECONDS of repeated passes."""
    parsed = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < MIN_SECONDS:
        for text, today in phrases:
            parse_deadline(text, today=today)
        parsed += len(phrases)
        elapsed = time.perf_counter() - started
    return parsed / elapsed


def main() -> int:
    """Print phrases/s and PASS/FAIL; exit 1 below the target."""
    phrases = load_phrases()
    measure(phrases[:50])  # warm up regex caches and imports
    rate = max(measure(phrases) for _ in range(3))
    verdict = "PASS" if rate >= TARGET_PER_SECOND else "FAIL"
    print(
        f"parse_deadline: {rate:,.0f} phrases/s on {len(phrases)} distinct phrases "
        f"(target {TARGET_PER_SECOND:,}): {verdict}"
    )
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
