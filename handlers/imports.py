"""From a file to stored tasks and planned reminders, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from core.text import fold
from db.engine import session_scope
from db.imports import ImportOutcome, save_plan
from plans.model import ExtractedPlan
from schedules.planning import ReminderPolicy, plan_reminders


def load_plan(path: Path) -> ExtractedPlan:
    """Read a plan file of any supported format and extract its tasks (writes nothing)."""
    from plans.extract import extract_plan
    from plans.readers import read_document

    return extract_plan(read_document(path))


def source_key(path: Path) -> str:
    """The identity of a document across re-imports: its file name without extension.

    A plan exported again as .docx or .pdf under the same name updates the same tasks.
    """
    return fold(path.stem)


def import_plan(
    engine: Engine,
    *,
    path: Path,
    policy_loader: Callable[[Session], ReminderPolicy],
    now: datetime,
    extracted: ExtractedPlan | None = None,
) -> ImportOutcome:
    """Store a plan's tasks (updating a previous import in place) and plan their reminders."""
    extracted = extracted or load_plan(path)
    with session_scope(engine) as session:
        policy = policy_loader(session)
        outcome = save_plan(
            session,
            extracted=extracted,
            source_key=source_key(path),
            source_name=path.name,
            today=policy.local_today(now),
        )
        plan_reminders(session, policy=policy, now=now, task_ids=outcome.task_ids)
    return outcome
