"""Accuracy of plan extraction: the seeds, the corpus's dev part and its blind part.

Seeds: each document in ../shared/seeds (or the folder given), extracted in-process
(read_text_file + extract_plan) and scored against seeds/expected/<seed>.json; every figure
must reach 0.98. Corpus: tests/data/plans/MANIFEST.json lists documents of every format with
their expected tasks and layout; the dev part must reach 0.95 on every figure of every layout;
the blind part is printed, separately labelled, with no target. Scores:

- recall and precision of tasks, matched by reference, else by content similarity;
- per field, the share of expected tasks whose field is right: content (difflib ratio of the
  squashed text >= 0.9), lead, coordinators, executors, result, deadline (kind, due,
  recurrence and milestones all equal).

Each part prints its figures per document, per layout and overall. With --cli (the default
when the `nhacviec` command is installed) the JSON that `nhacviec import PATH --dry-run --json`
prints for the seeds must equal the in-process extraction. Exit status 1 when a seed figure is
below 0.98 or a dev layout figure below 0.95.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from core.text import nfc, squash_spaces  # noqa: E402
from plans.extract import extract_plan  # noqa: E402
from plans.text import read_text_file  # noqa: E402

TARGET = 0.98
CORPUS_TARGET = 0.95
CONTENT_SIMILARITY = 0.9
CORPUS = REPO_ROOT / "tests" / "data" / "plans"
# The layout of each seed (domain.md section 2), for the per-layout lines.
SEED_LAYOUTS = {"000": "prose", "001": "flattened", "002": "prose", "003": "tsv", "004": "labelled"}
PARTS = ("seeds", "dev", "blind")
DEFAULT_SEEDS = Path(os.environ.get("NHACVIEC_SHARED_DIR", REPO_ROOT.parent / "shared")) / "seeds"
FIELDS = ("content", "lead", "coordinators", "executors", "result", "deadline")
FIGURES = ("recall", "precision", *FIELDS)


def _text(value: str) -> str:
    return squash_spaces(nfc(value or ""))


def similarity(left: str, right: str) -> float:
    """difflib ratio of two texts after NFC and whitespace squashing."""
    return difflib.SequenceMatcher(None, _text(left), _text(right), autojunk=False).ratio()


def field_correct(name: str, got: dict, want: dict) -> bool:
    """Whether one field of an extracted task equals the expected one."""
    if name == "content":
        return similarity(got["content"], want["content"]) >= CONTENT_SIMILARITY
    if name == "deadline":
        keys = ("kind", "due", "recurrence", "milestones")
        got_deadline, want_deadline = got.get("deadline") or {}, want.get("deadline") or {}
        return all(got_deadline.get(key) == want_deadline.get(key) for key in keys)
    if name == "result":
        return _text(got["result"]) == _text(want["result"])
    return [_text(item) for item in got[name]] == [_text(item) for item in want[name]]


def match_tasks(got: list[dict], want: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs (extracted, expected): same reference first, then the most similar content."""
    pairs: list[tuple[dict, dict]] = []
    by_ref = {task["ref"]: task for task in got}
    unmatched_got = list(got)
    unmatched_want: list[dict] = []
    for expected in want:
        found = by_ref.get(expected["ref"])
        if found is not None and found in unmatched_got:
            pairs.append((found, expected))
            unmatched_got.remove(found)
        else:
            unmatched_want.append(expected)
    candidates = sorted(
        (
            (similarity(task["content"], expected["content"]), index, other)
            for index, expected in enumerate(unmatched_want)
            for other, task in enumerate(unmatched_got)
        ),
        reverse=True,
    )
    used_want: set[int] = set()
    used_got: set[int] = set()
    for score, index, other in candidates:
        if score < CONTENT_SIMILARITY or index in used_want or other in used_got:
            continue
        used_want.add(index)
        used_got.add(other)
        pairs.append((unmatched_got[other], unmatched_want[index]))
    return pairs


@dataclass
class Score:
    """Counts behind the figures of one seed (or of all seeds together)."""

    expected: int = 0
    extracted: int = 0
    matched: int = 0
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.expected += other.expected
        self.extracted += other.extracted
        self.matched += other.matched
        for name in FIELDS:
            self.correct[name] += other.correct[name]
        self.seconds += other.seconds

    def figures(self) -> dict[str, float]:
        """Recall, precision and per-field accuracy (over the expected tasks)."""
        result = {
            "recall": self.matched / self.expected if self.expected else 1.0,
            "precision": self.matched / self.extracted if self.extracted else 1.0,
        }
        for name in FIELDS:
            result[name] = self.correct[name] / self.expected if self.expected else 1.0
        return result


def score_plan(got: dict, want: dict) -> Score:
    """Score one extracted plan against its expected tasks."""
    score = Score(expected=len(want["tasks"]), extracted=len(got["tasks"]))
    pairs = match_tasks(got["tasks"], want["tasks"])
    score.matched = len(pairs)
    for task, expected in pairs:
        for name in FIELDS:
            if field_correct(name, task, expected):
                score.correct[name] += 1
            else:
                score.misses.append(
                    f"{expected['ref']} {name}: got {task.get(name)!r}, want {expected.get(name)!r}"
                )
    matched_refs = {expected["ref"] for _task, expected in pairs}
    score.misses.extend(
        f"{task['ref']}: not found" for task in want["tasks"] if task["ref"] not in matched_refs
    )
    return score


def seed_files(seeds: Path) -> list[Path]:
    """Seed documents that have an expected-tasks file."""
    return sorted(
        path
        for path in seeds.iterdir()
        if path.is_file() and (seeds / "expected" / f"{path.stem}.json").is_file()
    )


def cli_outputs(paths: list[Path]) -> list[dict] | None:
    """What `nhacviec import PATHS --dry-run --json` prints, or None without the command."""
    command = shutil.which("nhacviec", path=str(Path(sys.executable).parent)) or shutil.which(
        "nhacviec"
    )
    if command is None:
        return None
    completed = subprocess.run(
        [command, "import", *map(str, paths), "--dry-run", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"nhacviec import failed:\n{completed.stderr}")
    payload = json.loads(completed.stdout)
    return payload if isinstance(payload, list) else [payload]


@dataclass
class Scored:
    """One document's score, with what it is."""

    name: str
    layout: str
    score: Score


def score_seeds(seeds: Path) -> tuple[list[Scored], list[dict], list[Path]]:
    """Every seed scored; the extracted plans and paths too, for the CLI comparison."""
    scored: list[Scored] = []
    extracted: list[dict] = []
    paths = seed_files(seeds)
    for path in paths:
        started = time.perf_counter()
        got = extract_plan(read_text_file(path)).as_dict()
        seconds = time.perf_counter() - started
        want = json.loads((seeds / "expected" / f"{path.stem}.json").read_text("utf-8"))
        score = score_plan(got, want)
        score.seconds = seconds
        extracted.append(got)
        scored.append(Scored(path.stem[:12], SEED_LAYOUTS.get(path.stem[:3], "seed"), score))
    return scored, extracted, paths


def corpus_documents(part: str, corpus: Path = CORPUS) -> list[dict]:
    """The MANIFEST entries of one part ("dev" or "blind")."""
    manifest = corpus / "MANIFEST.json"
    if not manifest.is_file():
        return []
    entries = json.loads(manifest.read_text("utf-8"))["documents"]
    return [entry for entry in entries if entry.get("split") == part]


def score_corpus(part: str, corpus: Path = CORPUS) -> list[Scored]:
    """Every document of a corpus part, read from its own format and scored."""
    from core.errors import UserError
    from plans.readers import read_document

    scored: list[Scored] = []
    for entry in corpus_documents(part, corpus):
        path = corpus / entry["path"]
        want = json.loads((corpus / entry["expected"]).read_text("utf-8"))
        started = time.perf_counter()
        try:
            got = extract_plan(read_document(path)).as_dict()
        except UserError:
            got = {"source": path.name, "tasks": []}
        score = score_plan(got, want)
        score.seconds = time.perf_counter() - started
        scored.append(Scored(Path(entry["path"]).stem[:24], entry.get("layout", "?"), score))
    return scored


def print_part(label: str, scored: list[Scored], *, target: float | None, verbose: bool) -> bool:
    """Print one part per document, per layout and overall; False when a figure misses the
    target (per document for the seeds' 0.98, per layout for the corpus)."""
    print(f"-- {label}")
    header = f"{'document':<25}{'layout':<12}{'tasks':>6}{'found':>6}" + "".join(
        f"{name[:8]:>9}" for name in FIGURES
    )
    print(header + f"{'seconds':>8}")
    layouts: dict[str, Score] = {}
    total = Score()
    for item in scored:
        layouts.setdefault(item.layout, Score()).add(item.score)
        total.add(item.score)
    ok = True
    rows = [(item.name, item.layout, item.score, True) for item in scored]
    rows += [
        (f"layout {layout}", layout, score, False) for layout, score in sorted(layouts.items())
    ]
    rows.append(("overall", "", total, False))
    for name, layout, score, is_document in rows:
        figures = score.figures()
        if target is not None and (not is_document or label == "seeds"):
            ok &= all(value >= target for value in figures.values())
        cells = "".join(f"{figures[figure]:>9.3f}" for figure in FIGURES)
        print(
            f"{name:<25}{layout:<12}{score.expected:>6}{score.extracted:>6}{cells}"
            f"{score.seconds:>8.3f}"
        )
        if verbose and is_document:
            for miss in score.misses:
                print(f"    {miss}")
    if target is not None:
        print(f"{label}: target {target}: {'met' if ok else 'FAILED'}")
    else:
        print(f"{label}: no target (held back, measured once)")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Print the figures of every part; 1 when the seeds or a dev layout miss their target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="?", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--cli", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="which parts to score, comma-separated (seeds, dev, blind); all by default",
    )
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    failed = False
    if "seeds" in parts:
        if not (args.seeds / "expected").is_dir():
            print(f"no seeds with expected tasks in {args.seeds}", file=sys.stderr)
            return 2
        scored, extracted, paths = score_seeds(args.seeds)
        failed |= not print_part("seeds", scored, target=TARGET, verbose=args.verbose)
        use_cli = args.cli if args.cli is not None else True
        if use_cli:
            printed = cli_outputs(paths)
            if printed is None:
                if args.cli:
                    print("the nhacviec command is not installed", file=sys.stderr)
                    return 2
            else:
                different = [
                    path.name
                    for path, got, cli in zip(paths, extracted, printed, strict=True)
                    if got != cli
                ]
                print(
                    "nhacviec import --dry-run --json: "
                    + ("same as in-process" if not different else f"DIFFERENT for {different}")
                )
                failed |= bool(different)
    if "dev" in parts:
        scored = score_corpus("dev")
        if scored:
            failed |= not print_part(
                "corpus dev", scored, target=CORPUS_TARGET, verbose=args.verbose
            )
        else:
            print("-- corpus dev: no documents")
    if "blind" in parts:
        scored = score_corpus("blind")
        if scored:
            print_part("corpus BLIND (held back)", scored, target=None, verbose=False)
        else:
            print("-- corpus blind: no documents")
    print(f"overall: {'FAILED' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
