"""Telegram through python-telegram-bot: updates become Incoming, Answers become messages.

Every outgoing call passes one gate (bot.channels.pacing) that keeps Telegram's limits: at most
30 messages a second overall, one a second per private chat, 20 a minute per group; a 429
pauses the whole channel for its retry_after. Texts are split on UTF-16 length at line breaks,
so "message is too long" cannot happen.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.base import IncomingHandler
from bot.channels.pacing import Limits, RateGate, split_text
from core.errors import UserError
from core.i18n import _
from core.messages import Answer, FileUpload, Incoming
from schedules.dispatch import Rejected, RetryLater, Unreachable

log = logging.getLogger(__name__)

# Telegram refuses texts longer than 4096 UTF-16 code units.
MAX_TEXT_UNITS = 4096
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# Files the chat shows as photos (a report's chart) rather than as documents.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# 5xx answers and timeouts are retried this many times, with jittered backoff, before the
# reminder goes back to the queue.
TRANSIENT_RETRIES = 2
# Methods that put a message in front of someone, hence count toward the message limits.
_PACED_PREFIXES = ("send", "edit", "copy", "forward")
# True in the task that answers an update: its messages take a chat's next turn before the
# reminders queued for it (see RateGate.wait_turn).
ANSWERING: contextvars.ContextVar[bool] = contextvars.ContextVar("answering", default=False)


def _seconds(value: Any) -> float:
    """A time period PTB reports, as a timedelta (its future form) or a number of seconds."""
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def opt_in_to_timedeltas() -> None:
    """Have PTB report time periods (a 429's retry_after) as timedeltas, its future form.

    PTB 22 warns that the int form is deprecated whenever it builds a RetryAfter, even before
    anyone reads it; the documented opt-in is the PTB_TIMEDELTA variable, which PTB reads at
    each access. An operator's own setting wins; `_seconds` reads either form.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def _is_group(chat_id: object) -> bool:
    # Group and channel ids are negative; public channels are also addressed as @name.
    if isinstance(chat_id, int):
        return chat_id < 0
    text = str(chat_id)
    return text.startswith(("-", "@"))


class GateRateLimiter(BaseRateLimiter[dict]):
    """PTB's hook for every Bot API call: wait for the gate, and on a 429 pause everything."""

    def __init__(self, gate: RateGate, *, max_retries: int = 3) -> None:
        self.gate = gate
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict | None,
    ) -> Any:
        """Send when the limits allow; a 429 pauses the channel and the call is tried again."""
        chat_id = data.get("chat_id")
        paced = chat_id is not None and endpoint.startswith(_PACED_PREFIXES)
        for attempt in range(self.max_retries + 1):
            if paced:
                await self.gate.wait_turn(
                    chat_id, is_group=_is_group(chat_id), answer=ANSWERING.get()
                )
            elif self.gate.paused_for:
                await asyncio.sleep(self.gate.paused_for)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = _seconds(error.retry_after)
                # Telegram's rule: nothing more until retry_after has passed, whatever the chat.
                self.gate.pause(seconds)
                log.warning("Telegram asked to wait %.1f s; every send pauses", seconds)
                if attempt == self.max_retries:
                    raise
            finally:
                if paced:
                    await self.gate.answered(chat_id)
        raise AssertionError("unreachable")


# Updates in progress at once, across chats. The work itself is bounded by the use-case
# threads; this only bounds updates waiting for them (and for their chat's earlier updates).
MAX_CONCURRENT_UPDATES = 256


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates run one at a time, in
    the order they came, so "/start CODE" is done before the "xong" written after it.

    PTB's default processes every update in turn: one slow upload would hold up every chat.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update once its chat's earlier updates are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._chats.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:  # nobody else holds or awaits it: forget the chat
                del self._waiting[chat.id], self._chats[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _markup(answer: Answer) -> InlineKeyboardMarkup | None:
    if not answer.buttons:
        return None
    # Two buttons a row fit phone screens; longer choice lists get one per row.
    per_row = 2 if len(answer.buttons) <= 2 else 1
    rows = [
        [
            InlineKeyboardButton(button.label, callback_data=button.data)
            for button in answer.buttons[i : i + per_row]
        ]
        for i in range(0, len(answer.buttons), per_row)
    ]
    return InlineKeyboardMarkup(rows)


def _parts(text: str) -> list[str]:
    return split_text(text, MAX_TEXT_UNITS)


class TelegramChannel:
    """The Bot API at `base_url` (Telegram's, a local server, or a test fake).

    `receive` chooses how updates arrive: "polling" (long polling), "webhook" (PTB's webhook
    server on `webhook_listen`:`webhook_port`, registered at `webhook_url`), or "none" for a
    worker that only sends.
    """

    name = "telegram"

    def __init__(
        self,
        *,
        token: str,
        base_url: str | None = None,
        poll_timeout: float = 10.0,
        receive: str = "polling",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_listen: str = "0.0.0.0",
        webhook_port: int = 8443,
        limits: Limits | None = None,
    ) -> None:
        opt_in_to_timedeltas()
        self.gate = RateGate(limits)
        builder = (
            ApplicationBuilder()
            .token(token)
            .job_queue(None)
            .concurrent_updates(ChatOrderedUpdates())
            .rate_limiter(GateRateLimiter(self.gate))
        )
        if base_url:
            builder = builder.base_url(base_url).base_file_url(
                base_url.replace("/bot", "/file/bot", 1)
            )
        self.application: Application = builder.build()
        self.poll_timeout = poll_timeout
        self.receive = receive
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_listen = webhook_listen
        self.webhook_port = webhook_port
        self._on_incoming: IncomingHandler | None = None
        self.username: str | None = None

    async def start(self, on_incoming: IncomingHandler) -> None:
        """Register handlers, connect, and start receiving updates as `receive` says."""
        self._on_incoming = on_incoming
        self._register_handlers()
        try:
            await self._initialize()
        except BaseException:
            # The bot's HTTP clients opened before getMe failed; the Application does not count
            # itself initialised then, so only the bot's own shutdown closes them.
            await self.application.bot.shutdown()
            raise
        self.username = self.application.bot.username
        await self.application.start()
        allowed = ["message", "callback_query"]
        if self.receive == "webhook":
            await self.application.updater.start_webhook(
                listen=self.webhook_listen,
                port=self.webhook_port,
                url_path=urlsplit(self.webhook_url or "").path.lstrip("/"),
                webhook_url=self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=allowed,
                drop_pending_updates=False,
            )
            log.info(
                "Telegram channel receiving @%s updates at %s", self.username, self.webhook_url
            )
        elif self.receive == "polling":
            await self.application.updater.start_polling(
                timeout=self.poll_timeout, allowed_updates=allowed, drop_pending_updates=False
            )
            log.info("Telegram channel polling as @%s", self.username)
        else:
            log.info("Telegram channel sending as @%s (no updates received here)", self.username)

    async def start_polling(self) -> None:
        """Begin long polling later (this process took over from the one that polled)."""
        self.receive = "polling"
        await self.application.updater.start_polling(
            timeout=self.poll_timeout,
            allowed_updates=["message", "callback_query"],
            drop_pending_updates=False,
        )
        log.info("Telegram channel polling as @%s", self.username)

    async def _initialize(self) -> None:
        """Connect; a refused token or an unreachable server becomes a Vietnamese UserError."""
        try:
            await self.application.initialize()
        except InvalidToken as error:
            raise UserError(
                _("Telegram refused TELEGRAM_BOT_TOKEN. Check the token BotFather gave.")
            ) from error
        except NetworkError as error:
            raise UserError(
                _(
                    "Cannot reach the Telegram Bot API ({error}). Check the network or TELEGRAM_API_BASE_URL."
                ).format(error=error)
            ) from error

    async def stop(self) -> None:
        """Stop polling and close the HTTP client."""
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    def _register_handlers(self) -> None:
        app = self.application
        # Group 0: everything a person writes (commands included) goes to the shared handlers.
        app.add_handler(MessageHandler(filters.Document.ALL, self._on_document), group=0)
        app.add_handler(MessageHandler(filters.TEXT, self._on_message), group=0)
        # Group 0: button presses (callback data is prefixed, see handlers.render).
        app.add_handler(CallbackQueryHandler(self._on_button), group=0)
        # One error handler: log with the update, then tell the person something went wrong.
        app.add_error_handler(self._on_error)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Turn a message into an Incoming, answer in the same chat."""
        message = update.effective_message
        if message is None or update.effective_chat is None:
            return
        replied = message.reply_to_message
        reply_to = str(replied.message_id) if replied else None
        await self._answer(
            update, self._incoming(update, text=message.text or "", reply_to_message_id=reply_to)
        )

    async def _on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A plan file sent in chat: download it and hand it over with its name."""
        message = update.effective_message
        if message is None or message.document is None or update.effective_chat is None:
            return
        document = message.document
        # The Bot API lets bots download files of at most 20 MB.
        if document.file_size and document.file_size > MAX_DOWNLOAD_BYTES:
            await message.reply_text(
                _("The file is larger than 20 MB; please import it with `nhacviec import`.")
            )
            return
        telegram_file = await document.get_file()
        upload = FileUpload(
            filename=document.file_name or "ke-hoach",
            data=bytes(await telegram_file.download_as_bytearray()),
        )
        await self._answer(
            update, self._incoming(update, text=message.caption or "", upload=upload)
        )

    def _incoming(self, update: Update, **fields) -> Incoming:
        user = update.effective_user
        return Incoming(
            channel=self.name,
            chat_id=str(update.effective_chat.id),
            sender_name=user.full_name if user else "",
            message_id=str(update.effective_message.message_id),
            **fields,
        )

    async def _answer(self, update: Update, incoming: Incoming) -> None:
        ANSWERING.set(True)  # this update's task only: its sends go before queued reminders
        for answer in await self._on_incoming(incoming):
            await self._reply(update.effective_message, answer)

    async def _reply(self, message, answer: Answer) -> None:
        """Answer in the chat of `message`; a long text goes as several, buttons on the last."""
        parts = _parts(answer.text)
        for index, part in enumerate(parts):
            markup = _markup(answer) if index == len(parts) - 1 else None
            await message.reply_text(part, reply_markup=markup, do_quote=False)
        await self._send_files(message.chat.id, answer)

    async def _send_files(self, chat_id, answer: Answer) -> None:
        """Send an answer's file after its text: an image as a photo, anything else as a file."""
        attachment = answer.attachment
        if attachment is None:
            return
        bot = self.application.bot
        if attachment.filename.lower().endswith(IMAGE_SUFFIXES):
            await bot.send_photo(chat_id, photo=attachment.data, filename=attachment.filename)
        else:
            await bot.send_document(chat_id, document=attachment.data, filename=attachment.filename)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Turn a button press into an Incoming; the first answer replaces the pressed message."""
        query = update.callback_query
        # Old messages may come back as InaccessibleMessage, without text or buttons.
        if query is None or query.message is None or not hasattr(query.message, "text"):
            if query is not None:
                await query.answer()
            return
        # Telegram shows a spinner on the button until the query is answered.
        await query.answer()
        label = next(
            (
                button.text
                for row in (
                    query.message.reply_markup.inline_keyboard if query.message.reply_markup else ()
                )
                for button in row
                if button.callback_data == query.data
            ),
            "",
        )
        incoming = Incoming(
            channel=self.name,
            chat_id=str(query.message.chat.id),
            text=label,
            sender_name=query.from_user.full_name,
            message_id=str(query.message.message_id),
            button_data=query.data,
        )
        ANSWERING.set(True)
        for answer in await self._on_incoming(incoming):
            edited = f"{query.message.text}\n\n{answer.text}" if query.message.text else ""
            if answer.edit and edited and len(_parts(edited)) == 1:
                # Keep the reminder's text, drop its buttons, add the confirmation below.
                await query.edit_message_text(edited, reply_markup=_markup(answer))
                await self._send_files(query.message.chat.id, answer)
            else:
                await self._reply(query.message, answer)

    async def set_menu(self, commands: list[tuple[str, str]], chat_id: str | None = None) -> None:
        """Set the command menu for every chat (no chat id) or for one chat, over the default.

        Telegram picks the most specific scope a chat has, so officers see the default menu and
        each coordinator's chat gets its own. A refusal is logged, never fatal: the menu is help.
        """
        scope = BotCommandScopeDefault() if chat_id is None else BotCommandScopeChat(int(chat_id))
        try:
            await self.application.bot.set_my_commands(
                [BotCommand(name, description[:256]) for name, description in commands],
                scope=scope,
            )
        except TelegramError as error:
            log.warning(
                "could not set the command menu (%s): %s",
                scope.type,
                error,
                extra={"chat": (self.name, chat_id)} if chat_id else {},
            )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The update itself holds names and words: only its number and the (hashed) chat.
        chat = update.effective_chat if isinstance(update, Update) else None
        log.error(
            "error while handling update %s",
            getattr(update, "update_id", "?"),
            exc_info=context.error,
            extra={"chat": (self.name, str(chat.id))} if chat else {},
        )
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(
                    update.effective_chat.id,
                    _("Sorry, something went wrong on our side. Please try again later."),
                )
            except TelegramError:
                log.exception(
                    "could not tell the person about the error",
                    extra={"chat": (self.name, str(update.effective_chat.id))},
                )

    async def send(self, chat_id: str, answer: Answer) -> str:
        """Send a reminder (split when long); returns the id of the last part, which has the buttons.

        Telegram's refusals become the dispatcher's delivery errors: 429 -> RetryLater with
        retry_after (after the channel-wide pause and a few tries), 403 and "chat not found" ->
        Unreachable, any other 400 -> Rejected at once, 5xx and timeouts -> RetryLater after
        a few jittered tries.
        """
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        parts = _parts(answer.text)
        message = None
        for index, part in enumerate(parts):
            markup = _markup(answer) if index == len(parts) - 1 else None
            message = await self._send_part(target, part, markup)
        return str(message.message_id)

    async def _send_part(self, target: int | str, text: str, markup) -> Message:
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                return await self.application.bot.send_message(
                    chat_id=target, text=text, reply_markup=markup
                )
            except RetryAfter as error:
                raise RetryLater(str(error), retry_after=_seconds(error.retry_after)) from error
            except Forbidden as error:
                raise Unreachable(str(error)) from error
            except BadRequest as error:  # before NetworkError: PTB derives one from the other
                if "chat not found" in str(error).lower():
                    raise Unreachable(str(error)) from error
                raise Rejected(str(error)) from error
            except (TimedOut, NetworkError) as error:  # 5xx answers arrive as NetworkError
                if attempt == TRANSIENT_RETRIES:
                    raise RetryLater(str(error)) from error
                # Jitter: many sends failing together do not come back together.
                await asyncio.sleep(0.5 * 2**attempt * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")
