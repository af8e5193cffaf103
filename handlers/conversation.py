"""The conversation: every incoming message or button press becomes answers.

Handlers parse the input, call one function that does the work, and render the answer.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlmodel import Session

from core.errors import UserError
from core.i18n import _
from core.messages import Answer, Button, Incoming
from db.contacts import find_contact, redeem_invite
from db.engine import session_scope
from db.models import Agency, Contact, ContactRole, Task, TaskStatus
from db.progress import progress_summary
from db.tasks import (
    contact_may_update,
    find_task_by_ref,
    open_tasks_for_agency,
    record_status,
    tasks_for_reminder_message,
)
from handlers.context import BotContext
from handlers.followup import (
    DEADLINE_BUTTON_PREFIX,
    open_task_card,
    set_deadline_button,
    set_deadline_command,
    snooze_reminder,
)
from handlers.notices import SNOOZE_BUTTON_PREFIX, TASK_BUTTON_PREFIX
from handlers.plan_upload import IMPORT_BUTTON_PREFIX, confirm_upload, preview_upload
from handlers.render import (
    STATUS_BUTTON_PREFIX,
    format_day,
    render_summary,
    render_task_line,
    status_button,
    status_label,
)
from schedules.planning import plan_reminders

log = logging.getLogger(__name__)

MAX_LISTED_TASKS = 30


def handle(incoming: Incoming, context: BotContext) -> list[Answer]:
    """Answer one incoming message; bad input becomes a Vietnamese message, never a crash."""
    # PostgreSQL text cannot hold NUL, and no person means one.
    incoming = replace(
        incoming,
        text=incoming.text.replace("\x00", ""),
        sender_name=incoming.sender_name.replace("\x00", ""),
    )
    try:
        with session_scope(context.engine) as session:
            return _route(session, incoming, context)
    except UserError as error:
        return [Answer(text=error.message)]


def _route(session: Session, incoming: Incoming, context: BotContext) -> list[Answer]:
    command = incoming.command
    if command == "start":
        return _start(session, incoming, context)
    contact = find_contact(session, channel=incoming.channel, chat_id=incoming.chat_id)
    if contact is None:
        return [_stranger_answer()]
    if incoming.upload is not None:
        return [preview_upload(session, contact=contact, upload=incoming.upload, context=context)]
    if incoming.button_data:
        return _button(session, incoming, contact, context)
    if command in ("tiendo", "progress"):
        return [_progress(session, contact, context)]
    if command in ("nhiemvu", "tasks"):
        return [_task_list(session, contact)]
    if command in ("dathan", "sethan"):
        return [set_deadline_command(session, incoming, contact=contact, context=context)]
    if command in ("help", "trogiup", "huongdan"):
        return [Answer(text=_help_text(contact))]
    if command is not None:
        return [Answer(text=_("Unknown command.") + "\n\n" + _help_text(contact))]
    return _status_reply(session, incoming, contact, context)


def _stranger_answer() -> Answer:
    return Answer(
        text=_(
            "Sorry, this chat is not registered with nhacviec yet. Ask your agency's coordinator "
            "for an invite code, then send /start followed by the code (e.g. /start ABCD2345)."
        )
    )


def _start(session: Session, incoming: Incoming, context: BotContext) -> list[Answer]:
    code = incoming.arguments
    if not code:
        contact = find_contact(session, channel=incoming.channel, chat_id=incoming.chat_id)
        return [Answer(text=_help_text(contact))] if contact else [_stranger_answer()]
    contact = redeem_invite(
        session,
        code=code,
        channel=incoming.channel,
        chat_id=incoming.chat_id,
        display_name=incoming.sender_name,
        now=context.clock(),
    )
    # A new contact gets reminders for its agency's open tasks straight away.
    plan_reminders(
        session,
        policy=context.policy_loader(session),
        now=context.clock(),
        contact_ids=[contact.id],
    )
    agency = session.get(Agency, contact.agency_id)
    role = _("coordinator") if contact.role == ContactRole.COORDINATOR else _("officer")
    open_count = len(open_tasks_for_agency(session, agency_id=contact.agency_id))
    text = _(
        "Welcome! This chat is now registered as {role} of {agency}. "
        "Your agency leads {count} open tasks; you will get reminders before their deadlines."
    ).format(role=role, agency=agency.name if agency else "?", count=open_count)
    return [Answer(text=text + "\n\n" + _help_text(contact))]


def _help_text(contact: Contact) -> str:
    lines = [
        _("What you can do:"),
        _("• /nhiemvu — your agency's open tasks"),
        _("• /tiendo — progress summary"),
        _("• /dathan REF DD/MM/YYYY — set the date of a task without a deadline (coordinators)"),
        _('• Reply to a reminder: "xong", "đang làm 60%", "vướng mắc: …", "xin gia hạn đến 15/3"'),
        _('• Or name the task: "2 xong", "II.3 đang làm 50%"'),
    ]
    if contact.role in (ContactRole.COORDINATOR, ContactRole.ADMIN):
        lines.append(_("• Send a plan file (.docx, .xlsx, .pdf, .txt) to import its tasks"))
    return "\n".join(lines)


def _progress(session: Session, contact: Contact, context: BotContext) -> Answer:
    today = context.today()
    if contact.role in (ContactRole.COORDINATOR, ContactRole.ADMIN):
        summary = progress_summary(session, today=today)
        return Answer(text=render_summary(summary, today=today))
    agency = session.get(Agency, contact.agency_id)
    summary = progress_summary(session, today=today, agency_id=contact.agency_id)
    scope = _("Tasks led by {agency}").format(agency=agency.name if agency else "?")
    note = _("(Only coordinators see the summary of all agencies.)")
    return Answer(text=render_summary(summary, today=today, scope=scope) + "\n" + note)


def _task_list(session: Session, contact: Contact) -> Answer:
    tasks = open_tasks_for_agency(session, agency_id=contact.agency_id)
    if not tasks:
        return Answer(text=_("Your agency has no open tasks."))
    lines = [_("Open tasks of your agency:")]
    lines += [render_task_line(task) for task in tasks[:MAX_LISTED_TASKS]]
    if len(tasks) > MAX_LISTED_TASKS:
        lines.append(_("… and {count} more.").format(count=len(tasks) - MAX_LISTED_TASKS))
    return Answer(text="\n".join(lines))


def _button(
    session: Session, incoming: Incoming, contact: Contact, context: BotContext
) -> list[Answer]:
    parts = (incoming.button_data or "").split(":")
    # Callback data comes back from the client and can be forged: read it defensively.
    target = _small_number(parts[1]) if len(parts) > 1 else None
    if parts[0] == SNOOZE_BUTTON_PREFIX and len(parts) == 3 and target is not None:
        days = _small_number(parts[2]) or 0
        return [
            snooze_reminder(
                session, contact=contact, reminder_id=target, days=days, context=context
            )
        ]
    if parts[0] == TASK_BUTTON_PREFIX and len(parts) == 2 and target is not None:
        return [open_task_card(session, contact=contact, task_id=target, context=context)]
    if parts[0] == DEADLINE_BUTTON_PREFIX:
        return [
            set_deadline_button(
                session, incoming, contact=contact, data=incoming.button_data, context=context
            )
        ]
    if len(parts) == 3 and parts[0] == IMPORT_BUTTON_PREFIX and target is not None:
        accept = parts[2] == "ok"
        return [
            confirm_upload(
                session, contact=contact, pending_id=target, accept=accept, context=context
            )
        ]
    if len(parts) < 3 or parts[0] != STATUS_BUTTON_PREFIX or target is None:
        return [Answer(text=_("This button is no longer valid."))]
    try:
        status = TaskStatus(parts[2])
    except ValueError:
        return [Answer(text=_("This button is no longer valid."))]
    progress = _small_number(parts[3]) if len(parts) > 3 else None
    if len(parts) > 3 and (progress is None or progress > 100):
        return [Answer(text=_("This button is no longer valid."))]
    task = session.get(Task, target)
    if task is None:
        return [Answer(text=_("This task no longer exists."))]
    words = incoming.text or status_label(status)
    return [
        _apply(
            session,
            incoming,
            contact,
            context,
            task=task,
            status=status,
            progress=progress,
            text=words,
        )
    ]


def _small_number(text: str) -> int | None:
    """A non-negative ASCII integer that fits a database id, else None ("²" is a digit too)."""
    if text.isascii() and text.isdecimal() and len(text) <= 9:
        return int(text)
    return None


def _status_reply(
    session: Session, incoming: Incoming, contact: Contact, context: BotContext
) -> list[Answer]:
    from handlers.replies import parse_reply

    today = context.today()
    reply = parse_reply(incoming.text, today=today)
    task, choices = _task_for_reply(session, incoming, contact, reply.task_ref)
    if task is None and not choices:
        return [Answer(text=_("Your agency has no open tasks to report on."))]
    if reply.status is None:
        return [_ask_status(task, choices)]
    status = TaskStatus(reply.status)
    if task is None:
        return [_ask_task(choices, status, reply.progress)]
    return [
        _apply(
            session,
            incoming,
            contact,
            context,
            task=task,
            status=status,
            progress=reply.progress,
            text=incoming.text,
            until=reply.until,
            note=reply.note,
        )
    ]


def _task_for_reply(
    session: Session, incoming: Incoming, contact: Contact, task_ref: str | None
) -> tuple[Task | None, list[Task]]:
    """The task a reply is about: the ref it names, the reminder it answers, or the only one.

    A named ref that matches no open task is an error, never a reason to pick another task:
    "2 xong" sent twice must not close task 1.
    """
    replied = None
    if incoming.reply_to_message_id:
        announced = tasks_for_reminder_message(
            session, contact=contact, message_id=incoming.reply_to_message_id
        )
        if len(announced) > 1:
            # A reply to a grouped reminder names its task, or is asked which one.
            named = [task for task in announced if task_ref and task.ref == task_ref]
            return (named[0], []) if len(named) == 1 else (None, named or announced)
        replied = announced[0] if announced else None
    if task_ref:
        matches = find_task_by_ref(session, agency_id=contact.agency_id, ref=task_ref)
        if replied is not None and replied.ref != task_ref and matches:
            return None, [replied, *matches]  # the reminder and the words disagree: ask
        if replied is not None and replied.ref == task_ref:
            return replied, []
        if len(matches) == 1:
            return matches[0], []
        if matches:
            return None, matches
        raise UserError(
            _(
                "Your agency has no open task {ref}: it may be done already or belong to another "
                "agency. Send /nhiemvu to see your open tasks."
            ).format(ref=task_ref)
        )
    if replied is not None:
        return replied, []
    open_tasks = open_tasks_for_agency(session, agency_id=contact.agency_id)
    if len(open_tasks) == 1:
        return open_tasks[0], []
    return None, open_tasks


def _ask_status(task: Task | None, choices: list[Task]) -> Answer:
    text = _(
        'Sorry, I did not understand. Please answer with the status, e.g. "xong", "đang làm 50%", '
        '"vướng mắc: lý do", "xin gia hạn đến 15/3".'
    )
    if task is None:
        return Answer(text=text)
    buttons = (
        status_button(task.id, TaskStatus.DONE, _("Done")),
        status_button(task.id, TaskStatus.IN_PROGRESS, _("In progress")),
        status_button(task.id, TaskStatus.NOT_STARTED, _("Not started")),
    )
    return Answer(
        text=text + "\n" + _("Or choose for task {ref}:").format(ref=task.ref), buttons=buttons
    )


def _ask_task(choices: list[Task], status: TaskStatus, progress: int | None) -> Answer:
    shown = choices[:10]
    lines = [_("Which task is this about? Choose one (or reply to its reminder):")]
    buttons: list[Button] = []
    for task in shown:
        # The buttons name the task by its ref; a second number here would only confuse.
        lines.append(f"• {render_task_line(task)}")
        label = _("Task {ref}").format(ref=task.ref)
        buttons.append(status_button(task.id, status, label, progress))
    return Answer(text="\n".join(lines), buttons=tuple(buttons))


def _apply(
    session: Session,
    incoming: Incoming,
    contact: Contact,
    context: BotContext,
    *,
    task: Task,
    status: TaskStatus,
    progress: int | None,
    text: str,
    until=None,
    note: str | None = None,
) -> Answer:
    if task.withdrawn_at is not None:
        return Answer(
            text=_("Task {ref} was withdrawn from its plan; there is nothing to report.").format(
                ref=task.ref
            )
        )
    if not contact_may_update(session, contact=contact, task=task):
        return Answer(text=_("This task belongs to another agency; you cannot update it."))
    if task.status == TaskStatus.DONE and status == TaskStatus.DONE:
        # A second "done" (an old reminder's button, a repeated message) changes nothing.
        day = format_day(task.completed_on) if task.completed_on else ""
        return Answer(
            text=_("Task {ref} was already recorded as done ({day}).").format(
                ref=task.ref, day=day
            ),
            edit=bool(incoming.button_data),
        )
    update = record_status(
        session,
        task=task,
        contact=contact,
        channel=incoming.channel,
        chat_id=incoming.chat_id,
        text=text,
        status=status,
        progress=progress,
        requested_until=until,
        note=note,
        today=context.today(),
        now=context.clock(),
    )
    plan_reminders(
        session, policy=context.policy_loader(session), now=context.clock(), task_ids=[task.id]
    )
    return Answer(
        text=_confirmation(task, update.new_status, progress, until),
        edit=bool(incoming.button_data),
    )


def _confirmation(task: Task, status: str, progress: int | None, until) -> str:
    if status == TaskStatus.DONE:
        text = _("✅ Recorded: task {ref} is done. Thank you!")
    elif status == TaskStatus.IN_PROGRESS and progress is not None:
        text = _("⏳ Recorded: task {ref} is in progress ({progress}%).")
    elif status == TaskStatus.IN_PROGRESS:
        text = _("⏳ Recorded: task {ref} is in progress.")
    elif status == TaskStatus.BLOCKED:
        text = _("⚠️ Recorded: task {ref} is blocked. The coordinator will see your reason.")
    elif status == TaskStatus.EXTENSION_REQUESTED and until is not None:
        text = _(
            "📅 Recorded: extension of task {ref} requested until {day}, awaiting the coordinator's approval."
        )
    elif status == TaskStatus.EXTENSION_REQUESTED:
        text = _(
            '📅 Recorded: extension of task {ref} requested. Please also say until when, e.g. "đến 15/3".'
        )
    else:
        text = _("Recorded: task {ref} is {status}.")
    return text.format(
        ref=task.ref,
        progress=progress,
        day=format_day(until) if until else "",
        status=status_label(status),
    )


__all__ = ["handle"]
