"""The blind hold-out deadline phrases (written before their authors read the grammar)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from schedules.deadlines import parse_deadline

HOLDOUT_SET = Path(__file__).resolve().parents[1] / "data" / "deadlines_holdout.jsonl"
# Below the labelled set's 0.98: these labels were not tuned against the grammar.
TARGET = 0.95


def test_holdout_deadlines_are_read_as_labelled():
    with HOLDOUT_SET.open(encoding="utf-8") as lines:
        examples = [json.loads(line) for line in lines if line.strip()]
    assert len(examples) >= 80
    misses = []
    for example in examples:
        today = date.fromisoformat(example["today"]) if example.get("today") else None
        got = parse_deadline(example["text"], today=today).as_dict()
        if got != example["expected"]:
            misses.append((example["text"], example["expected"], got))
    accuracy = 1 - len(misses) / len(examples)
    assert accuracy >= TARGET, misses
