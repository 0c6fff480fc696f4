"""Agency roles: find an agency from a loosely typed name and list its items for a stage."""
from __future__ import annotations

import re

from . import RuleInputError


def _key(text: str) -> str:
    return re.sub(r"[\s·.,()\-/]", "", str(text)).lower()


def find_agency(kb, name: str) -> dict | None:
    """The agency meant by `name` (경찰청, 도로공사, 코레일, 시도 환경부서 …), or None.

    Exact id/name/alias first; then the longest alias contained in the text (so 해양경찰청 is
    not taken for 경찰청); then a fuzzy match on names and aliases.
    """
    key = _key(name)
    if not key:
        return None
    names: list[tuple[str, dict]] = []
    for a in kb.agencies:
        for n in [a["id"], a["name"]["ko"], a["name"]["en"], *a.get("aliases", [])]:
            names.append((_key(n), a))
    for n, a in names:
        if n == key:
            return a
    contained = [(len(n), a) for n, a in names if len(n) >= 2 and n in key]
    if contained:
        return max(contained, key=lambda t: t[0])[1]
    from rapidfuzz import fuzz, process

    best = process.extractOne(key, [n for n, _ in names], scorer=fuzz.ratio, score_cutoff=75)
    return names[best[2]][1] if best else None


def items(kb, agency: dict, stage: int | None = None) -> list[dict]:
    """[{stage, items, source}] for one stage or all the agency's stages, in order."""
    if stage is not None and stage not in range(1, 9):
        raise RuleInputError(f"stage must be a number from 1 to 8, not {stage!r}")
    out = []
    for num in sorted(agency["stages"]):
        if stage is None or num == stage:
            st = agency["stages"][num]
            out.append({"stage": num, "items": st["items"], "source": st["source"]})
    return out


def find_agency_in_text(kb, text: str) -> dict | None:
    """The agency a sentence names (the longest alias it contains), or None; no fuzzy guessing."""
    key = _key(text)
    best = None
    for a in kb.agencies:
        for n in [a["name"]["ko"], a["name"]["en"], *a.get("aliases", [])]:
            k = _key(n)
            if len(k) >= 2 and k in key and (best is None or len(k) > best[0]):
                best = (len(k), a)
    return best[1] if best else None
