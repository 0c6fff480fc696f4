"""A 👍/👎 pressed under a FAQ answer ("fb:<faq-id>:up|down"): recorded once per user and answer, thanked.

What users marked unhelpful shows in the admin's /kb misses (handlers/admin.py), next to the questions
the bot could not answer.
"""
from __future__ import annotations

from bot import feedback
from bot.reply import Reply
from bot.router import presses


@presses("fb")
def press(assistant, ctx, value: str) -> Reply:
    parsed = feedback.parse(value)
    if parsed is None or parsed[0] not in ctx.kb.faq_by_id:  # malformed, or the entry is gone: nothing kept
        return Reply(ctx.t("That answer is no longer in the knowledge, so nothing was recorded."), matched=False,
                     intent="feedback", lang=ctx.lang, data={"recorded": False})
    faq_id, vote = parsed
    recorded = assistant.store is not None and bool(ctx.user)
    if recorded:
        feedback.record(assistant.store, ctx.user, faq_id, vote, ctx.lang, ctx.now)
    text = (ctx.t("Thank you for your feedback!") if vote == "up" or not recorded
            else ctx.t("Thank you. An admin will look at this answer to improve it."))
    return Reply(text, matched=True, intent="feedback", lang=ctx.lang,
                 data={"faq_id": faq_id, "vote": vote, "recorded": recorded})
