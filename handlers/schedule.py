"""'When is what?' — the stages and report deadlines of a measure for a given day."""
from __future__ import annotations

import re

from bot.i18n import show
from bot.reply import Reply
from bot.router import handles
from bot.rules import timeline

# "다음주 수요일에 발령될 가능성 있나요? 타설 일정 잡아야 해서요" asks for a forecast, not the stages' times
LIKELIHOOD = re.compile(r"가능성|확률|\bchances?\b|\blikely\b")
ASKS_SCHEDULE = re.compile(r"일정|스케줄|타임라인|단계별|마감|기한|언제까지|보고.{0,6}(언제|까지)|schedule|timeline|deadline|due")


def _detect(ctx, text):
    low = text.lower()
    if not ASKS_SCHEDULE.search(low) or LIKELIHOOD.search(low):
        return None
    day = ctx.date_in(text)
    if day is None:
        return None
    measure = "preliminary" if re.search(r"예비|preliminary", low) else "emergency"
    return {"measure": measure, "day": day}


@handles("schedule", _detect)
def answer_schedule(ctx, text: str, measure: str, day) -> Reply:
    """The 8 stages with their times for a measure effective on a day, and the report deadlines."""
    return schedule_reply(ctx, timeline.schedule(ctx.kb, measure, day))


def _when(dt) -> str:
    return dt.strftime("%m-%d %H:%M") if dt else "…"


def schedule_reply(ctx, plan: dict) -> Reply:
    name = ctx.t("Emergency reduction measure") if plan["measure"] == "emergency" else ctx.t("Preliminary reduction measure")
    lines = [ctx.t("{measure} effective {date} (D = {d}):", measure=name, date=plan["effective_date"].isoformat(),
                   d=plan["d_day"].isoformat())]
    for s in plan["stages"]:
        note = "" if s["applies"] == "always" else " " + ctx.t("(only if a preliminary measure preceded)") \
            if s["applies"] == "if_preliminary" else " " + ctx.t("(only if an emergency measure follows)")
        lines.append(f"{s['number']}. {show(ctx.lang, s['name'])}: {_when(s['starts_at'])} – {_when(s['ends_at'])}{note}")
    for d in plan["deadlines"]:
        lines.append("📅 " + ctx.t("{who}: {what} by {due} ({days} days, weekends and holidays counted)",
                                   who=d["who"], what=d["what"], due=d["due"].isoformat(), days=d["days"]))
    sources = [ctx.cite(s["source"]) for s in plan["stages"][:1]] + [ctx.cite(plan["deadline_counting_source"])]
    return Reply("\n".join(lines), matched=True, intent="schedule", sources=sources, lang=ctx.lang,
                 data={"measure": plan["measure"], "effective_date": plan["effective_date"].isoformat()})
