"""Korean first, English second: every text the code shows exists in both catalogs."""
import io
import re
import string

import pytest

from bot.i18n import pick_lang, t, translations, written_in
from bot.messages import used_ids


@pytest.mark.parametrize("code, lang", [(None, "ko"), ("ko", "ko"), ("ko-KR", "ko"), ("en", "en"),
                                        ("en-US", "en"), ("en_GB", "en"), ("fr", "ko"), ("", "ko")])
def test_language_follows_the_user_with_korean_as_default(code, lang):
    assert pick_lang(code) == lang


@pytest.mark.parametrize("text, lang", [
    ("when does the emergancy measure end", "en"), ("what is 비저", "en"), ("비저 언제 끝나", "ko"),
    ("PM10 주의보 기준", "ko"), ("ㅋㅋ 12가3456 내일", "ko"),
    ("PM2.5", None), ("12가 3456"[3:], None), ("/help me please", None), ("", None)])
def test_a_message_tells_its_language_only_when_its_words_do(text, lang):
    """Two Latin words, more than the Hangul ones, are English; a number or a command's name tells nothing."""
    assert written_in(text) == lang


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_message_the_code_uses_is_translated_with_the_same_placeholders(lang):
    catalog = translations(lang)
    ids = used_ids()
    assert len(ids) > 30
    for msgid, where in ids.items():
        text = catalog.gettext(msgid)
        if lang == "ko":
            assert text != msgid or re.search(r"[가-힣]", text), f"{where}: {msgid!r} has no Korean translation"
        assert placeholders(text) == placeholders(msgid), f"{where}: {msgid!r}"


def test_replies_switch_language(assistant):
    ko = assistant.ask("블라블라 흠냐", lang="ko")
    en = assistant.ask("블라블라 흠냐", lang="en")
    assert ko.text.startswith(t("ko", "I could not find an answer to that in the official guidelines."))
    assert en.text.startswith("I could not find an answer")
    assert ko.text != en.text


def test_a_user_who_chose_no_language_is_answered_in_the_language_of_the_question(assistant):
    """The console and Slack give no language code: an English question gets English, a Korean one Korean,
    and a chosen language (--lang, /lang) wins over the question's."""
    assert assistant.ask("when does the emergency measure end").text.startswith("It is lifted automatically")
    assert "자동해제" in assistant.ask("비상저감조치 언제 끝나").text
    assert "자동해제" in assistant.ask("when does the emergency measure end", lang="ko").text
    assert assistant.ask("hello").lang == "ko"  # one word tells nothing: the default


def test_the_console_answers_in_the_language_of_the_question_until_one_is_chosen(assistant):
    """An English question gets English, and so does a button pressed under that answer; after /lang ko the
    same question gets Korean."""
    from bot.channels.console import chat

    out = io.StringIO()
    chat(assistant, stdin=io.StringIO("when does the emergency measure end\n1\n/lang ko\n"
                                      "when does the emergency measure end\n"), stdout=out)
    text = out.getvalue()
    english, button, korean = (text.index(s) for s in ("It is lifted automatically", "may lift it before 21:00",
                                                      "21시에 자동해제"))
    assert english < button < text.index("언어: 한국어") < korean


def test_catalogs_are_up_to_date_with_the_code():
    """`python -m bot i18n update` has been run: the template lists exactly the ids in use."""
    from babel.messages.pofile import read_po

    from bot.i18n import LOCALES

    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    assert template == set(used_ids())
