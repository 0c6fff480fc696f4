"""Translations with babel: Korean first, English second.

Message ids are English; locales/<lang>/LC_MESSAGES/messages.po hold the texts. The .po files
are compiled in memory on first use, so there is no build step and no stale .mo file.
"""
from __future__ import annotations

import gettext
import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from .messages import N_

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGS = ("ko", "en")
DEFAULT_LANG = "ko"


def pick_lang(code: str | None) -> str:
    """The bot's language for a user's language code (ko, en, en-US …); Korean by default."""
    if not code:
        return DEFAULT_LANG
    base = str(code).lower().replace("_", "-").split("-")[0]
    return base if base in LANGS else DEFAULT_LANG


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


def written_in(text: str) -> str | None:
    """The language a message is written in: 'en', 'ko', or None when it does not tell (the default answers).

    For users who chose no language: a console question or a Slack message typed in English is answered in
    English. It takes two Latin words, more than the Hangul ones ("what is 비저"), so that "PM2.5" or a plate
    alone tells nothing; a command's name is no language either."""
    if text.lstrip().startswith("/"):
        return None
    latin, hangul = len(LATIN_WORD.findall(text)), len(HANGUL_WORD.findall(text))
    if latin >= 2 and latin > hangul:
        return "en"
    return "ko" if hangul else None


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def t(lang: str, msgid: str, **params) -> str:
    """The message in `lang`, with {placeholders} filled (lists joined, ko/en dicts picked)."""
    text = translations(pick_lang(lang)).gettext(msgid)
    if not params:
        return text
    return text.format(**{k: show(lang, v) for k, v in params.items()})


def show(lang: str, value) -> str:
    """A value as text in `lang`: {ko, en} dicts pick a language, lists join, odd/even translate."""
    if isinstance(value, dict) and "ko" in value and "en" in value:
        return value[pick_lang(lang)]
    if isinstance(value, (list, tuple)):
        return "·".join(show(lang, v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if value in ("odd", "even"):
        return translations(pick_lang(lang)).gettext({"odd": N_("odd"), "even": N_("even")}[value])
    return "" if value is None else str(value)


def reason_text(kb, r: dict, lang: str) -> str:
    """Render a rules-core reason: condition texts come from the knowledge base, others from the catalogs."""
    key = r["key"]
    if key.startswith("condition:"):
        cid = key.split(":", 1)[1]
        template = kb.thresholds["conditions"][cid]["text"][pick_lang(lang)]
        return f"[{cid}] " + template.format(**{k: show(lang, v) for k, v in r["params"].items()})
    return t(lang, key, **r["params"])


def update_catalogs() -> dict[str, list[str]]:
    """Rewrite messages.pot from the ids the code uses and merge it into each language's .po.

    Existing translations are kept; new ids get an empty translation (English: the id itself)
    and ids the code no longer uses are dropped. Returns {lang: [ids still untranslated]}.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    from .messages import used_ids

    template = Catalog(project="dust-measures-bot", version="0.1")
    for msgid, where in sorted(used_ids().items()):
        file, line = where.rsplit(":", 1)
        template.add(msgid, locations=[(file, int(line))])
    with (LOCALES / "messages.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False)
    missing = {}
    for lang in LANGS:
        path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="dust-measures-bot", version="0.1")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if message.id and lang == "en" and not message.string:
                message.string = message.id
        missing[lang] = [m.id for m in catalog if m.id and not m.string]
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False)
    translations.cache_clear()
    return missing
