"""Officers report on their tasks: replies, status buttons, and their agency's task list."""

from __future__ import annotations

from datetime import timedelta

from core.errors import UserError
from core.i18n import _
from core.messages import Answer, Button
from core.text import fold
from db.models import FINISHED_STATUSES, Task, TaskStatus
from db.tasks import (
    contact_may_update,
    find_task_by_ref,
    keep_pending_report,
    open_tasks_for_agency,
    pending_report,
    record_status,
    tasks_for_reminder_message,
)
from handlers.context import Request
from handlers.render import (
    format_day,
    render_open_task_line,
    render_task_line,
    status_button,
    status_label,
)
from handlers.review import completion_status, report_received
from schedules.planning import plan_reminders

MAX_LISTED_TASKS = 30
# Callback data: "rp:<pending report id>:<task id>" places a kept report on the task chosen.
REPORT_BUTTON_PREFIX = "rp"


def small_number(text: str) -> int | None:
    """A non-negative ASCII integer that fits a database id, else None ("²" is a digit too)."""
    if text.isascii() and text.isdecimal() and len(text) <= 9:
        return int(text)
    return None


def task_list(request: Request) -> list[Answer]:
    """/nhiemvu: the open tasks the contact's agency leads, by plan, overdue and due soon marked."""
    from db.models import Plan

    tasks = open_tasks_for_agency(request.session, agency_id=request.contact.agency_id)
    if not tasks:
        return [Answer(text=_("Your agency has no open tasks."))]
    today = request.today()
    lines = [_("Open tasks of your agency:")]
    shown = sorted(tasks[:MAX_LISTED_TASKS], key=lambda task: task.plan_id)
    plan_id = None
    for task in shown:
        if task.plan_id != plan_id:
            plan_id = task.plan_id
            plan = request.session.get(Plan, plan_id)
            lines.append("")
            lines.append(f"📁 {plan.title or plan.source_name}")
        lines.append(render_open_task_line(task, today))
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


def report_task_chosen(request: Request, fields: list[str]) -> list[Answer]:
    """The task chosen for a report the bot asked about ("rp:<report>:<task>"); may be forged.

    The record keeps the words of the report, with what was read from them, not the label of
    the button pressed.
    """
    numbers = [small_number(field) for field in fields]
    if len(numbers) != 2 or None in numbers:
        return [invalid_button()]
    report_id, task_id = numbers
    report = pending_report(
        request.session, report_id=report_id, contact=request.contact, now=request.now()
    )
    if report is None:
        return [invalid_button()]
    task = request.session.get(Task, task_id)
    if task is None:
        return [Answer(text=_("This task no longer exists."))]
    return [
        apply_status(
            request,
            task=task,
            status=TaskStatus(report.status),
            progress=report.progress,
            text=report.words,
            until=report.requested_until,
            note=report.note,
        )
    ]


def invalid_button() -> Answer:
    """The answer to button data that is stale, malformed or forged."""
    return Answer(text=_("This button is no longer valid."))


def status_reply(request: Request) -> list[Answer]:
    """A free-text reply ("xong", "II.3 đang làm 50%"): understand it, then record it."""
    from handlers.replies import parse_reply

    if fold(request.incoming.text).strip(" .!") in UNDO_WORDS:
        return [undo_last(request)]
    reply = parse_reply(request.incoming.text, today=request.today())
    if reply.status is None and reply.task_ref is None:
        completed = _complete_extension_request(request)
        if completed is not None:
            return [completed]
    if reply.task_ref and reply.status == TaskStatus.DONE:
        finished = _finished_task(request, reply.task_ref)
        if finished is not None:
            return [_already_done(finished, edit=False)]
    task, choices = _task_for_reply(request, reply.task_ref)
    if task is None and not choices:
        return [Answer(text=_("Your agency has no open tasks to report on."))]
    if reply.status is None:
        return [_ask_status(task)]
    status = TaskStatus(reply.status)
    if task is None:
        return [_ask_task(request, choices, status, reply)]
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


UNDO_WORDS = frozenset({"huy", "hoan tac", "huy bo", "undo"})
UNDO_WINDOW = timedelta(minutes=10)


def undo_last(request: Request) -> Answer:
    """ "hủy": take back the contact's last status change, if made in the last 10 minutes."""
    from sqlmodel import col, select

    from db.models import StatusUpdate

    session, now = request.session, request.now()
    update = session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.contact_id == request.contact.id)
        .order_by(col(StatusUpdate.id).desc())
        .limit(1)
    ).first()
    task = session.get(Task, update.task_id) if update is not None else None
    latest = (
        session.exec(
            select(StatusUpdate)
            .where(StatusUpdate.task_id == task.id)
            .order_by(col(StatusUpdate.id).desc())
            .limit(1)
        ).first()
        if task is not None
        else None
    )
    if (
        update is None
        or update.created_at < now - UNDO_WINDOW
        or latest.id != update.id
        or fold(update.text).strip(" .!") in UNDO_WORDS  # an undo is not itself undone
    ):
        return Answer(text=_("There is no change of yours from the last 10 minutes to take back."))
    earlier = session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == task.id, col(StatusUpdate.id) < update.id)
        .order_by(col(StatusUpdate.id).desc())
        .limit(1)
    ).first()
    record_status(
        session,
        task=task,
        contact=request.contact,
        channel=request.incoming.channel,
        chat_id=request.incoming.chat_id,
        text=request.incoming.text,
        status=TaskStatus(update.old_status),
        today=request.today(),
        now=now,
    )
    # Coordinators not yet told of the report taken back are not told at all.
    from sqlalchemy import update as sql_update

    from db.models import Notice, ReminderState

    session.execute(
        sql_update(Notice)
        .where(
            col(Notice.status_update_id) == update.id, col(Notice.state) == ReminderState.PENDING
        )
        .values(state=ReminderState.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    task.progress = earlier.progress if earlier is not None else None
    if update.new_status == TaskStatus.EXTENSION_REQUESTED:
        task.requested_until = earlier.requested_until if earlier is not None else None
    context = request.context
    plan_reminders(session, policy=context.policy_loader(session), now=now, task_ids=[task.id])
    return Answer(
        text=_("↩️ Taken back: task {ref} is {status} again.").format(
            ref=task.ref, status=status_label(task.status)
        )
    )


def _already_done(task: Task, *, edit: bool) -> Answer:
    day = format_day(task.completed_on) if task.completed_on else ""
    text = (
        _("Task {ref} was already reported done ({day}); it awaits the coordinator's confirmation.")
        if task.status == TaskStatus.AWAITING_CONFIRMATION
        else _("Task {ref} was already recorded as done ({day}).")
    )
    return Answer(text=text.format(ref=task.ref, day=day), edit=edit)


def _finished_task(request: Request, ref: str) -> Task | None:
    """The agency's task `ref` when it is done or awaiting confirmation and none is open."""
    from sqlmodel import col, select

    from db.models import AgencyRole, TaskAgency

    session, agency_id = request.session, request.contact.agency_id
    if find_task_by_ref(session, agency_id=agency_id, ref=ref):
        return None
    return session.exec(
        select(Task)
        .join(TaskAgency, col(TaskAgency.task_id) == Task.id)
        .where(
            TaskAgency.agency_id == agency_id,
            TaskAgency.role == AgencyRole.LEAD,
            Task.ref == ref,
            col(Task.status).in_(FINISHED_STATUSES),
            col(Task.withdrawn_at).is_(None),
        )
        .order_by(col(Task.id).desc())
    ).first()


def _complete_extension_request(request: Request) -> Answer | None:
    """ "đến 20/3" after "xin gia hạn" without a date: the date the bot asked for.

    The completed request is recorded with both messages' words ("xin gia hạn / đến 20/3"):
    the date alone would not say what was asked, and the coordinator reads the whole request.
    """
    from sqlmodel import col, select

    from db.models import StatusUpdate
    from handlers.replies import parse_reply

    waiting = [
        task
        for task in open_tasks_for_agency(request.session, agency_id=request.contact.agency_id)
        if task.status == TaskStatus.EXTENSION_REQUESTED and task.requested_until is None
    ]
    if len(waiting) != 1:
        return None
    # Read as the rest of the request, with the same grammar as "xin gia hạn đến 20/3".
    reply = parse_reply(f"xin gia hạn {request.incoming.text}", today=request.today())
    if reply.until is None:
        return None
    task = waiting[0]
    asked = request.session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == task.id)
        .order_by(col(StatusUpdate.id).desc())
        .limit(1)
    ).first()
    words = request.incoming.text.strip()
    own_request = (
        asked is not None
        and asked.contact_id == request.contact.id
        and asked.new_status == TaskStatus.EXTENSION_REQUESTED
        and asked.requested_until is None
    )
    if own_request:
        words = f"{asked.text.strip()} / {words}"
    return apply_status(
        request,
        task=task,
        status=TaskStatus.EXTENSION_REQUESTED,
        progress=None,
        text=words,
        until=reply.until,
        note=asked.note if own_request else None,
    )


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
    if len(open_tasks) == 1 and not incoming.reply_to_message_id:
        return open_tasks[0], []
    # A reply to a message that is not one of their reminders says nothing about the task:
    # ask, even when only one task is open.
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


def _ask_task(request: Request, choices: list[Task], status: TaskStatus, reply) -> Answer:
    """Ask which task a report is about; the report waits, words and all, for the choice."""
    report = keep_pending_report(
        request.session,
        contact=request.contact,
        words=request.incoming.text,
        status=status,
        progress=reply.progress,
        until=reply.until,
        note=reply.note,
        now=request.now(),
    )
    shown = choices[:10]
    lines = [_("Which task is this about? Choose one (or reply to its reminder):")]
    buttons: list[Button] = []
    for task in shown:
        # The buttons name the task by its ref; a second number here would only confuse.
        lines.append(f"• {render_task_line(task)}")
        label = _("Task {ref}").format(ref=task.ref)
        buttons.append(Button(label, f"{REPORT_BUTTON_PREFIX}:{report.id}:{task.id}"))
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
    if task.status in FINISHED_STATUSES and status in FINISHED_STATUSES:
        # A second "done" (an old reminder's button, a repeated message) changes nothing.
        return _already_done(task, edit=bool(incoming.button_data))
    if status == TaskStatus.DONE:
        status = completion_status(request, task)
    replaced = (
        task.requested_until
        if status == TaskStatus.EXTENSION_REQUESTED
        and task.status == TaskStatus.EXTENSION_REQUESTED
        else None
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
    report_received(request, task, update)
    text = _confirmation(task, update.new_status, progress, until)
    if replaced is not None:
        text += "\n" + _("It replaces your earlier request (until {day}).").format(
            day=format_day(replaced)
        )
    return Answer(text=text, edit=bool(incoming.button_data))


def _confirmation(task: Task, status: str, progress: int | None, until) -> str:
    if status == TaskStatus.DONE:
        text = _("✅ Recorded: task {ref} is done. Thank you!")
    elif status == TaskStatus.AWAITING_CONFIRMATION:
        text = _(
            "✅ Recorded: task {ref} is done, awaiting the coordinator's confirmation. Thank you!"
        )
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
