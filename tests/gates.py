"""Ratcheted accuracy gates: a labelled set names its known misses, each with the reason.

A new miss fails (a regression cannot hide under a percentage), and so does a known miss that
is now read right (the fix shows, and its entry must go so the gain is kept).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_labelled(path: Path) -> list[dict[str, Any]]:
    """The examples of a JSON-lines labelled set."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def assert_exact_misses(misses: dict[str, Any], known: dict[str, str], *, label: str) -> None:
    """`misses` (text -> what differs) must be exactly the `known` ones (text -> why)."""
    new = {text: detail for text, detail in misses.items() if text not in known}
    fixed = sorted(text for text in known if text not in misses)
    problems = []
    if new:
        problems.append(
            f"{len(new)} new miss(es) in {label}:\n"
            + "\n".join(f"  {text!r}: {detail}" for text, detail in new.items())
        )
    if fixed:
        problems.append(
            f"{len(fixed)} known miss(es) of {label} now read right; remove them from the list:\n"
            + "\n".join(f"  {text!r}" for text in fixed)
        )
    assert not problems, "\n".join(problems)
