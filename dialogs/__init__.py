"""The dialogue engine and the guide as data.

Pure by design: nothing here imports telegram, aiosqlite or sqlite3, so the
whole coach can be driven from tests, the terminal or Telegram alike.
"""

from dialogs.engine import step
from dialogs.model import (
    Button,
    Choice,
    Command,
    Event,
    Reply,
    Step,
    Text,
    Timer,
    Unsupported,
    UserState,
)

__all__ = [
    "Button",
    "Choice",
    "Command",
    "Event",
    "Reply",
    "Step",
    "Text",
    "Timer",
    "Unsupported",
    "UserState",
    "step",
]
