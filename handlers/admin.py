"""The admin's knowledge tools in the messenger: /faq add|edit|delete|search and the /kb menu.

Only admins (bot.toml [admin] users, see bot/admins.py) may use them; anyone else is refused with a
clear message and an audit entry. An edit is a draft, kept in the user's conversation state in the
store, until the admin has seen the preview (how the bot would then answer the sample questions the
entry touches, or what stops the publish) and pressed Publish. Publishing records a numbered
version (bot/knowledge_versions.py) and swaps the new knowledge into the running bot at once.
Buttons carry "kb:<action>" payloads.
"""
from __future__ import annotations

import re

from bot import feedback
from bot import knowledge_versions as versions
from bot.admins import is_admin
from bot.app import Loaded
from bot.i18n import show
from bot.knowledge import TOPICS
from bot.messages import N_
from bot.reply import Reply
from bot.router import presses
from handlers.commands import command

FLOW = "faq-draft"
# The typed steps of /faq add, in order, then the two chosen with buttons, then the typed section.
Q_KO, Q_EN, A_KO, A_EN, TOPIC, DOC, SECTION, PREVIEW = ("faq_q_ko", "faq_q_en", "faq_a_ko", "faq_a_en", "faq_topic",
                                                        "faq_doc", "faq_section", "faq_preview")
ADD_STEPS = [Q_KO, Q_EN, A_KO, A_EN, TOPIC, DOC, SECTION]
TYPED = {Q_KO, Q_EN, A_KO, A_EN, SECTION}
PROMPTS = {
    Q_KO: N_("Type the question in Korean. Put other ways of asking it on further lines, one per line."),
    Q_EN: N_("Now the question in English (one or more lines)."),
    A_KO: N_("Type the answer in Korean."),
    A_EN: N_("Type the answer in English."),
    TOPIC: N_("Which topic?"),
    DOC: N_("Which document is the answer taken from?"),
    SECTION: N_("Which section of the document? (e.g. 4. 주요 예상 질의·답변 < 적용 대상 > 3)"),
}
SUB_COMMANDS = ("add", "edit", "delete", "search", "cancel")


# -- roles ---------------------------------------------------------------------------------------
def allowed(assistant, ctx, action: str) -> Reply | None:
    """None for an admin; for anyone else the refusal (and an audit entry)."""
    ok = is_admin(assistant, ctx.user)
    if assistant.store is not None:
        versions.audit(assistant.store, ctx.user, action, ok)
    if ok:
        return None
    return Reply(ctx.t("Only an admin of this bot can do that."), matched=False, intent="refused", lang=ctx.lang)


def is_faq_admin_command(args: str) -> bool:
    return args.split(" ", 1)[0].lower() in SUB_COMMANDS


# -- /faq … --------------------------------------------------------------------------------------
def faq_command(assistant, ctx, args: str) -> Reply:
    sub, _, rest = args.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    refused = allowed(assistant, ctx, f"faq {sub}")
    if refused:
        return refused
    if assistant.store is None or not ctx.user:
        return _say(ctx, ctx.t("Editing the knowledge needs a messenger user and the store."), matched=False)
    if sub == "add":
        return start_add(assistant, ctx)
    if sub == "cancel":
        return cancel(assistant, ctx)
    if sub == "search":
        return search(ctx, rest)
    entry = ctx.kb.faq_by_id.get(rest)
    if entry is None:
        return _say(ctx, ctx.t("There is no FAQ entry '{id}'. Find its id with /faq search TEXT.", id=rest),
                    matched=False)
    if sub == "delete":
        return _preview(assistant, ctx, {"op": "delete", "id": entry["id"]})
    buttons = [(ctx.t("Questions (Korean)"), f"kb:field={Q_KO}"), (ctx.t("Questions (English)"), f"kb:field={Q_EN}"),
               (ctx.t("Answer (Korean)"), f"kb:field={A_KO}"), (ctx.t("Answer (English)"), f"kb:field={A_EN}"),
               (ctx.t("Section of the source"), f"kb:field={SECTION}"), (ctx.t("Cancel"), "kb:cancel")]
    _set(assistant, ctx, {"flow": FLOW, "step": "faq_field", "op": "edit", "id": entry["id"], "entry": entry})
    return _say(ctx, _entry_text(ctx, entry) + "\n\n" + ctx.t("What do you want to change?"), buttons=buttons,
                data={"step": "faq_field"})


def search(ctx, text: str) -> Reply:
    if not text:
        return _say(ctx, ctx.t("Search for what? e.g. /faq search 경차"), matched=False)
    _, ranked = ctx.matcher.match(text)
    found = [m.entry for m in ranked if not m.entry.get("out_of_scope")]
    needle = text.lower()
    for e in ctx.kb.faq:
        hay = " ".join(e["questions"]["ko"] + e["questions"]["en"] + [e["answer"]["ko"], e["answer"]["en"], e["id"]])
        if needle in hay.lower() and e not in found:
            found.append(e)
    if not found:
        return _say(ctx, ctx.t("No FAQ entry mentions '{text}'.", text=text), matched=False)
    lines = [ctx.t("FAQ entries for '{text}':", text=text)]
    lines += [f"• {e['id']} — {e['questions'][ctx.lang][0]}" for e in found[:8]]
    return _say(ctx, "\n".join(lines), data={"found": [e["id"] for e in found[:8]]})


# -- the guided add / edit -----------------------------------------------------------------------
def start_add(assistant, ctx, question: str | None = None) -> Reply:
    draft = {"questions": {"ko": [], "en": []}, "answer": {}, "source": {}}
    step = Q_KO
    if question:  # from /kb misses: the question is already there
        draft["questions"]["ko"] = [question]
        step = Q_EN
    _set(assistant, ctx, {"flow": FLOW, "step": step, "op": "add", "entry": draft})
    return _ask(ctx, step)


def typed(assistant, ctx, text: str) -> Reply | None:
    """Free text while a draft waits for a typed answer; None when none is waiting for one."""
    state = _get(assistant, ctx)
    if not state or state["step"] not in TYPED:
        return None
    if not is_admin(assistant, ctx.user):  # no longer an admin: drop the draft
        _set(assistant, ctx, None)
        return allowed(assistant, ctx, "faq draft")
    value = (text or "").strip()
    if not value:
        return _ask(ctx, state["step"], problem=ctx.t("Please type some text."))
    return _fill(assistant, ctx, state, state["step"], value)


def _fill(assistant, ctx, state: dict, step: str, value: str) -> Reply:
    entry = state["entry"]
    if step in (Q_KO, Q_EN):
        lines = [q.strip() for q in value.splitlines() if q.strip()]
        entry["questions"][step[-2:]] = lines
    elif step in (A_KO, A_EN):
        entry["answer"][step[-2:]] = value
    elif step == TOPIC:
        entry["topic"] = value
    elif step == DOC:
        entry["source"] = {"doc": value}
    elif step == SECTION:
        entry["source"] = {**entry.get("source", {}), "section": value}
    if state["op"] == "edit" or step == SECTION:
        return _preview(assistant, ctx, {"op": "edit" if state["op"] == "edit" else "add", "entry": entry,
                                         "id": state.get("id")})
    nxt = ADD_STEPS[ADD_STEPS.index(step) + 1]
    _set(assistant, ctx, {**state, "step": nxt, "entry": entry})
    return _ask(ctx, nxt)


def _ask(ctx, step: str, problem: str | None = None) -> Reply:
    buttons = []
    if step == TOPIC:
        buttons = [(t, f"kb:topic={t}") for t in sorted(TOPICS)]
    elif step == DOC:
        buttons = [(show(ctx.lang, d["title"]), f"kb:doc={i}") for i, d in ctx.kb.sources.items()]
    buttons.append((ctx.t("Cancel"), "kb:cancel"))
    body = "\n".join(([problem] if problem else []) + [ctx.t(PROMPTS[step])])
    return _say(ctx, body, buttons=buttons, matched=problem is None, data={"step": step, "expects_text": step in TYPED})


def _new_id(ctx, entry: dict) -> str:
    topic = entry.get("topic") or "faq"
    n = 1
    while f"admin-{topic}-{n}" in ctx.kb.faq_by_id:
        n += 1
    return f"admin-{topic}-{n}"


def _apply(files: dict[str, str], draft: dict) -> dict[str, str]:
    if draft["op"] == "delete":
        return versions.without_entry(files, draft["id"])
    return versions.with_entry(files, draft["entry"])


def _preview(assistant, ctx, draft: dict) -> Reply:
    """Check the draft against the published knowledge and show how the bot would answer."""
    if draft["op"] == "add" and not draft["entry"].get("id"):
        draft["entry"] = {"id": _new_id(ctx, draft["entry"]), **draft["entry"]}
    if draft.get("entry"):
        draft["entry"] = _ordered(draft["entry"])
    store, base = assistant.store, assistant.base_dir
    current = assistant.refresh()
    try:
        checked = versions.check(_apply(versions.current_files(store, base), draft), base, current,
                                 versions.current_files(store, base))
    except versions.PublishRefused as exc:
        _set(assistant, ctx, None)
        lines = [ctx.t("This draft cannot be published:")] + [f"• {_problem(p)}" for p in exc.problems]
        lines.append(ctx.t("Nothing was changed. Start again with /faq add or /faq edit ID."))
        return _say(ctx, "\n".join(lines), matched=False, data={"step": None, "problems": exc.problems})
    _set(assistant, ctx, {"flow": FLOW, "step": PREVIEW, "op": draft["op"], "draft": draft})
    lines = [ctx.t("Preview of the draft (not published yet):")] + [f"• {c}" for c in checked.changes]
    if draft.get("entry"):
        lines += ["", _entry_text(ctx, draft["entry"])]
    if checked.samples:
        lines += ["", ctx.t("How the bot would answer:")]
        lines += [f"• {s['question']} → {s['answered_by'] or '—'}" for s in checked.samples[:12]]
    if draft["op"] == "delete":
        lines += ["", ctx.t("Its questions will get the fallback or another entry's answer.")]
    return _say(ctx, "\n".join(lines), buttons=[(ctx.t("Publish"), "kb:publish"), (ctx.t("Cancel"), "kb:cancel")],
                data={"step": PREVIEW, "changes": checked.changes, "samples": checked.samples})


def _ordered(entry: dict) -> dict:
    keys = ("id", "topic", "questions", "answer", "source")
    return {**{k: entry[k] for k in keys if k in entry}, **{k: v for k, v in entry.items() if k not in keys}}


def publish(assistant, ctx) -> Reply:
    state = _get(assistant, ctx)
    if not state or state.get("step") != PREVIEW:
        return _say(ctx, ctx.t("There is no draft to publish. Start with /faq add."), matched=False)
    draft = state["draft"]
    store, base = assistant.store, assistant.base_dir
    try:
        number, checked = versions.publish(store, base, _apply(versions.current_files(store, base), draft),
                                           author=ctx.user, note=f"/faq {draft['op']}", old=assistant.refresh())
    except versions.PublishRefused as exc:
        _set(assistant, ctx, None)
        lines = [ctx.t("This draft cannot be published:")] + [f"• {_problem(p)}" for p in exc.problems]
        return _say(ctx, "\n".join(lines), matched=False, data={"step": None, "problems": exc.problems})
    _swap(assistant, checked, number)
    _set(assistant, ctx, None)
    versions.audit(store, ctx.user, "publish", True, f"version {number}: " + "; ".join(checked.changes))
    return _say(ctx, ctx.t("Published as version {n}. The bot answers with it now.", n=number),
                data={"step": None, "version": number, "changes": checked.changes})


def _swap(assistant, checked, number: int) -> None:
    assistant.loaded = Loaded(checked.loaded.kb, checked.loaded.matcher, number)  # one assignment: all or nothing


def cancel(assistant, ctx) -> Reply:
    _set(assistant, ctx, None)
    return _say(ctx, ctx.t("Draft discarded. Nothing was changed."), data={"step": None})


# -- /kb -----------------------------------------------------------------------------------------
@command("kb", N_("Admins: edit, publish and roll back the knowledge"))
def kb(assistant, ctx, args: str) -> Reply:
    sub, _, rest = args.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    refused = allowed(assistant, ctx, f"kb {sub}".strip())
    if refused:
        return refused
    if assistant.store is None:
        return _say(ctx, ctx.t("Editing the knowledge needs a messenger user and the store."), matched=False)
    if sub == "history":
        return history(assistant, ctx)
    if sub == "misses":
        return misses(assistant, ctx)
    if sub == "rollback":
        return rollback(assistant, ctx, rest)
    return _say(ctx, ctx.t("Knowledge tools: add or edit FAQ entries, see what users asked in vain, undo a publish."),
                buttons=[(ctx.t("Add a FAQ entry"), "kb:add"), (ctx.t("Unanswered questions"), "kb:misses"),
                         (ctx.t("Versions"), "kb:history")],
                data={"version": assistant.refresh().version})


def history(assistant, ctx) -> Reply:
    rows = versions.history(assistant.store)
    if not rows:
        return _say(ctx, ctx.t("Nothing has been published yet: the bot answers from the knowledge files."))
    lines = [ctx.t("Versions (newest last):")]
    lines += [f"v{r['number']} · {r['created_at'][:16]} · {r['author']} · {r['note']}" for r in rows[-10:]]
    lines.append(ctx.t("Undo with /kb rollback N."))
    return _say(ctx, "\n".join(lines), data={"versions": [r["number"] for r in rows]})


def rollback(assistant, ctx, arg: str) -> Reply:
    if not re.fullmatch(r"v?\d+", arg or ""):
        return _say(ctx, ctx.t("Which version? e.g. /kb rollback 3 (see /kb history)."), matched=False)
    target = int(arg.lstrip("v"))
    try:
        number, checked = versions.rollback(assistant.store, assistant.base_dir, target, ctx.user)
    except versions.PublishRefused as exc:
        return _say(ctx, "\n".join(_problem(p) for p in exc.problems), matched=False)
    _swap(assistant, checked, number)
    versions.audit(assistant.store, ctx.user, "rollback", True, f"version {number} = version {target}")
    return _say(ctx, ctx.t("Version {target} is back, published as version {n}.", target=target, n=number),
                data={"version": number, "changes": checked.changes})


def misses(assistant, ctx) -> Reply:
    rows = list(assistant.store.db.query(
        "select min(id) as id, text, count(*) as n from misses group by text order by n desc, max(at) desc limit 8"))
    disliked = [r for r in feedback.most_disliked(assistant.store, limit=8) if r["faq_id"] in ctx.kb.faq_by_id][:5]
    if not rows and not disliked:
        return _say(ctx, ctx.t("No unanswered questions so far."))
    lines, buttons = [], []
    if rows:
        lines = [ctx.t("Questions the bot could not answer (most frequent first). Press one to add an entry for it:")]
        lines += [f"• {r['text']} ({r['n']})" for r in rows]
        buttons = [(r["text"][:40], f"kb:miss={r['id']}") for r in rows]
    else:
        lines = [ctx.t("No unanswered questions so far.")]
    if disliked:  # answers users marked 👎: press one to edit that entry
        lines += ["", ctx.t("Answers users marked 👎 (most often first). Press one to edit that entry:")]
        for r in disliked:
            lines.append(f"• {r['faq_id']} — {ctx.kb.faq_by_id[r['faq_id']]['questions'][ctx.lang][0]} (👎 {r['n']})")
            lines += [f"    ↳ {q}" for q in r["questions"]]
        buttons += [(f"✏️ {r['faq_id']}"[:40], f"kb:edit={r['faq_id']}") for r in disliked]
    return _say(ctx, "\n".join(lines), buttons=buttons,
                data={"misses": [{"text": r["text"], "n": r["n"]} for r in rows],
                      "disliked": [{"faq_id": r["faq_id"], "n": r["n"], "questions": r["questions"]}
                                   for r in disliked]})


# -- buttons -------------------------------------------------------------------------------------
@presses("kb")
def press(assistant, ctx, value: str) -> Reply:
    """A 'kb:<action>' button."""
    action, _, arg = value.partition("=")
    refused = allowed(assistant, ctx, f"kb button {action}")
    if refused:
        return refused
    if assistant.store is None or not ctx.user:
        return _say(ctx, ctx.t("Editing the knowledge needs a messenger user and the store."), matched=False)
    if action == "add":
        return start_add(assistant, ctx)
    if action == "misses":
        return misses(assistant, ctx)
    if action == "history":
        return history(assistant, ctx)
    if action == "cancel":
        return cancel(assistant, ctx)
    if action == "publish":
        return publish(assistant, ctx)
    if action == "miss":
        row = next(iter(assistant.store.db.query("select text from misses where id = ?", [arg])), None) \
            if arg.isdigit() else None
        if row is None:
            return _say(ctx, ctx.t("That question is no longer in the list."), matched=False)
        return start_add(assistant, ctx, row["text"])
    if action == "edit":  # from /kb misses: an answer users marked 👎
        return faq_command(assistant, ctx, f"edit {arg}")
    state = _get(assistant, ctx)
    if action == "field" and state and state["step"] == "faq_field" and arg in TYPED:
        _set(assistant, ctx, {**state, "step": arg})
        return _ask(ctx, arg)
    expected = {"topic": TOPIC, "doc": DOC}.get(action)
    if expected and state and state["step"] == expected:
        if (action == "topic" and arg in TOPICS) or (action == "doc" and arg in ctx.kb.sources):
            return _fill(assistant, ctx, state, expected, arg)
    return _say(ctx, ctx.t("That button belongs to an earlier step. Send /kb to start again."), matched=False)


# -- helpers -------------------------------------------------------------------------------------
def _get(assistant, ctx) -> dict | None:
    state = assistant.conversations.get(ctx.user)
    return state if state and state.get("flow") == FLOW else None


def _set(assistant, ctx, state: dict | None) -> None:
    assistant.conversations.set(ctx.user, state)


def _say(ctx, body: str, buttons=(), matched: bool = True, data: dict | None = None) -> Reply:
    return Reply(body, matched=matched, intent="admin", buttons=list(buttons), lang=ctx.lang, data=data or {})


def _problem(p: tuple[str, str, str]) -> str:
    return ": ".join(x for x in p if x)


def _entry_text(ctx, e: dict) -> str:
    src = e.get("source") or {}
    lines = [f"[{e.get('id', '')}] ({e.get('topic', '')})"]
    lines += [f"Q: {q}" for q in (e.get("questions") or {}).get("ko", [])[:3]]
    lines += [f"Q: {q}" for q in (e.get("questions") or {}).get("en", [])[:2]]
    for lang in ("ko", "en"):
        if (e.get("answer") or {}).get(lang):
            lines.append(f"A ({lang}): {e['answer'][lang]}")
    if src:
        lines.append(f"{ctx.t('Source')}: {src.get('doc', '')} — {src.get('section', '')}")
    return "\n".join(lines)

