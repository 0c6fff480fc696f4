"""Officer checklists (issue 4): a whole emergency with a fake clock, refusals, re-issuance, early release,
200 officers ticking at once against the real SQLite store, and the export in the forms' columns."""
import csv
import io
import threading
from datetime import date, datetime, timedelta

import pytest

from bot import checklist_report, checklists, live
from bot.app import Assistant
from bot.rules import RuleInputError
from bot.rules import checklist as rules
from bot.store import Store
from conftest import KST

ADMIN = "telegram:99"
COORD = "telegram:1"      # 서울 시·도 환경부서, 정
DEPUTY = "slack:U2"       # 서울 시·도 환경부서, 부 — on Slack
POLICE = "telegram:3"     # 서울 경찰청
BUSAN = "telegram:4"      # 부산 경찰청
PENDING = "slack:U5"      # registered, not approved


class Clock:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


@pytest.fixture
def clock():
    return Clock(datetime(2026, 12, 2, 16, 0, tzinfo=KST))


@pytest.fixture
def bot(kb, tmp_path, clock):
    return Assistant(kb, store=Store(tmp_path / "bot.db"), clock=clock, admins={ADMIN})


def enrol(bot):
    for user, args in [(COORD, "서울 정 시·도 환경부서 홍길동"), (DEPUTY, "서울 부 시도 환경부서 김부장"),
                       (POLICE, "서울 정 경찰청 박경위"), (BUSAN, "부산 정 경찰청 최경사"), (PENDING, "서울 정 경찰청")]:
        assert bot.ask(f"/register {args}", user=user).data["registered"] is True
    for user in (COORD, DEPUTY, POLICE, BUSAN):
        assert bot.press(f"approve:{user}", user=ADMIN).data["approved"] == user


def inbox(bot, platform=None):
    """Messages queued since the last call, as (user, reply); marks them sent."""
    out = []
    for p in [platform] if platform else ["telegram", "slack"]:
        for m in bot.outbox(p):
            out.append((m["user"], m["reply"]))
            bot.sent(m["id"])
    return out


def run_of(bot, sido, agency):
    return next(r for r in checklists.open_runs(bot.store, sido, bot.now()) if r["agency"] == agency)


def test_a_whole_emergency_from_issuance_to_stage_8(bot, clock, kb, tmp_path):
    enrol(bot)
    inbox(bot)
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)  # D-1 17:15: the 시·도 announces for D = 12-03
    opened = bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN)
    assert opened.data["action"] == "opened" and opened.data["runs"] == len(kb.agencies)
    assert bot.store.statuses(sido="서울", day=date(2026, 12, 3))[0]["measure"] == "emergency"

    # stages 4 and 5 have begun: each registered officer of the 서울 agencies gets them, nobody else
    assert bot.due() > 0
    got = inbox(bot)
    by_user = {}
    for user, reply in got:
        by_user.setdefault(user, []).append(reply.data["stage"])
    assert by_user == {COORD: [4, 5], DEPUTY: [4, 5], POLICE: [4, 5]}  # not 부산's officer, not the pending one
    push = next(r for u, r in got if u == DEPUTY and r.data["stage"] == 5)
    assert push.data["kind"] == "push" and all(p.startswith("tick:") for _, p in push.buttons)
    assert len(push.buttons) == push.data["total"] == 4
    assert bot.due() == 0 and inbox(bot) == []  # done once

    # ticks from Telegram and Slack land in the same run
    first, second, *_ = push.data["items"]
    assert bot.press(f"tick:{first}", user=COORD).data["result"] == "ticked"
    clock.at += timedelta(minutes=5)
    reply = bot.press(f"tick:{second}", user=DEPUTY)
    assert reply.data["result"] == "ticked" and "김부장" in reply.text and "홍길동" in reply.text
    again = bot.press(f"tick:{first}", user=DEPUTY)  # idempotent: still the first officer's tick
    assert again.data["result"] == "already" and "홍길동" in again.text
    items = {i["id"]: i for i in checklists.stage_items(bot.store, push.data["run_stage"])}
    assert (items[first]["ticked_by"], items[first]["ticked_channel"]) == (COORD, "telegram")
    assert (items[second]["ticked_by"], items[second]["ticked_channel"]) == (DEPUTY, "slack")
    assert items[first]["run_id"] == items[second]["run_id"]
    # undo: only by the one who ticked
    assert bot.press(f"untick:{second}", user=COORD).data["reason"] == "ticked_by_other"
    assert bot.press(f"untick:{second}", user=DEPUTY).data["result"] == "unticked"
    assert bot.press(f"tick:{second}", user=DEPUTY).data["result"] == "ticked"

    # the police officer finishes stage 5; /checklist shows what is left
    police_open = bot.ask("/checklist", user=POLICE)
    for item_id in police_open.data["open"]:
        bot.press(f"tick:{item_id}", user=POLICE)
    assert bot.ask("/checklist", user=POLICE).data["open"] == []
    assert len(bot.ask("/checklist", user=COORD).data["open"]) == 2  # stage 5: 2 of 4 left (stage 4 has closed)

    progress = {r["agency"]: r for r in bot.ask("/progress 서울", user=COORD).data["runs"]}
    env = progress["sido-env"]
    assert [(s["stage"], s["done"], s["total"], s["percent"]) for s in env["stages"]] == [(4, 0, 4, 0), (5, 2, 4, 50)]
    assert env["percent"] == 25 and env["silent"] == []
    assert [(s["stage"], s["percent"]) for s in progress["police"]["stages"]] == [(4, 0), (5, 100)]
    assert progress["korail"]["officers"] == 0 and progress["korail"]["percent"] == 0

    # 05:00 on D: the stage-5 reminder goes only to those with open items (시·도 환경부서, not 경찰청)
    clock.at = datetime(2026, 12, 3, 5, 0, tzinfo=KST)
    bot.due()
    reminders = inbox(bot)
    assert {u for u, r in reminders} == {COORD, DEPUTY}
    assert all(r.data["kind"] == "remind" and r.data["stage"] == 5 for _, r in reminders)
    # a tick button per open item, and an undo button only for the officer's own tick
    assert all([p.split(":")[0] for _, p in r.buttons] == ["untick", "tick", "tick"] for _, r in reminders)

    # 06:00 stage 6, 17:00 stage 7, 21:00 stage 8: each pushed when it begins, not before
    for at, stage in [((3, 5, 59), None), ((3, 6, 0), 6), ((3, 17, 0), 7), ((3, 21, 0), 8)]:
        clock.at = datetime(2026, 12, *at, tzinfo=KST)
        bot.due()
        pushed = [r for _, r in inbox(bot) if r.data["kind"] == "push"]
        assert {r.data["stage"] for r in pushed} == ({stage} if stage else set())
    # report deadlines: 15 days for agencies (12-17), 30 days for the 시·도 (2027-01-01), from D-1 = 12-02
    env_stages = checklists.stages_of(bot.store, run_of(bot, "서울", "sido-env")["id"])
    police_stages = checklists.stages_of(bot.store, run_of(bot, "서울", "police")["id"])
    assert env_stages[-1]["stage"] == 8 and env_stages[-1]["ends_at"] == datetime(2027, 1, 2, tzinfo=KST)
    assert police_stages[-1]["ends_at"] == datetime(2026, 12, 18, tzinfo=KST)

    # the 15-day reminder (3 days before, 1 day before) goes to the police officer only while items are open
    clock.at = datetime(2026, 12, 15, 0, 0, tzinfo=KST)
    bot.due()
    assert {u for u, r in inbox(bot)} == {POLICE}
    for item_id in bot.ask("/checklist", user=POLICE).data["open"]:
        bot.press(f"tick:{item_id}", user=POLICE)
    clock.at = datetime(2026, 12, 17, 0, 0, tzinfo=KST)
    bot.due()
    assert inbox(bot) == []
    clock.at = datetime(2026, 12, 30, 0, 0, tzinfo=KST)  # the 시·도's 30-day report: 3 days before 2027-01-02
    bot.due()
    assert {u for u, r in inbox(bot)} == {COORD, DEPUTY}

    # the export: the 시·도's run in the columns of 서식 3 and 서식 8
    parts = checklist_report.tables(bot.store, kb, run_of(bot, "서울", "sido-env")["id"], "2026-12-30")
    (t3, c3, rows3), (t8, c8, rows8) = parts
    assert c3 == checklist_report.FORM3_COLUMNS and c8 == checklist_report.FORM8_COLUMNS
    assert rows3[0][1] == "2026-12-03" and rows3[0][3] == "시·도 환경부서" and rows3[0][5] == "서울특별시"
    assert len(rows8) == 2 and all(r[0] == "시·도 환경부서" for r in rows8)
    text = checklist_report.to_csv(parts)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [t3] and table[1] == c3 and table[4] == [t8] and table[5] == c8

    # the audit log has every registration, approval, issuance and tick, and cannot be changed
    actions = [a["action"] for a in checklists.audit_log(bot.store)]
    assert actions.count("register") == 5 and actions.count("approve") == 4 and actions.count("issue") == 1
    assert actions.count("untick") == 1 and "untick_refused" in actions
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        bot.store.db.conn.execute("delete from audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        bot.store.db.conn.execute("update audit set actor = 'x'")


def test_unregistered_or_other_agency_cannot_tick(bot, clock):
    enrol(bot)
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN)
    item_id = bot.ask("/checklist", user=POLICE).data["open"][0]
    for user, reason in [("telegram:777", "not_registered"), (BUSAN, "other_agency"), (COORD, "other_agency"),
                         (PENDING, "not_approved")]:
        reply = bot.press(f"tick:{item_id}", user=user)
        assert reply.matched is False and reply.data == {"result": "refused", "reason": reason}
    assert bot.press("tick:999999", user=POLICE).data["reason"] == "no_item"
    for forged in ("tick:99999999999999999999", "untick:99999999999999999999", "tick:-3"):  # beyond SQLite's integers
        assert bot.press(forged, user=POLICE).data["reason"] == "no_item", forged
    assert checklists.item(bot.store, item_id)["ticked_by"] is None
    refused = checklists.audit_log(bot.store, "tick_refused")
    assert [(a["actor"], a["detail"]["reason"]) for a in refused][:4] == [
        ("telegram:777", "not_registered"), (BUSAN, "other_agency"), (COORD, "other_agency"), (PENDING, "not_approved")]
    assert checklists.audit_log(bot.store, "tick") == []


@pytest.mark.parametrize("words", ["내 할일 목록 보여줘", "체크리스트 완료 어떻게 표시해", "단계별 체크리스트 어디서 봐",
                                   "show me my checklist", "how do i tick an item", "오늘 할일 남은거", "my remaining tasks"])
def test_an_officer_asking_for_their_list_in_words_gets_their_open_items_with_buttons(bot, clock, words):
    """As /checklist: each of these got the FAQ's fallback."""
    enrol(bot)
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN)
    listed = bot.ask("/checklist", user=POLICE)
    reply = bot.ask(words, user=POLICE)
    assert reply.intent == "checklist" and reply.data["open"] == listed.data["open"] != []
    assert [p for _, p in reply.buttons] == [f"tick:{i}" for i in listed.data["open"]]
    assert "버튼을 누르세요" in bot.ask("내 할일 목록 보여줘", user=POLICE).text
    assert bot.ask(words, user="telegram:777").data.get("open") is None  # not registered: told to /register


@pytest.mark.parametrize("question, intent", [("서식 4 2부제 점검 체크리스트 항목", "faq"),
                                              ("경찰청 6단계 할일", "roles"), ("odd-even inspection checklist form 4", "faq")])
def test_the_inspection_forms_checklists_and_an_agencys_tasks_are_not_the_officers_list(bot, question, intent):
    assert bot.ask(question, user=POLICE).intent == intent


def test_only_admins_issue_and_approve_and_bad_input_changes_nothing(bot, clock):
    bot.ask("/register 서울 정 경찰청", user=POLICE)
    assert bot.press(f"approve:{POLICE}", user=COORD).matched is False
    assert checklists.officer(bot.store, POLICE)["status"] == "pending"
    assert bot.ask("/issue 서울 비상 2026-12-03", user=POLICE).matched is False
    for bad in ["", "서울", "서울 비상", "어딘가 비상 2026-12-03", "서울 비상 9999-12-31"]:  # the last was a traceback
        assert bot.ask(f"/issue {bad}", user=ADMIN).matched is False
    assert bot.store.db["runs"].count == 0
    assert bot.ask("/register 정 경찰청", user="telegram:8").data["registered"] is False  # no 시·도
    assert checklists.officer(bot.store, "telegram:8") is None
    assert bot.ask("/issue 서울 해제", user=ADMIN).matched is False  # nothing to release
    assert [a["action"] for a in checklists.audit_log(bot.store)] == ["register"]


def test_preliminary_then_emergency_then_reissuance(bot, clock, kb):
    enrol(bot)
    clock.at = datetime(2026, 12, 1, 17, 15, tzinfo=KST)  # D-2 17:15: 예비저감조치 for 12-02 (D = 12-03)
    assert bot.ask("/issue 서울 예비 2026-12-02", user=ADMIN).data["action"] == "opened"
    env = run_of(bot, "서울", "sido-env")
    assert [s["stage"] for s in checklists.stages_of(bot.store, env["id"])] == [1, 2, 3]
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    assert bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN).data["action"] == "extended"
    assert [s["stage"] for s in checklists.stages_of(bot.store, env["id"])] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN).matched is False  # the same again: refused
    clock.at = datetime(2026, 12, 3, 17, 14, tzinfo=KST)
    bot.due()
    inbox(bot)
    # D 17:15: re-issued for 12-04 — the stage-5 items again, stage 8 moved, reports from 12-03
    clock.at = datetime(2026, 12, 3, 17, 15, tzinfo=KST)
    assert bot.ask("/issue 서울 비상 2026-12-04", user=ADMIN).data["action"] == "reissued"
    stages = checklists.stages_of(bot.store, env["id"])
    again = [s for s in stages if s["stage"] == 5 and s["round"] == 1]
    assert again and again[0]["starts_at"] == datetime(2026, 12, 3, 17, 15, tzinfo=KST)
    eight = next(s for s in stages if s["stage"] == 8)
    assert eight["starts_at"] == datetime(2026, 12, 4, 21, 0, tzinfo=KST)
    assert eight["ends_at"] == datetime(2027, 1, 3, tzinfo=KST)  # 30 days from 12-03
    bot.due()
    pushed = [(u, r) for u, r in inbox(bot) if r.data["kind"] == "push"]
    assert [r.data["stage"] for u, r in pushed if u == COORD] == [5]
    assert "(재발령에 따라 다시)" in pushed[0][1].text  # Korean by default


def test_early_release_goes_straight_to_stage_8(bot, clock):
    enrol(bot)
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN)
    clock.at = datetime(2026, 12, 3, 10, 0, tzinfo=KST)
    bot.due()
    inbox(bot)
    assert bot.ask("/issue 서울 해제", user=ADMIN).data["action"] == "released"
    env = run_of(bot, "서울", "sido-env")
    stages = {s["stage"]: s for s in checklists.stages_of(bot.store, env["id"])}
    assert stages[6]["ends_at"] == clock.at and stages[7]["state"] == "cancelled"
    assert stages[8]["starts_at"] == clock.at
    bot.due()
    assert {(u, r.data["stage"]) for u, r in inbox(bot)} == {(COORD, 8), (DEPUTY, 8), (POLICE, 8)}
    seven = checklists.stage_items(bot.store, stages[7]["id"])[0]["id"]
    assert bot.press(f"tick:{seven}", user=COORD).data["reason"] == "cancelled"
    clock.at = datetime(2026, 12, 3, 17, 0, tzinfo=KST)  # stage 7 would have begun: nothing comes
    bot.due()
    assert inbox(bot) == []


def test_early_release_is_recorded_in_the_registry_and_status_no_longer_shows_the_measure_on(bot, clock):
    enrol(bot)
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    issued = bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN).data["issuance"]
    clock.at = datetime(2026, 12, 3, 9, 0, tzinfo=KST)
    on = bot.ask("/status 서울", user=COORD)
    assert [r["state"] for r in on.data["statuses"]] == ["in effect"] and "06:00–21:00" in on.text

    clock.at = datetime(2026, 12, 3, 10, 0, tzinfo=KST)
    released = bot.ask("/issue 서울 해제", user=ADMIN)
    assert released.data["action"] == "released" and released.data["issuances"] == [issued]
    assert "12-03 10:00" in released.text
    row = bot.store.statuses(sido="서울")[0]
    assert (row["state"], row["released_at"], row["released_by"]) == ("released", "2026-12-03T10:00:00+09:00", ADMIN)
    status = bot.ask("/status 서울", user=COORD)
    assert status.data["statuses"][0]["state"] == "released"
    assert "2026-12-03 10:00에 조기 해제되어 더 이상 시행되지 않습니다" in status.text and "06:00–21:00" not in status.text
    english = bot.ask("/status 서울", lang="en")
    assert "was released early at 2026-12-03 10:00" in english.text and "no longer in effect" in english.text
    assert [a["detail"]["issuances"] for a in checklists.audit_log(bot.store, "release_issuance")] == [[issued]]

    # releasing again, or a 시·도 with nothing on, is refused and changes nothing
    before = (bot.store.statuses(), [dict(s) for s in checklists.stages_of(bot.store, run_of(bot, "서울", "sido-env")["id"])],
              len(checklists.audit_log(bot.store)))
    clock.at = datetime(2026, 12, 3, 11, 0, tzinfo=KST)
    for again in ("/issue 서울 해제", "/issue 부산 해제"):
        assert bot.ask(again, user=ADMIN).matched is False
    assert bot.ask("/issue 서울 해제", user=POLICE).matched is False  # not an admin
    assert (bot.store.statuses(), [dict(s) for s in checklists.stages_of(bot.store, run_of(bot, "서울", "sido-env")["id"])],
            len(checklists.audit_log(bot.store))) == before


def test_a_release_without_checklists_still_updates_the_registry(bot, clock):
    clock.at = datetime(2026, 12, 3, 5, 0, tzinfo=KST)  # e.g. recorded by the live status, before 06:00 of D
    texts = {"ko": "발령", "en": "issued"}
    issued = live.issue(bot.store, sido="부산", measure="emergency", effective_date=date(2026, 12, 3), actor="telegram:5",
                        now=datetime(2026, 12, 2, 17, 10, tzinfo=KST), bodies=texts)["issuance"]
    older = live.issue(bot.store, sido="부산", measure="preliminary", effective_date=date(2026, 12, 1), actor="telegram:5",
                       now=datetime(2026, 11, 29, 17, 10, tzinfo=KST), bodies=texts)["issuance"]
    reply = bot.ask("/issue 부산 해제", user=ADMIN)
    assert reply.data == {"action": "released", "runs": 0, "issuances": [issued], "queued": 0}  # no subscribers
    states = {r["id"]: r["state"] for r in bot.store.statuses(sido="부산")}
    assert states == {issued: "released", older: "announced"}  # a measure of an earlier day is left as it was
    assert checklists.audit_log(bot.store, "release") == []  # no checklists were open


def test_jobs_survive_a_restart(kb, tmp_path, clock):
    path = tmp_path / "bot.db"
    first = Assistant(kb, store=Store(path), clock=clock, admins={ADMIN})
    enrol(first)
    inbox(first)
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    first.ask("/issue 서울 비상 2026-12-03", user=ADMIN)
    first.due()
    item_id = first.ask("/checklist", user=POLICE).data["open"][0]
    first.press(f"tick:{item_id}", user=POLICE)
    first.store.db.conn.close()
    clock.at = datetime(2026, 12, 3, 6, 30, tzinfo=KST)  # the bot was down when stage 6 began
    second = Assistant(kb, store=Store(path), clock=clock, admins={ADMIN})
    assert checklists.item(second.store, item_id)["ticked_by"] == POLICE
    second.due()
    police = [(r.data["stage"], r.data["kind"]) for u, r in inbox(second) if u == POLICE]
    # the pushes queued before the restart are still there, each once; stage 6 is pushed now; the stage-5
    # reminder fell due while the bot was down, after its window closed, so it is not sent late
    assert police == [(4, "push"), (5, "push"), (6, "push")]


def test_200_officers_ticking_at_once_lose_no_tick_and_double_none(kb, tmp_path, clock):
    store = Store(tmp_path / "bot.db")
    bot = Assistant(kb, store=store, clock=clock, admins={ADMIN})
    clock.at = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    agencies = [a for a in kb.agencies if 5 in a["stages"]]
    users = [f"slack:U{n:03d}" for n in range(200)]
    for n, user in enumerate(users):
        checklists.register(store, user, agencies[n % len(agencies)]["id"], "서울", "primary", f"담당{n}", clock.at)
        checklists.approve(store, ADMIN, user, clock.at)
    bot.ask("/issue 서울 비상 2026-12-03", user=ADMIN)
    open_by_user = {u: bot.ask("/checklist", user=u).data["open"] for u in users}
    all_items = {i for items in open_by_user.values() for i in items}
    start = threading.Barrier(len(users))
    core = threading.Lock()  # as the Slack channel does: one call at a time into a shared assistant
    results: dict[str, list[str]] = {}

    def officer(user):
        # half through one shared assistant from many threads (Slack's workers), half each on its own
        # SQLite connection to the same file (channels in their own threads, as `python -m bot run` starts them)
        shared = int(user[-3:]) % 2
        mine = bot if shared else Assistant(kb, store=Store(tmp_path / "bot.db"), clock=clock)
        start.wait()
        out = []
        for i in open_by_user[user]:
            if shared:
                with core:
                    out.append(mine.press(f"tick:{i}", user=user).data["result"])
            else:
                out.append(mine.press(f"tick:{i}", user=user).data["result"])
        results[user] = out

    threads = [threading.Thread(target=officer, args=(u,)) for u in users]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    ticked = [r for rs in results.values() for r in rs if r == "ticked"]
    rows = list(store.db.query("select ticked_by from run_items where id in (%s)" % ",".join(map(str, all_items))))
    assert len(ticked) == len(all_items) == len(rows)            # every item ticked exactly once …
    assert all(r["ticked_by"] for r in rows)                      # … none lost
    assert len(checklists.audit_log(store, "tick")) == len(all_items)  # … none doubled
    assert sum(len(rs) for rs in results.values()) == sum(len(v) for v in open_by_user.values())


def test_stage_windows_and_jobs_are_pure(kb):
    police = next(a for a in kb.agencies if a["id"] == "police")
    plan = rules.plan(kb, police, "emergency", date(2026, 12, 3))
    assert [s["stage"] for s in plan] == sorted(n for n in police["stages"] if n >= 4)
    assert all(s["starts_at"] < s["ends_at"] for s in plan)
    jobs = rules.jobs({"stage": 4, "starts_at": datetime(2026, 12, 2, 17, 0, tzinfo=KST),
                       "ends_at": datetime(2026, 12, 2, 17, 15, tzinfo=KST)})
    assert [j["due_at"].strftime("%H:%M:%S") for j in jobs] == ["17:00:00", "17:07:30"]
    with pytest.raises(RuleInputError):
        rules.reissue(kb, police, date(2026, 12, 3), plan)
    assert rules.percent(1, 3) == 33 and rules.percent(0, 0) == 100


def test_report_cli_writes_csv_and_xlsx(cli, kb, tmp_path):
    from openpyxl import load_workbook

    store = Store(tmp_path / "bot.db")
    now = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    checklists.register(store, POLICE, "police", "서울", "primary", "박경위", now)
    checklists.approve(store, ADMIN, POLICE, now)
    checklists.issue(store, kb, sido="서울", measure="emergency", effective=date(2026, 12, 3), now=now, actor=ADMIN)
    run = next(r for r in checklists.open_runs(store, "서울", now) if r["agency"] == "police")
    item_id = checklists.open_items(store, POLICE, now)[0]["id"]
    checklists.tick(store, POLICE, item_id, now)
    store.db.conn.close()
    out = cli("report", "--run", str(run["id"]), "--format", "csv")
    assert out.returncode == 0, out.stderr
    table = list(csv.reader(io.StringIO(out.stdout)))
    assert table[1] == checklist_report.FORM3_COLUMNS and table[2][3] == "경찰청"
    assert checklist_report.FORM8_COLUMNS in table
    path = tmp_path / "run.xlsx"
    assert cli("report", "--run", str(run["id"]), "--format", "xlsx", "--output", str(path)).returncode == 0
    book = load_workbook(path)
    assert book.sheetnames == ["서식3", "서식8"]
    assert [c.value for c in book["서식3"][2]] == checklist_report.FORM3_COLUMNS
    assert [c.value for c in book["서식8"][2]] == checklist_report.FORM8_COLUMNS
    bad = cli("report", "--run", "999", "--format", "csv")
    assert bad.returncode == 2 and "no checklist run 999" in bad.stderr
