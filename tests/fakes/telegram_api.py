"""A fake Telegram Bot API server for end-to-end tests of the real python-telegram-bot stack.

The bot under test talks HTTP to this server exactly as it would to Telegram: point PTB at it
with ``ApplicationBuilder().token(fake.token).base_url(fake.base_url)
.base_file_url(fake.base_file_url)``. The test plays the people on the other side.

Two ways to run it:

* ``async with FakeTelegram() as fake:`` serves on the test's own event loop (pytest-asyncio);
* ``with FakeTelegram() as fake:`` (or ``fake.start_in_thread()`` / ``fake.stop_thread()``)
  serves from a background thread with its own loop, for a bot running in a subprocess or a
  synchronous test. ``python -m tests.fakes.telegram_api --port 8081``, from the repository
  root, runs it standalone for demos: stdin lines become messages from a demo user.

Thread-safety: every piece of state sits behind one lock, so the test side may be called from
any thread and any event loop.

* Sync API, callable from anywhere: ``user``, ``group``, ``messages``, ``history``,
  ``message``, ``edits``, ``callback_answers``, ``sent_log``, ``calls``, ``pending_updates``,
  ``delivered_update_ids``, ``fail_next``, ``clear_failures``, ``set_delay``,
  ``enforce_rate_limits`` (429s as Telegram's flood control answers them; every ApiCall
  records when it arrived and was answered), and on a person
  ``send_nowait``, ``press_nowait``, ``send_document_nowait``, ``block``, ``unblock``.
* Async API, awaitable on any loop (it need not be the server's): ``wait_for``,
  ``wait_for_call``, ``wait_callback_answer``; on a person ``send``, ``press``,
  ``send_document``; on a person or a group ``next_message``, ``next_edit``.
* Blocking API, for synchronous tests only, never on the server's loop: ``wait_for_sync`` and
  ``next_message_sync``.

Deliberate limits: webhooks are stored but never called; MarkdownV2 text is kept as sent (HTML
is parsed, checked and stripped like Telegram does); inline-mode messages cannot be edited.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import math
import mimetypes
import re
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar
from urllib.parse import unquote, urlsplit

from aiohttp import web

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "CallbackAnswer",
    "ChatMessage",
    "FakeTelegram",
    "Group",
    "Person",
    "UploadedFile",
]

DEFAULT_TOKEN = "123456789:AAFakeTokenForNhacviecTests0123456"

# Bot API limits the fake enforces, so a bot that breaks them fails here as it would in production.
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

# PTB sends every parameter as a form field holding a string (JSON-encoded unless it already is a
# string), so the server has to know which fields are numbers, flags or JSON objects, as Telegram
# does. A JSON request body arrives already typed.
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "from_chat_id",
        "user_id",
        "cache_time",
        "message_thread_id",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
    }
)

# Methods that put something in front of the user, hence refused when the user blocked the bot.
_OUTGOING_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendChatAction",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)

_BLOCKED = "Forbidden: bot was blocked by the user"
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)

FailureKind = Literal["retry_after", "blocked", "chat_not_found", "timeout", "server_error"]
T = TypeVar("T")


class _ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional response parameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


class _Upload(NamedTuple):
    """A file part of a multipart request, before it becomes an UploadedFile."""

    filename: str | None
    mime_type: str | None
    data: bytes


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot sent or a person uploaded, with its bytes."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str | None
    mime_type: str | None
    data: bytes


@dataclass(frozen=True)
class ChatMessage:
    """A snapshot of one message in a chat, as a person sees it."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: dict | None
    buttons: list[tuple[str, str | None]]
    reply_to_message_id: int | None
    document: UploadedFile | None
    photo: UploadedFile | None
    edited: bool
    deleted: bool
    raw: dict  # the Message object exactly as the Bot API returned it


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery to one button press."""

    query_id: str
    chat_id: int
    message_id: int
    data: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class ApiCall:
    """One HTTP call the bot made; status is None while the call is still being answered."""

    method: str
    params: dict[str, Any]
    status: int | None = None
    at: float = 0.0  # time.monotonic() when the call arrived
    answered_at: float | None = None  # time.monotonic() when it was answered

    @property
    def chat_id(self) -> Any:
        """The call's chat_id parameter, if any."""
        return self.params.get("chat_id")


# --------------------------------------------------------------------------- internal state


@dataclass
class _Stored:
    chat: dict
    message_id: int
    from_bot: bool
    sender: dict
    date: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    entities: list[dict] | None = None
    reply_markup: dict | None = None
    reply_to: _Stored | None = None
    document: UploadedFile | None = None
    photo: UploadedFile | None = None
    edit_date: int | None = None
    deleted: bool = False

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Message object Telegram would return for this message."""
        msg: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if self.text is not None:
            msg["text"] = self.text
        if self.entities:
            msg["entities"] = self.entities
        if self.caption is not None:
            msg["caption"] = self.caption
        if self.document is not None:
            msg["document"] = _document_json(self.document)
        if self.photo is not None:
            msg["photo"] = [_photo_json(self.photo)]
        # Telegram attaches only inline keyboards to a message; reply keyboards live on the client.
        if (inline := _inline(self.reply_markup)) is not None:
            msg["reply_markup"] = inline
        # Telegram nests one level of replied-to message, never more.
        if with_reply and self.reply_to is not None:
            msg["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        return msg

    def snapshot(self) -> ChatMessage:
        """An immutable copy for the test side."""
        return ChatMessage(
            chat_id=self.chat["id"],
            message_id=self.message_id,
            from_bot=self.from_bot,
            text=self.text,
            caption=self.caption,
            parse_mode=self.parse_mode,
            reply_markup=self.reply_markup,
            buttons=_buttons(self.reply_markup),
            reply_to_message_id=self.reply_to.message_id if self.reply_to else None,
            document=self.document,
            photo=self.photo,
            edited=self.edit_date is not None,
            deleted=self.deleted,
            raw=self.to_api(),
        )


@dataclass
class _Chat:
    info: dict
    blocked: bool = False
    messages: dict[int, _Stored] = field(default_factory=dict)
    next_message_id: int = 1
    bot_messages: list[int] = field(default_factory=list)
    read_cursor: int = 0
    edits: list[ChatMessage] = field(default_factory=list)
    edit_cursor: int = 0


@dataclass
class _Query:
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class _Failure:
    methods: frozenset[str]
    chat_id: int | str | None
    kind: FailureKind
    remaining: int | None
    retry_after: int

    def error(self) -> _ApiError:
        if self.kind == "retry_after":
            return _ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        if self.kind == "blocked":
            return _ApiError(403, _BLOCKED)
        if self.kind == "chat_not_found":
            return _ApiError(400, "Bad Request: chat not found")
        if self.kind == "timeout":
            return _ApiError(504, "Gateway Timeout")
        return _ApiError(500, "Internal Server Error")


# Methods that put a message in a chat, hence count toward Telegram's message limits.
_PACED_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


@dataclass
class _RateLimits:
    """Telegram's flood control: overall, per private chat, per group; 429 until retry_after."""

    per_second: int
    per_chat_interval: float
    group_per_minute: int
    accepted: list[float] = field(default_factory=list)
    chat_last: dict[Any, float] = field(default_factory=dict)
    group_times: dict[Any, list[float]] = field(default_factory=dict)
    flood_until: float = 0.0
    chat_flood_until: dict[Any, float] = field(default_factory=dict)

    def check(self, chat_id: Any, now: float) -> None:
        """Count a message, or raise the 429 Telegram would answer."""
        waits = [self.flood_until - now, self.chat_flood_until.get(chat_id, 0.0) - now]
        if max(waits) > 0:
            raise self._too_many(max(waits))
        self.accepted = [t for t in self.accepted if t > now - 1.0]
        if len(self.accepted) >= self.per_second:
            wait = self.accepted[0] + 1.0 - now
            self.flood_until = now + math.ceil(wait)
            raise self._too_many(wait)
        is_group = isinstance(chat_id, int) and chat_id < 0
        if is_group:
            times = [t for t in self.group_times.get(chat_id, []) if t > now - 60.0]
            self.group_times[chat_id] = times
            if len(times) >= self.group_per_minute:
                wait = times[0] + 60.0 - now
                self.chat_flood_until[chat_id] = now + math.ceil(wait)
                raise self._too_many(wait)
        else:
            last = self.chat_last.get(chat_id)
            if last is not None and now - last < self.per_chat_interval:
                wait = last + self.per_chat_interval - now
                self.chat_flood_until[chat_id] = now + math.ceil(wait)
                raise self._too_many(wait)
        self.accepted.append(now)
        self.chat_last[chat_id] = now
        if is_group:
            self.group_times[chat_id].append(now)

    @staticmethod
    def _too_many(wait: float) -> _ApiError:
        seconds = max(1, math.ceil(wait))
        return _ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


class _Signal:
    """Wakes waiters in any thread or event loop whenever the fake's state changes."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._condition = threading.Condition(lock)
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = []

    def notify(self) -> None:
        """Wake everybody; called with the lock held."""
        self._condition.notify_all()
        waiters, self._async_waiters = self._async_waiters, []
        for loop, future in waiters:
            # A waiter whose loop has closed is gone anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, future)

    async def wait_for(self, predicate: Callable[[], T], timeout: float) -> T:
        """Await until predicate() is truthy (checked under the lock) and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                result = predicate()
                if result:
                    return result
                future = loop.create_future()
                self._async_waiters.append((loop, future))
            try:
                await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
            except TimeoutError:
                with self._lock:
                    with contextlib.suppress(ValueError):
                        self._async_waiters.remove((loop, future))
                    # One last look, so a change racing the deadline is not lost.
                    result = predicate()
                if result:
                    return result
                raise

    def wait_sync(self, predicate: Callable[[], T], timeout: float) -> T:
        """Block until predicate() is truthy and return it; TimeoutError otherwise."""
        with self._condition:
            result = self._condition.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError
        return result


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


# --------------------------------------------------------------------------- helpers


def _utf16_len(text: str) -> int:
    # Telegram measures text and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _inline(markup: dict | None) -> dict | None:
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return markup
    return None


def _buttons(markup: dict | None) -> list[tuple[str, str | None]]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    buttons = []
    for row in rows:
        for button in row:
            if isinstance(button, str):
                buttons.append((button, None))
            else:
                buttons.append((button.get("text", ""), button.get("callback_data")))
    return buttons


def _document_json(file: UploadedFile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.data),
    }
    if file.filename:
        doc["file_name"] = file.filename
    if file.mime_type:
        doc["mime_type"] = file.mime_type
    return doc


def _photo_json(file: UploadedFile) -> dict[str, Any]:
    width = height = 0
    # Real sizes only matter for PNG in our tests; other formats report 0x0.
    if file.data[:8] == b"\x89PNG\r\n\x1a\n" and len(file.data) >= 24:
        width = int.from_bytes(file.data[16:20], "big")
        height = int.from_bytes(file.data[20:24], "big")
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.data),
        "width": width,
        "height": height,
    }


_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d+)|#x([0-9a-fA-F]+));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _html_to_text(source: str) -> str:
    """The text a user sees for an HTML-formatted message; raises like Telegram on bad markup."""

    def offset(pos: int) -> int:
        return len(source[:pos].encode())

    out: list[str] = []
    open_tags: list[str] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            end = source.find(">", pos)
            if end == -1:
                raise _bad(
                    f"can't parse entities: Can't find end of the tag starting at byte offset "
                    f"{offset(pos)}"
                )
            body = source[pos + 1 : end]
            closing = body.startswith("/")
            name = (body[1:] if closing else body).split(" ", 1)[0].split("\n", 1)[0].lower()
            if closing:
                if not open_tags or open_tags[-1] != name:
                    expected = f'"</{open_tags[-1]}>"' if open_tags else "no end tag"
                    raise _bad(
                        f"can't parse entities: Unmatched end tag at byte offset {offset(pos)}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                open_tags.pop()
            else:
                if name not in _HTML_TAGS:
                    raise _bad(
                        f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                        f"{offset(pos)}"
                    )
                open_tags.append(name)
            pos = end + 1
        elif char == "&" and (match := _HTML_ENTITY.match(source, pos)):
            named, decimal, hexadecimal = match.groups()
            if named:
                out.append(_NAMED_ENTITIES[named])
            else:
                out.append(chr(int(decimal) if decimal else int(hexadecimal, 16)))
            pos = match.end()
        else:
            # Telegram leaves an ampersand that starts no known entity as it is.
            out.append(char)
            pos += 1
    if open_tags:
        raise _bad(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{open_tags[-1]}\""
        )
    return "".join(out)


def _visible(text: str, parse_mode: Any) -> str:
    if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
        return _html_to_text(text)
    return text


_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def _command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities as Telegram's clients mark them, so PTB's CommandHandler matches."""
    return [
        {
            "type": "bot_command",
            "offset": _utf16_len(text[: match.start()]),
            "length": _utf16_len(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]


def _coerce(key: str, value: Any) -> Any:
    if key in _JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {key} JSON object") from None
    if key in _INT_FIELDS and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername" is a valid chat_id
    if key in _BOOL_FIELDS and isinstance(value, str):
        return value.lower() in ("true", "1")
    return value


def _check_markup(markup: Any) -> dict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
    return markup


# --------------------------------------------------------------------------- people and groups


class _ChatHandle:
    """What a test can read from one chat: the bot's messages and edits, in order."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        self._fake = fake
        self.chat_id = chat_id

    def messages(self) -> list[ChatMessage]:
        """Every message the bot sent to this chat, in its current state."""
        return self._fake.messages(self.chat_id)

    async def next_message(self, timeout: float = 10.0) -> ChatMessage:
        """The next bot message in this chat not yet returned by next_message."""
        return await self._fake._wait_async(
            lambda: self._fake._take_message(self.chat_id),
            timeout,
            f"no new message from the bot in chat {self.chat_id}",
        )

    def next_message_sync(self, timeout: float = 10.0) -> ChatMessage:
        """Blocking twin of next_message, for synchronous tests."""
        return self._fake._wait_blocking(
            lambda: self._fake._take_message(self.chat_id),
            timeout,
            f"no new message from the bot in chat {self.chat_id}",
        )

    async def next_edit(self, timeout: float = 10.0) -> ChatMessage:
        """The next edit the bot made in this chat (the edited message after the edit)."""
        return await self._fake._wait_async(
            lambda: self._fake._take_edit(self.chat_id),
            timeout,
            f"no new edit from the bot in chat {self.chat_id}",
        )


class Group(_ChatHandle):
    """A group chat that people can write in."""

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str) -> None:
        super().__init__(fake, chat_id)
        self.title = title


class Person(_ChatHandle):
    """A simulated Telegram user with a private chat to the bot (chat id = user id)."""

    def __init__(self, fake: FakeTelegram, user: dict[str, Any]) -> None:
        super().__init__(fake, user["id"])
        self.user = user
        self.user_id: int = user["id"]

    def send_nowait(
        self, text: str, *, reply_to: ChatMessage | None = None, chat: Group | None = None
    ) -> ChatMessage:
        """Queue a text message to the bot (private chat, or `chat`) and return it."""
        return self._fake._user_message(self, chat, text=text, reply_to=reply_to)

    async def send(
        self, text: str, *, reply_to: ChatMessage | None = None, chat: Group | None = None
    ) -> ChatMessage:
        """Send a text message to the bot; commands carry a bot_command entity."""
        return self.send_nowait(text, reply_to=reply_to, chat=chat)

    def send_document_nowait(
        self,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        chat: Group | None = None,
    ) -> ChatMessage:
        """Queue a document upload to the bot and return the message."""
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        upload = _Upload(filename, mime, data)
        return self._fake._user_message(self, chat, document=upload, caption=caption)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        chat: Group | None = None,
    ) -> ChatMessage:
        """Send a document to the bot, which can fetch it with getFile."""
        return self.send_document_nowait(
            filename, data, caption=caption, mime_type=mime_type, chat=chat
        )

    def press_nowait(self, message: ChatMessage | int, callback_data: str) -> str:
        """Queue a press on an inline button of a bot message; returns the callback query id."""
        return self._fake._press(self, message, callback_data)

    async def press(self, message: ChatMessage | int, callback_data: str) -> str:
        """Press an inline button (by its callback_data); returns the callback query id."""
        return self.press_nowait(message, callback_data)

    def block(self) -> None:
        """Block the bot: every later send to this person answers 403 until unblock()."""
        self._fake._set_blocked(self.chat_id, True)

    def unblock(self) -> None:
        """Unblock the bot."""
        self._fake._set_blocked(self.chat_id, False)


# --------------------------------------------------------------------------- the server


class FakeTelegram:
    """A Bot API server on loopback plus the people who talk to the bot through it."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "nhacviec_test_bot",
        bot_first_name: str = "Nhắc việc (test)",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        self._lock = threading.RLock()
        self._signal = _Signal(self._lock)
        self._chats: dict[int, _Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(10_001)
        self._deliveries: list[list[int]] = []
        self._poll_generation = 0
        self._allowed_updates: list[str] | None = None
        self._webhook: dict[str, Any] = {}
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(4_000_000_000_001)
        self._answers: list[CallbackAnswer] = []
        self._files: dict[str, UploadedFile] = {}
        self._file_numbers = itertools.count(1)
        self._log: list[ApiCall] = []
        self._failures: list[_Failure] = []
        self._delays: dict[tuple[str, int | str | None], tuple[float, bool]] = {}
        self._limits: _RateLimits | None = None
        self._closing = False

        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

        self._methods: dict[str, tuple[str, Callable[[dict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": lambda _p: True,
                "close": lambda _p: True,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "sendDocument": lambda p: self._send_file(p, "document"),
                "sendPhoto": lambda p: self._send_file(p, "photo"),
                "editMessageText": lambda p: self._edit(p, "editMessageText"),
                "editMessageCaption": lambda p: self._edit(p, "editMessageCaption"),
                "editMessageReplyMarkup": lambda p: self._edit(p, "editMessageReplyMarkup"),
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder().base_url (the token is appended by PTB)."""
        return f"{self._origin()}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ApplicationBuilder().base_file_url."""
        return f"{self._origin()}/file/bot"

    def api_url(self, method: str) -> str:
        """The full URL of one Bot API method, for raw HTTP calls."""
        return f"{self.base_url}{self.token}/{method}"

    def _origin(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Serve on the running event loop."""
        app = web.Application(client_max_size=64 * 1024 * 1024)  # Telegram takes 50 MB uploads
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # A short shutdown timeout: the only slow handlers are long polls and injected delays,
        # and both wake up on stop().
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        with self._lock:
            self._closing = False
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        self._loop = asyncio.get_running_loop()
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer pending long polls and stop serving."""
        with self._lock:
            self._closing = True
            self._signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start_in_thread(self) -> str:
        """Serve from a background thread with its own event loop; returns base_url."""
        started = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # handed to the starting thread below
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-telegram", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            self._thread = None
            raise failure[0]
        return self.base_url

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop a server started with start_in_thread."""
        if self._thread is None or self._loop is None:
            return
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        self.start_in_thread()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop_thread()

    # ------------------------------------------------------------------ test side: setup

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "vi",
    ) -> Person:
        """A person with a private chat to the bot (chat id = user id)."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            user["last_name"] = chat["last_name"] = last_name
        if username:
            user["username"] = chat["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            if user_id not in self._chats:
                self._chats[user_id] = _Chat(info=chat)
        return Person(self, user)

    def group(self, chat_id: int, title: str) -> Group:
        """A group chat (Telegram group ids are negative) that people can write in."""
        with self._lock:
            if chat_id not in self._chats:
                self._chats[chat_id] = _Chat(info={"id": chat_id, "type": "group", "title": title})
        return Group(self, chat_id, title)

    def fail_next(
        self,
        kind: FailureKind,
        *,
        times: int | None = 1,
        chat_id: int | None = None,
        method: str | Iterable[str] = "sendMessage",
        retry_after: int = 1,
    ) -> None:
        """Make the next `times` calls (None: all) of `method` to `chat_id` (None: any) fail.

        kind "retry_after" answers 429 with parameters.retry_after, "blocked" answers 403
        "Forbidden: bot was blocked by the user", "chat_not_found" answers 400 "Bad Request:
        chat not found", "server_error" answers 500. "timeout" holds the call `retry_after`
        seconds (the client gives up first if that is past its read timeout), delivers nothing
        and answers 504.
        """
        methods = frozenset([method] if isinstance(method, str) else method)
        with self._lock:
            self._failures.append(_Failure(methods, chat_id, kind, times, retry_after))

    def clear_failures(self) -> None:
        """Forget every injected failure."""
        with self._lock:
            self._failures.clear()

    def set_delay(
        self,
        seconds: float,
        *,
        method: str = "sendMessage",
        chat_id: int | None = None,
        deliver_first: bool = True,
    ) -> None:
        """Hold every answer to `method` (for `chat_id`, or any) for `seconds`; 0 clears it.

        With deliver_first the message reaches the chat before the delay, so a bot killed
        mid-send has sent it without learning so, the case that makes duplicates.
        """
        with self._lock:
            if seconds > 0:
                self._delays[(method, chat_id)] = (seconds, deliver_first)
            else:
                self._delays.pop((method, chat_id), None)

    def enforce_rate_limits(
        self,
        *,
        per_second: int = 30,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
    ) -> None:
        """Answer 429 as Telegram does when the bot sends faster than its limits allow.

        At most `per_second` messages in any second over all chats, one per
        `per_chat_interval` to a private chat, `group_per_minute` a minute to a group. A 429
        carries retry_after (whole seconds); a call before that time has passed is refused
        again with what is left of it.
        """
        with self._lock:
            self._limits = _RateLimits(per_second, per_chat_interval, group_per_minute)

    # ------------------------------------------------------------------ test side: reading

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """Every message the bot sent to a chat, in order, in its current (edited) state."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return [chat.messages[mid].snapshot() for mid in chat.bot_messages]

    def history(self, chat_id: int) -> list[ChatMessage]:
        """Every message in a chat from either side, in order."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return [m.snapshot() for m in chat.messages.values()] if chat else []

    def message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        """One message in its current state, or None."""
        with self._lock:
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            return stored.snapshot() if stored else None

    def menu(self, chat_id: int | None = None) -> list[tuple[str, str]]:
        """The command menu set for one chat's own scope, or the default scope (no chat id)."""
        scope = {"type": "default"} if chat_id is None else {"type": "chat", "chat_id": chat_id}
        commands = self._get_my_commands({"scope": scope})
        return [(command["command"], command["description"]) for command in commands]

    def edits(self, chat_id: int | None = None) -> list[ChatMessage]:
        """Every edit the bot made (the message right after each edit), in order."""
        with self._lock:
            if chat_id is None:
                chats = list(self._chats.values())
            else:
                chats = [self._chats[chat_id]] if chat_id in self._chats else []
            return [edit for chat in chats for edit in chat.edits]

    def callback_answers(self, chat_id: int | None = None) -> list[CallbackAnswer]:
        """Every answerCallbackQuery the bot made, in order."""
        with self._lock:
            return [a for a in self._answers if chat_id is None or a.chat_id == chat_id]

    @property
    def sent_log(self) -> list[ApiCall]:
        """Every API call the bot made, in arrival order (getUpdates included)."""
        with self._lock:
            return list(self._log)

    def calls(self, method: str, **params: Any) -> list[ApiCall]:
        """The calls of one method whose parameters include all of `params`."""
        with self._lock:
            return [
                call
                for call in self._log
                if call.method == method and all(call.params.get(k) == v for k, v in params.items())
            ]

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet (via getUpdates offset)."""
        with self._lock:
            return [dict(u) for u in self._updates]

    def delivered_update_ids(self) -> list[int]:
        """update_ids in every getUpdates answer, in order; a repeat means a redelivery."""
        with self._lock:
            return [uid for batch in self._deliveries for uid in batch]

    # ------------------------------------------------------------------ test side: waiting

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Await until predicate() (run under the fake's lock, must be quick) is truthy."""
        return await self._wait_async(predicate, timeout, "condition not met")

    def wait_for_sync(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Blocking twin of wait_for, for synchronous tests with the server in a thread."""
        return self._wait_blocking(predicate, timeout, "condition not met")

    async def wait_for_call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 10.0
    ) -> ApiCall:
        """Await the first call of `method` whose parameters include `params` (made or coming)."""
        wanted = params or {}
        return await self._wait_async(
            lambda: next(iter(self.calls(method, **wanted)), None),
            timeout,
            f"no {method} call with {wanted}",
        )

    async def wait_callback_answer(self, query_id: str, timeout: float = 10.0) -> CallbackAnswer:
        """Await the bot's answer to one button press."""
        return await self._wait_async(
            lambda: next((a for a in self._answers if a.query_id == query_id), None),
            timeout,
            f"callback query {query_id} not answered",
        )

    async def _wait_async(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        try:
            return await self._signal.wait_for(predicate, timeout)  # type: ignore[arg-type]
        except TimeoutError:
            raise TimeoutError(self._timeout_message(what, timeout)) from None

    def _wait_blocking(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        on_server_loop = self._thread is threading.current_thread()
        with contextlib.suppress(RuntimeError):
            on_server_loop = on_server_loop or asyncio.get_running_loop() is self._loop
        if on_server_loop:
            raise RuntimeError("a blocking wait on the fake's own event loop would deadlock")
        try:
            return self._signal.wait_sync(predicate, timeout)  # type: ignore[arg-type]
        except TimeoutError:
            raise TimeoutError(self._timeout_message(what, timeout)) from None

    def _timeout_message(self, what: str, timeout: float) -> str:
        with self._lock:
            recent = [c for c in self._log if c.method != "getUpdates"][-5:]
        lines = "\n".join(f"  {c.method} {c.params} -> {c.status}" for c in recent) or "  none"
        return f"{what} within {timeout}s; the bot's last calls besides getUpdates:\n{lines}"

    def _take_message(self, chat_id: int) -> ChatMessage | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or chat.read_cursor >= len(chat.bot_messages):
                return None
            stored = chat.messages[chat.bot_messages[chat.read_cursor]]
            chat.read_cursor += 1
            return stored.snapshot()

    def _take_edit(self, chat_id: int) -> ChatMessage | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or chat.edit_cursor >= len(chat.edits):
                return None
            chat.edit_cursor += 1
            return chat.edits[chat.edit_cursor - 1]

    # ------------------------------------------------------------------ test side: acting

    def _user_message(
        self,
        person: Person,
        group: Group | None,
        *,
        text: str | None = None,
        reply_to: ChatMessage | None = None,
        document: _Upload | None = None,
        caption: str | None = None,
    ) -> ChatMessage:
        with self._lock:
            chat = self._chats[group.chat_id if group else person.chat_id]
            target = None
            if reply_to is not None:
                target = chat.messages.get(reply_to.message_id)
                if target is None or reply_to.chat_id != chat.info["id"]:
                    raise ValueError(f"message {reply_to.message_id} is not in this chat")
            stored = self._new_message(
                chat,
                from_bot=False,
                sender=person.user,
                text=text,
                entities=_command_entities(text) if text else None,
                caption=caption,
                reply_to=target,
                document=self._store_upload(document, "document") if document else None,
            )
            self._push_update("message", stored.to_api())
            return stored.snapshot()

    def _press(self, person: Person, message: ChatMessage | int, callback_data: str) -> str:
        with self._lock:
            if isinstance(message, ChatMessage):
                chat_id, message_id = message.chat_id, message.message_id
            else:
                chat_id, message_id = person.chat_id, message
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            if stored is None or stored.deleted or not stored.from_bot:
                raise ValueError(f"no bot message {message_id} in chat {chat_id} to press on")
            offered = [data for _, data in _buttons(_inline(stored.reply_markup))]
            if callback_data not in offered:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"it offers {offered}"
                )
            query_id = str(next(self._query_ids))
            self._queries[query_id] = _Query(chat_id, message_id, callback_data)
            self._push_update(
                "callback_query",
                {
                    "id": query_id,
                    "from": person.user,
                    "message": stored.to_api(),
                    # Stable per chat, as Telegram's is.
                    "chat_instance": str(abs(chat_id) * 7919 + 1_000_000_007),
                    "data": callback_data,
                },
            )
            return query_id

    def _set_blocked(self, chat_id: int, blocked: bool) -> None:
        with self._lock:
            self._chats[chat_id].blocked = blocked

    def _push_update(self, kind: str, payload: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), kind: payload})
        self._signal.notify()

    def _new_message(self, chat: _Chat, *, from_bot: bool, sender: dict, **fields: Any) -> _Stored:
        stored = _Stored(
            chat=chat.info,
            message_id=chat.next_message_id,
            from_bot=from_bot,
            sender=sender,
            date=int(time.time()),  # the Bot API speaks Unix seconds
            **fields,
        )
        # In a private chat both sides share one message_id sequence, as on Telegram.
        chat.next_message_id += 1
        chat.messages[stored.message_id] = stored
        if from_bot:
            chat.bot_messages.append(stored.message_id)
        self._signal.notify()
        return stored

    def _store_upload(self, upload: _Upload, kind: str) -> UploadedFile:
        number = next(self._file_numbers)
        extension = ""
        if upload.filename and "." in upload.filename:
            extension = "." + upload.filename.rsplit(".", 1)[1]
        file = UploadedFile(
            file_id=f"{'AgAC' if kind == 'photo' else 'BQAC'}fake{number:06d}",
            file_unique_id=f"AQADfake{number:06d}",
            file_path=f"{kind}s/file_{number}{extension}",
            filename=upload.filename,
            mime_type=upload.mime_type,
            data=upload.data,
        )
        self._files[file.file_id] = file
        return file

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        token, name = match.groups()
        if token != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").body(), status=401)
        method, handler = self._methods.get(name.lower(), (name, None))
        try:
            params = await self._read_params(request)
        except _ApiError as err:
            return web.json_response(err.body(), status=err.status)

        with self._lock:
            self._log.append(ApiCall(method, params, at=time.monotonic()))
            index = len(self._log) - 1
            self._signal.notify()
        try:
            if handler is None:
                raise _ApiError(404, "Not Found: method not found")
            failure = self._check_failure(method, params)
            if failure is not None:
                if failure.kind == "timeout":
                    await self._pause(failure.retry_after)
                raise failure.error()
            self._check_rate(method, params)
            delay, deliver_first = self._delay_for(method, params)
            if delay and not deliver_first:
                await self._pause(delay)
            result = handler(params)
            if isinstance(result, Awaitable):
                result = await result
            if delay and deliver_first:
                await self._pause(delay)
            status, body = 200, {"ok": True, "result": result}
        except _ApiError as err:
            status, body = err.status, err.body()
        if method == "getUpdates" and status == 200:
            self._record_delivery(request, body["result"])
        with self._lock:
            self._log[index] = dataclasses.replace(
                self._log[index], status=status, answered_at=time.monotonic()
            )
            self._signal.notify()
        return web.json_response(body, status=status)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, _Upload] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise _bad("can't parse JSON object")
                raw.update(body)
            else:
                # PTB (httpx) posts url-encoded forms, or multipart forms when uploading files.
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = _Upload(value.filename, value.content_type, value.file.read())
                    else:
                        raw[key] = value
        params = {key: _coerce(key, value) for key, value in raw.items()}
        # A file is sent as a part named after its parameter, or referenced as attach://<part>.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                part = files.pop(value.removeprefix("attach://"), None)
                if part is None:
                    raise _bad(f"file {value} not found in the request")
                params[key] = part
        for key, part in files.items():
            params.setdefault(key, part)
        return params

    def _record_delivery(self, request: web.Request, updates: list[dict]) -> None:
        # A long poll whose client gave up (PTB cancels it on stop) delivered nothing.
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        with self._lock:
            self._deliveries.append([u["update_id"] for u in updates])

    def _download(self, path: str) -> web.StreamResponse:
        prefix = f"/file/bot{self.token}/"
        if not path.startswith(prefix):
            return web.json_response(_ApiError(401, "Unauthorized").body(), status=401)
        file_path = unquote(path.removeprefix(prefix))
        with self._lock:
            file = next((f for f in self._files.values() if f.file_path == file_path), None)
        if file is None:
            return web.json_response(_ApiError(404, "Not Found").body(), status=404)
        return web.Response(
            body=file.data, content_type=file.mime_type or "application/octet-stream"
        )

    def _check_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        """The injected failure this call meets (counted as used), or None."""
        with self._lock:
            for rule in self._failures:
                if method in rule.methods and rule.chat_id in (None, params.get("chat_id")):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._failures.remove(rule)
                    return rule
        return None

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            if self._limits is None or method not in _PACED_METHODS:
                return
            self._limits.check(params.get("chat_id"), time.monotonic())

    def _delay_for(self, method: str, params: dict[str, Any]) -> tuple[float, bool]:
        with self._lock:
            return self._delays.get(
                (method, params.get("chat_id")), self._delays.get((method, None), (0.0, True))
            )

    async def _pause(self, seconds: float) -> None:
        # Sleep, but wake up at once when the server stops, so shutdown never waits on a delay.
        with contextlib.suppress(TimeoutError):
            await self._signal.wait_for(lambda: self._closing, seconds)

    # ------------------------------------------------------------------ Bot API methods

    def _chat(self, params: dict[str, Any], *, outgoing: bool = True) -> _Chat:
        value = params.get("chat_id")
        if value is None or value == "":
            raise _bad("chat_id is empty")
        chat = None
        if isinstance(value, str) and value.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.info.get("username") == value[1:]), None
            )
        elif isinstance(value, int) and not isinstance(value, bool):
            chat = self._chats.get(value)
        if chat is None:
            raise _bad("chat not found")
        if outgoing and chat.blocked:
            raise _ApiError(403, _BLOCKED)
        return chat

    def _get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset") or 0
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        with self._lock:
            if self._webhook.get("url"):
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            # An update is confirmed by a later call with a higher offset; a negative offset
            # keeps only the last -offset updates.
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = params["allowed_updates"] or None
            # Telegram ends an older long poll when a newer one arrives.
            self._poll_generation += 1
            generation = self._poll_generation
            self._signal.notify()

        def ready() -> tuple[str, list[dict]] | None:
            if self._poll_generation != generation:
                return ("conflict", [])
            available = [
                u
                for u in self._updates
                if self._allowed_updates is None or any(kind in u for kind in self._allowed_updates)
            ][:limit]
            if available or self._closing:
                return ("ok", available)
            return None

        try:
            state, updates = await self._signal.wait_for(ready, timeout)
        except TimeoutError:
            state, updates = "ok", []
        if state == "conflict":
            raise _ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return updates

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            url = params.get("url") or ""
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._webhook = {"url": url, **{k: v for k, v in params.items() if k != "url"}}
            if not url:
                self._webhook = {}
            self._signal.notify()
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self._webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._signal.notify()
        return True

    def _get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            info: dict[str, Any] = {
                "url": self._webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
            return info

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            # The Bot API allows 1-32 lowercase letters, digits and underscores.
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_INVALID")
        with self._lock:
            self._commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict]:
        with self._lock:
            return self._commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self._commands.pop(self._commands_key(params), None)
        return True

    def _reply_target(self, chat: _Chat, params: dict[str, Any]) -> _Stored | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        allow = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        if target is None and not allow:
            raise _bad("message to be replied not found")
        return target

    def _text_param(self, params: dict[str, Any], key: str, limit: int) -> str | None:
        text = params.get(key)
        if text is None:
            return None
        visible = _visible(str(text), params.get("parse_mode"))
        if _utf16_len(visible) > limit:
            raise _bad("message is too long" if key == "text" else "message caption is too long")
        return visible

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            chat = self._chat(params)
            text = self._text_param(params, "text", MAX_TEXT_LENGTH)
            if text is None or not text.strip():
                raise _bad("message text is empty")
            stored = self._new_message(
                chat,
                from_bot=True,
                sender=self.bot_user,
                text=text,
                parse_mode=params.get("parse_mode"),
                reply_markup=_check_markup(params.get("reply_markup")),
                reply_to=self._reply_target(chat, params),
            )
            return stored.to_api()

    def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        with self._lock:
            chat = self._chat(params)
            value = params.get(kind)
            if value is None:
                raise _bad(f"there is no {kind} in the request")
            if isinstance(value, _Upload):
                if not value.data:
                    raise _bad("file must be non-empty")
                file = self._store_upload(value, kind)
            elif isinstance(value, str) and value in self._files:
                file = self._files[value]
            elif isinstance(value, str) and re.match(r"https?://", value):
                # The fake never fetches URLs: it keeps the address's file name, no bytes.
                name = urlsplit(value).path.rsplit("/", 1)[-1] or None
                mime = mimetypes.guess_type(name or "")[0]
                file = self._store_upload(_Upload(name, mime, b""), kind)
            else:
                raise _bad("wrong file identifier/HTTP URL specified")
            stored = self._new_message(
                chat,
                from_bot=True,
                sender=self.bot_user,
                caption=self._text_param(params, "caption", MAX_CAPTION_LENGTH),
                parse_mode=params.get("parse_mode"),
                reply_markup=_check_markup(params.get("reply_markup")),
                reply_to=self._reply_target(chat, params),
                **{kind: file},
            )
            return stored.to_api()

    def _edit(self, params: dict[str, Any], method: str) -> dict[str, Any]:
        with self._lock:
            if params.get("inline_message_id"):
                raise _bad("inline messages are not supported by the fake")
            chat = self._chat(params)
            stored = chat.messages.get(params.get("message_id"))  # type: ignore[arg-type]
            if stored is None or stored.deleted:
                raise _bad("message to edit not found")
            if not stored.from_bot:
                raise _bad("message can't be edited")
            text, caption = stored.text, stored.caption
            if method == "editMessageText":
                if stored.text is None:
                    raise _bad("there is no text in the message to edit")
                text = self._text_param(params, "text", MAX_TEXT_LENGTH)
                if text is None or not text.strip():
                    raise _bad("message text is empty")
            elif method == "editMessageCaption":
                if stored.document is None and stored.photo is None:
                    raise _bad("there is no caption in the message to edit")
                caption = self._text_param(params, "caption", MAX_CAPTION_LENGTH)
            # Leaving reply_markup out of an edit removes the inline keyboard, as on Telegram.
            markup = _check_markup(params.get("reply_markup"))
            if (text, caption, _inline(markup)) == (
                stored.text,
                stored.caption,
                _inline(stored.reply_markup),
            ):
                raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
            stored.text, stored.caption, stored.reply_markup = text, caption, markup
            if method != "editMessageReplyMarkup" and "parse_mode" in params:
                stored.parse_mode = params["parse_mode"]
            stored.edit_date = int(time.time())
            chat.edits.append(stored.snapshot())
            self._signal.notify()
            return stored.to_api()

    def _delete_message(self, params: dict[str, Any]) -> bool:
        with self._lock:
            chat = self._chat(params, outgoing=False)
            stored = chat.messages.get(params.get("message_id"))  # type: ignore[arg-type]
            if stored is None or stored.deleted:
                raise _bad("message to delete not found")
            stored.deleted = True
            self._signal.notify()
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        with self._lock:
            query_id = str(params.get("callback_query_id", ""))
            query = self._queries.get(query_id)
            if query is None or query.answered:
                raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
            query.answered = True
            self._answers.append(
                CallbackAnswer(
                    query_id=query_id,
                    chat_id=query.chat_id,
                    message_id=query.message_id,
                    data=query.data,
                    text=params.get("text"),
                    show_alert=bool(params.get("show_alert", False)),
                    url=params.get("url"),
                )
            )
            self._signal.notify()
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self._chat(params)
        if not params.get("action"):
            raise _bad("action is empty")
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            file = self._files.get(str(params.get("file_id", "")))
        if file is None:
            raise _bad("invalid file_id")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": len(file.data),
            "file_path": file.file_path,
        }


# --------------------------------------------------------------------------- standalone demo


def _describe(message: ChatMessage, edited: bool = False) -> str:
    head = f"[bot -> {message.chat_id}] #{message.message_id}{' (edited)' if edited else ''}"
    body = message.text or message.caption or ""
    if message.document:
        body += f" [document {message.document.filename}, {len(message.document.data)} bytes]"
    if message.buttons:
        body += "\n    buttons: " + ", ".join(f"{t} = {d}" for t, d in message.buttons)
    return f"{head} {body}"


async def _demo(port: int, token: str, user_id: int, name: str) -> None:
    """Serve until interrupted; stdin lines become messages from one demo user."""
    fake = FakeTelegram(token=token, port=port)
    async with fake:
        person = fake.user(user_id, name, username=f"user{user_id}")
        print(f"Fake Telegram Bot API at {fake.base_url} (file URL {fake.base_file_url})")
        print(f"token {fake.token}; demo user {name} (id {user_id})")
        print("Type text to send it; '!press <message_id> <callback_data>' presses a button.")
        print(f"URL {fake.base_url}", flush=True)

        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read_stdin() -> None:
            # A daemon thread, so a blocked readline never holds up shutdown.
            for line in sys.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read_stdin, daemon=True).start()

        async def show_bot_side() -> None:
            while True:
                waits = {
                    asyncio.ensure_future(person.next_message(timeout=3600)): False,
                    asyncio.ensure_future(person.next_edit(timeout=3600)): True,
                }
                done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
                for task in done:
                    with contextlib.suppress(TimeoutError):
                        print(_describe(task.result(), edited=waits[task]), flush=True)

        printer = asyncio.create_task(show_bot_side())
        try:
            while (line := await lines.get()) is not None:
                if line.startswith("!press "):
                    try:
                        _, message_id, data = line.split(" ", 2)
                        await person.press(int(message_id), data)
                    except ValueError as err:
                        print(f"cannot press: {err}", flush=True)
                elif line.strip():
                    await person.send(line)
            # Without stdin (e.g. run in the background) keep serving until interrupted.
            await asyncio.Event().wait()
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone for manual demos."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--user-id", type=int, default=1001)
    parser.add_argument("--user-name", default="Lan")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_demo(args.port, args.token, args.user_id, args.user_name))


if __name__ == "__main__":
    main()
