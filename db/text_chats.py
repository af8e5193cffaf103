"""What chats without buttons or replies need remembered: events seen, choices offered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from core.messages import Button
from db.models import (
    FINISHED_STATUSES,
    AgencyRole,
    OfferedChoices,
    Reminder,
    ReminderKind,
    SeenEvent,
    Task,
)

# How long an event id is remembered and a choice list stays valid.
TEXT_CHAT_MEMORY = timedelta(days=1)


def _insert(session: Session, table):
    dialect = session.get_bind().dialect.name
    return (postgres_insert if dialect == "postgresql" else sqlite_insert)(table)


def first_sighting(session: Session, *, channel: str, event_id: str, now: datetime) -> bool:
    """Record an inbound event; False when it was seen already (a duplicate delivery)."""
    statement = (
        _insert(session, SeenEvent)
        .values(channel=channel, event_id=event_id, seen_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        .returning(col(SeenEvent.event_id))
    )
    # RETURNING, not rowcount: drivers disagree on rowcount after ON CONFLICT DO NOTHING.
    return session.execute(statement).scalar_one_or_none() is not None


def forget_old_events(session: Session, *, now: datetime) -> int:
    """Drop event ids older than a day (a channel does not deliver them again after that)."""
    result = session.execute(
        delete(SeenEvent).where(col(SeenEvent.seen_at) < now - TEXT_CHAT_MEMORY)
    )
    return result.rowcount


def offer_choices(
    session: Session, *, channel: str, chat_id: str, buttons: Sequence[Button], now: datetime
) -> None:
    """Keep a chat's newest choice list (replacing the one before) for a day."""
    payload = json.dumps([[button.label, button.data] for button in buttons], ensure_ascii=False)
    statement = _insert(session, OfferedChoices).values(
        channel=channel, chat_id=chat_id, choices=payload, offered_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "chat_id"],
        set_={"choices": statement.excluded.choices, "offered_at": statement.excluded.offered_at},
    )
    session.execute(statement)


def offered_choice(
    session: Session, *, channel: str, chat_id: str, number: int, now: datetime
) -> Button | None:
    """The button numbered `number` in the chat's latest list, if it is still valid."""
    offered = session.exec(
        select(OfferedChoices).where(
            OfferedChoices.channel == channel,
            OfferedChoices.chat_id == chat_id,
            col(OfferedChoices.offered_at) >= now - TEXT_CHAT_MEMORY,
        )
    ).first()
    if offered is None:
        return None
    choices = json.loads(offered.choices)
    if not 1 <= number <= len(choices):
        return None
    label, data = choices[number - 1]
    return Button(label=label, data=data)


# Messages that ask their reader to report on a task.
REPORTING_KINDS = (
    ReminderKind.REMINDER,
    ReminderKind.OVERDUE,
    ReminderKind.CHECKIN,
    ReminderKind.SNOOZE,
)


def latest_reminded_task(
    session: Session, *, contact_id: int, channel: str, home_channel: str
) -> str | None:
    """The message id of the newest reminder this chat received about a still-open task."""
    delivered_here = col(Reminder.delivered_channel) == channel
    if channel == home_channel:
        # Rows sent before the ledger named the channel went to the contact's own chat.
        delivered_here = delivered_here | col(Reminder.delivered_channel).is_(None)
    return session.exec(
        select(Reminder.message_id)
        .join(Task, col(Task.id) == Reminder.task_id)
        .where(
            Reminder.contact_id == contact_id,
            col(Reminder.message_id).is_not(None),
            col(Reminder.sent_at).is_not(None),
            delivered_here,
            col(Task.status).not_in(FINISHED_STATUSES),
            col(Task.withdrawn_at).is_(None),
            # Only messages that ask this person to report: not a coordinating agency's
            # heads-up, a coordinator's escalation, a digest or a Monday list.
            col(Reminder.kind).in_(REPORTING_KINDS),
            or_(col(Reminder.role).is_(None), Reminder.role == AgencyRole.LEAD),
        )
        .order_by(col(Reminder.sent_at).desc(), col(Reminder.id).desc())
        .limit(1)
    ).first()
