"""What every handler may use: the store, the clock, the reminder policy, and the request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from core.messages import Incoming
from db.models import Contact
from schedules.planning import ReminderPolicy


@dataclass(frozen=True)
class BotContext:
    """Shared services, built once at start-up and handed to every handler."""

    engine: Engine
    clock: Callable[[], datetime]
    policy_loader: Callable[[Session], ReminderPolicy]
    zone_name: str = "Asia/Ho_Chi_Minh"
    # An officer's "done" waits for a coordinator's confirmation (off: done at once).
    confirm_completion: bool = True

    def today(self) -> date:
        """The people's date now."""
        from zoneinfo import ZoneInfo

        return self.clock().astimezone(ZoneInfo(self.zone_name)).date()


@dataclass(frozen=True)
class Request:
    """One message inside the transaction that answers it.

    `contact` is None only for the few commands a stranger may use (joining, help).
    """

    session: Session
    incoming: Incoming
    contact: Contact | None
    context: BotContext

    def today(self) -> date:
        """The people's date now."""
        return self.context.today()

    def now(self) -> datetime:
        """The current moment, aware UTC."""
        return self.context.clock()
