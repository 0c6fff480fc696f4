"""Questions answered from the FAQ (knowledge/faq/*.yaml), and the fallback when none fits."""
from __future__ import annotations

from bot import feedback
from bot.matcher import HANGUL
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
    entry, twin = scheme_choice(ctx, text, best.entry, ranked)
    shown = {best.entry["id"], entry["id"], twin and twin["id"]}
    related = [m.entry for m in ranked[1:1 + RELATED_MAX]
               if m.score >= max(best.score * RELATED_SHARE, ctx.matcher.threshold) and m.entry["id"] not in shown]
    return faq_entry_reply(ctx, entry, score=best.score, asked=text, related=related, twin=twin)


def schemes_named(words: list[str], names: dict) -> set[str]:
    """The odd-even schemes a question names, from its normalised words: '비저 때 전기차' → {emergency}.

    A Korean word counts anywhere in the words run together (광역비상저감조치, 운행 제한); an English one
    as a word or a part of a joined term (emergency-measure)."""
    compact, parts = "".join(words), {p for w in words for p in w.split("-")}
    return {scheme for scheme, markers in names.items()
            if any(m in compact if HANGUL.search(m) else m in parts for m in markers)}


def scheme_choice(ctx, text: str, entry: dict, ranked: list) -> tuple[dict, dict | None]:
    """Which entry of a scheme pair (knowledge/scheme_twins.yaml) to answer, and its partner to answer too.

    "전기차 2부제 빠져?" is asked of both schemes and their answers differ, so a question that names
    neither (or both) gets both; one that names the other scheme gets that scheme's entry, whichever
    of the two worded it more closely."""
    twins = ctx.kb.scheme_twins
    partners = twins.get("partners", {}).get(entry["id"])
    if not partners:
        return entry, None
    rank = {m.entry["id"]: k for k, m in enumerate(ranked)}
    partner = ctx.kb.faq_by_id[min(partners, key=lambda i: rank.get(i, len(rank)))]
    named = schemes_named(ctx.matcher.norm.tokens(text), twins["names"])
    if named == {twins["scheme"][entry["id"]]}:
        return entry, None
    if named == {twins["scheme"][partner["id"]]}:
        return partner, None
    return entry, partner


@presses("faq")
def press(assistant, ctx, faq_id: str) -> Reply | None:
    """A suggestion or related-question button: that entry's answer."""
    entry = ctx.kb.faq_by_id.get(faq_id)
    return faq_entry_reply(ctx, entry) if entry is not None else None


def faq_entry_reply(ctx, entry: dict, score: float | None = None, asked: str | None = None,
                    related: list[dict] = (), twin: dict | None = None) -> Reply:
    """The reply for one FAQ entry (also used when a suggestion button is pressed), with 👍/👎 under it
    and, when the question was close to other entries too, those entries' questions as buttons.

    `asked` is the user's question; a pressed suggestion stands for the entry's own question. It is kept
    for the user (bot/feedback.py), so that a 👍/👎 on this answer names the question that led to it.
    """
    question = entry["questions"][ctx.lang][0]
    if ctx.store is not None and ctx.user:
        feedback.remember_answer(ctx.store, ctx.user, entry["id"], asked or question, ctx.lang, ctx.now)
    shown = [entry] if twin is None else [entry, twin]
    if twin is None:
        body = entry["answer"][ctx.lang].strip()
    else:
        labels, scheme = ctx.kb.scheme_twins["labels"], ctx.kb.scheme_twins["scheme"]
        body = "\n\n".join(f"{labels[scheme[e['id']]][ctx.lang]}\n{e['answer'][ctx.lang].strip()}" for e in shown)
    return Reply(body, matched=True, intent="faq",
                 sources=[ctx.cite(e["source"]) for e in shown], lang=ctx.lang,
                 buttons=[(e["questions"][ctx.lang][0], f"faq:{e['id']}") for e in related]
                 + [("👍", feedback.payload(entry["id"], "up")), ("👎", feedback.payload(entry["id"], "down"))],
                 data={"faq_id": entry["id"], "faq_ids": [e["id"] for e in shown], "question": question,
                       "score": None if score is None else round(score, 1),
                       "related": [e["id"] for e in related]})
