"""/canbo and /giaoviec: the coordinator's people and the tasks no real agency leads yet."""

from __future__ import annotations

from sqlmodel import select

from db.agencies import resolve_agency
from db.contacts import create_invite
from db.engine import session_scope
from db.models import Contact, ContactRole, Reminder
from tests.factories import draft, plan, store_plan
from tests.handlers.test_review import NOW, _say, _seed


def test_canbo_lists_contacts_and_deactivates_one_in_scope(engine):
    _seed(engine)
    listing = _say(engine, "500", "/canbo")
    assert "Sở Nội vụ" in listing and "Sở Tài chính" in listing and "chưa báo cáo" in listing
    # The plan-B coordinator sees only plan B's agencies.
    assert "Sở Nội vụ" not in _say(engine, "600", "/canbo")
    from core.messages import Incoming
    from handlers.conversation import handle
    from tests.handlers.test_review import _context

    [answer] = handle(
        Incoming(channel="telegram", chat_id="500", text="/canbo Sở Nội vụ"), _context(engine)
    )
    data = answer.buttons[0].data
    # Forged: the plan-B coordinator may not deactivate a Sở Nội vụ officer; officers never.
    assert "không còn hiệu lực" in _say(engine, "600", "x", button_data=data)
    assert "không có quyền" in _say(engine, "100", "/canbo")
    assert "không còn hiệu lực" in _say(engine, "100", "x", button_data=data)
    assert "ngừng kích hoạt" in _say(engine, "500", "x", button_data=data)
    with session_scope(engine) as session:
        officer = session.exec(select(Contact).where(Contact.chat_id == "100")).one()
        assert officer.active is False


def test_giaoviec_assigns_a_generic_groups_task_and_its_officers_get_reminders(engine):
    _seed(engine)
    with session_scope(engine) as session:
        store_plan(
            session,
            plan(draft("5", "Tuyên truyền pháp luật", "Các sở, ban, ngành", "ngày 20/06/2026")),
            today=NOW.date(),
            key="ke-hoach-c",
        )
        code = create_invite(
            session, agency=resolve_agency(session, "Sở Y tế"), role=ContactRole.OFFICER, now=NOW
        ).code
    _say(engine, "300", f"/start {code}")
    listed = _say(engine, "500", "/giaoviec")
    assert "5. Tuyên truyền pháp luật — Các sở, ban, ngành" in listed
    assert "không có quyền" in _say(engine, "100", "/giaoviec 5 Sở Nội vụ")
    assert "Không có cơ quan" in _say(engine, "500", "/giaoviec 5 Sở Không Có")
    answer = _say(engine, "500", "/giaoviec 5 Sở Y tế")
    assert "Sở Y tế chủ trì" in answer
    with session_scope(engine) as session:
        officer = session.exec(select(Contact).where(Contact.chat_id == "300")).one()
        assert session.exec(select(Reminder).where(Reminder.contact_id == officer.id)).all()
    assert "Không có nhiệm vụ nào chỉ do nhóm chung" in _say(engine, "500", "/giaoviec")
