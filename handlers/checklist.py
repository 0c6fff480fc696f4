"""Officer checklists in the conversation: /register /approve /checklist /progress and the tick buttons
(/issue, which opens them, is in handlers/registry.py).

Button payloads: 'tick:<item id>', 'untick:<item id>', 'approve:<user id>' (all well under Telegram's
64 bytes). The store side is bot/checklists.py; this module only reads the user's input, asks it,
and renders what it answers, in the user's language. Bad input gets a message and changes nothing.
"""
from __future__ import annotations

import re
from datetime import datetime

from bot import checklists as store_side
from bot.admins import is_admin
from bot.i18n import show
from bot.messages import N_
from bot.reply import Reply
from bot.router import handles, presses, row_id
from bot.rules import roles as role_rules
from handlers.commands import command

ROLE_WORDS = {"정": "primary", "정담당자": "primary", "주": "primary", "primary": "primary",
              "부": "deputy", "부담당자": "deputy", "deputy": "deputy"}
LABEL = 60  # characters of an item shown on a button

REFUSALS = {
    "no_item": N_("That item does not exist (any more)."),
    "not_registered": N_("Only registered officers can tick items. Register with /register."),
    "not_approved": N_("Your registration is waiting for an admin's approval."),
    "other_agency": N_("That item belongs to another agency's checklist; you cannot tick it."),
    "cancelled": N_("That stage was cancelled (early release); its items are closed."),
    "ticked_by_other": N_("Only the officer who ticked an item can undo it."),
}


def _reply(ctx, body: str, intent: str, matched: bool = True, **kw) -> Reply:
    return Reply(body, matched=matched, intent=intent, lang=ctx.lang, **kw)


def _no_store(ctx, intent: str) -> Reply | None:
    if ctx.store is None or ctx.user is None:
        return _reply(ctx, ctx.t("Checklists need the bot's store; they work in the messenger channels."), intent,
                      matched=False)
    return None


def _agency(ctx, agency_id: str) -> dict | None:
    return next((a for a in ctx.kb.agencies if a["id"] == agency_id), None)


def _agency_name(ctx, agency_id: str) -> str:
    agency = _agency(ctx, agency_id)
    return show(ctx.lang, agency["name"]) if agency else agency_id


def _sido_name(ctx, sido: str) -> str:
    entry = ctx.kb.sido_by_id.get(sido)
    return show(ctx.lang, entry["name"]) if entry else sido


def _hm(text: str | None) -> str:
    """'2026-12-01T17:15:00+09:00' → '12-01 17:15'."""
    return f"{text[5:10]} {text[11:16]}" if text else "…"


# -- registration and approval -------------------------------------------------------------------
def parse_registration(kb, args: str) -> dict:
    """'서울 정 경찰청 홍길동' → {sido, role, agency, name}; RuleInputError naming what is missing."""
    tokens = args.split()
    sido = role = None
    rest = []
    for tok in tokens:
        if role is None and tok.lower() in ROLE_WORDS:
            role = ROLE_WORDS[tok.lower()]
        elif sido is None and kb.sido(tok):
            sido = kb.sido(tok)
        else:
            rest.append(tok)
    agency, name = None, ""
    for k in range(len(rest), 0, -1):  # the longest run of words that is exactly an agency's name
        key = role_rules._key(" ".join(rest[:k]))
        agency = next((a for a in kb.agencies
                       if key in {role_rules._key(n) for n in [a["id"], a["name"]["ko"], a["name"]["en"],
                                                                *a.get("aliases", [])]}), None)
        if agency:
            name = " ".join(rest[k:])
            break
    if agency is None and rest:
        agency = role_rules.find_agency(kb, " ".join(rest))
    return {"sido": sido, "role": role, "agency": agency, "name": name}


@command("register", N_("Register as an officer: /register 시·도 정|부 agency [name]"))
def register(assistant, ctx, args: str) -> Reply:
    if (r := _no_store(ctx, "register")) is not None:
        return r
    usage = ctx.t("Send: /register <시·도> <정|부> <agency> [your name], e.g. /register 서울 정 경찰청 홍길동")
    if not args:
        return _reply(ctx, usage, "register", matched=False)
    found = parse_registration(ctx.kb, args)
    missing = [ctx.t(what) for what, key in ((N_("the 시·도"), "sido"), (N_("정 or 부"), "role"),
                                             (N_("the agency"), "agency")) if not found[key]]
    if missing:
        return _reply(ctx, ctx.t("I could not read {missing}.", missing=", ".join(missing)) + "\n" + usage,
                      "register", matched=False, data={"registered": False})
    store_side.register(ctx.store, ctx.user, found["agency"]["id"], found["sido"], found["role"], found["name"], ctx.now)
    role = ctx.t("primary officer (정)") if found["role"] == "primary" else ctx.t("deputy officer (부)")
    body = ctx.t("Registered: {agency}, {sido}, {role}. An admin will approve it.",
                 agency=show(ctx.lang, found["agency"]["name"]), sido=_sido_name(ctx, found["sido"]), role=role)
    for admin in sorted(assistant.admins):
        note = assistant.context(ctx.store.language(admin) if ctx.store else None, admin)
        store_side.enqueue(ctx.store, admin, Reply(
            note.t("New officer registration: {user} ({name}), {agency}, {sido}.", user=ctx.user,
                   name=found["name"] or "—", agency=show(note.lang, found["agency"]["name"]),
                   sido=_sido_name(note, found["sido"])),
            matched=True, intent="register", lang=note.lang,
            buttons=[(note.t("Approve"), f"approve:{ctx.user}")]), ctx.now)
    return _reply(ctx, body, "register", data={"registered": True, "agency": found["agency"]["id"],
                                               "sido": found["sido"], "role": found["role"]})


@command("approve", N_("Admins: approve an officer: /approve <user>"))
def approve(assistant, ctx, args: str) -> Reply:
    if (r := _no_store(ctx, "approve")) is not None:
        return r
    if not is_admin(assistant, ctx.user):
        return _reply(ctx, ctx.t("Only an admin can do that."), "approve", matched=False)
    if not args:
        waiting = store_side.pending_officers(ctx.store)
        if not waiting:
            return _reply(ctx, ctx.t("No registration is waiting for approval."), "approve")
        lines = [ctx.t("Waiting for approval:")] + [
            f"• {o['user']} ({o['name'] or '—'}) {_agency_name(ctx, o['agency'])}, {_sido_name(ctx, o['sido'])}"
            for o in waiting]
        return _reply(ctx, "\n".join(lines), "approve",
                      buttons=[(f"{ctx.t('Approve')} {o['name'] or o['user']}", f"approve:{o['user']}") for o in waiting])
    return approve_user(assistant, ctx, args.split()[0])


@presses("approve")
def approve_user(assistant, ctx, user: str) -> Reply:
    if (r := _no_store(ctx, "approve")) is not None:
        return r
    if not is_admin(assistant, ctx.user):
        return _reply(ctx, ctx.t("Only an admin can do that."), "approve", matched=False)
    done = store_side.approve(ctx.store, ctx.user, user, ctx.now)
    if done is None:
        return _reply(ctx, ctx.t("No registration of {user} is waiting for approval.", user=user), "approve",
                      matched=False)
    note = assistant.context(ctx.store.language(user), user)
    store_side.enqueue(ctx.store, user, Reply(note.t("Your registration as an officer of {agency} was approved.",
                                                     agency=_agency_name(note, done["agency"])),
                                              matched=True, intent="approve", lang=note.lang), ctx.now)
    return _reply(ctx, ctx.t("Approved {user}: {agency}, {sido}.", user=user, agency=_agency_name(ctx, done["agency"]),
                             sido=_sido_name(ctx, done["sido"])), "approve", data={"approved": user})


# -- the checklist itself ------------------------------------------------------------------------
def _item_line(ctx, item: dict) -> str:
    text = item[ctx.lang] if ctx.lang in ("ko", "en") else item["ko"]
    if item["ticked_by"]:
        return "☑ " + text + " — " + ctx.t("{who}, {at}", who=store_side.display(ctx.store, item["ticked_by"]),
                                            at=_hm(item["ticked_at"]))
    return "☐ " + text


def _buttons(ctx, items: list[dict]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        text = item[ctx.lang] if ctx.lang in ("ko", "en") else item["ko"]
        short = text if len(text) <= LABEL else text[:LABEL - 1] + "…"
        if item["ticked_by"] is None:
            out.append((f"☐ {short}", f"tick:{item['id']}"))
        elif item["ticked_by"] == ctx.user:
            out.append((f"↩ {short}", f"untick:{item['id']}"))
    return out


def stage_reply(ctx, run_stage_id: int, kind: str = "show") -> Reply:
    """A stage's items with a button per item: what a push, a reminder and a tick answer show."""
    st = store_side.stage(ctx.store, run_stage_id)
    items = store_side.stage_items(ctx.store, run_stage_id)
    names = {s["number"]: s["name"] for s in ctx.kb.stages}
    head = ctx.t("{sido} · {agency} — stage {n}: {name} ({start} – {end})", sido=_sido_name(ctx, st["sido"]),
                 agency=_agency_name(ctx, st["agency"]), n=st["stage"], name=show(ctx.lang, names[st["stage"]]),
                 start=_hm(st["starts_at"]), end=_hm(st["ends_at"]))
    lines = []
    if kind == "remind":
        lines.append(ctx.t("Reminder: these items are still open, and the window closes at {end}.", end=_hm(st["ends_at"])))
    elif kind == "push":
        lines.append(ctx.t("Stage {n} has begun. Tick each item when it is done.", n=st["stage"]))
    lines.append(head)
    if st["round"]:
        lines.append(ctx.t("(again, after the re-issuance)"))
    lines += [_item_line(ctx, i) for i in items]
    done = sum(1 for i in items if i["ticked_by"])
    lines.append(ctx.t("{done} of {total} done.", done=done, total=len(items)))
    return _reply(ctx, "\n".join(lines), "checklist", buttons=_buttons(ctx, items),
                  data={"run_stage": run_stage_id, "stage": st["stage"], "kind": kind, "done": done, "total": len(items),
                        "items": [i["id"] for i in items]})


@presses("tick")
def tick(assistant, ctx, value: str) -> Reply:
    """An item's ☐ button."""
    return _mark(ctx, value, "tick")


@presses("untick")
def untick(assistant, ctx, value: str) -> Reply:
    """An item's ☑ button: undone again."""
    return _mark(ctx, value, "untick")


def _mark(ctx, value: str, kind: str) -> Reply:
    if (r := _no_store(ctx, "checklist")) is not None:
        return r
    item_id = row_id(value)
    item_id = -1 if item_id is None else item_id
    mark = store_side.untick if kind == "untick" else store_side.tick
    result = mark(ctx.store, ctx.user, item_id, ctx.now)
    if result["result"] == "refused":
        return _reply(ctx, ctx.t(REFUSALS[result["reason"]]), "checklist", matched=False,
                      data={"result": "refused", "reason": result["reason"]})
    item = result["item"]
    text = item[ctx.lang] if ctx.lang in ("ko", "en") else item["ko"]
    lead = {"ticked": N_("Ticked: {item}"), "already": N_("Already ticked by {who} at {at}: {item}"),
            "unticked": N_("Tick undone: {item}"), "not_ticked": N_("That item is not ticked: {item}")}[result["result"]]
    reply = stage_reply(ctx, item["run_stage_id"])
    reply.body = ctx.t(lead, item=text, who=store_side.display(ctx.store, item["ticked_by"]),
                       at=_hm(item["ticked_at"])) + "\n\n" + reply.body
    reply.data.update(result=result["result"], item=item_id)
    return reply


@command("checklist", N_("Officers: my open checklist items"))
def checklist(assistant, ctx, args: str) -> Reply:
    if (r := _no_store(ctx, "checklist")) is not None:
        return r
    who = store_side.officer(ctx.store, ctx.user)
    if who is None or who["status"] != "approved":
        return _reply(ctx, ctx.t(REFUSALS["not_approved" if who else "not_registered"]), "checklist", matched=False)
    items = store_side.open_items(ctx.store, ctx.user, ctx.now)
    if not items:
        return _reply(ctx, ctx.t("Nothing open: every item of the stages under way is ticked."), "checklist",
                      data={"open": []})
    lines = [ctx.t("Open items of {agency} ({sido}):", agency=_agency_name(ctx, who["agency"]),
                   sido=_sido_name(ctx, who["sido"]))]
    stage = None
    for i in items:
        if i["stage"] != stage:
            stage = i["stage"]
            lines.append(ctx.t("[stage {n}, until {end}]", n=stage, end=_hm(i["ends_at"])))
        lines.append(_item_line(ctx, i))
    lines.append(ctx.t("Press an item's button when it is done."))
    return _reply(ctx, "\n".join(lines), "checklist", buttons=_buttons(ctx, items),
                  data={"open": [i["id"] for i in items]})


# An officer's own list asked in words ("내 할일 목록 보여줘", "체크리스트 완료 어떻게 표시해", "my checklist"); not the
# inspection forms' checklists (서식 4·5: FAQ entries) nor an agency's tasks per stage (/roles, routed before this)
WANTS_CHECKLIST = re.compile(r"(?<![가-힣])(?:내|나의|제|우리\s*기관)\s*(?:체크\s*리스트|할\s*일)|할\s*일\s*(?:목록|리스트|남은)|(?:남은|안\s*한|못\s*한)\s*할\s*일|"
                             r"체크\s*리스트\s*(?:를|좀|는|은)?\s*(?:어디|보여|볼|봐|확인|열|줘|완료|체크)|"
                             r"(?:완료|체크)\s*(?:표시|처리)\s*(?:는|를)?\s*(?:어떻게|어케|방법)|"
                             r"\bmy (?:(?:remaining|open|pending|unfinished) )?(?:checklist|tasks|to-?dos?|items)\b|\b(?:show|see|open)\b.*\bchecklist\b|"
                             r"\bhow (?:do|can) i (?:tick|check off|mark)\b")
NOT_MINE = re.compile(r"점검|서식|양식|\bforms?\b|inspection|2부제|odd[- ]?even")


def _wants_checklist(ctx, text: str):
    low = text.lower()
    return {} if WANTS_CHECKLIST.search(low) and not NOT_MINE.search(low) else None


@handles("checklist", _wants_checklist)
def checklist_in_words(ctx, text: str) -> Reply:
    """An officer's open items asked in words, as /checklist answers (each with its tick button)."""
    return checklist(None, ctx, "")


@command("progress", N_("Coordinators: completion per agency and stage: /progress [시·도]"))
def progress(assistant, ctx, args: str) -> Reply:
    if (r := _no_store(ctx, "progress")) is not None:
        return r
    who = store_side.officer(ctx.store, ctx.user)
    sido = ctx.kb.sido(args.strip()) if args.strip() else (who["sido"] if who else None)
    if args.strip() and sido is None:
        return _reply(ctx, ctx.t("Unknown 시·도: {name}. Try 서울, 부산, 경기 …", name=args.strip()), "progress",
                      matched=False)
    coordinator = who is not None and who["status"] == "approved" and who["agency"] == "sido-env" and who["sido"] == sido
    if not (is_admin(assistant, ctx.user) or coordinator):
        return _reply(ctx, ctx.t("Only an admin or the 시·도 environment department's officers can see the progress."),
                      "progress", matched=False)
    if sido is None:
        return _reply(ctx, ctx.t("Which 시·도? Send /progress 서울"), "progress", matched=False)
    runs = store_side.progress(ctx.store, sido, ctx.now)
    if not runs:
        return _reply(ctx, ctx.t("No open checklists for {sido}.", sido=_sido_name(ctx, sido)), "progress",
                      data={"runs": []})
    lines = [ctx.t("Progress in {sido}:", sido=_sido_name(ctx, sido))]
    for run in runs:
        stages = ", ".join(f"{s['stage']}{'′' * s['round']}: {s['percent']}%" for s in run["stages"]) or "—"
        lines.append(f"• {_agency_name(ctx, run['agency'])} — {run['percent']}% ({stages})")
        if run["officers"] == 0:
            lines.append("  " + ctx.t("no registered officer"))
        elif run["silent"] and run["total"]:
            lines.append("  " + ctx.t("not acknowledged: {names}",
                                      names=", ".join(store_side.display(ctx.store, u) for u in run["silent"])))
    return _reply(ctx, "\n".join(lines), "progress", data={"runs": runs, "sido": sido})


# -- scheduled messages --------------------------------------------------------------------------
def deliver_due(assistant, now: datetime) -> int:
    """Do the jobs due by `now` and put their messages in the outbox; returns how many were queued."""
    store = assistant.store
    todo = store_side.due(store, now)
    for job in todo:
        ctx = assistant.context(store.language(job["user"]), job["user"])
        ctx.now = now
        store_side.enqueue(store, job["user"], stage_reply(ctx, job["run_stage_id"], job["kind"]), now)
    return len(todo)
