"""Configuration from the environment and an optional .env file. Never logs the token."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from storage import default_db_path

# BotFather tokens look like 123456789:AAE... (digits, colon, 30+ url-safe characters).
TOKEN_SHAPE = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,}$")

BOTFATHER_HELP = """\
Rekindle needs a Telegram bot token to run on Telegram.

  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Pick a name and a username; BotFather replies with a token like
     123456789:AAH...  (keep it secret).
  3. Put it in the environment or in a .env file next to the Makefile:
       TELEGRAM_BOT_TOKEN=123456789:AAH...
  4. Run `make run` again.

Without a token, `make run` starts the coach in this terminal instead.
"""


class ConfigError(Exception):
    """A setting is missing or malformed; the message says how to fix it."""


def load_dotenv(path: Path = Path(".env")) -> dict[str, str]:
    """Read KEY=VALUE lines (no interpolation); the real environment wins."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)  # repr=False: never printed
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    db_path: Path = field(default_factory=default_db_path)
    log_text: bool = False  # log message text (debugging only)
    send_rate: float = 25.0  # proactive messages per second, all users together
    nudge_grace_h: float = 12.0  # after downtime, nudges missed by less than this still go
    webhook_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        merged = {**load_dotenv(dotenv or Path(".env")), **(env or dict(os.environ))}
        token = merged.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        return cls(
            token=token,
            api_base_url=merged.get("TELEGRAM_API_BASE_URL", cls.api_base_url),
            file_base_url=merged.get("TELEGRAM_FILE_BASE_URL", cls.file_base_url),
            db_path=Path(merged["REKINDLE_DB"]).expanduser()
            if merged.get("REKINDLE_DB")
            else default_db_path(),
            log_text=merged.get("REKINDLE_LOG_TEXT", "") in ("1", "true", "yes"),
            send_rate=float(merged.get("REKINDLE_SEND_RATE", "25") or 25),
            nudge_grace_h=float(merged.get("REKINDLE_NUDGE_GRACE_H", "12") or 12),
            webhook_secret=merged.get("TELEGRAM_WEBHOOK_SECRET") or None,
        )

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set.\n\n" + BOTFATHER_HELP)
        if not TOKEN_SHAPE.match(self.token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token "
                "(expected digits, a colon, then a long code).\n\n" + BOTFATHER_HELP
            )
        return self.token
