"""Officer checklists in the store: officers, runs, stages, items, scheduled jobs, the outbox, the audit log.

The rules (which stages, which windows, when to remind) are pure functions in bot/rules/checklist.py;
this module keeps their results in SQLite so that a restart loses nothing: a job that fell due
while the bot was down is done on the next `due()`. Texts are not made here: handlers/checklist.py
renders what `due()` returns and puts it in the outbox, which the channels drain.

Ticks are one conditional UPDATE each (`… where ticked_by is null`), under the store's lock, so
concurrent ticks of one item record exactly one of them. The audit table refuses UPDATE and DELETE.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from .rules import RuleInputError
from .rules import checklist as rules
from .rules.timeline import KST, d_day

ROLES = ("primary", "deputy")


def create_tables(db) -> None:
    db.conn.executescript("""
    create table if not exists officers (
        user text primary key, agency text not null, sido text not null, role text not null, name text,
        status text not null, registered_at text not null, approved_by text, approved_at text);
    create index if not exists officers_agency on officers (sido, agency, status);
    create table if not exists runs (
        id integer primary key, issuance_id integer, sido text not null, agency text not null, measure text not null,
        effective_date text not null, opened_at text not null, released_at text);
    create index if not exists runs_sido on runs (sido, released_at);
    create table if not exists run_stages (
        id integer primary key, run_id integer not null, stage integer not null, round integer not null,
        starts_at text not null, ends_at text, state text not null default 'scheduled');
    create index if not exists run_stages_run on run_stages (run_id);
    create table if not exists run_items (
        id integer primary key, run_stage_id integer not null, run_id integer not null, position integer not null,
        ko text not null, en text not null, ticked_by text, ticked_at text, ticked_channel text);
    create index if not exists run_items_stage on run_items (run_stage_id);
    create index if not exists run_items_run on run_items (run_id);
    create table if not exists jobs (
        id integer primary key, run_stage_id integer not null, kind text not null, due_at text not null,
        state text not null default 'pending', done_at text);
    create index if not exists jobs_due on jobs (state, due_at);
    create index if not exists jobs_stage on jobs (run_stage_id);
    create table if not exists outbox (
        id integer primary key, user text not null, platform text not null, body text not null,
        buttons text not null, intent text not null, lang text not null, data text not null default '{}',
        created_at text not null, sent_at text);
    create index if not exists outbox_pending on outbox (platform, sent_at);
    create table if not exists audit (
        id integer primary key, at text not null, actor text not null, channel text not null,
        action text not null, detail text not null);
    create trigger if not exists audit_no_update before update on audit
        begin select raise(abort, 'the audit log is append-only'); end;
    create trigger if not exists audit_no_delete before delete on audit
        begin select raise(abort, 'the audit log is append-only'); end;
    """)


def iso(moment: datetime) -> str:
    return moment.astimezone(KST).replace(microsecond=0).isoformat()


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def channel_of(user: str | None) -> str:
    """The platform part of a core user id ('telegram:42' → 'telegram'); 'console' for a local user."""
    return user.split(":", 1)[0] if user and ":" in user else "console"


# -- the audit log -------------------------------------------------------------------------------
def audit(conn, actor: str | None, action: str, now: datetime, **detail) -> None:
    conn.execute("insert into audit (at, actor, channel, action, detail) values (?, ?, ?, ?, ?)",
                 [iso(now), actor or "", channel_of(actor), action, json.dumps(detail, ensure_ascii=False, default=str)])


def audit_log(store, action: str | None = None) -> list[dict]:
    sql, args = "select * from audit", []
    if action:
        sql, args = sql + " where action = ?", [action]
    return [{**r, "detail": json.loads(r["detail"])} for r in store.db.query(sql + " order by id", args)]


# -- officers ------------------------------------------------------------------------------------
def register(store, user: str, agency: str, sido: str, role: str, name: str, now: datetime) -> dict:
    """Record (or change) a registration; it waits for an admin's approval."""
    if role not in ROLES:
        raise RuleInputError(f"role must be one of {', '.join(ROLES)}")
    row = {"user": user, "agency": agency, "sido": sido, "role": role, "name": name or None, "status": "pending",
           "registered_at": iso(now), "approved_by": None, "approved_at": None}
    with store.lock, store.db.conn as conn:
        conn.execute("insert or replace into officers (user, agency, sido, role, name, status, registered_at, "
                     "approved_by, approved_at) values (:user, :agency, :sido, :role, :name, :status, :registered_at, "
                     ":approved_by, :approved_at)", row)
        audit(conn, user, "register", now, agency=agency, sido=sido, role=role, name=name)
    return row


def approve(store, admin: str, user: str, now: datetime) -> dict | None:
    """Approve a pending registration; None when there is none for `user`."""
    with store.lock, store.db.conn as conn:
        cur = conn.execute("update officers set status = 'approved', approved_by = ?, approved_at = ? "
                           "where user = ? and status = 'pending'", [admin, iso(now), user])
        if cur.rowcount != 1:
            return None
        audit(conn, admin, "approve", now, officer=user)
    return officer(store, user)


def officer(store, user: str | None) -> dict | None:
    rows = list(store.db.query("select * from officers where user = ?", [user or ""]))
    return rows[0] if rows else None


def pending_officers(store) -> list[dict]:
    return list(store.db.query("select * from officers where status = 'pending' order by registered_at"))


def officers_of(store, sido: str, agency: str) -> list[dict]:
    return list(store.db.query("select * from officers where sido = ? and agency = ? and status = 'approved' "
                               "order by role, user", [sido, agency]))


def display(store, user: str | None) -> str:
    o = officer(store, user)
    return (o and o["name"]) or user or ""


# -- runs ----------------------------------------------------------------------------------------
def open_runs(store, sido: str, now: datetime) -> list[dict]:
    """The runs of a 시·도 still going: not released, or released but with stage 8 not yet due."""
    return list(store.db.query(
        "select r.* from runs r where r.sido = ? and exists (select 1 from run_stages s where s.run_id = r.id "
        "and s.state != 'cancelled' and (s.ends_at is null or s.ends_at > ?)) order by r.id", [sido, iso(now)]))


def stages_of(store, run_id: int) -> list[dict]:
    return [{**s, "starts_at": when(s["starts_at"]), "ends_at": when(s["ends_at"])}
            for s in store.db.query("select * from run_stages where run_id = ? order by starts_at, stage, round", [run_id])]


def _add_stage(conn, run_id: int, stage: dict) -> None:
    cur = conn.execute("insert into run_stages (run_id, stage, round, starts_at, ends_at) values (?, ?, ?, ?, ?)",
                       [run_id, stage["stage"], stage["round"], iso(stage["starts_at"]),
                        stage["ends_at"] and iso(stage["ends_at"])])
    sid = cur.lastrowid
    conn.executemany("insert into run_items (run_stage_id, run_id, position, ko, en) values (?, ?, ?, ?, ?)",
                     [(sid, run_id, i, item["ko"], item["en"]) for i, item in enumerate(stage["items"], 1)])
    _add_jobs(conn, sid, stage)


def _add_jobs(conn, stage_id: int, stage: dict) -> None:
    conn.executemany("insert into jobs (run_stage_id, kind, due_at) values (?, ?, ?)",
                     [(stage_id, j["kind"], iso(j["due_at"])) for j in rules.jobs(stage)])


def issue(store, kb, *, sido: str, measure: str, effective: date, now: datetime, actor: str,
          agencies: list[dict] | None = None, issuance_id: int | None = None) -> dict:
    """An issuance for a 시·도: opens a run per agency, or updates the open ones.

    - no open run: a run per agency with the measure's stages;
    - an open preliminary run and an emergency measure for the same D: stages 4–8 are added;
    - an open emergency run and an emergency measure for a later day (re-issuance): the stage-5 items
      again, and stage 8 moved to the new D with its deadline from this issuance.
    Returns {"action": opened|extended|reissued, "runs": n}. RuleInputError for anything else.
    """
    agencies = kb.agencies if agencies is None else agencies
    by_id = {a["id"]: a for a in agencies}
    d = d_day(measure, effective)
    with store.lock, store.db.conn as conn:
        current = open_runs(store, sido, now)
        if not current:
            action = "opened"
            for agency in agencies:
                run_id = conn.execute(
                    "insert into runs (issuance_id, sido, agency, measure, effective_date, opened_at) "
                    "values (?, ?, ?, ?, ?, ?)", [issuance_id, sido, agency["id"], measure, effective.isoformat(),
                                                  iso(now)]).lastrowid
                for stage in rules.plan(kb, agency, measure, effective):
                    _add_stage(conn, run_id, stage)
            count = len(agencies)
        else:
            first = current[0]
            old_d = d_day(first["measure"], date.fromisoformat(first["effective_date"]))
            if measure == "emergency" and first["measure"] == "preliminary" and old_d == d:
                action = "extended"
                for run in current:
                    agency = by_id.get(run["agency"])
                    if agency is None:
                        continue
                    have = {s["stage"] for s in stages_of(store, run["id"])}
                    for stage in rules.plan(kb, agency, measure, effective, numbers={4, 5, 6, 7, 8} - have):
                        _add_stage(conn, run["id"], stage)
                    conn.execute("update runs set measure = 'emergency', effective_date = ? where id = ?",
                                 [effective.isoformat(), run["id"]])
            elif measure == "emergency" and d > old_d:
                action = "reissued"
                for run in current:
                    agency = by_id.get(run["agency"])
                    if agency is None:
                        continue
                    stages = stages_of(store, run["id"])
                    change = rules.reissue(kb, agency, effective, stages)
                    for stage in change["add"]:
                        _add_stage(conn, run["id"], stage)
                    if change["move"]:
                        for s in stages:
                            if s["stage"] == rules.REPORT_STAGE and s["state"] != "cancelled":
                                _reschedule(conn, s["id"], {**s, **change["move"]})
                    conn.execute("update runs set effective_date = ? where id = ?", [effective.isoformat(), run["id"]])
            else:
                raise RuleInputError(f"{sido} already has open checklists for this measure")
            count = len(current)
        audit(conn, actor, "issue", now, sido=sido, measure=measure, effective=effective.isoformat(), result=action,
              runs=count, issuance_id=issuance_id)
    return {"action": action, "runs": count}


def _reschedule(conn, stage_id: int, stage: dict) -> None:
    """New window for a stage: its pending jobs are cancelled and made again for the new window."""
    conn.execute("update run_stages set starts_at = ?, ends_at = ? where id = ?",
                 [iso(stage["starts_at"]), stage["ends_at"] and iso(stage["ends_at"]), stage_id])
    conn.execute("update jobs set state = 'cancelled' where run_stage_id = ? and state = 'pending'", [stage_id])
    _add_jobs(conn, stage_id, stage)


def release(store, *, sido: str, now: datetime, actor: str) -> int:
    """Early release: running stages end now, later ones are cancelled, stage 8 starts now. Returns the runs changed."""
    with store.lock, store.db.conn as conn:
        current = [r for r in open_runs(store, sido, now) if r["released_at"] is None]  # released once only
        if not current:
            raise RuleInputError(f"{sido} has no open checklists to release")
        for run in current:
            for change in rules.release(stages_of(store, run["id"]), now):
                if change["action"] == "cancel":
                    conn.execute("update run_stages set state = 'cancelled' where id = ?", [change["id"]])
                    conn.execute("update jobs set state = 'cancelled' where run_stage_id = ? and state = 'pending'",
                                 [change["id"]])
                elif change["action"] == "end":
                    conn.execute("update run_stages set ends_at = ? where id = ?", [iso(now), change["id"]])
                    conn.execute("update jobs set state = 'cancelled' where run_stage_id = ? and state = 'pending' "
                                 "and kind = 'remind'", [change["id"]])
                else:
                    stage = {"stage": rules.REPORT_STAGE, "starts_at": now, "ends_at": change["ends_at"]}
                    _reschedule(conn, change["id"], stage)
            conn.execute("update runs set released_at = ? where id = ?", [iso(now), run["id"]])
        audit(conn, actor, "release", now, sido=sido, runs=len(current))
    return len(current)


# -- items and ticks -----------------------------------------------------------------------------
def item(store, item_id: int) -> dict | None:
    rows = list(store.db.query(
        "select i.*, s.stage, s.round, s.state as stage_state, s.starts_at, s.ends_at, r.sido, r.agency "
        "from run_items i join run_stages s on s.id = i.run_stage_id join runs r on r.id = i.run_id "
        "where i.id = ?", [item_id]))
    return rows[0] if rows else None


def stage_items(store, run_stage_id: int) -> list[dict]:
    return list(store.db.query("select * from run_items where run_stage_id = ? order by position", [run_stage_id]))


def stage(store, run_stage_id: int) -> dict | None:
    rows = list(store.db.query("select s.*, r.sido, r.agency, r.measure from run_stages s join runs r "
                               "on r.id = s.run_id where s.id = ?", [run_stage_id]))
    return rows[0] if rows else None


def _refusal(store, user: str | None, found: dict | None) -> str | None:
    """Why `user` may not tick the item, or None."""
    if found is None:
        return "no_item"
    who = officer(store, user)
    if who is None:
        return "not_registered"
    if who["status"] != "approved":
        return "not_approved"
    if who["agency"] != found["agency"] or who["sido"] != found["sido"]:
        return "other_agency"
    if found["stage_state"] == "cancelled":
        return "cancelled"
    return None


def tick(store, user: str | None, item_id: int, now: datetime) -> dict:
    """Tick an item: {"result": ticked|already|refused, "reason", "item"}. Ticking twice changes nothing."""
    return _mark(store, user, item_id, now, undo=False)


def untick(store, user: str | None, item_id: int, now: datetime) -> dict:
    """Undo one's own tick: {"result": unticked|not_ticked|refused, …}; another officer's tick stays."""
    return _mark(store, user, item_id, now, undo=True)


def _mark(store, user, item_id, now, undo: bool) -> dict:
    action = "untick" if undo else "tick"
    with store.lock, store.db.conn as conn:
        found = item(store, item_id)
        reason = _refusal(store, user, found)
        if reason is None and undo and found["ticked_by"] not in (None, user):
            reason = "ticked_by_other"
        if reason is not None:
            audit(conn, user, f"{action}_refused", now, item=item_id, reason=reason)
            return {"result": "refused", "reason": reason, "item": found}
        if undo:
            cur = conn.execute("update run_items set ticked_by = null, ticked_at = null, ticked_channel = null "
                               "where id = ? and ticked_by = ?", [item_id, user])
        else:
            cur = conn.execute("update run_items set ticked_by = ?, ticked_at = ?, ticked_channel = ? "
                               "where id = ? and ticked_by is null", [user, iso(now), channel_of(user), item_id])
        if cur.rowcount == 1:
            audit(conn, user, action, now, item=item_id, run=found["run_id"], stage=found["stage"])
            result = "unticked" if undo else "ticked"
        else:
            result = "not_ticked" if undo else "already"
    return {"result": result, "reason": None, "item": item(store, item_id)}


def open_items(store, user: str, now: datetime) -> list[dict]:
    """The officer's agency's unticked items in stages that have begun and are not cancelled."""
    who = officer(store, user)
    if who is None or who["status"] != "approved":
        return []
    return list(store.db.query(
        "select i.*, s.stage, s.round, s.starts_at, s.ends_at from run_items i join run_stages s on s.id = i.run_stage_id "
        "join runs r on r.id = i.run_id where r.sido = ? and r.agency = ? and s.state != 'cancelled' "
        "and s.starts_at <= ? and (s.ends_at is null or s.ends_at > ?) and i.ticked_by is null "
        "order by s.starts_at, i.position", [who["sido"], who["agency"], iso(now), iso(now)]))


def progress(store, sido: str, now: datetime) -> list[dict]:
    """Per open run of the 시·도: completion of each begun stage, overall, and the officers yet to tick anything."""
    out = []
    for run in open_runs(store, sido, now):
        stages = list(store.db.query(
            "select s.stage, s.round, count(i.id) as total, count(i.ticked_by) as done from run_stages s "
            "join run_items i on i.run_stage_id = s.id where s.run_id = ? and s.state != 'cancelled' "
            "and s.starts_at <= ? group by s.id order by s.starts_at, s.stage, s.round", [run["id"], iso(now)]))
        done, total = sum(s["done"] for s in stages), sum(s["total"] for s in stages)
        tickers = {r["ticked_by"] for r in store.db.query(
            "select distinct ticked_by from run_items where run_id = ? and ticked_by is not null", [run["id"]])}
        officers = officers_of(store, sido, run["agency"])
        out.append({"run": run["id"], "agency": run["agency"],
                    "stages": [{**s, "percent": rules.percent(s["done"], s["total"])} for s in stages],
                    "done": done, "total": total, "percent": rules.percent(done, total),
                    "officers": len(officers),
                    "silent": [o["user"] for o in officers if o["user"] not in tickers]})
    return out


# -- scheduled jobs ------------------------------------------------------------------------------
def due(store, now: datetime) -> list[dict]:
    """Do every job due by `now` once: [{user, kind: push|remind, run_stage_id}] to tell officers.

    A push goes to every approved officer of the run's agency; a reminder only when the stage still has
    open items and its window has not closed. A job is marked done in the same transaction, so a
    restart neither repeats nor loses it.
    """
    out = []
    with store.lock, store.db.conn as conn:
        jobs = list(store.db.query("select * from jobs where state = 'pending' and due_at <= ? order by due_at, id",
                                   [iso(now)]))
        for job in jobs:
            # conditional: another channel's connection (Telegram and Slack each have one) may have done it meanwhile
            if conn.execute("update jobs set state = 'done', done_at = ? where id = ? and state = 'pending'",
                            [iso(now), job["id"]]).rowcount != 1:
                continue
            st = stage(store, job["run_stage_id"])
            if st is None or st["state"] == "cancelled":
                continue
            if job["kind"] == "remind":
                if st["ends_at"] and st["ends_at"] <= iso(now):
                    continue
                if not any(i["ticked_by"] is None for i in stage_items(store, st["id"])):
                    continue
            for o in officers_of(store, st["sido"], st["agency"]):
                out.append({"user": o["user"], "kind": job["kind"], "run_stage_id": st["id"]})
    return out


# -- the outbox ----------------------------------------------------------------------------------
def enqueue(store, user: str, reply, now: datetime) -> None:
    with store.lock, store.db.conn as conn:
        conn.execute("insert into outbox (user, platform, body, buttons, intent, lang, data, created_at) "
                     "values (?, ?, ?, ?, ?, ?, ?, ?)",
                     [user, channel_of(user), reply.text, json.dumps(reply.buttons, ensure_ascii=False), reply.intent,
                      reply.lang, json.dumps(reply.data, ensure_ascii=False, default=str), iso(now)])


def pending(store, platform: str, limit: int = 100) -> list[dict]:
    """Messages not yet sent to users of `platform`, oldest first: {id, user, reply}."""
    from .reply import Reply

    rows = store.db.query("select * from outbox where platform = ? and sent_at is null order by id limit ?",
                          [platform, limit])
    return [{"id": r["id"], "user": r["user"],
             "reply": Reply(r["body"], matched=True, intent=r["intent"], lang=r["lang"],
                            buttons=[tuple(b) for b in json.loads(r["buttons"])], data=json.loads(r["data"]))}
            for r in rows]


def mark_sent(store, message_id: int, now: datetime | None = None) -> bool:
    """Mark a message sent; False when it already was (its first sending time is kept)."""
    with store.lock, store.db.conn as conn:
        cur = conn.execute("update outbox set sent_at = ? where id = ? and sent_at is null",
                           [iso(now or datetime.now(KST)), message_id])
    return cur.rowcount == 1

