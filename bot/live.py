"""Live issuance status in the store: subscriptions, the day's jobs, proposals and announcements.

The day (KST): a `collect` job at HH:20 keeps each hour's station readings (bot/airkorea.py); the `assess`
job at 17:00 fetches the 17시 forecast and the PM2.5 alerts, gives them to the pure rules core
(bot/rules/issuance.py) and makes one proposal per 시·도 that meets a condition; until 17:10 it retries a
forecast that is not out yet, after that a feed failure is one warning to the officers and no proposal.
Accepting a proposal records the issuance, the announcement and one outbox row per subscriber in one
transaction; an `end` job at the measure's end (21:00) marks it ended and queues the end notice.

Jobs live in `live_jobs` (unique (kind, key)), so planning a day twice adds nothing and a restart does
what fell due while the bot was down. Announcements are unique per (issuance, kind) and their outbox rows
per (announcement, recipient): queuing twice sends nothing twice. Texts are not made here:
handlers/live.py renders them and passes them in (the checklists' pattern).
"""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta

from . import airkorea
from .checklists import audit, channel_of, iso
from .rules.timeline import KST

log = logging.getLogger(__name__)

ENV_AGENCY = "sido-env"  # the 시·도 environment department: who receives and decides proposals


def ensure_tables(store) -> None:
    from .korean_holidays import ensure_table as holiday_table

    airkorea.ensure_tables(store)
    holiday_table(store)
    with store.lock:
        store.db.conn.executescript("""
        create table if not exists subscriptions (
            user text not null, sido text not null, platform text not null, created_at text not null,
            primary key (user, sido));
        create index if not exists subscriptions_sido on subscriptions (sido);
        create table if not exists proposals (
            id integer primary key, sido text not null, measure text not null, effective_date text not null,
            conditions text not null, decision text not null, basis text not null, state text not null,
            created_at text not null, decided_by text, decided_at text, issuance_id integer,
            unique (sido, effective_date, measure));
        create table if not exists announcements (
            id integer primary key, issuance_id integer not null, kind text not null, sido text not null,
            created_at text not null, recipients integer not null, unique (issuance_id, kind));
        create table if not exists live_jobs (
            id integer primary key, kind text not null, key text not null, due_at text not null,
            state text not null default 'pending', done_at text, unique (kind, key));
        create index if not exists live_jobs_due on live_jobs (state, due_at);
        create table if not exists forecast_values (
            sido text not null, day text not null, value real not null, entered_by text not null,
            entered_at text not null, primary key (sido, day));
        create table if not exists release_proposals (
            id integer primary key, issuance_id integer not null, sido text not null, check_at text not null,
            basis text not null, state text not null, created_at text not null, decided_by text, decided_at text,
            unique (issuance_id, check_at));
        """)
        for column in ("reason", "wide_area"):  # 'not issued' reason (수능, 국제행사 …); a wide-area group's name
            if column not in {c.name for c in store.db["issuances"].columns}:
                store.db.conn.execute(f"alter table issuances add column {column} text")
        columns = {c.name for c in store.db["outbox"].columns}
        if "announcement_id" not in columns:
            store.db.conn.execute("alter table outbox add column announcement_id integer")
        store.db.conn.execute("create unique index if not exists outbox_announcement on outbox (announcement_id, user) "
                              "where announcement_id is not null")
        store.db.conn.commit()


# -- subscriptions -------------------------------------------------------------------------------
def subscribe(store, user: str, sidos: list[str], now: datetime) -> list[str]:
    with store.lock, store.db.conn as conn:
        conn.executemany("insert or ignore into subscriptions (user, sido, platform, created_at) values (?, ?, ?, ?)",
                         [(user, s, channel_of(user), iso(now)) for s in sidos])
    return subscriptions(store, user)


def is_channel(user: str | None) -> bool:
    """A Slack channel (C…, G…) that subscribed for its members, rather than a person."""
    platform, _, ident = (user or "").partition(":")
    return platform == "slack" and ident[:1] in ("C", "G")


def unsubscribe(store, user: str, sidos: list[str] | None = None) -> int:
    with store.lock, store.db.conn as conn:
        if sidos:
            cur = conn.execute(f"delete from subscriptions where user = ? and sido in ({','.join('?' * len(sidos))})",
                               [user, *sidos])
        else:
            cur = conn.execute("delete from subscriptions where user = ?", [user])
    return cur.rowcount


def subscriptions(store, user: str) -> list[str]:
    return [r["sido"] for r in store.db.query("select sido from subscriptions where user = ? order by sido", [user])]


def subscribers(store, sido: str) -> int:
    return next(store.db.query("select count(*) as n from subscriptions where sido = ?", [sido]))["n"]


def blocked(store, message_id: int, now: datetime) -> None:
    """A recipient blocked the bot: the message is closed and the recipient unsubscribed everywhere."""
    with store.lock, store.db.conn as conn:
        row = conn.execute("select user from outbox where id = ?", [message_id]).fetchone()
        conn.execute("update outbox set sent_at = ? where id = ? and sent_at is null", [iso(now), message_id])
        if row:
            conn.execute("delete from subscriptions where user = ?", [row[0]])
            audit(conn, row[0], "unsubscribed_blocked", now, message=message_id)


# -- jobs ----------------------------------------------------------------------------------------
def plan_day(store, day: date, collect_minute: int = 20, assess_at: time = time(17, 0)) -> None:
    """The day's collection and assessment jobs; planning again adds nothing."""
    start = datetime.combine(day, time(0), KST)
    rows = [("collect", f"{day.isoformat()}T{h:02d}", iso(start + timedelta(hours=h, minutes=collect_minute)))
            for h in range(24)]
    rows.append(("assess", day.isoformat(), iso(datetime.combine(day, assess_at, KST))))
    with store.lock, store.db.conn as conn:
        conn.executemany("insert or ignore into live_jobs (kind, key, due_at) values (?, ?, ?)", rows)


def due_jobs(store, now: datetime) -> list[dict]:
    return list(store.db.query("select * from live_jobs where state = 'pending' and due_at <= ? order by due_at, id",
                               [iso(now)]))


def finish_job(store, job_id: int, now: datetime, state: str = "done") -> bool:
    """Mark a job done once; False when it was already done (another worker)."""
    with store.lock, store.db.conn as conn:
        cur = conn.execute("update live_jobs set state = ?, done_at = ? where id = ? and state = 'pending'",
                           [state, iso(now), job_id])
    return cur.rowcount == 1


def postpone(store, job_id: int, until: datetime) -> None:
    with store.lock, store.db.conn as conn:
        conn.execute("update live_jobs set due_at = ? where id = ?", [iso(until), job_id])


# -- proposals -----------------------------------------------------------------------------------
def assessment_input(kb, store, now: datetime, sidos: list[str], min_hours: int = 12) -> dict:
    """The rules core's input from the stored data: 00–16 averages, the day's latest forecasts, today's alerts.

    A 시·도 with fewer than `min_hours` of the 16 hours collected gets no measured average (E1 cannot hold).
    Returns {"input", "basis"}: basis says what the data was (forecast release, hours per 시·도).
    """
    today = now.astimezone(KST).date()
    data: dict = {"decided_at": iso(now), "measured": {}, "forecast": {}, "alerts": []}
    basis: dict = {"hours": {}, "forecast_issued_at": None}
    for sido in sidos:
        avg = airkorea.average(store, sido, today)
        basis["hours"][sido] = avg["hours"]
        if avg["value"] is not None and avg["hours"] >= min_hours:
            data["measured"][sido] = avg["value"]
    for offset in (1, 2):
        day = today + timedelta(days=offset)
        found = airkorea.forecast_for(store, day, today)
        if found is None:
            continue
        basis["forecast_issued_at"] = basis["forecast_issued_at"] or iso(found["issued_at"])
        regions = {}
        for name, grade in found["regions"].items():
            if kb.forecast_region(name) is None:
                log.warning("AirKorea forecast: unknown region %r ignored", name)
            elif grade not in ("예보없음", ""):
                regions[kb.forecast_region(name)] = grade
        data["forecast"][day.isoformat()] = regions
    tomorrow = today + timedelta(days=1)
    entered = {s: v for s, v in forecast_values(store, tomorrow).items() if s in sidos}
    if entered:  # the forecast centre's figure, entered by an officer, counts over the grade (and says so)
        slot = data["forecast"].setdefault(tomorrow.isoformat(), {})
        for sido, row in entered.items():
            for region in kb.sido_by_id[sido]["forecast_regions"]:
                slot[region] = row["value"]
        basis["entered"] = {s: {"value": r["value"], "by": r["entered_by"], "at": r["entered_at"]} for s, r in entered.items()}
    for a in airkorea.alarms_on(store, today):
        sido = kb.sido(a["district"])
        if sido and a["level"] in ("주의보", "경보"):
            data["alerts"].append({"sido": sido, "pollutant": "PM2.5", "level": a["level"], "issued_at": a["issued_at"]})
    return {"input": data, "basis": basis}


def propose(store, decision: dict, basis: dict, now: datetime) -> dict | None:
    """Keep a proposal for a decision that issues; None when one for that 시·도, day and measure exists."""
    with store.lock, store.db.conn as conn:
        cur = conn.execute(
            "insert or ignore into proposals (sido, measure, effective_date, conditions, decision, basis, state, "
            "created_at) values (?, ?, ?, ?, ?, ?, 'pending', ?)",
            [decision["sido"], decision["measure"], decision["effective_date"], json.dumps(decision["conditions"]),
             json.dumps(decision, ensure_ascii=False, default=str), json.dumps(basis, ensure_ascii=False), iso(now)])
        if cur.rowcount != 1:
            return None
        audit(conn, "bot", "propose", now, sido=decision["sido"], measure=decision["measure"],
              effective=decision["effective_date"], conditions=decision["conditions"])
        pid = cur.lastrowid
    return proposal(store, pid)


def proposal(store, proposal_id: int) -> dict | None:
    rows = list(store.db.query("select * from proposals where id = ?", [proposal_id]))
    if not rows:
        return None
    r = rows[0]
    return {**r, "conditions": json.loads(r["conditions"]), "decision": json.loads(r["decision"]),
            "basis": json.loads(r["basis"])}


def officers(store, sido: str) -> list[str]:
    return [r["user"] for r in store.db.query(
        "select user from officers where sido = ? and agency = ? and status = 'approved' order by role, user",
        [sido, ENV_AGENCY])]


def _queue_announcement(conn, issuance_id: int, kind: str, sido: str, bodies: dict, default_lang: str,
                        now: datetime) -> dict:
    """One announcement and an outbox row per subscriber of the 시·도, in the caller's transaction."""
    cur = conn.execute("insert or ignore into announcements (issuance_id, kind, sido, created_at, recipients) "
                       "values (?, ?, ?, ?, 0)", [issuance_id, kind, sido, iso(now)])
    if cur.rowcount != 1:
        return {"announcement": None, "queued": 0}
    aid = cur.lastrowid
    other = "en" if default_lang == "ko" else "ko"
    data = json.dumps({"announcement": aid, "issuance": issuance_id, "kind": kind})
    cur = conn.execute(
        "insert or ignore into outbox (user, platform, body, buttons, intent, lang, data, created_at, announcement_id) "
        "select s.user, s.platform, case when coalesce(u.lang, :d) = :o then :body_o else :body_d end, '[]', :intent, "
        "case when coalesce(u.lang, :d) = :o then :o else :d end, :data, :at, :aid "
        "from subscriptions s left join users u on u.user = s.user where s.sido = :sido order by s.created_at, s.user",
        {"d": default_lang, "o": other, "body_d": bodies[default_lang], "body_o": bodies[other],
         "intent": f"announcement_{kind}", "data": data, "at": iso(now), "aid": aid, "sido": sido})
    conn.execute("update announcements set recipients = ? where id = ?", [cur.rowcount, aid])
    return {"announcement": aid, "queued": cur.rowcount}


RELEASE_CHECKS = ((-1, time(23, 0)), (0, time(5, 0)))  # (day offset from the measure day, time): 제3장 제4절 ①


def _record(conn, *, sido: str, measure: str, effective_date: str, starts_at: str, ends_at: str, conditions: list,
            actor: str, now: datetime, bodies: dict, default_lang: str, wide_area: str | None = None) -> tuple[int, dict]:
    """An official decision in the caller's transaction: the registry row, the announcement to every subscriber,
    and the jobs it brings (in effect at the start, the end notice at the end, the early-release checks)."""
    issuance_id = conn.execute(
        "insert into issuances (sido, measure, state, effective_date, starts_at, ends_at, decided_at, decided_by, "
        "conditions, wide_area) values (?, ?, 'announced', ?, ?, ?, ?, ?, ?, ?)",
        [sido, measure, effective_date, starts_at, ends_at, iso(now), actor, json.dumps(list(conditions)),
         wide_area]).lastrowid
    queued = _queue_announcement(conn, issuance_id, "issued", sido, bodies, default_lang, now)
    jobs = [("start", str(issuance_id), starts_at), ("end", str(issuance_id), ends_at)]
    if measure == "emergency":
        day = date.fromisoformat(effective_date)
        for offset, at in RELEASE_CHECKS:
            due = datetime.combine(day + timedelta(days=offset), at, KST)
            if due > now:
                jobs.append(("release_check", f"{issuance_id}@{due.strftime('%H')}", iso(due)))
    conn.executemany("insert or ignore into live_jobs (kind, key, due_at) values (?, ?, ?)", jobs)
    return issuance_id, queued


def issue(store, *, sido: str, measure: str, effective_date: date, actor: str, now: datetime, bodies: dict,
          default_lang: str = "ko", hours: tuple[str, str] = ("06:00", "21:00"), conditions: list = ()) -> dict:
    """An officer's own decision (/issue, `python -m bot issue`): recorded and announced like an accepted proposal.
    Refused (RuleInputError, nothing changed) when the same measure is already recorded for that 시·도 and day."""
    from .rules import RuleInputError

    with store.lock, store.db.conn as conn:
        if conn.execute("select 1 from issuances where sido = ? and measure = ? and effective_date = ? and state in "
                        "('announced', 'in effect')", [sido, measure, effective_date.isoformat()]).fetchone():
            raise RuleInputError(f"{sido} already has this measure recorded for {effective_date}")
        starts = datetime.combine(effective_date, time.fromisoformat(hours[0]), KST)
        ends = datetime.combine(effective_date, time.fromisoformat(hours[1]), KST)
        issuance_id, queued = _record(conn, sido=sido, measure=measure, effective_date=effective_date.isoformat(),
                                      starts_at=iso(starts), ends_at=iso(ends), conditions=conditions, actor=actor,
                                      now=now, bodies=bodies, default_lang=default_lang)
        audit(conn, actor, "record_issuance", now, sido=sido, measure=measure, effective=effective_date.isoformat(),
              issuance=issuance_id, queued=queued["queued"])
    return {"issuance": issuance_id, "queued": queued["queued"]}


def release(store, *, sido: str, actor: str, now: datetime, render, default_lang: str = "ko") -> dict:
    """Early release: the measures of `sido` still on become 'released' now, and each one's subscribers are told.
    `render(record)` gives the notice's {lang: text}. Returns {"issuances": [...], "queued": n} (none: nothing on)."""
    today = now.astimezone(KST).date().isoformat()
    with store.lock, store.db.conn as conn:
        ids = [r[0] for r in conn.execute("select id from issuances where sido = ? and effective_date >= ? and state in "
                                          "('announced', 'in effect') order by id", [sido, today])]
        queued = 0
        for issuance_id in ids:
            conn.execute("update issuances set state = 'released', released_at = ?, released_by = ? where id = ?",
                         [iso(now), actor, issuance_id])
            queued += _queue_announcement(conn, issuance_id, "released", sido, render(issuance(store, issuance_id)),
                                          default_lang, now)["queued"]
            conn.execute("update live_jobs set state = 'cancelled', done_at = ? where state = 'pending' and key like ? "
                         "and kind in ('start', 'end', 'release_check')", [iso(now), f"{issuance_id}%"])
        if ids:
            audit(conn, actor, "release_issuance", now, sido=sido, issuances=ids, queued=queued)
    return {"issuances": ids, "queued": queued}


def not_issued(store, *, sido: str, measure: str, effective_date: date, reason: str, actor: str, now: datetime) -> int:
    """Record that a measure whose conditions were met is not issued, and why (수능, 국제행사 …): the registry
    then answers '/status' truthfully. A pending proposal for it is closed. Nothing is announced."""
    with store.lock, store.db.conn as conn:
        issuance_id = conn.execute(
            "insert into issuances (sido, measure, state, effective_date, starts_at, ends_at, decided_at, decided_by, "
            "conditions, reason) values (?, ?, 'not issued', ?, '', '', ?, ?, '[]', ?)",
            [sido, measure, effective_date.isoformat(), iso(now), actor, reason]).lastrowid
        conn.execute("update proposals set state = 'rejected', decided_by = ?, decided_at = ? where sido = ? and "
                     "effective_date = ? and state = 'pending'", [actor, iso(now), sido, effective_date.isoformat()])
        audit(conn, actor, "not_issued", now, sido=sido, measure=measure, effective=effective_date.isoformat(),
              reason=reason)
    return issuance_id


# -- numbers the grade cannot give -------------------------------------------------------------------
def enter_forecast(store, *, sido: str, day: date, value: float, actor: str, now: datetime) -> None:
    """An officer's forecast value (the forecast centre's figure) for `sido` on `day`; the newest one counts."""
    with store.lock, store.db.conn as conn:
        conn.execute("insert or replace into forecast_values (sido, day, value, entered_by, entered_at) "
                     "values (?, ?, ?, ?, ?)", [sido, day.isoformat(), value, actor, iso(now)])
        audit(conn, actor, "forecast_value", now, sido=sido, day=day.isoformat(), value=value)


def forecast_values(store, day: date) -> dict[str, dict]:
    """{시·도: {value, entered_by, entered_at}} entered for `day`."""
    return {r["sido"]: r for r in store.db.query("select * from forecast_values where day = ?", [day.isoformat()])}


# -- early release ---------------------------------------------------------------------------------
def propose_release(store, issuance_id: int, check_at: datetime, basis: dict, now: datetime) -> dict | None:
    """Keep a release proposal for an issuance at one check (23시, 05시); None when it exists already."""
    record = issuance(store, issuance_id)
    with store.lock, store.db.conn as conn:
        cur = conn.execute("insert or ignore into release_proposals (issuance_id, sido, check_at, basis, state, "
                           "created_at) values (?, ?, ?, ?, 'pending', ?)",
                           [issuance_id, record["sido"], iso(check_at), json.dumps(basis, ensure_ascii=False), iso(now)])
        if cur.rowcount != 1:
            return None
        audit(conn, "bot", "propose_release", now, issuance=issuance_id, sido=record["sido"])
    return release_proposal(store, cur.lastrowid)


def release_proposal(store, proposal_id: int) -> dict | None:
    rows = list(store.db.query("select * from release_proposals where id = ?", [proposal_id]))
    return {**rows[0], "basis": json.loads(rows[0]["basis"])} if rows else None


def decide_release(store, proposal_id: int, accept: bool, actor: str, now: datetime) -> str:
    """Close a pending release proposal once: 'accepted', 'rejected' or 'already'. The release itself is
    `release()`, called by the handler with the notice's texts."""
    with store.lock, store.db.conn as conn:
        cur = conn.execute("update release_proposals set state = ?, decided_by = ?, decided_at = ? "
                           "where id = ? and state = 'pending'",
                           ["accepted" if accept else "rejected", actor, iso(now), proposal_id])
    return ("accepted" if accept else "rejected") if cur.rowcount == 1 else "already"


def decide(store, proposal_id: int, accept: bool, actor: str, now: datetime, bodies: dict | None = None,
           default_lang: str = "ko") -> dict:
    """Accept or reject a pending proposal, once. Accepting records the issuance, its announcement (one outbox row
    per subscriber, text `bodies[lang]`) and its end job, all in one transaction.

    Returns {"result": accepted|rejected|already, "proposal", "issuance", "queued"}.
    """
    with store.lock, store.db.conn as conn:
        cur = conn.execute("update proposals set state = ?, decided_by = ?, decided_at = ? where id = ? and state = 'pending'",
                           ["accepted" if accept else "rejected", actor, iso(now), proposal_id])
        if cur.rowcount != 1:
            return {"result": "already", "proposal": proposal(store, proposal_id), "issuance": None, "queued": 0}
        p = proposal(store, proposal_id)
        if not accept:
            audit(conn, actor, "proposal_rejected", now, proposal=proposal_id, sido=p["sido"])
            return {"result": "rejected", "proposal": p, "issuance": None, "queued": 0}
        d = p["decision"]
        group = next((r["params"]["group"] for r in d.get("reasons", []) if "group" in r.get("params", {})), None)
        issuance_id, queued = _record(conn, sido=p["sido"], measure=p["measure"], effective_date=p["effective_date"],
                                      starts_at=d["starts_at"], ends_at=d["ends_at"], conditions=p["conditions"],
                                      actor=actor, now=now, bodies=bodies, default_lang=default_lang,
                                      wide_area=group if isinstance(group, str) else None)
        conn.execute("update proposals set issuance_id = ? where id = ?", [issuance_id, proposal_id])
        audit(conn, actor, "proposal_accepted", now, proposal=proposal_id, sido=p["sido"], issuance=issuance_id,
              queued=queued["queued"])
    return {"result": "accepted", "proposal": proposal(store, proposal_id), "issuance": issuance_id,
            "queued": queued["queued"]}


def issuance(store, issuance_id: int) -> dict | None:
    rows = list(store.db.query("select * from issuances where id = ?", [issuance_id]))
    return rows[0] if rows else None


def set_state(store, issuance_id: int, state: str, allowed: tuple[str, ...], now: datetime) -> bool:
    with store.lock, store.db.conn as conn:
        cur = conn.execute(f"update issuances set state = ? where id = ? and state in ({','.join('?' * len(allowed))})",
                           [state, issuance_id, *allowed])
    return cur.rowcount == 1


def end(store, issuance_id: int, bodies: dict, now: datetime, default_lang: str = "ko") -> dict:
    """The measure ran its course: state 'ended' and the end notice to the subscribers, once.
    Nothing when it was released early or already ended."""
    with store.lock, store.db.conn as conn:
        cur = conn.execute("update issuances set state = 'ended' where id = ? and state in ('announced', 'in effect')",
                           [issuance_id])
        if cur.rowcount != 1:
            return {"announcement": None, "queued": 0}
        r = issuance(store, issuance_id)
        out = _queue_announcement(conn, issuance_id, "ended", r["sido"], bodies, default_lang, now)
        audit(conn, "bot", "measure_ended", now, issuance=issuance_id, sido=r["sido"], queued=out["queued"])
    return out


def delivered(store, announcement_id: int) -> dict:
    """{"queued", "sent"} of an announcement's outbox rows."""
    return dict(next(store.db.query("select count(*) as queued, count(sent_at) as sent from outbox "
                                    "where announcement_id = ?", [announcement_id])))
