"""'Is it on?' — whether a measure is issued for a 시·도, from the official registry in the store."""
from __future__ import annotations

import re

from bot.i18n import show
from bot.reply import Reply
from bot.router import handles
from bot.text_dates import find_date

TIME_WORD = re.compile(r"지금|오늘|내일|낼|모레|현재|now|today|tomorrow|currently|right now")
MEASURE_WORD = re.compile(r"비상|예비|저감|2부제|이부제|홀짝|emergency|preliminary|odd-?even|measure")
STATE_WORD = re.compile(r"발령|시행|야\b|야\?|임\?|이야|인가|인지|하나|해\?|돼\?|됐|되었|중|있어|issued|in effect|on\b|active|there")
NOT_STATUS = re.compile(r"조건|기준|요건|언제 발령|누가|인데|이면|하면|되면|라면|경우|why|condition|criteria|who|\bif\b")


def _detect(ctx, text):
    low = text.lower()
    if not (TIME_WORD.search(low) and MEASURE_WORD.search(low) and STATE_WORD.search(low)) or NOT_STATUS.search(low):
        return None
    sido = None
    for token in re.findall(r"[가-힣A-Za-z]+", text):
        for cut in (token, token[:-1], token[:-2], token[:2]):
            sido = ctx.kb.sido(cut) if len(cut) >= 2 else None
            if sido:
                break
        if sido:
            break
    return {"sido": sido, "day": find_date(text, ctx.today) or ctx.today}


@handles("status", _detect)
def answer_status(ctx, text: str, sido: str | None, day) -> Reply:
    """Whether a 예비/비상저감조치 is recorded for the 시·도 and day, and when it was decided."""
    records = ctx.store.statuses(sido=sido, day=day) if ctx.store is not None else []
    stage4 = next(s for s in ctx.kb.stages if s["number"] == 4)
    where = show(ctx.lang, ctx.kb.sido_by_id[sido]["name"]) if sido else ctx.t("any 시·도")
    if not records:
        lines = [ctx.t("No measure is recorded for {where} on {date}.", where=where, date=day.isoformat()),
                 ctx.t("Each day the 시·도 decides by 17:10 from the 17:00 forecast and announces at 17:15; ask again after 17:15.")]
        return Reply("\n".join(lines), matched=True, intent="status", lang=ctx.lang,
                     sources=[ctx.cite(stage4["source"])], data={"statuses": []})
    lines = []
    for r in records:
        measure = ctx.t("Emergency reduction measure") if r["measure"] == "emergency" else ctx.t("Preliminary reduction measure")
        if r["state"] == "released" and r.get("released_at"):
            lines.append(ctx.t("{sido}: {measure} on {date} was released early at {released_at} by {released_by}: "
                               "it is no longer in effect (decided {decided_at} by {decided_by})",
                               sido=r["sido"], measure=measure, date=r["effective_date"],
                               released_at=r["released_at"][:16].replace("T", " "), released_by=r["released_by"],
                               decided_at=r["decided_at"][:16], decided_by=r["decided_by"]))
            continue
        lines.append(ctx.t("{sido}: {measure} on {date}, {start}–{end} ({state}; decided {decided_at} by {decided_by})",
                           sido=r["sido"], measure=measure, date=r["effective_date"], start=r["starts_at"][11:16],
                           end=r["ends_at"][11:16], state=r["state"], decided_at=r["decided_at"][:16], decided_by=r["decided_by"]))
    return Reply("\n".join(lines), matched=True, intent="status", lang=ctx.lang,
                 sources=[ctx.cite(stage4["source"])], data={"statuses": records})
