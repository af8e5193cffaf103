"""What a channel hands to handlers and what handlers hand back: no chat-library types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    """A choice the channel may render as a button or turn into a numbered line."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class FileUpload:
    """A file a person sent (a plan document), or one the bot sends back (a workbook)."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """A message to send back; `edit` asks to replace the message a button was pressed on.

    `attachment` is a file sent with the text (a channel that cannot send files says so)."""

    text: str
    buttons: tuple[Button, ...] = ()
    edit: bool = False
    attachment: FileUpload | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message or button press from a person, as any channel reports it."""

    channel: str
    chat_id: str
    text: str = ""
    sender_name: str = ""
    message_id: str | None = None
    reply_to_message_id: str | None = None
    button_data: str | None = None
    upload: FileUpload | None = None

    @property
    def command(self) -> str | None:
        """The command without its slash and bot suffix ("/tiendo@bot" -> "tiendo")."""
        if not self.text.startswith("/"):
            return None
        head = self.text.split(maxsplit=1)[0][1:]
        return head.split("@", 1)[0].lower() or None

    @property
    def arguments(self) -> str:
        """The text after a command."""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""
