"""Zalo through its Bot Platform API (httpx): events become Incoming, Answers become text.

Zalo has no buttons, no edits and no reply-to, so answers go through bot.channels.text
(numbered choices, the chat's latest reminder as the default task). Its getUpdates has no
offset: the same event may come twice, so every message id is checked against the database
before it is handled. Events are received by long polling, or by a webhook when the service has
a public URL; either way they go to one queue that a few workers drain, in order per chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.channels.base import IncomingHandler
from bot.channels.text import TextChats
from core.errors import UserError
from core.i18n import _
from core.messages import Answer, FileUpload, Incoming
from schedules.dispatch import DeliveryError, RetryLater, Unreachable

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
# sendMessage takes 1-2,000 characters.
MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
# A 429 "Quota exceeded" names no wait: pause all sending this long.
QUOTA_PAUSE_SECONDS = 30.0
# How long a chart stays downloadable under its random path.
MEDIA_LIFETIME_SECONDS = 3600.0
MEDIA_PATH = "/zalo/media/"


IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def _files(answer: Answer) -> list[FileUpload]:
    """The files an answer carries (one place to adapt when answers carry several)."""
    return [answer.attachment] if answer.attachment is not None else []


def _is_image(filename: str) -> bool:
    return filename.rsplit(".", 1)[-1].lower() in IMAGE_TYPES


class ZaloApiError(DeliveryError):
    """Zalo answered ok=false for a reason that retrying will not fix."""


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into messages of at most `limit` characters, at line ends when possible."""
    text = text.strip() or "…"
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than a message: cut at a space
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = line
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()] or ["…"]


def events_in(payload: Any) -> list[dict]:
    """The events in a getUpdates answer or a webhook body: wrapped in `result` or flat, one or many."""
    if isinstance(payload, list):
        return [event for item in payload for event in events_in(item)]
    if not isinstance(payload, dict):
        return []
    if "result" in payload and "message" not in payload:
        return events_in(payload["result"])
    return [payload] if isinstance(payload.get("message"), dict) else []


@dataclass(frozen=True)
class ZaloEvent:
    """What the bot needs of one event."""

    event_name: str
    message_id: str
    chat_id: str
    sender_name: str
    text: str

    @classmethod
    def parse(cls, event: dict) -> ZaloEvent | None:
        """The event, or None when it lacks a chat or a message id."""
        message = event.get("message") or {}
        chat = message.get("chat") or {}
        sender = message.get("from") or {}
        if not chat.get("id") or not message.get("message_id"):
            return None
        return cls(
            event_name=str(event.get("event_name") or "message.text.received"),
            message_id=str(message["message_id"]),
            chat_id=str(chat["id"]),
            sender_name=str(sender.get("display_name") or sender.get("first_name") or ""),
            text=str(message.get("text") or ""),
        )


class _Pacer:
    """At most `rate` sends a second as Zalo counts them, and a pause after a 429.

    A send holds one of `capacity` slots from the moment it leaves until `window` seconds after
    its answer came back. Zalo counted it somewhere in between, so no window of Zalo's can hold
    more than `capacity` of our sends, whatever the network's delays; spacing departures alone
    would not promise that, since arrivals bunch up when one request is slower than the next.
    """

    def __init__(self, rate: float) -> None:
        self.capacity = max(1, math.floor(rate))
        self.window = self.capacity / rate
        self._slots = asyncio.Semaphore(self.capacity)
        self.paused_until = 0.0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for one send."""
        await self._slots.acquire()
        try:
            while (wait := self.paused_until - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            yield
        finally:
            asyncio.get_running_loop().call_later(self.window, self._slots.release)

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (Zalo said "Quota exceeded")."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class ZaloChannel:
    """Long polling, or a webhook when `webhook_url` is set, on the API at `base_url`."""

    name = "zalo"

    def __init__(
        self,
        *,
        token: str,
        text_chats: TextChats,
        base_url: str = DEFAULT_BASE_URL,
        messages_per_second: float = 5.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        listen: str = "0.0.0.0:8443",
        poll_timeout: float = 30.0,
        workers: int = 4,
        receive: str | None = None,
    ) -> None:
        self.token = token
        # "webhook" (a public URL is set), "polling", or "none" (a delivery-only worker).
        self.receive = receive or ("webhook" if webhook_url else "polling")
        self.text_chats = text_chats
        self.base_url = base_url.rstrip("/")
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret or secrets.token_urlsafe(32)
        self.listen = listen
        self.poll_timeout = poll_timeout
        self.worker_count = workers
        self.pacer = _Pacer(messages_per_second)
        self._client: httpx.AsyncClient | None = None
        self._queue: asyncio.Queue[dict] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._on_incoming: IncomingHandler | None = None
        self._runner = None
        self._media: dict[str, tuple[float, str, bytes]] = {}
        self.bot_name: str | None = None

    # --- life cycle -------------------------------------------------------------------------

    async def start(self, on_incoming: IncomingHandler) -> None:
        """Check the token, then receive events by webhook or long polling."""
        self._on_incoming = on_incoming
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(self.poll_timeout + 10, connect=10))
        try:
            me = await self._call("getMe", {}) or {}
            self.bot_name = str(me.get("account_name") or me.get("display_name") or "")
            if self.webhook_url:
                # The endpoint also serves report charts, so it runs whoever receives.
                await self._start_webhook_server()
            if self.receive == "webhook":
                await self._call(
                    "setWebhook", {"url": self.webhook_url, "secret_token": self.webhook_secret}
                )
            elif self.receive == "polling":
                await self.start_polling()
        except BaseException:
            await self.stop()
            raise
        for number in range(self.worker_count):
            self._tasks.append(asyncio.create_task(self._work_loop(), name=f"zalo-{number}"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="zalo-housekeeping"))
        log.info("Zalo channel (%s) as %s", self.receive, self.bot_name)

    async def start_polling(self) -> None:
        """Receive by long polling (also when taking over from another process)."""
        # Polling and a webhook exclude each other: a webhook left from another run would keep
        # getUpdates refused.
        await self._call("deleteWebhook", {})
        self.receive = "polling"
        self._tasks.append(asyncio.create_task(self._poll_loop(), name="zalo-poll"))

    async def stop(self) -> None:
        """Stop receiving, close the endpoint and the HTTP client."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # --- the API ----------------------------------------------------------------------------

    async def _call(self, method: str, payload: dict, *, timeout: float | None = None) -> Any:
        """POST one method; returns `result`, raises delivery errors the dispatcher knows."""
        assert self._client is not None
        url = f"{self.base_url}/bot{self.token}/{method}"
        try:
            response = await self._client.post(
                url,
                json=payload,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as error:
            raise RetryLater(f"{method}: timed out") from error
        except httpx.HTTPError as error:
            if method == "getMe":
                raise UserError(
                    _(
                        "Cannot reach the Zalo Bot API ({error}). Check the network or ZALO_API_BASE_URL."
                    ).format(error=error)
                ) from error
            raise RetryLater(f"{method}: {error}") from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        code = body.get("error_code") or response.status_code
        code = int(code) if str(code).isdecimal() else response.status_code
        description = str(body.get("description") or response.reason_phrase)
        if body.get("ok") is True and response.status_code < 400:
            return body.get("result")
        if code == 408 and method == "getUpdates":
            return None  # the long poll ended without events
        if code == 429:
            # "Quota exceeded": every send waits, not just this one.
            self.pacer.pause(QUOTA_PAUSE_SECONDS)
            raise RetryLater(f"{method}: {description}", retry_after=QUOTA_PAUSE_SECONDS)
        if code in (401, 404) and method == "getMe":
            raise UserError(
                _("Zalo refused ZALO_BOT_TOKEN. Check the token Zalo Bot Creator gave.")
            )
        if code == 403:
            raise Unreachable(f"{method}: {description}")
        if code >= 500:
            raise RetryLater(f"{method}: {code} {description}")
        raise ZaloApiError(f"{method}: {code} {description}")

    async def send(self, chat_id: str, answer: Answer) -> str:
        """Send an answer, then an image it carries as a photo when we can serve it.

        Zalo takes no documents, and photos only by URL: without a public URL (webhook mode)
        the text says where the file can be had instead.
        """
        text = await self.text_chats.render(self.name, chat_id, answer)
        files = _files(answer)
        photos = [item for item in files if _is_image(item.filename) and self.webhook_url]
        left_out = [item.filename for item in files if item not in photos]
        if left_out:
            text += "\n\n" + _(
                "Zalo cannot carry {files}: get them on Telegram or with `nhacviec report`."
            ).format(files=", ".join(left_out))
        message_id = ""
        for part in split_text(text):
            message_id = await self._send_text(chat_id, part)
        for photo in photos:
            async with self.pacer.slot():
                await self._call(
                    "sendPhoto",
                    {"chat_id": chat_id, "photo": self._publish(photo.filename, photo.data)},
                )
        return message_id

    async def _send_text(self, chat_id: str, text: str) -> str:
        async with self.pacer.slot():
            result = await self._call("sendMessage", {"chat_id": chat_id, "text": text})
        return str((result or {}).get("message_id", ""))

    # --- receiving --------------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        """Long polling; on errors wait a little longer each time, never give up."""
        backoff = 1.0
        while True:
            try:
                result = await self._call(
                    "getUpdates",
                    {"timeout": str(int(self.poll_timeout))},
                    timeout=self.poll_timeout + 10,
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a network blip must not end the channel
                log.warning("Zalo getUpdates failed: %s", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            backoff = 1.0
            for event in events_in(result):
                self._queue.put_nowait(event)

    async def _work_loop(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._handle_event(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("error while handling a Zalo event")
            finally:
                self._queue.task_done()

    async def _handle_event(self, raw: dict) -> None:
        event = ZaloEvent.parse(raw)
        if event is None:
            return
        lock = self._chat_locks.setdefault(event.chat_id, asyncio.Lock())
        async with lock:  # one chat's messages are answered in the order they came
            # Marked before handling: a crash mid-way loses one message (the person resends)
            # rather than applying it twice.
            if not await self.text_chats.first_sighting(self.name, event.message_id):
                return
            if event.event_name != "message.text.received":
                await self._reply(
                    event.chat_id,
                    [Answer(text=_("I can only read text here. Please write your answer."))],
                )
                return
            incoming = await self.text_chats.read(
                Incoming(
                    channel=self.name,
                    chat_id=event.chat_id,
                    text=event.text,
                    sender_name=event.sender_name,
                    message_id=event.message_id,
                )
            )
            assert self._on_incoming is not None
            try:
                answers = await self._on_incoming(incoming)
            except Exception:
                log.exception("error while handling Zalo message %s", event.message_id)
                answers = [
                    Answer(
                        text=_("Sorry, something went wrong on our side. Please try again later.")
                    )
                ]
            await self._reply(event.chat_id, answers)

    async def _reply(self, chat_id: str, answers: Iterable[Answer]) -> None:
        for answer in answers:
            try:
                await self.send(chat_id, answer)
            except DeliveryError as error:
                log.warning("Zalo answer to %s not sent: %s", chat_id, error)

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(3600)
            try:
                await self.text_chats.forget_old_events()
            except Exception:
                log.exception("could not forget old Zalo events")
            now = time.monotonic()
            for token in [key for key, item in self._media.items() if item[0] < now]:
                self._media.pop(token, None)

    # --- webhook ----------------------------------------------------------------------------

    async def _start_webhook_server(self) -> None:
        from aiohttp import web

        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(urlsplit(self.webhook_url).path or "/", self._on_webhook)
        app.router.add_get(MEDIA_PATH + "{token}", self._on_media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        host, _sep, port = self.listen.rpartition(":")
        site = web.TCPSite(self._runner, host or "0.0.0.0", int(port))
        await site.start()
        if self.listen.endswith(":0"):  # tests ask for any free port
            sockets = site._server.sockets
            self.listen = f"{host}:{sockets[0].getsockname()[1]}"

    async def _on_webhook(self, request):
        """Check the secret (constant time), queue the event, answer at once."""
        from aiohttp import web

        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            log.warning("Zalo webhook call refused: wrong or missing secret header")
            return web.json_response({"ok": False}, status=403)
        try:
            payload = await request.json()
        except ValueError:
            return web.json_response({"ok": False}, status=400)
        for event in events_in(payload):
            self._queue.put_nowait(event)
        return web.json_response({"ok": True})

    def _publish(self, filename: str, data: bytes) -> str:
        """A public, random, expiring URL for an image (webhook mode: the service is public)."""
        assert self.webhook_url is not None
        token = secrets.token_urlsafe(24)
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
        self._media[token] = (time.monotonic() + MEDIA_LIFETIME_SECONDS, suffix, data)
        parts = urlsplit(self.webhook_url)
        return f"{parts.scheme}://{parts.netloc}{MEDIA_PATH}{token}"

    async def _on_media(self, request):
        from aiohttp import web

        item = self._media.get(request.match_info["token"])
        if item is None or item[0] < time.monotonic():
            raise web.HTTPNotFound()
        content_type = IMAGE_TYPES.get(item[1], "application/octet-stream")
        return web.Response(body=item[2], content_type=content_type)
