"""Korean first, English second: every text the code shows exists in both catalogs."""
import re
import string

import pytest

from bot.i18n import pick_lang, t, translations
from bot.messages import used_ids


@pytest.mark.parametrize("code, lang", [(None, "ko"), ("ko", "ko"), ("ko-KR", "ko"), ("en", "en"),
                                        ("en-US", "en"), ("en_GB", "en"), ("fr", "ko"), ("", "ko")])
def test_language_follows_the_user_with_korean_as_default(code, lang):
    assert pick_lang(code) == lang


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


def test_catalogs_are_up_to_date_with_the_code():
    """`python -m bot i18n update` has been run: the template lists exactly the ids in use."""
    from babel.messages.pofile import read_po

    from bot.i18n import LOCALES

    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    assert template == set(used_ids())
