"""Follow-up use cases: snoozing a reminder, opening one task of a grouped reminder, and a
coordinator setting the date of a task whose deadline the plan left open (/dathan)."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import col, select

from core.errors import UserError
from core.i18n import _
from core.messages import Answer, Button
from db.models import FINISHED_STATUSES, Reminder, Task, TaskStatus
from db.scope import may_see, restrict, scope_of
from db.tasks import contact_may_update, record_status
from handlers.context import Request
from handlers.notices import render_task_card
from handlers.render import format_day
from schedules.planning import plan_reminders, snooze

# Callback data: "dh:<task id>:<YYYYMMDD>" picks one of several tasks sharing a ref.
DEADLINE_BUTTON_PREFIX = "dh"
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")


def snooze_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """ "Nhắc lại sau" ("sz:<reminder id>:<working days>"): one more reminder for this person,
    never after the deadline's last working day."""
    session, contact = request.session, request.contact
    reminder_id = _number(fields[0]) if len(fields) == 2 else None
    days = _number(fields[1]) if len(fields) == 2 else None
    reminder = session.get(Reminder, reminder_id) if reminder_id is not None else None
    if reminder is None or reminder.contact_id != contact.id or days not in (1, 3):
        return [Answer(text=_("This button is no longer valid."))]
    policy = request.context.policy_loader(session)
    outcome = snooze(
        session, reminder=reminder, contact=contact, days=days, policy=policy, now=request.now()
    )
    if outcome.due_at is None:
        if outcome.reason == "closed":
            return [Answer(text=_("This task is closed; there is nothing to remind."))]
        return [
            Answer(
                text=_(
                    "The deadline is too close to remind you later: "
                    "please report on the task today."
                )
            )
        ]
    day = outcome.due_at.astimezone(policy.zone).date()
    return [Answer(text=_("🔕 I will remind you again on {day}.").format(day=format_day(day)))]


def task_card_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """One task of a grouped reminder ("tk:<task id>"), with buttons answering only that task."""
    task_id = _number(fields[0]) if len(fields) == 1 else None
    task = request.session.get(Task, task_id) if task_id is not None else None
    if task is None or task.withdrawn_at is not None:
        return [Answer(text=_("This task no longer exists."))]
    if not contact_may_update(request.session, contact=request.contact, task=task):
        return [Answer(text=_("This task belongs to another agency; you cannot update it."))]
    return [render_task_card(task, today=request.today())]


def set_deadline_command(request: Request) -> list[Answer]:
    """/dathan REF DD/MM/YYYY: a coordinator gives a task (mostly an undetermined one) its date."""
    parts = request.incoming.arguments.split()
    if len(parts) != 2:
        return [Answer(text=_("Write it as /dathan REF DD/MM/YYYY, e.g. /dathan II.3 30/6/2026."))]
    ref, day = parts[0], _read_day(parts[1], today=request.today())
    scope = scope_of(request.session, request.contact)
    statement = select(Task).where(
        Task.ref == ref,
        col(Task.withdrawn_at).is_(None),
        col(Task.status).not_in(FINISHED_STATUSES),
    )
    tasks = list(
        request.session.exec(
            restrict(statement, scope).order_by(col(Task.due_date).is_not(None), Task.plan_id)
        )
    )
    if not tasks:
        raise UserError(_("No open task {ref} was found.").format(ref=ref))
    candidates = [task for task in tasks if task.due_date is None] or tasks
    if len(candidates) > 1:
        lines = [_("Several tasks are numbered {ref}; choose one:").format(ref=ref)]
        buttons = []
        for task in candidates[:10]:
            lines.append(f"• {task.ref}. {task.content[:80]} (#{task.id})")
            buttons.append(
                Button(
                    label=_("Task {ref}").format(ref=f"{task.ref} (#{task.id})"),
                    data=f"{DEADLINE_BUTTON_PREFIX}:{task.id}:{day:%Y%m%d}",
                )
            )
        return [Answer(text="\n".join(lines), buttons=tuple(buttons))]
    return [set_deadline(request, task=candidates[0], day=day)]


def set_deadline_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """The choice made after /dathan matched several tasks ("dh:<task id>:<YYYYMMDD>")."""
    task_id = _number(fields[0]) if len(fields) == 2 else None
    if task_id is None or not re.fullmatch(r"\d{8}", fields[1]):
        return [Answer(text=_("This button is no longer valid."))]
    task = request.session.get(Task, task_id)
    if task is None:
        return [Answer(text=_("This task no longer exists."))]
    if not may_see(request.session, scope_of(request.session, request.contact), task):
        # Forged data for a plan the coordinator does not coordinate: refused like any other.
        return [Answer(text=_("This button is no longer valid."))]
    try:
        day = date(int(fields[1][:4]), int(fields[1][4:6]), int(fields[1][6:]))
    except ValueError:
        return [Answer(text=_("This button is no longer valid."))]
    return [set_deadline(request, task=task, day=day)]


def set_deadline(request: Request, *, task: Task, day: date) -> Answer:
    """Give the task a fixed date, keep who set it in its history, and plan its reminders."""
    if day < request.today():
        raise UserError(_("{day} has already passed.").format(day=format_day(day)))
    incoming, session = request.incoming, request.session
    record_status(
        session,
        task=task,
        contact=request.contact,
        channel=incoming.channel,
        chat_id=incoming.chat_id,
        # A choice among tasks sharing a ref (its text is the button's label) stands for the
        # command it completes.
        text=f"/dathan {task.ref} {day:%d/%m/%Y}" if incoming.button_data else incoming.text,
        status=TaskStatus(task.status),
        requested_until=task.requested_until,
        today=request.today(),
        now=request.now(),
    )
    task.deadline_kind = "fixed"
    task.due_date = day
    task.deadline_understood = True
    task.flagged = False
    plan_reminders(
        session,
        policy=request.context.policy_loader(session),
        now=request.now(),
        task_ids=[task.id],
    )
    return Answer(
        text=_("📅 Task {ref} is now due on {day}; its officers will be reminded.").format(
            ref=task.ref, day=format_day(day)
        ),
        edit=bool(incoming.button_data),
    )


def _number(text: str) -> int | None:
    """A non-negative ASCII integer that fits a database id, else None (data may be forged)."""
    if text.isascii() and text.isdecimal() and len(text) <= 9:
        return int(text)
    return None


def _read_day(text: str, *, today: date) -> date:
    match = _DAY.match(text.strip())
    if match:
        year = int(match[3]) if match[3] else today.year
        year += 2000 if year < 100 else 0
        try:
            return date(year, int(match[2]), int(match[1]))
        except ValueError:
            pass
    raise UserError(
        _("“{text}” is not a date: write it as DD/MM/YYYY, e.g. 16/02/2026.").format(text=text)
    )
