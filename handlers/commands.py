"""Slash commands every messenger offers: /start /help /status /check /faq /roles /lang /cancel.

A command is a function registered with @command; its description (translated) is what a
channel registers with the platform (Telegram's set_my_commands, Slack's /dust help).
"""
from __future__ import annotations

from bot.i18n import LANGS, pick_lang, show
from bot.messages import N_
from bot.reply import Reply
from bot.router import capabilities, presses

COMMANDS: dict[str, tuple[object, str]] = {}


def command(name: str, description: str):
    def register(fn):
        COMMANDS[name] = (fn, description)
        return fn
    return register


def descriptions(ctx) -> list[tuple[str, str]]:
    """(name, description in the user's language) for every command, in menu order."""
    return [(name, ctx.t(desc)) for name, (_, desc) in COMMANDS.items()]


@presses("cmd")
def press(assistant, ctx, name: str) -> Reply:
    """A menu button: the command without arguments."""
    return run(assistant, ctx, name, "")


def run(assistant, ctx, name: str, args: str) -> Reply:
    entry = COMMANDS.get(name)
    if entry is None:
        return capabilities(ctx, lead=ctx.t("Unknown command /{name}.", name=name))
    return entry[0](assistant, ctx, args.strip())


@command("start", N_("Start: what this bot does, and a menu"))
def start(assistant, ctx, args: str) -> Reply:
    reply = capabilities(ctx, intent="start", matched=True,
                         lead=ctx.t("Hello! I answer questions on fine-dust reduction measures from the official guidelines."))
    reply.buttons = menu(ctx)
    return reply


@command("help", N_("What you can ask"))
def help_(assistant, ctx, args: str) -> Reply:
    reply = capabilities(ctx, intent="help", matched=True)
    reply.body += "\n\n" + "\n".join(f"/{name} — {desc}" for name, desc in descriptions(ctx))
    return reply


@command("status", N_("Is a measure on? /status [시·도]"))
def status(assistant, ctx, args: str) -> Reply:
    from handlers.status import answer_status

    # '/status 서울 부산' takes several, as '/subscribe 서울 경기' does; '제주 특별자치도' is one name with a space
    one = ctx.kb.sido(args) if args else None
    sidos, unknown = ([one], []) if one else ctx.kb.sidos_named(args)
    if unknown:
        return Reply(ctx.t("Unknown 시·도: {name}. Try 서울, 부산, 경기 …", name=_shortened(unknown[0])),
                     matched=False, intent="status", lang=ctx.lang)
    # today's and the coming days' measures
    return answer_status(ctx, args, sido=sidos[0] if sidos else None, day=None, more=sidos[1:])


@command("check", N_("May my car run? A step-by-step check"))
def check(assistant, ctx, args: str) -> Reply:
    from handlers import check as conversation

    return conversation.start(ctx, assistant.conversations)


@command("faq", N_("Frequently asked questions"))
def faq(assistant, ctx, args: str) -> Reply:
    from handlers import admin

    if admin.is_faq_admin_command(args):  # /faq add|edit|delete|search|cancel: admins only
        return admin.faq_command(assistant, ctx, args)
    if args:
        return assistant.ask(args, ctx.lang)
    first_of_topic: dict[str, dict] = {}
    for entry in ctx.kb.faq:
        first_of_topic.setdefault(entry["topic"], entry)
    buttons = [(e["questions"][ctx.lang][0], f"faq:{e['id']}") for e in list(first_of_topic.values())[:8]]
    return Reply(ctx.t("Ask in your own words, or pick a question:"), matched=True, intent="faq_menu",
                 buttons=buttons, lang=ctx.lang)


@command("roles", N_("An agency's tasks per stage: /roles [agency]"))
def roles(assistant, ctx, args: str) -> Reply:
    from bot.rules import roles as rules
    from handlers.roles import answer_roles, stages_named

    if args:
        agency = rules.find_agency(ctx.kb, args)
        under = rules.agencies_under(ctx.kb, args) if agency is None else None
        if under is not None:  # '/roles 국토교통부': the rows it appears in, to pick from
            return answer_roles(ctx, args, None, None, under=under)
        if agency is None:
            return Reply(ctx.t("I do not know the agency '{name}'.", name=_shortened(args)), matched=False, intent="roles",
                         lang=ctx.lang, buttons=_agency_buttons(ctx))
        return answer_roles(ctx, args, agency, stages_named(ctx.kb, args.lower()))  # '/roles 코레일 4단계': stage 4 only
    return Reply(ctx.t("Which agency?"), matched=True, intent="roles", buttons=_agency_buttons(ctx), lang=ctx.lang)


def _agency_buttons(ctx) -> list[tuple[str, str]]:
    return [(show(ctx.lang, a["name"]), f"roles:{a['id']}") for a in ctx.kb.agencies]


@command("lang", N_("Language: /lang ko or /lang en"))
def lang(assistant, ctx, args: str) -> Reply:
    if args:
        new = pick_lang(args)
    else:
        new = LANGS[(LANGS.index(ctx.lang) + 1) % len(LANGS)]
    if assistant.store is not None and ctx.user:
        assistant.store.set_language(ctx.user, new)
    ctx.lang = new
    return Reply(ctx.t("Language set to English."), matched=True, intent="lang",
                 lang=new, data={"lang": new})


@command("cancel", N_("Stop the current check"))
def cancel(assistant, ctx, args: str) -> Reply:
    from handlers import check as conversation

    return conversation.cancel(ctx, assistant.conversations)


def menu(ctx) -> list[tuple[str, str]]:
    return [(ctx.t("May my car run?"), "check:start"), (ctx.t("Is a measure on?"), "cmd:status"),
            (ctx.t("FAQ"), "cmd:faq"), (ctx.t("Agency tasks"), "cmd:roles"),
            ("English" if ctx.lang == "ko" else "한국어", "cmd:lang")]


# Officer checklists (/register /approve /checklist /progress) register themselves with @command.
from handlers import checklist as _checklist  # noqa: E402,F401

# The official decisions (/issue /release /noissue /forecast) register themselves with @command.
from handlers import registry as _registry  # noqa: E402,F401

# The admin's knowledge tools (/kb, and /faq add|edit|delete|search) register themselves with @command.
from handlers import admin as _admin  # noqa: E402,F401

# Subscriptions to the live issuance status (/subscribe /unsubscribe) register themselves with @command.
from handlers import live as _live  # noqa: E402,F401


def _shortened(name: str, limit: int = 40) -> str:
    """A name the user typed, as an error message repeats it: a pasted paragraph is not echoed whole."""
    return name if len(name) <= limit else name[:limit - 1] + "…"
