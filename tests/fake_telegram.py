"""A stand-in for the Telegram Bot API: a real HTTP server on 127.0.0.1 that records every call.

It speaks the documented shapes (https://core.telegram.org/bots/api): `{"ok": true, "result": …}`,
Update / Message / CallbackQuery objects, getUpdates honouring `offset`, `limit` and long polling
with `timeout`. Tests and the benchmark queue updates with `message()` / `press()` and read what
the bot sent with `calls()`.

    fake = FakeTelegram().start()
    fake = FakeTelegram(limit_per_second=30).start()   # Telegram's broadcast limit, enforced (bench/announcements.py)
    cfg = bot.config.load(env={"TELEGRAM_BASE_URL": fake.base_url, "TELEGRAM_BOT_TOKEN": fake.token})
"""
from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import local_server

TOKEN = "123456789:TEST-token_for-the-fake-server"
BOT = {"id": 123456789, "is_bot": True, "first_name": "미세먼지 도우미", "username": "dust_measures_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
# fields PTB sends JSON-encoded in a form body; everything else is a plain string or a number
JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "scope", "reply_parameters", "link_preview_options",
               "entities"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
EPOCH = 1_796_169_600  # 2026-12-02 09:00 KST, the tests' clock


class FakeTelegram:
    def __init__(self, token: str = TOKEN, max_batch: int = 100, limit_per_second: int | None = None):
        self.token = token
        self.max_batch = max_batch
        # opt-in: more than this many sendMessage in any sliding second are refused as Telegram does (429 with
        # retry_after); a refused request does not count. None (the default): no limit.
        self.limit_per_second = limit_per_second
        self.limited = 0                       # how many sendMessage the limit refused
        self.sent_times: list[float] = []      # time.monotonic() of every sendMessage answered ok (the benchmark's clock)
        self._window: deque[float] = deque()   # the accepted sendMessage of the last second
        self.lock = threading.Condition()
        self.pending: list[dict] = []          # updates not yet confirmed by an offset
        self.log: list[tuple[str, dict]] = []  # (method, parameters) of every call, in order
        self.served_at: dict[int, float] = {}  # update_id → perf_counter when getUpdates handed it out
        self.ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.chats: dict[int, dict] = {}
        self.messages: dict[tuple[int, int], dict] = {}  # (chat id, message id) → the bot's messages
        self.server: ThreadingHTTPServer | None = None
        self.keep_transcript = True  # the benchmark turns it off
        self._seen: list[dict] = []

    # -- the server ----------------------------------------------------------------------------
    def start(self) -> "FakeTelegram":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as written, no 40 ms delayed-ACK stall

            def do_POST(self):
                fake._handle(self)

            do_GET = do_POST

            def log_message(self, *args):  # quiet
                pass

        self.server = local_server.serve(Handler)
        return self

    def stop(self) -> None:
        if self.server:
            with self.lock:
                self.lock.notify_all()
            local_server.close(self.server)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        path = http.path.split("?", 1)[0]
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        prefix = "/bot"
        token, _, method = path[len(prefix):].partition("/") if path.startswith(prefix) else ("", "", "")
        if token != self.token:
            return self._reply(http, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        params = self._params(http.headers.get("Content-Type", ""), body)
        handler = getattr(self, "api_" + method, None)
        if handler is None:
            return self._reply(http, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        if method == "sendMessage" and self._refused(http):
            return
        if method != "getUpdates":
            with self.lock:
                self.log.append((method, params))
                if method == "sendMessage":
                    self.sent_times.append(time.monotonic())
                self.lock.notify_all()
        try:
            result = handler(params)
        except ApiError as exc:
            return self._reply(http, 400, {"ok": False, "error_code": 400, "description": exc.args[0]})
        self._reply(http, 200, {"ok": True, "result": result})

    # -- trouble on demand (issue 5: a 429 storm, a sender killed with a request in flight) -----------
    flood_until = 0.0   # until this time.monotonic(), every sendMessage is answered 429 with retry_after
    flood_retry_after = 1
    floods = 0          # how many 429s were answered
    hold_after = None   # once this many sendMessage calls were logged, the next ones hang unanswered, unrecorded

    def storm(self, seconds: float, retry_after: int = 1) -> None:
        self.flood_retry_after = retry_after
        self.flood_until = time.monotonic() + seconds

    def _refused(self, http) -> bool:
        if time.monotonic() < self.flood_until:
            with self.lock:
                self.floods += 1
            self._too_many(http, self.flood_retry_after)
            return True
        if self._over_limit(http):
            return True
        if self.hold_after is not None and len(self.calls("sendMessage")) >= self.hold_after:
            self.held = getattr(self, "held", 0) + 1
            while self.hold_after is not None and self.server is not None:
                time.sleep(0.01)  # a request lost on the way: never delivered, never answered
            self.held -= 1
            return True
        return False

    def _over_limit(self, http) -> bool:
        """With limit_per_second: refuse a sendMessage that would be one too many in the last second."""
        if self.limit_per_second is None:
            return False
        with self.lock:
            now = time.monotonic()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) < self.limit_per_second:
                self._window.append(now)
                return False
            self.limited += 1
            wait = max(1, math.ceil(self._window[0] + 1.0 - now))  # whole seconds, as Telegram says it
        self._too_many(http, wait)
        return True

    def _too_many(self, http, retry_after: int) -> None:
        self._reply(http, 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after "
                                f"{retry_after}", "parameters": {"retry_after": retry_after}})

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict:
        if not body:
            return {}
        if content_type.startswith("application/json"):
            return json.loads(body)
        out = {}
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            if key in JSON_FIELDS:
                value = json.loads(value)
            elif key in INT_FIELDS:
                value = int(value)
            out[key] = value
        return out

    @staticmethod
    def _reply(http, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        try:
            http.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the bot stopped a long poll: nobody is listening
            pass

    # -- the methods ---------------------------------------------------------------------------
    def api_getMe(self, p):
        return BOT

    def api_getUpdates(self, p):
        offset, limit = p.get("offset"), min(int(p.get("limit") or 100), 100, self.max_batch)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        with self.lock:
            if offset is not None:  # confirms every update below it
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and time.monotonic() < deadline:
                self.lock.wait(min(0.2, max(0.0, deadline - time.monotonic())))
            batch = self.pending[:limit]
            now = time.perf_counter()
            for u in batch:
                if u["update_id"] not in self.served_at:
                    self.served_at[u["update_id"]] = now
                    if self.keep_transcript:
                        self._seen.append(u)
                        self.log.append(("_update", {"update_id": u["update_id"]}))
            return batch

    def api_sendMessage(self, p):
        chat = self.chats.get(p["chat_id"]) or {"id": p["chat_id"], "type": "private"}
        message = {"message_id": next(self.message_ids), "date": EPOCH, "chat": chat, "from": BOT, "text": p["text"]}
        if "reply_markup" in p:
            message["reply_markup"] = p["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def api_editMessageText(self, p):
        message = self.messages.get((p.get("chat_id"), p.get("message_id")))
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        if message["text"] == p["text"] and message.get("reply_markup") == p.get("reply_markup"):
            raise ApiError("Bad Request: message is not modified: specified new message content and reply markup "
                           "are exactly the same as a current content and reply markup of the message")
        message = {**message, "text": p["text"], "edit_date": EPOCH}
        message.pop("reply_markup", None)
        if "reply_markup" in p:
            message["reply_markup"] = p["reply_markup"]
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        return message

    def api_answerCallbackQuery(self, p):
        return True

    def api_setMyCommands(self, p):
        return True

    def api_deleteWebhook(self, p):
        return True

    def api_setWebhook(self, p):
        return True

    def api_getWebhookInfo(self, p):
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.pending)}

    def api_close(self, p):
        return True

    # -- what a test does ----------------------------------------------------------------------
    def user(self, uid: int, language_code: str | None = "ko", first_name: str = "민지") -> dict:
        u = {"id": uid, "is_bot": False, "first_name": first_name}
        if language_code:
            u["language_code"] = language_code
        return u

    def message(self, uid: int, text: str, *, language_code: str | None = "ko", update_id: int | None = None,
                chat: dict | None = None, queue: bool = True) -> dict:
        """A text message from user `uid` in their private chat (or `chat`); queued for getUpdates."""
        chat = chat or {"id": uid, "type": "private", "first_name": "민지"}
        self.chats[chat["id"]] = chat
        update = {"update_id": update_id or next(self.ids), "message": {
            "message_id": next(self.message_ids), "date": EPOCH, "chat": chat,
            "from": self.user(uid, language_code), "text": text}}
        if text.startswith("/"):
            update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.queue(update) if queue else update

    def press(self, uid: int, data: str, message: dict | None = None, *, language_code: str | None = "ko",
              update_id: int | None = None, queue: bool = True) -> dict:
        """User `uid` presses the button `data` under the bot's `message` (a sendMessage result)."""
        query = {"id": str(next(self.ids) * 7919), "from": self.user(uid, language_code),
                 "chat_instance": str(uid), "data": data}
        if message is not None:
            query["message"] = self.messages[(message["chat"]["id"], message["message_id"])]
        update = {"update_id": update_id or next(self.ids), "callback_query": query}
        return self.queue(update) if queue else update

    def queue(self, *updates: dict) -> dict:
        with self.lock:
            self.pending.extend(updates)
            self.lock.notify_all()
        return updates[-1]

    def calls(self, method: str | None = None) -> list[dict]:
        with self.lock:
            return [p for m, p in self.log if m == method or (method is None and not m.startswith("_"))]

    def wait(self, predicate, timeout: float = 10.0):
        """Block until predicate(fake) is true; returns its value (raises TimeoutError)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                value = predicate(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the bot did not do it within {timeout}s; calls: {[m for m, _ in self.log]}")
                self.lock.wait(min(left, 0.1))

    async def until(self, predicate, timeout: float = 10.0):
        """wait() for a test running in the bot's own event loop: sleeps instead of blocking it."""
        import asyncio

        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot did not do it within {timeout}s; calls: {[m for m, _ in self.log]}")
            await asyncio.sleep(0.005)

    async def sent(self, method: str, count: int, timeout: float = 10.0) -> list[dict]:
        """The first `count` calls of `method`, once there are that many."""
        return (await self.until(lambda f: len(c := [p for m, p in f.log if m == method]) >= count and c, timeout))[:count]

    def wait_calls(self, method: str, count: int, timeout: float = 10.0) -> list[dict]:
        return self.wait(lambda f: (c := [p for m, p in f.log if m == method])[count - 1:] and c, timeout)

    def with_button(self, chat_id: int, data: str) -> dict:
        """The bot's newest message in a chat that shows a button with this callback_data."""
        for (c, _), m in sorted(self.messages.items(), key=lambda kv: -kv[0][1]):
            rows = (m.get("reply_markup") or {}).get("inline_keyboard", [])
            if c == chat_id and any(b.get("callback_data") == data for row in rows for b in row):
                return m
        raise AssertionError(f"no message in chat {chat_id} has a button {data!r}")

    def transcript(self) -> str:
        """What happened, as a chat reads: the user's messages and presses, the bot's messages and edits."""
        lines = []
        with self.lock:
            served = {u["update_id"]: u for u in self._seen}
            for method, p in self.log:
                if method == "_update":
                    u = served[p["update_id"]]
                    if "message" in u:
                        lines.append(f"> {u['message']['text']}")
                    else:
                        lines.append(f"> [{self._label(u['callback_query'])}]")
                elif method in ("sendMessage", "editMessageText"):
                    head = "" if method == "sendMessage" else "(edits its message) "
                    rows = (p.get("reply_markup") or {}).get("inline_keyboard", [])
                    lines.append(head + p["text"] + "".join("\n  " + " ".join(f"[{b['text']}]" for b in row)
                                                            for row in rows))
        return "\n".join(lines)

    @staticmethod
    def _label(query: dict) -> str:
        rows = (query.get("message") or {}).get("reply_markup", {}).get("inline_keyboard", [])
        return next((b["text"] for row in rows for b in row if b.get("callback_data") == query["data"]), query["data"])

    def last_message(self, chat_id: int) -> dict:
        """The bot's newest message in a chat, as the chat shows it now (after edits)."""
        mine = [m for (c, _), m in self.messages.items() if c == chat_id]
        return max(mine, key=lambda m: m["message_id"])


class ApiError(Exception):
    pass
