"""Webhook mode: `rekindle run --webhook-url` serves updates and checks Telegram's secret."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import aiohttp

from fakebot import FakeBotApi
from telegram_harness import _env, _rekindle

USER = 7001
SECRET = "s3cret-token_for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _update(update_id: int, text: str) -> dict[str, object]:
    user = {"id": USER, "is_bot": False, "first_name": "Sam"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "Sam"},
            "from": user,
            "text": text,
            **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}
               if text.startswith("/") else {}),
        },
    }  # fmt: skip


async def test_webhook_serves_updates_and_rejects_a_wrong_secret(
    api: FakeBotApi, tmp_path: Path
) -> None:
    port = _free_port()
    public = "https://rekindle.example/hook"  # what Telegram is told (TLS ends at a proxy)
    url = f"http://127.0.0.1:{port}/hook"  # where this process listens
    log = (tmp_path / "bot.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        *_rekindle(), "run", "--webhook-url", public, "--port", str(port),
        env=_env(api, tmp_path / "bot.db", TELEGRAM_WEBHOOK_SECRET=SECRET),
        stdout=log, stderr=log,
    )  # fmt: skip
    try:
        await api.wait_for(lambda: api.webhook_url == public, 20, "the bot to set its webhook")
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # the server may take a moment to listen
                try:
                    async with http.post(
                        url, json=_update(1, "/start"),
                        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                    ) as resp:  # fmt: skip
                        assert resp.status == 403
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert api.messages_to(USER) == []  # a forged request did nothing
            async with http.post(
                url, data=json.dumps(_update(2, "/start")),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                         "Content-Type": "application/json"},
            ) as resp:  # fmt: skip
                assert resp.status == 200
        await api.wait_for_messages(USER, 1, timeout=10)
        assert "18 or older" in (api.messages_to(USER)[0].text or "")
    finally:
        proc.terminate()
        async with asyncio.timeout(10):
            assert await proc.wait() == 0
        log.close()
    api.assert_no_400()
