"""The knowledge base loads, covers what the issue asks, and a broken file is refused by name."""
import re
import shutil

import pytest
import yaml

from bot.knowledge import KnowledgeError, load


def test_the_shipped_knowledge_is_complete(kb):
    assert len(kb.faq) >= 120
    assert [s["number"] for s in kb.stages] == list(range(1, 9))
    assert len(kb.regions["sido"]) == 17 and len(kb.regions["forecast_regions"]["names"]) == 19
    several = {s["id"] for s in kb.regions["sido"] if len(s["forecast_regions"]) > 1}
    assert {"경기", "강원"} <= several
    assert {"disabled", "national_merit", "pregnant", "infant", "emergency_vehicle", "police", "fire", "military",
            "security", "diplomatic", "foreign_forces", "press", "school_bus", "commuter_bus", "no_transit",
            "long_commute", "head_approved"} <= set(kb.exemptions)
    assert {"경찰청", "한국도로공사", "코레일"} <= {a for ag in kb.agencies for a in ag["aliases"]}


def test_every_faq_entry_is_bilingual_with_paraphrases_and_a_citation(kb):
    for e in kb.faq:
        assert len(e["questions"]["ko"]) >= 4, e["id"]
        assert len(e["questions"]["en"]) >= 2, e["id"]
        assert e["answer"]["ko"].strip() and e["answer"]["en"].strip()
        assert e["source"]["doc"] in kb.sources and e["source"]["section"]


def seasonal_qas(kb):
    """The numbered questions of section 4 (주요 예상 질의·답변) of the seasonal guideline."""
    text = (kb.directory / kb.sources["seasonal-rev4"]["file"]).read_text(encoding="utf-8")
    start = text.index("4. 주요 예상 질의·답변")
    section = text[start + 1:text.index("\n붙임 1", start)]
    return re.findall(r"^\d+\. (.+)$", section, flags=re.M)


def test_every_seasonal_qa_is_answered_from_its_own_section(kb, assistant):
    questions = seasonal_qas(kb)
    assert len(questions) == 19
    for q in questions:
        reply = assistant.ask(q)
        assert reply.intent == "faq", q
        entry = kb.faq_by_id[reply.data["faq_id"]]
        assert entry["source"]["doc"] == "seasonal-rev4" and "질의" in entry["source"]["section"], q


@pytest.fixture
def broken(tmp_path, kb):
    """A copy of the knowledge directory to break one file at a time."""
    target = tmp_path / "knowledge"
    shutil.copytree(kb.directory, target)
    return target


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(directory):
    with pytest.raises(KnowledgeError) as exc:
        load(directory)
    return exc.value.problems


def test_invalid_yaml_names_the_file_and_line(broken):
    (broken / "stages.yaml").write_text("stages: [\n  {number: 1", encoding="utf-8")
    [(file, entry, problem)] = problems_of(broken)
    assert file.endswith("stages.yaml") and entry.startswith("line ") and "not valid YAML" in problem


def test_an_unquoted_on_or_no_among_the_words_is_refused(broken):
    # YAML 1.1 reads on/no/yes/off as booleans: "on" would never be dropped from a question
    path = broken / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stopwords: [", "stopwords: [on, ", 1), encoding="utf-8")
    [(file, entry, problem)] = problems_of(broken)
    assert file.endswith("synonyms.yaml") and entry == "stopwords" and "True is not a word" in problem


@pytest.mark.parametrize("was, now, entry", [
    ("subjects:\n", "subjects:\n  - 임산부\n", "subjects #1"),  # a subject group
    ("  Hangul Day: [한글날]\n", "  Hangul Day: 한글날\n", "holidays: Hangul Day"),  # a holiday's names
])
def test_a_group_of_words_must_be_a_list(broken, was, now, entry):
    path = broken / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(was, now, 1), encoding="utf-8")
    [(file, found, problem)] = problems_of(broken)
    assert file.endswith("synonyms.yaml") and found == entry and "must be a list of words" in problem


def test_each_holiday_is_named_as_the_calendar_names_it(kb):
    """A name the calendar does not use ('Christmas' for 'Christmas Day') would never resolve to a date, and
    '12가3456 크리스마스에 운행돼?' would be answered for today."""
    from bot.korean_holidays import calendar_names

    assert set(kb.synonyms["holidays"]) <= calendar_names()
    assert "Christmas" not in calendar_names()


def test_missing_translation_names_the_entry(broken):
    path = next((broken / "faq").glob("emergency-rules.yaml"))
    edit_yaml(path, lambda d: d[0]["answer"].pop("en"))
    [(file, entry, problem)] = problems_of(broken)
    assert file.endswith("emergency-rules.yaml") and "emergency-what-is" in entry and "answer.en" in problem


def test_a_quote_not_in_the_document_is_refused(broken):
    path = broken / "faq" / "emergency-rules.yaml"
    edit_yaml(path, lambda d: d[1]["source"].update(quote="이 문장은 지침에 없습니다"))
    [(_, entry, problem)] = problems_of(broken)
    assert "emergency-legal-basis" in entry and "quote not found" in problem


def test_a_fact_without_citation_is_refused(broken):
    def drop(d):
        del d["agencies"][0]["stages"][next(iter(d["agencies"][0]["stages"]))]["source"]
    edit_yaml(broken / "roles.yaml", drop)
    [(file, entry, problem)] = problems_of(broken)
    assert file.endswith("roles.yaml") and "sido-env" in entry and "citation" in problem


def test_duplicate_ids_and_wrong_counts_are_all_reported_at_once(broken):
    edit_yaml(broken / "faq" / "emergency-rules.yaml", lambda d: d.append(dict(d[0])))
    edit_yaml(broken / "regions.yaml", lambda d: d["sido"].pop())
    found = problems_of(broken)
    assert any("duplicate id" in p for _, _, p in found)
    assert any("17 시·도" in p for _, _, p in found)


def test_stage_numbering_is_checked(broken):
    edit_yaml(broken / "stages.yaml", lambda d: d["stages"].pop())
    assert any("numbered 1 to 8" in p for _, _, p in problems_of(broken))


def test_cli_refuses_a_broken_knowledge_dir_with_exit_2(broken, cli):
    edit_yaml(broken / "faq" / "emergency-rules.yaml", lambda d: d[0].update(topic="gossip"))
    r = cli("kb", "validate", str(broken))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "emergency-rules.yaml" in r.stderr and "emergency-what-is" in r.stderr and "topic" in r.stderr
    assert cli("kb", "validate").returncode == 0


def test_an_unquoted_comma_that_splits_a_text_is_refused(broken):
    path = broken / "exemptions.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('en: "car used by a person with a disability (badge, or carrying one)"',
                                 "en: car used by a person with a disability (badge, or carrying one)"), encoding="utf-8")
    [(file, entry, problem)] = problems_of(broken)
    assert file.endswith("exemptions.yaml") and "disabled" in entry and "comma" in problem


def test_an_out_of_scope_topic_needs_an_oos_id_and_questions_in_both_languages(broken):
    (broken / "out_of_scope.yaml").write_text(
        "topics:\n"
        "  - {id: masks, questions: {ko: [마스크 어디서 사요], en: [where to buy masks]}}\n"
        "  - {id: oos-weather, questions: {ko: [내일 비 와?], en: []}}\n"
        "  - {id: oos-weather, questions: {ko: [비 와?], en: [rain?]}}\n", encoding="utf-8")
    found = problems_of(broken)
    assert [(f.rsplit("/", 1)[-1], e) for f, e, _ in found] == [
        ("out_of_scope.yaml", "topic #1 'masks'"), ("out_of_scope.yaml", "topic #2 'oos-weather'"),
        ("out_of_scope.yaml", "topic #3 'oos-weather'")]
    assert "oos-" in found[0][2] and "questions.en" in found[1][2] and "duplicate" in found[2][2]


def test_a_scheme_pair_must_name_existing_entries_one_per_scheme(broken):
    def change(doc):
        doc["pairs"] += [{"emergency": "emergency-exempt-eco", "seasonal": "seasonal-no-such-entry"},
                         {"emergency": "seasonal-eco-cars", "seasonal": "seasonal-light-car"},
                         {"emergency": "emergency-exempt-eco"}]
    edit_yaml(broken / "scheme_twins.yaml", change)
    found = problems_of(broken)
    assert all(f.endswith("scheme_twins.yaml") for f, _, _ in found)
    problems = {e: p for _, e, p in found}
    n = len(yaml.safe_load((broken / "scheme_twins.yaml").read_text(encoding="utf-8"))["pairs"])
    assert "seasonal-no-such-entry" in problems[f"pair #{n - 2}"]
    assert "both emergency and seasonal" in problems[f"pair #{n - 1}"]
    assert "needs exactly" in problems[f"pair #{n}"]
