"""What the text-only channels (Zalo, the console) share: the database behind their chats.

A thin async face over handlers.text_chats and db.text_chats: each call is one transaction run
in a worker thread, so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from core.messages import Answer, Incoming
from db.engine import session_scope
from db.text_chats import first_sighting, forget_old_events
from handlers.text_chats import numbered_text, read_text_message


class TextChats:
    """Numbered choices, default tasks and duplicate events for chats without buttons."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    async def first_sighting(self, channel: str, event_id: str) -> bool:
        """Whether this event is new (False: a duplicate delivery, to be ignored)."""

        def run() -> bool:
            with session_scope(self.engine) as session:
                return first_sighting(session, channel=channel, event_id=event_id, now=self.clock())

        return await asyncio.to_thread(run)

    async def forget_old_events(self) -> None:
        """Drop event ids older than a day."""

        def run() -> None:
            with session_scope(self.engine) as session:
                forget_old_events(session, now=self.clock())

        await asyncio.to_thread(run)

    async def read(self, incoming: Incoming) -> Incoming:
        """A bare number becomes the button it names; a reply gets its default task."""

        def run() -> Incoming:
            with session_scope(self.engine) as session:
                return read_text_message(session, incoming, now=self.clock())

        return await asyncio.to_thread(run)

    async def render(self, channel: str, chat_id: str, answer: Answer) -> str:
        """The text to show: buttons become numbered lines, remembered for the chat."""
        if not answer.buttons:
            return answer.text

        def run() -> str:
            with session_scope(self.engine) as session:
                return numbered_text(
                    session, channel=channel, chat_id=chat_id, answer=answer, now=self.clock()
                )

        return await asyncio.to_thread(run)
