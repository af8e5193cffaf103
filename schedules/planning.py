"""Reminder planning: the ledger rows each task and contact needs, kept in step with the data.

One function, `plan_reminders`, plans every kind of message a task calls for (countdown per
role, overdue notices, the coordinators' escalation, standing duties' check-ins) and the
task-less ones (weekly digest, Monday list). It works in chunks of task ids, reads plain
columns, and writes with core bulk statements, so a full re-plan keeps memory flat and an
incremental one (one task, one contact) touches only that task's or contact's rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, or_, update
from sqlmodel import Session, col, select

from core.clock import utcnow
from core.i18n import _
from db.models import (
    FINISHED_STATUSES,
    Agency,
    AgencyRole,
    CalendarDay,
    Contact,
    ContactRole,
    Plan,
    Reminder,
    ReminderKind,
    ReminderState,
    Task,
    TaskAgency,
    TaskStatus,
)
from db.tasks import record_status
from schedules.calendar import (
    Offset,
    SendWindow,
    WorkingCalendar,
    next_period_start,
    parse_interval,
    parse_role_offsets,
    period_start,
    reminder_time,
    working_days_from_setting,
)
from schedules.deadlines import parse_deadline

# Tasks read and planned per round trip: large enough to amortise queries, small enough to
# keep memory flat and every id list far below PostgreSQL's 65,535 parameters.
CHUNK = 2000
# Ids per statement when rows are cancelled or changed by id.
ID_BATCH = 1000
# How the override dictionaries (Plan.offsets, Task.offsets) name the roles.
ROLE_KEYS = {
    AgencyRole.LEAD: "lead",
    AgencyRole.COORDINATOR: "support",
    AgencyRole.EXECUTOR: "executor",
}
# When one agency plays several parts in a task, its officers hear as the most involved one.
_ROLE_RANK = {AgencyRole.LEAD: 0, AgencyRole.EXECUTOR: 1, AgencyRole.COORDINATOR: 2}
_LIVE = (ReminderState.PENDING, ReminderState.SENDING, ReminderState.SENT)


def parse_clock_time(text: str) -> time | None:
    """ "HH:MM" as a local time of day; empty means "not set"."""
    if not (text or "").strip():
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"time {text!r}: write it as HH:MM, e.g. 08:00")
    return time(int(match[1]), int(match[2]))


@lru_cache(maxsize=256)
def _offsets_from_text(text: str) -> tuple[Offset, ...]:
    return parse_role_offsets(text)


# The settings' defaults (bot/settings.py), for policies built in code.
_DEFAULT_SUPPORT = (Offset(3, "d"),)
_DEFAULT_EXECUTOR = (Offset(3, "d"), Offset(0, "d"))
_DEFAULT_OVERDUE_EVERY = Offset(3, "wd")


@dataclass(frozen=True)
class ReminderPolicy:
    """Who hears what and when: offsets per role, after-deadline rules, window, calendar."""

    offsets: tuple[Offset, ...]  # the lead agency's officers
    window: SendWindow
    calendar: WorkingCalendar
    zone: ZoneInfo
    support_offsets: tuple[Offset, ...] = _DEFAULT_SUPPORT
    executor_offsets: tuple[Offset, ...] = _DEFAULT_EXECUTOR
    overdue_every: Offset = _DEFAULT_OVERDUE_EVERY
    overdue_max: int = 5
    checkin_every: str = "monthly"
    digest_weekday: int = 0
    digest_time: time | None = None
    officer_weekly_list: bool = True

    def local_today(self, now: datetime) -> date:
        """The people's date at `now`."""
        return now.astimezone(self.zone).date()

    def deadline_moment(self, due: date) -> datetime:
        """The last moment a reminder for `due` may go out (window end, last working day)."""
        return reminder_time(
            due, Offset(0, "m"), calendar=self.calendar, window=self.window, tz=self.zone
        )

    def morning_of(self, day: date, at: time | None = None) -> datetime:
        """The window's start (or `at`, kept inside the window) on the first working day >= day."""
        working = self.calendar.next_working_day(day)
        moment = at if at is not None and self.window.contains(at) else self.window.start
        return datetime.combine(working, moment, self.zone).astimezone(UTC)

    def next_sending_moment(self, moment: datetime) -> datetime:
        """`moment` if a reminder may go out then, else the next window's start (UTC)."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.calendar.is_working_day(day):
            if self.window.contains(local.time()):
                return moment
            if local.time() < self.window.start:
                return datetime.combine(day, self.window.start, self.zone).astimezone(UTC)
        following = self.calendar.next_working_day(day + timedelta(days=1))
        return datetime.combine(following, self.window.start, self.zone).astimezone(UTC)

    def is_sending_time(self, now: datetime) -> bool:
        """Whether `now` lies inside the send window on a working day."""
        local = now.astimezone(self.zone)
        return self.calendar.is_working_day(local.date()) and self.window.contains(local.time())

    def role_offsets(self, role: str, *overrides: dict | None) -> tuple[Offset, ...]:
        """A role's offsets: the task's override, else the plan's, else the settings'."""
        key = ROLE_KEYS.get(role, role)
        for override in overrides:
            if override and key in override:
                return _offsets_from_text(override[key] or "")
        if key == "lead":
            return self.offsets
        return self.support_offsets if key == "support" else self.executor_offsets

    def overdue_days(self, due: date) -> list[date]:
        """The working days the lead officers hear that a task is overdue."""
        first = self.calendar.next_working_day(due + timedelta(days=1))
        days = []
        day = first
        for _number in range(self.overdue_max):
            days.append(day)
            if self.overdue_every.unit == "wd":
                day = self.calendar.add_working_days(day, self.overdue_every.amount)
            else:
                day = self.calendar.next_working_day(
                    day + timedelta(days=self.overdue_every.amount)
                )
        return days

    def digest_moment(self, week_start: date) -> datetime:
        """When the week's digest goes out: its configured weekday, moved to a working day."""
        return self.morning_of(week_start + timedelta(days=self.digest_weekday), self.digest_time)

    def checkin_moment(self, period: date) -> datetime:
        """The first working morning of a check-in period."""
        return self.morning_of(period)


def load_policy(session: Session, settings) -> ReminderPolicy:
    """Build the policy from settings and the province's announced calendar exceptions."""
    days = session.exec(select(CalendarDay)).all()
    calendar = WorkingCalendar(
        working_weekdays=working_days_from_setting(settings.working_days),
        extra_days_off=frozenset(day.day for day in days if not day.is_working),
        extra_working_days=frozenset(day.day for day in days if day.is_working),
    )
    digest_days = sorted(working_days_from_setting(settings.digest_day))
    return ReminderPolicy(
        offsets=parse_role_offsets(settings.reminder_offsets),
        window=SendWindow.parse(settings.send_window),
        calendar=calendar,
        zone=settings.zone,
        support_offsets=parse_role_offsets(settings.support_offsets),
        executor_offsets=parse_role_offsets(settings.executor_offsets),
        overdue_every=parse_interval(settings.overdue_every),
        overdue_max=settings.overdue_max,
        checkin_every=settings.checkin_every,
        digest_weekday=digest_days[0],
        digest_time=parse_clock_time(settings.digest_time),
        officer_weekly_list=settings.officer_weekly_list,
    )


@dataclass
class PlanningOutcome:
    """How many reminder rows planning added, withdrew and moved."""

    created: int = 0
    cancelled: int = 0
    moved: int = 0

    def add(self, other: PlanningOutcome) -> None:
        """Count another chunk's changes in."""
        self.created += other.created
        self.cancelled += other.cancelled
        self.moved += other.moved


# Planning reads and writes ledger rows through the driver, without the ORM's per-value
# conversions (they cost more than the planning itself at a million rows). Values are kept
# as the driver stores them: on SQLite dates and UTC times are fixed-width strings, which
# compare in time order; on PostgreSQL they are date and aware datetime objects.
_SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite
_COLUMNS = (
    "task_id",
    "contact_id",
    "cycle",
    "offset_label",
    "due_at",
    "state",
    "attempts",
    "late",
    "kind",
    "role",
    "created_at",
)

_NULL = r"\N"  # NULL in COPY's text format

# A slot: (kind, contact id, cycle, label) of one task; the key the unique index holds.
Slot = tuple[str, int, object, str]


@dataclass
class _Existing:
    """A ledger row as planning needs it."""

    id: int
    state: str
    due_at: object  # raw, see above


class _Raw:
    """Dates and moments as the connected driver stores them."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"
        self.placeholder = "?" if self.sqlite else "%s"

    def day(self, value: date):
        return value.isoformat() if self.sqlite else value

    def moment(self, value: datetime):
        return value.astimezone(UTC).strftime(_SQLITE_MOMENT) if self.sqlite else value

    def flag(self, value: bool):
        return int(value) if self.sqlite else value


@dataclass
class _Planner:
    """One planning run: the policy, the clock, and caches of everything computed per date."""

    policy: ReminderPolicy
    now: datetime
    coordinators: list[int]
    raw: _Raw
    raw_now: object = None
    catch_up_at: object = None
    created_at: object = None
    countdowns: dict = field(default_factory=dict)
    overdue: dict = field(default_factory=dict)
    escalation: dict = field(default_factory=dict)
    past: dict = field(default_factory=dict)
    days: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.raw_now = self.raw.moment(self.now)
        self.catch_up_at = self.raw.moment(self.policy.next_sending_moment(self.now))
        self.created_at = self.raw.moment(utcnow())
        self.created_text = str(self.created_at)

    def day(self, value: date):
        raw = self.days.get(value)
        if raw is None:
            raw = self.days[value] = self.raw.day(value)
        return raw

    def is_past(self, due: date) -> bool:
        """Whether the deadline's last sending moment is behind us (countdown over)."""
        past = self.past.get(due)
        if past is None:
            past = self.past[due] = self.policy.deadline_moment(due) < self.now
        return past

    def countdown(self, due: date, offsets: tuple[Offset, ...]) -> list[tuple[str, object]]:
        """(label, raw send time) of each offset before `due`."""
        key = (due, offsets)
        slots = self.countdowns.get(key)
        if slots is None:
            policy = self.policy
            slots = [
                (
                    offset.label,
                    self.raw.moment(
                        reminder_time(
                            due,
                            offset,
                            calendar=policy.calendar,
                            window=policy.window,
                            tz=policy.zone,
                        )
                    ),
                )
                for offset in offsets
            ]
            self.countdowns[key] = slots
        return slots

    def overdue_notices(self, due: date) -> list[tuple[str, object]]:
        """(label, raw send time) of each overdue notice after `due`."""
        slots = self.overdue.get(due)
        if slots is None:
            days = self.policy.overdue_days(due)
            slots = [
                (f"overdue:{number}", self.raw.moment(self.policy.morning_of(day)))
                for number, day in enumerate(days, 1)
            ]
            self.overdue[due] = slots
        return slots

    def escalation_at(self, due: date):
        moment = self.escalation.get(due)
        if moment is None:
            moment = self.raw.moment(self.policy.morning_of(due + timedelta(days=1)))
            self.escalation[due] = moment
        return moment


@dataclass(frozen=True)
class _Scope:
    """A chunk of tasks: an id range (with an optional subquery of ids), or a list of ids."""

    first: int = 0
    last: int = 0
    ids: tuple[int, ...] = ()
    involved: object = None  # a subquery of task ids, or None

    def condition(self, column=Task.id):
        """The chunk as a SQL condition on a task id column (filtering the table that has it
        lets the database start from the chunk, not from a join partner)."""
        column = col(column)
        if self.ids:
            return column.in_(self.ids)
        condition = and_(column >= self.first, column <= self.last)
        return condition if self.involved is None else and_(condition, column.in_(self.involved))

    def ledger_sql(self, raw: _Raw) -> tuple[str, list]:
        """The same chunk as a driver-level condition on reminder.task_id."""
        if self.ids:
            marks = ", ".join([raw.placeholder] * len(self.ids))
            return f"task_id IN ({marks})", list(self.ids)
        return f"task_id BETWEEN {raw.placeholder} AND {raw.placeholder}", [self.first, self.last]


def plan_reminders(
    session: Session,
    *,
    policy: ReminderPolicy,
    now: datetime,
    task_ids: Iterable[int] | None = None,
    contact_ids: Iterable[int] | None = None,
) -> PlanningOutcome:
    """Create the missing ledger rows and cancel the pending ones no longer wanted.

    Without `task_ids` every task is planned (the daily safety net), with the task-less
    digests; with `contact_ids` only those contacts' rows are touched.
    """
    session.flush()  # status changes made through the ORM must be visible to core statements
    contacts = sorted(set(contact_ids)) if contact_ids is not None else None
    planner = _Planner(
        policy=policy,
        now=now,
        coordinators=_coordinators(session, contacts),
        raw=_Raw(session.get_bind().dialect.name),
    )
    outcome = PlanningOutcome()
    today = policy.local_today(now)
    for scope in _task_scopes(session, task_ids, contacts):
        outcome.add(_plan_chunk(session, planner, scope, contacts, today=today))
    if task_ids is None:
        outcome.add(_plan_taskless(session, planner, contacts))
    return outcome


def _task_scopes(
    session: Session, task_ids: Iterable[int] | None, contacts: list[int] | None
) -> Iterator[_Scope]:
    """Chunks of at most CHUNK tasks."""
    if task_ids is not None:
        ids = sorted(set(task_ids))
        for start in range(0, len(ids), CHUNK):
            yield _Scope(ids=tuple(ids[start : start + CHUNK]))
        return
    involved = None
    if contacts is not None and not set(contacts) & set(_coordinators(session, None)):
        # Officers only hear of their agencies' tasks: walk those, not the whole table.
        agencies = select(Contact.agency_id).where(col(Contact.id).in_(contacts))
        involved = select(TaskAgency.task_id).where(col(TaskAgency.agency_id).in_(agencies))
    last = 0
    while True:
        statement = select(Task.id).where(Task.id > last).order_by(Task.id).limit(CHUNK)
        if involved is not None:
            statement = statement.where(col(Task.id).in_(involved))
        ids = list(session.exec(statement))
        if not ids:
            return
        yield _Scope(first=ids[0], last=ids[-1], involved=involved)
        last = ids[-1]


def _coordinators(session: Session, contacts: list[int] | None) -> list[int]:
    """Active coordinators (they hear of every task's escalation), within `contacts` if given."""
    statement = select(Contact.id).where(
        Contact.role == ContactRole.COORDINATOR, col(Contact.active).is_(True)
    )
    if contacts is not None:
        statement = statement.where(col(Contact.id).in_(contacts))
    return list(session.exec(statement))


def _advance_cycles(session: Session, scope: _Scope, *, today: date, now: datetime) -> None:
    """Move recurring tasks whose cycle was reported done (or never dated) to the current one."""
    statement = select(Task).where(
        scope.condition(),
        Task.deadline_kind == "recurring",
        col(Task.withdrawn_at).is_(None),
        or_(col(Task.status).in_(FINISHED_STATUSES), col(Task.due_date).is_(None)),
    )
    for task in session.exec(statement):
        _advance_cycle(session, task, today=today, now=now)
    session.flush()


@lru_cache(maxsize=1024)
def _parsed(deadline_text: str):
    return parse_deadline(deadline_text)


def _advance_cycle(session: Session, task: Task, *, today: date, now: datetime) -> None:
    """Move a recurring task to its current cycle; a cycle reported done reopens when it ends."""
    # The date is re-read from the phrase: the cycle moves on by itself.
    current = _parsed(task.deadline_text).next_due(today)
    if task.status not in FINISHED_STATUSES:
        # An open cycle stays until it is reported: a missed quarterly report shows as overdue
        # instead of vanishing into the next quarter.
        if task.due_date is None:
            task.due_date = current
        return
    if current is None or task.due_date is None or current <= task.due_date:
        return  # done for the cycle still running
    record_status(
        session,
        task=task,
        contact=None,
        channel="system",
        chat_id="",
        text=_("New reporting cycle: due {day}").format(day=f"{current:%d/%m/%Y}"),
        status=TaskStatus.NOT_STARTED,
        today=today,
        now=now,
    )
    task.progress = None
    task.status_note = None
    task.due_date = current
    task.original_due_date = None  # an approved extension was for the cycle that ended


def _plan_chunk(
    session: Session,
    planner: _Planner,
    scope: _Scope,
    contacts: list[int] | None,
    *,
    today: date,
) -> PlanningOutcome:
    tasks = _chunk_tasks(session, scope)
    if any(
        kind == "recurring" and withdrawn is None and (status in FINISHED_STATUSES or due is None)
        for _id, status, kind, due, withdrawn, _own, _plan in tasks
    ):
        # A recurring cycle may have ended: move it on, then read the chunk again.
        _advance_cycles(session, scope, today=today, now=planner.now)
        tasks = _chunk_tasks(session, scope)
    if not tasks:
        return PlanningOutcome()
    people = _task_contacts(session, scope, contacts)
    existing = _existing_rows(session, planner.raw, scope, contacts)
    inserts: list = []
    cancel: list[int] = []
    moves: list[tuple] = []
    for task_id, status, kind, due, withdrawn, task_offsets, plan_offsets in tasks:
        rows = existing.pop(task_id, {})
        roles = people.get(task_id, {})
        open_task = withdrawn is None and status not in FINISHED_STATUSES
        wanted = (
            _wanted_slots(planner, roles, kind, due, rows, (task_offsets, plan_offsets))
            if open_task
            else {}
        )
        countdown_open = open_task and due is not None and not planner.is_past(due)
        for slot, row in rows.items():
            if row.state != ReminderState.PENDING:
                continue
            if slot[0] == ReminderKind.SNOOZE:
                if not (countdown_open and slot[1] in roles):
                    cancel.append(row.id)
            elif slot not in wanted:
                cancel.append(row.id)
        _add_missing(planner, task_id, rows, wanted, inserts, moves)
    return PlanningOutcome(
        created=_insert(session, planner.raw, inserts),
        cancelled=_cancel(session, cancel),
        moved=_move(session, planner.raw, moves),
    )


def _chunk_tasks(session: Session, scope: _Scope) -> list[tuple]:
    """What planning needs of each task in the chunk, as plain columns."""
    return session.exec(
        select(
            Task.id,
            Task.status,
            Task.deadline_kind,
            Task.due_date,
            Task.withdrawn_at,
            Task.offsets,
            Plan.offsets,
        )
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(scope.condition())
    ).all()


def _wanted_slots(
    planner: _Planner,
    roles: dict[int, str],
    deadline_kind: str,
    due: date | None,
    rows: dict[Slot, _Existing],
    overrides: tuple[dict | None, dict | None],
) -> dict[Slot, tuple[object, str | None]]:
    """Slot -> (raw send time, role) for an open task."""
    policy = planner.policy
    wanted: dict[Slot, tuple[object, str | None]] = {}
    if deadline_kind == "ongoing":
        today = policy.local_today(planner.now)
        first = period_start(today, policy.checkin_every)
        periods = (first, next_period_start(first, policy.checkin_every))
        for contact_id, role in roles.items():
            if role != AgencyRole.LEAD:
                continue
            for period in periods:
                slot = (ReminderKind.CHECKIN.value, contact_id, planner.day(period), "checkin")
                moment = planner.raw.moment(policy.checkin_moment(period))
                # A duty imported mid-month is asked about from the next period on; a row
                # already planned for this period stays (an outage delays it, never drops it).
                if moment > planner.raw_now or slot in rows:
                    wanted[slot] = (moment, role)
        return wanted
    if due is None or deadline_kind == "undetermined":
        return wanted  # listed in the coordinators' digest until someone sets a date
    cycle = planner.day(due)
    if not planner.is_past(due):
        reminder = ReminderKind.REMINDER.value
        for contact_id, role in roles.items():
            for label, moment in planner.countdown(due, policy.role_offsets(role, *overrides)):
                wanted[(reminder, contact_id, cycle, label)] = (moment, role)
    overdue = ReminderKind.OVERDUE.value
    notices = planner.overdue_notices(due)
    for contact_id, role in roles.items():
        if role == AgencyRole.LEAD:
            for label, moment in notices:
                wanted[(overdue, contact_id, cycle, label)] = (moment, role)
    # The coordinators hear once, when the task first goes overdue; then only in the digest.
    escalation_at = planner.escalation_at(due)
    for contact_id in planner.coordinators:
        wanted[(ReminderKind.ESCALATION.value, contact_id, cycle, "escalation")] = (
            escalation_at,
            None,
        )
    return wanted


_LIVE_STATES = frozenset(state.value for state in _LIVE)


def _add_missing(
    planner: _Planner,
    task_id: int | None,
    rows: dict[Slot, _Existing],
    wanted: dict[Slot, tuple[object, str | None]],
    inserts: list,
    moves: list[tuple],
) -> None:
    """Plan the wanted slots that have no live row; cancelled rows come back to life.

    Slots already behind us when the task or contact appeared are announced once, at the next
    moment a message may go out, with the nearest of them, unless a message of the same kind
    for the same cycle went or will go out later anyway.
    """
    now = planner.raw_now
    past: dict[tuple, tuple[Slot, object, str | None]] = {}
    for slot, (due_at, role) in wanted.items():
        row = rows.get(slot) if rows else None
        if row is not None:
            if row.state == ReminderState.PENDING:
                if row.due_at != due_at and due_at > now:
                    moves.append((due_at, ReminderState.PENDING.value, row.id))
                continue
            if row.state != ReminderState.CANCELLED:
                continue  # sent, sending, skipped or failed: its moment is behind it
        if due_at > now:
            _plan(planner, task_id, slot, due_at, role, row, inserts, moves)
            continue
        group = slot[:3]
        if group not in past or past[group][1] < due_at:
            past[group] = (slot, due_at, role)
    for group, (slot, due_at, role) in past.items():
        later = any(
            other[:3] == group and row.state in _LIVE_STATES and row.due_at >= due_at
            for other, row in rows.items()
        )
        if not later:
            _plan(planner, task_id, slot, planner.catch_up_at, role, rows.get(slot), inserts, moves)


def _plan(planner: _Planner, task_id, slot: Slot, due_at, role, row, inserts, moves) -> None:
    if row is not None:
        moves.append((due_at, ReminderState.PENDING.value, row.id))
        return
    kind, contact_id, cycle, label = slot
    if planner.raw.sqlite:
        inserts.append(
            (
                task_id,
                contact_id,
                cycle,
                label,
                due_at,
                "pending",
                0,
                0,
                kind,
                role,
                planner.created_at,
            )
        )
        return
    # PostgreSQL takes the row as a line of COPY text (see _insert); dates and moments repeat,
    # so their text is computed once per run.
    text = planner.texts
    cycle_text = text.get(cycle) or text.setdefault(cycle, str(cycle))
    due_text = text.get(due_at) or text.setdefault(due_at, str(due_at))
    task_text = _NULL if task_id is None else task_id
    inserts.append(
        f"{task_text}\t{contact_id}\t{cycle_text}\t{label}\t{due_text}\tpending\t0\tf\t{kind}"
        f"\t{role or _NULL}\t{planner.created_text}\n"
    )


def _task_contacts(
    session: Session, scope: _Scope, contacts: list[int] | None
) -> dict[int, dict[int, str]]:
    """task id -> contact id -> the part the contact's agency plays (the most involved one)."""
    statement = (
        select(TaskAgency.task_id, TaskAgency.role, Contact.id)
        .join(Contact, col(Contact.agency_id) == TaskAgency.agency_id)
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .where(
            scope.condition(TaskAgency.task_id),
            col(Contact.active).is_(True),
            col(Agency.is_generic).is_(False),
        )
    )
    if contacts is not None:
        statement = statement.where(col(Contact.id).in_(contacts))
    grouped: dict[int, dict[int, str]] = {}
    for task_id, role, contact_id in session.exec(statement):
        roles = grouped.setdefault(task_id, {})
        known = roles.get(contact_id)
        if known is None or _ROLE_RANK.get(role, 9) < _ROLE_RANK.get(known, 9):
            roles[contact_id] = role
    return grouped


def _existing_rows(
    session: Session, raw: _Raw, scope: _Scope, contacts: list[int] | None
) -> dict[int, dict[Slot, _Existing]]:
    """task id -> slot -> its ledger row, read through the driver."""
    where, parameters = scope.ledger_sql(raw)
    if contacts is not None:
        where += f" AND contact_id IN ({', '.join([raw.placeholder] * len(contacts))})"
        parameters += contacts
    result = session.connection().exec_driver_sql(
        "SELECT id, task_id, kind, contact_id, cycle, offset_label, state, due_at "
        f"FROM reminder WHERE {where}",
        tuple(parameters),
    )
    grouped: dict[int, dict[Slot, _Existing]] = {}
    for rid, task_id, kind, contact_id, cycle, label, state, due_at in result:
        grouped.setdefault(task_id, {})[(kind, contact_id, cycle, label)] = _Existing(
            rid, state, due_at
        )
    return grouped


def _insert(session: Session, raw: _Raw, rows: list) -> int:
    """Write new ledger rows: COPY on PostgreSQL, one prepared statement on SQLite."""
    if not rows:
        return 0
    connection = session.connection()
    if raw.sqlite:
        marks = ", ".join("?" * len(_COLUMNS))
        connection.exec_driver_sql(
            f"INSERT INTO reminder ({', '.join(_COLUMNS)}) VALUES ({marks})", rows
        )
        return len(rows)
    # COPY's text format, written in blocks: the values are ours (numbers, dates, moments and
    # fixed words), so none holds a tab, a newline or a backslash to escape.
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY reminder ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for start in range(0, len(rows), 10_000):
            copy.write("".join(rows[start : start + 10_000]))
    return len(rows)


def _cancel(session: Session, ids: list[int]) -> int:
    """Cancel rows still pending; one a worker claimed meanwhile keeps its state.

    The state is tested in the SET, not the WHERE: with it in the WHERE, SQLite walks the
    (state, due_at) index over every pending row instead of fetching the ids.
    """
    table = Reminder.__table__
    for start in range(0, len(ids), ID_BATCH):
        session.execute(
            update(table)
            .where(table.c.id.in_(ids[start : start + ID_BATCH]))
            .values(
                state=case(
                    (table.c.state == ReminderState.PENDING, ReminderState.CANCELLED.value),
                    else_=table.c.state,
                )
            )
        )
    return len(ids)


def _move(session: Session, raw: _Raw, moves: list[tuple]) -> int:
    """Re-time pending rows, or bring cancelled ones back as fresh pending rows."""
    if not moves:
        return 0
    mark = raw.placeholder
    session.connection().exec_driver_sql(
        f"UPDATE reminder SET due_at = {mark}, state = {mark}, attempts = 0, lease_until = NULL, "
        f"claimed_by = NULL, last_error = NULL, late = {'0' if raw.sqlite else 'false'} "
        f"WHERE id = {mark}",
        moves,
    )
    return len(moves)


# --- task-less messages: the weekly digest and the officers' Monday list ---------------------


def _plan_taskless(
    session: Session, planner: _Planner, contacts: list[int] | None
) -> PlanningOutcome:
    policy = planner.policy
    statement = select(Contact.id, Contact.role).where(col(Contact.active).is_(True))
    if contacts is not None:
        statement = statement.where(col(Contact.id).in_(contacts))
    people = list(session.exec(statement))
    week = period_start(policy.local_today(planner.now), "weekly")
    rows = _existing_taskless(session, planner.raw, week, contacts)
    wanted_by_contact: dict[int, dict[Slot, tuple[object, str | None]]] = {}
    for contact_id, role in people:
        if role in (ContactRole.COORDINATOR, ContactRole.ADMIN):
            kind = ReminderKind.DIGEST if role == ContactRole.COORDINATOR else None
        else:
            kind = ReminderKind.WEEKLY_LIST if policy.officer_weekly_list else None
        wanted: dict[Slot, tuple[object, str | None]] = {}
        for start in (week, week + timedelta(days=7)) if kind else ():
            slot = (kind.value, contact_id, planner.day(start), kind.value)
            moment = planner.raw.moment(policy.digest_moment(start))
            # This week's message, when its moment has passed, only if it was planned then.
            if moment > planner.raw_now or slot in rows.get(contact_id, {}):
                wanted[slot] = (moment, None)
        wanted_by_contact[contact_id] = wanted
    inserts: list = []
    moves: list[tuple] = []
    cancel: list[int] = []
    for contact_id, wanted in wanted_by_contact.items():
        existing = rows.pop(contact_id, {})
        cancel += [
            row.id
            for slot, row in existing.items()
            if row.state == ReminderState.PENDING and slot not in wanted
        ]
        _add_missing(planner, None, existing, wanted, inserts, moves)
    for existing in rows.values():  # contacts gone inactive
        cancel += [row.id for row in existing.values() if row.state == ReminderState.PENDING]
    return PlanningOutcome(
        created=_insert(session, planner.raw, inserts),
        cancelled=_cancel(session, cancel),
        moved=_move(session, planner.raw, moves),
    )


def _existing_taskless(
    session: Session, raw: _Raw, week: date, contacts: list[int] | None
) -> dict[int, dict[Slot, _Existing]]:
    """contact id -> slot -> this and last week's digest or Monday-list rows."""
    mark = raw.placeholder
    where = f"task_id IS NULL AND kind IN ({mark}, {mark}) AND cycle >= {mark}"
    parameters: list = [
        ReminderKind.DIGEST.value,
        ReminderKind.WEEKLY_LIST.value,
        raw.day(week - timedelta(days=7)),
    ]
    if contacts is not None:
        where += f" AND contact_id IN ({', '.join([mark] * len(contacts))})"
        parameters += contacts
    result = session.connection().exec_driver_sql(
        "SELECT id, kind, contact_id, cycle, offset_label, state, due_at "
        f"FROM reminder WHERE {where}",
        tuple(parameters),
    )
    rows: dict[int, dict[Slot, _Existing]] = {}
    for rid, kind, contact_id, cycle, label, state, due_at in result:
        rows.setdefault(contact_id, {})[(kind, contact_id, cycle, label)] = _Existing(
            rid, state, due_at
        )
    return rows


@dataclass(frozen=True)
class Snoozed:
    """The outcome of a snooze: when the extra reminder goes out, or why it cannot."""

    due_at: datetime | None
    reason: str | None = None


def snooze(
    session: Session,
    *,
    reminder: Reminder,
    contact: Contact,
    days: int,
    policy: ReminderPolicy,
    now: datetime,
) -> Snoozed:
    """Plan one more reminder `days` working days on, never after the deadline's last working day."""
    task = session.get(Task, reminder.task_id) if reminder.task_id else None
    if task is None or task.status in FINISHED_STATUSES or task.withdrawn_at is not None:
        return Snoozed(None, "closed")
    if task.due_date is None:
        return Snoozed(None, "no_deadline")
    today = policy.local_today(now)
    # "Tomorrow" pressed on a Saturday means Monday: count working days from today.
    target_day = policy.calendar.add_working_days(today, days)
    last_day = policy.calendar.previous_working_day(task.due_date)
    if target_day > last_day:
        target_day = last_day
    moment = policy.morning_of(target_day)
    if target_day <= today or moment <= now:
        return Snoozed(None, "deadline")
    label = f"snooze:{target_day.isoformat()}"
    existing = session.exec(
        select(Reminder).where(
            Reminder.task_id == task.id,
            Reminder.contact_id == contact.id,
            Reminder.cycle == task.due_date,
            Reminder.offset_label == label,
        )
    ).first()
    if existing is None:
        session.add(
            Reminder(
                task_id=task.id,
                contact_id=contact.id,
                cycle=task.due_date,
                offset_label=label,
                due_at=moment,
                kind=ReminderKind.SNOOZE,
                role=reminder.role,
            )
        )
    elif existing.state != ReminderState.PENDING:
        existing.state = ReminderState.PENDING
        existing.due_at = moment
        existing.attempts = 0
    return Snoozed(moment)
