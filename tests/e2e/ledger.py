"""The reminder ledger as the e2e tests read it: "every row final" instead of a sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlmodel import select

from core.clock import utcnow
from db.engine import make_engine, session_scope
from db.models import Reminder, ReminderState

# The database is polled, not watched: this often, within the caller's timeout.
POLL_SECONDS = 0.1


def ledger_is_final(database_url: str) -> bool:
    """No reminder is being sent and none is due: every send that will happen has happened."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            now = utcnow()
            due = session.exec(
                select(Reminder.id).where(
                    (Reminder.state == ReminderState.SENDING)
                    | ((Reminder.state == ReminderState.PENDING) & (Reminder.due_at <= now))
                )
            ).first()
        return due is None
    finally:
        engine.dispose()


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Block until predicate() holds, checking every POLL_SECONDS; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {timeout}s")
        time.sleep(POLL_SECONDS)


async def wait_until_async(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    """The same from a coroutine; the predicate runs in a thread, off the event loop."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {timeout}s")
        await asyncio.sleep(POLL_SECONDS)
