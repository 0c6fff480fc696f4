"""The admin keeps the knowledge current: edit in the messenger or as files, check, publish, roll back.

Telegram and Slack are driven for real (tests/fake_telegram.py, tests/fake_slack.py on 127.0.0.1).
"""
from __future__ import annotations

import csv
import threading
from datetime import datetime

import pytest

from bot import knowledge_versions as versions
from bot.app import Assistant
from bot.checklists import audit_log
from bot.store import Store
from conftest import KST

CLOCK = lambda: datetime(2026, 12, 2, 9, 0, tzinfo=KST)  # noqa: E731
QUESTION = "전기자전거도 2부제 대상인가요?"
ANSWER_KO = "자전거는 자동차가 아니므로 2부제 대상이 아닙니다."
NEW_ENTRY_STEPS = [QUESTION + "\n전기 자전거 2부제 해당돼?", "Are e-bikes under the odd-even scheme?", ANSWER_KO,
                   "Bicycles are not cars, so the odd-even scheme does not apply."]


@pytest.fixture
def bot(kb, tmp_path):
    return Assistant(kb, store=Store(tmp_path / "bot.db"), clock=CLOCK, admins={"telegram:1", "slack:UADMIN"})


def add_entry(bot, admin="telegram:1"):
    """The whole guided /faq add in the core; returns the replies."""
    replies = [bot.ask("/faq add", user=admin)]
    replies += [bot.ask(text, user=admin) for text in NEW_ENTRY_STEPS]
    replies.append(bot.press("kb:topic=vehicle", user=admin))
    replies.append(bot.press("kb:doc=seasonal-rev4", user=admin))
    replies.append(bot.ask("4. 주요 예상 질의·답변 < 적용 대상 >", user=admin))
    return replies


# -- in the core ---------------------------------------------------------------------------------
def test_the_guided_add_previews_then_publishes_for_everyone_at_once(bot, kb):
    before = bot.ask(QUESTION, user="telegram:2")
    assert before.data.get("faq_id") != "admin-vehicle-1"
    *_, preview = add_entry(bot)
    assert preview.data["step"] == "faq_preview" and preview.data["changes"] == ["faq: added 'admin-vehicle-1'"]
    assert {s["answered_by"] for s in preview.data["samples"]} == {"admin-vehicle-1"}
    assert bot.ask(QUESTION, user="telegram:2").data.get("faq_id") == before.data.get("faq_id")  # a draft only
    published = bot.press("kb:publish", user="telegram:1")
    assert published.data["version"] == 2 and "2" in published.text
    after = bot.ask(QUESTION, user="telegram:2")
    assert after.data["faq_id"] == "admin-vehicle-1" and after.body == ANSWER_KO
    # another assistant on the same store (the other channel, or a restart) answers with it too
    other = Assistant(kb, store=bot.store, clock=CLOCK)
    assert other.ask(QUESTION, user="slack:U9").body == ANSWER_KO
    assert [r["author"] for r in versions.history(bot.store)] == ["files", "telegram:1"]


def test_a_non_admin_is_refused_with_an_audit_entry_and_nothing_changes(bot):
    for text in ("/faq add", "/faq delete seasonal-light-car", "/kb", "/kb rollback 1", "/faq search 경차"):
        reply = bot.ask(text, user="telegram:2")
        assert reply.intent == "refused" and "관리자" in reply.text, text
    assert bot.press("kb:publish", user="telegram:2").intent == "refused"
    assert bot.conversations.get("telegram:2") is None and versions.history(bot.store) == []
    refused = [a for a in audit_log(bot.store) if a["action"].startswith("kb ")]
    assert len(refused) == 6 and all(a["actor"] == "telegram:2" and a["detail"]["allowed"] is False for a in refused)
    # /faq with a plain question still answers everyone
    assert bot.ask("/faq 경차도 2부제 해야 하나요?", user="telegram:2").intent == "faq"


def test_a_draft_that_steals_another_entrys_question_is_refused(bot):
    bot.ask("/faq add", user="telegram:1")
    for text in ["경차는 고농도계절 공공2부제 제외대상인가요?", "Are light cars exempt?", "아니요.", "No."]:
        bot.ask(text, user="telegram:1")
    bot.press("kb:topic=exemption", user="telegram:1")
    bot.press("kb:doc=seasonal-rev4", user="telegram:1")
    refused = bot.ask("테스트", user="telegram:1")
    assert refused.matched is False and "seasonal-light-car" in refused.text
    assert "Nothing was changed" in refused.text or "바뀐 것은 없습니다" in refused.text
    assert versions.history(bot.store) == []
    assert bot.ask("경차는 고농도계절 공공2부제 제외대상인가요?", user="u").data["faq_id"] == "seasonal-light-car"


def test_edit_then_rollback_restores_the_exact_previous_answers(bot, kb):
    questions = ["경차도 이부제 해야됨?", "Do light cars follow the odd-even rule?", "2부제 언제부터 시행돼?",
                 "비상저감조치 발령 기준이 뭐야", "오늘 점심 뭐 먹지"]
    before = [bot.ask(q, user="u").to_json() for q in questions]
    bot.ask("/faq edit seasonal-light-car", user="telegram:1")
    bot.press("kb:field=faq_a_ko", user="telegram:1")
    preview = bot.ask("고친 답변입니다.", user="telegram:1")
    assert preview.data["changes"] == ["faq: changed 'seasonal-light-car' (answer)"]
    assert bot.press("kb:publish", user="telegram:1").data["version"] == 2
    assert "고농도계절 공공2부제\n고친 답변입니다." in bot.ask(questions[0], user="u").body
    rolled = bot.ask("/kb rollback 1", user="telegram:1")
    assert rolled.data["version"] == 3
    assert [bot.ask(q, user="u").to_json() for q in questions] == before
    assert versions.version(bot.store, 3)["files"] == versions.version(bot.store, 1)["files"]
    assert "고친 답변입니다." in versions.diff(bot.store, 1, 2)


def test_delete_and_search(bot):
    found = bot.ask("/faq search 경차", user="telegram:1")
    assert "seasonal-light-car" in found.data["found"]
    preview = bot.ask("/faq delete seasonal-light-car", user="telegram:1")
    # its pair with the emergency-day light-car rule goes with it (knowledge/scheme_twins.yaml)
    assert preview.data["changes"] == ["faq: deleted 'seasonal-light-car'", "scheme_twins.yaml: changed"]
    assert bot.press("kb:cancel", user="telegram:1").data["step"] is None
    assert bot.press("kb:publish", user="telegram:1").matched is False  # the draft is gone
    assert versions.history(bot.store) == []
    assert bot.ask("/faq edit no-such-entry", user="telegram:1").matched is False


def test_an_entry_is_added_from_a_miss_in_two_taps(bot):
    bot.ask("킥보드도 2부제 하나요?", user="u")
    bot.ask("킥보드도 2부제 하나요?", user="v")
    listed = bot.ask("/kb misses", user="telegram:1")
    assert listed.data["misses"][0] == {"text": "킥보드도 2부제 하나요?", "n": 2}
    started = bot.press(listed.buttons[0][1], user="telegram:1")
    assert started.data["step"] == "faq_q_en"  # the Korean question is already filled in


def test_publish_while_questions_are_asked_never_mixes_versions(bot):
    """Each published version N answers the one question with 'vN' in the answer and in the section."""
    files = versions.current_files(bot.store, bot.base_dir)
    entry = {"id": "hammer-entry", "topic": "vehicle",
             "questions": {"ko": ["망치 시험 질문입니다"], "en": ["hammer test question"]},
             "answer": {"ko": "답 v0", "en": "answer v0"}, "source": {"doc": "seasonal-rev4", "section": "v0"}}
    versions.publish(bot.store, bot.base_dir, versions.with_entry(files, entry), "test", "v0")
    bot.refresh()
    seen, errors, stop = [], [], threading.Event()

    def ask():
        while not stop.is_set():
            reply = bot.ask("망치 시험 질문입니다")
            try:
                marker = reply.body.split()[-1]
                assert reply.sources[0]["section"] == marker, (reply.body, reply.sources)
                seen.append(int(marker[1:]))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for n in range(1, 5):
        files = versions.current_files(bot.store, bot.base_dir)
        new = {**entry, "answer": {"ko": f"답 v{n}", "en": f"answer v{n}"}, "source": {**entry["source"], "section": f"v{n}"}}
        number, checked = versions.publish(bot.store, bot.base_dir, versions.with_entry(files, new), "test", f"v{n}")
        from handlers.admin import _swap

        _swap(bot, checked, number)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len(seen) > 20 and set(seen) <= set(range(5))
    assert bot.ask("망치 시험 질문입니다").body == "답 v4"


# -- files ---------------------------------------------------------------------------------------
def test_export_import_round_trip_and_an_invalid_import_changes_nothing(cli, tmp_path):
    out = tmp_path / "kb"
    assert cli("kb", "export", str(out)).returncode == 0
    assert (out / "faq.csv").is_file() and (out / "stages.yaml").is_file()
    assert cli("kb", "validate", str(out)).returncode == 0
    rows = list(csv.DictReader((out / "faq.csv").open(encoding="utf-8-sig")))
    light = next(i for i, r in enumerate(rows) if r["id"] == "seasonal-light-car")
    broken = [dict(r) for r in rows]
    broken[light]["answer_en"] = ""
    write_csv(out / "faq.csv", broken)
    r = cli("kb", "import", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "faq.csv: line " in r.stderr and "seasonal-light-car" in r.stderr and "answer.en" in r.stderr
    assert "nothing published yet" in cli("kb", "history").stdout
    fixed = [dict(r) for r in rows]
    fixed[light]["answer_ko"] = "CSV에서 고친 답변입니다."
    write_csv(out / "faq.csv", fixed)
    r = cli("kb", "import", str(out), "--author", "kim")
    assert r.returncode == 0 and "changed 'seasonal-light-car' (answer)" in r.stdout, r.stderr
    history = cli("kb", "history").stdout
    assert "v2" in history and "kim" in history
    assert "CSV에서 고친 답변입니다." in cli("kb", "diff", "1", "2").stdout
    r = cli("kb", "rollback", "1")
    assert r.returncode == 0 and "version 3" in r.stdout
    assert cli("kb", "rollback", "9").returncode == 2


def write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.DictWriter(fh, versions.CSV_COLUMNS)
        out.writeheader()
        out.writerows(rows)


# -- Telegram and Slack, for real ----------------------------------------------------------------
@pytest.mark.anyio
async def test_an_admin_adds_an_entry_in_telegram_and_another_user_gets_it(kb, tmp_path):
    from fake_telegram import FakeTelegram
    from telegram_chat import polling, press, say

    fake = FakeTelegram().start()
    core = Assistant(kb, store=Store(tmp_path / "bot.db"), clock=CLOCK, admins={"telegram:1"})
    try:
        async with polling(core, fake):
            refused = await say(fake, 2, "/faq add")
            assert "관리자만" in refused["text"]
            await say(fake, 1, "/faq add")
            for text in NEW_ENTRY_STEPS:
                await say(fake, 1, text)
            await press(fake, 1, "kb:topic=vehicle")
            await press(fake, 1, "kb:doc=seasonal-rev4")
            preview = await say(fake, 1, "4. 주요 예상 질의·답변 < 적용 대상 >")
            assert "미리보기" in preview["text"] and "admin-vehicle-1" in preview["text"]
            _, published = await press(fake, 1, "kb:publish")
            assert "버전 2" in published["text"]
            answer = await say(fake, 2, QUESTION)
            assert answer["text"].startswith(ANSWER_KO) and "출처:" in answer["text"]
    finally:
        fake.stop()


def test_an_admin_adds_an_entry_in_slack_and_another_user_gets_it(kb, tmp_path):
    from bot.channels.slack import build_app, http_server
    from bot.config import Config
    from bot.rate_limit import RateLimiter
    from fake_slack import SECRET, FakeSlack, Sender

    fake = FakeSlack().start()
    core = Assistant(kb, store=Store(tmp_path / "bot.db"), clock=CLOCK, admins={"slack:UADMIN"},
                     limiter=RateLimiter(per_minute=60, burst=100, clock=lambda: 0.0))
    cfg = Config({"slack": {"api_url": fake.url, "post_interval": 0}},
                 {"SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": SECRET})
    server = http_server(build_app(core, cfg), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    send = Sender(f"http://127.0.0.1:{server.server_port}/slack/events", "test-signing-secret-8f742231b10e", hooks=fake)
    try:
        send.command("faq add", user="U2", channel="D2")
        assert "관리자만" in fake.wait("chat.postMessage", 1, channel="D2")[0].text
        send.command("faq add", user="UADMIN", channel="DA")
        for i, text in enumerate(NEW_ENTRY_STEPS):
            send.dm(text, user="UADMIN", channel="DA")
            fake.wait("chat.postMessage", 2 + i, channel="DA")
        for n, value in enumerate(["kb:topic=vehicle", "kb:doc=seasonal-rev4"]):
            question = next(c for c in reversed(fake.of(channel="DA")) if any(b["value"] == value for b in c.buttons))
            button = next(b for b in question.buttons if b["value"] == value)
            ts = question.params.get("ts") or question.result.get("ts")
            assert send.press(button, user="UADMIN", channel="DA", message_ts=ts)[0] == 200
            fake.wait("chat.postMessage", 6 + n, channel="DA")  # a button's answer is a new message
        send.dm("4. 주요 예상 질의·답변 < 적용 대상 >", user="UADMIN", channel="DA")
        preview = fake.wait("chat.postMessage", 8, channel="DA")[-1]
        assert "미리보기" in preview.text
        button = next(b for b in preview.buttons if b["value"] == "kb:publish")
        send.press(button, user="UADMIN", channel="DA", message_ts=preview.result["ts"])
        assert "버전 2" in fake.wait("chat.postMessage", 9, channel="DA")[-1].text
        send.dm(QUESTION, user="U2", channel="D2")
        assert ANSWER_KO in fake.wait("chat.postMessage", 2, channel="D2")[-1].text
    finally:
        server.shutdown()
        server.server_close()
        fake.stop()


def test_deleting_an_entry_drops_its_scheme_pairs_and_keeps_the_files_comments(kb):
    files = versions.read_dir(kb.directory)
    out = versions.without_entry(files, "seasonal-exempt-disabled-veterans")
    before, after = files["scheme_twins.yaml"], out["scheme_twins.yaml"]
    gone = [line for line in before.splitlines() if line not in after.splitlines()]
    assert len(gone) == 3 and all("seasonal-exempt-disabled-veterans" in line for line in gone)
    assert after.startswith("# The same question under the two odd-even schemes.")
    assert "seasonal-exempt-disabled-veterans" not in after
    assert versions.without_entry(files, "emergency-what-is")["scheme_twins.yaml"] == before  # not paired
