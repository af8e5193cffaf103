"""A fake Zalo Bot Platform API for tests, strict about the documented rules.

``async with FakeZalo() as fake:`` serves on loopback on the test's loop; point the bot at
``fake.base_url``. The test plays the people: ``person = fake.user("Lan")`` then
``await person.send("xong")`` and ``await person.next_message()``.

What it holds the bot to (https://bot.zaloplatforms.com/docs):
* the token is in the path (``/bot<TOKEN>/<method>``), POST with a JSON body; a wrong token is
  401; replies are ``{"ok", "result", "error_code", "description"}``;
* chat ids are hex strings, dates are milliseconds; a bot may write only to a chat that wrote
  to it first (else 403), and not to one that blocked it (403);
* sendMessage takes 1-2,000 characters; sendPhoto a photo URL (the fake downloads it) and a
  caption of at most 2,000;
* getUpdates has no offset and returns one event in ``result``; it refuses to run while a
  webhook is set, and setWebhook needs a secret of 8-256 characters, which comes back in the
  ``X-Bot-Api-Secret-Token`` header of each push; pushed bodies are sometimes wrapped in
  ``result``, sometimes flat;
* events can be delivered twice (``send(..., twice=True)`` or ``duplicate_all``);
* more than ``messages_per_second`` sends in any second is refused with 429 "Quota exceeded".
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

__all__ = ["DEFAULT_TOKEN", "FakeZalo", "SentMessage", "ZaloPerson"]

DEFAULT_TOKEN = "1459232241454765289:FakeZaloTokenForNhacviecTests"
MAX_TEXT_LENGTH = 2000


def _hex_id() -> str:
    return secrets.token_hex(10)


def _ms() -> int:
    return int(time.time() * 1000)


@dataclass
class SentMessage:
    """What the bot sent to a chat."""

    message_id: str
    chat_id: str
    text: str
    photo: bytes | None = None
    date: int = field(default_factory=_ms)


@dataclass
class ZaloPerson:
    """A Zalo user writing to the bot from a private chat."""

    fake: FakeZalo
    chat_id: str
    display_name: str
    blocked: bool = False
    has_written: bool = False
    inbox: asyncio.Queue = field(default_factory=asyncio.Queue)

    async def send(self, text: str, *, twice: bool = False, event_name: str = "") -> str:
        """Write to the bot; returns the event's message id."""
        return self.fake.deliver(self, text, twice=twice, event_name=event_name)

    async def next_message(self, timeout: float = 15.0) -> SentMessage:
        """The next message the bot sent to this person."""
        return await asyncio.wait_for(self.inbox.get(), timeout)

    def block(self) -> None:
        """The person blocks the bot: sends to them are refused with 403."""
        self.blocked = True


class FakeZalo:
    """The fake server; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        messages_per_second: float | None = None,
        duplicate_all: bool = False,
    ) -> None:
        self.token = token
        self.messages_per_second = messages_per_second
        self.duplicate_all = duplicate_all
        self.people: dict[str, ZaloPerson] = {}
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, dict]] = []
        self.refused: list[tuple[str, int, str]] = []
        self.webhook: dict[str, Any] | None = None
        self.pushes: list[int] = []  # HTTP status of each webhook push
        self._updates: asyncio.Queue[dict] = asyncio.Queue()
        self._window: deque[float] = deque()
        self._ids = itertools.count(1)
        self._wrap = itertools.cycle([True, False])
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.base_url = ""
        self._closing = False

    async def __aenter__(self) -> FakeZalo:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._on_call)
        app.router.add_get("/bot{token}/{method}", self._on_call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc) -> None:
        self._closing = True
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- the test's side --------------------------------------------------------------------

    def user(self, display_name: str, *, has_written: bool = False) -> ZaloPerson:
        """A new person with a hex chat id (has_written: as if they had written before)."""
        person = ZaloPerson(self, _hex_id(), display_name, has_written=has_written)
        self.people[person.chat_id] = person
        return person

    def deliver(self, person: ZaloPerson, text: str, *, twice: bool, event_name: str) -> str:
        """Queue (or push) a text event from `person`, once or twice with the same message id."""
        person.has_written = True
        message_id = _hex_id()
        event = {
            "event_name": event_name or "message.text.received",
            "message": {
                "from": {"id": person.chat_id, "display_name": person.display_name},
                "chat": {"id": person.chat_id, "chat_type": "PRIVATE"},
                "text": text,
                "message_id": message_id,
                "date": _ms(),
            },
        }
        for _ in range(2 if twice or self.duplicate_all else 1):
            if self.webhook is not None:
                asyncio.get_running_loop().create_task(self._push(event))
            else:
                self._updates.put_nowait(event)
        return message_id

    def messages_to(self, person: ZaloPerson) -> list[SentMessage]:
        """Everything the bot sent to one person, in order."""
        return [message for message in self.sent if message.chat_id == person.chat_id]

    async def _push(self, event: dict) -> None:
        assert self.webhook is not None and self._session is not None
        body = {"ok": True, "result": event} if next(self._wrap) else event
        async with self._session.post(
            self.webhook["url"],
            json=body,
            headers={"X-Bot-Api-Secret-Token": self.webhook["secret_token"]},
        ) as response:
            self.pushes.append(response.status)

    # --- the bot's side ---------------------------------------------------------------------

    def _error(self, method: str, code: int, description: str) -> web.Response:
        self.refused.append((method, code, description))
        return web.json_response(
            {"ok": False, "error_code": code, "description": description}, status=code
        )

    async def _on_call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(method, 401, "Unauthorized")
        try:
            payload = await request.json() if request.can_read_body else {}
        except ValueError:
            return self._error(method, 400, "Bad Request: body is not JSON")
        self.calls.append((method, payload))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(method, 404, "Not Found: unknown method")
        result = await handler(payload)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, payload: dict) -> dict:
        return {
            "id": self.token.split(":", 1)[0],
            "account_name": "bot.nhacviec",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _m_getUpdates(self, payload: dict):
        if self.webhook is not None:
            return self._error("getUpdates", 400, "Bad Request: webhook is set, polling disabled")
        deadline = time.monotonic() + float(payload.get("timeout", 30))
        # Short waits, so that closing the fake does not wait for a long poll to end.
        while not self._closing and time.monotonic() < deadline:
            try:
                return await asyncio.wait_for(self._updates.get(), 0.2)
            except TimeoutError:
                continue
        return self._error("getUpdates", 408, "Request timeout")

    async def _m_setWebhook(self, payload: dict):
        url, secret = payload.get("url"), payload.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            return self._error("setWebhook", 400, "Bad Request: url must be HTTPS")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return self._error("setWebhook", 400, "Bad Request: secret_token must be 8-256 chars")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": _ms()}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _m_getWebhookInfo(self, payload: dict) -> dict:
        webhook = self.webhook or {"url": "", "updated_at": _ms()}
        return {"url": webhook["url"], "updated_at": webhook["updated_at"]}

    async def _m_deleteWebhook(self, payload: dict) -> dict:
        self.webhook = None
        return {"url": "", "updated_at": _ms()}

    async def _m_sendChatAction(self, payload: dict):
        refused = self._check_chat("sendChatAction", payload)
        return refused if refused is not None else None

    def _check_chat(self, method: str, payload: dict) -> web.Response | None:
        chat_id = payload.get("chat_id")
        if not isinstance(chat_id, str):
            return self._error(method, 400, "Bad Request: chat_id must be a string")
        person = self.people.get(chat_id)
        if person is None:
            return self._error(method, 400, "Bad Request: chat not found")
        if person.blocked or not person.has_written:
            return self._error(method, 403, "Forbidden: user has not interacted with the bot")
        return None

    def _over_quota(self) -> bool:
        if self.messages_per_second is None:
            return False
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.messages_per_second:
            return True
        self._window.append(now)
        return False

    async def _m_sendMessage(self, payload: dict):
        refused = self._check_chat("sendMessage", payload)
        if refused is not None:
            return refused
        text = payload.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_LENGTH:
            return self._error("sendMessage", 400, "Bad Request: text must be 1-2000 characters")
        if self._over_quota():
            return self._error("sendMessage", 429, "Quota exceeded")
        return self._record(payload["chat_id"], text)

    async def _m_sendPhoto(self, payload: dict):
        refused = self._check_chat("sendPhoto", payload)
        if refused is not None:
            return refused
        caption = payload.get("caption", "")
        if not isinstance(caption, str) or len(caption) > MAX_TEXT_LENGTH:
            return self._error("sendPhoto", 400, "Bad Request: caption too long")
        if self._over_quota():
            return self._error("sendPhoto", 429, "Quota exceeded")
        assert self._session is not None
        try:
            async with self._session.get(str(payload.get("photo"))) as response:
                if response.status != 200:
                    return self._error("sendPhoto", 400, "Bad Request: photo not downloadable")
                data = await response.read()
        except aiohttp.ClientError:
            return self._error("sendPhoto", 400, "Bad Request: photo not downloadable")
        return self._record(payload["chat_id"], caption, photo=data)

    def _record(self, chat_id: str, text: str, photo: bytes | None = None) -> dict:
        message = SentMessage(_hex_id(), chat_id, text, photo=photo)
        self.sent.append(message)
        self.people[chat_id].inbox.put_nowait(message)
        return {"message_id": message.message_id, "date": message.date}
