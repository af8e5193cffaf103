"""Vietnamese text for every kind of ledger message: reminders per role, overdue notices,
escalations, check-ins, grouped reminders, the weekly digest and the Monday list.

`compose` is what the dispatch loop calls (injected at assembly): it picks the renderer for
the rows going out as one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.i18n import _
from core.messages import Answer, Button
from db.coverage import Unreminded
from db.digest import Digest, agency_due_soon, weekly_digest
from db.models import (
    Agency,
    AgencyRole,
    Contact,
    Reminder,
    ReminderKind,
    Task,
    TaskAgency,
    TaskStatus,
)
from handlers.render import (
    bucket_label,
    deadline_line,
    format_day,
    render_reminder,
    render_task_line,
    status_button,
    status_label,
)
from schedules.dispatch import Claimed as ClaimedRow
from schedules.dispatch import Delivery
from schedules.ledger import Claimed, group_for_sending

# Callback data: "sz:<reminder id>:<working days>" plans one more reminder.
SNOOZE_BUTTON_PREFIX = "sz"
SNOOZE_CHOICES = (1, 3)
# Callback data: "tk:<task id>" shows one task of a grouped reminder with its own buttons.
TASK_BUTTON_PREFIX = "tk"


def render_claimed(
    session: Session,
    claimed: Sequence[ClaimedRow],
    *,
    now: datetime,
    zone: ZoneInfo,
    group_above: int = 3,
) -> list[Delivery]:
    """The dispatch loop's render seam for the rows one pass claimed: their ledger rows, tasks
    and contacts are read in one query each, then `render_batch` groups and composes them."""
    ids = [row.reminder_id for row in claimed]
    reminders = {r.id: r for r in session.exec(select(Reminder).where(col(Reminder.id).in_(ids)))}
    task_ids = {row.task_id for row in claimed if row.task_id is not None}
    tasks = {t.id: t for t in session.exec(select(Task).where(col(Task.id).in_(task_ids)))}
    contact_ids = {row.contact_id for row in claimed}
    contacts = {
        c.id: c for c in session.exec(select(Contact).where(col(Contact.id).in_(contact_ids)))
    }
    items = []
    for row in claimed:
        reminder = reminders.get(row.reminder_id)
        if reminder is None or row.contact_id not in contacts:
            continue
        reminder.late = row.late  # decided by the claim (the heartbeat), shown by the text
        items.append(Claimed(reminder, tasks.get(row.task_id), contacts[row.contact_id]))
    # The claim chose each row's chat (a linked one when the usual chat cannot take it).
    routes = {row.reminder_id: (row.channel, row.chat_id) for row in claimed}
    return render_batch(session, items, now=now, zone=zone, group_above=group_above, routes=routes)


def render_batch(
    session: Session,
    claimed: list[Claimed],
    *,
    now: datetime,
    zone: ZoneInfo,
    group_above: int = 3,
    routes: dict[int, tuple[str, str]] | None = None,
) -> list[Delivery]:
    """The dispatch loop's render seam: one message per row, or one per person and moment
    when more than `group_above` rows fall due together; rows worth nothing are left out.

    `routes` gives the (channel, chat id) the claim chose per row; by default the contact's."""
    deliveries = []
    for group in group_for_sending(claimed, group_above):
        late = any(item.reminder.late for item in group)
        answer = compose(session, group, late, now=now, zone=zone)
        if answer is None:
            continue
        contact = group[0].contact
        channel, chat_id = (routes or {}).get(
            group[0].reminder.id, (contact.channel, contact.chat_id)
        )
        deliveries.append(
            Delivery(
                reminder_ids=tuple(item.reminder.id for item in group),
                channel=channel,
                chat_id=chat_id,
                answer=answer,
            )
        )
    return deliveries


def compose(
    session: Session, items: list[Claimed], late: bool, *, now: datetime, zone: ZoneInfo
) -> Answer | None:
    """The message for rows going out together (one row, or a group for one person)."""
    today = now.astimezone(zone).date()
    if len(items) > 1:
        return render_group(items, today=today, late=late)
    item = items[0]
    reminder, task = item.reminder, item.task
    kind = reminder.kind
    if kind == ReminderKind.DIGEST:
        since = now - timedelta(days=7)
        return render_digest(weekly_digest(session, today=today, since=since))
    if kind == ReminderKind.WEEKLY_LIST:
        if item.contact.agency_id is None:
            return None
        tasks = agency_due_soon(session, agency_id=item.contact.agency_id, today=today)
        return render_weekly_list(tasks, today=today) if tasks else None
    if task is None:
        return None
    if kind == ReminderKind.OVERDUE:
        return render_overdue(task, today=today, late=late)
    if kind == ReminderKind.ESCALATION:
        return render_escalation(task, leads=lead_names(session, task.id), today=today)
    if kind == ReminderKind.CHECKIN:
        return render_checkin(task)
    return render_role_reminder(task, reminder, today=today, late=late)


def lead_names(session: Session, task_id: int) -> list[str]:
    """The names of a task's lead agencies."""
    return list(
        session.exec(
            select(Agency.name)
            .join(TaskAgency, col(TaskAgency.agency_id) == Agency.id)
            .where(TaskAgency.task_id == task_id, TaskAgency.role == AgencyRole.LEAD)
        )
    )


def snooze_buttons(reminder: Reminder) -> tuple[Button, ...]:
    """ "Nhắc lại sau": tomorrow, or in three days."""
    labels = {1: _("Remind me tomorrow"), 3: _("Remind me in 3 days")}
    return tuple(
        Button(label=labels[days], data=f"{SNOOZE_BUTTON_PREFIX}:{reminder.id}:{days}")
        for days in SNOOZE_CHOICES
    )


def render_role_reminder(task: Task, reminder: Reminder, *, today: date, late: bool) -> Answer:
    """A countdown reminder; coordinating and executing agencies are told their part."""
    # Only the lead reports progress: other agencies' officers get no status buttons they
    # could not use.
    supporting = reminder.role in (AgencyRole.COORDINATOR, AgencyRole.EXECUTOR)
    answer = render_reminder(task, reminder, today=today, late=late, reporting=not supporting)
    text = answer.text
    if supporting:
        part = (
            _("Your agency coordinates on this task; the lead agency reports its progress.")
            if reminder.role == AgencyRole.COORDINATOR
            else _("Your agency carries out this task.")
        )
        heading, _newline, rest = text.partition("\n")
        text = f"{heading}\n{part}\n{rest}"
    buttons = answer.buttons
    if reminder.cycle > today:  # on the deadline's day there is no "later" left
        buttons = buttons + snooze_buttons(reminder)
    return Answer(text=text, buttons=buttons)


def _days_overdue(task: Task, today: date) -> int:
    return (today - task.due_date).days if task.due_date else 0


def render_overdue(task: Task, *, today: date, late: bool) -> Answer:
    """The notice to the lead officers after the deadline, with how many days overdue."""
    lines = [
        _("⏰ Overdue by {days} days: the deadline was {day}.").format(
            days=_days_overdue(task, today), day=format_day(task.due_date)
        ),
        _("Task {ref}: {content}").format(ref=task.ref, content=task.content),
    ]
    if late:
        lines[0] += " " + _("(sent late: the service was interrupted)")
    if task.status != TaskStatus.NOT_STARTED:
        lines.append(_("Reported status: {status}").format(status=status_label(task.status)))
    lines.append("")
    lines.append(
        _('Please report: reply "xong" when done, or "xin gia hạn đến 15/3" to ask for more time.')
    )
    buttons = (
        status_button(task.id, TaskStatus.DONE, _("Done")),
        status_button(task.id, TaskStatus.IN_PROGRESS, _("In progress")),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def render_escalation(task: Task, *, leads: list[str], today: date) -> Answer:
    """The coordinator's one message when a task first goes overdue."""
    lines = [
        _("⚠️ Task {ref} is overdue (deadline {day}).").format(
            ref=task.ref, day=format_day(task.due_date)
        ),
        task.content,
        _("Lead: {agencies}").format(agencies="; ".join(leads) or "—"),
        _("Reported status: {status}").format(status=status_label(task.status)),
        _("The lead officers are reminded; the weekly digest keeps counting it."),
    ]
    return Answer(text="\n".join(lines))


def render_checkin(task: Task) -> Answer:
    """The periodic question to a standing duty's lead officers, with the usual answers."""
    lines = [
        _("📋 Progress check-in for a standing duty"),
        _("Task {ref}: {content}").format(ref=task.ref, content=task.content),
    ]
    if task.status_note:
        lines.append(_("Last update: {note}").format(note=task.status_note))
    lines.append("")
    lines.append(_("How is it going? Reply to this message with a short update, or choose:"))
    buttons = (
        status_button(task.id, TaskStatus.IN_PROGRESS, _("On track")),
        status_button(task.id, TaskStatus.BLOCKED, _("Facing difficulties")),
        status_button(task.id, TaskStatus.NOT_STARTED, _("Not started yet")),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def render_group(items: list[Claimed], *, today: date, late: bool) -> Answer:
    """Several tasks due for one person at one moment: one message, a button per task."""
    lines = [_("🔔 {count} tasks need your attention:").format(count=len(items))]
    if late:
        lines[0] += " " + _("(sent late: the service was interrupted)")
    buttons: list[Button] = []
    for number, item in enumerate(items, 1):
        task = item.task
        if task is None:
            continue
        lines.append(f"{number}. {render_task_line(task)}{_group_tag(item, today)}")
        buttons.append(
            Button(
                label=_("Task {ref}").format(ref=task.ref),
                data=f"{TASK_BUTTON_PREFIX}:{task.id}",
            )
        )
    lines.append("")
    lines.append(
        _('Choose a task to answer it, or write its number and status, e.g. "{ref} xong".').format(
            ref=items[0].task.ref if items[0].task else "1"
        )
    )
    return Answer(text="\n".join(lines), buttons=tuple(buttons))


def _group_tag(item: Claimed, today: date) -> str:
    kind, task = item.reminder.kind, item.task
    if kind in (ReminderKind.OVERDUE, ReminderKind.ESCALATION):
        return " — " + _("overdue by {days} days").format(days=_days_overdue(task, today))
    if kind == ReminderKind.CHECKIN:
        return " — " + _("progress check-in")
    return ""


def render_task_card(task: Task, *, today: date) -> Answer:
    """One task of a grouped reminder, with its own answer buttons."""
    lines = [
        _("Task {ref}: {content}").format(ref=task.ref, content=task.content),
        deadline_line(task),
        _("Reported status: {status}").format(status=status_label(task.status)),
    ]
    buttons = (
        status_button(task.id, TaskStatus.DONE, _("Done")),
        status_button(task.id, TaskStatus.IN_PROGRESS, _("In progress")),
        status_button(task.id, TaskStatus.BLOCKED, _("Facing difficulties")),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def render_digest(digest: Digest) -> Answer:
    """The coordinators' Monday message."""
    lines = [_("📊 Weekly digest, {day}").format(day=format_day(digest.today))]
    lines.append(_("Total: {count} tasks").format(count=digest.summary.total))
    for bucket, count in digest.summary.counts.items():
        lines.append(f"• {bucket_label(bucket)}: {count}")
    lines.append("")
    lines.append(_("This week:"))
    lines.append(
        _(
            "• done: {done}; newly overdue: {overdue}; extension requests: {extensions}; "
            "blocked: {blocked}"
        ).format(
            done=digest.changes.get(TaskStatus.DONE, 0)
            + digest.changes.get(TaskStatus.AWAITING_CONFIRMATION, 0),
            overdue=digest.newly_overdue,
            extensions=digest.changes.get(TaskStatus.EXTENSION_REQUESTED, 0),
            blocked=digest.changes.get(TaskStatus.BLOCKED, 0),
        )
    )
    if digest.most_overdue:
        lines.append("")
        lines.append(_("Most overdue:"))
        for task in digest.most_overdue:
            days = (digest.today - task.due_date).days
            lines.append(
                "• "
                + _("{ref} ({days} days): {content}").format(
                    ref=task.ref, days=days, content=_short(task.content)
                )
            )
    lines.append("")
    lines.append(_("Due in the next two weeks: {count}").format(count=digest.due_soon_total))
    for task in digest.due_soon:
        lines.append(f"• {render_task_line(task)}")
    if digest.undetermined_total:
        lines.append("")
        lines.append(
            _("No set deadline ({count}): set one with /dathan REF DD/MM/YYYY").format(
                count=digest.undetermined_total
            )
        )
        for task in digest.undetermined:
            lines.append(f"• {task.ref}. {_short(task.content)}")
    lines += unreminded_lines(digest.unreminded)
    if digest.unreachable_total:
        lines.append("")
        lines.append(
            _(
                "Reachable on no channel ({count}): they blocked the bot; ask them to write to it again"
            ).format(count=digest.unreachable_total)
        )
        lines += [f"• {contact.display_name or contact.chat_id}" for contact in digest.unreachable]
    return Answer(text="\n".join(lines))


def unreminded_lines(unreminded: Unreminded) -> list[str]:
    """The "nobody hears of these" warning, shared by import summaries and the digest."""
    if not unreminded:
        return []
    lines = [""]
    if unreminded.agencies:
        lines.append(_("⚠️ Lead agencies with no subscribed officer (nobody is reminded):"))
        lines += [
            "• " + _("{agency}: {count} open tasks").format(agency=name, count=count)
            for name, count in unreminded.agencies[:15]
        ]
    if unreminded.task_refs:
        lines.append(
            _("Tasks no lead officer will hear of: {refs}").format(
                refs=", ".join(unreminded.task_refs[:30])
            )
        )
    return lines


def render_weekly_list(tasks: list[Task], *, today: date) -> Answer:
    """An officer's short Monday list of the agency's tasks due in the next two weeks."""
    lines = [_("📅 Your agency's tasks due in the next two weeks:")]
    lines += [f"• {render_task_line(task)}" for task in tasks]
    return Answer(text="\n".join(lines))


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "…"


def render_duty_updates(tasks: list[Task]) -> str:
    """Standing duties' latest progress, appended to /tiendo (empty when there is none)."""
    if not tasks:
        return ""
    lines = ["", _("Standing duties, latest progress:")]
    for task in tasks:
        update = task.status_note or status_label(task.status)
        lines.append("• " + _("{ref}: {update}").format(ref=task.ref, update=_short(update, 120)))
    return "\n".join(lines)
