"""Reminder planning: the Reminder rows each open task needs, kept in step with the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.i18n import _
from db.models import (
    FINISHED_STATUSES,
    Agency,
    AgencyRole,
    CalendarDay,
    Contact,
    Reminder,
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
    parse_offsets,
    reminder_time,
    working_days_from_setting,
)
from schedules.deadlines import parse_deadline


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders go out: offsets, the send window, the working calendar, the zone."""

    offsets: tuple[Offset, ...]
    window: SendWindow
    calendar: WorkingCalendar
    zone: ZoneInfo

    def local_today(self, now: datetime) -> date:
        """The people's date at `now`."""
        return now.astimezone(self.zone).date()

    def deadline_moment(self, due: date) -> datetime:
        """The last moment a reminder for `due` may go out (window end, last working day)."""
        return reminder_time(
            due, Offset(0, "m"), calendar=self.calendar, window=self.window, tz=self.zone
        )

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


def load_policy(session: Session, settings) -> ReminderPolicy:
    """Build the policy from settings and the province's announced calendar exceptions."""
    days = session.exec(select(CalendarDay)).all()
    calendar = WorkingCalendar(
        working_weekdays=working_days_from_setting(settings.working_days),
        extra_days_off=frozenset(day.day for day in days if not day.is_working),
        extra_working_days=frozenset(day.day for day in days if day.is_working),
    )
    return ReminderPolicy(
        offsets=tuple(parse_offsets(settings.reminder_offsets)),
        window=SendWindow.parse(settings.send_window),
        calendar=calendar,
        zone=settings.zone,
    )


@dataclass
class PlanningOutcome:
    """How many reminder rows planning added and withdrew."""

    created: int = 0
    cancelled: int = 0


def plan_reminders(
    session: Session,
    *,
    policy: ReminderPolicy,
    now: datetime,
    task_ids: list[int] | None = None,
    contact_ids: list[int] | None = None,
) -> PlanningOutcome:
    """Create the missing reminder rows and cancel the pending ones no longer wanted."""
    outcome = PlanningOutcome()
    today = policy.local_today(now)
    tasks = _tasks_in_scope(session, task_ids)
    for task in tasks:
        if task.deadline_kind == "recurring":
            _advance_cycle(session, task, today=today, now=now)
    contacts_by_task = _lead_contacts(session, [task.id for task in tasks], contact_ids)
    existing = _existing_reminders(session, [task.id for task in tasks], contact_ids)
    for task in tasks:
        wanted = _wanted_slots(task, policy=policy, now=now)
        leads = {contact.id: contact for contact in contacts_by_task.get(task.id, [])}
        for contact_id, rows in existing.get(task.id, {}).items():
            if contact_id not in leads:
                # The lead changed, or the officer moved to another agency.
                outcome.cancelled += _cancel_unwanted(rows, {})
        for contact in leads.values():
            rows = existing.get(task.id, {}).get(contact.id, [])
            outcome.cancelled += _cancel_unwanted(rows, wanted)
            outcome.created += _add_missing(
                session, task, contact, rows, wanted, now=now, policy=policy
            )
    session.flush()
    return outcome


def _advance_cycle(session: Session, task: Task, *, today: date, now: datetime) -> None:
    """Move a recurring task to its current cycle; a cycle reported done reopens when it ends."""
    # The date is re-read from the phrase: the cycle moves on by itself.
    current = parse_deadline(task.deadline_text).next_due(today)
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
    task.due_date = current
    task.original_due_date = None  # an approved extension was for the cycle that ended


def _tasks_in_scope(session: Session, task_ids: list[int] | None) -> list[Task]:
    statement = select(Task)
    if task_ids is not None:
        statement = statement.where(col(Task.id).in_(task_ids))
    return list(session.exec(statement))


def _lead_contacts(
    session: Session, task_ids: list[int], contact_ids: list[int] | None
) -> dict[int, list[Contact]]:
    statement = (
        select(TaskAgency.task_id, Contact)
        .join(Contact, col(Contact.agency_id) == TaskAgency.agency_id)
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .where(
            col(TaskAgency.task_id).in_(task_ids),
            TaskAgency.role == AgencyRole.LEAD,
            col(Contact.active).is_(True),
            col(Agency.is_generic).is_(False),
        )
    )
    if contact_ids is not None:
        statement = statement.where(col(Contact.id).in_(contact_ids))
    grouped: dict[int, list[Contact]] = {}
    for task_id, contact in session.exec(statement):
        grouped.setdefault(task_id, []).append(contact)
    return grouped


def _existing_reminders(
    session: Session, task_ids: list[int], contact_ids: list[int] | None
) -> dict[int, dict[int, list[Reminder]]]:
    """task id -> contact id -> that contact's reminder rows for the task."""
    statement = select(Reminder).where(col(Reminder.task_id).in_(task_ids))
    if contact_ids is not None:
        statement = statement.where(col(Reminder.contact_id).in_(contact_ids))
    grouped: dict[int, dict[int, list[Reminder]]] = {}
    for reminder in session.exec(statement):
        grouped.setdefault(reminder.task_id, {}).setdefault(reminder.contact_id, []).append(
            reminder
        )
    return grouped


def _wanted_slots(
    task: Task, *, policy: ReminderPolicy, now: datetime
) -> dict[tuple[date, str], datetime]:
    """(cycle, offset label) -> send time, for a task that still needs reminders."""
    if task.status in FINISHED_STATUSES or task.due_date is None or task.withdrawn_at is not None:
        return {}
    if task.deadline_kind in ("ongoing", "undetermined"):
        return {}
    if policy.deadline_moment(task.due_date) < now:
        return {}  # overdue: escalation, not a countdown
    return {
        (task.due_date, offset.label): reminder_time(
            task.due_date, offset, calendar=policy.calendar, window=policy.window, tz=policy.zone
        )
        for offset in policy.offsets
    }


def _cancel_unwanted(rows: list[Reminder], wanted: dict[tuple[date, str], datetime]) -> int:
    cancelled = 0
    for reminder in rows:
        if (
            reminder.state == ReminderState.PENDING
            and (reminder.cycle, reminder.offset_label) not in wanted
        ):
            reminder.state = ReminderState.CANCELLED
            cancelled += 1
    return cancelled


def _add_missing(
    session: Session,
    task: Task,
    contact: Contact,
    rows: list[Reminder],
    wanted: dict[tuple[date, str], datetime],
    *,
    now: datetime,
    policy: ReminderPolicy,
) -> int:
    """Plan the wanted slots that have no live row; cancelled rows come back to life."""
    known = {(reminder.cycle, reminder.offset_label): reminder for reminder in rows}
    for slot, due_at in wanted.items():
        reminder = known.get(slot)
        if (
            reminder is not None
            and reminder.state == ReminderState.PENDING
            and reminder.due_at != due_at
        ):
            reminder.due_at = due_at  # the calendar or window changed
    # A slot cancelled earlier (task reopened, deadline changed back) is wanted again.
    open_slots = {
        slot: due_at
        for slot, due_at in wanted.items()
        if slot not in known or known[slot].state == ReminderState.CANCELLED
    }
    planned = {slot: due_at for slot, due_at in open_slots.items() if due_at > now}
    past = {slot: due_at for slot, due_at in open_slots.items() if due_at <= now}
    if past:
        # Offsets already behind us when the task or contact appeared: announce once, at the
        # next moment a reminder may go out, with the nearest of them, unless a reminder for
        # this cycle went or will go out later anyway.
        slot, due_at = max(past.items(), key=lambda item: item[1])
        live = (ReminderState.PENDING, ReminderState.SENDING, ReminderState.SENT)
        already = any(r.cycle == slot[0] and r.state in live and r.due_at >= due_at for r in rows)
        if not already:
            planned[slot] = policy.next_sending_moment(now)
    for (cycle, label), due_at in planned.items():
        reminder = known.get((cycle, label))
        if reminder is None:
            session.add(
                Reminder(
                    task_id=task.id,
                    contact_id=contact.id,
                    cycle=cycle,
                    offset_label=label,
                    due_at=due_at,
                )
            )
        else:
            _reopen(reminder, due_at)
    return len(planned)


def _reopen(reminder: Reminder, due_at: datetime) -> None:
    reminder.state = ReminderState.PENDING
    reminder.due_at = due_at
    reminder.attempts = 0
    reminder.lease_until = None
    reminder.claimed_by = None
    reminder.last_error = None
    reminder.late = False
