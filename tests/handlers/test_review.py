"""The coordinator's side: confirmations, extensions, blockers, and who may decide what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from core.messages import Incoming
from db.agencies import resolve_agency
from db.contacts import create_invite
from db.engine import session_scope
from db.models import (
    ContactRole,
    Notice,
    NoticeKind,
    Plan,
    Reminder,
    ReminderState,
    StatusUpdate,
    Task,
    TaskStatus,
)
from handlers.context import BotContext
from handlers.conversation import handle
from tests.factories import draft, local, plan, policy, store_plan

NOW = local(2026, 6, 1, 9)


def _context(engine, now=NOW, **extra) -> BotContext:
    return BotContext(
        engine=engine, clock=lambda: now, policy_loader=lambda session: policy(), **extra
    )


def _say(engine, chat_id: str, text: str, now=NOW, **extra) -> str:
    answers = _answers(engine, chat_id, text, now=now, **extra)
    return "\n".join(answer.text for answer in answers)


def _answers(engine, chat_id: str, text: str, now=NOW, context=None, **extra):
    incoming = Incoming(
        channel="telegram", chat_id=chat_id, text=text, sender_name=chat_id, **extra
    )
    return handle(incoming, context or _context(engine, now))


def _seed(engine) -> dict[str, str]:
    """Plan A: two tasks of Sở Nội vụ; plan B: one of Sở Tài chính; invite codes."""
    with session_scope(engine) as session:
        store_plan(
            session,
            plan(
                draft("1", "Tổ chức hội nghị", "Sở Nội vụ", "ngày 30/06/2026"),
                draft("2", "Biên soạn tài liệu", "Sở Nội vụ", "ngày 05/06/2026"),
            ),
            today=NOW.date(),
            key="ke-hoach-a",
        )
        store_plan(
            session,
            plan(draft("1", "Báo cáo tài chính", "Sở Tài chính", "Tháng 7/2026")),
            today=NOW.date(),
            key="ke-hoach-b",
        )
        plan_b = session.exec(select(Plan).where(Plan.source_key == "ke-hoach-b")).one()

        def code(agency, role, plan_id=None):
            return create_invite(
                session, agency=resolve_agency(session, agency), role=role, now=NOW, plan_id=plan_id
            ).code

        codes = {
            "officer": code("Sở Nội vụ", ContactRole.OFFICER),
            "officer_b": code("Sở Tài chính", ContactRole.OFFICER),
            "coordinator": code("Văn phòng UBND tỉnh", ContactRole.COORDINATOR),
            "coordinator_b": code("Sở Tài chính", ContactRole.COORDINATOR, plan_b.id),
        }
    for chat, name in (
        ("100", "officer"),
        ("200", "officer_b"),
        ("500", "coordinator"),
        ("600", "coordinator_b"),
    ):
        assert "Chào mừng" in _say(engine, chat, f"/start {codes[name]}")
    return codes


def _notices(engine, chat_id: str) -> list[Notice]:
    from db.models import Contact

    with session_scope(engine) as session:
        rows = session.exec(
            select(Notice)
            .join(Contact, col(Contact.id) == Notice.contact_id)
            .where(Contact.chat_id == chat_id)
            .order_by(Notice.id)
        ).all()
        session.expunge_all()
        return list(rows)


def _task(engine, source_key: str, ref: str) -> Task:
    with session_scope(engine) as session:
        task = session.exec(
            select(Task)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(Plan.source_key == source_key, Task.ref == ref)
        ).one()
        session.expunge(task)
        return task


def _press(engine, chat_id: str, notice: Notice, label: str, now=NOW) -> str:
    data = dict(notice.buttons)[label]
    return _say(engine, chat_id, label, now=now, button_data=data)


def test_done_waits_for_confirmation_and_counts_done_on_the_day_reported(engine):
    _seed(engine)
    answer = _say(engine, "100", "1 xong, đã gửi báo cáo số 12/BC")
    assert "chờ đầu mối tổng hợp xác nhận" in answer
    assert _task(engine, "ke-hoach-a", "1").status == TaskStatus.AWAITING_CONFIRMATION
    # The province office coordinates every plan; the plan-B coordinator hears nothing.
    [notice] = _notices(engine, "500")
    assert notice.kind == NoticeKind.CONFIRM_REQUEST
    assert "Tổ chức hội nghị" in notice.text and "12/BC" in notice.text and "100" in notice.text
    assert [label for label, _data in notice.buttons] == ["Xác nhận hoàn thành", "Yêu cầu bổ sung"]
    assert _notices(engine, "600") == []
    # Already counted as done on time, and no more reminders for it.
    assert "Hoàn thành đúng hạn: 1" in _say(engine, "500", "/tiendo")
    with session_scope(engine) as session:
        task_id = _task(engine, "ke-hoach-a", "1").id
        states = session.exec(select(Reminder.state).where(Reminder.task_id == task_id)).all()
        assert set(states) == {ReminderState.CANCELLED}

    later = local(2026, 7, 3, 10)  # confirmed after the deadline: still done on time
    confirmed = _press(engine, "500", notice, "Xác nhận hoàn thành", now=later)
    assert "Đã xác nhận" in confirmed
    task = _task(engine, "ke-hoach-a", "1")
    assert (task.status, task.completed_on) == (TaskStatus.DONE, date(2026, 6, 1))
    assert "Hoàn thành đúng hạn: 1" in _say(engine, "500", "/tiendo", now=later)
    told = _notices(engine, "100")[-1]
    assert told.kind == NoticeKind.DECISION and "xác nhận hoàn thành nhiệm vụ 1" in told.text
    # A second press (or the other button) changes nothing.
    assert "đã được xử lý" in _press(engine, "500", notice, "Xác nhận hoàn thành", now=later)
    assert "đã được xử lý" in _press(engine, "500", notice, "Yêu cầu bổ sung", now=later)


def test_asking_for_more_reopens_the_task_and_tells_the_officer_why(engine):
    _seed(engine)
    _say(engine, "100", "1 xong")
    [notice] = _notices(engine, "500")
    question = _press(engine, "500", notice, "Yêu cầu bổ sung")
    assert "lý do" in question
    answer = _say(engine, "500", "Thiếu biên bản hội nghị")
    assert "trở lại trạng thái đang thực hiện" in answer
    task = _task(engine, "ke-hoach-a", "1")
    assert (task.status, task.completed_on) == (TaskStatus.IN_PROGRESS, None)
    told = _notices(engine, "100")[-1]
    assert "Thiếu biên bản hội nghị" in told.text
    # The record keeps the coordinator's words, not the label of the button they pressed.
    decided = _history(engine, "ke-hoach-a", "1")[-1]
    assert (decided.text, decided.note) == ("Thiếu biên bản hội nghị", "Thiếu biên bản hội nghị")
    # The reason was the prompt's answer, not a status reply: the next text is a reply again.
    assert "Đang thực hiện, trong hạn: 3" in _say(engine, "500", "/tiendo")


def test_a_reason_typed_after_the_task_was_decided_changes_nothing(engine):
    _seed(engine)
    _say(engine, "100", "1 xong")
    [notice] = _notices(engine, "500")
    _press(engine, "500", notice, "Yêu cầu bổ sung")
    assert "Đã xác nhận" in _press(engine, "500", notice, "Xác nhận hoàn thành")
    answer = _say(engine, "500", "Thiếu biên bản hội nghị")
    assert "đã được xử lý" in answer and "hoàn thành" in answer
    assert _task(engine, "ke-hoach-a", "1").status == TaskStatus.DONE


def test_a_coordinator_may_cancel_the_question_with_huy(engine):
    _seed(engine)
    _say(engine, "100", "1 xong")
    [notice] = _notices(engine, "500")
    _press(engine, "500", notice, "Yêu cầu bổ sung")
    assert "Đã hủy" in _say(engine, "500", "hủy")
    assert _task(engine, "ke-hoach-a", "1").status == TaskStatus.AWAITING_CONFIRMATION
    assert len(_notices(engine, "100")) == 0  # the officer is told nothing


def test_confirmation_can_be_turned_off(engine):
    _seed(engine)
    context = _context(engine, confirm_completion=False)
    answers = _answers(engine, "100", "1 xong", context=context)
    assert "chờ" not in answers[0].text
    assert _task(engine, "ke-hoach-a", "1").status == TaskStatus.DONE
    assert _notices(engine, "500") == []


def test_approved_extension_moves_the_deadline_and_replans_reminders(engine):
    _seed(engine)
    answer = _say(engine, "100", "1 xin gia hạn đến 15/7/2026 vì chờ ý kiến các sở")
    assert "15/07/2026" in answer
    [notice] = _notices(engine, "500")
    assert notice.kind == NoticeKind.EXTENSION_REQUEST and "15/07/2026" in notice.text
    assert [label for label, _data in notice.buttons] == ["Duyệt gia hạn", "Không duyệt"]
    approved = _press(engine, "500", notice, "Duyệt gia hạn")
    assert "15/07/2026" in approved
    task = _task(engine, "ke-hoach-a", "1")
    assert (task.due_date, task.original_due_date) == (date(2026, 7, 15), date(2026, 6, 30))
    assert task.status == TaskStatus.NOT_STARTED  # as before the request
    with session_scope(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.task_id == task.id)).all()
        pending = {r.cycle for r in rows if r.state == ReminderState.PENDING}
        assert pending == {date(2026, 7, 15)}
        assert all(r.state == ReminderState.CANCELLED for r in rows if r.cycle == date(2026, 6, 30))
    assert "thời hạn mới" in _notices(engine, "100")[-1].text
    # Done after the plan's date but before the approved one: done on time.
    after_original = local(2026, 7, 10, 9)
    _say(engine, "100", "1 xong", now=after_original)
    _press(engine, "500", _notices(engine, "500")[-1], "Xác nhận hoàn thành", now=after_original)
    summary = _say(engine, "500", "/tiendo", now=after_original)
    assert "Hoàn thành đúng hạn: 1" in summary and "Hoàn thành quá hạn: 0" in summary
    history = _say(engine, "500", "/lichsu 1", now=after_original)
    assert "đã gia hạn" in history and "Duyệt gia hạn đến" in history


def test_refused_extension_tells_the_officer_the_reason(engine):
    _seed(engine)
    _say(engine, "100", "2 đang làm 40%")
    _say(engine, "100", "2 xin gia hạn đến 20/6/2026")
    notice = _notices(engine, "500")[-1]
    _press(engine, "500", notice, "Không duyệt")
    assert "Không duyệt" in _say(engine, "500", "Đã quá nhiều lần gia hạn")
    task = _task(engine, "ke-hoach-a", "2")
    assert (task.status, task.due_date) == (TaskStatus.IN_PROGRESS, date(2026, 6, 5))
    told = _notices(engine, "100")[-1]
    assert "không duyệt" in told.text and "Đã quá nhiều lần gia hạn" in told.text


def test_a_request_without_a_date_is_completed_by_the_date(engine):
    _seed(engine)
    asked = _say(engine, "100", "2 xin gia hạn")
    assert "đến 15/3" in asked
    assert _notices(engine, "500") == []  # nothing to decide yet
    answer = _say(engine, "100", "đến 20/6")
    assert "20/06/2026" in answer
    assert _task(engine, "ke-hoach-a", "2").requested_until == date(2026, 6, 20)
    # The completed request keeps both messages' words: the date alone says nothing.
    completed = _history(engine, "ke-hoach-a", "2")[-1]
    assert (completed.text, completed.requested_until) == (
        "2 xin gia hạn / đến 20/6",
        date(2026, 6, 20),
    )
    [notice] = _notices(engine, "500")
    assert "2 xin gia hạn / đến 20/6" in notice.text
    replaced = _say(engine, "100", "2 xin gia hạn đến 25/6/2026")
    assert "thay thế" in replaced and "20/06/2026" in replaced
    first, second = _notices(engine, "500")
    # The first request's buttons decide nothing now, and point to the latest.
    assert "đề nghị mới hơn thay thế" in _press(engine, "500", first, "Duyệt gia hạn")
    assert _task(engine, "ke-hoach-a", "2").due_date == date(2026, 6, 5)
    _press(engine, "500", second, "Duyệt gia hạn")
    assert _task(engine, "ke-hoach-a", "2").due_date == date(2026, 6, 25)


def test_a_report_placed_by_choosing_its_task_keeps_the_words_written(engine):
    _seed(engine)
    # Sở Nội vụ leads two open tasks: the officer is asked which one, then chooses.
    [question] = _answers(engine, "100", "đang làm 60%")
    assert {button.label for button in question.buttons} == {"Nhiệm vụ 1", "Nhiệm vụ 2"}
    assert "60%" in _choose(engine, "100", question, "Nhiệm vụ 2")
    [update] = _history(engine, "ke-hoach-a", "2")
    assert (update.text, update.new_status, update.progress) == ("đang làm 60%", "in_progress", 60)

    [question] = _answers(engine, "100", "vướng mắc: chưa có kinh phí")
    _choose(engine, "100", question, "Nhiệm vụ 1")
    [update] = _history(engine, "ke-hoach-a", "1")
    assert (update.text, update.note) == ("vướng mắc: chưa có kinh phí", "chưa có kinh phí")
    [notice] = _notices(engine, "500")  # the coordinator reads the reason, not a button label
    assert notice.kind == NoticeKind.BLOCKED and "chưa có kinh phí" in notice.text

    # A reply to a message that is not a reminder asks even for the only open task; the date
    # asked for survives the question.
    [question] = _answers(engine, "200", "xin gia hạn đến 20/7/2026", reply_to_message_id="4242")
    # Another officer cannot place someone else's report, even with its button's data.
    forged = dict((button.label, button.data) for button in question.buttons)["Nhiệm vụ 1"]
    assert "không còn hiệu lực" in _say(engine, "100", "Nhiệm vụ 1", button_data=forged)
    assert _history(engine, "ke-hoach-b", "1") == []
    _choose(engine, "200", question, "Nhiệm vụ 1")
    [update] = _history(engine, "ke-hoach-b", "1")
    assert (update.text, update.requested_until) == ("xin gia hạn đến 20/7/2026", date(2026, 7, 20))
    assert "xin gia hạn đến 20/7/2026" in _notices(engine, "600")[-1].text


def test_on_a_text_only_chat_the_numbered_choice_keeps_the_words_written(engine):
    from handlers.text_chats import numbered_text, read_text_message

    _seed(engine)
    with session_scope(engine) as session:
        agency = resolve_agency(session, "Sở Nội vụ")
        code = create_invite(session, agency=agency, role=ContactRole.OFFICER, now=NOW).code

    def zalo(text: str) -> str:
        """What the Zalo channel does with a message: numbers press, choices are numbered."""
        with session_scope(engine) as session:
            incoming = read_text_message(
                session, Incoming(channel="zalo", chat_id="ab12", text=text), now=NOW
            )
        answers = handle(incoming, _context(engine))
        with session_scope(engine) as session:
            return "\n".join(
                numbered_text(session, channel="zalo", chat_id="ab12", answer=answer, now=NOW)
                for answer in answers
            )

    assert "Chào mừng" in zalo(f"/start {code}")
    asked = zalo("đang làm 30%, đã xong dự thảo")
    assert "1. Nhiệm vụ 2\n2. Nhiệm vụ 1" in asked  # nearest deadline first
    assert "30%" in zalo("2")
    [update] = _history(engine, "ke-hoach-a", "1")
    assert (update.text, update.progress, update.channel) == (
        "đang làm 30%, đã xong dự thảo",
        30,
        "zalo",
    )


def _choose(engine, chat_id: str, question, label: str) -> str:
    data = dict((button.label, button.data) for button in question.buttons)[label]
    return _say(engine, chat_id, label, button_data=data)


def _history(engine, source_key: str, ref: str) -> list[StatusUpdate]:
    task_id = _task(engine, source_key, ref).id
    with session_scope(engine) as session:
        rows = session.exec(
            select(StatusUpdate).where(StatusUpdate.task_id == task_id).order_by(StatusUpdate.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_a_blocker_reaches_the_coordinator_who_can_answer(engine):
    _seed(engine)
    _say(engine, "100", "1 vướng mắc: chưa có kinh phí")
    [notice] = _notices(engine, "500")
    assert notice.kind == NoticeKind.BLOCKED and "chưa có kinh phí" in notice.text
    _press(engine, "500", notice, "Trả lời cán bộ")
    assert "Đã gửi" in _say(engine, "500", "Sở Tài chính sẽ bố trí trong tháng 6")
    assert "bố trí trong tháng 6" in _notices(engine, "100")[-1].text


def test_scope_officers_and_other_plans_coordinators_cannot_decide(engine):
    _seed(engine)
    _say(engine, "100", "1 xong")
    [notice] = _notices(engine, "500")
    data = dict(notice.buttons)["Xác nhận hoàn thành"]
    # The officer forging the coordinator's button, and the plan-B coordinator.
    assert "không còn hiệu lực" in _say(engine, "100", "x", button_data=data)
    assert "không còn hiệu lực" in _say(engine, "600", "x", button_data=data)
    for forged in ("rv:c:999999", "rv:c:-1", "rv:z:1", "rv:c", "rv:c:1:2", "rv:c:１"):
        assert "không còn hiệu lực" in _say(engine, "500", "x", button_data=forged)
    assert _task(engine, "ke-hoach-a", "1").status == TaskStatus.AWAITING_CONFIRMATION
    # The plan-B coordinator may not update plan A's task through a status button either.
    task_a = _task(engine, "ke-hoach-a", "2")
    assert "đơn vị khác" in _say(engine, "600", "x", button_data=f"st:{task_a.id}:done")
    # The province office narrows to one plan by its name.
    assert "Tổng số: 1 nhiệm vụ" in _say(engine, "500", "/tiendo ke-hoach-b")
    assert "Các kế hoạch của bạn" in _say(engine, "500", "/tiendo khong-co-ke-hoach")
    assert "Các kế hoạch của bạn" in _say(engine, "600", "/tiendo ke-hoach-a")
    # ... and sees only plan B in /tiendo, /quahan and /lichsu.
    assert "Tổng số: 1 nhiệm vụ" in _say(engine, "600", "/tiendo")
    assert "Không có nhiệm vụ nào quá hạn" in _say(engine, "600", "/quahan", now=local(2026, 6, 10))
    assert "Không có nhiệm vụ 2" in _say(engine, "600", "/lichsu 2")
    # Officers are not offered the coordinator's lists at all.
    assert "không có quyền" in _say(engine, "100", "/choduyet")
    assert "không có quyền" in _say(engine, "100", "/quahan")
    # Nor may the plan-B coordinator date plan A's tasks, by command or by forged data.
    assert "Không tìm thấy nhiệm vụ 2" in _say(engine, "600", "/dathan 2 30/07/2026")
    forged = f"dh:{task_a.id}:20260730"
    assert "không còn hiệu lực" in _say(engine, "600", "x", button_data=forged)
    assert _task(engine, "ke-hoach-a", "2").due_date == date(2026, 6, 5)


def test_a_deadline_chosen_among_tasks_sharing_a_ref_records_the_command(engine):
    from db.models import StatusUpdate

    _seed(engine)
    [choice] = _answers(engine, "500", "/dathan 1 30/07/2026")
    assert "Có nhiều nhiệm vụ số 1" in choice.text and len(choice.buttons) == 2
    task_b = _task(engine, "ke-hoach-b", "1")
    [data] = [b.data for b in choice.buttons if b.data.startswith(f"dh:{task_b.id}:")]
    assert "30/07/2026" in _say(engine, "500", "Nhiệm vụ 1", button_data=data)
    assert _task(engine, "ke-hoach-b", "1").due_date == date(2026, 7, 30)
    with session_scope(engine) as session:
        record = session.exec(select(StatusUpdate).where(StatusUpdate.task_id == task_b.id)).one()
        assert (record.text, record.chat_id) == ("/dathan 1 30/07/2026", "500")


def test_officer_side_fixes_task_list_undo_and_replies_to_other_messages(engine):
    from datetime import timedelta

    _seed(engine)
    listing = _say(engine, "100", "/nhiemvu", now=local(2026, 6, 3, 9))
    assert "📁 " in listing
    assert "🟠 2. Biên soạn tài liệu — hạn 05/06/2026" in listing
    assert "1. Tổ chức hội nghị — hạn 30/06/2026" in listing
    overdue = _say(engine, "100", "/nhiemvu", now=local(2026, 6, 8, 9))
    assert "🔴 2. Biên soạn tài liệu — hạn 05/06/2026 — quá hạn 3 ngày" in overdue

    _say(engine, "100", "1 xong")
    assert "đã được báo cáo hoàn thành" in _say(engine, "100", "1 xong")
    undone = _say(engine, "100", "hủy", now=NOW + timedelta(minutes=5))
    assert "chưa thực hiện" in undone
    assert _task(engine, "ke-hoach-a", "1").status == TaskStatus.NOT_STARTED
    assert "Không có thay đổi nào" in _say(engine, "100", "huy", now=NOW + timedelta(minutes=6))
    _say(engine, "100", "1 đang làm 30%")
    late = _say(engine, "100", "hủy", now=NOW + timedelta(minutes=30))
    assert "Không có thay đổi nào" in late

    # Sở Tài chính's officer has one open task; a reply to some other message still asks.
    asked = _say(engine, "200", "xong", reply_to_message_id="424242")
    assert "nhiệm vụ nào" in asked
    assert _task(engine, "ke-hoach-b", "1").status == TaskStatus.NOT_STARTED


@pytest.fixture
def postgres_engine(postgres_template):
    """PostgreSQL only: SQLite has no row locks, its writers queue for the whole file."""
    from db.engine import make_engine
    from tests.conftest import _drop_postgres_database, _fresh_postgres_url

    url, name = _fresh_postgres_url(postgres_template)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    _drop_postgres_database(name)


@pytest.mark.postgres
def test_two_coordinators_confirming_at_once_act_once(postgres_engine):
    from concurrent.futures import ThreadPoolExecutor

    from db.models import StatusUpdate

    engine = postgres_engine
    _seed(engine)
    with session_scope(engine) as session:
        code = create_invite(
            session,
            agency=resolve_agency(session, "Văn phòng UBND tỉnh"),
            role=ContactRole.COORDINATOR,
            now=NOW,
        ).code
    assert "Chào mừng" in _say(engine, "501", f"/start {code}")
    _say(engine, "100", "1 xong")
    data = dict(_notices(engine, "500")[0].buttons)["Xác nhận hoàn thành"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda chat: _say(engine, chat, "Xác nhận", button_data=data), ["500", "501"])
        )
    assert sorted("Đã xác nhận" in answer for answer in answers) == [False, True]
    with session_scope(engine) as session:
        done = session.exec(select(StatusUpdate).where(StatusUpdate.new_status == "done")).all()
        assert len(done) == 1
