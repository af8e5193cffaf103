"""Why a task may have been read wrong: shown in the preview, the review workbook and the
import summary, so that a coordinator knows which rows to look at."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from core.i18n import _
from plans.agencies import canonical_agency, is_generic_group
from plans.model import TaskDraft

LEAD_UNKNOWN = "lead_unknown"
DEADLINE_NOT_UNDERSTOOD = "deadline_not_understood"
CONTENT_SHORT = "content_short"
GROUP_LEAD = "group_lead"
DOUBTS = (LEAD_UNKNOWN, DEADLINE_NOT_UNDERSTOOD, CONTENT_SHORT, GROUP_LEAD)

# Fewer words than this is rarely a task ("Tuyên truyền", "1.1"): a cell read in the wrong column.
_SHORT_CONTENT_WORDS = 4


def task_doubts(task: TaskDraft, *, is_known: Callable[[str], bool] | None = None) -> list[str]:
    """The reasons to check a task, in DOUBTS order (none for a task that looks right).

    `is_known` says whether the store knows an agency the built-in table does not (an alias
    a coordinator added)."""
    reasons: list[str] = []
    leads = [name for name in task.lead if name.strip()]
    groups = [name for name in leads if is_generic_group(name)]
    named = [name for name in leads if name not in groups]
    if not leads or any(
        canonical_agency(name) is None and not (is_known and is_known(name)) for name in named
    ):
        reasons.append(LEAD_UNKNOWN)
    if task.deadline is not None and not task.deadline.understood:
        reasons.append(DEADLINE_NOT_UNDERSTOOD)
    if len(task.content.split()) < _SHORT_CONTENT_WORDS:
        reasons.append(CONTENT_SHORT)
    if groups and not named:
        reasons.append(GROUP_LEAD)
    return reasons


def doubt_label(reason: str) -> str:
    """A reason in the words a coordinator reads."""
    labels = {
        LEAD_UNKNOWN: _("lead unknown"),
        DEADLINE_NOT_UNDERSTOOD: _("deadline not understood"),
        CONTENT_SHORT: _("content very short"),
        GROUP_LEAD: _("the lead is a group that subscribes no one"),
    }
    return labels.get(reason, reason)


def doubt_text(reasons: Iterable[str]) -> str:
    """Reasons joined for a cell or a preview line ("lead unknown; deadline not understood")."""
    return "; ".join(doubt_label(reason) for reason in reasons)


def doubt_counts(
    tasks: Iterable[TaskDraft], *, is_known: Callable[[str], bool] | None = None
) -> Counter[str]:
    """How many tasks carry each reason."""
    counts: Counter[str] = Counter()
    for task in tasks:
        counts.update(task_doubts(task, is_known=is_known))
    return counts


def doubt_summary(counts: Counter[str]) -> str:
    """ "To check: 2 lead unknown, 1 deadline not understood", or "" when nothing is doubtful."""
    parts = [
        _("{count} {reason}").format(count=counts[reason], reason=doubt_label(reason))
        for reason in DOUBTS
        if counts.get(reason)
    ]
    return _("To check: {parts}").format(parts=", ".join(parts)) if parts else ""
