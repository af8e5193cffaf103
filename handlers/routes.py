"""The routing table: every command and button the bot understands, and who may use it.

`/help` and the chat apps' command menus are generated from this table, so a command is
declared once: its name, aliases, the roles that may use it, its one-line help and its handler.
Button data is "<prefix>:<field>:…"; each prefix is declared here with the roles that may press
it, because button data comes back from the client and can be forged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.i18n import N_, _
from core.messages import Answer
from db.models import ContactRole
from handlers import followup, links, notices, people, plan_upload, reports, review, status
from handlers.context import Request
from handlers.reports import DRILL_BUTTON_PREFIX
from handlers.review_text import REVIEW_BUTTON_PREFIX

# Not a ContactRole: a chat with no contact, which may only join or ask for help.
STRANGER = "stranger"
EVERYONE = frozenset({ContactRole.OFFICER, ContactRole.COORDINATOR, ContactRole.ADMIN})
COORDINATORS = frozenset({ContactRole.COORDINATOR, ContactRole.ADMIN})


@dataclass(frozen=True)
class Command:
    """A slash command: `/name` or any alias runs `run` for the roles allowed."""

    name: str
    aliases: tuple[str, ...]
    roles: frozenset[str]
    help: str  # English msgid of the one-line help; translated when shown
    run: Callable[[Request], list[Answer]]
    usage: str = ""  # arguments shown after the name in /help ("KẾ_HOẠCH")
    # Roles that see it in /help and the menu, when not all who may use it (None: all).
    listed_for: frozenset[str] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every alias, as typed after the slash."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ButtonAction:
    """What pressing a button whose data starts with `prefix:` does, for the roles allowed."""

    prefix: str
    roles: frozenset[str]
    run: Callable[[Request, list[str]], list[Answer]]


def _help(request: Request) -> list[Answer]:
    role = request.contact.role if request.contact else STRANGER
    return [Answer(text=help_text(role))]


# Commands in the order /help lists them. Help lines are marked with N_ and translated when
# shown, so a table built at import time still follows the catalog.
COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        (),
        EVERYONE | {STRANGER},
        N_("join with an invite code"),
        people.start,
        usage="MÃ",
        listed_for=frozenset({STRANGER}),  # a registered chat has joined already
    ),
    Command("nhiemvu", ("tasks",), EVERYONE, N_("your agency's open tasks"), status.task_list),
    Command(
        "tiendo",
        ("progress",),
        EVERYONE,
        N_("progress summary"),
        reports.progress,
        usage="[KẾ_HOẠCH]",
    ),
    Command("quahan", ("overdue",), COORDINATORS, N_("overdue tasks"), reports.overdue),
    Command(
        "choduyet",
        ("pending",),
        COORDINATORS,
        N_("completions and extensions waiting for you"),
        reports.waiting,
    ),
    Command(
        "baocao",
        ("report",),
        COORDINATORS,
        N_("the progress report as an Excel file and a chart"),
        reports.report,
        usage="[KẾ_HOẠCH]",
    ),
    Command(
        "canbo",
        ("contacts",),
        COORDINATORS,
        N_("contacts of your plans' agencies, with their last activity"),
        people.contacts,
        usage="[CƠ_QUAN]",
    ),
    Command(
        "giaoviec",
        ("assign",),
        COORDINATORS,
        N_("assign a task led by a generic group to real agencies"),
        people.assign,
        usage="[REF CƠ_QUAN]",
    ),
    Command(
        "lichsu", ("history",), EVERYONE, N_("every change of a task"), reports.history, usage="REF"
    ),
    Command(
        "dathan",
        ("sethan",),
        COORDINATORS,
        N_("set the date of a task without a deadline"),
        followup.set_deadline_command,
        usage="SỐ NN/TT/NNNN",
    ),
    Command(
        "lienket",
        ("link",),
        EVERYONE | {STRANGER},
        N_("link your Zalo and Telegram chats, choose where reminders go"),
        links.link,
        listed_for=EVERYONE,
    ),
    Command("help", ("trogiup", "huongdan"), EVERYONE | {STRANGER}, N_("what you can do"), _help),
)

BUTTONS: tuple[ButtonAction, ...] = (
    ButtonAction("st", EVERYONE, status.status_button_pressed),
    ButtonAction(status.REPORT_BUTTON_PREFIX, EVERYONE, status.report_task_chosen),
    ButtonAction(plan_upload.IMPORT_BUTTON_PREFIX, COORDINATORS, plan_upload.import_button_pressed),
    ButtonAction(REVIEW_BUTTON_PREFIX, COORDINATORS, review.review_button_pressed),
    ButtonAction(DRILL_BUTTON_PREFIX, EVERYONE, reports.drill_button_pressed),
    ButtonAction(people.CONTACT_BUTTON_PREFIX, COORDINATORS, people.contact_button_pressed),
    ButtonAction(notices.SNOOZE_BUTTON_PREFIX, EVERYONE, followup.snooze_pressed),
    ButtonAction(notices.TASK_BUTTON_PREFIX, EVERYONE, followup.task_card_pressed),
    ButtonAction(followup.DEADLINE_BUTTON_PREFIX, COORDINATORS, followup.set_deadline_pressed),
)

# What a message that is no command and no button does: a file is a plan to import, text a
# status reply. Listed in /help as plain lines, after the commands.
TEXT_HELP: tuple[tuple[frozenset[str], str], ...] = (
    (
        EVERYONE,
        N_('• Reply to a reminder: "xong", "đang làm 60%", "vướng mắc: …", "xin gia hạn đến 15/3"'),
    ),
    (EVERYONE, N_('• Or name the task: "2 xong", "II.3 đang làm 50%"')),
    (COORDINATORS, N_("• Send a plan file (.docx, .xlsx, .pdf, .txt) to import its tasks")),
)


def find_command(name: str) -> Command | None:
    """The command typed as `/name` (a name or an alias), or None."""
    return _BY_NAME.get(name.lower())


def find_button(data: str) -> tuple[ButtonAction | None, list[str]]:
    """The action for button data and the fields after its prefix."""
    prefix, *fields = data.split(":")
    return _BY_PREFIX.get(prefix), fields


def commands_for(role: str) -> list[Command]:
    """The commands a role may use and is shown, in help order."""
    return [
        command
        for command in COMMANDS
        if role in command.roles and role in (command.listed_for or command.roles)
    ]


def help_text(role: str) -> str:
    """/help for a role: exactly the commands the table grants it, then how to reply."""
    lines = [_("What you can do:")]
    for command in commands_for(role):
        usage = f" {command.usage}" if command.usage else ""
        lines.append(f"• /{command.name}{usage} — {_(command.help)}")
    lines += [_(text) for roles, text in TEXT_HELP if role in roles]
    return "\n".join(lines)


def menu(role: str) -> list[tuple[str, str]]:
    """The command menu a chat app shows a role: (command, Vietnamese description) pairs."""
    return [(command.name, _(command.help)) for command in commands_for(role)]


_BY_NAME = {name: command for command in COMMANDS for name in command.names}
_BY_PREFIX = {action.prefix: action for action in BUTTONS}
assert len(_BY_NAME) == sum(len(command.names) for command in COMMANDS), "a name is declared twice"
assert len(_BY_PREFIX) == len(BUTTONS), "a button prefix is declared twice"
