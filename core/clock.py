"""The one clock: aware UTC now, which a test or a demo may pin to a fixed moment."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

# Set once at start-up (settings or a test hook); the service then lives at that moment plus
# the real time elapsed since, so schedules still advance.
_offset = timedelta(0)


def utcnow() -> datetime:
    """The current time, aware, in UTC (shifted when the clock is pinned)."""
    return datetime.now(UTC) + _offset


def clock_offset() -> timedelta:
    """How far the service's clock is ahead of the machine's (zero unless pinned)."""
    return _offset


def pin_clock(moment: datetime | None) -> None:
    """Make `utcnow()` start from `moment` now (None: the real time again)."""
    global _offset
    if moment is None:
        _offset = timedelta(0)
        return
    if moment.tzinfo is None:
        raise ValueError("pin_clock needs an aware datetime")
    _offset = moment - datetime.now(UTC)


def pin_clock_from_environment() -> None:
    """Honour NHACVIEC_NOW (ISO 8601 with zone) so a whole process can run on a chosen day."""
    from core.errors import UserError
    from core.i18n import _

    value = os.environ.get("NHACVIEC_NOW", "").strip()
    if not value:
        return
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UserError(
            _("NHACVIEC_NOW must be a date and time with its zone, e.g. 2026-12-28T08:00+07:00.")
        )
    pin_clock(moment)
