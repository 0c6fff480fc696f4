"""The evaluation harness measures what it claims, and the answering quality does not regress."""

from dataclasses import replace

from bot.evaluation import evaluate, held_out, load_items

# Measured figures are in the README (below the 95 % targets); these floors catch a regression.
# They were lowered from 89 % / 80 % when the blind sets (questions-blind*.yaml, harder) joined the others, and the
# out-of-scope floor from 77 % to 75 % when the third blind set did (76.3 % with it).
TOP1_FLOOR = 0.87
OUT_OF_SCOPE_FLOOR = 0.75


def test_harness_counts_hits_misses_and_fallbacks(assistant):
    items = [{"q": "경차도 고농도계절 공공2부제 제외대상인가요?", "expect": "faq:seasonal-light-car"},
             {"q": "경차도 고농도계절 공공2부제 제외대상인가요?", "expect": "faq:emergency-what-is"},
             {"q": "12가3456 내일 운행 가능?", "expect": "intent:vehicle"},
             {"q": "오늘 점심 뭐 먹지", "expect": "fallback"}]
    report = evaluate(assistant, items)
    assert report["in_scope"] == 3 and report["out_of_scope"] == 1
    assert abs(report["top1_accuracy"] - 2 / 3) < 1e-9
    assert report["out_of_scope_fallback_rate"] == 1.0 and report["fallback_precision"] == 1.0
    assert [e["expect"] for e in report["errors"]] == ["faq:emergency-what-is"]


def test_a_second_right_entry_and_an_answer_for_both_schemes_count_as_right(assistant):
    """`also` names an entry that answers the question as fully; a question naming neither odd-even scheme is
    answered for both, and either scheme's entry is then right. Neither loosens anything else."""
    light = "경차도 고농도계절 공공2부제 제외대상인가요?"
    items = [{"q": light, "expect": "faq:emergency-what-is", "also": ["faq:seasonal-light-car"]},
             {"q": light, "expect": "faq:emergency-what-is", "also": ["faq:emergency-hours"]},
             {"q": "경차 2부제 제외?", "expect": "faq:emergency-public-2bu-lightcar"},
             {"q": "경차 2부제 제외?", "expect": "faq:seasonal-light-car"},
             {"q": "경차 2부제 제외?", "expect": "faq:seasonal-eco-cars"}]
    report = evaluate(assistant, items)
    assert [e["expect"] for e in report["errors"]] == ["faq:emergency-what-is", "faq:seasonal-eco-cars"]
    assert report["answered_both_schemes"] == 3
    assert report["top1_accuracy_first_answer"] < report["top1_accuracy"]


def test_a_second_right_entry_one_tap_away_counts_as_offered(assistant):
    """'Answered or offered' reads `also` as top-1 does: a related entry under the answer is one tap away."""
    question = "경차도 고농도계절 공공2부제 제외대상인가요?"
    related = assistant.ask(question).data["related"][0]
    items = [{"q": question, "expect": "faq:emergency-what-is", "also": [f"faq:{related}"]},
             {"q": question, "expect": "faq:emergency-what-is", "also": ["faq:emergency-hours"]}]
    report = evaluate(assistant, items)
    assert report["top1_accuracy"] == 0 and report["answered_or_offered"] == 0.5


def test_the_question_set_is_large_varied_and_points_at_real_entries(kb):
    items = load_items()
    assert len(items) >= 150
    english = [i for i in items if i["q"].isascii()]
    assert len(english) >= 20
    assert sum(i["expect"] == "fallback" for i in items) >= 20
    for item in items:
        kind, _, value = item["expect"].partition(":")
        assert kind in ("faq", "intent", "fallback"), item
        if kind == "faq":
            assert value in kb.faq_by_id, item
        for other in item.get("also", []):  # another entry, or a handler ("intent:roles"), that also answers
            kind, _, value = other.partition(":")
            assert (kind == "faq" and value in kb.faq_by_id or kind == "intent" and value) and other != item["expect"], item


def test_answering_quality_does_not_regress(assistant):
    report = evaluate(assistant, load_items())
    errors = "\n".join(f"{e['q']!r}: expected {e['expect']}, got {e['got']}" for e in report["errors"][:40])
    assert report["top1_accuracy"] >= TOP1_FLOOR, errors
    assert report["out_of_scope_fallback_rate"] >= OUT_OF_SCOPE_FLOOR, errors


def test_held_out_paraphrases_are_asked_of_an_index_that_lacks_them(kb):
    """Each entry's 2nd, 4th … paraphrase (2 folds) is asked of an index built without it: all but the first of
    every list are asked once, and a copy of a kept paraphrase would score 100 % where these do not."""
    small = replace(kb, faq=kb.faq[:12], out_of_scope=kb.out_of_scope[:3])
    shown = []
    report = held_out(small, folds=2, progress=lambda fold, folds: shown.append((fold, folds)))
    assert shown == [(1, 2), (2, 2)]  # each fold builds an index: the command says which it is at
    assert report["in_scope"] == sum(len(qs) - 1 for e in small.faq for qs in e["questions"].values())
    assert report["out_of_scope"] == sum(len(qs) - 1 for t in small.out_of_scope for qs in t["questions"].values())
    assert 0.6 < report["top1_accuracy"] < 1.0 and 0.5 < report["out_of_scope_fallback_rate"] <= 1.0


def test_each_miss_shown_names_its_question_set(cli):
    """So that the measured-only blind sets' misses can be left unread (`| grep -v blind`)."""
    shown = [line for line in cli("eval", "--show-errors").stdout.splitlines() if ": expected " in line]
    assert shown and all(line.split(":")[0].strip() in {i["file"] for i in load_items()} for line in shown)
