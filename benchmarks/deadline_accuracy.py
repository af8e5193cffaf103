"""Accuracy of the deadline grammar on the hand-labelled phrases of tests/data/deadlines.jsonl,
and on the blind hold-out set (reported, not gated: it was written without seeing the parser).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from schedules.deadlines import parse_deadline  # noqa: E402

LABELLED_SET = REPO_ROOT / "tests" / "data" / "deadlines.jsonl"
HOLDOUT_SET = REPO_ROOT / "tests" / "data" / "deadlines_holdout.jsonl"
TARGET = 0.98


@dataclass(frozen=True)
class Miss:
    """A phrase the grammar read differently from its label."""

    text: str
    today: str | None
    expected: dict
    got: dict


def load_labelled(path: Path = LABELLED_SET) -> list[dict]:
    """The labelled phrases, one JSON object per line."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reading(example: dict) -> dict:
    """What the grammar reads for one labelled example, in the label's shape."""
    today = date.fromisoformat(example["today"]) if example.get("today") else None
    deadline = parse_deadline(example["text"], today=today)
    got = deadline.as_dict()
    if "understood" in example:
        got["understood"] = deadline.understood
    return got


def wanted(example: dict) -> dict:
    """The label, with the 'understood' flag when the example states one."""
    expected = dict(example["expected"])
    if "understood" in example:
        expected["understood"] = example["understood"]
    return expected


def evaluate(examples: list[dict]) -> tuple[float, list[Miss]]:
    """Share of examples read exactly as labelled, and the misses."""
    misses = [
        Miss(example["text"], example.get("today"), wanted(example), reading(example))
        for example in examples
        if reading(example) != wanted(example)
    ]
    return 1 - len(misses) / len(examples), misses


def report(name: str, path: Path) -> float:
    """Print the misses and the accuracy of one set; return the accuracy."""
    examples = load_labelled(path)
    accuracy, misses = evaluate(examples)
    for miss in misses:
        print(
            f"{name} MISS {miss.text!r} (today={miss.today}): expected {miss.expected}, got {miss.got}"
        )
    print(f"{name}: accuracy {accuracy:.4f} on {len(examples)} phrases")
    return accuracy


def main() -> int:
    """Print both sets' accuracy and misses; exit 1 below the target on the labelled set."""
    accuracy = report("labelled", LABELLED_SET)
    if HOLDOUT_SET.exists():
        report("hold-out", HOLDOUT_SET)
    verdict = "PASS" if accuracy >= TARGET else "FAIL"
    print(f"labelled accuracy {accuracy:.4f} (target {TARGET}, hold-out not gated): {verdict}")
    return 0 if accuracy >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
