"""/lienket: one person, several chats (Telegram and Zalo), and the one reminders go to first."""

from __future__ import annotations

from core.errors import UserError
from core.i18n import _
from core.messages import Answer
from core.text import fold
from db.links import (
    LINK_CODE_LIFETIME,
    chats_of_contacts,
    create_link_code,
    prefer_chat,
    redeem_link_code,
)
from handlers.context import Request

# "/lienket uutien" (or "chinh"): reminders come to this chat first.
PREFER_WORDS = frozenset({"uutien", "chinh", "prefer"})
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "console"}


def link(request: Request) -> list[Answer]:
    """/lienket: a code for the other chat; /lienket CODE: link this chat; /lienket uutien."""
    incoming, contact = request.incoming, request.contact
    argument = incoming.arguments
    if argument and fold(argument).replace(" ", "") in PREFER_WORDS:
        if contact is None:
            raise UserError(_("This chat is not linked to anyone yet."))
        prefer_chat(
            request.session, contact=contact, channel=incoming.channel, chat_id=incoming.chat_id
        )
        return [
            Answer(
                text=_("Reminders will come to this chat ({channel}) first.").format(
                    channel=CHANNEL_NAMES.get(incoming.channel, incoming.channel)
                )
            )
        ]
    if argument:
        if contact is not None:
            raise UserError(
                _("This chat is already registered; send the code from your other chat.")
            )
        linked = redeem_link_code(
            request.session,
            code=argument,
            channel=incoming.channel,
            chat_id=incoming.chat_id,
            now=request.now(),
        )
        return [
            Answer(
                text=_(
                    "This chat is now linked to {name}. Reminders still go to your first chat; "
                    "send /lienket uutien here to receive them here instead. If one chat cannot "
                    "be reached, reminders come to the other."
                ).format(name=linked.display_name or linked.chat_id)
            )
        ]
    if contact is None:
        raise UserError(
            _("Send /lienket in the chat you already use to get a code, then send it here.")
        )
    code = create_link_code(request.session, contact=contact, now=request.now())
    chats = chats_of_contacts(request.session, [contact.id])[contact.id]
    lines = [
        _(
            "To receive reminders on your other messenger too, send this from it within "
            "{minutes} minutes:"
        ).format(minutes=int(LINK_CODE_LIFETIME.total_seconds() // 60)),
        f"/lienket {code.code}",
    ]
    if len(chats) > 1:
        lines.append(
            _("Linked now: {channels}.").format(
                channels=", ".join(CHANNEL_NAMES.get(chat.channel, chat.channel) for chat in chats)
            )
        )
    return [Answer(text="\n".join(lines))]
