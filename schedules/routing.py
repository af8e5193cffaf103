"""Which chat a reminder goes to: the person's preferred one, or once, their other one.

A small decision the delivery loop asks for each claimed reminder. The preferred chat is the
linked chat marked preferred, else the chat that redeemed the invite. The reminder goes to
another linked chat instead when the preferred one cannot take it: it refused the bot (403),
its channel is not running in this service, or sends to it have failed for longer than
`fallback_after`. A reminder is one ledger row and is sent once, so it never goes to both.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.links import ChatOfContact


@dataclass(frozen=True)
class Route:
    """Where one delivery goes; `fallback` when that is not the person's preferred chat."""

    channel: str
    chat_id: str
    fallback: bool = False
    # The preferred channel that could not be used, named in the fallback's note.
    instead_of: str | None = None


def preferred_chat(chats: Sequence[ChatOfContact]) -> ChatOfContact | None:
    """The chat reminders go to first."""
    return next((chat for chat in chats if chat.preferred), None) or next(
        (chat for chat in chats if chat.home), chats[0] if chats else None
    )


def choose_route(
    chats: Sequence[ChatOfContact],
    *,
    running: Collection[str] | None,
    failing_since: datetime | None,
    now: datetime,
    fallback_after: timedelta,
) -> Route | None:
    """The chat for this delivery, or None when no chat of the person can take it."""
    first = preferred_chat(chats)
    if first is None:
        return None

    def usable(chat: ChatOfContact) -> bool:
        return not chat.unreachable and (running is None or chat.channel in running)

    failing_too_long = failing_since is not None and now - failing_since >= fallback_after
    if usable(first) and not failing_too_long:
        return Route(first.channel, first.chat_id)
    other = next((chat for chat in chats if chat != first and usable(chat)), None)
    if other is not None:
        return Route(other.channel, other.chat_id, fallback=True, instead_of=first.channel)
    if first.unreachable:
        return None
    # No other chat: keep trying the preferred one (its channel may come back).
    return Route(first.channel, first.chat_id)
