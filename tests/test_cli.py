"""Every command of `python -m bot` end to end, as a user runs it."""
import json

import pytest


def test_ask_json_has_the_contract_fields(cli):
    r = cli("ask", "--json", "경차도 고농도계절 공공2부제 제외대상인가요?")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["matched"] is True and out["intent"] == "faq"
    assert out["text"].startswith(out["text"][:10]) and "경차" in out["text"]
    assert out["sources"] and out["sources"][0]["doc"] == "seasonal-rev4"


def test_ask_in_english(cli):
    out = json.loads(cli("ask", "--lang", "en", "--json", "Are light cars exempt from the seasonal public odd-even scheme?").stdout)
    assert out["matched"] and out["lang"] == "en" and "light" in out["text"].lower()


def test_ask_falls_back_without_guessing(cli):
    out = json.loads(cli("ask", "--json", "오늘 점심 메뉴 추천해줘").stdout)
    assert out["matched"] is False and out["intent"] == "fallback"
    assert "12가3456" in out["text"]  # it says what it can answer instead


def test_ask_batch_one_json_per_line(cli):
    r = cli("ask", "--batch", input="경차 2부제 제외임?\n\n12가3456 내일 운행 가능?\n오늘 점심 뭐먹지\n")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 3
    assert [line["intent"] for line in lines][1] == "vehicle"
    assert lines[2]["matched"] is False


@pytest.mark.parametrize("folds", ["1", "99999"])
def test_eval_held_out_needs_two_to_twenty_folds(cli, folds):
    r = cli("eval", "--folds", folds)  # 99999 ran for minutes over empty folds
    assert r.returncode == 2 and "--folds must be from 2 to 20" in r.stderr and not r.stdout


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`python -m bot ask --batch < questions.txt | head -1`: the pipe closes while answers are still coming."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    proc = subprocess.Popen([sys.executable, "-m", "bot", "ask", "--batch"], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "BOT_DB": str(tmp_path / "b.db")})
    proc.stdin.write("경차 2부제 제외임?\n".encode() * 2000)
    proc.stdin.close()
    assert json.loads(proc.stdout.readline())["intent"] == "faq"
    proc.stdout.close()
    assert proc.wait(timeout=60) == 141
    assert b"Traceback" not in proc.stderr.read()


def test_ask_oversized_message_is_refused(cli):
    out = json.loads(cli("ask", "--json", "가" * 5000).stdout)
    assert out["matched"] is False and out["intent"] == "too_long"


def test_assess(cli, tmp_path):
    f = tmp_path / "in.json"
    f.write_text(json.dumps({
        "decided_at": "2026-12-01T17:00:00+09:00", "measured": {"서울": 55.2, "경기": 52.0},
        "forecast": {"2026-12-02": {"서울": 62, "경기남부": "나쁨", "경기북부": 58}, "2026-12-03": {"서울": "매우나쁨"}},
        "alerts": [{"sido": "서울", "pollutant": "PM2.5", "level": "주의보", "issued_at": "2026-12-01T10:00:00+09:00"}],
        "holidays": ["2026-12-25"]}, ensure_ascii=False), encoding="utf-8")
    r = cli("assess", "--input", str(f), "--json")
    assert r.returncode == 0, r.stderr
    decisions = {d["sido"]: d for d in json.loads(r.stdout)["decisions"]}
    assert set(decisions) == {"서울", "경기"}
    assert decisions["서울"]["measure"] == "emergency" and decisions["서울"]["conditions"] == ["E1", "E2"]
    assert decisions["경기"]["needs_review"] is True
    for key in ("sido", "measure", "conditions", "wide_area", "effective_date", "starts_at", "ends_at",
                "vehicle_restriction", "public_odd_even", "school_advice", "needs_review", "reasons", "citations"):
        assert key in decisions["서울"]
    assert all(isinstance(x, str) for x in decisions["서울"]["reasons"])


@pytest.mark.parametrize("content, message", [("{not json", "not valid JSON"),
                                              ('{"decided_at": "2026-12-01T17:00:00+09:00", "measured": {"뉴욕": 3}}', "unknown 시·도"),
                                              # the day after would overflow the calendar (was a traceback)
                                              ('{"decided_at": "9999-12-30T17:00:00+09:00", "measured": {"서울": 55}}', "outside the years"),
                                              ('{"decided_at": "2026-12-01T17:00:00+09:00", "forecast": {"0001-01-02": {"서울": 80}}}',
                                               "outside the years")])
def test_assess_bad_input_exits_2(cli, tmp_path, content, message):
    f = tmp_path / "in.json"
    f.write_text(content, encoding="utf-8")
    r = cli("assess", "--input", str(f), "--json")
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_vehicle(cli):
    r = cli("vehicle", "--json", "--scheme", "seasonal", "--date", "2026-12-09", "--plate", "12가 3456", "--sido", "서울")
    out = json.loads(r.stdout)
    assert out["subject"] is True and out["exempt"] is False and out["allowed"] is False
    assert out["reason"] and out["citations"]
    r = cli("vehicle", "--json", "--scheme", "emergency", "--date", "2026-12-09", "--plate", "123가4567",
            "--fuel", "electric", "--exemption", "pregnant", "infant")
    assert json.loads(r.stdout)["allowed"] is True


@pytest.mark.parametrize("args, message", [
    (["--plate", "ABC123"], "plate"),
    (["--plate", "12가3456", "--sido", "평양"], "unknown 시·도"),
    (["--plate", "12가3456", "--exemption", "vip"], "unknown exemption code"),
])
def test_vehicle_bad_input_exits_2(cli, args, message):
    r = cli("vehicle", "--json", "--scheme", "seasonal", "--date", "2026-12-09", *args)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_bad_date_exits_2(cli):
    r = cli("vehicle", "--scheme", "seasonal", "--date", "2026-13-40", "--plate", "12가3456")
    assert r.returncode == 2 and "2026-13-40" in r.stderr


@pytest.mark.parametrize("args", [["schedule", "--measure", "emergency", "--date", "9999-12-31"],  # was a traceback
                                  ["vehicle", "--scheme", "seasonal", "--plate", "12가3456", "--date", "0001-01-01"],
                                  ["report", "--run", "99999999999999999999"], ["kb", "rollback", "-1"]])
def test_days_and_numbers_beyond_the_calendar_or_the_store_exit_2(cli, args):
    r = cli(*args)
    assert r.returncode == 2 and args[-1] in r.stderr and "Traceback" not in r.stderr


def test_schedule(cli):
    out = json.loads(cli("schedule", "--measure", "emergency", "--date", "2026-12-03", "--json").stdout)
    assert [s["number"] for s in out["stages"]] == list(range(1, 9))
    assert {d["id"]: d["due"] for d in out["deadlines"]} == {"agencies": "2026-12-17", "sido": "2027-01-01"}
    text = cli("schedule", "--measure", "preliminary", "--date", "2026-12-03").stdout
    assert "예비저감조치" in text and "12-03 06:00" in text


def test_roles(cli):
    out = json.loads(cli("roles", "--agency", "도로공사", "--stage", "6", "--json").stdout)
    assert out["agency"]["id"] == "korea-expressway" and out["stages"][0]["stage"] == 6
    assert any("고속도로" in i["ko"] for i in out["stages"][0]["items"])
    r = cli("roles", "--agency", "우주항공청")
    assert r.returncode == 2 and "known agencies" in r.stderr and "FAQ" not in r.stderr


def test_roles_points_to_the_faq_for_an_agency_without_a_role_table(cli):
    """한국환경공단's part is told in the guideline's text, not in a 기관별 조치사항 table."""
    r = cli("roles", "--agency", "KECO")
    assert r.returncode == 2 and "known agencies" in r.stderr
    assert "python -m bot ask KECO" in r.stderr and "한국환경공단" in r.stderr
    assert "알림문자" in cli("ask", "KECO").stdout  # the command it points to answers


def test_kb_validate_names_file_entry_and_problem(cli, tmp_path):
    import shutil

    from tests.conftest import ROOT

    broken = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", broken)
    faq = next((broken / "faq").glob("*.yaml"))
    faq.write_text(faq.read_text(encoding="utf-8").replace("doc: emergency-2019", "doc: nowhere-2020", 1)
                   .replace("doc: seasonal-rev4", "doc: nowhere-2020", 1), encoding="utf-8")
    r = cli("kb", "validate", str(broken))
    assert r.returncode == 2
    assert faq.name in r.stderr and "entry #" in r.stderr and "unknown document 'nowhere-2020'" in r.stderr
    assert cli("kb", "validate").returncode == 0


def test_chat_and_run_use_the_console_when_no_token_is_set(cli):
    r = cli("chat", input="경차 2부제 해당돼?\n/lang en\nAre light cars exempt from the seasonal scheme?\n/quit\n")
    assert r.returncode == 0 and "경차" in r.stdout and "Language: English" in r.stdout
    r = cli("run", input="12가3456 내일 운행 가능?\n", env={"TELEGRAM_BOT_TOKEN": "", "SLACK_BOT_TOKEN": ""})
    assert r.returncode == 0 and "12가3456" in r.stdout and "console" in r.stderr


def test_a_malformed_plate_in_a_question_gets_the_plate_error_in_the_users_language(cli):
    ko = json.loads(cli("ask", "--json", "내차 12가 34567 내일 됨?").stdout)
    en = json.loads(cli("ask", "--json", "--lang", "en", "is 12가 34567 ok tomorrow").stdout)
    assert ko["intent"] == en["intent"] == "vehicle" and ko["matched"] is False
    assert "차량번호가 아닙니다" in ko["text"] and "is not a plate number" in en["text"]
