"""The console channel: a person at the terminal plays a demo officer and a demo coordinator.

Buttons are shown as numbered choices and a bare number picks one, exactly as on Zalo (the
same bot.channels.text mechanism, kept in the database); a status reply without a task ref is
about the chat's latest reminder. Messages carry their id ("#3"), and "#3 xong" replies to
message 3, as a reply does in a chat app.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.channels.base import IncomingHandler
from bot.channels.text import TextChats
from core.i18n import _
from core.messages import Answer, FileUpload, Incoming

_REPLY_TO = re.compile(r"^#(\d+)\s+(.*)$", re.DOTALL)
_SWITCH_ROLE = re.compile(r"^/vai\s+(\S+)$", re.IGNORECASE)
_SEND_FILE = re.compile(r"^/tep\s+(.+)$", re.IGNORECASE)


class ConsoleChannel:
    """Reads lines from stdin, prints answers and reminders to stdout."""

    name = "console"

    def __init__(
        self,
        *,
        personas: dict[str, tuple[str, str]],
        current: str,
        input_stream: TextIO | None = None,
        output: TextIO | None = None,
        on_eof: Callable[[], None] | None = None,
        first_message_id: int = 1,
        files_dir: Path | None = None,
        text_chats: TextChats | None = None,
    ) -> None:
        # personas: role keyword ("canbo", "daumoi") -> (chat id, display name)
        self.personas = personas
        self.current = current
        self.input = input_stream or sys.stdin
        self.output = output or sys.stdout
        self.on_eof = on_eof
        # Numbers stored for earlier runs' reminders stay taken: "#3 xong" must mean this "#3".
        self._ids = itertools.count(first_message_id)
        self.text_chats = text_chats
        self._reader: asyncio.Task | None = None
        # Where files the bot sends (a review workbook) are written for the person to open.
        self.files_dir = files_dir or Path.cwd()

    async def start(self, on_incoming: IncomingHandler) -> None:
        """Print the banner and start reading lines."""
        self._print(self._banner())
        self._reader = asyncio.create_task(self._read_loop(on_incoming))

    async def stop(self) -> None:
        """Stop reading."""
        if self._reader is not None:
            self._reader.cancel()

    async def send(self, chat_id: str, answer: Answer) -> str:
        """Print a message addressed to one of the personas."""
        message_id = str(next(self._ids))
        name = next(
            (persona[1] for persona in self.personas.values() if persona[0] == chat_id), chat_id
        )
        text = await self._render(chat_id, answer)
        self._print(f"\n── #{message_id} → {name} ──\n{text}")
        if answer.attachment is not None:
            saved = self._save(answer.attachment)
            self._print(_("File saved: {path} (send it back with /tep {path})").format(path=saved))
        return message_id

    def _save(self, attachment: FileUpload) -> Path:
        """Write a file the bot sends into the working folder, never over an existing file."""
        name = Path(attachment.filename).name or "tep"
        path = self.files_dir / name
        for number in itertools.count(2):
            if not path.exists():
                break
            path = self.files_dir / f"{Path(name).stem}-{number}{Path(name).suffix}"
        path.write_bytes(attachment.data)
        return path

    def _banner(self) -> str:
        return "\n".join(
            [
                _(
                    "nhacviec console demo (no TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN set); it answers as Zalo does."
                ),
                _("You are talking as: {name}.").format(name=self.personas[self.current][1]),
                _("Try /tiendo, /nhiemvu, or reply to a reminder with: #<number> xong"),
                _(
                    "Type a button's number to press it; /vai canbo or /vai daumoi switches roles; Ctrl-D quits."
                ),
                _("As the coordinator, /tep PATH sends a plan file to import."),
            ]
        )

    async def _render(self, chat_id: str, answer: Answer) -> str:
        if self.text_chats is not None:
            return await self.text_chats.render(self.name, chat_id, answer)
        labels = "\n".join(f"- {button.label}" for button in answer.buttons)
        return f"{answer.text}\n{labels}" if labels else answer.text

    def _print(self, text: str) -> None:
        print(text, file=self.output, flush=True)

    async def _read_loop(self, on_incoming: IncomingHandler) -> None:
        while True:
            line = await asyncio.to_thread(self.input.readline)
            if not line:
                if self.on_eof:
                    self.on_eof()
                return
            line = line.strip()
            if not line:
                continue
            switch = _SWITCH_ROLE.match(line)
            if switch:
                self._switch(switch.group(1).lower())
                continue
            if line.lower() == "/tep":
                self._print(_("Usage: /tep PATH, e.g. /tep ~/ke-hoach.docx (as the coordinator)."))
                continue
            send_file = _SEND_FILE.match(line)
            if send_file and not _readable_file(self._file_path(send_file.group(1))):
                self._print(
                    _("File not found: {path}").format(path=self._file_path(send_file.group(1)))
                )
                continue
            incoming = self._incoming(line)
            if self.text_chats is not None:
                incoming = await self.text_chats.read(incoming)
            for answer in await on_incoming(incoming):
                await self.send(self.personas[self.current][0], answer)

    def _switch(self, role: str) -> None:
        if role not in self.personas:
            self._print(_("Unknown role. Use /vai canbo or /vai daumoi."))
            return
        self.current = role
        self._print(_("You are now talking as: {name}.").format(name=self.personas[role][1]))

    @staticmethod
    def _file_path(text: str) -> Path:
        return Path(text.strip()).expanduser()

    def _incoming(self, line: str) -> Incoming:
        chat_id, name = self.personas[self.current]
        send_file = _SEND_FILE.match(line)
        if send_file:
            path = self._file_path(send_file.group(1))
            data = path.read_bytes()
            return Incoming(
                channel=self.name,
                chat_id=chat_id,
                sender_name=name,
                upload=FileUpload(path.name, data),
            )
        reply = _REPLY_TO.match(line)
        if reply:
            return Incoming(
                channel=self.name,
                chat_id=chat_id,
                text=reply.group(2),
                sender_name=name,
                reply_to_message_id=reply.group(1),
            )
        return Incoming(channel=self.name, chat_id=chat_id, text=line, sender_name=name)


def _readable_file(path: Path) -> bool:
    # A directory or a file this user may not read is "not found" to the person typing.
    return path.is_file() and os.access(path, os.R_OK)
