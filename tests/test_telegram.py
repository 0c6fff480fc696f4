"""The Telegram channel end to end: the real python-telegram-bot Application polls a fake Bot API
server on 127.0.0.1 (tests/fake_telegram.py), and the tests read what that server received."""
import os
import signal
import subprocess
import sys

import httpx
import pytest

from bot import config
from bot.app import Assistant
from bot.channels import telegram as channel
from conftest import ROOT
from fake_telegram import BOT
from handlers.commands import COMMANDS
from telegram_chat import NOW, buttons, press, run_env, say, settings

# -- starting ---------------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_start_greets_with_an_inline_menu(fake, bot):
    reply = await say(fake, 11, "/start")
    assert reply["chat_id"] == 11 and reply["text"].startswith("안녕하세요!")
    assert buttons(reply) == ["check:start", "cmd:status", "cmd:faq", "cmd:roles", "cmd:lang"]
    rows = reply["reply_markup"]["inline_keyboard"]
    assert all(len(row) <= 2 for row in rows) and len(rows) == 3
    assert [m for m, _ in fake.log[:5]] == ["getMe", "setMyCommands", "setMyCommands", "setMyCommands", "deleteWebhook"]


@pytest.mark.anyio
async def test_the_command_menu_is_registered_in_korean_and_english(fake, bot):
    calls = {c.get("language_code"): c for c in fake.calls("setMyCommands")}
    assert set(calls) == {"ko", "en", None}
    for lang in ("ko", "en", None):
        assert [c["command"] for c in calls[lang]["commands"]] == list(COMMANDS)
    ko, en = ({c["command"]: c["description"] for c in calls[lang]["commands"]} for lang in ("ko", "en"))
    assert ko["lang"] != en["lang"] and en["check"] == "May my car run? A step-by-step check"
    assert calls[None]["commands"] == calls["ko"]["commands"]  # the default menu is in bot.toml's language


@pytest.mark.anyio
async def test_a_question_is_answered_with_its_source(fake, bot):
    reply = await say(fake, 12, "경차도 이부제 해야됨?")
    # no scheme named: the seasonal rule (exempt) and the emergency-day rule (included), each with its source
    assert "■ 고농도계절 공공2부제\n네. 기존 승용차 요일제와 동일하게 경차는" in reply["text"]
    assert "■ 예비·비상저감조치 때\n네. 예비·비상저감조치 때 행정·공공기관 차량 2부제는 경차도 포함합니다." in reply["text"]
    assert "\n출처: 미세먼지 고농도계절 공공2부제 시행지침 (rev.4)" in reply["text"]
    assert "\n출처: 고농도 미세먼지 비상저감조치 시행 지침 (환경부, 2019. 2)" in reply["text"]
    # as under every answer: a pair of thumbs, for the entry that matched best
    assert buttons(reply)[-2:] in ([f"fb:{entry}:up", f"fb:{entry}:down"]
                                   for entry in ("seasonal-light-car", "emergency-public-2bu-lightcar"))
    keep_transcript(fake)


@pytest.mark.anyio
async def test_a_command_naming_the_bot_in_a_group_is_answered_as_a_reply(fake, bot):
    group = {"id": -100200300, "type": "supergroup", "title": "구청 차량관리"}
    update = fake.message(13, f"/status@{BOT['username']} 서울", chat=group)
    reply = (await fake.sent("sendMessage", 1))[0]
    assert reply["chat_id"] == group["id"] and reply["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "서울" in reply["text"]
    fake.message(14, f"@{BOT['username']} 경차도 이부제 해야됨?", chat=group)
    answer = (await fake.sent("sendMessage", 2))[1]
    assert answer["chat_id"] == group["id"] and "경차" in answer["text"] and "출처:" in answer["text"]


@pytest.mark.anyio
async def test_a_photo_sent_to_the_bot_is_told_to_type_and_one_in_a_group_is_left_alone(fake, bot):
    def photo(uid, chat=None):
        update = fake.message(uid, "", chat=chat, queue=False)
        del update["message"]["text"]
        update["message"]["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
        return fake.queue(update)

    photo(15, chat={"id": -100200301, "type": "supergroup", "title": "구청"})  # not for the bot: no answer
    photo(16)
    told = (await fake.sent("sendMessage", 1))[0]
    assert told["chat_id"] == 16 and told["text"].startswith("글로 입력한 질문만 읽을 수 있습니다")
    assert "12가3456" in told["text"]  # and what it can answer
    await say(fake, 17, "안녕")  # the group's photo was read and passed over before this answer
    assert [p["chat_id"] for p in fake.calls("sendMessage")] == [16, 17]


# -- the guided /check ------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_check_ends_early_on_a_weekend_and_out_of_season(fake, bot):
    first = await say(fake, 21, "/check")
    assert buttons(first) == ["check:scheme=seasonal", "check:scheme=emergency"]
    method, step = await press(fake, 21, "check:scheme=seasonal")
    # the question message turns into the next question, with the three next days as buttons
    assert method == "editMessageText" and step["message_id"] == fake.with_button(21, "check:date=2026-12-03")["message_id"]
    assert buttons(step) == ["check:date=2026-12-02", "check:date=2026-12-03", "check:date=2026-12-04"]
    verdict = await say(fake, 21, "2026-12-05")  # a Saturday, typed: no plate needed
    assert "✅" in verdict["text"] and "출처:" in verdict["text"] and not buttons(verdict)
    assert core_state(bot, 21) is None

    await say(fake, 22, "/check")
    await press(fake, 22, "check:scheme=seasonal")
    verdict = await say(fake, 22, "2027년 4월 1일")
    assert "2027-04-01" in verdict["text"] and "✅" in verdict["text"]


@pytest.mark.anyio
async def test_check_asks_again_for_a_wrong_plate_and_a_matching_plate_ends_it(fake, bot):
    await say(fake, 23, "/check")
    await press(fake, 23, "check:scheme=seasonal")
    method, ask_plate = await press(fake, 23, "check:date=2026-12-03")
    assert method == "editMessageText" and "12가3456" in ask_plate["text"] and not buttons(ask_plate)
    again = await say(fake, 23, "12가34")
    assert again["text"].startswith("'12가34'") and core_state(bot, 23)["step"] == "plate"
    verdict = await say(fake, 23, "12가3457")  # odd plate on an odd day: it may run, whatever the rest
    assert "12가3457" in verdict["text"] and "✅" in verdict["text"] and core_state(bot, 23) is None


@pytest.mark.anyio
async def test_check_the_full_path_to_the_exemption_question(fake, bot):
    await say(fake, 24, "/check")
    await press(fake, 24, "check:scheme=seasonal")
    await press(fake, 24, "check:date=2026-12-03")
    owner = await say(fake, 24, "12가3456")  # typed: the next question comes as a new message
    assert buttons(owner)[0] == "check:owner=employee"
    asking = fake.with_button(24, "check:owner=employee")["message_id"]
    questions = []
    for data in ("check:owner=employee", "check:kind=passenger", "check:light=no", "check:fuel=gasoline"):
        method, params = await press(fake, 24, data)
        assert method == "editMessageText" and params["message_id"] == asking  # one message walks the steps
        questions.append(params["text"])
    assert questions == ["차종은 무엇인가요?", "경차인가요?", "연료는 무엇인가요?", "해당하는 적용제외 사유가 있나요?"]
    exemption = fake.messages[(24, asking)]
    assert buttons(exemption)[0] == "check:exemption=none" and "check:exemption=pregnant" in buttons(exemption)
    method, verdict = await press(fake, 24, "check:exemption=pregnant")
    assert method == "editMessageText" and verdict["message_id"] == asking
    assert "12가3456" in verdict["text"] and "출처:" in verdict["text"] and not buttons(verdict)
    assert core_state(bot, 24) is None
    keep_transcript(fake)


@pytest.mark.anyio
async def test_an_old_check_button_is_answered_without_mixing_answers(fake, bot):
    await say(fake, 25, "/check")
    old = fake.last_message(25)
    await say(fake, 25, "/check")
    await press(fake, 25, "check:scheme=emergency")  # on the newer message
    fake.press(25, "check:scheme=seasonal", old)  # the first message's button, pressed late
    (edit,) = await fake.until(lambda f: [p for p in f.calls("editMessageText") if p["message_id"] == old["message_id"]])
    assert edit["text"] == "이전 질문의 버튼입니다. /check 로 다시 시작하세요." and not buttons(edit)
    assert core_state(bot, 25)["answers"] == {"scheme": "emergency"}


def keep_transcript(fake):
    """TELEGRAM_TRANSCRIPT=file pytest tests/test_telegram.py: the exchanges the README quotes, appended to file."""
    if os.environ.get("TELEGRAM_TRANSCRIPT"):
        with open(os.environ["TELEGRAM_TRANSCRIPT"], "a", encoding="utf-8") as fh:
            fh.write(fake.transcript() + "\n")


def core_state(app, uid):
    return app.bot_data["channel"].assistant.conversations.get(f"telegram:{uid}")


# -- buttons ----------------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_a_faq_button_is_answered_and_the_query_acknowledged(fake, bot):
    menu = await say(fake, 31, "/faq")
    data = buttons(menu)[0]
    assert data.startswith("faq:") and all(len(b.encode()) <= 64 for b in buttons(menu))
    before = len(fake.calls("answerCallbackQuery"))
    method, answer = await press(fake, 31, data)
    assert len(fake.calls("answerCallbackQuery")) == before + 1
    assert fake.calls("answerCallbackQuery")[-1]["callback_query_id"]
    assert method == "sendMessage" and "출처:" in answer["text"]  # the menu stays; the answer comes below it


@pytest.mark.anyio
async def test_the_start_menu_opens_the_check_and_switches_language(fake, bot):
    await say(fake, 32, "/start")
    method, scheme = await press(fake, 32, "check:start")
    assert method == "sendMessage" and buttons(scheme)[0] == "check:scheme=seasonal"  # the menu stays usable
    method, switched = await press(fake, 32, "cmd:lang")
    assert switched["text"] == "Language set to English."


def test_every_real_payload_fits_in_callback_data_and_a_long_one_travels_as_a_key(kb):
    from handlers import check

    assistant = Assistant(kb, clock=lambda: NOW)
    payloads = [f"faq:{e['id']}" for e in kb.faq] + [f"roles:{a['id']}" for a in kb.agencies]
    for lang in ("ko", "en"):
        ctx = assistant.context(lang, "u")
        for step in check.STEPS:
            for scheme in ("seasonal", "emergency"):
                payloads += [f"check:{step}={v}" for _, v in check._choices(ctx, step, {"scheme": scheme})]
    table = channel.Payloads()
    assert all(table.encode(p) == p for p in payloads)  # sent as they are
    long = "faq:" + "미세먼지" * 10
    key = table.encode(long)
    assert len(key.encode()) <= 64 and key != long and table.decode(key) == long
    markup = channel.keyboard([("긴 질문 " * 5, long), ("짧은", "cmd:faq")], table)
    assert [len(row) for row in markup.inline_keyboard] == [1, 1]  # a long label gets its own row


def test_a_reply_longer_than_a_telegram_message_is_split_at_line_ends():
    text = "\n".join(f"{i:05d} " + "가" * 90 for i in range(100))
    parts = channel.chunks(text)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts) and "\n".join(parts) == text


# -- language ---------------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_lang_switch_then_english_replies(fake, bot, core):
    switched = await say(fake, 41, "/lang en")
    assert switched["text"] == "Language set to English." and core.store.language("telegram:41") == "en"
    answer = await say(fake, 41, "Are light cars exempt from the seasonal odd-even scheme?")
    assert "light" in answer["text"].lower() and "\n\nSource: " in answer["text"]
    back = await say(fake, 41, "/lang ko")
    assert back["text"] == "언어를 한국어로 설정했습니다." and core.store.language("telegram:41") == "ko"


@pytest.mark.anyio
async def test_an_english_telegram_user_gets_english_until_they_choose(fake, bot, core):
    hello = await say(fake, 42, "/start", language_code="en-US")
    assert hello["text"].startswith("Hello!")
    assert "한국어" in [b["text"] for row in hello["reply_markup"]["inline_keyboard"] for b in row]
    await say(fake, 42, "/lang ko", language_code="en-US")
    korean = await say(fake, 42, "/start", language_code="en-US")  # the stored choice wins
    assert korean["text"].startswith("안녕하세요!")
    english = await say(fake, 44, "경차도 이부제 해야됨?", language_code="en")
    assert "\n\nSource: " in english["text"] and "light car" in english["text"]
    other = await say(fake, 43, "/help", language_code="de")  # a language the bot does not speak: Korean
    assert other["text"].startswith("이런 질문에 답할 수 있습니다")


# -- delivery ---------------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_a_redelivered_update_is_answered_once(fake, bot, core):
    update = fake.message(51, "경차도 이부제 해야됨?", queue=False)
    fake.queue(update, update)  # Telegram hands the same update out again
    await fake.sent("sendMessage", 1)
    await say(fake, 51, "/help")  # updates are processed in order: once this is answered, so is the copy
    assert [c["chat_id"] for c in fake.calls("sendMessage")] == [51, 51]
    assert core.store.first_delivery("telegram", update["update_id"]) is False


@pytest.mark.anyio
async def test_a_flood_is_told_to_wait_once_and_others_are_unaffected(fake, bot):
    for i in range(12):
        fake.message(61, f"경차도 이부제 해야됨? {i}")
    answer = await say(fake, 62, "경차도 이부제 해야됨?")
    assert "출처:" in answer["text"]
    flood = [c["text"] for c in fake.calls("sendMessage") if c["chat_id"] == 61]
    assert len(flood) == 6 and all("출처:" in t for t in flood[:5])  # the burst of 5, then one notice
    assert flood[5] == "메시지를 너무 빨리 보내고 있습니다. 4초 후에 다시 보내 주세요."
    fake.message(61, "/help")  # still limited, and told already: no second notice
    await say(fake, 62, "/help")  # processed in order: once this is answered, so is the one before
    assert len([c for c in fake.calls("sendMessage") if c["chat_id"] == 61]) == 6


# -- webhook ----------------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.anyio
async def test_webhook_refuses_a_wrong_secret_and_answers_the_right_one(fake, core, tmp_path):
    toml = (ROOT / "bot.toml").read_text(encoding="utf-8").replace('mode = "polling"', 'mode = "webhook"').replace(
        'webhook_url = ""', 'webhook_url = "https://dust-bot.example.invalid/telegram/hook"')
    (tmp_path / "bot.toml").write_text(toml, encoding="utf-8")
    cfg = config.load(tmp_path / "bot.toml", env={"TELEGRAM_BASE_URL": fake.base_url, "TELEGRAM_BOT_TOKEN": fake.token,
                                                  "TELEGRAM_WEBHOOK_SECRET": "s3cret-Token_1"})
    options = {**channel.webhook_options(cfg), "port": free_port()}
    assert options["url_path"] == "telegram/hook" and options["listen"] == "127.0.0.1"
    app = channel.build_application(core, cfg)
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(**options)
    try:
        (hook,) = fake.calls("setWebhook")
        assert hook["url"] == "https://dust-bot.example.invalid/telegram/hook" and hook["secret_token"] == "s3cret-Token_1"
        url = f"http://127.0.0.1:{options['port']}/telegram/hook"
        forged = fake.message(71, "/lang en", queue=False)
        genuine = fake.message(71, "경차도 이부제 해야됨?", queue=False)
        async with httpx.AsyncClient() as client:
            for secret in ("wrong", None):
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
                r = await client.post(url, json=forged, headers=headers)
                assert r.status_code == 403
            r = await client.post(url, json=genuine, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
            assert r.status_code == 200
            (answer,) = await fake.sent("sendMessage", 1)
            assert answer["chat_id"] == 71 and "출처:" in answer["text"]  # Korean: the forged /lang en never ran
            # Telegram retries a webhook it thinks failed: the same update is answered once
            r = await client.post(url, json=genuine, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
            assert r.status_code == 200
            await say_via(client, url, fake, 72, "/help")
        assert len([c for c in fake.calls("sendMessage") if c["chat_id"] == 71]) == 1
        assert core.store.language("telegram:71") is None
        processed = {r["update_id"] for r in core.store.db["processed_updates"].rows}
        assert str(genuine["update_id"]) in processed and str(forged["update_id"]) not in processed
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def say_via(client, url, fake, uid, text):
    before = len(fake.calls("sendMessage"))
    update = fake.message(uid, text, queue=False)
    r = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
    assert r.status_code == 200
    return (await fake.sent("sendMessage", before + 1))[-1]


def test_webhook_mode_needs_an_https_address_and_a_secret(fake):
    cfg = settings(fake)
    cfg.settings["telegram"] = {**cfg.settings["telegram"], "mode": "webhook", "webhook_url": "https://x.example/hook"}
    with pytest.raises(channel.SetupError, match="TELEGRAM_WEBHOOK_SECRET"):
        channel.webhook_options(cfg)
    cfg.settings["telegram"]["webhook_url"] = ""
    with pytest.raises(channel.SetupError, match="webhook_url"):
        channel.webhook_options(cfg)


# -- python -m bot run ------------------------------------------------------------------------------

def test_run_starts_telegram_when_the_token_is_set_and_stops_on_sigterm(fake, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=run_env(fake, tmp_path, TELEGRAM_BOT_TOKEN=fake.token))
    try:
        fake.wait(lambda f: f.calls("deleteWebhook"), timeout=30)
        fake.message(81, "/start")
        (hello,) = fake.wait_calls("sendMessage", 1)
        assert hello["chat_id"] == 81 and hello["text"].startswith("안녕하세요!")
        assert len(fake.calls("setMyCommands")) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Telegram" in err


@pytest.mark.parametrize("env, message", [
    ({"TELEGRAM_BOT_TOKEN": "42:refused"}, "error: Telegram refused TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "42:any", "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"},
     "error: Telegram: cannot reach the Bot API"),
])
def test_run_with_a_bad_token_or_no_bot_api_says_so_in_one_line(fake, tmp_path, env, message):
    r = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, input="", capture_output=True, text=True,
                       timeout=60, env=run_env(fake, tmp_path, **env))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and r.stderr.strip().splitlines()[-1].startswith(message)
    assert [line for line in r.stderr.splitlines() if line.startswith("error:")] == [r.stderr.strip().splitlines()[-1]]
