"""What every channel offers the service: start, stop, and send an answer to a chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from core.messages import Answer, Incoming

IncomingHandler = Callable[[Incoming], Awaitable[list[Answer]]]


class Channel(Protocol):
    """A chat network (Telegram, Zalo) or the console."""

    name: str

    async def start(self, on_incoming: IncomingHandler) -> None:
        """Begin receiving messages; each goes to `on_incoming`, its answers back to the chat."""

    async def send(self, chat_id: str, answer: Answer) -> str:
        """Send a message and return its id; raise schedules.dispatch delivery errors."""

    async def stop(self) -> None:
        """Stop receiving and release connections."""
