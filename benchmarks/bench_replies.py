"""Throughput of parse_reply on the labelled replies (target: 5,000 replies/s on one core)."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from handlers import replies  # noqa: E402

LABELLED_SET = REPO_ROOT / "tests" / "data" / "replies.jsonl"
TARGET_PER_SECOND = 5_000
MIN_SECONDS = 2.0


def load_replies() -> list[tuple[str, date]]:
    """The labelled replies with their 'today'."""
    with LABELLED_SET.open(encoding="utf-8") as lines:
        examples = [json.loads(line) for line in lines if line.strip()]
    return [(example["text"], date.fromisoformat(example["today"])) for example in examples]


def measure(samples: list[tuple[str, date]]) -> float:
    """Replies parsed per second, over at least MIN_SECONDS of repeated passes."""
    parsed = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < MIN_SECONDS:
        for text, today in samples:
            replies.parse_reply(text, today=today)
        parsed += len(samples)
        elapsed = time.perf_counter() - started
    return parsed / elapsed


def main() -> int:
    """Print replies/s (per-word cache warm and cold) and PASS/FAIL; exit 1 below the target."""
    samples = load_replies()
    measure(samples[:50])  # warm up regex caches and the lazy dateparser import
    warm = max(measure(samples) for _ in range(3))
    # Real traffic repeats words, but a fresh process starts with an empty per-word cache.
    replies._canon_word.cache_clear()
    started = time.perf_counter()
    for text, today in samples:
        replies.parse_reply(text, today=today)
    cold = len(samples) / (time.perf_counter() - started)
    verdict = "PASS" if warm >= TARGET_PER_SECOND else "FAIL"
    print(
        f"parse_reply: {warm:,.0f} replies/s on {len(samples)} distinct replies "
        f"(first pass with an empty word cache: {cold:,.0f}/s; target {TARGET_PER_SECOND:,}): "
        f"{verdict}"
    )
    return 0 if warm >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
