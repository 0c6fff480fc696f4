"""The Telegram channel (python-telegram-bot v22): a thin adapter around the core.

Every text the user sees comes from the core's Reply; this module only turns a Telegram update
into `assistant.ask` / `assistant.press` and a Reply into messages, inline keyboards and edits.

- A text message or a command goes to `assistant.ask` (the core knows the commands and the /check steps).
- A pressed button goes to `assistant.press`; the query is answered, and a /check step edits the
  message that asked it, so the conversation stays in one message.
- An update Telegram delivers twice (a webhook retry, a poll after a crash) is answered once
  (`store.first_delivery`).
- Officer checklists: `deliver` sends what the core queued in its outbox (stage pushes, reminders) and
  run_telegram does it every [telegram] outbox_interval seconds; a tick button edits the message it is on.
- Outgoing messages go through PTB's AIORateLimiter (29 a second overall, sent evenly, under Telegram's 30;
  20 a minute per group; retries after a RetryAfter); the core's per-user limit answers a flood once, not per message.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import sys
from collections import OrderedDict
from urllib.parse import urlparse

# Opt in to PTB 22's coming timedelta for RetryAfter delays (handled by _seconds), which also silences its warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, ApplicationHandlerStop,
                          CallbackQueryHandler, ContextTypes, MessageHandler, TypeHandler, filters)

from ..i18n import LANGS, pick_lang

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_CALLBACK = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096 characters
SHORT_LABEL = 16  # buttons whose labels are all this short go two to a row
EXIT_FAILED = 2

log = logging.getLogger(__name__)


def user_id(user) -> str:
    """The core's id for a Telegram user."""
    return f"{PLATFORM}:{user.id}"


class Payloads:
    """Button payloads as callback_data: Telegram allows 64 bytes, a longer payload travels as a short key.

    The real payloads are all shorter (the longest is under 50 bytes); the table is a guard, kept in
    memory and bounded. A key unknown after a restart reaches the core as itself, which answers it
    like any unknown button (with what it can do).
    """

    PREFIX = "~"

    def __init__(self, size: int = 10_000):
        self.size = size
        self.table: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= MAX_CALLBACK and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
        self.table[key] = payload
        self.table.move_to_end(key)
        while len(self.table) > self.size:
            self.table.popitem(last=False)
        return key

    def decode(self, data: str) -> str:
        return self.table.get(data, data) if data.startswith(self.PREFIX) else data


def keyboard(buttons, payloads: Payloads) -> InlineKeyboardMarkup | None:
    """Reply.buttons as an inline keyboard: a long label (a question) on a row of its own, short ones
    (👍 👎, menu words) two to a row."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for label, payload in buttons:
        button = InlineKeyboardButton(label, callback_data=payloads.encode(payload))
        short = len(label) <= SHORT_LABEL
        if short and rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= SHORT_LABEL:
            rows[-1].append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows)


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a text longer than one Telegram message at line ends (or hard, for a giant line)."""
    text = text or "…"
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return out + [text]


class TelegramChannel:
    """The handlers of one Application, bound to one assistant."""

    def __init__(self, assistant, default_lang: str = "ko"):
        self.assistant = assistant
        self.default_lang = pick_lang(default_lang)
        self.payloads = Payloads()

    # -- which language, which user ------------------------------------------------------------
    def lang(self, user, user_data: dict) -> str | None:
        """None lets the core use the language the user chose (/lang); else the Telegram app's language."""
        store = self.assistant.store
        if store is not None and store.language(user_id(user)):
            return None
        if user_data.get("lang"):
            return user_data["lang"]  # /lang without a store: kept for this process
        return pick_lang(user.language_code) if user.language_code else None

    def remember(self, reply, user_data: dict) -> None:
        if reply.data.get("lang") and self.assistant.store is None:
            user_data["lang"] = reply.data["lang"]

    # -- handlers ------------------------------------------------------------------------------
    async def dedupe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before anything else: an update already processed is dropped."""
        store = self.assistant.store
        if store is not None and not store.first_delivery(PLATFORM, update.update_id):
            log.info("update %s was delivered again: ignored", update.update_id)
            raise ApplicationHandlerStop

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = message.text  # None: no text in it
        if text and not text.startswith("/") and context.bot.username:
            # '@dust_bot 경차도 2부제야?' in a group: the question is what follows the mention
            text = re.sub(rf"@{re.escape(context.bot.username)}\b", " ", text, flags=re.IGNORECASE).strip()
        reply = self.assistant.ask(text, self.lang(user, context.user_data), user_id(user))
        self.remember(reply, context.user_data)
        if reply.intent == "rate_limited":
            # say it once per flood: the notice again for every message would be a flood of its own
            if context.user_data.get("told_to_wait"):
                return
            context.user_data["told_to_wait"] = True
        else:
            context.user_data.pop("told_to_wait", None)
        await self.send(context.bot, message.chat_id, reply,
                        reply_to=message.message_id if message.chat.type != "private" else None)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        payload = self.payloads.decode(query.data or "")
        reply = self.assistant.press(payload, self.lang(user, context.user_data), user_id(user))
        self.remember(reply, context.user_data)
        await query.answer()
        message = query.message if isinstance(query.message, Message) else None
        # a /check step, or a tick (a refused tick is a new message: the checklist stays as it was)
        step = (payload.startswith("check:") and payload != "check:start"
                or payload.startswith(("tick:", "untick:")) and reply.matched)
        if step and message is not None and len(reply.text) <= MAX_TEXT:
            # a /check step: the message that asked becomes the next question (or the verdict)
            try:
                await query.edit_message_text(reply.text, reply_markup=keyboard(reply.buttons, self.payloads))
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return  # the same button pressed twice: the message already says it
                log.warning("could not edit message %s (%s): sending a new one", message.message_id, exc)
        chat_id = query.message.chat.id if query.message is not None else user.id
        await self.send(context.bot, chat_id, reply)

    async def send(self, bot, chat_id: int, reply, reply_to: int | None = None) -> None:
        parts = chunks(reply.text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and i == 0 else None
            await bot.send_message(chat_id, part, reply_markup=keyboard(reply.buttons, self.payloads) if last else None,
                                   reply_parameters=quote)

    # -- the outbox (officer checklists: pushes and reminders) ----------------------------------
    async def deliver(self, bot) -> int:
        """Do the checklist jobs due now and send what the core queued for Telegram users; returns how many."""
        self.assistant.due()
        sent = 0
        while True:  # batch after batch until the outbox is empty or nothing more can be sent this round
            progress = 0
            batch = self.assistant.outbox(PLATFORM)
            for message in batch:
                try:
                    await self.send(bot, int(message["user"].split(":", 1)[1]), message["reply"])
                except RetryAfter as exc:
                    # a 429 storm: wait as long as Telegram says, then go on with this message; nothing is lost
                    wait = _seconds(exc.retry_after)
                    log.warning("Telegram asks to wait %ss: delivery paused", wait)
                    await asyncio.sleep(wait)
                    break
                except Forbidden as exc:
                    log.info("could not deliver to %s: %s", message["user"], exc)  # blocked the bot: not retried
                    self.assistant.blocked(message["id"])  # and no more announcements to that chat
                    progress += 1
                    continue
                except TelegramError as exc:
                    log.warning("could not deliver to %s (%s): kept for the next round", message["user"], exc)
                    continue
                self.assistant.sent(message["id"])  # right after the send: a restart resends only what was in flight
                sent += 1
                progress += 1
            else:
                if len(batch) < 100 or not progress:
                    return sent

    async def deliver_forever(self, bot, interval: float) -> None:
        while True:
            try:
                await self.deliver(bot)
            except Exception as exc:  # noqa: BLE001 - one failed round must not stop the next
                log.error("checklist delivery failed: %r", exc)
            await asyncio.sleep(interval)

    async def start_delivery(self, app: Application) -> None:
        await self.post_init(app)
        if self.assistant.store is not None:
            self.delivery = asyncio.create_task(self.deliver_forever(app.bot, self.interval))

    async def stop_delivery(self, app: Application) -> None:
        task = getattr(self, "delivery", None)
        if task is not None:
            task.cancel()

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(context.error, Forbidden):
            log.info("a user blocked the bot: %s", context.error)  # nothing to answer
            return
        log.error("update %s failed: %r", getattr(update, "update_id", "?"), context.error,
                  exc_info=context.error if not isinstance(context.error, TelegramError) else None)

    # -- commands menu -------------------------------------------------------------------------
    def commands(self, lang: str) -> list[BotCommand]:
        from handlers.commands import descriptions

        return [BotCommand(name, desc) for name, desc in descriptions(self.assistant.context(lang))]

    async def post_init(self, app: Application) -> None:
        """The command menu in Korean, in English, and for everyone else in the default language."""
        for lang in LANGS:
            await app.bot.set_my_commands(self.commands(lang), language_code=lang)
        await app.bot.set_my_commands(self.commands(self.default_lang))


def build_application(assistant, cfg, *, token: str | None = None, rate_limiter: bool = True,
                      deliver: bool = False) -> Application:
    """The one place the Telegram Application is made: token, Bot API address, limits, handlers.

    `rate_limiter=False` only for the benchmark, which measures the adapter, not Telegram's limits.
    `deliver=True` (run_telegram) also sends the checklist outbox every [telegram] outbox_interval seconds.
    """
    channel = TelegramChannel(assistant, cfg.default_lang)
    channel.interval = float(cfg.get("telegram", "outbox_interval", 15))
    builder = (ApplicationBuilder().token(token or cfg.secret("TELEGRAM_BOT_TOKEN") or "")
               .base_url(cfg.telegram_base_url).post_init(channel.start_delivery if deliver else channel.post_init))
    if deliver:
        builder = builder.post_stop(channel.stop_delivery)
    if rate_limiter:
        # Telegram's 30 a second overall, as a bucket of 1.2 messages draining at 29 a second: at most 30 in any
        # second even when a message reaches Telegram up to ~27 ms late, and a timer that fires a little late is made
        # up at the next message. PTB's default (a bucket of 30 at 30 a second) sends 30 at once and then 30 more
        # within that second: 429s, each stopping all sending for retry_after + 0.1 s (bench/announcements.py).
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=1.2, overall_time_period=1.2 / 29,
                                                      max_retries=3))
    app = builder.build()
    app.bot_data["channel"] = channel
    app.add_handler(TypeHandler(Update, channel.dedupe), group=-1)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, channel.on_message))
    # a photo, a sticker or a voice note sent to the bot itself is told to type (in a group it is not for the bot)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.TEXT,
                                   channel.on_message))
    app.add_handler(CallbackQueryHandler(channel.on_press))
    app.add_error_handler(channel.on_error)
    return app


class SetupError(Exception):
    pass


def webhook_options(cfg) -> dict:
    """The arguments of run_webhook / start_webhook from bot.toml [telegram] and TELEGRAM_WEBHOOK_SECRET."""
    url = cfg.get("telegram", "webhook_url", "") or ""
    if not url.startswith("https://"):
        raise SetupError("webhook mode needs [telegram] webhook_url in bot.toml: the public https address "
                         "Telegram posts to")
    secret = cfg.secret("TELEGRAM_WEBHOOK_SECRET")
    if not secret:
        raise SetupError("webhook mode needs TELEGRAM_WEBHOOK_SECRET (1-256 characters A-Z a-z 0-9 _ -), "
                         "so that only Telegram can post updates")
    return {"listen": cfg.get("telegram", "webhook_listen", "127.0.0.1"),
            "port": int(cfg.get("telegram", "webhook_port", 8443)),
            "url_path": urlparse(url).path.lstrip("/"), "webhook_url": url, "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES}


class _Brief(logging.Formatter):
    """Log lines for an operator: a Telegram error (network, refused token) is its message, not a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and isinstance(record.exc_info[1], TelegramError):
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def _no_bootstrap_failure(record: logging.LogRecord) -> bool:
    # a failed start (refused token, Bot API unreachable) is told by run_telegram in one line
    return not (record.levelno >= logging.ERROR and "(Bootstrap" in record.getMessage())


def _logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(_Brief("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
        log.setLevel(logging.INFO)
    logging.getLogger("telegram.ext").addFilter(_no_bootstrap_failure)  # PTB's network loop logs as telegram.ext


def run_telegram(assistant, cfg, token: str | None = None, stop_signals=None) -> int:
    """Run until stopped (Ctrl-C, SIGTERM): polling by default, or a webhook ([telegram] mode).

    A refused token or an unreachable Bot API is one line on stderr and exit code 2, not a traceback.
    """
    token = token or cfg.secret("TELEGRAM_BOT_TOKEN")
    mode = cfg.get("telegram", "mode", "polling")
    signals = {} if stop_signals is None else {"stop_signals": stop_signals}
    _logging()
    try:
        if not token:
            raise SetupError("TELEGRAM_BOT_TOKEN is not set")
        if mode not in ("polling", "webhook"):
            raise SetupError(f"[telegram] mode must be polling or webhook, not {mode!r}")
        options = webhook_options(cfg) if mode == "webhook" else None
        app = build_application(assistant, cfg, token=token, deliver=True)
        print(f"Telegram: {mode} via {cfg.telegram_base_url.rstrip('/')}…", file=sys.stderr, flush=True)
        if options:
            app.run_webhook(**options, **signals)
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, **signals)
    except SetupError as exc:
        print(f"error: Telegram: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except InvalidToken:
        print("error: Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather)", file=sys.stderr)
        return EXIT_FAILED
    except NetworkError as exc:
        print(f"error: Telegram: cannot reach the Bot API at {cfg.telegram_base_url}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except TelegramError as exc:
        print(f"error: Telegram: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # the webhook port is taken, …
        print(f"error: Telegram: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _seconds(value) -> float:
    """A RetryAfter delay as seconds, whether PTB gives an int or a timedelta."""
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
