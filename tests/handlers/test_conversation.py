"""What officers, coordinators and strangers see when they write to the bot."""

from __future__ import annotations

from sqlmodel import select

from core.messages import Incoming
from db.agencies import resolve_agency
from db.contacts import create_invite
from db.engine import session_scope
from db.models import ContactRole, Reminder, StatusUpdate, Task, TaskStatus
from handlers.context import BotContext
from handlers.conversation import handle
from tests.factories import draft, local, plan, policy, store_plan

NOW = local(2026, 6, 1, 9)


def _context(engine) -> BotContext:
    return BotContext(engine=engine, clock=lambda: NOW, policy_loader=lambda session: policy())


def _seed(engine) -> dict[str, str]:
    """Two tasks for Sở Nội vụ, one for Sở Tài chính, and invite codes."""
    with session_scope(engine) as session:
        store_plan(
            session,
            plan(
                draft("1", "Tổ chức hội nghị", "Sở Nội vụ", "ngày 30/06/2026"),
                draft("2", "Biên soạn tài liệu", "Sở Nội vụ", "Quý III/2026"),
                draft("3", "Báo cáo tài chính", "Sở Tài chính", "Tháng 7/2026"),
            ),
            today=NOW.date(),
        )
        codes = {
            role: create_invite(
                session, agency=resolve_agency(session, agency), role=role, now=NOW
            ).code
            for role, agency in (
                (ContactRole.OFFICER, "Sở Nội vụ"),
                (ContactRole.COORDINATOR, "Văn phòng UBND tỉnh"),
            )
        }
    return {"officer": codes[ContactRole.OFFICER], "coordinator": codes[ContactRole.COORDINATOR]}


async def _say(engine, chat_id: str, text: str, **extra) -> str:
    answers = handle(
        Incoming(channel="telegram", chat_id=chat_id, text=text, **extra), _context(engine)
    )
    return "\n".join(answer.text for answer in answers)


async def test_stranger_is_refused_politely_with_how_to_join(engine):
    for text in ("/tiendo", "xong", "/start", "/nhiemvu"):
        answer = await _say(engine, "999", text)
        assert "mã mời" in answer and "/start" in answer


async def test_invite_registers_the_chat_and_plans_its_reminders(engine):
    codes = _seed(engine)
    answer = await _say(engine, "100", f"/start {codes['officer']}", sender_name="Nguyễn Văn A")
    assert "Sở Nội vụ" in answer
    with session_scope(engine) as session:
        assert len(session.exec(select(Reminder)).all()) == 8  # 2 tasks x 4 offsets
    again = await _say(engine, "101", f"/start {codes['officer']}")
    assert "đã được sử dụng" in again


async def test_reply_with_task_ref_updates_the_task_and_keeps_the_words(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}", sender_name="Nguyễn Văn A")
    answer = await _say(engine, "100", "1 đang làm 60%")
    assert "60%" in answer
    with session_scope(engine) as session:
        task = session.exec(select(Task).where(Task.ref == "1")).one()
        assert (task.status, task.progress) == (TaskStatus.IN_PROGRESS, 60)
        update = session.exec(select(StatusUpdate)).one()
        assert (update.text, update.chat_id, update.channel) == (
            "1 đang làm 60%",
            "100",
            "telegram",
        )


async def test_ambiguous_reply_asks_which_task_with_buttons(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    answers = handle(Incoming(channel="telegram", chat_id="100", text="xong"), _context(engine))
    assert len(answers[0].buttons) == 2  # the agency's two open tasks
    # Each button names its task: "1. 2" (choice 1, task 2) read as nonsense on a phone.
    assert [button.label for button in answers[0].buttons] == ["Nhiệm vụ 1", "Nhiệm vụ 2"]
    listed = answers[0].text.splitlines()[1:]
    assert [line.split(" — ")[0] for line in listed] == [
        "• 1. Tổ chức hội nghị",
        "• 2. Biên soạn tài liệu",
    ]
    pressed = answers[0].buttons[0]
    confirmation = await _say(engine, "100", pressed.label, button_data=pressed.data)
    assert confirmation == "✅ Đã ghi nhận: nhiệm vụ 1 đã hoàn thành. Cảm ơn bạn!"
    with session_scope(engine) as session:
        statuses = {task.ref: task.status for task in session.exec(select(Task))}
        assert statuses == {
            "1": TaskStatus.DONE,
            "2": TaskStatus.NOT_STARTED,  # the button not pressed changed nothing
            "3": TaskStatus.NOT_STARTED,
        }
        (update,) = session.exec(select(StatusUpdate)).all()
        assert (update.new_status, update.chat_id, update.channel) == ("done", "100", "telegram")


async def test_the_in_progress_button_records_the_status_and_says_so(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    with session_scope(engine) as session:
        task = session.exec(select(Task).where(Task.ref == "2")).one()
    answer = await _say(engine, "100", "Đang thực hiện", button_data=f"st:{task.id}:in_progress")
    assert answer == "⏳ Đã ghi nhận: nhiệm vụ 2 đang thực hiện."
    with session_scope(engine) as session:
        assert session.get(Task, task.id).status == TaskStatus.IN_PROGRESS
        (update,) = session.exec(select(StatusUpdate)).all()
        assert (update.task_id, update.text, update.new_status, update.chat_id) == (
            task.id,
            "Đang thực hiện",
            "in_progress",
            "100",
        )


async def test_officer_cannot_update_another_agencys_task(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    with session_scope(engine) as session:
        other = session.exec(select(Task).where(Task.ref == "3")).one()
    answer = await _say(engine, "100", "Hoàn thành", button_data=f"st:{other.id}:done")
    assert "đơn vị khác" in answer
    with session_scope(engine) as session:
        assert session.get(Task, other.id).status == TaskStatus.NOT_STARTED


async def test_coordinator_sees_the_whole_summary_officer_only_their_agency(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    await _say(engine, "500", f"/start {codes['coordinator']}")
    await _say(engine, "100", "1 xong")
    coordinator_view = await _say(engine, "500", "/tiendo")
    assert "Tổng số: 3 nhiệm vụ" in coordinator_view
    assert "Hoàn thành đúng hạn: 1" in coordinator_view
    assert "Đang thực hiện, trong hạn: 2" in coordinator_view
    officer_view = await _say(engine, "100", "/tiendo")
    assert "Tổng số: 2 nhiệm vụ" in officer_view


async def test_unclear_reply_asks_again_without_changing_anything(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    answer = await _say(engine, "100", "1 hôm nay trời đẹp quá")
    assert "chưa hiểu" in answer
    with session_scope(engine) as session:
        assert session.exec(select(StatusUpdate)).all() == []


async def test_a_previewed_file_is_imported_once_or_not_at_all(engine):
    from pathlib import Path

    from core.messages import FileUpload

    codes = _seed(engine)
    await _say(engine, "500", f"/start {codes['coordinator']}")
    sample = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"
    upload = FileUpload("ke-hoach-mau.txt", sample.read_bytes())
    context = _context(engine)

    cancelled = (handle(Incoming(channel="telegram", chat_id="500", upload=upload), context))[0]
    cancel_data = dict((b.label, b.data) for b in cancelled.buttons)["Hủy"]
    assert "Đã hủy" in await _say(engine, "500", "Hủy", button_data=cancel_data)
    import_data = cancel_data.replace(":no", ":ok")
    assert "đã đóng" in await _say(engine, "500", "Nhập kế hoạch", button_data=import_data)

    preview = (handle(Incoming(channel="telegram", chat_id="500", upload=upload), context))[0]
    import_data = dict((b.label, b.data) for b in preview.buttons)["Nhập kế hoạch"]
    assert "7 mới" in await _say(engine, "500", "Nhập kế hoạch", button_data=import_data)
    assert "đã đóng" in await _say(engine, "500", "Nhập kế hoạch", button_data=import_data)
    with session_scope(engine) as session:
        assert len(session.exec(select(Task)).all()) == 3 + 7


async def test_only_coordinators_may_bring_a_plan_in_by_chat(engine):
    from pathlib import Path

    from core.messages import FileUpload

    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    sample = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"
    upload = FileUpload("ke-hoach-mau.txt", sample.read_bytes())
    officer = handle(Incoming(channel="telegram", chat_id="100", upload=upload), _context(engine))
    assert "Chỉ đầu mối tổng hợp mới nhập được" in officer[0].text and not officer[0].buttons
    stranger = handle(Incoming(channel="telegram", chat_id="999", upload=upload), _context(engine))
    assert "mã mời" in stranger[0].text and not stranger[0].buttons
    with session_scope(engine) as session:
        assert len(session.exec(select(Task)).all()) == 3


async def test_a_named_task_that_is_not_open_is_never_swapped_for_another(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    assert await _say(engine, "100", "2 xong") == (
        "✅ Đã ghi nhận: nhiệm vụ 2 đã hoàn thành. Cảm ơn bạn!"
    )
    # Sent twice (phones do that): the second must not close task 1, the only one left open.
    again = await _say(engine, "100", "2 xong")
    assert "Nhiệm vụ 2 đã được ghi nhận hoàn thành" in again  # it says so
    assert "không có nhiệm vụ II.3" in await _say(engine, "100", "II.3 xong")
    with session_scope(engine) as session:
        task_one = session.exec(select(Task).where(Task.ref == "1")).one()
        assert task_one.status == TaskStatus.NOT_STARTED


async def test_a_repeated_done_keeps_the_first_completion_date(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    await _say(engine, "100", "1 xong")
    with session_scope(engine) as session:
        task = session.exec(select(Task).where(Task.ref == "1")).one()
    later = BotContext(
        engine=engine, clock=lambda: local(2026, 7, 3, 9), policy_loader=lambda session: policy()
    )
    answers = handle(
        Incoming(
            channel="telegram", chat_id="100", text="Hoàn thành", button_data=f"st:{task.id}:done"
        ),
        later,
    )
    assert "đã được ghi nhận hoàn thành" in answers[0].text
    with session_scope(engine) as session:
        task = session.get(Task, task.id)
        assert task.completed_on == NOW.date()
        assert len(session.exec(select(StatusUpdate)).all()) == 1


async def test_forged_buttons_and_odd_text_get_a_clear_answer(engine):
    codes = _seed(engine)
    await _say(engine, "100", f"/start {codes['officer']}")
    for data in (
        "st:99999999999999999999:done",
        "st:²:done",
        "st:1:in_progress:²",
        "st:1:in_progress:999",
        "imp:x:ok",
    ):
        assert "không còn hiệu lực" in await _say(engine, "100", "x", button_data=data)
    assert "chưa hiểu" in await _say(engine, "100", "1 \x00 ???")
    with session_scope(engine) as session:
        assert session.exec(select(StatusUpdate)).all() == []


async def test_officer_of_a_coordinating_agency_cannot_update_the_leads_task(engine):
    with session_scope(engine) as session:
        store_plan(
            session,
            plan(
                draft(
                    "1",
                    "Tổ chức hội nghị",
                    "Sở Nội vụ",
                    "ngày 30/06/2026",
                    coordinators=["Sở Tài chính"],
                )
            ),
            today=NOW.date(),
        )
        code = create_invite(
            session,
            agency=resolve_agency(session, "Sở Tài chính"),
            role=ContactRole.OFFICER,
            now=NOW,
        ).code
        task_id = session.exec(select(Task)).one().id
    await _say(engine, "300", f"/start {code}")
    assert "đơn vị khác" in await _say(
        engine, "300", "Hoàn thành", button_data=f"st:{task_id}:done"
    )
