"""The assistant wired together in one place: knowledge, matcher, store, router."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import knowledge, matcher as matching
from .i18n import pick_lang, t, written_in
from .matcher import FaqMatcher
from .rate_limit import RateLimiter
from .reply import Reply
from .router import Context, capabilities, press, route


def storable(text: str | None) -> str | None:
    """The text with what UTF-8 cannot hold (lone surrogates: undecodable console bytes, a JSON "\\ud800" from a
    messenger) as '?': the store refuses them, and the user got a traceback instead of an answer."""
    return text.encode("utf-8", "replace").decode("utf-8") if text else text


class Conversations:
    """Where each user is in a guided conversation: in the store when there is one, else in memory."""

    def __init__(self, store=None):
        self.store = store
        self.memory: dict[str, dict] = {}

    def get(self, user: str | None) -> dict | None:
        if user is None:
            return None
        return self.store.conversation(user) if self.store is not None else self.memory.get(user)

    def set(self, user: str | None, state: dict | None) -> None:
        if user is None:
            return
        if self.store is not None:
            self.store.set_conversation(user, state)
        elif state is None:
            self.memory.pop(user, None)
        else:
            self.memory[user] = state


@dataclass(frozen=True)
class Loaded:
    """One knowledge version and the matcher built from it; swapped as a whole, never edited."""

    kb: knowledge.Knowledge
    matcher: FaqMatcher
    version: int | None = None  # the published version (bot/knowledge_versions.py); None: the knowledge/ files


_matchers: "OrderedDict[str, FaqMatcher]" = OrderedDict()
_matchers_lock = threading.Lock()
MATCHER_CODE = Path(__file__).with_name("matcher.py")


def cache_dir() -> Path:
    """Where built matchers are kept between runs (BOT_CACHE, else data/cache beside the database)."""
    return Path(os.environ.get("BOT_CACHE") or Path(__file__).resolve().parent.parent / "data" / "cache")


def build(kb: knowledge.Knowledge) -> Loaded:
    """The knowledge with its matcher. Indexing applies every spelling rule to every paraphrase (half a
    second), so a matcher is shared by all assistants built on the same FAQ and rules, and kept on disk
    for the next one-shot `python -m bot …` call. The normalised paraphrases are kept too, under the rules
    alone: after an FAQ edit only the new or changed texts go through the rules again."""
    code = MATCHER_CODE.read_bytes()
    rules = hashlib.sha1(json.dumps(kb.synonyms, sort_keys=True, ensure_ascii=False).encode() + code).hexdigest()
    key = hashlib.sha1(json.dumps([kb.faq, kb.out_of_scope, kb.synonyms, kb.sources], sort_keys=True, ensure_ascii=False,
                                  default=str).encode() + code).hexdigest()
    with _matchers_lock:
        matcher = _matchers.get(key)
        if matcher is not None:
            _matchers.move_to_end(key)
    if matcher is None:
        matcher = _read_cache(f"matcher-{key}", matching.FaqMatcher)
        if matcher is None:
            tokens = _read_cache(f"tokens-{rules}", dict) or {}
            matcher = FaqMatcher(kb.faq + kb.out_of_scope, kb.synonyms, sources=kb.sources, known_tokens=tokens)
            _write_cache(f"matcher-{key}", matcher)
            _write_cache(f"tokens-{rules}", tokens)
        with _matchers_lock:
            _matchers[key] = matcher
            while len(_matchers) > 4:
                _matchers.popitem(last=False)
    return Loaded(kb, matcher)


def _read_cache(name: str, kind: type):
    """The object saved as `name` if it is a `kind`, else None (none saved, or unreadable: it is then built
    again). Names carry a key over the FAQ, the rules and the matcher's code, so a stale file is never read."""
    try:
        found = pickle.loads((cache_dir() / f"{name}.pickle").read_bytes())
    except Exception:  # noqa: BLE001 - a missing or broken cache only costs a rebuild
        return None
    return found if isinstance(found, kind) else None


def _write_cache(name: str, obj) -> None:
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{name}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, directory / f"{name}.pickle")  # whole or not at all, for a parallel reader
        kind = name.split("-")[0]
        for old in sorted(directory.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)[:-8]:
            old.unlink(missing_ok=True)  # knowledge versions come and go; keep the newest few
    except OSError:
        pass  # a read-only checkout still answers, only more slowly


class Assistant:
    """Answers messages for every channel. `clock` returns the current time (tests pass a fake)."""

    def __init__(self, kb: knowledge.Knowledge | None = None, store=None, clock=None, default_lang: str = "ko",
                 limiter: RateLimiter | None = None, admins=()):
        self.loaded = build(kb or knowledge.load())
        self.admins = set(admins)  # user ids allowed to approve officers and issue (bot/admins.py)
        self.store = store
        self.clock = clock
        self.default_lang = default_lang
        self.conversations = Conversations(store)
        self.limiter = limiter
        self.base_dir = self.loaded.kb.directory  # the knowledge/ files: the sources, and the base of version 1
        if store is not None:
            from . import knowledge_versions

            knowledge_versions.ensure_tables(store)
            self.refresh()

    def refresh(self) -> "Loaded":
        """Swap in the newest published knowledge version if one was published (here, by another channel's
        assistant or by `python -m bot kb import`); the new knowledge is built whole, then assigned at once."""
        if self.store is None:
            return self.loaded
        from . import knowledge_versions

        number = knowledge_versions.current_number(self.store)
        if number is not None and number != self.loaded.version:
            with knowledge_versions.lock(self.store):
                if number != self.loaded.version:
                    self.loaded = knowledge_versions.loaded_version(self.store, number, self.base_dir)
        return self.loaded

    @property
    def kb(self) -> knowledge.Knowledge:
        return self.loaded.kb

    def context(self, lang: str | None = None, user: str | None = None) -> Context:
        loaded = self.refresh()  # read once: a concurrent swap never mixes two versions in one answer
        ctx = Context(loaded.kb, loaded.matcher, pick_lang(lang or self.default_lang), store=self.store, user=user)
        if self.clock:
            ctx.now = self.clock()
        return ctx

    def ask(self, text: str | None, lang: str | None = None, user: str | None = None) -> Reply:
        """Answer one message from `user` (None for one-off questions: no conversation, no limit). `text` None is a
        message with no text in it (a photo, a sticker, a voice note)."""
        from handlers import check

        text = storable(text)
        if lang is None and user and self.store is not None:
            lang = self.store.language(user)
        if lang is None:  # no language chosen: the message's own (an English question gets English)
            lang = written_in(text or "")
        ctx = self.context(lang, user)
        if user is not None and self.limiter is not None and not self.limiter.allow(user):
            return Reply(t(ctx.lang, "You are sending messages too fast. Please wait {seconds} seconds.",
                           seconds=self.limiter.wait_seconds(user)), matched=False, intent="rate_limited", lang=ctx.lang)
        if text is None:
            return capabilities(ctx, intent="not_text",
                                lead=t(ctx.lang, "I can read only typed text: please type your question."))
        first, _, args = text.strip().partition(" ")
        if first.startswith("/") and len(first) > 1:
            from handlers import commands

            # '/status@dust_bot' in Telegram groups names the bot after the command
            return commands.run(self, ctx, first[1:].split("@")[0].lower(), args)
        if user is not None:
            reply = check.typed(ctx, self.conversations, text)
            if reply is not None:
                return reply
            from handlers import admin

            reply = admin.typed(self, ctx, text)  # a knowledge draft waiting for typed text
            if reply is not None:
                return reply
        return route(ctx, text)

    def now(self) -> datetime:
        return self.context().now

    def press(self, payload: str, lang: str | None = None, user: str | None = None,
              shown_in: str | None = None) -> Reply:
        """A button the user pressed ('<kind>:<value>'): the handler that registered the kind answers it.

        `shown_in`: the language of the message the button was under, for a user who chose none (as a typed
        question is answered in its own language)."""
        if lang is None and user and self.store is not None:
            lang = self.store.language(user)
        lang = lang or shown_in
        ctx = self.context(lang, user)
        return press(self, ctx, storable(payload))

    def due(self) -> int:
        """Officer checklists: do the scheduled pushes and reminders due now, queue them in the outbox."""
        from handlers.checklist import deliver_due

        return deliver_due(self, self.now()) if self.store is not None else 0

    def outbox(self, platform: str, limit: int = 100) -> list[dict]:
        """Messages waiting for users of `platform` ({id, user, reply}); a channel sends each, then `sent(id)`."""
        from . import checklists

        return checklists.pending(self.store, platform, limit) if self.store is not None else []

    def sent(self, message_id: int) -> bool:
        """Mark an outbox message sent; False when it already was."""
        from . import checklists

        return checklists.mark_sent(self.store, message_id, self.now())

    def blocked(self, message_id: int) -> None:
        """The recipient of an outbox message blocked the bot: closed, and their subscriptions end."""
        from . import live

        live.blocked(self.store, message_id, self.now())
