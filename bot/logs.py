"""One log format for the process, set up once at start.

Every line: UTC time, level, worker (host:pid), logger, then what it is about when known (the
chat, hashed; the task and reminder ids), then the message:

    2026-11-25T08:00:01.250Z WARNING web-1:4242 schedules.dispatch chat=telegram:3f9a1c2b7e
    reminder=40: reminder 40 not sent: Forbidden: bot was blocked by the user

Code below bot/ knows nothing of this: it passes `extra={"chat": (channel, chat_id),
"task_id": …, "reminder_id": …}` to a log call, and the chat a use case runs for is filled in
from `chat_context`, which the service sets around each incoming message.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TextIO

# The chat the current use case answers, as (channel, chat id); never printed raw.
_current_chat: ContextVar[tuple[str, str] | None] = ContextVar("log_chat", default=None)
_key = b""

FORMAT = "%(asctime)s %(levelname)s %(worker)s %(name)s%(about)s: %(message)s"
# Libraries' bookkeeping, printed at INFO on every start or every scheduler tick: debug for an
# operator. Their warnings and errors still show.
_CHATTY_LIBRARIES = ("alembic", "apscheduler")
# Except what changes the database: a migration run is worth a line.
_WORTH_A_LINE = re.compile(r"^Running (upgrade|downgrade)\b")
# Chat ids shorter than this could match any number in a message; Telegram's are longer.
_SCRUBBED_FROM_CHARS = 5


def worker_id() -> str:
    """This process as other workers and the logs name it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def chat_tag(channel: str, chat_id: str) -> str:
    """A chat's name in the logs: channel and a keyed hash of its id (ids are small numbers,
    so an unkeyed hash could be reversed by hashing every candidate)."""
    digest = hmac.new(_key, f"{channel}:{chat_id}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}:{digest[:10]}"


@contextlib.contextmanager
def chat_context(channel: str, chat_id: str) -> Iterator[None]:
    """Lines logged inside the block (in this thread or task) name this chat."""
    token = _current_chat.set((channel, str(chat_id)))
    try:
        yield
    finally:
        _current_chat.reset(token)


def configure_logging(
    level: str = "INFO", *, key: str = "", stream: TextIO | None = None
) -> logging.Handler:
    """Send every log line through one handler in FORMAT, at `level` (a name: "DEBUG", "INFO",
    …); `key` keys the chat hashes: a secret every worker of the deployment shares, so one
    chat has one tag on all of them."""
    global _key
    _key = key.encode()
    number = logging.getLevelNamesMapping()[level.upper()]
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(_Formatter(FORMAT))
    handler.addFilter(_LineFilter(number))
    root = logging.getLogger()
    for old in [existing for existing in root.handlers if isinstance(existing, _Handler)]:
        root.removeHandler(old)  # configured again (tests do): one handler, not two
    root.addHandler(handler)
    root.setLevel(number)
    # httpx logs each request's URL at INFO, and a Bot API URL holds the token: never shown.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return handler


class _Handler(logging.StreamHandler):
    """The process's one handler (a class of its own, so a second set-up replaces it)."""


class _LineFilter(logging.Filter):
    """Demotes library chatter, keeps lines under the level out, and adds the context fields."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level
        self.worker = worker_id()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] in _CHATTY_LIBRARIES and (
            (record.levelno <= logging.INFO and not _WORTH_A_LINE.match(record.getMessage()))
            # A job cancelled because the service is stopping: no error, and no traceback.
            or (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))
        ):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        if record.levelno < self.level:
            return False
        record.worker = self.worker
        chat = getattr(record, "chat", None) or _current_chat.get()
        if chat:
            chat = (str(chat[0]), str(chat[1]))
        about = []
        if chat:
            about.append(f"chat={chat_tag(*chat)}")
        for field, label in (("task_id", "task"), ("reminder_id", "reminder")):
            value = getattr(record, field, None)
            if value is not None:
                about.append(f"{label}={value}")
        record.about = "".join(f" {item}" for item in about)
        # For the formatter: the raw id to hide should the message or a traceback quote it.
        record.chat_to_hide = (chat[1], chat_tag(*chat)) if chat else None
        return True


class _Formatter(logging.Formatter):
    """UTC ISO times; the current chat's raw id, should a message or traceback quote it, is
    replaced by its tag."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        hidden = getattr(record, "chat_to_hide", None)
        if hidden and len(hidden[0]) >= _SCRUBBED_FROM_CHARS:
            raw, tag = hidden
            line = re.sub(rf"(?<![\w-]){re.escape(raw)}(?![\w-])", tag, line)
        return line
