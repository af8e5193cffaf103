"""From a file to stored tasks and planned reminders, in one transaction."""

from __future__ import annotations

from collections import Counter
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


def known_agency_test(session: Session) -> Callable[[str], bool]:
    """Whether the store knows an agency by a name (checked agencies and their aliases): two
    queries, then a set lookup per name."""
    from sqlmodel import col, select

    from db.models import Agency, AgencyAlias
    from plans.agencies import agency_key

    names = set(session.exec(select(Agency.folded_name).where(col(Agency.flagged).is_(False))))
    names.update(session.exec(select(AgencyAlias.folded_alias)))
    return lambda name: agency_key(name) in names


def store_agency_names(session: Session) -> list[str]:
    """The names of the store's checked agencies, for the review workbook's drop-down lists."""
    from sqlmodel import col, select

    from db.models import Agency

    query = select(Agency.name).where(
        col(Agency.flagged).is_(False), col(Agency.is_generic).is_(False)
    )
    return list(session.exec(query))


def doubts_in_store(engine: Engine, plan: ExtractedPlan) -> Counter[str]:
    """How many of a plan's tasks carry each doubt, the store's agencies counting as known."""
    from plans.doubts import doubt_counts

    with Session(engine) as session:
        return doubt_counts(plan.tasks, is_known=known_agency_test(session))


def write_review_workbook(engine: Engine | None, plan: ExtractedPlan | None, target: Path) -> Path:
    """The review workbook of a plan (the empty template for None), with the store's agencies
    in its lists when there is a store."""
    from plans.review import write_review

    if engine is None:
        return write_review(target, plan)
    with Session(engine) as session:
        return write_review(
            target,
            plan,
            agencies=store_agency_names(session),
            is_known=known_agency_test(session),
        )
