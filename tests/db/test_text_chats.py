"""Seen events and offered choices on both databases (the upserts differ by dialect)."""

from __future__ import annotations

from core.clock import utcnow
from core.messages import Button
from db.engine import session_scope
from db.text_chats import first_sighting, offer_choices, offered_choice


def test_an_event_is_new_once_and_the_newest_choice_list_replaces_the_last(engine):
    now = utcnow()
    with session_scope(engine) as session:
        assert first_sighting(session, channel="zalo", event_id="a1", now=now)
        assert not first_sighting(session, channel="zalo", event_id="a1", now=now)
        assert first_sighting(session, channel="console", event_id="a1", now=now)
        offer_choices(session, channel="zalo", chat_id="c", buttons=[Button("Có", "x:1")], now=now)
        offer_choices(
            session,
            channel="zalo",
            chat_id="c",
            buttons=[Button("Hoàn thành", "st:1:done"), Button("Đang làm", "st:1:in_progress")],
            now=now,
        )
    with session_scope(engine) as session:
        choice = offered_choice(session, channel="zalo", chat_id="c", number=2, now=now)
        assert choice == Button("Đang làm", "st:1:in_progress")
        assert offered_choice(session, channel="zalo", chat_id="c", number=3, now=now) is None
