"""Officers report on their tasks: replies, status buttons, and their agency's task list."""

from __future__ import annotations

from core.errors import UserError
from core.i18n import _
from core.messages import Answer, Button
from db.models import Task, TaskStatus
from db.tasks import (
    contact_may_update,
    find_task_by_ref,
    open_tasks_for_agency,
    record_status,
    tasks_for_reminder_message,
)
from handlers.context import Request
from handlers.render import format_day, render_task_line, status_button, status_label
from schedules.planning import plan_reminders

MAX_LISTED_TASKS = 30


def small_number(text: str) -> int | None:
    """A non-negative ASCII integer that fits a database id, else None ("²" is a digit too)."""
    if text.isascii() and text.isdecimal() and len(text) <= 9:
        return int(text)
    return None


def task_list(request: Request) -> list[Answer]:
    """/nhiemvu: the open tasks the contact's agency leads."""
    tasks = open_tasks_for_agency(request.session, agency_id=request.contact.agency_id)
    if not tasks:
        return [Answer(text=_("Your agency has no open tasks."))]
    lines = [_("Open tasks of your agency:")]
    lines += [render_task_line(task) for task in tasks[:MAX_LISTED_TASKS]]
    if len(tasks) > MAX_LISTED_TASKS:
        lines.append(_("… and {count} more.").format(count=len(tasks) - MAX_LISTED_TASKS))
    return [Answer(text="\n".join(lines))]


def status_button_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """A status button ("st:<task id>:<status>[:<progress>]"); its data may be forged."""
    target = small_number(fields[0]) if fields else None
    if target is None or len(fields) < 2 or len(fields) > 3:
        return [invalid_button()]
    try:
        status = TaskStatus(fields[1])
    except ValueError:
        return [invalid_button()]
    progress = small_number(fields[2]) if len(fields) > 2 else None
    if len(fields) > 2 and (progress is None or progress > 100):
        return [invalid_button()]
    task = request.session.get(Task, target)
    if task is None:
        return [Answer(text=_("This task no longer exists."))]
    words = request.incoming.text or status_label(status)
    return [apply_status(request, task=task, status=status, progress=progress, text=words)]


def invalid_button() -> Answer:
    """The answer to button data that is stale, malformed or forged."""
    return Answer(text=_("This button is no longer valid."))


def status_reply(request: Request) -> list[Answer]:
    """A free-text reply ("xong", "II.3 đang làm 50%"): understand it, then record it."""
    from handlers.replies import parse_reply

    reply = parse_reply(request.incoming.text, today=request.today())
    task, choices = _task_for_reply(request, reply.task_ref)
    if task is None and not choices:
        return [Answer(text=_("Your agency has no open tasks to report on."))]
    if reply.status is None:
        return [_ask_status(task)]
    status = TaskStatus(reply.status)
    if task is None:
        return [_ask_task(choices, status, reply.progress)]
    return [
        apply_status(
            request,
            task=task,
            status=status,
            progress=reply.progress,
            text=request.incoming.text,
            until=reply.until,
            note=reply.note,
        )
    ]


def _task_for_reply(request: Request, task_ref: str | None) -> tuple[Task | None, list[Task]]:
    """The task a reply is about: the ref it names, the reminder it answers, or the only one.

    A named ref that matches no open task is an error, never a reason to pick another task:
    "2 xong" sent twice must not close task 1.
    """
    session, contact, incoming = request.session, request.contact, request.incoming
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


def _ask_status(task: Task | None) -> Answer:
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


def apply_status(
    request: Request,
    *,
    task: Task,
    status: TaskStatus,
    progress: int | None,
    text: str,
    until=None,
    note: str | None = None,
) -> Answer:
    """Record a status change the contact may make, re-plan the task, and confirm it."""
    session, contact, incoming = request.session, request.contact, request.incoming
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
        today=request.today(),
        now=request.now(),
    )
    context = request.context
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
