"""The core's reply: what a handler returns and every channel renders in its own way."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reply:
    """A reply as the core forms it.

    `body` is the message; `sources` the citations behind it; `buttons` (label, payload) pairs
    a channel may show as buttons; `data` structured detail for --json callers.
    """

    body: str
    matched: bool
    intent: str
    sources: list[dict] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    lang: str = "ko"

    @property
    def text(self) -> str:
        """The reply as a user sees it: the body, then where it comes from."""
        if not self.sources:
            return self.body
        label = "출처" if self.lang == "ko" else "Source"
        # two quotes from one section are one line to a reader (the JSON keeps both)
        lines = list(dict.fromkeys(f"{label}: {s['title']} — {s['section']}" for s in self.sources))[:3]
        return self.body + "\n\n" + "\n".join(lines)

    def to_json(self) -> dict:
        return {"text": self.text, "matched": self.matched, "intent": self.intent,
                "sources": self.sources, "lang": self.lang, **self.data}
