"""Routes a message to the one handler that answers it.

Handlers register with @handles(intent, detect): `detect(ctx, text)` returns the parameters the
handler needs, or None when the message is not for it. They are tried in registration order
(the specific ones first); the FAQ handler comes last and also owns the fallback. A handler's
docstring is its help text.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from .i18n import pick_lang, t
from .korean_holidays import covers
from .reply import Reply
from .text_dates import BadDate, find_date

KST = timezone(timedelta(hours=9))
MAX_CHARS = 1000
HANDLERS: list = []
BUTTONS: dict = {}  # payload kind ('faq' in 'faq:<id>') → fn(assistant, ctx, value)
BUTTON_MODULES = ("faq", "roles", "commands", "feedback", "check", "live")  # commands imports the officers' modules


def handles(intent: str, detect):
    def register(fn):
        fn.intent, fn.detect = intent, detect
        HANDLERS.append(fn)
        return fn
    return register


def presses(kind: str):
    """Register the function that answers the buttons whose payload is '<kind>:<value>'.

    The module that makes a kind of button also answers it; the function returns None for a
    value it does not know (a stale button), and the user then gets the capabilities."""
    def register(fn):
        BUTTONS[kind] = fn
        return fn
    return register


@dataclass
class Context:
    """What a handler may use: the knowledge, the matcher, the user's language, the clock, the store."""

    kb: object
    matcher: object
    lang: str = "ko"
    now: datetime = field(default_factory=lambda: datetime.now(KST))
    store: object = None
    user: str | None = None

    @property
    def today(self):
        return self.now.astimezone(KST).date()

    def date_in(self, text: str):
        """The day a question names (None if none), holidays by name included; BadDate if it names no real day."""
        return find_date(text, self.today, self.kb.synonyms.get("holidays"))

    def date_or_none(self, text: str):
        """A command's day: a word that is an ISO date (20261203 too), else date_in; None where there is none or
        it is no real day, for the command's usage message to follow."""
        for word in text.split():
            try:
                day = date.fromisoformat(word)
            except ValueError:
                continue
            return day if covers(day) else None
        try:
            return self.date_in(text)
        except BadDate:
            return None

    def t(self, msgid: str, **params) -> str:
        return t(self.lang, msgid, **params)

    def cite(self, source: dict) -> dict:
        return self.kb.citation(source)


ORDER = ("help", "vehicle", "schedule", "roles", "status", "live", "checklist", "faq")


def _load_handlers() -> None:
    # Order is priority: help, a greeting or thanks alone, a plate number, a dated schedule question, an agency's
    # tasks, the live status, a wish to be told of measures (or no longer), an officer's own checklist, then everything
    # else goes to the FAQ.
    # Sorted here, since a module may be imported earlier by another one (handlers.check uses handlers.vehicle).
    if len(HANDLERS) == len(ORDER):
        return
    for name in ORDER:
        importlib.import_module(f"handlers.{name}")
    HANDLERS.sort(key=lambda fn: ORDER.index(fn.__module__.rsplit(".", 1)[-1]))


def route(ctx: Context, text: str) -> Reply:
    """Answer one message."""
    _load_handlers()
    ctx.lang = pick_lang(ctx.lang)
    text = (text or "").strip()
    if len(text) > MAX_CHARS:
        return Reply(ctx.t("That message is too long ({n} characters). Please ask in at most {max} characters.",
                           n=len(text), max=MAX_CHARS), matched=False, intent="too_long", lang=ctx.lang)
    if not text:
        return capabilities(ctx, intent="help", matched=True)
    try:
        for fn in HANDLERS:
            params = fn.detect(ctx, text)
            if params is not None:
                return fn(ctx, text, **params)
    except BadDate as exc:  # "12가3456 2026-13-45 운행?": say so rather than answer for another day
        return Reply(ctx.t("'{text}' is not a date. Type it like 2026-12-03 or 12월 3일.", text=exc.text),
                     matched=False, intent="bad_date", lang=ctx.lang)
    return capabilities(ctx)  # pragma: no cover - the FAQ handler always answers


def press(assistant, ctx: Context, payload: str) -> Reply:
    """Answer a pressed button."""
    for name in BUTTON_MODULES:  # already imported after the first press: a dictionary look-up each
        importlib.import_module(f"handlers.{name}")
    kind, _, value = payload.partition(":")
    fn = BUTTONS.get(kind)
    reply = fn(assistant, ctx, value) if fn is not None else None
    return reply if reply is not None else route(ctx, "")


def row_id(text: str) -> int | None:
    """The row number a button's payload carries, or None for one no row can have: a forged button's letters, or
    a number beyond SQLite's integers (which the store would raise on)."""
    return int(text) if text.isdigit() and int(text) < 2 ** 63 else None


def capabilities(ctx: Context, intent: str = "fallback", matched: bool = False, lead: str | None = None) -> Reply:
    """What the bot can answer: shown for help and when it could not answer."""
    lines = [lead] if lead else []
    lines += [ctx.t("I can answer:"),
              "• " + ctx.t("whether a car may run: send the plate and the day, e.g. '12가3456 내일 운행 가능?'"),
              "• " + ctx.t("the timeline of a measure: e.g. '12월 3일 비상저감조치 일정'"),
              "• " + ctx.t("an agency's tasks per stage: e.g. '경찰청 5단계 할 일'"),
              "• " + ctx.t("whether a measure is on: e.g. '내일 서울 비상저감조치야?'"),
              "• " + ctx.t("questions on the emergency measures and the seasonal odd-even scheme")]
    return Reply("\n".join(lines), matched=matched, intent=intent, lang=ctx.lang)
