"""The accuracy benchmark: its scoring, and every seed at 0.98 or better on every figure."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from plans.extract import extract_plan
from plans.text import read_text_file

_SPEC = importlib.util.spec_from_file_location(
    "benchmarks_accuracy", Path(__file__).resolve().parents[2] / "benchmarks" / "accuracy.py"
)
assert _SPEC is not None and _SPEC.loader is not None
accuracy = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = accuracy  # dataclasses look their module up there
_SPEC.loader.exec_module(accuracy)


def _seed_pairs(seeds_dir: Path) -> list[tuple[dict, dict]]:
    pairs = []
    for path in accuracy.seed_files(seeds_dir):
        got = extract_plan(read_text_file(path)).as_dict()
        want = json.loads((seeds_dir / "expected" / f"{path.stem}.json").read_text("utf-8"))
        pairs.append((got, want))
    return pairs


def test_every_seed_reaches_the_target_on_every_figure(seeds_dir):
    pairs = _seed_pairs(seeds_dir)
    assert pairs
    for got, want in pairs:
        figures = accuracy.score_plan(got, want).figures()
        assert min(figures.values()) >= accuracy.TARGET, (want["source"], figures)


@pytest.fixture
def plan(seeds_dir):
    path = seeds_dir / "003_d0be1ff9ce6fea24.txt"
    return json.loads((seeds_dir / "expected" / f"{path.stem}.json").read_text("utf-8"))


def test_a_wrong_lead_and_deadline_lower_those_figures_only(plan):
    got = copy.deepcopy(plan)
    got["tasks"][0]["lead"] = ["Sở Y tế"]
    got["tasks"][1]["deadline"]["kind"] = "fixed"
    figures = accuracy.score_plan(got, plan).figures()
    share = 1 - 1 / len(plan["tasks"])
    assert figures["lead"] == pytest.approx(share)
    assert figures["deadline"] == pytest.approx(share)
    assert figures["recall"] == figures["precision"] == figures["content"] == 1.0


def test_missing_and_extra_tasks_lower_recall_and_precision(plan):
    got = copy.deepcopy(plan)
    removed = got["tasks"].pop()
    got["tasks"].append({**removed, "ref": "99", "content": "Một nhiệm vụ hoàn toàn khác"})
    got["tasks"].append({**removed, "ref": "100", "content": "Thêm một nhiệm vụ nữa"})
    figures = accuracy.score_plan(got, plan).figures()
    count = len(plan["tasks"])
    assert figures["recall"] == pytest.approx((count - 1) / count)
    assert figures["precision"] == pytest.approx((count - 1) / (count + 1))


def test_tasks_with_other_refs_are_matched_by_content(plan):
    got = copy.deepcopy(plan)
    for index, task in enumerate(got["tasks"]):
        task["ref"] = f"A.{index}"
    got["tasks"][2]["content"] += " ."
    figures = accuracy.score_plan(got, plan).figures()
    assert figures["recall"] == figures["content"] == 1.0
