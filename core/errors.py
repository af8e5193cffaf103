"""The one error type whose message is meant for the person who caused it."""


class UserError(Exception):
    """Bad input with a Vietnamese explanation; shown as is, never with a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
