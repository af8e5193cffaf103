"""Test data builders: plans, contacts and policies as the product creates them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from db.agencies import resolve_agency
from db.contacts import create_invite, redeem_invite
from db.imports import save_plan
from db.models import Contact, ContactRole
from plans.model import ExtractedPlan, TaskDraft
from schedules.calendar import SendWindow, WorkingCalendar, parse_offsets, working_days_from_setting
from schedules.deadlines import parse_deadline
from schedules.planning import ReminderPolicy

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """A clock the test moves by hand (`clock.now = …`)."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment given in Vietnam's local time, returned in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def draft(ref: str, content: str, lead: str, deadline_text: str, **extra) -> TaskDraft:
    """A task as an extractor would hand it over."""
    return TaskDraft(
        ref=ref,
        content=content,
        lead=[lead],
        coordinators=extra.pop("coordinators", []),
        result=extra.pop("result", "Báo cáo"),
        deadline_text=deadline_text,
        deadline=parse_deadline(deadline_text),
        **extra,
    )


def plan(*tasks: TaskDraft, source: str = "ke-hoach-thu.txt") -> ExtractedPlan:
    """An extracted plan of the given tasks."""
    return ExtractedPlan(source=source, tasks=list(tasks))


def store_plan(
    session: Session, extracted: ExtractedPlan, *, today: date, key: str = "ke-hoach-thu"
):
    """Save a plan as `nhacviec import` does."""
    return save_plan(
        session, extracted=extracted, source_key=key, source_name=f"{key}.txt", today=today
    )


def policy(
    offsets: str = "7d,3d,1d,0d", window: str = "08:00-17:00", working_days: str = "mon-fri"
) -> ReminderPolicy:
    """A reminder policy like the settings build."""
    return ReminderPolicy(
        offsets=tuple(parse_offsets(offsets)),
        window=SendWindow.parse(window),
        calendar=WorkingCalendar(working_weekdays=working_days_from_setting(working_days)),
        zone=ZONE,
    )


def join(
    session: Session,
    *,
    agency: str,
    chat_id: str,
    role: ContactRole = ContactRole.OFFICER,
    now: datetime,
    channel: str = "telegram",
    name: str = "Cán bộ",
) -> Contact:
    """Issue an invite for an agency and redeem it from a chat, as a person would."""
    invite = create_invite(session, agency=resolve_agency(session, agency), role=role, now=now)
    return redeem_invite(
        session, code=invite.code, channel=channel, chat_id=chat_id, display_name=name, now=now
    )
