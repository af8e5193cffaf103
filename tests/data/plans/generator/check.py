"""Validate the plan corpus: JSON format of every expected file, documents that open.

Run from the repository root:  .venv/bin/python tests/data/plans/generator/check.py
Exit status 1 on any problem (each one printed).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASK_KEYS = {
    "ref",
    "content",
    "lead",
    "coordinators",
    "executors",
    "result",
    "deadline_text",
    "deadline",
}
DEADLINE_KEYS = {"kind", "due", "recurrence", "milestones"}
KINDS = {"fixed", "recurring", "ongoing", "undetermined"}
RECURRENCES = {None, "yearly", "semiannual", "quarterly", "monthly", "weekly"}
LAYOUTS = {"docx-table", "docx-table2", "xlsx", "pdf", "tsv", "prose", "labelled"}
MAX_BYTES = 200_000


def _iso(value: object) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def check_task(task: dict, where: str) -> list[str]:
    """Problems of one task object."""
    problems = []
    if set(task) != TASK_KEYS:
        return [f"{where}: keys {sorted(task)}"]
    for key in ("ref", "content", "result", "deadline_text"):
        if not isinstance(task[key], str):
            problems.append(f"{where}: {key} is not a string")
        elif unicodedata.normalize("NFC", task[key]) != task[key] or "  " in task[key]:
            problems.append(f"{where}: {key} is not NFC with single spaces")
    if not task["content"].strip() or task["content"].strip().replace(".", "").isdigit():
        problems.append(f"{where}: content empty or a number")
    for key in ("lead", "coordinators", "executors"):
        value = task[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"{where}: {key} must be a list of non-empty strings")
    deadline = task["deadline"]
    if not isinstance(deadline, dict) or set(deadline) != DEADLINE_KEYS:
        return [*problems, f"{where}: deadline keys"]
    kind, due = deadline["kind"], deadline["due"]
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r}")
    if deadline["recurrence"] not in RECURRENCES:
        problems.append(f"{where}: recurrence {deadline['recurrence']!r}")
    if kind == "fixed" and not _iso(due):
        problems.append(f"{where}: fixed deadline without an ISO due date")
    if kind in ("recurring", "ongoing", "undetermined") and due is not None:
        problems.append(f"{where}: {kind} deadline with a due date")
    if kind != "recurring" and (deadline["recurrence"] or deadline["milestones"]):
        problems.append(f"{where}: recurrence or milestones on a {kind} deadline")
    if not isinstance(deadline["milestones"], list) or not all(map(_iso, deadline["milestones"])):
        problems.append(f"{where}: milestones must be ISO dates")
    if (
        kind == "ongoing"
        and task["deadline_text"] not in ("", "Thường xuyên")
        and ("thường xuyên" not in task["deadline_text"].lower())
    ):
        problems.append(f"{where}: ongoing with deadline text {task['deadline_text']!r}")
    return problems


def open_document(path: Path) -> None:
    """Open with the library the importer uses; raises when the file is broken."""
    if path.suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        assert document.paragraphs or document.tables
    elif path.suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(str(path))
        assert workbook.active.max_row > 1
    elif path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            assert any(page.extract_tables() for page in pdf.pages), "no ruled table"
    elif path.suffix == ".txt":
        path.read_text(encoding="utf-8")
    else:
        raise AssertionError(f"unexpected format {path.suffix}")


def main() -> int:
    """Print every problem; 1 when there is any."""
    problems: list[str] = []
    manifest = json.loads((ROOT / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = set()
    for entry in manifest["documents"]:
        path = ROOT / entry["path"]
        expected_path = ROOT / entry["expected"]
        listed.update({path, expected_path})
        where = entry["path"]
        if entry["layout"] not in LAYOUTS or entry["split"] not in ("dev", "blind"):
            problems.append(f"{where}: layout or split")
        if not path.is_file() or not expected_path.is_file():
            problems.append(f"{where}: missing document or expected JSON")
            continue
        if path.stat().st_size > MAX_BYTES:
            problems.append(f"{where}: larger than {MAX_BYTES} bytes")
        try:
            open_document(path)
        except Exception as error:
            problems.append(f"{where}: does not open: {error!r}")
        payload = json.loads(expected_path.read_text(encoding="utf-8"))
        if set(payload) != {"source", "tasks"} or payload["source"] != path.name:
            problems.append(f"{where}: source/tasks keys")
        tasks = payload["tasks"]
        if len(tasks) != entry["tasks"]:
            problems.append(f"{where}: manifest says {entry['tasks']} tasks, JSON has {len(tasks)}")
        refs = [task.get("ref") for task in tasks]
        if len(refs) != len(set(refs)):
            problems.append(f"{where}: duplicate refs")
        for task in tasks:
            problems.extend(check_task(task, f"{where} {task.get('ref')}"))
    on_disk = {p for split in ("dev", "blind") for p in (ROOT / split).glob("*") if p.is_file()}
    for stray in sorted(on_disk - listed):
        problems.append(f"{stray.relative_to(ROOT)}: not in MANIFEST.json")
    for problem in problems:
        print(problem)
    documents = manifest["documents"]
    print(
        f"{len(documents)} documents, {sum(e['tasks'] for e in documents)} tasks, "
        f"{len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
