"""The Slack channel (slack-bolt): a thin adapter around the core.

Every text the user sees comes from the core's Reply; this module only turns a Slack request into
`assistant.ask` / `assistant.press` and a Reply into Block Kit.

- `/dust <sub-command or question>` → the core's slash command (`/dust status 서울` → `/status 서울`)
  or the question itself. In a DM with the bot the answer is a message; elsewhere it is shown only
  to the asker (chat.postEphemeral, or the command's response_url when the bot is not in the channel).
- A direct message, or a message that mentions the bot (the mention stripped) → `assistant.ask`.
- A pressed button (action_id `dust:<n>:<lang>`, value = the core's payload) → `assistant.press`. A /check
  step replaces the message that asked it (chat.update), so a conversation stays in one message.
- App Home shows the current status and the menu (views.publish).
- A request whose signature or timestamp is wrong is refused by bolt (401) before any listener runs,
  and logged here. An event Slack delivers again (same event_id, X-Slack-Retry-Num) is answered once.
- Outgoing: Slack allows about one message a second per channel (chat.postMessage); a small pacer
  keeps to that, and the WebClient retries a 429 after its Retry-After.
- The outbox (officer checklists: stage pushes, reminders, registration notices): every [slack]
  outbox_interval seconds `deliver()` does the jobs due and posts what the core queued for `slack:` users
  in their DM with the bot (conversations.open, then chat.postMessage; an item's button carries its
  `tick:<id>` payload). A tick pressed there replaces the checklist message, as a /check step does.

bolt runs listeners in worker threads; every call into the core goes through one lock, so the core and
its SQLite connection see one call at a time.
"""
from __future__ import annotations

import html
import logging
import re
import sys
import threading
import time
from socketserver import ThreadingMixIn
from urllib.error import URLError
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

PLATFORM = "slack"
EXIT_FAILED = 2
ENDPOINT = "/slack/events"
# dust:<n>, and the language of the message the button is under (dust:3:en): Slack sends no language code, so a
# button pressed by a user who chose no language is answered in the language of the answer it came with
ACTION_ID = re.compile(r"^dust:\d+(?::(ko|en))?$")
# Block Kit limits (https://api.slack.com/reference/block-kit)
MAX_BUTTONS = 25          # elements in one actions block
MAX_VALUE = 2000          # characters in a button value
MAX_LABEL = 75            # characters in a button's text
MAX_SECTION = 3000        # characters in a section's text
MAX_CONTEXT = 10          # elements in a context block
MAX_BLOCKS = 50           # blocks in a message (a Home view takes 100)
MAX_FALLBACK = 3000       # the notification text beside the blocks
# a DM that can never be delivered: the outbox message is dropped (logged), not retried every round
UNDELIVERABLE = {"user_not_found", "users_not_found", "user_disabled", "account_inactive", "cannot_dm_bot",
                 "is_archived", "not_allowed", "restricted_action"}
CHANNEL_COMMANDS = {"/subscribe", "/unsubscribe"}  # in a channel they act for the channel, not the member
MENTION = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")

log = logging.getLogger(__name__)


def user_id(slack_user: str) -> str:
    """The core's id for a Slack user."""
    return f"{PLATFORM}:{slack_user}"


# -- incoming text -------------------------------------------------------------------------------
def plain(text: str | None) -> str:
    """Slack's message markup as the text the user typed: mentions dropped, links as their label, &lt; → <."""
    text = MENTION.sub(" ", text or "")
    text = LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return " ".join(html.unescape(text).split())


def command_text(text: str | None) -> str:
    """`/dust` arguments as a message for the core: a sub-command becomes its slash command."""
    from handlers.commands import COMMANDS

    text = plain(text)
    if not text:
        return "/start"
    first, _, rest = text.partition(" ")
    if first.lower() in COMMANDS:
        return f"/{first.lower()} {rest}".strip()
    return text


# -- Block Kit -----------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Text for mrkdwn: Slack reads &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def label(text: str) -> str:
    """A button's text within Slack's 75 characters (cut with an ellipsis, never empty)."""
    text = " ".join((text or "").split()) or "…"
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1].rstrip() + "…"


def source_lines(reply) -> list[str]:
    """The citation lines exactly as the core writes them under the body (출처/Source: title — section)."""
    if not reply.sources or not reply.text.startswith(reply.body):
        return []
    return [line for line in reply.text[len(reply.body):].splitlines() if line.strip()]


def chunks(text: str, limit: int) -> list[str]:
    """Text in pieces of at most `limit` characters, cut at line ends where possible."""
    out = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        amp = text.rfind("&", cut - 5, cut)  # never cut inside &amp; &lt; &gt;
        if amp > 0 and ";" not in text[amp:cut]:
            cut = amp
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return out + ([text] if text.strip() else [])


def blocks(reply, first_action: int = 0, max_blocks: int = MAX_BLOCKS) -> list[dict]:
    """A Reply as Block Kit: the body (sections), the sources (context), the buttons (actions)."""
    buttons = []
    for text, payload in reply.buttons:
        if not payload or len(payload) > MAX_VALUE:
            log.warning("a button payload longer than Slack's %d characters was left out: %.60s…", MAX_VALUE, payload)
            continue
        buttons.append((text, payload))
    actions = []
    for start in range(0, len(buttons), MAX_BUTTONS):
        actions.append({"type": "actions", "elements": [
            {"type": "button", "action_id": f"dust:{first_action + start + i}:{reply.lang}", "value": payload,
             "text": {"type": "plain_text", "text": label(text), "emoji": True}}
            for i, (text, payload) in enumerate(buttons[start:start + MAX_BUTTONS])]})
    lines = source_lines(reply)
    context = [{"type": "context", "elements": [{"type": "mrkdwn", "text": escape(line)[:MAX_SECTION]}
                                                for line in lines[:MAX_CONTEXT]]}] if lines else []
    room = max(1, max_blocks - len(context) - len(actions))
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": part}}
                for part in chunks(escape(reply.body), MAX_SECTION)][:room]
    return (sections + context + actions)[:max_blocks]


def fallback(reply) -> str:
    """The message's plain text, which notifications and old clients show."""
    text = escape(reply.text)
    return text if len(text) <= MAX_FALLBACK else text[:MAX_FALLBACK - 1] + "…"


def home_view(status, menu) -> dict:
    """App Home: the status reply, then the menu reply; action ids run on across both."""
    top = blocks(status, 0, max_blocks=48)
    return {"type": "home", "blocks": top + [{"type": "divider"}] + blocks(menu, len(status.buttons), max_blocks=51)}


# -- outgoing pace -------------------------------------------------------------------------------
class Pacer:
    """At most one message every `interval` seconds to each channel (Slack: ~1 message/s per channel).

    A caller reserves the next free slot of its channel and sleeps until then outside the lock, so
    other channels are not held up.
    """

    def __init__(self, interval: float = 1.0, clock=time.monotonic, sleep=time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.lock = threading.Lock()
        self.next_at: dict[str, float] = {}

    def wait(self, channel: str) -> float:
        """Block until `channel` may take another message; returns the seconds waited."""
        if self.interval <= 0:
            return 0.0
        with self.lock:
            now = self.clock()
            at = max(now, self.next_at.get(channel, now))
            self.next_at[channel] = at + self.interval
            if len(self.next_at) > 10_000:  # forget idle channels rather than grow without bound
                self.next_at = {c: t for c, t in self.next_at.items() if t > now}
        if at > now:
            self.sleep(at - now)
        return at - now


def web_client(cfg, token: str | None = None) -> WebClient:
    """The Web API client: cfg.slack_api_url, retries after a 429 (Retry-After) and a dropped connection."""
    return WebClient(token=token or cfg.secret("SLACK_BOT_TOKEN"), base_url=cfg.slack_api_url,
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1),
                                     RateLimitErrorRetryHandler(max_retry_count=3)])


# -- the channel ---------------------------------------------------------------------------------
class SlackChannel:
    """The listeners of one bolt App, bound to one assistant."""

    def __init__(self, assistant, client: WebClient, pacer: Pacer):
        self.assistant = assistant
        self.client = client
        self.pacer = pacer
        self.core = threading.Lock()  # one call into the core (and its SQLite connection) at a time
        self.told_to_wait: set[str] = set()
        self.delivering = threading.Lock()  # one outbox round at a time: a message is posted once
        self.dms: dict[str, str] = {}  # Slack user → the id of their DM with the bot (conversations.open)

    # -- the core ------------------------------------------------------------------------------
    def ask(self, text: str, user: str):
        with self.core:
            return self.assistant.ask(text, None, user_id(user))

    def press(self, payload: str, user: str, shown_in: str | None = None):
        with self.core:
            return self.assistant.press(payload, None, user_id(user), shown_in=shown_in)

    def first_delivery(self, key: str) -> bool:
        store = self.assistant.store
        if store is None:
            return True
        with self.core:
            return store.first_delivery(PLATFORM, key)

    def worth_sending(self, reply, user: str) -> bool:
        """The rate-limit notice once per flood: repeating it for every message would be a flood of its own."""
        with self.core:
            if reply.intent != "rate_limited":
                self.told_to_wait.discard(user)
                return True
            if user in self.told_to_wait:
                return False
            self.told_to_wait.add(user)
            return True

    # -- middleware and listeners ----------------------------------------------------------------
    def dedupe(self, body: dict, next) -> BoltResponse | None:
        """Before any listener: a request already processed (Slack's retry of an event) is acknowledged and dropped."""
        key = delivery_key(body)
        if key is not None and not self.first_delivery(key):
            log.info("Slack delivered %s again: ignored", key)
            return BoltResponse(status=200, body="")
        return next()

    def on_command(self, ack, body: dict, respond) -> None:
        ack()
        user, channel = body["user_id"], body.get("channel_id", "")
        text = command_text(body.get("text"))
        asker = user
        if text.split(" ", 1)[0] in CHANNEL_COMMANDS and not is_dm(channel, body.get("channel_name")) and channel:
            asker = channel  # /dust subscribe in a channel subscribes the channel: announcements are posted there
        reply = self.ask(text, asker)
        if not self.worth_sending(reply, user):
            return
        if is_dm(channel, body.get("channel_name")):
            sent = self.post(channel, reply)
        else:
            sent = self.post_ephemeral(channel, user, reply)
        if not sent:  # the bot is not in that channel: the command's own response_url always works
            self.respond(respond, reply)

    def on_message(self, event: dict) -> None:
        if (event.get("channel_type") != "im" or event.get("subtype") not in (None, "file_share") or event.get("bot_id")
                or not event.get("user")):
            return  # only what a person writes to the bot; edits, joins and the bot's own messages are not questions
        # a file with no words beside it (a screenshot) is told to type
        reply = self.ask(plain(event.get("text")) or None, event["user"])
        if self.worth_sending(reply, event["user"]):
            self.post(event["channel"], reply, thread_ts=event.get("thread_ts"))

    def on_mention(self, event: dict) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        reply = self.ask(plain(event.get("text")), event["user"])
        if self.worth_sending(reply, event["user"]):
            self.post(event["channel"], reply, thread_ts=event.get("thread_ts") or event.get("ts"))

    def on_press(self, ack, body: dict, action: dict, respond) -> None:
        ack()
        user, payload = body["user"]["id"], action.get("value") or ""
        named = ACTION_ID.match(action.get("action_id") or "")
        reply = self.press(payload, user, shown_in=named[1] if named else None)
        # a /check step, or a tick (a refused tick is a new message: the checklist stays as it was)
        step = (payload.startswith("check:") and payload != "check:start"
                or payload.startswith(("tick:", "untick:")) and reply.matched)
        container = body.get("container") or {}
        if container.get("type") == "view" or body.get("view"):
            # a button of App Home: the answer goes to the user's DM with the bot
            self.post(body["user"]["id"], reply)
            if reply.intent == "lang":
                self.publish_home(user)
            return
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        message = body.get("message") or {}
        ts = message.get("ts") or container.get("message_ts")
        thread_ts = message.get("thread_ts") or container.get("thread_ts")
        if container.get("is_ephemeral"):
            # only its user sees an ephemeral message: a /check step replaces it through the response_url
            self.respond(respond, reply, replace_original=step)
        elif is_dm(channel, (body.get("channel") or {}).get("name")):
            if not (step and ts and self.update(channel, ts, reply)):
                self.post(channel, reply, thread_ts=thread_ts)
        elif not self.post_ephemeral(channel, user, reply, thread_ts=thread_ts):
            # a shared message in a channel: the answer is for the one who pressed, not for everyone
            self.respond(respond, reply)

    def on_home(self, event: dict) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            self.publish_home(event["user"])

    def publish_home(self, user: str) -> None:
        # buttons, not messages: opening the tab does not count against the user's message limit
        status, menu = self.press("cmd:status", user), self.press("cmd:start", user)
        self.call("views.publish", self.client.views_publish, user_id=user, view=home_view(status, menu))

    # -- the outbox (officer checklists: pushes and reminders) ----------------------------------
    def deliver(self) -> int:
        """Do the checklist jobs due now and post what the core queued for Slack users; returns how many were sent.

        A message is marked sent once posted, or dropped when its user can never get a DM (logged); any other
        failure keeps it for the next round.
        """
        with self.delivering:
            with self.core:
                self.assistant.due()
                messages = self.assistant.outbox(PLATFORM)
            sent = 0
            for message in messages:
                outcome = self.post_dm(message["user"].split(":", 1)[1], message["reply"])
                if outcome == "retry":
                    continue
                if outcome == "dropped":  # never deliverable: closed, and no more announcements to it
                    with self.core:
                        self.assistant.blocked(message["id"])
                    continue
                with self.core:
                    marked = self.assistant.sent(message["id"])
                if marked and outcome == "sent":
                    sent += 1
            return sent

    def post_dm(self, member: str, reply) -> str:
        """Post a reply in the member's DM with the bot, or in a subscribed channel (an id C… or G…):
        'sent', 'dropped' (never deliverable) or 'retry'."""
        in_channel = member[:1] in ("C", "G")
        try:
            channel = member if in_channel else self.dms.get(member)
            if channel is None:
                channel = self.client.conversations_open(users=member)["channel"]["id"]
                self.dms[member] = channel
            self.pacer.wait(channel)
            self.client.chat_postMessage(channel=channel, text=fallback(reply), blocks=blocks(reply),
                                         unfurl_links=False, unfurl_media=False)
            return "sent"
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in UNDELIVERABLE or in_channel and error in ("not_in_channel", "channel_not_found"):
                log.info("could not deliver to slack:%s (%s): dropped", member, error)
                return "dropped"
            if error == "channel_not_found":
                self.dms.pop(member, None)  # open the DM again next round
            log.warning("could not deliver to slack:%s (%s): kept for the next round", member, error)
        except (SlackClientError, URLError, OSError, KeyError, TypeError) as exc:
            log.warning("could not deliver to slack:%s (%s): kept for the next round", member, exc)
        return "retry"

    def deliver_forever(self, interval: float, stop: threading.Event) -> None:
        while True:
            try:
                self.deliver()
            except Exception as exc:  # noqa: BLE001 - one failed round must not stop the next
                log.error("checklist delivery failed: %r", exc)
            if stop.wait(interval):
                return

    def start_delivery(self, interval: float) -> threading.Event:
        """Deliver the outbox every `interval` seconds in a thread, until the returned event is set."""
        stop = threading.Event()
        if self.assistant.store is not None:
            threading.Thread(target=self.deliver_forever, args=(interval, stop), name="slack-outbox",
                             daemon=True).start()
        return stop

    # -- sending ---------------------------------------------------------------------------------
    def call(self, name: str, method, **kwargs) -> bool:
        try:
            method(**kwargs)
            return True
        except SlackApiError as exc:
            log.warning("Slack %s failed: %s", name, exc.response.get("error"))
        except (SlackClientError, URLError, OSError) as exc:
            log.warning("Slack %s failed: %s", name, exc)
        return False

    def post(self, channel: str, reply, thread_ts: str | None = None) -> bool:
        self.pacer.wait(channel)
        return self.call("chat.postMessage", self.client.chat_postMessage, channel=channel, text=fallback(reply),
                         blocks=blocks(reply), thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)

    def post_ephemeral(self, channel: str, user: str, reply, thread_ts: str | None = None) -> bool:
        self.pacer.wait(channel)
        return self.call("chat.postEphemeral", self.client.chat_postEphemeral, channel=channel, user=user,
                         text=fallback(reply), blocks=blocks(reply), thread_ts=thread_ts)

    def update(self, channel: str, ts: str, reply) -> bool:
        self.pacer.wait(channel)
        return self.call("chat.update", self.client.chat_update, channel=channel, ts=ts, text=fallback(reply),
                         blocks=blocks(reply))

    def respond(self, respond, reply, replace_original: bool = False) -> bool:
        if respond is None:  # a request without a response_url
            return False
        try:
            response = respond(text=fallback(reply), blocks=blocks(reply), response_type="ephemeral",
                               replace_original=replace_original)
        except (SlackClientError, URLError, OSError, ValueError) as exc:
            log.warning("Slack response_url failed: %s", exc)
            return False
        if response is not None and getattr(response, "status_code", 200) >= 300:
            log.warning("Slack response_url failed: %s %s", response.status_code, getattr(response, "body", ""))
            return False
        return True


def is_dm(channel: str | None, name: str | None = None) -> bool:
    return bool(channel) and channel.startswith("D") or name == "directmessage"


def delivery_key(body: dict) -> str | None:
    """What identifies one delivery: an event's event_id (kept on retries), an interaction's trigger_id."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        kind = "command" if body.get("command") else body.get("type", "interaction")
        return f"{kind}:{body['trigger_id']}"
    return None


def build_app(assistant, cfg, client: WebClient | None = None, **options) -> App:
    """The bolt App with every listener, in one place.

    `client` defaults to a WebClient on cfg.slack_api_url with SLACK_BOT_TOKEN; bolt checks the token
    with auth.test here (BoltError when it is refused). `options` go to App (tests: a listener_executor …).
    """
    client = client or web_client(cfg)
    app = App(client=client, signing_secret=cfg.secret("SLACK_SIGNING_SECRET") or "", name="dust-measures-bot",
              **options)
    channel = SlackChannel(assistant, client, Pacer(float(cfg.get("slack", "post_interval", 1.0))))
    app.middleware(channel.dedupe)
    app.command(cfg.get("slack", "command", "/dust"))(channel.on_command)
    app.action(ACTION_ID)(channel.on_press)
    app.event("message")(channel.on_message)
    app.event("app_mention")(channel.on_mention)
    app.event("app_home_opened")(channel.on_home)
    app.channel = channel  # for tests and run_slack
    return app


# -- HTTP mode -----------------------------------------------------------------------------------
class Endpoint(SlackRequestHandler):
    """bolt's WSGI handler, logging every request it refused (bad signature, timestamp older than 5 minutes)."""

    def dispatch(self, request):
        response = super().dispatch(request)
        if response.status == 401:
            log.warning("refused a Slack request from %s: bad signature or timestamp outside 5 minutes "
                        "(X-Slack-Request-Timestamp: %s)", request.environ.get("REMOTE_ADDR", "?"),
                        request.environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "none"))
        return response


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        log.debug("%s " + format, self.address_string(), *args)


def http_server(app: App, host: str = "127.0.0.1", port: int = 3000, path: str = ENDPOINT) -> WSGIServer:
    """A threaded HTTP server for the App's endpoint (port 0: a free port); call serve_forever()."""
    return make_server(host, port, Endpoint(app, path=path), server_class=_Server, handler_class=_Quiet)


# -- running -------------------------------------------------------------------------------------
class SetupError(Exception):
    pass


def _api_error(exc: BaseException | None) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("error") if response is not None and hasattr(response, "get") else None


class _Starting(logging.Filter):
    """While starting, a refused token or an unreachable API is told by run_slack in one line, not also logged."""

    def __init__(self):
        super().__init__()
        self.active = True

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.active and record.levelno >= logging.ERROR)


STARTUP_LOGGERS = ("slack_bolt.App", "slack_sdk.web.base_client", "slack_sdk.socket_mode.builtin.client")


def _logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)


def run_slack(assistant, cfg) -> int:
    """Run until stopped: Socket Mode by default, an HTTP endpoint with [slack] mode = "http".

    A missing or refused token, an unreachable API or a taken port is one line on stderr and exit code 2.
    """
    mode = cfg.get("slack", "mode", "socket")
    _logging()
    starting = _Starting()
    for name in STARTUP_LOGGERS:
        logging.getLogger(name).addFilter(starting)
    stop_delivery = None
    try:
        if not cfg.secret("SLACK_BOT_TOKEN"):
            raise SetupError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)")
        if mode == "socket" and not cfg.secret("SLACK_APP_TOKEN"):
            raise SetupError("SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) "
                             "with connections:write; or set [slack] mode = \"http\" and SLACK_SIGNING_SECRET")
        if mode == "http" and not cfg.secret("SLACK_SIGNING_SECRET"):
            raise SetupError("SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it")
        if mode not in ("socket", "http"):
            raise SetupError(f"[slack] mode must be socket or http, not {mode!r}")
        try:
            app = build_app(assistant, cfg)
        except BoltError as exc:
            reason = _api_error(exc.__context__) or str(exc).splitlines()[0]
            raise SetupError(f"the API refused SLACK_BOT_TOKEN ({reason})") from None
        # the checklist outbox: pushes, reminders and notices to slack: users, every [slack] outbox_interval seconds
        stop_delivery = app.channel.start_delivery(float(cfg.get("slack", "outbox_interval", 15)))
        if mode == "http":
            host, port = cfg.get("slack", "http_listen", "127.0.0.1"), int(cfg.get("slack", "http_port", 3000))
            server = http_server(app, host, port)
            print(f"Slack: HTTP mode, listening on http://{host}:{server.server_port}{ENDPOINT}",
                  file=sys.stderr, flush=True)
            starting.active = False
            try:
                server.serve_forever()
            finally:
                server.server_close()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(app, cfg.secret("SLACK_APP_TOKEN"))
            try:
                handler.connect()
            except SlackApiError as exc:
                handler.close()
                raise SetupError(f"the API refused SLACK_APP_TOKEN ({_api_error(exc)})") from None
            print(f"Slack: Socket Mode via {cfg.slack_api_url}", file=sys.stderr, flush=True)
            starting.active = False
            try:
                threading.Event().wait()
            finally:
                handler.close()
    except SetupError as exc:
        print(f"error: Slack: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SlackApiError as exc:
        print(f"error: Slack: the API answered {_api_error(exc)} ({cfg.slack_api_url})", file=sys.stderr)
        return EXIT_FAILED
    except URLError as exc:
        print(f"error: Slack: cannot reach the API at {cfg.slack_api_url}: {exc.reason}", file=sys.stderr)
        return EXIT_FAILED
    except (SlackClientError, OSError) as exc:  # the port taken …
        print(f"error: Slack: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if stop_delivery is not None:
            stop_delivery.set()
        for name in STARTUP_LOGGERS:
            logging.getLogger(name).removeFilter(starting)
    return 0
