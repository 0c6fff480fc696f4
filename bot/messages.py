"""Finds every message id the code uses, so the catalogs can be checked for completeness.

Message ids are the English texts passed to `t(lang, …)`, `ctx.t(…)`, `reason(…)` and `N_(…)`
(a marker for ids chosen at run time).
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def N_(msgid: str) -> str:
    """Mark a message id that is picked at run time; returns it unchanged."""
    return msgid


def used_ids(paths=None) -> dict[str, str]:
    """{message id: 'file:line'} for every id in bot/ and handlers/."""
    found: dict[str, str] = {}
    files = paths or [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/*.py")]
    for path in files:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            pos = {"reason": 0, "N_": 0}.get(name)
            if name == "t":
                pos = 1 if isinstance(f, ast.Name) else 0
            if pos is None or len(node.args) <= pos:
                continue
            arg = node.args[pos]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and not arg.value.startswith("condition:"):
                found.setdefault(arg.value, f"{Path(path).relative_to(ROOT)}:{node.lineno}")
    return found
