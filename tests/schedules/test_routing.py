"""Which chat a reminder goes to when a person has linked Telegram and Zalo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.links import ChatOfContact
from schedules.routing import Route, choose_route

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def _chats(*, telegram_unreachable=False, zalo_preferred=False, zalo_unreachable=False):
    return [
        ChatOfContact(1, "telegram", "1001", True, False, telegram_unreachable),
        ChatOfContact(1, "zalo", "abc", False, zalo_preferred, zalo_unreachable),
    ]


def _route(chats, *, running=None, failing_since=None):
    return choose_route(
        chats, running=running, failing_since=failing_since, now=NOW, fallback_after=HALF_HOUR
    )


def test_the_preferred_chat_is_used_while_it_works():
    assert _route(_chats()) == Route("telegram", "1001")
    assert _route(_chats(zalo_preferred=True)) == Route("zalo", "abc")
    assert _route(_chats(), failing_since=NOW - timedelta(minutes=29)) == Route("telegram", "1001")


def test_the_other_chat_takes_over_when_the_preferred_cannot():
    fallback = Route("zalo", "abc", fallback=True, instead_of="telegram")
    assert _route(_chats(telegram_unreachable=True)) == fallback
    assert _route(_chats(), failing_since=NOW - HALF_HOUR) == fallback
    assert _route(_chats(), running={"zalo"}) == fallback


def test_with_no_usable_other_chat_the_preferred_is_kept_unless_it_refused_the_bot():
    assert _route(_chats(zalo_unreachable=True), failing_since=NOW - timedelta(hours=2)) == Route(
        "telegram", "1001"
    )
    assert _route(_chats(telegram_unreachable=True, zalo_unreachable=True)) is None
    assert _route(_chats()[:1], running={"zalo"}) == Route("telegram", "1001")
