"""The store keeps tasks, statuses and timestamps as people will read them back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.clock import utcnow
from db.engine import session_scope
from db.models import Reminder, StatusUpdate, Task, TaskStatus
from db.progress import Bucket, progress_summary
from db.tasks import record_status
from tests.factories import draft, join, local, plan, store_plan

TODAY = local(2026, 5, 4).date()


def _sample_plan():
    return plan(
        draft("1", "Hội nghị quán triệt", "Sở Nội vụ", "Tháng 5/2026"),
        draft("2", "Theo dõi, tổng hợp", "Sở Nội vụ", "Thường xuyên"),
        draft("3", "Báo cáo sơ kết", "Sở Tài chính", "Quý I/2026"),
        draft("4", "Tham gia ý kiến", "Sở Tài chính", "Theo đề nghị của các ngành"),
        draft("5", "Tài liệu hỏi đáp", "Sở Tài chính", "trước ngày 02/02/2026"),
    )


def test_timestamps_come_back_aware_in_utc(engine):
    with session_scope(engine) as session:
        outcome = store_plan(session, _sample_plan(), today=TODAY)
    with session_scope(engine) as session:
        task = session.get(Task, outcome.task_ids[0])
        assert task.created_at.tzinfo is not None
        assert task.created_at.utcoffset() == timedelta(0)
        assert abs(task.created_at - utcnow()) < timedelta(minutes=1)  # the service's clock


def test_reimport_updates_in_place_and_keeps_status_history(engine):
    with session_scope(engine) as session:
        first = store_plan(session, _sample_plan(), today=TODAY)
        officer = join(session, agency="Sở Nội vụ", chat_id="100", now=local(2026, 5, 4))
        task = session.get(Task, first.task_ids[0])
        record_status(
            session,
            task=task,
            contact=officer,
            channel="telegram",
            chat_id="100",
            text="đang làm 40%",
            status=TaskStatus.IN_PROGRESS,
            progress=40,
            today=TODAY,
        )
    changed = _sample_plan()
    changed.tasks[0].content = "Hội nghị quán triệt toàn tỉnh"
    with session_scope(engine) as session:
        second = store_plan(session, changed, today=TODAY)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 4)
    with session_scope(engine) as session:
        tasks = session.exec(select(Task)).all()
        assert len(tasks) == 5
        task = session.get(Task, first.task_ids[0])
        assert task.content == "Hội nghị quán triệt toàn tỉnh"
        assert (task.status, task.progress) == (TaskStatus.IN_PROGRESS, 40)
        history = session.exec(select(StatusUpdate)).all()
        assert [(h.text, h.old_status, h.new_status, h.chat_id) for h in history] == [
            ("đang làm 40%", "not_started", "in_progress", "100")
        ]


def test_progress_buckets_follow_due_dates_and_completion(engine):
    with session_scope(engine) as session:
        outcome = store_plan(session, _sample_plan(), today=TODAY)
        officer = join(session, agency="Sở Tài chính", chat_id="7", now=local(2026, 5, 4))
        ids = outcome.task_ids
        late_done = session.get(Task, ids[2])  # due 31/03, done in May: late
        record_status(
            session,
            task=late_done,
            contact=officer,
            channel="telegram",
            chat_id="7",
            text="xong",
            status=TaskStatus.DONE,
            today=TODAY,
        )
    with session_scope(engine) as session:
        counts = progress_summary(session, today=TODAY).counts
    assert counts == {
        Bucket.DONE_ON_TIME: 0,
        Bucket.DONE_LATE: 1,
        Bucket.IN_PROGRESS_ON_TIME: 1,  # Tháng 5/2026
        Bucket.OVERDUE: 1,  # trước ngày 02/02/2026
        Bucket.ONGOING: 1,
        Bucket.UNDETERMINED: 1,
    }


def test_one_reminder_per_task_contact_cycle_and_offset(engine):
    with session_scope(engine) as session:
        outcome = store_plan(session, _sample_plan(), today=TODAY)
        officer = join(session, agency="Sở Nội vụ", chat_id="100", now=local(2026, 5, 4))
        task_id, contact_id = outcome.task_ids[0], officer.id
    slot = {"task_id": task_id, "contact_id": contact_id, "cycle": TODAY, "offset_label": "1d"}
    with session_scope(engine) as session:
        session.add(Reminder(**slot, due_at=local(2026, 5, 3)))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Reminder(**slot, due_at=local(2026, 5, 3)))


def test_an_amended_plan_withdraws_dropped_tasks_and_never_moves_a_status_to_other_work(engine):
    with session_scope(engine) as session:
        first = store_plan(
            session,
            plan(
                draft("1", "Tổ chức hội nghị quán triệt nghị quyết", "Sở Nội vụ", "Tháng 5/2026"),
                draft("2", "Biên soạn tài liệu hỏi đáp về nghị quyết", "Sở Nội vụ", "Tháng 6/2026"),
                draft("3", "Báo cáo sơ kết việc thực hiện nghị quyết", "Sở Nội vụ", "Quý III/2026"),
            ),
            today=TODAY,
        )
        done = session.get(Task, first.task_ids[0])
        record_status(
            session,
            task=done,
            contact=None,
            channel="telegram",
            chat_id="1",
            text="xong",
            status=TaskStatus.DONE,
            today=TODAY,
        )
    # The amended plan drops task 1 and renumbers the rest; a new task takes ref 3.
    amended = plan(
        draft("1", "Biên soạn tài liệu hỏi đáp về nghị quyết", "Sở Nội vụ", "Tháng 6/2026"),
        draft("2", "Báo cáo sơ kết việc thực hiện nghị quyết", "Sở Tài chính", "Quý III/2026"),
        draft("3", "Tổ chức hội nghị sơ kết giữa kỳ", "Sở Nội vụ", "Tháng 9/2026"),
    )
    with session_scope(engine) as session:
        second = store_plan(session, amended, today=TODAY)
    assert second.withdrawn_refs == ["1"]
    assert (second.created, second.updated) == (1, 2)
    with session_scope(engine) as session:
        tasks = {task.content: task for task in session.exec(select(Task))}
        assert tasks["Tổ chức hội nghị quán triệt nghị quyết"].withdrawn_at is not None
        assert tasks["Tổ chức hội nghị quán triệt nghị quyết"].status == TaskStatus.DONE  # kept
        assert (
            tasks["Biên soạn tài liệu hỏi đáp về nghị quyết"].ref,
            tasks["Biên soạn tài liệu hỏi đáp về nghị quyết"].status,
        ) == ("1", TaskStatus.NOT_STARTED)
        assert tasks["Tổ chức hội nghị sơ kết giữa kỳ"].status == TaskStatus.NOT_STARTED
        assert progress_summary(session, today=TODAY).total == 3
