"""Delivery: one loop claims due Reminder rows under a lease, sends them, records the outcome.

The ledger lives in our tables, not in APScheduler: a crash releases the lease and the row is
sent again (at least once; at most once more per crash), and several workers on PostgreSQL
never take the same row (FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from core.i18n import _
from core.messages import Answer
from db.engine import session_scope
from db.links import chats_of_contacts, mark_chat_unreachable
from db.models import Contact, Reminder, ReminderState, Task, TaskStatus
from db.tasks import agency_leads
from schedules.planning import ReminderPolicy
from schedules.routing import Route, choose_route

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "console"}

log = logging.getLogger(__name__)

# A safety bound for errors that are not rate limits; retries stop at the deadline anyway.
MAX_ATTEMPTS = 50
# A reminder sent this long after its planned time says it is late (the service was down).
LATE_AFTER = timedelta(minutes=15)


class DeliveryError(Exception):
    """A send that did not go through."""


class RetryLater(DeliveryError):
    """The channel asked us to wait (Telegram 429 retry_after, 5xx, timeouts)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot be reached any more (Telegram 403: the bot was blocked)."""


@dataclass(frozen=True)
class Delivery:
    """A claimed reminder with everything needed to send it."""

    reminder_id: int
    channel: str
    chat_id: str
    answer: Answer
    # Sent to the person's other linked chat because the preferred one could not take it.
    fallback: bool = False


Sender = Callable[[str, Answer], Awaitable[str]]
Renderer = Callable[[Task, Reminder, bool], Answer]


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: int = 0


def claim_due(
    session: Session,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int,
    render: Renderer,
    policy: ReminderPolicy,
    running: Collection[str] | None = None,
    fallback_after: timedelta = timedelta(minutes=30),
) -> list[Delivery]:
    """Take up to `limit` due reminders for this worker; stale leases count as due.

    Each goes to the chat schedules.routing chooses among the contact's linked chats
    (`running`: the channels this service serves; None: all).
    """
    due = or_(
        (Reminder.state == ReminderState.PENDING) & (Reminder.due_at <= now),
        (Reminder.state == ReminderState.SENDING) & (Reminder.lease_until < now),
    )
    # The limit goes into SQL so that several workers on PostgreSQL each lock a share of the
    # due rows instead of the first one locking them all (a few spare rows for superseding).
    statement = select(Reminder).where(due).order_by(Reminder.due_at, Reminder.id).limit(limit * 4)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    candidates = list(session.exec(statement))
    deliveries: list[Delivery] = []
    latest = _latest_per_cycle(candidates, session)
    chats = chats_of_contacts(session, [reminder.contact_id for reminder in latest])
    for reminder in latest:
        if len(deliveries) >= limit:
            break
        task = session.get(Task, reminder.task_id)
        contact = session.get(Contact, reminder.contact_id)
        route = choose_route(
            chats.get(reminder.contact_id, []),
            running=running,
            failing_since=reminder.failing_since,
            now=now,
            fallback_after=fallback_after,
        )
        if route is None or not _still_wanted(session, task, contact):
            reminder.state = ReminderState.CANCELLED
            continue
        # Late means later than the first moment it could have gone out: a reminder planned
        # at night for the next morning is not late.
        late = now - policy.next_sending_moment(reminder.due_at) > LATE_AFTER
        claimed = session.execute(
            update(Reminder)
            .where(
                col(Reminder.id) == reminder.id,
                col(Reminder.state) == reminder.state,
                or_(col(Reminder.lease_until).is_(None), col(Reminder.lease_until) < now),
            )
            .values(
                state=ReminderState.SENDING,
                lease_until=now + lease,
                claimed_by=worker,
                attempts=Reminder.attempts + 1,
                late=late,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # another worker took it between our read and our write
        session.refresh(reminder)
        deliveries.append(
            Delivery(
                reminder_id=reminder.id,
                channel=route.channel,
                chat_id=route.chat_id,
                answer=_marked(render(task, reminder, reminder.late), route),
                fallback=route.fallback,
            )
        )
    return deliveries


def _marked(answer: Answer, route: Route) -> Answer:
    """A fallback delivery says why it came here and not to the usual chat."""
    if not route.fallback:
        return answer
    note = _("(Sent here because your {channel} chat could not receive it.)").format(
        channel=CHANNEL_NAMES.get(route.instead_of or "", route.instead_of or "")
    )
    return replace(answer, text=f"{answer.text}\n\n{note}")


def _still_wanted(session: Session, task: Task | None, contact: Contact | None) -> bool:
    """The task is open and the contact is still reachable and of a lead agency."""
    if task is None or contact is None or not contact.active:
        return False
    if task.status == TaskStatus.DONE or task.withdrawn_at is not None:
        return False
    return agency_leads(session, task_id=task.id, agency_id=contact.agency_id)


def _latest_per_cycle(candidates: Iterable[Reminder], session: Session) -> list[Reminder]:
    """One due reminder per task, contact and cycle: the newest; older ones are skipped.

    A row left 'sending' by a crashed worker is superseded like a pending one, and so is any
    row older than one that already went out.
    """
    newest: dict[tuple[int, int, object], Reminder] = {}
    for reminder in candidates:
        key = (reminder.task_id, reminder.contact_id, reminder.cycle)
        kept = newest.get(key)
        if kept is None or reminder.due_at > kept.due_at:
            if kept is not None:
                kept.state = ReminderState.SKIPPED
            newest[key] = reminder
        else:
            reminder.state = ReminderState.SKIPPED
    # What already went out for the same task, contact and cycle, in one query.
    last_sent: dict[tuple[int, int, object], datetime] = {}
    if newest:
        sent = session.exec(
            select(Reminder.task_id, Reminder.contact_id, Reminder.cycle, Reminder.due_at).where(
                col(Reminder.task_id).in_({task_id for task_id, _, _ in newest}),
                Reminder.state == ReminderState.SENT,
            )
        )
        for task_id, contact_id, cycle, due_at in sent:
            key = (task_id, contact_id, cycle)
            last_sent[key] = max(due_at, last_sent.get(key, due_at))
    kept_rows = []
    for key, reminder in newest.items():
        if key in last_sent and last_sent[key] >= reminder.due_at:
            reminder.state = ReminderState.SKIPPED
        else:
            kept_rows.append(reminder)
    return sorted(kept_rows, key=lambda reminder: (reminder.due_at, reminder.id))


def renew_lease(
    session: Session, *, reminder_id: int, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Extend our lease just before sending; False when another worker took the row meanwhile."""
    renewed = session.execute(
        update(Reminder)
        .where(
            col(Reminder.id) == reminder_id,
            col(Reminder.claimed_by) == worker,
            col(Reminder.state) == ReminderState.SENDING,
            # Reported done since the claim: no reminder (the next claim cancels the row).
            col(Reminder.task_id).in_(select(Task.id).where(Task.status != TaskStatus.DONE)),
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1


def record_sent(
    session: Session,
    *,
    reminder_id: int,
    worker: str,
    message_id: str,
    now: datetime,
    channel: str | None = None,
    fallback: bool = False,
) -> None:
    """Mark a reminder sent with the chat's message id (a reply to it names the task) and the
    channel that delivered it."""
    session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.claimed_by) == worker)
        .values(
            state=ReminderState.SENT,
            sent_at=now,
            message_id=message_id,
            lease_until=None,
            delivered_channel=channel,
            fallback=fallback,
        )
        .execution_options(synchronize_session=False)
    )


def record_failure(
    session: Session,
    *,
    reminder_id: int,
    worker: str,
    error: DeliveryError | Exception,
    now: datetime,
    policy: ReminderPolicy,
    channel: str | None = None,
    chat_id: str | None = None,
) -> str:
    """Put a failed send back in the queue with a backoff, or give up; returns the new state.

    Rate limits and outages are retried until the deadline the reminder announces has passed:
    only then is the reminder of no use. A 429 does not count as an attempt.
    """
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.claimed_by != worker:
        return "lost"
    reminder.last_error = f"{type(error).__name__}: {error}"[:500]
    reminder.lease_until = None
    reminder.failing_since = reminder.failing_since or now
    if (
        isinstance(error, Unreachable)
        and channel is not None
        and chat_id is not None
        and mark_chat_unreachable(
            session, contact_id=reminder.contact_id, channel=channel, chat_id=chat_id, now=now
        )
    ):
        # The person has another chat: the next pass sends it there, at once.
        reminder.attempts = max(0, reminder.attempts - 1)
        reminder.state = ReminderState.PENDING
        reminder.due_at = now
        return reminder.state
    if isinstance(error, Unreachable):
        reminder.state = ReminderState.FAILED
        contact = session.get(Contact, reminder.contact_id)
        if contact is not None:
            contact.active = False
            contact.unreachable_at = now
        return reminder.state
    rate_limited = isinstance(error, RetryLater) and error.retry_after is not None
    if rate_limited:
        reminder.attempts = max(0, reminder.attempts - 1)
        wait = timedelta(seconds=error.retry_after)
    else:
        wait = timedelta(seconds=min(3600, 30 * 2 ** min(reminder.attempts - 1, 10)))
    if now + wait > policy.deadline_moment(reminder.cycle) or reminder.attempts >= MAX_ATTEMPTS:
        reminder.state = ReminderState.FAILED
        return reminder.state
    reminder.state = ReminderState.PENDING
    reminder.due_at = now + wait
    return reminder.state


@dataclass
class Dispatcher:
    """Runs delivery passes; `senders` maps a channel name to its send function."""

    engine: Engine
    policy_loader: Callable[[Session], ReminderPolicy]
    senders: dict[str, Sender]
    render: Renderer
    clock: Callable[[], datetime]
    worker: str
    lease: timedelta = timedelta(seconds=60)
    fallback_after: timedelta = timedelta(minutes=30)
    batch: int = 20
    # Telegram allows about one message per second to the same chat.
    per_chat_interval: float = 1.0
    _last_sent: dict[tuple[str, str], float] = field(default_factory=dict)

    async def run_once(self) -> DispatchReport:
        """Claim due reminders and send them one by one."""
        report = DispatchReport()
        now = self.clock()
        with session_scope(self.engine) as session:
            policy = self.policy_loader(session)
            if not policy.is_sending_time(now):
                return report
            deliveries = claim_due(
                session,
                now=now,
                worker=self.worker,
                lease=self.lease,
                limit=self.batch,
                render=self.render,
                policy=policy,
                running=set(self.senders),
                fallback_after=self.fallback_after,
            )
        for delivery in deliveries:
            await self._deliver(delivery, report, policy)
        return report

    async def _deliver(
        self, delivery: Delivery, report: DispatchReport, policy: ReminderPolicy
    ) -> None:
        sender = self.senders.get(delivery.channel)
        await self._pace(delivery)
        # Earlier sends in this batch took time: make sure the row is still ours.
        with session_scope(self.engine) as session:
            if not renew_lease(
                session,
                reminder_id=delivery.reminder_id,
                worker=self.worker,
                now=self.clock(),
                lease=self.lease,
            ):
                return
        try:
            if sender is None:
                raise RetryLater(f"channel {delivery.channel} is not running")
            message_id = await sender(delivery.chat_id, delivery.answer)
        except Exception as error:  # every failure is recorded, never silently dropped
            log.warning(
                "reminder %s not sent: %s",
                delivery.reminder_id,
                error,
                extra={
                    "reminder_id": delivery.reminder_id,
                    "chat": (delivery.channel, delivery.chat_id),
                },
            )
            with session_scope(self.engine) as session:
                state = record_failure(
                    session,
                    reminder_id=delivery.reminder_id,
                    worker=self.worker,
                    error=error,
                    now=self.clock(),
                    policy=policy,
                    channel=delivery.channel,
                    chat_id=delivery.chat_id,
                )
            (report.failed if state == ReminderState.FAILED else report.retried).append(
                delivery.reminder_id
            )
            return
        with session_scope(self.engine) as session:
            record_sent(
                session,
                reminder_id=delivery.reminder_id,
                worker=self.worker,
                message_id=message_id,
                now=self.clock(),
                channel=delivery.channel,
                fallback=delivery.fallback,
            )
        report.sent.append(delivery.reminder_id)

    async def _pace(self, delivery: Delivery) -> None:
        loop = asyncio.get_running_loop()
        key = (delivery.channel, delivery.chat_id)
        last = self._last_sent.get(key)
        if last is not None:
            wait = self.per_chat_interval - (loop.time() - last)
            if wait > 0:
                await asyncio.sleep(wait)
        self._last_sent[key] = loop.time()
