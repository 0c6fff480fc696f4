"""'What must my agency do?' — an agency's items per stage, from the 기관별 조치사항 tables."""
from __future__ import annotations

import re

from bot.i18n import show
from bot.reply import Reply
from bot.router import handles, presses
from bot.rules import roles, timeline

ASKS_TASKS = re.compile(r"할\s*일|하는\s*일[이은]?\s*(?:다[르른]|달라|뭐|뭔|머|무엇)|조치\s*사항|역할|해야\s*(할|하는|될|되는)\s*(일|것|거)|"
                        r"체크\s*리스트|뭐\s*(?:해|함|하)|뭘\s*(?:해|함|하)|(?:뭐|뭘)\s*(?:부터|먼저)|업무|임무|"
                        r"(?:무엇|뭐|뭘)(?:을|를)?\s*[가-힣]{0,4}\s*해야|task|to-?do|role|checklist|dut(?:y|ies)|responsibilit|"
                        # "what does korail do", "what is the police supposed to do": not "what does she need to show"
                        r"what (?:do|does|should|must|is|are)\b[^?.!]{0,60}?\b(?:do|prepare|handle)\b|"
                        r"\bdo(?:es)?\s[^?.!]{1,40}?\bdo anything\b")
# Any number ('15단계' was read as 5단계): 4단계, stage 4, the 4th stage
STAGE = re.compile(r"(?<!\d)(\d+)\s*단계|(?:stage|step|phase)\s*(\d+)|(\d+)(?:st|nd|rd|th)\s+(?:stage|step|phase)")
# Stages named by the measure or the day instead of a number: 예비저감 때 is stages 1–3, 비상저감 때 4–8, and
# the day itself (당일, on the day, emergency days) is the measure's 시행기: stage 3 or 6
PRELIMINARY, EMERGENCY = re.compile(r"예비|예저|preliminary"), re.compile(r"비상|비저|emergency")
THE_DAY = re.compile(r"당일|시행일|d[- ]?day|\bd일|on the day|emergency days?\b")
# ... or by the day before D and the hour, as the stage table writes them: "D-1 17시" is the stage starting then
DAY_BEFORE = re.compile(r"(?<![a-z])d\s*-\s*([12])(?:일)?(?:\s*(?:에|날)?\s*(?:at\s*)?(\d{1,2})(?:\s*시\s*(?:(\d{1,2})\s*분)?|:(\d{2})))?")
ABOUT_A_CAR = re.compile(r"주차|운행|차량|경차|자가용|관용차|\bcars?\b|\bpark|\bdriv")


def stages_named(kb, low: str) -> list[int] | None:
    named = [int("".join(groups)) for groups in STAGE.findall(low)]  # "2단계랑 5단계": both
    if named:
        return sorted(set(named))
    m = DAY_BEFORE.search(low)
    if m:
        at = f"{int(m[2]):02d}:{int(m[3] or m[4] or 0):02d}" if m[2] else None
        return timeline.stages_starting(kb, -int(m[1]), at) or None
    preliminary = bool(PRELIMINARY.search(low))
    if THE_DAY.search(low):
        return [3] if preliminary else [6]
    if preliminary:
        return [1, 2, 3]
    return [4, 5, 6, 7, 8] if EMERGENCY.search(low) else None


def _detect(ctx, text):
    low = text.lower()
    stages = stages_named(ctx.kb, low)
    # "도로공사 4단계", "코레일 예비저감 때": an agency and its stages, and little else, ask for its tasks as plainly as
    # "할 일" does; not when it asks about a car or the car park ("경차비저날관공서주차가능?", typed glued: the vehicle rules)
    if not (ASKS_TASKS.search(low) or stages and len(low.split()) <= 3 and not ABOUT_A_CAR.search(low)):
        return None
    agency = roles.find_agency_in_text(ctx.kb, low)
    if agency is None:
        under = roles.agencies_under(ctx.kb, low)
        return None if under is None else {"agency": None, "stages": stages, "under": under}
    return {"agency": agency, "stages": stages}


@handles("roles", _detect)
def answer_roles(ctx, text: str, agency: dict | None, stages: list[int] | None,
                 under: tuple[str, list[dict]] | None = None) -> Reply:
    """The agency's action items for the stages asked about (by number, measure or day), or for every stage."""
    if agency is None:  # a ministry the tables name only in its bodies' rows: those rows, to pick from
        name, rows = under
        return Reply(ctx.t("The role tables have no row for {name} itself; it appears in these rows:", name=name),
                     matched=True, intent="roles", lang=ctx.lang,
                     buttons=[(show(ctx.lang, a["name"]), f"roles:{a['id']}") for a in rows],
                     data={"agency": None, "stages": [], "choices": [a["id"] for a in rows]})
    if stages and not set(stages) <= set(range(1, 9)):
        return Reply(ctx.t("There are eight stages: ask for a stage from 1 to 8."), matched=False, intent="roles",
                     lang=ctx.lang, data={"agency": agency["id"], "stages": []})
    found = [b for b in roles.items(ctx.kb, agency) if stages is None or b["stage"] in stages]
    return roles_reply(ctx, agency, found, stages[0] if stages and len(stages) == 1 else stages)


@presses("roles")
def press(assistant, ctx, agency_id: str) -> Reply | None:
    """An agency button (shown when a name fits several): all its items."""
    agency = next((a for a in ctx.kb.agencies if a["id"] == agency_id), None)
    return roles_reply(ctx, agency, roles.items(ctx.kb, agency), None) if agency is not None else None


def roles_reply(ctx, agency: dict, found: list[dict], stage: int | list[int] | None) -> Reply:
    name = show(ctx.lang, agency["name"])
    if not found:
        body = (ctx.t("{agency} has no items in stages {first}–{last}.", agency=name, first=stage[0], last=stage[-1])
                if isinstance(stage, list) else ctx.t("{agency} has no items in stage {stage}.", agency=name, stage=stage))
        return Reply(body, matched=True, intent="roles", lang=ctx.lang, data={"agency": agency["id"], "stages": []})
    stage_names = {s["number"]: s["name"] for s in ctx.kb.stages}
    lines = [ctx.t("What {agency} does:", agency=name)]
    for block in found:
        lines.append(f"[{block['stage']}. {show(ctx.lang, stage_names[block['stage']])}]")
        lines += ["• " + show(ctx.lang, item) for item in block["items"]]
    return Reply("\n".join(lines), matched=True, intent="roles", lang=ctx.lang,
                 sources=[ctx.cite(b["source"]) for b in found],
                 data={"agency": agency["id"], "stages": [b["stage"] for b in found]})
