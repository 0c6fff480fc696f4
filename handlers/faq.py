"""Questions answered from the FAQ (knowledge/faq/*.yaml), and the fallback when none fits."""
from __future__ import annotations

from bot import feedback
from bot.reply import Reply
from bot.router import capabilities, handles, presses

SUGGEST_SHARE = 0.5  # runners-up at half the answer threshold are offered as buttons, never answered as if sure
# Runners-up scoring this close to the answer are offered under it: the FAQ has near-twin entries (stage 7
# vs re-issue, PM2.5 vs PM10 alerts), and in the evaluation set nearly half of the wrong answers had the
# right one within this share, at 0.3 extra buttons per answer on average.
RELATED_SHARE = 0.8
RELATED_MAX = 2


@handles("faq", lambda ctx, text: {})
def answer_faq(ctx, text: str) -> Reply:
    """Answer a question from the FAQ, or say it cannot and show what it can answer."""
    best, ranked = ctx.matcher.match(text)
    refused = best is not None and best.entry.get("out_of_scope")
    ranked = [m for m in ranked if not m.entry.get("out_of_scope")]
    if best is None or refused:
        suggestions = [] if refused else [m for m in ranked[:3] if m.score >= ctx.matcher.threshold * SUGGEST_SHARE]
        lead = ctx.t("The official guidelines do not cover that, so I cannot answer it.") if refused else \
            ctx.t("I could not find an answer to that in the official guidelines.")
        reply = capabilities(ctx, lead=lead)
        reply.buttons = [(m.entry["questions"][ctx.lang][0], f"faq:{m.entry['id']}") for m in suggestions]
        reply.data = {"faq_id": None, "score": round(ranked[0].score, 1) if ranked else 0.0,
                      "suggestions": [m.entry["id"] for m in suggestions],
                      "out_of_scope": best.entry["id"] if refused else None}
        if ctx.store is not None:
            ctx.store.record_miss(text, ctx.lang, ctx.user)
        return reply
    related = [m.entry for m in ranked[1:1 + RELATED_MAX]
               if m.score >= max(best.score * RELATED_SHARE, ctx.matcher.threshold) and m.entry is not best.entry]
    return faq_entry_reply(ctx, best.entry, score=best.score, asked=text, related=related)


@presses("faq")
def press(assistant, ctx, faq_id: str) -> Reply | None:
    """A suggestion or related-question button: that entry's answer."""
    entry = ctx.kb.faq_by_id.get(faq_id)
    return faq_entry_reply(ctx, entry) if entry is not None else None


def faq_entry_reply(ctx, entry: dict, score: float | None = None, asked: str | None = None,
                    related: list[dict] = ()) -> Reply:
    """The reply for one FAQ entry (also used when a suggestion button is pressed), with 👍/👎 under it
    and, when the question was close to other entries too, those entries' questions as buttons.

    `asked` is the user's question; a pressed suggestion stands for the entry's own question. It is kept
    for the user (bot/feedback.py), so that a 👍/👎 on this answer names the question that led to it.
    """
    question = entry["questions"][ctx.lang][0]
    if ctx.store is not None and ctx.user:
        feedback.remember_answer(ctx.store, ctx.user, entry["id"], asked or question, ctx.lang, ctx.now)
    return Reply(entry["answer"][ctx.lang].strip(), matched=True, intent="faq",
                 sources=[ctx.cite(entry["source"])], lang=ctx.lang,
                 buttons=[(e["questions"][ctx.lang][0], f"faq:{e['id']}") for e in related]
                 + [("👍", feedback.payload(entry["id"], "up")), ("👎", feedback.payload(entry["id"], "down"))],
                 data={"faq_id": entry["id"], "question": question,
                       "score": None if score is None else round(score, 1),
                       "related": [e["id"] for e in related]})
