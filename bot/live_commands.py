"""The live-status commands of `python -m bot`: forecast, measurements, status, issue, release, noissue, holidays.

forecast and measurements read the configured AirKorea feed ([airkorea] base_url or AIRKOREA_BASE_URL, the
key from AIRKOREA_SERVICE_KEY); a feed that cannot be read is a clear error and exit 3, never a guess.
status reads the registry; issue, release and noissue are the operators' way to record a decision: the
same as the messenger commands (announced to the subscribers, checklists opened), as actor `cli:<by>`.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

EXIT_FEED = 3
MEASURES = ("emergency", "preliminary")


def add_parsers(sub, date_type) -> None:
    f = sub.add_parser("forecast", help="the PM2.5 forecast grades for a date from the latest AirKorea release")
    f.add_argument("--date", required=True, type=date_type)
    f.add_argument("--json", action="store_true")

    m = sub.add_parser("measurements", help="the latest hour's PM2.5 readings of a 시·도 from AirKorea")
    m.add_argument("--sido", required=True)
    m.add_argument("--json", action="store_true")

    s = sub.add_parser("status", help="the measures recorded in the registry, and their state at a moment")
    s.add_argument("--sido")
    s.add_argument("--at", help="ISO date-time (default: now)")
    s.add_argument("--json", action="store_true")

    for name, text in (("issue", "record a measure and announce it (operators)"),
                       ("noissue", "record that a measure is not issued, and why (operators)")):
        c = sub.add_parser(name, help=text)
        c.add_argument("--sido", required=True)
        c.add_argument("--measure", required=True, choices=MEASURES)
        c.add_argument("--date", required=True, type=date_type, help="the day the measure is (or would be) in effect")
        if name == "noissue":
            c.add_argument("--reason", required=True, help="e.g. 수능, 국제행사")
        c.add_argument("--by", default="operator", help="who decided (kept in the registry as cli:<by>)")
        c.add_argument("--json", action="store_true")
    h = sub.add_parser("holidays", help="the days off of a year (offline calendar; --refresh asks the holiday API first)")
    h.add_argument("--year", required=True, type=int)
    h.add_argument("--refresh", action="store_true", help="fetch 임시공휴일 and other new days off from the holiday API")
    h.add_argument("--json", action="store_true")

    r = sub.add_parser("release", help="release a 시·도's measure early and tell its subscribers (operators)")
    r.add_argument("--sido", required=True)
    r.add_argument("--by", default="operator")
    r.add_argument("--json", action="store_true")


def _kb_sido(kb, name: str, bad_input) -> str:
    sido = kb.sido(name)
    if sido is None:
        raise bad_input(f"unknown 시·도 {name!r}: use one of {', '.join(s['id'] for s in kb.regions['sido'])}")
    return sido


def _client():
    from . import airkorea, config

    return airkorea.Client.from_config(config.load())


def _print(obj: dict, as_json: bool, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str) if as_json else text)


def cmd_forecast(args, bad_input) -> int:
    from . import airkorea

    client = _client()
    try:
        items = []
        for released in (args.date, args.date - timedelta(days=1), args.date - timedelta(days=2)):
            try:
                items += client.forecast(released)  # a day is forecast from two days before
            except airkorea.NoDataError:
                pass  # no release that day: the others may have one
    finally:
        client.close()
    found = airkorea.latest_forecasts(items).get(args.date.isoformat())
    if found is None:
        raise airkorea.NoDataError(f"no PM2.5 forecast for {args.date} in the feed")
    out = {"date": args.date.isoformat(), "issued_at": found["issued_at"].isoformat(), "regions": found["regions"]}
    _print(out, args.json, f"{out['date']} (released {out['issued_at'][:16].replace('T', ' ')}): " +
           ", ".join(f"{k} {v}" for k, v in out["regions"].items()))
    return 0


def cmd_measurements(args, bad_input) -> int:
    from . import airkorea
    from .knowledge import load

    sido = _kb_sido(load(), args.sido, bad_input)
    client = _client()
    try:
        items = client.realtime(sido)
    finally:
        client.close()
    stations = [airkorea.parse_station(i) for i in items if i.get("dataTime") not in airkorea.MISSING]
    if not stations:
        raise airkorea.NoDataError(f"AirKorea has no readings for {sido}")
    latest = max(s["data_time"] for s in stations)
    hour = [s for s in stations if s["data_time"] == latest]
    valid = [s["pm25"] for s in hour if s["pm25"] is not None]
    out = {"sido": sido, "data_time": latest, "pm25_avg": round(sum(valid) / len(valid), 1) if valid else None,
           "stations": len(hour), "valid": len(valid)}
    _print(out, args.json, f"{sido} {latest[:16].replace('T', ' ')}: PM2.5 {out['pm25_avg']} µg/m³ "
           f"({out['valid']} of {out['stations']} stations valid)")
    return 0


def cmd_status(args, bad_input) -> int:
    from . import config
    from .knowledge import load
    from .rules.issuance import _parse_time, state_at
    from .rules import RuleInputError
    from .rules.timeline import KST
    from .store import Store

    kb = load()
    sido = _kb_sido(kb, args.sido, bad_input) if args.sido else None
    try:
        at = _parse_time(args.at, "--at") if args.at else datetime.now(KST)
    except RuleInputError as exc:
        raise bad_input(str(exc)) from None
    store = Store(config.load().store_path)
    rows = [r for r in store.statuses(sido=sido) if r["effective_date"] >= at.date().isoformat()
            and _parse_time(r["decided_at"], "decided_at") <= at]
    keys = ("sido", "measure", "state", "effective_date", "starts_at", "ends_at", "decided_at", "decided_by")
    statuses = [{**{k: r[k] for k in keys}, "state": state_at(r, at), "reason": r.get("reason"),
                 "released_at": r.get("released_at")} for r in rows]
    lines = [f"{s['sido']}: {s['measure']} {s['effective_date']} {s['state']}"
             f" (decided {s['decided_at'][:16].replace('T', ' ')} by {s['decided_by']})" for s in statuses]
    _print({"statuses": statuses}, args.json, "\n".join(lines) or f"no measure recorded from {at.date()}")
    return 0


def _operator(args):
    from . import cli
    from .rules.timeline import KST

    assistant, _ = cli._assistant(with_store=True)
    ctx = assistant.context(None, f"cli:{args.by}")
    ctx.now = datetime.now(KST).replace(microsecond=0)
    return assistant, ctx


def _decided(reply, as_json: bool) -> int:
    _print({"ok": reply.matched, "text": reply.text, **reply.data}, as_json, reply.text)
    return 0 if reply.matched else 2


def cmd_issue(args, bad_input) -> int:
    from handlers.registry import record_issue

    assistant, ctx = _operator(args)
    return _decided(record_issue(assistant, ctx, _kb_sido(ctx.kb, args.sido, bad_input), args.measure, args.date),
                    args.json)


def cmd_release(args, bad_input) -> int:
    from handlers.registry import release

    assistant, ctx = _operator(args)
    return _decided(release(assistant, ctx, _kb_sido(ctx.kb, args.sido, bad_input)), args.json)


def cmd_noissue(args, bad_input) -> int:
    from handlers.registry import record_not_issued

    assistant, ctx = _operator(args)
    if not args.reason.strip():
        raise bad_input("--reason must say why (e.g. 수능, 국제행사)")
    return _decided(record_not_issued(ctx, _kb_sido(ctx.kb, args.sido, bad_input), args.measure, args.date,
                                      args.reason.strip()), args.json)


def cmd_holidays(args, bad_input) -> int:
    from . import config, korean_holidays
    from .rules.timeline import KST
    from .store import Store

    if not korean_holidays.FIRST_YEAR <= args.year <= korean_holidays.LAST_YEAR:
        raise bad_input(f"--year {args.year} is not a year the calendar covers "
                        f"({korean_holidays.FIRST_YEAR}–{korean_holidays.LAST_YEAR})")
    cfg = config.load()
    store = Store(cfg.store_path)
    added = []
    if args.refresh:
        api = korean_holidays.client(cfg)
        try:
            added = korean_holidays.refresh(store, api, args.year, datetime.now(KST))
        finally:
            api.close()
    days = sorted(korean_holidays.known(store, args.year))
    out = {"year": args.year, "holidays": [d.isoformat() for d in days], "added_by_api": added}
    text = "\n".join(d.isoformat() + (" (API)" if d.isoformat() in {a["date"] for a in added} else "") for d in days)
    _print(out, args.json, text)
    return 0


COMMANDS = {"holidays": cmd_holidays, "forecast": cmd_forecast, "measurements": cmd_measurements, "status": cmd_status, "issue": cmd_issue,
            "release": cmd_release, "noissue": cmd_noissue}


def feed_failed(exc) -> int:
    print(f"error: the data.go.kr feed could not be read ({exc.kind}): {exc}\n"
          f"오류: 공공데이터(에어코리아·특일정보) 자료를 받지 못했습니다. 아무것도 바꾸지 않았습니다.", file=sys.stderr)
    return EXIT_FEED
