"""Deadline phrases of Vietnamese plans ("Quý I/2026", "Hằng năm", "Thường xuyên") as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

DeadlineKind = Literal["fixed", "recurring", "ongoing", "undetermined"]
Recurrence = Literal["yearly", "semiannual", "quarterly", "monthly", "weekly"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A parsed deadline phrase (domain.md section 3 and 6)."""

    kind: DeadlineKind
    due: date | None = None
    recurrence: Recurrence | None = None
    milestones: tuple[date, ...] = ()
    # (day, month) a recurring phrase names, e.g. "trước ngày 15/12 hằng năm" -> (14, 12).
    anchor: tuple[int, int] | None = None
    text: str = ""
    # False when the grammar did not know the phrase: the task is flagged for a coordinator.
    understood: bool = True

    def next_due(self, today: date) -> date | None:
        """The next due date on or after today (fixed: its due date; ongoing: None)."""
        raise NotImplementedError  # filled in by the grammar work (issue 4)

    def as_dict(self) -> dict[str, Any]:
        """The deadline object of domain.md section 6."""
        return {
            "kind": self.kind,
            "due": self.due.isoformat() if self.due else None,
            "recurrence": self.recurrence,
            "milestones": [milestone.isoformat() for milestone in self.milestones],
        }


def parse_deadline(text: str, *, today: date | None = None) -> Deadline:
    """Read a deadline phrase; unknown or impossible phrases give kind 'undetermined'."""
    raise NotImplementedError  # filled in by the grammar work (issue 4)
