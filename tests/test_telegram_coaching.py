"""The coaching and safety tools over Telegram: the real Application against the fake Bot API."""

from __future__ import annotations

from telegram_harness import ONBOARD, Harness, newest_with_button, texts

USER = 6001


async def test_ticking_a_list_updates_the_question_in_place(bot: Harness) -> None:
    await bot.say(USER, *ONBOARD, "no")  # now at R2, a multi-select question
    question = newest_with_button(bot.api, USER, "The timing was off")
    count = len(bot.api.messages_to(USER))
    new = await bot.press(USER, "The timing was off")
    assert new == []  # no new message: the same one was edited
    edited = bot.api.message(USER, question.message_id)
    assert edited is not None and edited.edit_count >= 1
    assert "✓ The timing was off" in edited.button_texts
    await bot.press(USER, "I see them in a new light")
    assert len(bot.api.messages_to(USER)) == count
    await bot.press(USER, "Done ✔")
    assert await bot.stage(USER) == "health_fights"


async def test_draft_review_over_telegram(bot: Harness) -> None:
    await bot.say(USER, *ONBOARD, "no", "/draft")
    said = texts(await bot.say(USER, "Please come back <3 I'm begging you!!! Why did you leave?"))
    assert "lighter version" in said.lower()
    assert "begging" in said.lower() or "plead" in said.lower()


async def test_expert_question_and_sos_over_telegram(bot: Harness) -> None:
    await bot.say(USER, *ONBOARD)
    said = texts(await bot.say(USER, "should I text him on his birthday?"))
    assert "birthday" in said.lower()
    said = texts(await bot.say(USER, "/sos"))
    assert "0800 111 0 111" in said  # Berlin: TelefonSeelsorge
    assert await bot.stage(USER) == "crisis"
    await bot.press(USER, "I'm safe, let's go on")
    assert await bot.stage(USER) == "availability"


async def test_signs_of_interest_over_telegram(bot: Harness) -> None:
    await bot.say(USER, *ONBOARD)
    assert bot.store is not None
    uid = await bot.store.find_user("telegram", str(USER))
    assert uid is not None
    # Jump the stored state to C8, as if weeks had passed.
    await bot.store.conn.execute(
        "UPDATE users SET stage = 'signs_of_interest' WHERE id = ?", (uid,)
    )
    await bot.store.conn.commit()
    bot.app.bot_data["coach"].forget(uid)  # type: ignore[union-attr]  # a change outside a turn
    await bot.say(USER, "/start")
    for label in [
        "Warm and friendly",
        "Glad to hear from me",
        "Reaches out too",
        "Equally invested",
    ]:
        await bot.press(USER, label)
    said = texts(await bot.press(USER, "Done ✔"))
    assert "4 of 5 signs" in said
    assert await bot.stage(USER) == "say_it"


async def test_progress_chart_arrives_as_a_photo(bot: Harness) -> None:
    await bot.say(USER, *ONBOARD, "/checkin", "3", "6", "skip")
    messages = await bot.say(USER, "/progress")
    photos = [m for m in messages if m.photo]
    assert len(photos) == 1
    assert photos[0].photo is not None and photos[0].photo.startswith(b"\x89PNG")
    assert "mood" in (photos[0].caption or "").lower()
