"""Accuracy of the status-reply parser on the hand-labelled replies of tests/data/replies.jsonl,
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

from handlers.replies import parse_reply  # noqa: E402

LABELLED_SET = REPO_ROOT / "tests" / "data" / "replies.jsonl"
HOLDOUT_SET = REPO_ROOT / "tests" / "data" / "replies_holdout.jsonl"
TARGET = 0.95


@dataclass(frozen=True)
class Miss:
    """A reply the parser read differently from its label."""

    text: str
    today: str
    expected: dict
    got: dict


def load_labelled(path: Path = LABELLED_SET) -> list[dict]:
    """The labelled replies, one JSON object per line."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reading(example: dict) -> dict:
    """What the parser reads for one example, restricted to the fields its label states."""
    got = parse_reply(example["text"], today=date.fromisoformat(example["today"])).as_dict()
    return {field: got[field] for field in example["expected"]}


def evaluate(examples: list[dict]) -> tuple[float, list[Miss]]:
    """Share of replies read exactly as labelled (every labelled field), and the misses."""
    misses = []
    for example in examples:
        got = reading(example)
        if got != example["expected"]:
            misses.append(Miss(example["text"], example["today"], example["expected"], got))
    return 1 - len(misses) / len(examples), misses


def report(name: str, path: Path) -> float:
    """Print the misses and the accuracy of one set; return the accuracy."""
    examples = load_labelled(path)
    accuracy, misses = evaluate(examples)
    for miss in misses:
        wrong = {
            field: f"{miss.expected[field]!r} != {miss.got[field]!r}"
            for field in miss.expected
            if miss.expected[field] != miss.got[field]
        }
        print(f"{name} MISS {miss.text!r} (today={miss.today}): expected/got {wrong}")
    print(f"{name}: accuracy {accuracy:.4f} on {len(examples)} replies")
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
