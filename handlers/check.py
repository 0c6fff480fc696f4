"""'/check': a guided vehicle check that asks only what the verdict needs.

Every channel shows the same steps: a question with buttons (payload "check:<field>=<value>"), or
a question answered by typing (date, plate). After each answer the rules core is asked with the
most restrictive defaults for what is still unknown; once the car may run whatever the rest
would be, or no question left can change the verdict, the conversation ends with the verdict.
The step a user is at is kept in the store, so a restart does not lose it.
"""
from __future__ import annotations

import re

from datetime import date, timedelta

from bot import korean_holidays
from bot.reply import Reply
from bot.router import presses
from bot.rules import RuleInputError
from bot.rules import vehicle as rules
from bot.messages import N_
from handlers.vehicle import romanized_plate, vehicle_reply

# What the user is doing at each step, in order; the typed ones take free text.
CHOOSING_SCHEME, CHOOSING_DATE, TYPING_PLATE, CHOOSING_OWNER, CHOOSING_KIND, CHOOSING_LIGHT, \
    CHOOSING_FUEL, CHOOSING_EXEMPTION = "scheme", "date", "plate", "owner", "kind", "light", "fuel", "exemption"
STEPS = [CHOOSING_SCHEME, CHOOSING_DATE, TYPING_PLATE, CHOOSING_OWNER, CHOOSING_KIND, CHOOSING_LIGHT,
         CHOOSING_FUEL, CHOOSING_EXEMPTION]
TYPED = {CHOOSING_DATE, TYPING_PLATE}
# The defaults that make a car most likely to be restricted: the verdict is final once the car may
# run under them, because no later answer can restrict it more.
STRICTEST = {"owner": "employee", "kind": "passenger", "light": "no", "fuel": "gasoline", "exemption": "none"}


@presses("check")
def button(assistant, ctx, value: str) -> Reply | None:
    """'check:start', 'check:cancel' or 'check:<step>=<answer>'; a check belongs to a user, so none without one."""
    if ctx.user is None:
        return None
    if value == "start":
        return start(ctx, assistant.conversations)
    if value == "cancel":
        return cancel(ctx, assistant.conversations)
    step, _, answer = value.partition("=")
    return press(ctx, assistant.conversations, step, answer)


def start(ctx, conversations) -> Reply:
    """Begin a check: which scheme?"""
    conversations.set(ctx.user, {"step": CHOOSING_SCHEME, "answers": {}})
    return _ask(ctx, CHOOSING_SCHEME, {})


def cancel(ctx, conversations) -> Reply:
    conversations.set(ctx.user, None)
    return Reply(ctx.t("Check cancelled."), matched=True, intent="check", lang=ctx.lang, data={"step": None})


def press(ctx, conversations, field: str, value: str) -> Reply:
    """A button of the current step was pressed."""
    state = conversations.get(ctx.user)
    if not state or state["step"] != field:
        # An old button from an earlier message: say where we are instead of mixing answers.
        return Reply(ctx.t("That button belongs to an earlier question. Send /check to start again."),
                     matched=False, intent="check", lang=ctx.lang, data={"step": state and state["step"]})
    return _answer(ctx, conversations, state, field, value)


def typed(ctx, conversations, text: str) -> Reply | None:
    """Free text while a check waits for a typed answer; None when no check is waiting for one."""
    state = conversations.get(ctx.user)
    if not state or state["step"] not in TYPED:
        return None
    return _answer(ctx, conversations, state, state["step"], text)


def _answer(ctx, conversations, state: dict, field: str, value: str) -> Reply:
    answers = dict(state["answers"])
    try:
        answers[field] = _parse(ctx, field, value)
    except RuleInputError as exc:
        return _ask(ctx, field, answers, problem=str(exc))  # state unchanged: the same question again
    verdict, done = _verdict(ctx, answers)
    if done:
        conversations.set(ctx.user, None)
        reply = vehicle_reply(ctx, verdict)
        reply.intent, reply.data = "check", {**reply.data, "step": None, "answers": answers}
        return reply
    step = _next_step(answers)
    conversations.set(ctx.user, {"step": step, "answers": answers})
    return _ask(ctx, step, answers)


def _parse(ctx, field: str, value: str) -> str:
    value = value.strip()
    if field == CHOOSING_DATE:
        day = ctx.date_or_none(value)
        if day is None:
            raise RuleInputError(ctx.t("'{text}' is not a date. Type it like 2026-12-03 or 12월 3일.", text=value))
        return day.isoformat()
    if field == TYPING_PLATE:
        if re.fullmatch(r"\d", value):  # the last digit alone: all the rule reads, and no more than a user may want to say
            return value
        try:
            return rules.parse_plate(romanized_plate(value, whole=True) or value)  # or typed "12 ga 3457"
        except RuleInputError:
            raise RuleInputError(ctx.t("'{text}' is not a plate number such as 12가3456 or 123가4567.", text=value)) from None
    if value not in dict(_choices(ctx, field, {})).values():
        raise RuleInputError(ctx.t("Please choose one of the buttons."))
    return value


def _next_step(answers: dict) -> str:
    # only a passenger car can be a light car (경차): _remaining skips that question for the others
    return _remaining(answers)[0]


def _verdict(ctx, answers: dict) -> tuple[dict | None, bool]:
    """The verdict with what is known, and whether it is final."""
    if "date" not in answers:
        return None, False
    day = date.fromisoformat(answers["date"])
    holidays = korean_holidays.known(ctx.store, day.year)
    off_day = rules.day_not_covered(ctx.kb, answers["scheme"], day, holidays)
    if off_day and "plate" not in answers:
        # No car is covered that day: the plate does not matter.
        return {"scheme": answers["scheme"], "date": day.isoformat(), "plate": None, "subject": False, "exempt": False,
                "allowed": True, "reasons": [off_day["reason"]], "citations": off_day["citations"]}, True
    if "plate" not in answers:
        return None, False
    known = {**STRICTEST, **answers}
    plate, digit = (None, int(known["plate"])) if known["plate"].isdigit() else (known["plate"], None)
    verdict = rules.check(ctx.kb, scheme=known["scheme"], day=day, plate=plate, digit=digit, kind=known["kind"],
                          light=known["light"] == "yes", owner=known["owner"],
                          fuel=None if known["fuel"] == "gasoline" else known["fuel"],
                          exemptions=[] if known["exemption"] == "none" else [known["exemption"]], holidays=holidays)
    return verdict, verdict["allowed"] or not _remaining(answers)


def _remaining(answers: dict) -> list[str]:
    return [s for s in STEPS if s not in answers
            and not (s == CHOOSING_LIGHT and answers.get("kind", "passenger") != "passenger")]


def _choices(ctx, field: str, answers: dict) -> list[tuple[str, str]]:
    if field == CHOOSING_SCHEME:
        return [(ctx.t("Seasonal public odd-even (Dec–Mar)"), "seasonal"),
                (ctx.t("Odd-even of a 예비/비상저감조치"), "emergency")]
    if field == CHOOSING_DATE:
        today = ctx.today
        return [(ctx.t("Today"), today.isoformat()), (ctx.t("Tomorrow"), (today + timedelta(days=1)).isoformat()),
                (ctx.t("Day after tomorrow"), (today + timedelta(days=2)).isoformat())]
    if field == CHOOSING_OWNER:
        return [(ctx.t("My own car (staff)"), "employee"), (ctx.t("The agency's car"), "agency"),
                (ctx.t("A visitor's car"), "visitor"), (ctx.t("A tenant business's car"), "tenant")]
    if field == CHOOSING_KIND:
        return [(ctx.t("Passenger car"), "passenger"), (ctx.t("Van"), "van"), (ctx.t("Truck"), "truck")]
    if field == CHOOSING_LIGHT:
        return [(ctx.t("Yes, a light car (경차)"), "yes"), (ctx.t("No"), "no")]
    if field == CHOOSING_FUEL:
        return [(ctx.t("Petrol / diesel / LPG"), "gasoline"), (ctx.t("Electric"), "electric"),
                (ctx.t("Hybrid"), "hybrid"), (ctx.t("Plug-in hybrid"), "plugin_hybrid"), (ctx.t("Hydrogen"), "hydrogen")]
    if field == CHOOSING_EXEMPTION:
        scheme = answers.get("scheme", "seasonal")
        codes = [c for c, e in ctx.kb.exemptions.items() if e[scheme]["applies"]]
        from bot.i18n import show

        return [(ctx.t("None of these"), "none")] + [(show(ctx.lang, ctx.kb.exemptions[c]["name"]), c) for c in codes]
    return []


QUESTIONS = {
    CHOOSING_SCHEME: N_("Which scheme do you want to check?"),
    CHOOSING_DATE: N_("For which day? Choose one or type a date (e.g. 2026-12-03)."),
    TYPING_PLATE: N_("What is the plate number? (e.g. 12가3456, or its last digit alone)"),
    CHOOSING_OWNER: N_("Whose car is it?"),
    CHOOSING_KIND: N_("What kind of vehicle?"),
    CHOOSING_LIGHT: N_("Is it a light car (경차)?"),
    CHOOSING_FUEL: N_("What does it run on?"),
    CHOOSING_EXEMPTION: N_("Does a special case apply?"),
}


def _ask(ctx, step: str, answers: dict, problem: str | None = None) -> Reply:
    lines = ([problem] if problem else []) + [ctx.t(QUESTIONS[step])]
    buttons = [(label, f"check:{step}={value}") for label, value in _choices(ctx, step, answers)]
    return Reply("\n".join(lines), matched=problem is None, intent="check", buttons=buttons, lang=ctx.lang,
                 data={"step": step, "answers": answers, "expects_text": step in TYPED})
