"""A stand-in for Slack on 127.0.0.1, for the Slack channel's tests.

- `FakeSlack`: the Web API (auth.test, chat.postMessage, chat.update, chat.postEphemeral, views.publish,
  apps.connections.open, conversations.open) and response_url hooks, on a real HTTP server at a free port. It records
  every call's parameters; tests wait for calls with `wait()` instead of sleeping.
- `Sender`: Slack's side of the Events API: signed HTTP requests (slash commands, events, button
  actions) to the bot's endpoint, signed like Slack signs them (v0 HMAC-SHA256 of `v0:ts:body`).
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlencode

import local_server

SECRET = "test-signing-secret-8f742231b10e"  # the signing secret the tests give the bolt app and the Sender


@dataclass
class Call:
    method: str            # "chat.postMessage" …, or "response_url" for a post to a response_url
    params: dict
    token: str | None = None
    path: str = ""
    result: dict = field(default_factory=dict)   # what the fake answered (ts of a posted message …)

    @property
    def text(self) -> str:
        """The call's fallback text and every text in its blocks (or its view's blocks), one string."""
        parts = [self.params.get("text") or ""]
        blocks = self.params.get("blocks") or (self.params.get("view") or {}).get("blocks") or []
        for block in blocks:
            texts = [block.get("text")] + list(block.get("elements") or [])
            for t in texts:
                if isinstance(t, dict):
                    parts.append((t.get("text") if isinstance(t.get("text"), str) else (t.get("text") or {}).get("text")) or "")
        return "\n".join(parts)

    @property
    def blocks(self) -> list[dict]:
        return self.params.get("blocks") or (self.params.get("view") or {}).get("blocks") or []

    @property
    def buttons(self) -> list[dict]:
        return [e for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]


@dataclass
class FakeSlack:
    token: str = "xoxb-test"
    app_token: str = "xapp-test"
    bot_user: str = "UBOT"
    bot_id: str = "BBOT"
    calls: list[Call] = field(default_factory=list)
    failures: dict = field(default_factory=dict)   # method → [error code or 429, …] answered before succeeding

    def __post_init__(self):
        self.lock = threading.Condition()
        self.ts = itertools.count(1)
        self.server = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "FakeSlack":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                for key in ("blocks", "view"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                auth = self.headers.get("Authorization") or ""
                token = auth.removeprefix("Bearer ") if auth else params.get("token")
                status, headers, body = fake.answer(self.path, params, token)
                data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = local_server.serve(Handler)
        return self

    def stop(self) -> None:
        if self.server:
            local_server.close(self.server)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def url(self) -> str:
        """The Web API base URL (what SLACK_API_URL / [slack] api_url point at)."""
        return self.base + "/api/"

    def hook(self, name: str = "1") -> str:
        """A response_url on this server."""
        return f"{self.base}/hooks/{name}"

    # -- answers -------------------------------------------------------------------------------
    def answer(self, path: str, params: dict, token: str | None):
        if path.startswith("/hooks/"):
            with self.lock:
                self.calls.append(Call("response_url", params, token, path))
                self.lock.notify_all()
            return 200, {}, "ok"
        method = path.removeprefix("/api/").split("?")[0]
        with self.lock:
            pending = self.failures.get(method)
            failure = pending.pop(0) if pending else None
        status, headers, body = self._answer(method, params, token, failure)
        with self.lock:
            self.calls.append(Call(method, params, token, path, body if isinstance(body, dict) else {}))
            self.lock.notify_all()
        return status, headers, body

    def _answer(self, method: str, params: dict, token: str | None, failure):
        if failure == 429:
            return 429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"}
        if failure:
            return 200, {}, {"ok": False, "error": failure}
        if method == "auth.test":
            if token != self.token:
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            return 200, {}, {"ok": True, "url": "https://dust.example.slack.com/", "team": "Dust", "user": "dustbot",
                             "team_id": "T0001", "user_id": self.bot_user, "bot_id": self.bot_id}
        if method == "apps.connections.open":
            return 200, {}, {"ok": False, "error": "invalid_auth"} if token != self.app_token else \
                {"ok": True, "url": f"ws://127.0.0.1:{self.server.server_port}/link"}
        if token != self.token:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        ts = f"1764633600.{next(self.ts):06d}"
        if method == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": params.get("channel"), "ts": ts,
                             "message": {"text": params.get("text"), "ts": ts, "bot_id": self.bot_id}}
        if method == "conversations.open":  # the DM with a user: D + the user id, here
            users = params.get("users") or ""
            if not users or "," in users:
                return 200, {}, {"ok": False, "error": "users_not_found" if not users else "not_implemented"}
            return 200, {}, {"ok": True, "channel": {"id": f"D{users}"}}
        if method == "chat.update":
            return 200, {}, {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"),
                             "text": params.get("text")}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": ts}
        if method == "views.publish":
            return 200, {}, {"ok": True, "view": {"id": "V0001", **(params.get("view") or {})}}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    # -- what was called -----------------------------------------------------------------------
    def of(self, method: str | None = None, channel: str | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if (method is None or c.method == method)
                    and (channel is None or c.params.get("channel") == channel)]

    def wait(self, method: str | None = None, n: int = 1, channel: str | None = None, timeout: float = 10) -> list[Call]:
        """The calls of `method` (to `channel`) once there are at least n; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [c for c in self.calls if (method is None or c.method == method)
                         and (channel is None or c.params.get("channel") == channel)]
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited {timeout}s for {n} {method or 'call'}(s) to {channel or 'any channel'}; "
                                         f"got {[(c.method, c.params.get('channel')) for c in self.calls]}")
                self.lock.wait(left)


class Sender:
    """Slack's side: signed requests to the bot's endpoint. Each method returns (HTTP status, body)."""

    def __init__(self, url: str, signing_secret: str, team: str = "T0001", hooks: FakeSlack | None = None):
        self.url, self.secret, self.team, self.hooks = url, signing_secret, team, hooks
        self.ids = itertools.count(1)

    def sign(self, body: str, timestamp: int | None = None, secret: str | None = None) -> dict:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        mac = hmac.new((secret or self.secret).encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac}"}

    def post(self, body: str, content_type: str, headers: dict | None = None, timestamp: int | None = None,
             secret: str | None = None, signature: str | None = None) -> tuple[int, str]:
        h = {"Content-Type": content_type, **self.sign(body, timestamp, secret), **(headers or {})}
        if signature is not None:
            h["X-Slack-Signature"] = signature
        request = urllib.request.Request(self.url, data=body.encode("utf-8"), headers=h, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def command(self, text: str, user: str = "U1", channel: str = "D1", channel_name: str = "directmessage",
                command: str = "/dust", **kw) -> tuple[int, str]:
        n = next(self.ids)
        form = {"token": "legacy", "team_id": self.team, "team_domain": "dust", "channel_id": channel,
                "channel_name": channel_name, "user_id": user, "user_name": user.lower(), "command": command,
                "text": text, "api_app_id": "A0001", "response_url": self.hooks.hook(f"command-{n}") if self.hooks else "",
                "trigger_id": f"{n}.trigger"}
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event(self, event: dict, event_id: str | None = None, retry: int | None = None, **kw) -> tuple[int, str]:
        body = {"token": "legacy", "team_id": self.team, "api_app_id": "A0001", "event": event, "type": "event_callback",
                "event_id": event_id or f"Ev{next(self.ids):04d}", "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}]}
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(json.dumps(body, ensure_ascii=False), "application/json", headers=headers, **kw)

    def dm(self, text: str, user: str = "U1", channel: str = "D1", **kw) -> tuple[int, str]:
        ts = f"{time.time():.6f}"
        return self.event({"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
                           "ts": ts, "event_ts": ts}, **kw)

    def mention(self, text: str, user: str = "U1", channel: str = "C1", **kw) -> tuple[int, str]:
        ts = f"{time.time():.6f}"
        return self.event({"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts,
                           "event_ts": ts}, **kw)

    def home_opened(self, user: str = "U1", **kw) -> tuple[int, str]:
        return self.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home",
                           "event_ts": f"{time.time():.6f}"}, **kw)

    def press(self, button: dict, user: str = "U1", channel: str = "D1", message_ts: str = "1.0",
              ephemeral: bool = False, home: bool = False, **kw) -> tuple[int, str]:
        """A block_actions payload for `button` (as the bot sent it: action_id, value, text)."""
        n = next(self.ids)
        action = {"type": "button", "action_id": button["action_id"], "block_id": "b1", "value": button["value"],
                  "text": button["text"], "action_ts": f"{time.time():.6f}"}
        payload = {"type": "block_actions", "team": {"id": self.team, "domain": "dust"},
                   "user": {"id": user, "username": user.lower(), "team_id": self.team}, "api_app_id": "A0001",
                   "token": "legacy", "trigger_id": f"{n}.press", "actions": [action],
                   "response_url": self.hooks.hook(f"press-{n}") if self.hooks else ""}
        if home:
            payload["container"] = {"type": "view", "view_id": "V0001"}
            payload["view"] = {"id": "V0001", "type": "home"}
        else:
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel,
                                    "is_ephemeral": ephemeral}
            payload["channel"] = {"id": channel, "name": "directmessage" if channel.startswith("D") else "general"}
            if not ephemeral:
                payload["message"] = {"type": "message", "ts": message_ts, "bot_id": "BBOT", "text": "…"}
        return self.post(urlencode({"payload": json.dumps(payload, ensure_ascii=False)}),
                         "application/x-www-form-urlencoded", **kw)
