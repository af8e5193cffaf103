"""Every deadline phrase of the seed documents reads as the careful reader wrote it down."""

from __future__ import annotations

import json
from pathlib import Path

from schedules.deadlines import parse_deadline


def _expected_deadlines(seeds_dir: Path) -> list[tuple[str, str, dict]]:
    found = []
    for path in sorted((seeds_dir / "expected").glob("*.json")):
        for task in json.loads(path.read_text(encoding="utf-8"))["tasks"]:
            found.append((path.name, task["deadline_text"], task["deadline"]))
    return found


def test_every_seed_deadline_parses_to_the_expected_reading(seeds_dir):
    expected = _expected_deadlines(seeds_dir)
    assert expected, "the expected files hold no tasks"
    misses = [
        (source, text, parse_deadline(text).as_dict(), wanted)
        for source, text, wanted in expected
        if parse_deadline(text).as_dict() != wanted
    ]
    assert misses == []


def test_seed_deadlines_are_all_understood(seeds_dir):
    texts = {text for _, text, _ in _expected_deadlines(seeds_dir)}
    assert [text for text in texts if not parse_deadline(text).understood] == []
