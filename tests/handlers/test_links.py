"""/lienket: one person on Telegram and Zalo, with a preferred chat for reminders."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from core.messages import Incoming
from db.engine import session_scope
from db.links import chats_of_contacts
from db.models import Contact, ContactChat
from handlers.context import BotContext
from handlers.conversation import handle
from tests.factories import join, local, policy

NOW = local(2026, 6, 1, 9)


def _say(engine, channel: str, chat_id: str, text: str, *, now=NOW) -> str:
    context = BotContext(engine=engine, clock=lambda: now, policy_loader=lambda session: policy())
    answers = handle(Incoming(channel=channel, chat_id=chat_id, text=text), context)
    return "\n".join(answer.text for answer in answers)


def _officer(engine) -> int:
    with session_scope(engine) as session:
        return join(session, agency="Sở Nội vụ", chat_id="1001", now=NOW).id


def _code(answer: str) -> str:
    return re.search(r"/lienket (\w+)", answer).group(1)


def test_a_code_from_one_chat_links_the_other_and_the_person_is_known_there(engine):
    contact_id = _officer(engine)
    assert "chưa được đăng ký" in _say(engine, "zalo", "abc", "/nhiemvu")
    code = _code(_say(engine, "telegram", "1001", "/lienket"))
    assert "đã được liên kết" in _say(engine, "zalo", "abc", f"/lienket {code.lower()}")
    assert "chưa được đăng ký" not in _say(engine, "zalo", "abc", "/nhiemvu")
    # The code worked once.
    assert "không hợp lệ" in _say(engine, "zalo", "def", f"/lienket {code}")
    with session_scope(engine) as session:
        chats = chats_of_contacts(session, [contact_id])[contact_id]
        assert [(c.channel, c.chat_id, c.home) for c in chats] == [
            ("telegram", "1001", True),
            ("zalo", "abc", False),
        ]
        assert len(session.exec(select(Contact)).all()) == 1  # one person, one contact


def test_codes_expire_and_do_not_link_a_second_chat_of_the_same_channel(engine):
    _officer(engine)
    code = _code(_say(engine, "telegram", "1001", "/lienket"))
    assert "không hợp lệ" in _say(
        engine, "zalo", "abc", f"/lienket {code}", now=NOW + timedelta(minutes=31)
    )
    code = _code(_say(engine, "telegram", "1001", "/lienket"))
    assert "ứng dụng khác" in _say(engine, "telegram", "2002", f"/lienket {code}")


def test_the_preferred_chat_is_chosen_from_the_chat_itself(engine):
    contact_id = _officer(engine)
    code = _code(_say(engine, "telegram", "1001", "/lienket"))
    _say(engine, "zalo", "abc", f"/lienket {code}")
    assert "(Zalo)" in _say(engine, "zalo", "abc", "/lienket ưu tiên")
    with session_scope(engine) as session:
        preferred = [
            c.channel for c in chats_of_contacts(session, [contact_id])[contact_id] if c.preferred
        ]
    assert preferred == ["zalo"]
    _say(engine, "telegram", "1001", "/lienket uutien")
    with session_scope(engine) as session:
        preferred = [
            c.channel for c in chats_of_contacts(session, [contact_id])[contact_id] if c.preferred
        ]
    assert preferred == []  # the home chat again


def test_people_reachable_on_no_channel_are_listed_for_digests(engine):
    from db.digest import weekly_digest
    from db.links import mark_chat_unreachable, reachable_on_no_channel
    from handlers.notices import render_digest

    contact_id = _officer(engine)
    code = _code(_say(engine, "telegram", "1001", "/lienket"))
    _say(engine, "zalo", "abc", f"/lienket {code}")
    with session_scope(engine) as session:
        agency_id = session.get(Contact, contact_id).agency_id
        assert mark_chat_unreachable(
            session, contact_id=contact_id, channel="telegram", chat_id="1001", now=NOW
        )
        assert reachable_on_no_channel(session, agency_ids=[agency_id]) == ([], 0)
        # The last chat: nothing changes here, the delivery loop marks the contact itself.
        assert not mark_chat_unreachable(
            session, contact_id=contact_id, channel="zalo", chat_id="abc", now=NOW
        )
        session.exec(select(ContactChat)).one().unreachable_at = NOW
        listed, total = reachable_on_no_channel(session, agency_ids=[agency_id])
        assert [c.id for c in listed] == [contact_id] and total == 1
        # The coordinators' weekly digest names them.
        digest = weekly_digest(session, today=NOW.date(), since=NOW)
        assert [c.id for c in digest.unreachable] == [contact_id]
        text = render_digest(digest).text
        assert "Không liên lạc được qua kênh nào (1)" in text
    # Writing again from a chat makes it reachable again.
    _say(engine, "zalo", "abc", "/nhiemvu")
    with session_scope(engine) as session:
        assert reachable_on_no_channel(session, agency_ids=[agency_id]) == ([], 0)
