"""Delivery of notices: claimed under a lease like reminders, sent, and recorded.

Notices answer what a person just did (an officer's report, a coordinator's decision), so they
go out as soon as they are due, whatever the hour; a crash releases the lease and the row is
sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core.messages import Answer
from db.models import Contact, Notice, ReminderState
from db.notices import notice_answer

# After this many failed sends (outages, not rate limits) a notice is given up.
MAX_NOTICE_ATTEMPTS = 20
# A notice older than this is of no use any more (the coordinator has moved on).
NOTICE_LIFETIME = timedelta(days=3)


@dataclass(frozen=True)
class NoticeDelivery:
    """A claimed notice with its chat."""

    notice_id: int
    channel: str
    chat_id: str
    answer: Answer


def claim_notices(
    session: Session, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[NoticeDelivery]:
    """Take up to `limit` due notices for this worker; stale leases count as due."""
    due = or_(
        (Notice.state == ReminderState.PENDING) & (Notice.due_at <= now),
        (Notice.state == ReminderState.SENDING) & (Notice.lease_until < now),
    )
    statement = (
        select(Notice, Contact)
        .join(Contact, col(Contact.id) == Notice.contact_id)
        .where(due)
        .order_by(Notice.due_at, Notice.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=Notice)
    deliveries = []
    for notice, contact in session.exec(statement).all():
        if not contact.active:
            notice.state = ReminderState.CANCELLED
            continue
        claimed = session.execute(
            update(Notice)
            .where(
                col(Notice.id) == notice.id,
                col(Notice.state) == notice.state,
                or_(col(Notice.lease_until).is_(None), col(Notice.lease_until) < now),
            )
            .values(
                state=ReminderState.SENDING,
                lease_until=now + lease,
                claimed_by=worker,
                attempts=Notice.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # another worker took it
        deliveries.append(
            NoticeDelivery(notice.id, contact.channel, contact.chat_id, notice_answer(notice))
        )
    return deliveries


def record_notice_sent(
    session: Session, *, notice_id: int, worker: str, message_id: str, now: datetime
) -> None:
    """Mark a notice sent with the chat's message id."""
    session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.claimed_by) == worker)
        .values(state=ReminderState.SENT, sent_at=now, message_id=message_id, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def record_notice_failure(
    session: Session,
    *,
    notice_id: int,
    worker: str,
    error: Exception,
    now: datetime,
    unreachable: bool,
    retry_after: float | None,
    rejected: bool = False,
) -> str:
    """Queue a failed notice again with a backoff, or give up; returns the new state.

    Unreachable: the person blocked the bot (the contact is deactivated). Rejected: the
    channel refused this message itself (sending it again would fail the same way).
    """
    notice = session.get(Notice, notice_id)
    if notice is None or notice.claimed_by != worker:
        return "lost"
    notice.last_error = f"{type(error).__name__}: {error}"[:500]
    notice.lease_until = None
    if unreachable:
        notice.state = ReminderState.FAILED
        contact = session.get(Contact, notice.contact_id)
        if contact is not None:
            contact.active = False
            contact.unreachable_at = now
        return notice.state
    if rejected:
        notice.state = ReminderState.FAILED
        return notice.state
    if retry_after is not None:
        notice.attempts = max(0, notice.attempts - 1)  # a rate limit is not a failure
        wait = timedelta(seconds=retry_after)
    else:
        wait = timedelta(seconds=min(3600, 30 * 2 ** min(notice.attempts - 1, 10)))
    if notice.attempts >= MAX_NOTICE_ATTEMPTS or now + wait > notice.created_at + NOTICE_LIFETIME:
        notice.state = ReminderState.FAILED
        return notice.state
    notice.state = ReminderState.PENDING
    notice.due_at = now + wait
    return notice.state
