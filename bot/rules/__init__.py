"""The rules core: pure functions over the knowledge base, no I/O.

A decision carries `reasons`, each a dict {"key": ..., "params": {...}}: the key is either
"condition:<id>" (text from thresholds.yaml) or an English message id of the locales
catalogs, so the same decision renders in Korean or English (bot.i18n.reason_text).
"""


class RuleInputError(ValueError):
    """The input to a rule is malformed (unknown 시·도, bad date, bad plate …)."""


def reason(key: str, **params) -> dict:
    return {"key": key, "params": params}


def unique_citations(citations: list[dict]) -> list[dict]:
    """Citations in first-seen order, each once."""
    seen, out = set(), []
    for c in citations:
        key = (c["doc"], c["section"], c.get("quote"))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
