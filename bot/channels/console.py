"""The console channel: the same assistant in a terminal, no messenger account needed."""
from __future__ import annotations

import sys

from ..i18n import pick_lang

PROMPT = "> "


def render(reply) -> str:
    """A Reply as terminal text: the message, then numbered buttons."""
    lines = [reply.text]
    for i, (label, _) in enumerate(reply.buttons, 1):
        lines.append(f"  [{i}] {label}")
    return "\n".join(lines)


def chat(assistant, lang: str | None = None, stdin=None, stdout=None, user: str = "console") -> int:
    """Read questions line by line until EOF or /quit. /lang ko|en switches language; a number picks a button.

    Until a language is chosen (--lang, /lang, or an earlier session's /lang), each answer is in the language the
    question was written in, and a pressed button in that of the answer it was under."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    store = assistant.store
    chosen = lang or (store.language(user) if store else None)
    lang = pick_lang(chosen or assistant.default_lang)
    greeting = ("미세먼지 비상저감조치·공공2부제 도우미입니다. 질문을 입력하세요 (/lang en, /quit)."
                if lang == "ko" else "Fine-dust measures assistant. Ask a question (/lang ko, /quit).")
    print(greeting, file=stdout, flush=True)
    buttons: list[tuple[str, str]] = []
    while True:
        if stdin.isatty():
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        text = line.strip()
        if text in ("/quit", "/exit"):
            return 0
        if text.startswith("/lang"):
            parts = text.split()
            lang = chosen = pick_lang(parts[1] if len(parts) > 1 else ("en" if lang == "ko" else "ko"))
            if store:
                store.set_language(user, lang)
            print("언어: 한국어" if lang == "ko" else "Language: English", file=stdout, flush=True)
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            payload = buttons[int(text) - 1][1]
            reply = assistant.press(payload, chosen or lang, user)
        else:
            reply = assistant.ask(text, chosen, user)
        buttons = reply.buttons
        lang = reply.lang or lang
        print(render(reply), file=stdout, flush=True)
