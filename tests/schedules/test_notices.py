"""Notices are delivered like reminders: claimed under a lease, sent at least once."""

from __future__ import annotations

from datetime import timedelta

from core.messages import Answer, Button
from db.engine import session_scope
from db.models import Contact, Notice, NoticeKind, ReminderState
from db.notices import enqueue_notice
from schedules.dispatch import RetryLater, Unreachable
from schedules.notices import claim_notices, record_notice_failure, record_notice_sent
from tests.factories import join, local

NOW = local(2026, 6, 1, 20)  # outside working hours: notices answer people, they still go


def _queue(engine) -> int:
    with session_scope(engine) as session:
        coordinator = join(session, agency="Văn phòng UBND tỉnh", chat_id="500", now=NOW)
        answer = Answer(text="Chờ xác nhận", buttons=(Button("Xác nhận", "rv:c:1"),))
        return enqueue_notice(
            session, contact=coordinator, kind=NoticeKind.CONFIRM_REQUEST, answer=answer, now=NOW
        ).id


def _claim(engine, worker: str, now=NOW):
    with session_scope(engine) as session:
        return claim_notices(session, now=now, worker=worker, lease=timedelta(seconds=60), limit=10)


def test_a_crashed_worker_releases_the_notice_and_another_sends_it_once(engine):
    notice_id = _queue(engine)
    [first] = _claim(engine, "a")
    assert first.answer.buttons == (Button("Xác nhận", "rv:c:1"),) and first.chat_id == "500"
    assert _claim(engine, "b") == []  # leased to worker a
    # Worker a dies before recording the send; after the lease, b takes it.
    [again] = _claim(engine, "b", now=NOW + timedelta(seconds=61))
    assert again.notice_id == notice_id
    with session_scope(engine) as session:
        record_notice_sent(session, notice_id=notice_id, worker="b", message_id="77", now=NOW)
    assert _claim(engine, "c", now=NOW + timedelta(hours=1)) == []
    with session_scope(engine) as session:
        notice = session.get(Notice, notice_id)
        assert (notice.state, notice.message_id, notice.attempts) == (ReminderState.SENT, "77", 2)


def test_failures_are_retried_and_a_blocked_chat_is_given_up(engine):
    notice_id = _queue(engine)
    _claim(engine, "a")
    with session_scope(engine) as session:
        state = record_notice_failure(
            session,
            notice_id=notice_id,
            worker="a",
            error=RetryLater("429", retry_after=5),
            now=NOW,
            unreachable=False,
            retry_after=5,
        )
    assert state == ReminderState.PENDING
    assert _claim(engine, "a", now=NOW + timedelta(seconds=2)) == []
    _claim(engine, "a", now=NOW + timedelta(seconds=6))
    with session_scope(engine) as session:
        state = record_notice_failure(
            session,
            notice_id=notice_id,
            worker="a",
            error=Unreachable("403"),
            now=NOW,
            unreachable=True,
            retry_after=None,
        )
        assert state == ReminderState.FAILED
        assert session.get(Contact, session.get(Notice, notice_id).contact_id).active is False
