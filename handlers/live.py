"""Live issuance status in the conversation: /subscribe, /unsubscribe, the proposal buttons, and the day's
scheduler that turns stored AirKorea data into proposals, announcements and end notices.

Button payloads: 'proposal:<id>:accept', 'proposal:<id>:reject'. The store side is bot/live.py, the feed
bot/airkorea.py, the decision the pure bot/rules/issuance.py; this module renders every text (ctx.t)
and puts it in the outbox, which the channels drain. Bad input gets a message and changes nothing.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta

from bot import airkorea
from bot import checklists as store_side
from bot import live
from bot.admins import is_admin
from bot.i18n import LANGS, reason_text, show
from bot.korean_holidays import known as known_holidays
from bot.reply import Reply
from bot.router import handles, presses, row_id
from bot.rules import RuleInputError
from bot.rules import issuance as rules
from bot.messages import N_
from handlers.commands import command

log = logging.getLogger(__name__)

MEASURES = {"emergency": N_("Emergency reduction measure"), "preliminary": N_("Preliminary reduction measure")}


def _reply(ctx, body: str, intent: str, matched: bool = True, **kw) -> Reply:
    return Reply(body, matched=matched, intent=intent, lang=ctx.lang, **kw)


def _sido_name(ctx, sido: str) -> str:
    entry = ctx.kb.sido_by_id.get(sido)
    return show(ctx.lang, entry["name"]) if entry else sido


def _ready(ctx, intent: str) -> Reply | None:
    if ctx.store is None or ctx.user is None:
        return _reply(ctx, ctx.t("Subscriptions need the bot's store; they work in the messenger channels."), intent,
                      matched=False)
    live.ensure_tables(ctx.store)
    return None


def _asked_sidos(ctx, args: str, intent: str) -> tuple[list[str], Reply | None]:
    """The 시·도 ids of /subscribe's or /unsubscribe's arguments, or a refusal (no store, an unknown name) that
    changes nothing."""
    if (r := _ready(ctx, intent)) is not None:
        return [], r
    known, unknown = ctx.kb.sidos_named(args)
    if unknown:
        return [], _reply(ctx, ctx.t("Unknown 시·도: {name}. Try 서울, 부산, 경기 …", name=", ".join(unknown)), intent,
                          matched=False, data={"subscribed": live.subscriptions(ctx.store, ctx.user)})
    return known, None


def _names(ctx, sidos: list[str]) -> str:
    return ", ".join(_sido_name(ctx, s) for s in sidos)


# -- subscriptions -------------------------------------------------------------------------------
@command("subscribe", N_("Be told when a measure is issued: /subscribe 시·도 …"))
def subscribe(assistant, ctx, args: str) -> Reply:
    sidos, refused = _asked_sidos(ctx, args, "subscribe")
    if refused is not None:
        return refused
    if not sidos:  # which 시·도? One button each, so that answering is one tap (or /subscribe 서울 경기)
        mine = live.subscriptions(ctx.store, ctx.user)
        lines = [ctx.t("Which 시·도? Press one, or send /subscribe with one or more, e.g. /subscribe 서울 경기")]
        if mine:
            lines.insert(0, ctx.t("You are subscribed to: {names}.", names=_names(ctx, mine)))
        buttons = [(_sido_name(ctx, s["id"]), f"subscribe:{s['id']}") for s in ctx.kb.regions["sido"] if s["id"] not in mine]
        return _reply(ctx, "\n".join(lines), "subscribe", data={"subscribed": mine}, buttons=buttons)
    mine = live.subscribe(ctx.store, ctx.user, sidos, ctx.now)
    names = _names(ctx, mine)
    if live.is_channel(ctx.user):
        return _reply(ctx, ctx.t("This channel is subscribed: announcements for {names} are posted here. "
                                 "The bot must be a member of the channel (/invite the bot).", names=names),
                      "subscribe", data={"subscribed": mine, "channel": True})
    return _reply(ctx, ctx.t("Subscribed: you will be told when a measure is issued or ends in {names}. /unsubscribe stops it.",
                             names=names), "subscribe", data={"subscribed": mine})


@presses("subscribe")
def press_subscribe(assistant, ctx, value: str) -> Reply | None:
    """A 시·도 button under "which 시·도?": the same as /subscribe with that 시·도."""
    return subscribe(assistant, ctx, value) if value in ctx.kb.sido_by_id else None


# The same wishes in words: "서울 비저 알림 받고 싶어", "구독 취소", "notify me when Busan issues one"
WANTS_ALERTS = re.compile(
    r"(?:구독|알림|알람)\s*(?:을|를|좀)?\s*(?:신청|등록|설정|켜|받고\s*싶|받을래|받게\s*해|받기|받을[게께]|받아\s*볼래|받자|"
    r"해\s*줘|해\s*주세요|보내\s*줘|보내\s*주세요)|구독\s*(?:할래|할[게께]|하기|하고\s*싶|하자|해요|합니다|[?!.]*$)|"
    r"(?:발령|뜨|떠|떴|풀리|해제)\S*\s*(?:면|때)\s*(?:나한테\s*|저한테\s*)?(?:바로\s*)?(?:알려\s*(?:줘|주세요|줄래)|"
    r"연락\s*(?:줘|주세요))|(?<![a-z])subscribe|\bnotify me\b|\balert me\b|\blet me know when\b")
WANTS_NONE = re.compile(r"(?:구독|알림|알람)\s*(?:을|를|좀)?\s*(?:취소|해지|해제|끊|그만|중지|중단|꺼|끄|안\s*받)|unsubscribe|"
                        r"stop (?:the |sending )?(?:alerts|notifications|messages)")
WANTS_LIST = re.compile(r"(?:구독|알림)\s*(?:한\s*(?:거|것|곳|데)|하는\s*(?:거|곳|데)|중인\s*(?:거|곳|데))?\s*(?:목록|리스트|현황|내역|확인|보여)|"
                        r"\bmy (?:subscriptions|alerts)\b|\bwhat am i subscribed\b")
# ... but not the government's text services or a phone's settings (재난문자, 예보 문자: FAQ entries), a paid
# service (no such thing here), or how others are told (시민, 공무원: the relay entries)
NOT_OURS = re.compile(r"문자|재난|cbs|sms|\btexts?\b|폰|phone|앱|\bapps?\b|에어코리아|우리동네|프리미엄|premium|유료|결제|"
                      r"시민|국민|주민|공무원|담당자|기관|직원|사업장|citizens|officers|staff|agenc|public")


def _wants(ctx, text: str):
    low = text.lower()
    if NOT_OURS.search(low):
        return None
    wish = ("unsubscribe" if WANTS_NONE.search(low) else "list" if WANTS_LIST.search(low)
            else "subscribe" if WANTS_ALERTS.search(low) else None)
    if wish is None:
        return None
    return {"wish": wish, "sidos": ctx.kb.sidos_in(low)}


@handles("alerts", _wants)
def alerts_in_words(ctx, text: str, wish: str, sidos: list[str]) -> Reply:
    """Subscribe, unsubscribe or list in words ('서울 비저 알림 받고 싶어', '구독 취소', '내 구독 목록'), as /subscribe
    and /unsubscribe do (/subscribe alone lists and offers the others)."""
    if wish == "list":
        listed = subscribe(None, ctx, "")
        if listed.matched and not listed.data["subscribed"]:
            listed.body = ctx.t("You have no subscriptions.") + "\n" + listed.body
        return listed
    return (subscribe if wish == "subscribe" else unsubscribe)(None, ctx, " ".join(sidos))


@command("unsubscribe", N_("Stop the announcements: /unsubscribe [시·도]"))
def unsubscribe(assistant, ctx, args: str) -> Reply:
    sidos, refused = _asked_sidos(ctx, args, "unsubscribe")
    if refused is not None:
        return refused
    removed = live.unsubscribe(ctx.store, ctx.user, sidos or None)
    mine = live.subscriptions(ctx.store, ctx.user)
    if not removed:
        return _reply(ctx, ctx.t("You had no such subscription."), "unsubscribe", data={"subscribed": mine})
    lead = ctx.t("Unsubscribed.")
    if mine:
        lead += " " + ctx.t("You are subscribed to: {names}.", names=_names(ctx, mine))
    return _reply(ctx, lead, "unsubscribe", data={"subscribed": mine})


# -- texts ---------------------------------------------------------------------------------------
def _hm(text: str | None) -> str:
    return text[11:16] if text else "…"


def announcement(ctx, record: dict, kind: str) -> str:
    measure = ctx.t(MEASURES[record["measure"]])
    where = _sido_name(ctx, record["sido"])
    if kind == "ended":
        return ctx.t("{measure} in {sido} on {date} has ended ({end}).", measure=measure, sido=where,
                     date=record["effective_date"], end=_hm(record["ends_at"]))
    if kind == "released":
        return ctx.t("{measure} in {sido} on {date} is released early ({at}): it no longer applies.",
                     measure=measure, sido=where, date=record["effective_date"],
                     at=(record.get("released_at") or "")[:16].replace("T", " ")) + "\n" + \
            ctx.t("/unsubscribe stops these messages.")
    lines = [ctx.t("{measure} is issued for {sido} on {date}, {start}–{end}.", measure=measure, sido=where,
                   date=record["effective_date"], start=_hm(record["starts_at"]), end=_hm(record["ends_at"]))]
    if record.get("public_odd_even", True):
        lines.append(ctx.t("Public-sector odd-even driving applies; check your car with /check."))
    else:
        lines.append(ctx.t("It is a holiday: the public odd-even rule and the vehicle restriction do not run."))
    lines.append(ctx.t("Decided at {at}. /unsubscribe stops these messages.", at=record["decided_at"][:16].replace("T", " ")))
    return "\n".join(lines)


def _bodies(assistant, record: dict, kind: str) -> dict:
    return {lang: announcement(assistant.context(lang), record, kind) for lang in LANGS}


def release_bodies(assistant):
    """The early-release notice's texts for live.release(render=…)."""
    return lambda record: _bodies(assistant, record, "released")


def issued_bodies(assistant, *, sido: str, measure: str, effective_date: str, starts_at: str, ends_at: str,
                  decided_at: str, holiday: bool) -> dict:
    record = {"sido": sido, "measure": measure, "effective_date": effective_date, "starts_at": starts_at,
              "ends_at": ends_at, "decided_at": decided_at, "public_odd_even": not holiday}
    return _bodies(assistant, record, "issued")


def proposal_reply(ctx, p: dict) -> Reply:
    d = p["decision"]
    basis = p["basis"]
    hours = basis["hours"].get(p["sido"], 0)
    lines = [ctx.t("Proposal for {sido}: {measure} on {date}, {start}–{end}.", sido=_sido_name(ctx, p["sido"]),
                   measure=ctx.t(MEASURES[p["measure"]]), date=p["effective_date"], start=_hm(d["starts_at"]),
                   end=_hm(d["ends_at"]))]
    lines += ["• " + reason_text(ctx.kb, r, ctx.lang) for r in d["reasons"]]
    lines.append(ctx.t("Data: AirKorea forecast released {issued}; {hours} of 16 hourly readings (00–16).",
                       issued=(basis.get("forecast_issued_at") or "…")[:16].replace("T", " "), hours=hours))
    entered = (basis.get("entered") or {}).get(p["sido"])
    if entered:
        lines.append(ctx.t("Tomorrow's forecast value {value} µg/m³ entered by {who} at {at} is used over the grade.",
                           value=f"{entered['value']:g}", who=store_side.display(ctx.store, entered["by"]),
                           at=entered["at"][11:16]))
    lines.append(ctx.t("Accept to record it and announce it to {n} subscribers now.",
                       n=live.subscribers(ctx.store, p["sido"])))
    return _reply(ctx, "\n".join(lines), "proposal", sources=d.get("citations", [])[:3],
                  buttons=[(ctx.t("Accept"), f"proposal:{p['id']}:accept"), (ctx.t("Reject"), f"proposal:{p['id']}:reject")],
                  data={"proposal": p["id"], "sido": p["sido"], "measure": p["measure"]})


def release_proposal_reply(ctx, p: dict, record: dict, check: dict) -> Reply:
    lines = [ctx.t("Early release proposal for {sido}: {measure} on {date}.", sido=_sido_name(ctx, p["sido"]),
                   measure=ctx.t(MEASURES[record["measure"]]), date=record["effective_date"])]
    lines += ["• " + reason_text(ctx.kb, r, ctx.lang) for r in check["reasons"]]
    lines.append(ctx.t("Data: AirKorea forecast released {issued}.",
                       issued=(p["basis"].get("forecast_issued_at") or "…")[:16].replace("T", " ")))
    if record.get("wide_area"):
        lines.append(ctx.t("This is a wide-area measure ({group}): consult the Minister of Environment and the other "
                           "시·도 before releasing it.", group=record["wide_area"]))
    lines.append(ctx.t("Accept to release it now and tell {n} subscribers.", n=live.subscribers(ctx.store, p["sido"])))
    return _reply(ctx, "\n".join(lines), "release_proposal", sources=check["citations"],
                  buttons=[(ctx.t("Release now"), f"release:{p['id']}:accept"), (ctx.t("Keep the measure"), f"release:{p['id']}:reject")],
                  data={"release_proposal": p["id"], "sido": p["sido"], "issuance": p["issuance_id"]})


def entitled(assistant, ctx, sido: str) -> bool:
    """The 시·도 environment department's approved officers of `sido`, and admins, decide for it."""
    who = store_side.officer(ctx.store, ctx.user)
    return (who is not None and who["status"] == "approved" and who["agency"] == live.ENV_AGENCY
            and who["sido"] == sido) or is_admin(assistant, ctx.user)


def release_now(assistant, ctx, sido: str) -> dict:
    """Release `sido`'s measures now: the registry, the notice to subscribers, the officers' checklists to stage 8."""
    out = live.release(ctx.store, sido=sido, actor=ctx.user, now=ctx.now, render=release_bodies(assistant),
                       default_lang=assistant.default_lang)
    try:
        out["runs"] = store_side.release(ctx.store, sido=sido, now=ctx.now, actor=ctx.user)
    except RuleInputError:
        out["runs"] = 0  # no open checklists
    return out


def _pressed(assistant, ctx, value: str, load, intent: str):
    """The proposal a '<id>:accept|reject' button names and whether it accepts, or the Reply refusing the press
    (no store, no such proposal, not an officer of that 시·도)."""
    if ctx.store is None or ctx.user is None:
        return _reply(ctx, ctx.t("Subscriptions need the bot's store; they work in the messenger channels."),
                      intent, matched=False), False
    live.ensure_tables(ctx.store)
    ident, _, action = value.partition(":")
    number = row_id(ident)
    p = load(ctx.store, number) if number is not None and action in ("accept", "reject") else None
    if p is None:
        return _reply(ctx, ctx.t("That proposal does not exist (any more)."), intent, matched=False), False
    if not entitled(assistant, ctx, p["sido"]):
        return _reply(ctx, ctx.t("Only the 시·도 environment department's officers of {sido} or an admin can decide this.",
                                 sido=_sido_name(ctx, p["sido"])), intent, matched=False,
                      data={"result": "refused"}), False
    return p, action == "accept"


@presses("release")
def press_release(assistant, ctx, value: str) -> Reply:
    """'<id>:accept' or '<id>:reject' on an early-release proposal."""
    p, accept = _pressed(assistant, ctx, value, live.release_proposal, "release_proposal")
    if isinstance(p, Reply):
        return p
    result = live.decide_release(ctx.store, p["id"], accept, ctx.user, ctx.now)
    if result == "already":
        q = live.release_proposal(ctx.store, p["id"])
        return _reply(ctx, ctx.t("This proposal was already decided ({state}) by {who} at {at}.", state=q["state"],
                                 who=store_side.display(ctx.store, q["decided_by"]), at=(q["decided_at"] or "")[:16].replace("T", " ")),
                      "release_proposal", data={"result": "already"})
    if result == "rejected":
        return _reply(ctx, ctx.t("The measure stays in {sido}; nothing is announced.", sido=_sido_name(ctx, p["sido"])),
                      "release_proposal", data={"result": "rejected"})
    out = release_now(assistant, ctx, p["sido"])
    return _reply(ctx, ctx.t("Released early: {sido}. The notice goes to {n} subscribers.", sido=_sido_name(ctx, p["sido"]),
                             n=out["queued"]), "release_proposal", data={"result": "accepted", **out})


# -- the buttons ---------------------------------------------------------------------------------
@presses("proposal")
def press(assistant, ctx, value: str) -> Reply:
    """'<id>:accept' or '<id>:reject' from a 시·도 environment officer (or an admin)."""
    p, accept = _pressed(assistant, ctx, value, live.proposal, "proposal")
    if isinstance(p, Reply):
        return p
    record = {**p["decision"], "sido": p["sido"], "measure": p["measure"], "effective_date": p["effective_date"],
              "decided_at": store_side.iso(ctx.now)}
    result = live.decide(ctx.store, p["id"], accept, ctx.user, ctx.now,
                         bodies=_bodies(assistant, record, "issued") if accept else None, default_lang=assistant.default_lang)
    if result["result"] == "already":
        q = result["proposal"]
        return _reply(ctx, ctx.t("This proposal was already decided ({state}) by {who} at {at}.", state=q["state"],
                                 who=store_side.display(ctx.store, q["decided_by"]), at=(q["decided_at"] or "")[:16].replace("T", " ")),
                      "proposal", data={"result": "already", "proposal": p["id"]})
    if not accept:
        return _reply(ctx, ctx.t("Rejected: nothing is recorded or announced for {sido}.", sido=_sido_name(ctx, p["sido"])),
                      "proposal", data={"result": "rejected", "proposal": p["id"]})
    note = ""
    try:
        store_side.issue(ctx.store, ctx.kb, sido=p["sido"], measure=p["measure"],
                         effective=datetime.fromisoformat(record["starts_at"]).date(), now=ctx.now, actor=ctx.user,
                         issuance_id=result["issuance"])
    except RuleInputError as exc:
        note = "\n" + ctx.t("The officer checklists were not opened: {problem}", problem=str(exc))
    return _reply(ctx, ctx.t("Accepted and recorded: {measure} for {sido} on {date}. The announcement goes to {n} subscribers.",
                             measure=ctx.t(MEASURES[p["measure"]]), sido=_sido_name(ctx, p["sido"]),
                             date=p["effective_date"], n=result["queued"]) + note,
                  "proposal", data={"result": "accepted", "proposal": p["id"], "issuance": result["issuance"],
                                    "queued": result["queued"]})


def iso_or_none(moment: datetime | None) -> str | None:
    return store_side.iso(moment) if moment else None


# -- the day -------------------------------------------------------------------------------------
class Day:
    """Runs the live jobs due at `now` (called every minute or so, or by a test with a fake clock).

    `client` is a bot.airkorea.Client; `sidos` the 시·도 collected (default: all 17).
    """

    def __init__(self, assistant, client, sidos: list[str] | None = None, *, min_hours: int = 12,
                 deadline: time = time(17, 10), retry_every: timedelta = timedelta(minutes=2),
                 release_wait: timedelta = timedelta(minutes=40), collect_minute: int = 20):
        self.assistant, self.client = assistant, client
        self.sidos = sidos or [s["id"] for s in assistant.kb.regions["sido"]]
        self.min_hours, self.deadline, self.retry_every = min_hours, deadline, retry_every
        self.release_wait = release_wait  # how long after 23시/05시 a late forecast is still waited for
        self.collect_minute = collect_minute
        live.ensure_tables(assistant.store)

    @property
    def store(self):
        return self.assistant.store

    def tick(self, now: datetime) -> list[dict]:
        """Plan today, then do every job due; returns what was done ([{kind, key, …}])."""
        live.plan_day(self.store, now.date(), self.collect_minute)
        done = []
        jobs = live.due_jobs(self.store, now)
        collects = [j for j in jobs if j["kind"] == "collect"]
        for job in collects[:-1]:  # hours missed while down cannot be fetched again: only the latest counts
            live.finish_job(self.store, job["id"], now, "skipped")
        for job in (collects[-1:] + [j for j in jobs if j["kind"] != "collect"]):
            outcome = getattr(self, "_" + job["kind"])(job, now)
            if outcome is not None:
                done.append({"kind": job["kind"], "key": job["key"], **outcome})
        return done

    def _collect(self, job, now) -> dict:
        stored, failed = 0, []
        for sido in self.sidos:
            try:
                stored += airkorea.collect_readings(self.store, self.client, sido, now)
            except airkorea.FeedError:
                failed.append(sido)  # warned by the client; the assessment sees the missing hour
        live.finish_job(self.store, job["id"], now)
        return {"stations": stored, "failed": failed}

    def _assess(self, job, now) -> dict | None:
        today = now.date()
        error = None
        try:
            airkorea.collect_forecast(self.store, self.client, today, now)
            airkorea.collect_alarms(self.store, self.client, today.year, now)
        except airkorea.FeedError as exc:
            error = exc
        found = airkorea.forecast_for(self.store, today + timedelta(days=1), today)
        fresh = found is not None and found["issued_at"] >= datetime.combine(today, time(17), now.tzinfo)
        if error is None and not fresh:
            error = airkorea.NoDataError("the 17시 forecast is not published yet")
        if error is not None:
            if now.timetz().replace(tzinfo=None) < self.deadline:
                live.postpone(self.store, job["id"], now + self.retry_every)
                return None
            if live.finish_job(self.store, job["id"], now, "failed"):
                self._warn(now, error)
            return {"proposals": 0, "error": str(error)}
        if not live.finish_job(self.store, job["id"], now):
            return None
        built = live.assessment_input(self.assistant.kb, self.store, now, self.sidos, self.min_hours)
        holidays = known_holidays(self.store, today.year, today.year + 1)
        decisions = rules.assess(self.assistant.kb, built["input"], holidays)["decisions"]
        made = []
        for d in decisions:
            if d["measure"] == "none":
                continue
            p = live.propose(self.store, d, built["basis"], now)
            if p is None:
                continue  # proposed before (a restart): not sent again
            made.append(p["id"])
            for user in live.officers(self.store, p["sido"]) or sorted(self.assistant.admins):
                ctx = self.assistant.context(self.store.language(user), user)
                ctx.now = now
                store_side.enqueue(self.store, user, proposal_reply(ctx, p), now)
        return {"proposals": len(made), "ids": made}

    def _warn(self, now: datetime, error) -> None:
        """One warning to every 시·도 environment officer and admin: no proposal today, and how old the data is."""
        ok_at = next(self.store.db.query("select max(ok_at) as at from feed_status"))["at"]  # the newest data held
        users = sorted({o["user"] for o in self.store.db.query(
            "select user from officers where agency = ? and status = 'approved'", [live.ENV_AGENCY])} | set(self.assistant.admins))
        for user in users:
            ctx = self.assistant.context(self.store.language(user), user)
            age = ctx.t("AirKorea data is {minutes} minutes old.",
                        minutes=int((now - datetime.fromisoformat(ok_at)).total_seconds() // 60)) if ok_at \
                else ctx.t("No AirKorea forecast has been received yet.")
            body = "\n".join([ctx.t("Warning: the AirKorea data for today's 17:00 assessment could not be fetched ({problem}).",
                                    problem=str(error)), age,
                              ctx.t("No proposal was made. Check the forecast yourself and record a decision with /issue.")])
            store_side.enqueue(self.store, user, Reply(body, matched=True, intent="feed_warning", lang=ctx.lang,
                                                       data={"error": getattr(error, "kind", "error")}), now)
        log.warning("AirKorea outage at the 17:00 assessment: %s (%d officers warned)", error, len(users))

    def _release_check(self, job, now) -> dict | None:
        """23시 on D-1 and 05시 on D: if the re-forecast for the measure day is ≤ 35, propose the early release."""
        issuance_id, _, hour = job["key"].partition("@")
        record = live.issuance(self.store, int(issuance_id))
        if record is None or record["state"] not in ("announced", "in effect"):
            live.finish_job(self.store, job["id"], now, "skipped")
            return None
        check_at = datetime.fromisoformat(job["due_at"])
        day = date.fromisoformat(record["effective_date"])
        error = None
        try:
            airkorea.collect_forecast(self.store, self.client, now.date(), now)
        except airkorea.FeedError as exc:
            error = exc
        found = airkorea.forecast_for(self.store, day, now.date())
        if error is None and (found is None or found["issued_at"] < check_at.replace(minute=0)):
            error = airkorea.NoDataError(f"the {hour}시 forecast is not published yet")
        if error is not None:
            if now < check_at + self.release_wait:
                live.postpone(self.store, job["id"], now + self.retry_every)
                return None
            live.finish_job(self.store, job["id"], now, "failed")
            log.warning("early-release check for issuance %s not made: %s", issuance_id, error)
            return {"issuance": int(issuance_id), "error": str(error)}
        if not live.finish_job(self.store, job["id"], now):
            return None
        values = {self.assistant.kb.forecast_region(name): grade for name, grade in found["regions"].items()
                  if self.assistant.kb.forecast_region(name)}
        entered = live.forecast_values(self.store, day).get(record["sido"])
        if entered:
            values = {r: entered["value"] for r in self.assistant.kb.sido_by_id[record["sido"]]["forecast_regions"]}
        check = rules.release_check(self.assistant.kb, record["sido"], record["measure"], values)
        if check["release"] is not True:
            return {"issuance": int(issuance_id), "release": check["release"]}
        basis = {"forecast_issued_at": iso_or_none(found["issued_at"]), "values": values}
        p = live.propose_release(self.store, int(issuance_id), check_at, basis, now)
        if p is None:
            return {"issuance": int(issuance_id), "release": True, "proposal": None}
        for user in live.officers(self.store, record["sido"]) or sorted(self.assistant.admins):
            ctx = self.assistant.context(self.store.language(user), user)
            ctx.now = now
            store_side.enqueue(self.store, user, release_proposal_reply(ctx, p, record, check), now)
        return {"issuance": int(issuance_id), "release": True, "proposal": p["id"]}

    def _start(self, job, now) -> dict:
        live.finish_job(self.store, job["id"], now)
        live.set_state(self.store, int(job["key"]), "in effect", ("announced",), now)
        return {"issuance": int(job["key"])}

    def _end(self, job, now) -> dict | None:
        if not live.finish_job(self.store, job["id"], now):
            return None
        record = live.issuance(self.store, int(job["key"]))
        if record is None:
            return {"queued": 0}
        out = live.end(self.store, record["id"], _bodies(self.assistant, record, "ended"), now,
                       default_lang=self.assistant.default_lang)
        return {"issuance": record["id"], **out}


def run_day(assistant, client, stop, interval: float = 30.0, clock=None, sidos: list[str] | None = None,
            collect_minute: int = 20) -> None:
    """The live scheduler's loop (`python -m bot run` starts it in a thread when AIRKOREA_SERVICE_KEY is set):
    every `interval` seconds, the jobs due. The jobs are rows in SQLite, so a restart picks up what fell due."""
    from bot.rules.timeline import KST

    day = Day(assistant, client, sidos, collect_minute=collect_minute)
    while not stop.is_set():
        try:
            for done in day.tick((clock or (lambda: datetime.now(KST)))()):
                log.info("live job %s %s: %s", done["kind"], done["key"],
                         {k: v for k, v in done.items() if k not in ("kind", "key")})
        except Exception as exc:  # noqa: BLE001 - one failed round must not stop the day
            log.error("live scheduler round failed: %r", exc)
        stop.wait(interval)
