"""Whole journeys through the console transport, on a real SQLite file, with a fake clock."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from conftest import ONBOARDING, REFLECT_HEALTHY

ROOT = Path(__file__).resolve().parents[1]


async def test_reflect_no_contact_reconnect_talk_and_they_say_yes(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script(ONBOARDING + REFLECT_HEALTHY)
    state = await chat.state()
    assert state.stage == "no_contact"
    assert state.lists["pros"] == ["They are kind to my friends"]
    assert state.lists["reasons"] == ["The timing was off", "I see them in a new light"]
    assert "day 1 of 30" in await chat.send("/status")

    said = await chat.send(":advance 30d")  # the day-30 nudge arrives on its own
    assert "days are up" in said
    assert "The timing was off" in said  # the user's own reasons are replayed
    assert (await chat.state()).stage == "no_contact_over"

    await chat.script(["Yes, I want to reconnect", "I've sent it"])
    assert (await chat.state()).stage == "act_casual"
    await chat.script(["We're chatting", "We've planned to meet"])
    await chat.script(["The camping trip", "done", "My humour", "done", "It went well"])
    state = await chat.state()
    assert state.stage == "signs_of_interest"
    assert state.lists["memories"] == ["The camping trip"]
    for sign in ["Warm and friendly", "Glad to hear from me", "Reaches out too", "4"]:
        await chat.send(sign)
    said = await chat.send("done")
    assert "4 of 5 signs" in said
    assert (await chat.state()).stage == "say_it"

    await chat.script(["Next: what went wrong", "I went quiet when I was stressed", "done"])
    await chat.script(["I will call you every Sunday to plan our week", "done"])
    assert (await chat.state()).stage == "accept_answer"
    said = await chat.send("They said yes")
    state = await chat.state()
    assert state.stage == "together"
    assert state.lists["commitments"] == ["I will call you every Sunday to plan our week"]
    assert "Together again" in said


async def test_they_say_no_ends_in_acceptance_and_move_on(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script(ONBOARDING + REFLECT_HEALTHY)
    await chat.send(":advance 30d")
    await chat.script(["1", "2", "1", "1", "done", "done", "1"])  # reconnect to signs
    await chat.script(["1", "2", "3", "4", "done"])
    await chat.script(["1", "done", "done"])
    said = await chat.send("They said no")
    assert "honest" in said
    assert (await chat.state()).stage == "acceptance"
    await chat.send("Help me move on")
    state = await chat.state()
    assert state.stage == "move_on"
    assert "said_no" in state.flags
    # After a no, the coach does not help write to the ex.
    said = await chat.send("/draft")
    assert "won't help" in said
    assert (await chat.state()).stage == "move_on"


async def test_new_partner_goes_to_move_on(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script(ONBOARDING)
    said = await chat.send("Yes, they're seeing someone")
    state = await chat.state()
    assert state.stage == "move_on"
    assert "new_partner" in state.flags
    assert "Your own path" in said
    said = await chat.send("/draft")
    assert "someone new" in said


async def test_unhealthy_relationship_goes_to_move_on(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script(ONBOARDING + ["no", "1", "done", "yes", "no", "no", "no"])
    said = await chat.send("no")  # not afraid, but fights, no joy, no growth, no support
    assert "don't try to revive it" in said
    assert (await chat.state()).stage == "unhealthy"
    await chat.send("Help me move on")
    assert (await chat.state()).stage == "move_on"


async def test_mostly_bad_reasons_get_a_gentle_challenge(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script(ONBOARDING + ["no", "I'm scared of being alone", "5"])
    said = await chat.send("done")
    assert "trusted" in said or "friend, a relative or a therapist" in said
    assert (await chat.state()).stage == "motives_challenge"
    await chat.send("I see it, and I'll go on")
    assert (await chat.state()).stage == "health_fights"


async def test_more_time_extends_no_contact(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script(ONBOARDING + REFLECT_HEALTHY)
    await chat.send(":advance 30d")
    await chat.send("I need more time")
    state = await chat.state()
    assert state.stage == "no_contact"
    assert state.no_contact_days == 37
    assert "of 37" in await chat.send("/status")


def test_piped_conversation_in_a_real_process(tmp_path: Path) -> None:
    """`rekindle chat` reads a whole scripted conversation from a pipe; EOF ends it cleanly."""
    db = tmp_path / "piped.db"
    script = "\n".join([*ONBOARDING[1:], "no", ":advance 2d", "/status"]) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--db", str(db), "--now", "2026-03-02T08:00"],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Why do you want Alex back?" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert proc.stdout.rstrip().endswith("Your progress is saved.")
    assert db.exists() and (db.stat().st_mode & 0o777) == 0o600

    # A second run on the same file picks up where the first left off.
    again = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--db", str(db)],
        input="/status\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert "Welcome back, Sam" in again.stdout
    assert "Why you want them back" in again.stdout


async def test_two_users_do_not_mix(make_chat) -> None:  # type: ignore[no-untyped-def]
    a, b = make_chat("a"), make_chat("b")
    await asyncio.gather(a.script(ONBOARDING), b.script(["/start", "1", "Robin"]))
    assert (await a.state()).name == "Sam"
    assert (await b.state()).name == "Robin"
    assert (await b.state()).stage == "ask_ex_name"


class _QuietUser:
    """Standard input of someone who opened the chat and then typed nothing for a while."""

    def readline(self) -> str:
        time.sleep(0.3)
        return ""


async def test_an_idle_terminal_still_gets_its_nudges(make_chat, clock) -> None:  # type: ignore[no-untyped-def]
    chat = make_chat("idle")
    await chat.script([*ONBOARDING, *REFLECT_HEALTHY])
    clock.advance(timedelta(days=1))  # the next morning; nobody types anything
    await chat.chat.run(_QuietUser(), poll_s=0.05)
    assert "scheduled message" in chat.out.getvalue()
    assert (await chat.state()).stage == "checkin_nudge"
