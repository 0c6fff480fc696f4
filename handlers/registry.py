"""The official decisions in the conversation: /issue, /release, /noissue and /forecast.

Only the approved officers of the 시·도's environment department and the admins may decide for a 시·도.
A decision is recorded in the registry (bot/live.py), announced to that 시·도's subscribers in the same
transaction, and opens (or moves) the officers' checklists (bot/checklists.py). Bad input gets the
usage and changes nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

from bot import checklists as store_side
from bot import live
from bot.korean_holidays import day_off
from bot.messages import N_
from bot.reply import Reply
from bot.rules import RuleInputError
from handlers import checklist as checklist_texts  # a module import: checklist imports commands too
from handlers.commands import command
from handlers import live as live_texts  # the announcement texts; imported as a module: live imports commands too

MEASURE_WORDS = {"비상": "emergency", "비상저감조치": "emergency", "emergency": "emergency",
                 "예비": "preliminary", "예비저감조치": "preliminary", "preliminary": "preliminary"}
RELEASE_WORDS = {"해제", "조기해제", "release", "released"}
MAX_REASON = 200


def _reply(ctx, body: str, intent: str, matched: bool = True, **kw) -> Reply:
    return Reply(body, matched=matched, intent=intent, lang=ctx.lang, **kw)


def _parse(ctx, args: str) -> dict:
    tokens = args.split()
    return {"sido": next((ctx.kb.sido(t) for t in tokens if ctx.kb.sido(t)), None),
            "measure": next((MEASURE_WORDS[t.lower()] for t in tokens if t.lower() in MEASURE_WORDS), None),
            "release": any(t.lower() in RELEASE_WORDS for t in tokens),
            "day": ctx.date_or_none(args), "tokens": tokens}


def _not_entitled(assistant, ctx, sido: str, intent: str) -> Reply | None:
    if not live_texts.entitled(assistant, ctx, sido):
        return _reply(ctx, ctx.t("Only the 시·도 environment department's officers of {sido} or an admin can decide this.",
                                 sido=live_texts._sido_name(ctx, sido)), intent, matched=False, data={"result": "refused"})
    return None


@command("issue", N_("Officers: record an issuance, announce it and open the checklists: /issue 시·도 비상|예비 date"))
def issue(assistant, ctx, args: str) -> Reply:
    usage = ctx.t("Send: /issue <시·도> <비상|예비> <date>, e.g. /issue 서울 비상 2026-12-03; or /issue 서울 해제 for an early release")
    if (r := checklist_texts._no_store(ctx, "issue")) is not None:
        return r
    p = _parse(ctx, args)
    if p["sido"] is None or not (p["release"] or (p["measure"] and p["day"])):
        return _reply(ctx, usage, "issue", matched=False)
    if (r := _not_entitled(assistant, ctx, p["sido"], "issue")) is not None:
        return r
    if p["release"]:
        return release(assistant, ctx, p["sido"])
    return record_issue(assistant, ctx, p["sido"], p["measure"], p["day"])


def record_issue(assistant, ctx, sido: str, measure: str, day: date) -> Reply:
    """Record, announce and open the checklists (the caller has checked who may)."""
    holiday = day_off(ctx.store, day)
    bodies = live_texts.issued_bodies(assistant, sido=sido, measure=measure, effective_date=day.isoformat(),
                           starts_at=f"{day.isoformat()}T06:00:00+09:00", ends_at=f"{day.isoformat()}T21:00:00+09:00",
                           decided_at=store_side.iso(ctx.now), holiday=holiday)
    try:
        recorded = live.issue(ctx.store, sido=sido, measure=measure, effective_date=day, actor=ctx.user, now=ctx.now,
                              bodies=bodies, default_lang=assistant.default_lang)
    except RuleInputError as exc:
        return _reply(ctx, ctx.t("Nothing was changed: {problem}", problem=str(exc)), "issue", matched=False)
    try:
        result = store_side.issue(ctx.store, ctx.kb, sido=sido, measure=measure, effective=day, now=ctx.now,
                                  actor=ctx.user, issuance_id=recorded["issuance"])
    except RuleInputError as exc:  # recorded and announced, but no checklist could be opened (e.g. a past day)
        result = {"action": "none", "runs": 0, "problem": str(exc)}
    label = ctx.t(live_texts.MEASURES[measure])
    lines = [ctx.t("Recorded: {measure} for {sido} on {date}. The announcement goes to {n} subscribers.",
                   measure=label, sido=live_texts._sido_name(ctx, sido), date=day.isoformat(), n=recorded["queued"])]
    texts = {"opened": N_("Opened {n} checklists for {sido} ({measure}, {date}). Officers get each stage's items when it begins."),
             "extended": N_("The emergency measure follows the preliminary one: {n} checklists of {sido} get stages 4–8 ({date})."),
             "reissued": N_("Re-issuance for {sido} ({date}): the stage-5 items again for {n} checklists; reports are due from this issuance.")}
    if result["action"] in texts:
        lines.append(ctx.t(texts[result["action"]], n=result["runs"], sido=live_texts._sido_name(ctx, sido), measure=label,
                           date=day.isoformat()))
    else:
        lines.append(ctx.t("The officer checklists were not opened: {problem}", problem=result["problem"]))
    return _reply(ctx, "\n".join(lines), "issue", data={**result, **recorded})


@command("release", N_("Officers: release a measure early and tell the subscribers: /release 시·도"))
def release_command(assistant, ctx, args: str) -> Reply:
    if (r := checklist_texts._no_store(ctx, "release")) is not None:
        return r
    p = _parse(ctx, args)
    if p["sido"] is None:
        return _reply(ctx, ctx.t("Send: /release <시·도>, e.g. /release 서울"), "release", matched=False)
    if (r := _not_entitled(assistant, ctx, p["sido"], "release")) is not None:
        return r
    return release(assistant, ctx, p["sido"])


def release(assistant, ctx, sido: str) -> Reply:
    """Early release: the registry, the notice to the subscribers, the open checklists to stage 8.
    Refused, with nothing changed, when the 시·도 has nothing on and no open checklists."""
    out = live_texts.release_now(assistant, ctx, sido)
    if not out["runs"] and not out["issuances"]:
        return _reply(ctx, ctx.t("Nothing was changed: {problem}",
                                 problem=ctx.t("{sido} has no measure on and no open checklists to release.",
                                               sido=live_texts._sido_name(ctx, sido))),
                      "issue", matched=False, data={"action": "none", "runs": 0, "issuances": []})
    lines = []
    if out["runs"]:
        lines.append(ctx.t("Early release for {sido}: {n} checklists go to stage 8 (reports).",
                           sido=live_texts._sido_name(ctx, sido), n=out["runs"]))
    if out["issuances"]:
        lines.append(ctx.t("The status of {sido} now shows the measure as released early ({at}).",
                           sido=live_texts._sido_name(ctx, sido), at=checklist_texts._hm(store_side.iso(ctx.now))))
        lines.append(ctx.t("The notice goes to {n} subscribers.", n=out["queued"]))
    return _reply(ctx, "\n".join(lines), "issue", data={"action": "released", **out})


@command("noissue", N_("Officers: record that a measure is not issued, and why: /noissue 시·도 비상|예비 date reason"))
def noissue(assistant, ctx, args: str) -> Reply:
    if (r := checklist_texts._no_store(ctx, "noissue")) is not None:
        return r
    p = _parse(ctx, args)
    reason = " ".join(t for t in p["tokens"] if ctx.kb.sido(t) is None and t.lower() not in MEASURE_WORDS
                      and ctx.date_or_none(t) is None).strip()
    if p["sido"] is None or p["measure"] is None or p["day"] is None or not reason or len(reason) > MAX_REASON:
        return _reply(ctx, ctx.t("Send: /noissue <시·도> <비상|예비> <date> <reason>, e.g. /noissue 서울 비상 2026-11-19 수능"),
                      "noissue", matched=False)
    if (r := _not_entitled(assistant, ctx, p["sido"], "noissue")) is not None:
        return r
    return record_not_issued(ctx, p["sido"], p["measure"], p["day"], reason)


def record_not_issued(ctx, sido: str, measure: str, day: date, reason: str) -> Reply:
    recorded = live.not_issued(ctx.store, sido=sido, measure=measure, effective_date=day, reason=reason,
                               actor=ctx.user, now=ctx.now)
    return _reply(ctx, ctx.t("Recorded: no {measure} for {sido} on {date} ({reason}). Nothing is announced.",
                             measure=ctx.t(live_texts.MEASURES[measure]), sido=live_texts._sido_name(ctx, sido), date=day.isoformat(),
                             reason=reason), "noissue", data={"issuance": recorded})


@command("forecast", N_("Officers: enter tomorrow's forecast value (µg/m³) for your 시·도: /forecast 시·도 value"))
def forecast(assistant, ctx, args: str) -> Reply:
    if (r := checklist_texts._no_store(ctx, "forecast")) is not None:
        return r
    p = _parse(ctx, args)
    numbers = [t for t in p["tokens"] if t.replace(".", "", 1).isdigit()]
    day = ctx.today + timedelta(days=1)
    usage = ctx.t("Send: /forecast <시·도> <µg/m³>, e.g. /forecast 서울 58 (the forecast centre's figure for tomorrow)")
    if p["sido"] is None or len(numbers) != 1 or not 0 <= float(numbers[0]) <= 1000:
        return _reply(ctx, usage, "forecast", matched=False)
    if (r := _not_entitled(assistant, ctx, p["sido"], "forecast")) is not None:
        return r
    value = float(numbers[0])
    live.enter_forecast(ctx.store, sido=p["sido"], day=day, value=value, actor=ctx.user, now=ctx.now)
    return _reply(ctx, ctx.t("Kept: {value} µg/m³ for {sido} on {date}. Today's 17:00 assessment uses it over the grade.",
                             value=f"{value:g}", sido=live_texts._sido_name(ctx, p["sido"]), date=day.isoformat()),
                  "forecast", data={"sido": p["sido"], "day": day.isoformat(), "value": value})
