"""What readers hand to extractors, and what extractors hand to the importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schedules.deadlines import Deadline


@dataclass(slots=True)
class Table:
    """A table as read from a file: rows of cell strings (a cell may hold newlines)."""

    rows: list[list[str]]


@dataclass(slots=True)
class Document:
    """A document in reading order: paragraphs (one str each) and tables."""

    source: str
    blocks: list[str | Table] = field(default_factory=list)


@dataclass(slots=True)
class TaskDraft:
    """One task as the document states it, before anything is written."""

    ref: str
    content: str
    lead: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    executors: list[str] = field(default_factory=list)
    result: str = ""
    deadline_text: str = ""
    deadline: Deadline | None = None

    def as_dict(self) -> dict[str, Any]:
        """The task object of domain.md section 6."""
        deadline = self.deadline.as_dict() if self.deadline else None
        return {
            "ref": self.ref,
            "content": self.content,
            "lead": list(self.lead),
            "coordinators": list(self.coordinators),
            "executors": list(self.executors),
            "result": self.result,
            "deadline_text": self.deadline_text,
            "deadline": deadline,
        }


@dataclass(slots=True)
class ExtractedPlan:
    """All the tasks found in one document."""

    source: str
    tasks: list[TaskDraft]
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The object of domain.md section 6."""
        return {"source": self.source, "tasks": [task.as_dict() for task in self.tasks]}
