"""Delivery: claim due Reminder rows in batches, send them concurrently, record outcomes in batches.

The ledger lives in our tables, not in a job scheduler. One statement claims a batch of due rows
under a lease (PostgreSQL `FOR UPDATE SKIP LOCKED`, so several workers never take the same
row; SQLite `UPDATE … RETURNING`, its writers queue anyway). The batch is rendered, sent
concurrently (the channel paces itself to its rate limits) and the outcomes are written back
in batches as they arrive, so a crash repeats at most the few messages whose answer had not
been recorded yet. A crash releases the lease and the rows go out again (at least once). A
pass keeps claiming while rows are due instead of waiting for the next tick.

"Late" means the service really was down: every pass beats a heartbeat row, and a reminder is
late only when its first possible sending moment lies more than LATE_AFTER before the moment
the service came back after a gap, never because of a queue.

The render seam: `Dispatcher.render` receives the session and every row claimed in one batch
(`Claimed`, kind-agnostic: ids, cycle, offset, chat) and returns `Delivery` objects, each one
message naming the reminder ids it announces. A renderer may group several rows of one person
into one message, or render each kind its own way; rows it leaves out of every delivery are
marked skipped. `render_each` adapts a per-row function (task, row, late) -> Answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, bindparam, case, exists, func, insert, or_, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.i18n import _
from core.messages import Answer
from db.engine import session_scope
from db.links import chats_of_contacts, mark_chat_unreachable
from db.models import (
    Contact,
    ContactRole,
    Heartbeat,
    Invite,
    Reminder,
    ReminderKind,
    ReminderState,
    Task,
    TaskAgency,
)
from schedules import ledger
from schedules.planning import ReminderPolicy
from schedules.routing import choose_route

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "console"}

log = logging.getLogger(__name__)

# A safety bound for errors that are not rate limits; retries stop at the deadline anyway.
MAX_ATTEMPTS = 50
# A reminder whose first possible sending moment lies this long before the service came back
# is marked late (the service was down when it should have gone out).
LATE_AFTER = timedelta(minutes=15)
# No heartbeat for this long means the service was down in between.
OUTAGE_GAP = timedelta(minutes=2)
HEARTBEAT = "dispatch"


class DeliveryError(Exception):
    """A send that did not go through."""


class RetryLater(DeliveryError):
    """The channel asked us to wait (Telegram 429 retry_after, 5xx, timeouts)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot be reached any more (Telegram 403: the bot was blocked)."""


class Rejected(DeliveryError):
    """The channel refused this message for good (a Telegram 400): retrying cannot help."""


@dataclass(frozen=True)
class Claimed:
    """A reminder row this worker holds under a lease, with the chat it goes to."""

    reminder_id: int
    task_id: int | None  # None for digests and Monday lists
    contact_id: int
    channel: str
    chat_id: str
    cycle: date
    offset_label: str
    due_at: datetime
    attempts: int
    late: bool
    kind: str = ReminderKind.REMINDER
    role: str | None = None
    # Routed to the person's other linked chat (schedules.routing): the preferred one could not.
    fallback: bool = False
    instead_of: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One message to send; it announces one or several claimed reminders."""

    reminder_ids: tuple[int, ...]
    channel: str
    chat_id: str
    answer: Answer


Sender = Callable[[str, Answer], Awaitable[str]]
Renderer = Callable[[Session, Sequence[Claimed]], list[Delivery]]


def render_each(render_one: Callable[[Task, Claimed, bool], Answer]) -> Renderer:
    """A renderer that sends every claimed row as its own message (tasks loaded in one query)."""

    def render(session: Session, claimed: Sequence[Claimed]) -> list[Delivery]:
        task_ids = {row.task_id for row in claimed}
        tasks = {
            task.id: task for task in session.exec(select(Task).where(col(Task.id).in_(task_ids)))
        }
        return [
            Delivery(
                (row.reminder_id,),
                row.channel,
                row.chat_id,
                render_one(tasks[row.task_id], row, row.late),
            )
            for row in claimed
        ]

    return render


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: int = 0
    cancelled: int = 0
    unreachable_contacts: list[int] = field(default_factory=list)
    notices_sent: list[int] = field(default_factory=list)
    notices_retried: list[int] = field(default_factory=list)
    notices_failed: list[int] = field(default_factory=list)


# --- the heartbeat --------------------------------------------------------------------------


def beat(session: Session, *, now: datetime) -> datetime:
    """Record that the service is alive; returns since when it has run without a gap."""
    statement = (
        update(Heartbeat)
        .where(col(Heartbeat.name) == HEARTBEAT)
        .values(
            up_since=case(
                (col(Heartbeat.beat_at) < now - OUTAGE_GAP, now), else_=col(Heartbeat.up_since)
            ),
            beat_at=now,
        )
        .returning(col(Heartbeat.up_since))
    )
    up_since = session.execute(statement).scalar_one_or_none()
    if up_since is not None:
        return up_since
    try:
        with session.begin_nested():
            session.execute(insert(Heartbeat).values(name=HEARTBEAT, beat_at=now, up_since=now))
    except IntegrityError:  # another worker started at the same moment
        return session.execute(statement).scalar_one()
    return now


# --- claiming -------------------------------------------------------------------------------


def claim_due(
    session: Session,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int,
    policy: ReminderPolicy,
    up_since: datetime | None = None,
    include_stale: bool = True,
    running: Collection[str] | None = None,
    fallback_after: timedelta = timedelta(minutes=30),
) -> tuple[int, list[Claimed]]:
    """Take up to `limit` due rows (stale leases first); returns (rows taken, rows to send).

    `include_stale=False` leaves rows whose lease expired (a crashed worker's) for the next
    pass's first claim: they are rare, and the look costs a statement.

    Rows no longer wanted (task done or withdrawn, contact unreachable or moved) are cancelled,
    and rows superseded by a newer due offset of the same cycle, or by one already sent, are
    skipped: the count includes them, the list does not.
    """
    up_since = up_since or now
    statements = _statements(session.get_bind().dialect.name)
    connection = session.connection()
    values = {"now": now, "lease_until": now + lease, "worker": worker}
    taken: dict[int, tuple] = {}
    found: dict[int, tuple] = {}
    if statements.claim_due_classified is not None:
        steps = [(statements.claim_due_classified, limit)]
        if include_stale:
            steps.insert(0, (statements.claim_stale_classified, limit))
        for statement, most in steps:
            if len(taken) >= limit:
                break
            rows = connection.execute(statement, {**values, "limit": min(most, limit - len(taken))})
            for row in rows:
                taken[row[0]] = tuple(row[1:9])
                found[row[0]] = (row[0], *row[9:])
    else:
        if include_stale:
            stale = connection.execute(statements.claim_stale, {**values, "limit": limit})
            taken.update({row[0]: tuple(row[1:]) for row in stale})
        if len(taken) < limit:
            more = connection.execute(statements.claim_due, {**values, "limit": limit - len(taken)})
            taken.update({row[0]: tuple(row[1:]) for row in more})
        if taken:
            found = {
                row[0]: (row[0], *row[9:])
                for row in connection.execute(statements.classify, {"now": now, "ids": list(taken)})
            }
    if not taken:
        return 0, []
    cancelled = {rid for rid in taken if rid not in found or not found[rid][1]}
    skipped = {rid for rid in taken if rid in found and found[rid][1] and found[rid][2]}
    # Past its use (last week's digest, a countdown after its deadline): not sent.
    skipped |= {
        rid
        for rid, (_task, _contact, cycle, _label, due_at, _attempts, kind, _role) in taken.items()
        if rid not in cancelled and ledger.give_up_moment(_Slot(kind, cycle, due_at), policy) < now
    }
    for state, ids in ((ReminderState.CANCELLED, cancelled), (ReminderState.SKIPPED, skipped)):
        if ids:
            connection.execute(statements.release, {"state": state, "ids": sorted(ids)})
    claimed = []
    for rid in taken:
        if rid in cancelled or rid in skipped:
            continue
        task_id, contact_id, cycle, label, due_at, attempts, kind, role = taken[rid]
        channel, chat_id = found[rid][3], found[rid][4]
        # Late means later than the first moment it could have gone out after an outage: a
        # reminder planned at night for the next morning is not late, nor one behind a queue.
        late = up_since - policy.next_sending_moment(due_at) > LATE_AFTER
        claimed.append(
            Claimed(
                rid,
                task_id,
                contact_id,
                channel,
                chat_id,
                cycle,
                label,
                due_at,
                attempts,
                late,
                kind,
                role,
            )
        )
    claimed = _routed(session, claimed, now=now, running=running, fallback_after=fallback_after)
    claimed.sort(key=lambda row: (row.due_at, row.reminder_id))
    return len(taken), claimed


def _routed(session, claimed, *, now, running, fallback_after) -> list[Claimed]:
    """Each row to the chat schedules.routing chooses among its contact's linked chats; rows no
    chat can take are cancelled (two queries for the batch)."""
    if not claimed:
        return claimed
    chats = chats_of_contacts(session, [row.contact_id for row in claimed])
    failing = dict(
        session.execute(
            select(col(Reminder.id), col(Reminder.failing_since)).where(
                col(Reminder.id).in_([row.reminder_id for row in claimed])
            )
        ).all()
    )
    routed, dropped = [], []
    for row in claimed:
        route = choose_route(
            chats.get(row.contact_id, []),
            running=running,
            failing_since=failing.get(row.reminder_id),
            now=now,
            fallback_after=fallback_after,
        )
        if route is None:
            dropped.append(row.reminder_id)
            continue
        routed.append(
            replace(
                row,
                channel=route.channel,
                chat_id=route.chat_id,
                fallback=route.fallback,
                instead_of=route.instead_of,
            )
        )
    if dropped:
        session.execute(
            update(Reminder)
            .where(col(Reminder.id).in_(dropped))
            .values(state=ReminderState.CANCELLED, lease_until=None)
            .execution_options(synchronize_session=False)
        )
    return routed


def mark_fallbacks(deliveries: list[Delivery], claimed: Sequence[Claimed]) -> list[Delivery]:
    """A delivery to the person's other chat says why it came there and not to the usual one."""
    by_id = {row.reminder_id: row for row in claimed}
    marked = []
    for delivery in deliveries:
        rows = [by_id[rid] for rid in delivery.reminder_ids if rid in by_id]
        instead_of = next((row.instead_of for row in rows if row.fallback), None)
        if instead_of is not None:
            note = _("(Sent here because your {channel} chat could not receive it.)").format(
                channel=CHANNEL_NAMES.get(instead_of, instead_of)
            )
            delivery = replace(
                delivery, answer=replace(delivery.answer, text=f"{delivery.answer.text}\n\n{note}")
            )
        marked.append(delivery)
    return marked


@dataclass(frozen=True)
class _Slot:
    """What `ledger.give_up_moment` reads of a row."""

    kind: str
    cycle: date
    due_at: datetime


@dataclass(frozen=True)
class _Statements:
    claim_stale: object
    claim_due: object
    classify: object
    release: object
    # PostgreSQL only: claim and classify in one statement; each row is the claim's columns,
    # then wanted, superseded, channel, chat id.
    claim_stale_classified: object | None
    claim_due_classified: object | None


_STATEMENTS: dict[str, _Statements] = {}


def _statements(dialect: str) -> _Statements:
    """The claim's statements, built once per dialect (building them costs more than running)."""
    if dialect not in _STATEMENTS:
        _STATEMENTS[dialect] = _build_statements(skip_locked=dialect == "postgresql")
    return _STATEMENTS[dialect]


def _build_statements(*, skip_locked: bool) -> _Statements:
    reminder = Reminder.__table__
    task = Task.__table__
    contact = Contact.__table__
    task_agency = TaskAgency.__table__
    now = bindparam("now", type_=reminder.c.due_at.type)

    def claim(condition):
        """Lease up to :limit rows matching `condition`, oldest due first, in one statement."""
        chosen = (
            select(reminder.c.id)
            .where(condition)
            .order_by(reminder.c.due_at, reminder.c.id)
            .limit(bindparam("limit"))
        )
        if skip_locked:
            # Rows another worker is claiming right now are skipped, not waited for.
            chosen = chosen.with_for_update(skip_locked=True)
        return (
            update(reminder)
            .where(reminder.c.id.in_(chosen.scalar_subquery()))
            .values(
                state=ReminderState.SENDING,
                lease_until=bindparam("lease_until", type_=reminder.c.lease_until.type),
                claimed_by=bindparam("worker"),
                attempts=reminder.c.attempts + 1,
            )
            .returning(
                reminder.c.id,
                reminder.c.task_id,
                reminder.c.contact_id,
                reminder.c.cycle,
                reminder.c.offset_label,
                reminder.c.due_at,
                reminder.c.attempts,
                reminder.c.kind,
                reminder.c.role,
            )
        )

    stale = (reminder.c.state == ReminderState.SENDING) & (reminder.c.lease_until < now)
    due = (reminder.c.state == ReminderState.PENDING) & (reminder.c.due_at <= now)

    def classified(src, rows):
        """`rows` of `src` (the table, or the rows a claim returned) with whether each is still
        wanted, whether a newer or sent row of its slot supersedes it, and its chat."""
        # Each kind's rule (schedules.ledger): countdowns to the part they were planned for,
        # overdue notices and check-ins to the lead, escalations to coordinators, digests to
        # any active contact.
        wanted = ledger.wanted_sql(src, task, contact, task_agency)
        other = reminder.alias("other")
        # One probe of the same slot's rows (task, contact, cycle: the unique index's prefix)
        # for both reasons, so the plan cannot wander into a scan of every sent row.
        superseded = exists().where(
            other.c.task_id == src.c.task_id,
            other.c.contact_id == src.c.contact_id,
            other.c.cycle == src.c.cycle,
            other.c.id != src.c.id,
            # Of the same family: an overdue notice does not supersede a countdown reminder.
            ledger.family_sql(other) == ledger.family_sql(src),
            or_(
                # A newer offset of the same cycle is due as well: only the newest goes out.
                and_(
                    other.c.state.in_([ReminderState.PENDING, ReminderState.SENDING]),
                    other.c.due_at <= now,
                    tuple_(other.c.due_at, other.c.id) > tuple_(src.c.due_at, src.c.id),
                ),
                # A reminder for the same cycle already went out after this one was due.
                and_(other.c.state == ReminderState.SENT, other.c.due_at >= src.c.due_at),
            ),
        )
        return (
            select(
                *rows,
                wanted.label("wanted"),
                superseded.label("superseded"),
                contact.c.channel,
                contact.c.chat_id,
            )
            .select_from(src)
            .join(task, task.c.id == src.c.task_id, isouter=True)
            .join(contact, contact.c.id == src.c.contact_id)
        )

    def slot_columns(src):
        return (
            src.c.id,
            src.c.task_id,
            src.c.contact_id,
            src.c.cycle,
            src.c.offset_label,
            src.c.due_at,
            src.c.attempts,
            src.c.kind,
            src.c.role,
        )

    classify = classified(reminder, slot_columns(reminder)).where(
        reminder.c.id.in_(bindparam("ids", expanding=True))
    )
    release = (
        update(reminder)
        .where(reminder.c.id.in_(bindparam("ids", expanding=True)))
        .values(state=bindparam("state"), lease_until=None)
    )
    if skip_locked:
        # PostgreSQL: the claim and its check in one statement (one round trip). The check
        # reads the table as it was before the claim, which decides the same: a claimed row
        # was pending and due, as the check's "newer due row" asks.
        def claim_and_classify(condition):
            taken = claim(condition).cte("taken")
            return classified(taken, slot_columns(taken))

        return _Statements(
            claim(stale),
            claim(due),
            classify,
            release,
            claim_and_classify(stale),
            claim_and_classify(due),
        )
    return _Statements(claim(stale), claim(due), classify, release, None, None)


# --- recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery: a message id, or the error."""

    delivery: Delivery
    message_id: str | None
    error: Exception | None


def record_outcomes(
    session: Session,
    *,
    outcomes: Sequence[Outcome],
    claimed: dict[int, Claimed],
    worker: str,
    now: datetime,
    policy: ReminderPolicy,
    report: DispatchReport,
) -> list[int]:
    """Write a batch of outcomes; returns the contacts that just became unreachable."""
    sent_rows, failed_rows = [], []
    unreachable_contacts: set[int] = set()
    for outcome in outcomes:
        for rid in outcome.delivery.reminder_ids:
            row = claimed[rid]
            if outcome.error is None:
                sent_rows.append(
                    {
                        "rid": rid,
                        "worker": worker,
                        "at": now,
                        "mid": outcome.message_id,
                        "late": row.late,
                        "channel": outcome.delivery.channel,
                        "fallback": row.fallback,
                    }
                )
                report.sent.append(rid)
                continue
            state, due_at, attempts = _after_failure(row, outcome.error, now=now, policy=policy)
            other_chat = isinstance(outcome.error, Unreachable) and mark_chat_unreachable(
                session,
                contact_id=row.contact_id,
                channel=outcome.delivery.channel,
                chat_id=outcome.delivery.chat_id,
                now=now,
            )
            if other_chat:
                # The person has another chat: the next claim sends it there, at once.
                state, due_at, attempts = ReminderState.PENDING, now, max(0, row.attempts - 1)
            failed_rows.append(
                {
                    "rid": rid,
                    "worker": worker,
                    "state": state,
                    "due": due_at,
                    "attempts": attempts,
                    "error": f"{type(outcome.error).__name__}: {outcome.error}"[:500],
                    "since": now,
                }
            )
            (report.failed if state == ReminderState.FAILED else report.retried).append(rid)
            if isinstance(outcome.error, Unreachable) and not other_chat:
                unreachable_contacts.add(row.contact_id)
    connection = session.connection()
    mine = and_(
        col(Reminder.id) == bindparam("rid"), col(Reminder.claimed_by) == bindparam("worker")
    )
    if sent_rows:
        connection.execute(
            update(Reminder)
            .where(mine)
            .values(
                state=ReminderState.SENT,
                sent_at=bindparam("at"),
                message_id=bindparam("mid"),
                late=bindparam("late"),
                lease_until=None,
                delivered_channel=bindparam("channel"),
                fallback=bindparam("fallback"),
            ),
            sent_rows,
        )
    if failed_rows:
        connection.execute(
            update(Reminder)
            .where(mine)
            .values(
                state=bindparam("state"),
                due_at=bindparam("due"),
                attempts=bindparam("attempts"),
                last_error=bindparam("error"),
                lease_until=None,
                failing_since=func.coalesce(col(Reminder.failing_since), bindparam("since")),
            ),
            failed_rows,
        )
    return mark_unreachable(session, contact_ids=sorted(unreachable_contacts), now=now)


def _after_failure(row: Claimed, error: Exception, *, now: datetime, policy: ReminderPolicy):
    """(state, due_at, attempts) after a failed send: back in the queue with a backoff, or failed.

    Rate limits and outages are retried until the deadline the reminder announces has passed:
    only then is the reminder of no use. A 429 does not count as an attempt.
    """
    attempts = row.attempts
    if isinstance(error, Unreachable | Rejected):
        log.warning(
            "reminder %s failed for good: %s",
            row.reminder_id,
            error,
            extra={
                "reminder_id": row.reminder_id,
                "task_id": row.task_id,
                "chat": (row.channel, row.chat_id),
            },
        )
        return ReminderState.FAILED, row.due_at, attempts
    if isinstance(error, RetryLater) and error.retry_after is not None:
        attempts = max(0, attempts - 1)
        wait = timedelta(seconds=error.retry_after)
    else:
        # Exponential backoff with jitter, so that many rows failed together do not return
        # together.
        base = min(3600, 30 * 2 ** min(max(attempts - 1, 0), 10))
        wait = timedelta(seconds=base * random.uniform(0.8, 1.2))
    if now + wait > ledger.give_up_moment(row, policy) or attempts >= MAX_ATTEMPTS:
        return ReminderState.FAILED, row.due_at, attempts
    return ReminderState.PENDING, now + wait, attempts


def mark_unreachable(session: Session, *, contact_ids: Sequence[int], now: datetime) -> list[int]:
    """Make contacts unreachable (the bot was blocked); returns those that were reachable until now.

    Only the first 403 changes the row, so the coordinators are told once; the person's next
    message restores them (db.contacts.restore_reachable).
    """
    if not contact_ids:
        return []
    changed = session.execute(
        update(Contact)
        .where(col(Contact.id).in_(list(contact_ids)), col(Contact.unreachable_at).is_(None))
        .values(active=False, unreachable_at=now)
        .returning(col(Contact.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(row[0] for row in changed)


def unreachable_notices(session: Session, *, contact_ids: Sequence[int]) -> list[Delivery]:
    """Messages telling coordinators of each contact's agency (and its inviter) who blocked the bot."""
    deliveries = []
    for contact_id in contact_ids:
        contact = session.get(Contact, contact_id)
        if contact is None:
            continue
        inviter = select(Invite.created_by_contact_id).where(
            Invite.used_by_contact_id == contact_id
        )
        coordinators = session.exec(
            select(Contact).where(
                col(Contact.active).is_(True),
                col(Contact.id) != contact_id,
                or_(
                    and_(
                        col(Contact.agency_id) == contact.agency_id,
                        col(Contact.role).in_([ContactRole.COORDINATOR, ContactRole.ADMIN]),
                    ),
                    col(Contact.id).in_(inviter.scalar_subquery()),
                ),
            )
        ).all()
        text = _(
            "⚠️ {name} can no longer be reached: they blocked the bot or left the chat. "
            "Reminders to them are paused; they resume as soon as {name} writes to the bot again."
        ).format(name=contact.display_name or contact.chat_id)
        deliveries += [
            Delivery((), coordinator.channel, coordinator.chat_id, Answer(text=text))
            for coordinator in coordinators
        ]
    return deliveries


# --- the loop -------------------------------------------------------------------------------


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
    # Rows claimed by one statement (more than a second of Telegram's 30 messages/s; a claim
    # costs about 0.1 ms a row, and a small batch keeps a crashed worker's leases few); a new
    # batch is claimed as soon as half of what is in flight is done.
    batch: int = 50
    max_in_flight: int = 100
    # Messages per chat sent or being sent whose message id is not recorded yet.
    _unrecorded: dict[tuple[str, str], int] = field(default_factory=dict)
    _recorded: asyncio.Condition | None = None

    async def settle(self, channel: str, chat_id: str, timeout: float = 5.0) -> None:
        """Wait until every reminder sent to this chat has its message id recorded.

        A reply to a reminder names it by that id; a person quick enough to answer before the
        record was written would otherwise not be understood.
        """
        if not self._unrecorded.get((channel, chat_id)):
            return
        condition = self._condition()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), condition:
                await condition.wait_for(lambda: not self._unrecorded.get((channel, chat_id)))

    def _condition(self) -> asyncio.Condition:
        if self._recorded is None:
            self._recorded = asyncio.Condition()
        return self._recorded

    def _count(self, delivery: Delivery, change: int) -> None:
        key = (delivery.channel, delivery.chat_id)
        left = self._unrecorded.get(key, 0) + change
        if left > 0:
            self._unrecorded[key] = left
        else:
            self._unrecorded.pop(key, None)

    async def run_once(self, stop: asyncio.Event | None = None) -> DispatchReport:
        """Deliver everything due now, batch after batch, until nothing due is left.

        Once `stop` is set no batch is claimed after the first; what is in flight finishes and
        is recorded.
        """
        report = DispatchReport()
        await self._deliver_notices(report)
        started = await asyncio.to_thread(self._begin)
        if started is None:
            return report
        policy, up_since = started
        claimed: dict[int, Claimed] = {}
        in_flight: set[asyncio.Task] = set()
        done_outcomes: list[Outcome] = []
        recorders: set[asyncio.Task] = set()
        exhausted = False
        last_renewal = asyncio.get_running_loop().time()
        try:
            while True:
                if stop is not None and stop.is_set() and claimed:
                    exhausted = True  # stopping: finish what is in flight, claim no more
                if not exhausted and len(in_flight) <= self.max_in_flight // 2:
                    limit = min(self.batch, self.max_in_flight - len(in_flight))
                    count, deliveries, rows = await asyncio.to_thread(
                        self._claim, policy, up_since, limit, report, not claimed
                    )
                    exhausted = count == 0
                    claimed.update({row.reminder_id: row for row in rows})
                    for delivery in deliveries:
                        self._count(delivery, +1)
                        in_flight.add(asyncio.create_task(self._send(delivery)))
                    if count and not deliveries:
                        continue  # every row was cancelled or skipped: claim again
                if not in_flight:
                    break
                # Woken by a finished send or a finished record: an outcome waits for no one.
                done, _pending = await asyncio.wait(
                    in_flight | recorders,
                    timeout=self.lease.total_seconds() / 3,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in done & recorders:
                    recorders.discard(task)
                    task.result()
                finished = done & in_flight
                in_flight -= finished
                done_outcomes += [task.result() for task in finished]
                now_loop = asyncio.get_running_loop().time()
                renew = now_loop - last_renewal > self.lease.total_seconds() / 3
                if (done_outcomes or renew) and len(recorders) < self._max_recorders():
                    batch, done_outcomes = done_outcomes, []
                    if renew:
                        last_renewal = now_loop
                    recorders.add(
                        asyncio.create_task(
                            self._record_and_notify(
                                batch, claimed, policy, report, renew=renew and bool(in_flight)
                            )
                        )
                    )
        finally:
            if in_flight:
                # Cancelled mid-pass (shutdown): what was sent is still recorded below.
                for task in in_flight:
                    task.cancel()
                results = await asyncio.gather(*in_flight, return_exceptions=True)
                done_outcomes += [r for r in results if isinstance(r, Outcome)]
            if recorders:
                await asyncio.gather(*recorders)
            if done_outcomes:
                await self._record_and_notify(done_outcomes, claimed, policy, report, renew=False)
        return report

    async def _deliver_notices(self, report: DispatchReport) -> None:
        """Send due notices (answers to what people did) whatever the hour; the channel paces."""
        from schedules.notices import claim_notices, record_notice_failure, record_notice_sent

        def claim():
            with session_scope(self.engine) as session:
                return claim_notices(
                    session,
                    now=self.clock(),
                    worker=self.worker,
                    lease=self.lease,
                    limit=self.batch,
                )

        def record(notice_id: int, message_id: str | None, error: Exception | None) -> str:
            with session_scope(self.engine) as session:
                if error is None:
                    record_notice_sent(
                        session,
                        notice_id=notice_id,
                        worker=self.worker,
                        message_id=message_id,
                        now=self.clock(),
                    )
                    return ReminderState.SENT
                return record_notice_failure(
                    session,
                    notice_id=notice_id,
                    worker=self.worker,
                    error=error,
                    now=self.clock(),
                    unreachable=isinstance(error, Unreachable),
                    retry_after=getattr(error, "retry_after", None),
                    rejected=isinstance(error, Rejected),
                )

        for delivery in await asyncio.to_thread(claim):
            sender = self.senders.get(delivery.channel)
            message_id, error = None, None
            try:
                if sender is None:
                    raise RetryLater(f"channel {delivery.channel} is not running")
                message_id = await sender(delivery.chat_id, delivery.answer)
            except asyncio.CancelledError:
                raise
            except Exception as failure:  # recorded and retried, never silently dropped
                log.warning("notice %s not sent: %s", delivery.notice_id, failure)
                error = failure
            state = await asyncio.to_thread(record, delivery.notice_id, message_id, error)
            if state == ReminderState.SENT:
                report.notices_sent.append(delivery.notice_id)
            elif state == ReminderState.FAILED:
                report.notices_failed.append(delivery.notice_id)
            else:
                report.notices_retried.append(delivery.notice_id)

    def _max_recorders(self) -> int:
        # A sent message not yet recorded is sent again after a crash: on PostgreSQL several
        # small records run side by side so none waits; SQLite has one writer anyway.
        return 3 if self.engine.dialect.name == "postgresql" else 1

    def _begin(self) -> tuple[ReminderPolicy, datetime] | None:
        now = self.clock()
        with session_scope(self.engine) as session:
            up_since = beat(session, now=now)
            policy = self.policy_loader(session)
        return (policy, up_since) if policy.is_sending_time(now) else None

    def _claim(self, policy, up_since, limit, report, include_stale):
        with session_scope(self.engine) as session:
            count, rows = claim_due(
                session,
                now=self.clock(),
                worker=self.worker,
                lease=self.lease,
                limit=limit,
                policy=policy,
                up_since=up_since,
                include_stale=include_stale,
                running=set(self.senders),
                fallback_after=self.fallback_after,
            )
            deliveries = mark_fallbacks(self.render(session, rows), rows) if rows else []
            covered = {rid for delivery in deliveries for rid in delivery.reminder_ids}
            left_out = [row.reminder_id for row in rows if row.reminder_id not in covered]
            if left_out:
                session.execute(
                    update(Reminder)
                    .where(col(Reminder.id).in_(left_out))
                    .values(state=ReminderState.SKIPPED, lease_until=None)
                    .execution_options(synchronize_session=False)
                )
        report.skipped += count - len(rows) + len(left_out)
        return count, deliveries, rows

    async def _send(self, delivery: Delivery) -> Outcome:
        sender = self.senders.get(delivery.channel)
        try:
            if sender is None:
                raise RetryLater(f"channel {delivery.channel} is not running")
            message_id = await sender(delivery.chat_id, delivery.answer)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # every failure is recorded, never silently dropped
            log.warning(
                "reminder %s not sent: %s",
                ", ".join(map(str, delivery.reminder_ids)),
                error,
                extra={
                    "reminder_id": ",".join(map(str, delivery.reminder_ids)),
                    "chat": (delivery.channel, delivery.chat_id),
                },
            )
            return Outcome(delivery, None, error)
        return Outcome(delivery, message_id, None)

    async def _record_and_notify(self, outcomes, claimed, policy, report, *, renew: bool) -> None:
        try:
            notices = await asyncio.to_thread(
                self._record, outcomes, claimed, policy, report, renew
            )
        finally:
            for outcome in outcomes:
                self._count(outcome.delivery, -1)
            condition = self._condition()
            async with condition:
                condition.notify_all()
        for notice in notices:
            sender = self.senders.get(notice.channel)
            if sender is None:
                continue
            try:
                await sender(notice.chat_id, notice.answer)
            except Exception as error:  # a notice is best effort: the contact row holds the state
                log.warning("unreachable notice to a coordinator not sent: %s", error)

    def _record(self, outcomes, claimed, policy, report, renew: bool) -> list[Delivery]:
        now = self.clock()
        with session_scope(self.engine) as session:
            became_unreachable = record_outcomes(
                session,
                outcomes=outcomes,
                claimed=claimed,
                worker=self.worker,
                now=now,
                policy=policy,
                report=report,
            )
            if renew:
                # Rows still waiting for their chat's turn stay ours.
                session.execute(
                    update(Reminder)
                    .where(
                        col(Reminder.state) == ReminderState.SENDING,
                        col(Reminder.claimed_by) == self.worker,
                    )
                    .values(lease_until=now + self.lease)
                    .execution_options(synchronize_session=False)
                )
            report.unreachable_contacts += became_unreachable
            return unreachable_notices(session, contact_ids=became_unreachable)
