"""The assistant wired together in one place: knowledge, matcher, store, router."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import knowledge
from .matcher import FaqMatcher
from .reply import Reply
from .router import Context, route


@dataclass(frozen=True)
class Loaded:
    """One knowledge version and the matcher built from it; swapped as a whole, never edited."""

    kb: knowledge.Knowledge
    matcher: FaqMatcher


def build(kb: knowledge.Knowledge) -> Loaded:
    return Loaded(kb, FaqMatcher(kb.faq, kb.synonyms))


class Assistant:
    """Answers messages for every channel. `clock` returns the current time (tests pass a fake)."""

    def __init__(self, kb: knowledge.Knowledge | None = None, store=None, clock=None, default_lang: str = "ko"):
        self.loaded = build(kb or knowledge.load())
        self.store = store
        self.clock = clock
        self.default_lang = default_lang

    @property
    def kb(self) -> knowledge.Knowledge:
        return self.loaded.kb

    def context(self, lang: str | None = None, user: str | None = None) -> Context:
        loaded = self.loaded  # read once: a concurrent swap never mixes two versions in one answer
        ctx = Context(loaded.kb, loaded.matcher, lang or self.default_lang, store=self.store, user=user)
        if self.clock:
            ctx.now = self.clock()
        return ctx

    def ask(self, text: str, lang: str | None = None, user: str | None = None) -> Reply:
        if lang is None and user and self.store is not None:
            lang = self.store.language(user)
        return route(self.context(lang, user), text)

    def now(self) -> datetime:
        return self.context().now

    def press(self, payload: str, lang: str | None = None, user: str | None = None) -> Reply:
        """A button the user pressed: 'faq:<id>' shows that entry."""
        ctx = self.context(lang, user)
        kind, _, value = payload.partition(":")
        if kind == "faq" and value in ctx.kb.faq_by_id:
            from handlers.faq import faq_entry_reply

            return faq_entry_reply(ctx, ctx.kb.faq_by_id[value])
        return route(ctx, "")
