"""`python -m bot …`: the command line. Bad input exits with code 2 and one clear line, never a traceback."""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from datetime import date
from pathlib import Path

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    pass


def _date(text: str) -> date:
    from .korean_holidays import FIRST_YEAR, LAST_YEAR, covers

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-12-03") from None
    if not covers(day):
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return day


def _row(text: str) -> int:
    """A version or run number: a whole number the store can hold."""
    from .router import row_id

    number = row_id(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number such as 3")
    return number


def _lang(text: str) -> str:
    if text not in ("ko", "en"):
        raise argparse.ArgumentTypeError("language must be ko or en")
    return text


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Fine-dust measures assistant (비상저감조치 · 공공2부제)")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("ask", help="answer one question (or one per line with --batch)")
    a.add_argument("text", nargs="*")
    a.add_argument("--lang", type=_lang, default=None)
    a.add_argument("--json", action="store_true")
    a.add_argument("--batch", action="store_true", help="read questions from standard input, one JSON answer per line")

    c = sub.add_parser("chat", help="an interactive console session")
    c.add_argument("--lang", type=_lang, default=None)

    r = sub.add_parser("run", help="start the bot on the configured channels (the console when no token is set)")
    r.add_argument("--lang", type=_lang, default=None)

    s = sub.add_parser("assess", help="issuance assessment from an input file")
    s.add_argument("--input", required=True, help="JSON file ('-' for standard input)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--lang", type=_lang, default="ko")

    v = sub.add_parser("vehicle", help="may this car run on that day?")
    v.add_argument("--scheme", required=True, choices=["emergency", "seasonal"])
    v.add_argument("--date", required=True, type=_date)
    v.add_argument("--plate", required=True)
    v.add_argument("--sido")
    v.add_argument("--kind", default="passenger", choices=["passenger", "van", "truck"])
    v.add_argument("--light", action="store_true", help="a light car (경차)")
    v.add_argument("--seats", type=int)
    v.add_argument("--fuel", choices=["gasoline", "diesel", "lpg", "electric", "hybrid", "plugin_hybrid", "hydrogen", "solar"])
    v.add_argument("--owner", choices=["agency", "employee", "visitor", "tenant"],
                   help="whose car (default: a staff member's, and the reason says so)")
    v.add_argument("--exemption", nargs="+", default=[], metavar="CODE")
    v.add_argument("--json", action="store_true")
    v.add_argument("--lang", type=_lang, default="ko")

    d = sub.add_parser("schedule", help="the stages and deadlines of a measure")
    d.add_argument("--measure", required=True, choices=["emergency", "preliminary"])
    d.add_argument("--date", required=True, type=_date, help="the day the measure is in effect")
    d.add_argument("--last-issued", type=_date, help="for consecutive issuances: the last issuance date")
    d.add_argument("--json", action="store_true")
    d.add_argument("--lang", type=_lang, default="ko")

    o = sub.add_parser("roles", help="an agency's action items per stage")
    o.add_argument("--agency", required=True)
    o.add_argument("--stage", type=int)
    o.add_argument("--json", action="store_true")
    o.add_argument("--lang", type=_lang, default="ko")

    k = sub.add_parser("kb", help="knowledge base tools")
    ksub = k.add_subparsers(dest="kb_command", required=True)
    kv = ksub.add_parser("validate", help="check the knowledge files (or a directory made by kb export)")
    kv.add_argument("dir", nargs="?")
    kx = ksub.add_parser("export", help="write the published knowledge to DIR (the FAQ as faq.csv)")
    kx.add_argument("dir")
    ki = ksub.add_parser("import", help="check DIR (as kb export writes it) and publish it as a new version")
    ki.add_argument("dir")
    ki.add_argument("--author", default="cli", help="who is publishing (kept in the history)")
    ksub.add_parser("history", help="the published versions: number, when, who, what changed")
    kd = ksub.add_parser("diff", help="what changed from version V1 to version V2")
    kd.add_argument("v1", type=_row)
    kd.add_argument("v2", type=_row)
    kr = ksub.add_parser("rollback", help="publish version V's knowledge again as a new version")
    kr.add_argument("version", type=_row)
    kr.add_argument("--author", default="cli")

    i = sub.add_parser("i18n", help="message catalogs (locales/)")
    isub = i.add_subparsers(dest="i18n_command", required=True)
    isub.add_parser("update", help="extract the message ids the code uses and merge them into ko and en")

    rp = sub.add_parser("report", help="a checklist run in the columns of 서식 3 and 서식 8")
    rp.add_argument("--run", required=True, type=_row, help="the run id (see /progress)")
    rp.add_argument("--format", default="csv", choices=["csv", "xlsx"])
    rp.add_argument("--output", help="the file to write (xlsx needs one; csv goes to standard output without)")

    from .live_commands import add_parsers

    add_parsers(sub, _date)  # forecast, measurements, status, issue, release, noissue

    e = sub.add_parser("eval", help="accuracy of the question answering on the evaluation set")
    e.add_argument("--json", action="store_true")
    e.add_argument("--show-errors", action="store_true")
    e.add_argument("--folds", type=int, metavar="N",
                   help="instead: the matcher on the FAQ's own paraphrases, each N-th left out of the index")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from .knowledge import KnowledgeError
    from .rules import RuleInputError
    from .config import ConfigError
    from .airkorea import FeedError
    from . import live_commands

    try:
        if args.command in live_commands.COMMANDS:
            return live_commands.COMMANDS[args.command](args, BadInput)
        return COMMANDS[args.command](args)
    except (BadInput, RuleInputError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KnowledgeError as exc:
        print(f"error: the knowledge base is broken:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FeedError as exc:
        return live_commands.feed_failed(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`… eval | head`): nothing more to say, and no traceback at exit either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _assistant(with_store: bool = False, limited: bool = False):
    from . import config
    from .app import Assistant
    from .knowledge import load

    cfg = config.load()
    store = None
    if with_store:
        from .store import Store

        store = Store(cfg.store_path)
    # The console has one local user: no rate limit there; the messenger channels get one.
    from .admins import admin_users

    return Assistant(load(cfg.knowledge_dir), store=store, default_lang=cfg.default_lang,
                     limiter=cfg.limiter() if limited else None, admins=admin_users(cfg)), cfg


def cmd_ask(args) -> int:
    assistant, _ = _assistant()
    if args.batch:
        for line in sys.stdin:
            if line.strip():
                print(_dump(assistant.ask(line.strip(), args.lang).to_json()), flush=True)
        return 0
    text = " ".join(args.text).strip()
    if not text:
        raise BadInput("ask needs a question, e.g. python -m bot ask \"경차도 2부제 해당돼?\"")
    reply = assistant.ask(text, args.lang)
    print(_dump(reply.to_json()) if args.json else reply.text)
    return 0


def cmd_chat(args) -> int:
    from .channels.console import chat

    assistant, _ = _assistant(with_store=True)
    return chat(assistant, lang=args.lang)


def channels(cfg) -> list[tuple[str, object]]:
    """The messenger channels whose secrets are set, as (name, start); start(assistant, cfg) runs one until stopped.

    Telegram stays first: it runs in the main thread, where it handles Ctrl-C and SIGTERM.
    Another channel appends (name, its start function) below.
    """
    found = []
    if cfg.secret("TELEGRAM_BOT_TOKEN"):
        from .channels.telegram import run_telegram

        found.append(("Telegram", run_telegram))
    if cfg.secret("SLACK_BOT_TOKEN"):
        # Socket Mode also needs SLACK_APP_TOKEN, HTTP mode SLACK_SIGNING_SECRET: run_slack says which is missing
        from .channels.slack import run_slack

        found.append(("Slack", run_slack))
    return found


def run_channels(found) -> int:
    """Run the channels: the first in this thread (it owns Ctrl-C), the others beside it in threads.

    Each gets its own assistant, so each has its own SQLite connection in the thread that uses it.
    """
    import threading

    codes: dict[str, int] = {}

    def serve(name, start):
        assistant, cfg = _assistant(with_store=True, limited=True)
        codes[name] = start(assistant, cfg)

    start_live_status()  # before the channels: a bad [airkorea] setting stops the start with a clear message
    for name, start in found[1:]:
        threading.Thread(target=serve, args=(name, start), name=name, daemon=True).start()
    name, start = found[0]
    serve(name, start)
    return max(codes.values(), default=0)


def start_live_status():
    """The live issuance status (AirKorea → assessment → proposals → announcements) in a thread of its own,
    when AIRKOREA_SERVICE_KEY is set. Returns the thread's stop event, or None when it is off."""
    import threading

    from . import airkorea, config

    cfg = config.load()
    if not cfg.secret("AIRKOREA_SERVICE_KEY"):
        print("AIRKOREA_SERVICE_KEY is not set: the live issuance status is off (officers record decisions with /issue).\n"
              "에어코리아 키가 없어 실시간 발령 판단은 꺼져 있습니다.", file=sys.stderr)
        return None
    from handlers.live import run_day

    from .knowledge import load

    kb = load(cfg.knowledge_dir)
    names = cfg.get("airkorea", "sidos", []) or []
    sidos = [kb.sido(str(s)) for s in names]
    if None in sidos:
        raise config.ConfigError(f"bot.toml [airkorea] sidos: unknown 시·도 in {names}")
    minute = cfg.get("airkorea", "collect_minute", 20)
    if not isinstance(minute, int) or isinstance(minute, bool) or not 0 <= minute <= 59:
        raise config.ConfigError(f"bot.toml [airkorea] collect_minute: {minute!r} is not a minute (0–59)")
    stop = threading.Event()

    def serve():
        assistant, cfg = _assistant(with_store=True)
        run_day(assistant, airkorea.Client.from_config(cfg), stop, float(cfg.get("airkorea", "tick", 30)),
                sidos=sidos or None, collect_minute=minute)

    threading.Thread(target=serve, name="live-status", daemon=True).start()
    return stop


def cmd_run(args) -> int:
    from . import config
    from .channels.console import chat

    found = channels(config.load())
    if found:
        print(f"Starting {', '.join(name for name, _ in found)}. / 메신저 채널을 시작합니다.", file=sys.stderr)
        return run_channels(found)
    print("No messenger token is set (TELEGRAM_BOT_TOKEN, SLACK_BOT_TOKEN): starting the console channel.\n"
          "메신저 토큰이 없어 콘솔 채널로 시작합니다.", file=sys.stderr)
    assistant, _ = _assistant(with_store=True)
    return chat(assistant, lang=args.lang)


def _read_json(path: str):
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from None


def cmd_assess(args) -> int:
    from . import korean_holidays
    from .i18n import reason_text
    from .knowledge import load
    from .rules.issuance import _parse_time, assess

    data = _read_json(args.input)
    kb = load()
    if not isinstance(data, dict) or "decided_at" not in data:
        raise BadInput("the input must be a JSON object with decided_at, measured, forecast, alerts, holidays")
    year = _parse_time(data["decided_at"], "decided_at").year
    result = assess(kb, data, korean_holidays.public_holidays(year, year + 1))
    for d in result["decisions"]:
        d["reasons"] = [reason_text(kb, r, args.lang) for r in d["reasons"]]
    if args.json:
        print(_dump(result))
    else:
        for d in result["decisions"]:
            print(f"{d['sido']}: {d['measure']} {d['conditions']} {d['effective_date'] or ''}")
            for r in d["reasons"]:
                print(f"  - {r}")
    return 0


def cmd_vehicle(args) -> int:
    from . import korean_holidays
    from .i18n import reason_text
    from .knowledge import load
    from .rules import vehicle

    kb = load()
    verdict = vehicle.check(kb, scheme=args.scheme, day=args.date, plate=args.plate, sido=args.sido, kind=args.kind,
                            light=args.light, seats=args.seats, fuel=args.fuel, owner=args.owner,
                            exemptions=args.exemption, holidays=korean_holidays.public_holidays(args.date.year))
    reasons = [reason_text(kb, r, args.lang) for r in verdict["reasons"]]
    if args.json:
        print(_dump({**verdict, "reason": " ".join(reasons), "reasons": reasons}))
    else:
        print(("allowed" if verdict["allowed"] else "not allowed") + ": " + " ".join(reasons))
    return 0


def cmd_schedule(args) -> int:
    from .i18n import show
    from .knowledge import load
    from .rules import timeline

    kb = load()
    plan = timeline.schedule(kb, args.measure, args.date, args.last_issued)
    if args.json:
        out = {
            "measure": plan["measure"], "effective_date": plan["effective_date"], "d_day": plan["d_day"],
            "issued_on": plan["issued_on"],
            "stages": [{"number": s["number"], "name": show(args.lang, s["name"]), "measure": s["measure"],
                        "applies": s["applies"], "summary": show(args.lang, s["summary"]),
                        "starts_at": s["starts_at"].isoformat(), "ends_at": s["ends_at"].isoformat() if s["ends_at"] else None,
                        "citation": kb.citation(s["source"])} for s in plan["stages"]],
            "deadlines": [{"id": d["id"], "who": show(args.lang, d["who"]), "what": show(args.lang, d["what"]),
                           "days": d["days"], "due": d["due"], "citation": kb.citation(d["source"])} for d in plan["deadlines"]],
        }
        print(_dump(out))
    else:
        from .router import Context
        from handlers.schedule import schedule_reply

        print(schedule_reply(Context(kb, None, args.lang), plan).text)
    return 0


def cmd_roles(args) -> int:
    from .knowledge import load
    from .rules import roles

    kb = load()
    agency = roles.find_agency(kb, args.agency)
    under = roles.agencies_under(kb, args.agency) if agency is None else None
    if under is not None:
        raise BadInput(f"{under[0]} has no row of its own in the role tables; it appears in: "
                       + ", ".join(a["name"]["ko"] for a in under[1]))
    if agency is None:
        names = ", ".join(a["name"]["ko"] for a in kb.agencies)
        raise BadInput(f"no agency matches {args.agency!r}; known agencies: {names}{_faq_pointer(kb, args.agency)}")
    found = roles.items(kb, agency, args.stage)
    if args.json:
        stage_names = {s["number"]: s["name"] for s in kb.stages}
        print(_dump({"agency": {"id": agency["id"], "name": agency["name"]},
                     "stages": [{"stage": b["stage"], "name": stage_names[b["stage"]], "items": b["items"],
                                 "citation": kb.citation(b["source"])} for b in found]}))
    else:
        from .router import Context
        from handlers.roles import roles_reply

        print(roles_reply(Context(kb, None, args.lang), agency, found, args.stage).text)
    return 0


def _faq_pointer(kb, name: str) -> str:
    """Where the FAQ speaks of an agency the role tables have no row for (한국환경공단's part is told in the
    guideline's text, not in a 기관별 조치사항 table): the command that answers it, or ''."""
    from .app import Assistant

    reply = Assistant(kb).ask(name)  # the knowledge roles already read, not a second load
    if not reply.matched or reply.intent != "faq":
        return ""
    return f"\nthe FAQ speaks of it ({reply.data['question']}): python -m bot ask {shlex.quote(name)}"


def cmd_kb(args) -> int:
    from .knowledge import load

    if args.kb_command != "validate":
        from .knowledge_versions import cli

        return cli(args, _assistant)
    if args.dir and (Path(args.dir) / "faq.csv").is_file():
        from .knowledge_versions import read_import, validate_import

        kb = validate_import(read_import(args.dir), args.dir)
    else:
        kb = load(args.dir)
    print(f"ok: {len(kb.faq)} FAQ entries, {len(kb.agencies)} agencies, {len(kb.stages)} stages, "
          f"{len(kb.exemptions)} exemption codes, {len(kb.regions['sido'])} 시·도")
    return 0


def cmd_i18n(args) -> int:
    from .i18n import update_catalogs

    missing = update_catalogs()
    for lang, ids in missing.items():
        print(f"{lang}: {len(ids)} untranslated" + "".join(f"\n  {m!r}" for m in ids))
    return 1 if any(missing.values()) else 0


def cmd_eval(args) -> int:
    from .evaluation import run

    return run(args)


def cmd_report(args) -> int:
    from datetime import datetime

    from . import config
    from .checklist_report import tables, to_csv, to_xlsx
    from .knowledge import load
    from .rules.timeline import KST
    from .store import Store

    cfg = config.load()
    if not Path(cfg.store_path).is_file():
        raise BadInput(f"there is no store at {cfg.store_path}")
    if args.format == "xlsx" and not args.output:
        raise BadInput("--format xlsx needs --output FILE.xlsx")
    try:
        parts = tables(Store(cfg.store_path), load(cfg.knowledge_dir), args.run, datetime.now(KST).date().isoformat())
    except LookupError as exc:
        raise BadInput(str(exc)) from None
    if args.format == "xlsx":
        to_xlsx(parts, args.output)
    elif args.output:
        Path(args.output).write_text(to_csv(parts), encoding="utf-8-sig")
    else:
        sys.stdout.write(to_csv(parts))
    return 0


COMMANDS = {"ask": cmd_ask, "chat": cmd_chat, "run": cmd_run, "assess": cmd_assess, "vehicle": cmd_vehicle,
            "schedule": cmd_schedule, "roles": cmd_roles, "kb": cmd_kb, "i18n": cmd_i18n, "eval": cmd_eval,
            "report": cmd_report}
