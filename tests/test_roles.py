"""Agency roles from the 기관별 조치사항 tables."""
import pytest

from bot.rules.roles import find_agency, find_agency_in_text, items


@pytest.mark.parametrize("name, agency_id", [
    ("경찰청", "police"), ("경찰", "police"), ("해양경찰청", "coast-guard"), ("도로공사", "korea-expressway"),
    ("코레일", "korail"), ("시도 환경부서", "sido-env"), ("보건환경연구원", "health-env-institute"),
    ("korail", "korail"), ("고용노동부", "moel"),
])
def test_loose_agency_names(kb, name, agency_id):
    assert find_agency(kb, name)["id"] == agency_id


def test_unknown_agency(kb):
    assert find_agency(kb, "국방부 장관실") is None


@pytest.mark.parametrize("name, agency_id", [
    ("도로공ㅅ", "korea-expressway"), ("korea expresway corporation", "korea-expressway"), ("고용노동뷰", "moel"),
    ("Korea Environment Corporation", None),  # 한국환경공단 has no role table; it only shares letters with 도로공사's
    ("한국환경공단", None),
])
def test_a_typo_is_forgiven_but_a_lookalike_name_is_not(kb, name, agency_id):
    found = find_agency(kb, name)
    assert (found and found["id"]) == agency_id


def test_every_stage_has_items_and_citations(kb):
    assert len(kb.agencies) >= 21
    for n in range(1, 9):
        assert any(n in a["stages"] for a in kb.agencies), n
    police = find_agency(kb, "경찰청")
    stage5 = items(kb, police, 5)
    assert stage5 and any("단속" in i["ko"] for i in stage5[0]["items"])
    assert stage5[0]["source"]["section"].startswith("제3장 제5절")


def test_agency_in_a_sentence_prefers_the_longest_name(kb):
    assert find_agency_in_text(kb, "해양경찰청 5단계 할 일")["id"] == "coast-guard"


def test_a_latin_name_counts_only_as_whole_words(kb):
    """KEC (한국도로공사) is the first three letters of KECO (한국환경공단, which has no role table)."""
    assert find_agency_in_text(kb, "KECO 비상저감 역할") is None and find_agency(kb, "keco") is None
    assert find_agency_in_text(kb, "KEC 5단계 할 일")["id"] == "korea-expressway"
    assert find_agency_in_text(kb, "what does Korea Expressway Corporation do")["id"] == "korea-expressway"


@pytest.mark.parametrize("question, agency", [
    ("what does the police do on emergency days", "police"),  # 'police' is also the agency's id
    ("what does the road corporation do in stage 5", "korea-expressway"),
])
def test_english_names_in_a_sentence(kb, question, agency):
    assert find_agency_in_text(kb, question)["id"] == agency


@pytest.mark.parametrize("question, agency", [("도로공사 4단계", "korea-expressway"), ("경찰청 5단계?", "police")])
def test_an_agency_and_a_stage_alone_ask_for_its_tasks(assistant, question, agency):
    reply = assistant.ask(question)
    assert reply.intent == "roles" and reply.data["agency"] == agency
    assert reply.data["stages"] == [int(question.split("단계")[0][-1])]


@pytest.mark.parametrize("question", ["경차비저날관공서주차가능?", "비저때공공기관주차장폐쇄?"])
def test_an_agency_and_a_measure_asked_about_a_car_or_the_car_park_are_not_its_tasks(assistant, question):
    """Typed glued, these are one 'word' naming an agency and a measure: they got the agencies' stage 4–8 items."""
    assert assistant.ask(question).intent == "faq"


@pytest.mark.parametrize("question", ["what does korail do in step 6", "korail tasks in phase 6", "코레일 6단계 할일"])
def test_a_stage_named_in_english_words_narrows_the_tasks(assistant, question):
    assert assistant.ask(question).data["stages"] == [6]


def test_a_longer_question_naming_a_stage_still_goes_to_the_faq(assistant):
    assert assistant.ask("4단계는 몇시에 시작해?").intent == "faq"


@pytest.mark.parametrize("question, stages", [
    ("코레일 예비저감 때", [1, 2, 3]),  # the preliminary measure's stages, with no task word
    ("경찰청 비상저감 할 일", [4, 5, 6, 7, 8]),  # the emergency measure's: 4–8
    ("경찰청 비상저감 당일", [6]),  # the day itself is the measure's 시행기
    ("도로공사 예비저감 당일 뭐해", [3]),
    ("what does the police do on emergency days", [6]),
    ("what does korail do on the day", [6]),
    ("duties of the district office on D-day", [6]),  # 'duties' asks for tasks too: it got 환경공단's FAQ entry
    ("what should the police do on d day", [6]),
    # the day before D and the hour, as stages.yaml writes the windows: the stage that starts then (it gave all 8)
    ("D-1 17시에 우리 구청은 뭐해야돼", [4]), ("경찰청 d-1 17:15 할일", [5]), ("D-1 17시 15분 구청 할일", [5]),
    ("코레일 D-1일 할일", [3, 4, 5]),  # no hour: the stages starting that day
    ("경찰청은 비상저감조치 단계별로 무엇을 지원해야 합니까?", [4, 5, 6, 7, 8]),  # the formal 'what must … do' (a fallback)
    # two stages named are both asked; 'the 6th stage'; 'what do <a long name> do' (probe p64: a fallback, stage 1 first)
    ("2단계 예비저감조치 발령기랑 5단계 비상저감조치 발령기에서 행정안전부가 하는 일이 다른가요?", [2, 5]),
    ("What does Korea Expressway Corporation do during the 6th stage, the implementation day?", [6]),
    ("what do Ministry of Education / Health & Welfare do at stage 5 on D-1 evening?", [5]),
])
def test_stages_named_by_the_measure_or_the_day(assistant, question, stages):
    reply = assistant.ask(question)
    assert reply.intent == "roles" and reply.data["stages"] == stages


def test_an_agency_with_no_items_in_the_stages_asked_says_so(assistant):
    """환경기동단속반 starts at stage 4: during a preliminary measure it has nothing to do."""
    reply = assistant.ask("환경기동단속반 예비저감 때 할 일")
    assert reply.data == {"agency": "me-env-investigation", "stages": []} and "1~3단계" in reply.text


@pytest.mark.parametrize("question", ["코레일 10단계", "도로공사 15단계 할 일", "/roles 코레일 9단계", "what does korail do in stage 0"])
def test_a_stage_that_does_not_exist_is_refused_not_read_as_another(assistant, question):
    """'15단계' once read as stage 5, and '/roles 코레일 10단계' gave every stage."""
    reply = assistant.ask(question)
    assert reply.intent == "roles" and not reply.matched and "•" not in reply.text
    assert ("from 1 to 8" if reply.lang == "en" else "1~8단계") in reply.text


def test_what_does_it_do_typed_casually_asks_for_the_tasks(assistant):
    reply = assistant.ask("경찰 비저 당일 뭐함")  # 뭐함 for 뭐 해: got stage 7's overview
    assert reply.intent == "roles" and reply.data == {"agency": "police", "stages": [6]}


def test_the_roles_command_reads_a_stage_like_a_question_does(assistant):
    reply = assistant.ask("/roles 코레일 4단계")
    assert reply.data == {"agency": "korail", "stages": [4]}
    assert assistant.ask("/roles 코레일 예비저감").data["stages"] == [1, 2, 3]


@pytest.mark.parametrize("question, name, rows", [
    ("국토교통부 5단계 할일", "국토교통부", ["korea-expressway", "korail"]),  # 국토교통부(한국도로공사), 국토교통부(코레일)
    ("환경부 4단계", "환경부", ["me-env-investigation"]),                      # 환경부 환경조사담당관
    ("what does 국토교통부 do on emergency days", "국토교통부", ["korea-expressway", "korail"]),
    ("국토부 할일", "국토교통부", ["korea-expressway", "korail"])])  # as it is shortened: got the reports entry
def test_a_ministry_the_tables_name_only_in_its_bodies_rows_is_shown_those_rows(assistant, question, name, rows):
    """"환경부 4단계" got the Beijing case and "국토교통부 5단계 할일" stage 5's overview: the tables have no row of
    their own for either. Each row is a button that gives its tasks."""
    reply = assistant.ask(question)
    assert reply.intent == "roles" and reply.data["choices"] == rows and name in reply.text
    assert [payload for _, payload in reply.buttons] == [f"roles:{r}" for r in rows]
    assert assistant.press(reply.buttons[0][1]).data["agency"] == rows[0]


@pytest.mark.parametrize("question", ["환경부에 결과보고 해야 하는 것", "교육청은 뭐 해?"])
def test_a_ministry_reported_to_or_a_body_the_tables_do_not_list_is_no_roles_question(assistant, question):
    """'환경부에 …' names the one reported to; 교육청 is in no row (교육부 is)."""
    assert assistant.ask(question).intent != "roles"


def test_a_ministry_by_command_is_shown_its_rows_and_is_no_typo_of_another_agency(assistant, kb, cli):
    """'/roles 환경부' once gave 시·도 환경부서 (one letter from 환경부서); the CLI names the rows and exits 2."""
    assert find_agency(kb, "환경부") is None and find_agency(kb, "경찰층")["id"] == "police"
    assert assistant.ask("/roles 국토교통부").data["choices"] == ["korea-expressway", "korail"]
    r = cli("roles", "--agency", "환경부")
    assert r.returncode == 2 and "환경부 환경조사담당관" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("question", ["시군구 1단계 할일", "우리 구청 비저 발령되면 뭐부터 해야돼",
                                      "what should a district office do at stage 4"])
def test_a_district_office_is_shown_the_rows_common_to_administrative_agencies(assistant, question):
    """The tables give 시·군·구 no row of their own; as 행정기관 (제1장 제5절 가.) the common rows are theirs. These got a
    fallback, who issues the measure, and the environment corporation's part."""
    reply = assistant.ask(question)
    assert reply.intent == "roles" and reply.data["agency"] == "public-agencies"


@pytest.mark.parametrize("question", [
    "my wife is pregnant, she works at a 구청 in Busan. can she be exempted, what does she need to show",
    "what should I bring to the 구청 for an exemption sticker?",
])
def test_what_someone_needs_is_not_what_an_agency_does(assistant, question):
    """'what does she need to show' named a 구청 and got the administrative agencies' tasks (probe p51): in English a
    question asks for tasks when its 'what do/does/should/must' is followed by 'do', 'prepare' or 'handle' itself."""
    assert assistant.ask(question, "en").intent != "roles"


@pytest.mark.parametrize("question, agency", [
    ("what is korail supposed to do when 비상저감조치 is on?", "korail"),
    ("i run a warehouse at a fishing port, does 해경 do anything special when emergency reduction is issued?",
     "coast-guard"),
])
def test_supposed_to_do_and_do_anything_ask_for_the_tasks(assistant, question, agency):
    """Both got a fallback (probe p59)."""
    reply = assistant.ask(question, "en")
    assert reply.intent == "roles" and reply.data["agency"] == agency
