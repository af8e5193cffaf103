"""Sending within a chat network's limits: message rates, a shared pause, and text length."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, measure: Callable[[str], int] = utf16_length) -> list[str]:
    """Cut `text` into parts of at most `limit` units, at line breaks where possible.

    A single line longer than the limit fills the part it starts in and goes on in the next,
    cut at a space where one is near, else between characters (2,505 emoji in a row), never
    inside a surrogate pair.
    """
    if measure(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if measure(candidate) <= limit:
            current = candidate
            continue
        if measure(line) <= limit:
            parts.append(current)
            current = line
            continue
        # An overlong line: what fits beside the current part, then whole parts of it.
        prefix = f"{current}\n" if current else ""
        while measure(prefix + line) > limit:
            head = _longest_prefix(line, limit - measure(prefix), measure)
            cut = head.rfind(" ")
            if cut > len(head) * 3 // 4:
                head = head[:cut]
            if prefix.strip() or head:
                parts.append(prefix + head)
            line = line[len(head) :].lstrip(" ")
            prefix = ""
        current = prefix + line
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


def _longest_prefix(line: str, limit: int, measure: Callable[[str], int]) -> str:
    low, high = 0, len(line)
    while low < high:  # the longest prefix whose measure fits
        middle = (low + high + 1) // 2
        if measure(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return line[:low]


@dataclass(frozen=True)
class Limits:
    """A network's published limits (Telegram's by default)."""

    per_second: float = 30.0  # messages per second over all chats
    per_chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_per_minute: int = 20  # messages per minute to one group
    # Client and server clocks disagree by a few milliseconds: keep that much margin.
    margin: float = 0.02


class RateGate:
    """Waits until a message may go out: overall rate, per chat, per group, and a shared pause.

    The server counts messages when they arrive, somewhere between our call and its answer, so
    the gate counts a message from the moment it lets it pass until a window after its answer
    (and spaces messages evenly at the rate rather than letting them out in bursts):
    however late a request travels, no window at the server holds more than the limit. A chat's
    next message waits for the answer to its previous one plus the interval. A 429 pauses every
    send of the channel (`pause`), not just the one refused.
    """

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] | None = None):
        self.limits = limits or Limits()
        self._clock = clock
        self._in_flight = 0
        self._answered: deque[float] = deque()  # answer times, oldest first
        self._chat_busy: set[object] = set()
        self._chat_last: dict[object, float] = {}
        self._group_recent: dict[object, deque[float]] = {}
        self._paused_until = 0.0
        self._last_departure = float("-inf")
        self._changed: asyncio.Condition | None = None
        self._answers_waiting: dict[object, int] = {}  # chat -> answers waiting for a turn

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` from now (Telegram's retry_after)."""
        self._paused_until = max(self._paused_until, self._now() + seconds)

    @property
    def paused_for(self) -> float:
        """Seconds left in the current pause (0 when none)."""
        return max(0.0, self._paused_until - self._now())

    async def wait_turn(self, chat_id: object, *, is_group: bool, answer: bool = False) -> None:
        """Return when a message to `chat_id` may be sent; call `answered` when it was.

        An answer to what someone just wrote (`answer`) takes the chat's next turn before the
        reminders queued for that chat: a person is not kept waiting behind their own backlog.
        """
        if self._changed is None:
            self._changed = asyncio.Condition()
        if answer:
            self._answers_waiting[chat_id] = self._answers_waiting.get(chat_id, 0) + 1
        try:
            async with self._changed:
                while True:
                    now = self._now()
                    wait = self._wait(now, chat_id, is_group)
                    if not answer and self._answers_waiting.get(chat_id):
                        wait = max(wait, 0.05)  # the answer goes first, then wakes us
                    if wait <= 0:
                        self._take(now, chat_id, is_group)
                        return
                    # Woken early when a message is answered; else when the wait is over.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), wait)
        finally:
            if answer:
                left = self._answers_waiting[chat_id] - 1
                if left:
                    self._answers_waiting[chat_id] = left
                else:
                    del self._answers_waiting[chat_id]

    async def answered(self, chat_id: object) -> None:
        """The message let through for `chat_id` has its answer (or failed)."""
        now = self._now()
        self._in_flight -= 1
        self._answered.append(now)
        self._chat_busy.discard(chat_id)
        self._chat_last[chat_id] = now
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    def _wait(self, now: float, chat_id: object, is_group: bool) -> float:
        limits = self.limits
        window = 1.0 + limits.margin
        while self._answered and self._answered[0] <= now - window:
            self._answered.popleft()
        # Evenly spaced, not in bursts: fewer messages are ever between their answer and its
        # record, so a crash repeats fewer.
        waits = [self._paused_until - now, self._last_departure + 1.0 / limits.per_second - now]
        if self._in_flight + len(self._answered) >= limits.per_second:
            # Waiting for an answer, or for the oldest answer to leave the window.
            waits.append(self._answered[0] + window - now if self._answered else 0.05)
        if is_group:
            recent = self._group_recent.get(chat_id)
            minute = 60.0 + limits.margin
            while recent and recent[0] <= now - minute:
                recent.popleft()
            if recent and len(recent) >= limits.group_per_minute:
                waits.append(recent[0] + minute - now)
        if chat_id in self._chat_busy:
            waits.append(0.05)  # the answer to the previous message wakes us
        else:
            last = self._chat_last.get(chat_id)
            if last is not None:
                waits.append(last + limits.per_chat_interval + limits.margin - now)
        return max(waits)

    def _take(self, now: float, chat_id: object, is_group: bool) -> None:
        self._last_departure = now
        self._in_flight += 1
        self._chat_busy.add(chat_id)
        if is_group:
            # Counted from the moment it leaves: a group's window is a minute, jitter is small.
            self._group_recent.setdefault(chat_id, deque()).append(now)
        if len(self._chat_last) > 10_000:
            # Forget chats whose interval has long passed, so the table stays small.
            horizon = now - 2 * self.limits.per_chat_interval
            self._chat_last = {c: t for c, t in self._chat_last.items() if t > horizon}
            self._group_recent = {
                c: q for c, q in self._group_recent.items() if q and q[-1] > now - 61
            }
