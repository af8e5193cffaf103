"""The tables: the database is the only record of tasks, reminders and status changes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.clock import utcnow
from db.types import UTCDateTime


def _timestamp(nullable: bool = False):
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_type=UTCDateTime,
        nullable=nullable,
    )


class TaskStatus(StrEnum):
    """What an officer reports (domain.md section 4)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    EXTENSION_REQUESTED = "extension_requested"
    # Reported done by an officer, waiting for a coordinator's confirmation; counted as done
    # on the day reported (the buckets), reopened when the coordinator asks for more.
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    DONE = "done"


# Statuses that end the work on a task: no reminders, counted as done in the buckets.
FINISHED_STATUSES = (TaskStatus.DONE, TaskStatus.AWAITING_CONFIRMATION)


class AgencyRole(StrEnum):
    """How a task names an agency."""

    LEAD = "lead"
    COORDINATOR = "coordinator"
    EXECUTOR = "executor"


class ContactRole(StrEnum):
    """What a subscribed chat may do."""

    OFFICER = "officer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class ReminderState(StrEnum):
    """A reminder's place in the delivery ledger."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


class ReminderKind(StrEnum):
    """What a ledger row announces; every kind is claimed and sent by the same loop."""

    REMINDER = "reminder"  # countdown before a deadline (lead, coordinating, executor roles)
    OVERDUE = "overdue"  # to the lead officers after the deadline, every few working days
    ESCALATION = "escalation"  # once per task and cycle to each coordinator
    CHECKIN = "checkin"  # periodic progress question for a standing duty
    SNOOZE = "snooze"  # "Nhắc lại sau": one more reminder the officer asked for
    DIGEST = "digest"  # the coordinators' weekly summary (no task)
    WEEKLY_LIST = "weekly_list"  # an officer's short Monday list (no task)


class Agency(SQLModel, table=True):
    """A canonical agency; generic groups ("các đơn vị liên quan") subscribe no one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    folded_name: str = Field(unique=True, index=True)
    is_generic: bool = False
    # Created by an import without a known canonical name: a coordinator should check it.
    flagged: bool = False
    created_at: datetime = _timestamp()
    # Its officers' "xong" is final: the agency asked not to have completions confirmed.
    skips_confirmation: bool = False


class AgencyAlias(SQLModel, table=True):
    """Another way documents write an agency (abbreviation, old name, typo)."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="CASCADE")
    alias: str
    folded_alias: str = Field(unique=True, index=True)


class Plan(SQLModel, table=True):
    """One imported document; importing the same source again updates its tasks."""

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(unique=True, index=True)
    source_name: str
    title: str | None = None
    imported_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # Per-role reminder offsets overriding the settings: {"lead": "10d,3d,0d", "support": ""}.
    offsets: dict | None = Field(default=None, sa_type=JSON(none_as_null=True))


class Task(SQLModel, table=True):
    """A tracked task with its deadline as parsed and its latest reported status."""

    # Not unique: a withdrawn task keeps its ref, and a later version of the plan may reuse it.
    __table_args__ = (
        Index("ix_task_plan_ref", "plan_id", "ref"),
        # Covers the progress aggregates (db.progress): /tiendo reads it, not the rows.
        Index(
            "ix_task_progress",
            "withdrawn_at",
            "plan_id",
            "deadline_kind",
            "status",
            "due_date",
            "completed_on",
        ),
        # Standing duties' latest answers, newest first (/tiendo lists them).
        Index("ix_task_duties", "deadline_kind", "updated_at"),
        # The report's task sheet, in plan order, read without sorting 100k rows.
        Index("ix_task_plan_position", "plan_id", "position", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    ref: str
    position: int = 0
    content: str
    result: str = ""
    deadline_text: str = ""
    deadline_kind: str = "undetermined"
    # Fixed deadlines: the due date. Recurring: the due date of the current cycle.
    due_date: date | None = Field(default=None, index=True)
    recurrence: str | None = None
    milestones: str = ""  # comma-separated ISO dates
    anchor: str | None = None  # "dd/mm" of a recurring phrase that names a day
    deadline_understood: bool = True
    flagged: bool = False
    status: str = Field(default=TaskStatus.NOT_STARTED, index=True)
    progress: int | None = None
    status_note: str | None = None
    requested_until: date | None = None
    # The local date the work was reported done, compared with due_date for the buckets.
    completed_on: date | None = None
    # Set when a re-imported version of the plan no longer has the task; history is kept.
    withdrawn_at: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # The plan's own due date once a coordinator approved an extension (due_date is then the
    # approved one, against which the buckets judge lateness).
    original_due_date: date | None = None
    # Per-role reminder offsets overriding the plan's and the settings' (see Plan.offsets).
    offsets: dict | None = Field(default=None, sa_type=JSON(none_as_null=True))


class TaskAgency(SQLModel, table=True):
    """An agency's part in a task, with the name as the document wrote it."""

    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, index=True)
    role: str = Field(primary_key=True)
    name_as_written: str = ""


class Contact(SQLModel, table=True):
    """A chat subscribed through an invite: an officer or coordinator of one agency."""

    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_contact_channel_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    display_name: str = ""
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    role: str = ContactRole.OFFICER
    active: bool = True
    # Set when the channel said the person blocked the bot (Telegram 403).
    unreachable_at: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()
    # A coordinator of the province's office coordinates every plan; others only the plans
    # they imported or were granted (PlanCoordinator).
    all_plans: bool = False


class Invite(SQLModel, table=True):
    """A one-time code a coordinator issues so an officer can join an agency."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    agency_id: int = Field(foreign_key="agency.id")
    role: str = ContactRole.OFFICER
    created_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _timestamp(nullable=True)
    used_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    # A coordinator invite for one plan grants only that plan; without one, every plan.
    plan_id: int | None = Field(default=None, foreign_key="plan.id", ondelete="SET NULL")


class Reminder(SQLModel, table=True):
    """One planned message in the delivery ledger; a lease makes a crash release it."""

    __table_args__ = (
        UniqueConstraint("task_id", "contact_id", "cycle", "offset_label", name="uq_reminder_slot"),
        Index("ix_reminder_claim", "state", "due_at", "id"),
        # Only sent rows have a message id: planned rows cost this index nothing.
        Index(
            "ix_reminder_message_id",
            "message_id",
            sqlite_where=text("message_id IS NOT NULL"),
            postgresql_where=text("message_id IS NOT NULL"),
        ),
        # Messages about no task are unique per kind, contact and period (NULLs never collide).
        Index(
            "uq_reminder_taskless_slot",
            "kind",
            "contact_id",
            "cycle",
            unique=True,
            sqlite_where=text("task_id IS NULL"),
            postgresql_where=text("task_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None for messages about no single task (digests, Monday lists).
    # Looked up through uq_reminder_slot, whose first column it is (no index of its own).
    task_id: int | None = Field(default=None, foreign_key="task.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    # The due date this reminder announces; for check-ins and digests, the period's first day.
    cycle: date
    # "7d", "3wd", "2h" as configured; other kinds name their slot ("overdue:2", "checkin").
    offset_label: str
    due_at: datetime = Field(sa_type=UTCDateTime)
    state: str = ReminderState.PENDING
    attempts: int = 0
    lease_until: datetime | None = _timestamp(nullable=True)
    claimed_by: str | None = None
    last_error: str | None = None
    late: bool = False
    sent_at: datetime | None = _timestamp(nullable=True)
    message_id: str | None = None  # indexed only where set (ix_reminder_message_id)
    created_at: datetime = _timestamp()
    kind: str = Field(
        default=ReminderKind.REMINDER, sa_column_kwargs={"server_default": "reminder"}
    )
    # The part the contact's agency plays in the task (lead, coordinator, executor).
    role: str | None = None
    # The channel that delivered it, whether that was the fallback chat, and since when sends
    # to the preferred chat have failed (schedules.routing decides from it).
    delivered_channel: str | None = None
    fallback: bool = False
    failing_since: datetime | None = _timestamp(nullable=True)


class StatusUpdate(SQLModel, table=True):
    """Every status change: who, when, through which chat, and the words they wrote."""

    # A task's history and its last word are read by task, newest last.
    __table_args__ = (Index("ix_statusupdate_task_created", "task_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    channel: str
    chat_id: str
    created_at: datetime = _timestamp()
    text: str
    old_status: str
    new_status: str
    progress: int | None = None
    requested_until: date | None = None
    note: str | None = None


class PendingImport(SQLModel, table=True):
    """A plan file a coordinator sent in chat, kept until they confirm or cancel the preview."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    filename: str
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = _timestamp()
    # Set once imported or cancelled: a second press of the same button does nothing.
    closed_at: datetime | None = _timestamp(nullable=True)


class CalendarDay(SQLModel, table=True):
    """A province's announced exception to the working calendar (day off or make-up day)."""

    day: date = Field(primary_key=True)
    is_working: bool
    note: str = ""


class ContactChat(SQLModel, table=True):
    """Another chat of the same person (Zalo beside Telegram), linked with /lienket."""

    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_contact_chat_channel_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    channel: str
    chat_id: str
    # Reminders go here rather than to the contact's own chat.
    preferred: bool = False
    unreachable_at: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()


class LinkCode(SQLModel, table=True):
    """A one-time code that links the chat which sends it to the contact that asked for it."""

    code: str = Field(primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _timestamp(nullable=True)


class SeenEvent(SQLModel, table=True):
    """An inbound event already handled; channels that deliver twice (Zalo) check it."""

    channel: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


class OfferedChoices(SQLModel, table=True):
    """The latest numbered choices a text-only chat was offered; a bare number picks one."""

    channel: str = Field(primary_key=True)
    chat_id: str = Field(primary_key=True)
    # JSON list of [label, button data], numbered from 1 in order.
    choices: str
    offered_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PlanCoordinator(SQLModel, table=True):
    """A coordinator's right to see, confirm and approve within one plan."""

    plan_id: int = Field(foreign_key="plan.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = _timestamp()


class TaskAssignment(SQLModel, table=True):
    """A coordinator made a real agency lead a task a generic group led; kept across re-imports."""

    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    created_at: datetime = _timestamp()


class ProgressStamp(SQLModel, table=True):
    """One row whose version database triggers move on any change to agencies.

    It tells stores apart (a random start) and invalidates cached aggregates of every plan
    when an agency is renamed or merged; tasks and links move their plan's PlanStamp.
    """

    id: int | None = Field(default=None, primary_key=True)
    version: int = 0


class PlanStamp(SQLModel, table=True):
    """Per plan, a version database triggers move on any change to its tasks or their links.

    Cached progress aggregates of a plan (db.progress) are valid while its version is unchanged.
    """

    plan_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=0, sa_type=BigInteger)


class NoticeKind(StrEnum):
    """Messages the bot sends on its own after someone acted (not countdown reminders)."""

    CONFIRM_REQUEST = "confirm_request"  # to coordinators: an officer reported done
    EXTENSION_REQUEST = "extension_request"  # to coordinators: an officer asked for more time
    BLOCKED = "blocked"  # to coordinators: an officer reported a blocker
    DECISION = "decision"  # to an officer: confirmed, more asked, approved, refused, a reply


class Notice(SQLModel, table=True):
    """A rendered message in the delivery ledger, sent by the dispatch loop at least once."""

    __table_args__ = (Index("ix_notice_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    status_update_id: int | None = Field(default=None, foreign_key="statusupdate.id")
    text: str
    # [[label, data], …]: rendered as buttons, or numbered choices where a channel has none.
    buttons: list | None = Field(default=None, sa_type=JSON)
    due_at: datetime = Field(sa_type=UTCDateTime)
    state: str = ReminderState.PENDING
    attempts: int = 0
    lease_until: datetime | None = _timestamp(nullable=True)
    claimed_by: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = _timestamp(nullable=True)
    message_id: str | None = Field(default=None, index=True)
    created_at: datetime = _timestamp()


class Prompt(SQLModel, table=True):
    """A question the bot asked a coordinator (a reason, a reply): their next text answers it."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    action: str  # "more", "refuse", "reply"
    status_update_id: int = Field(foreign_key="statusupdate.id")
    created_at: datetime = _timestamp()
    closed_at: datetime | None = _timestamp(nullable=True)


class Heartbeat(SQLModel, table=True):
    """When the delivery service last showed life, and since when it has run without a gap."""

    name: str = Field(primary_key=True)  # "dispatch": one row for every worker together
    beat_at: datetime = Field(sa_type=UTCDateTime)
    up_since: datetime = Field(sa_type=UTCDateTime)


class PendingReport(SQLModel, table=True):
    """An officer's report the bot could not place on one task, kept while it asks which.

    The choice buttons name this row, so the record of the change keeps the words the officer
    wrote (and the progress, date or reason read from them), not the label of a button.
    """

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    words: str
    status: str
    progress: int | None = None
    requested_until: date | None = None
    note: str | None = None
    created_at: datetime = _timestamp()


__all__ = [
    "FINISHED_STATUSES",
    "Agency",
    "AgencyAlias",
    "AgencyRole",
    "CalendarDay",
    "Contact",
    "ContactChat",
    "ContactRole",
    "Heartbeat",
    "Invite",
    "LinkCode",
    "Notice",
    "NoticeKind",
    "OfferedChoices",
    "PendingImport",
    "PendingReport",
    "Plan",
    "PlanCoordinator",
    "PlanStamp",
    "ProgressStamp",
    "Prompt",
    "Reminder",
    "ReminderKind",
    "ReminderState",
    "SeenEvent",
    "StatusUpdate",
    "Task",
    "TaskAgency",
    "TaskAssignment",
    "TaskStatus",
]
