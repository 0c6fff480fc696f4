"""Agency roles: find an agency from a loosely typed name and list its items for a stage."""
from __future__ import annotations

import re

from . import RuleInputError


def _key(text: str) -> str:
    return re.sub(r"[\s·.,()\-/]", "", str(text)).lower()


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", str(text).lower())) + " "


def _contains(text: str, name: str) -> bool:
    """Whether `text` names `name`: Korean run together as typed (경찰청5단계), a Latin name only as whole words
    (KEC is not in KECO)."""
    key = _key(name)
    if len(key) < 2:
        return False
    return key in _key(text) if not key.isascii() else _words(name) in _words(text)


def _names(kb) -> list[tuple[str, dict]]:
    return [(n, a) for a in kb.agencies for n in [a["id"], a["name"]["ko"], a["name"]["en"], *a.get("aliases", [])]]


def find_agency(kb, name: str) -> dict | None:
    """The agency meant by `name` (경찰청, 도로공사, 코레일, 시도 환경부서 …), or None.

    Exact id/name/alias first; then the longest alias contained in the text (so 해양경찰청 is
    not taken for 경찰청); then a fuzzy match on names and aliases.
    """
    key = _key(name)
    if not key:
        return None
    names = _names(kb)
    for n, a in names:
        if _key(n) == key:
            return a
    contained = [(len(_key(n)), a) for n, a in names if _contains(name, n)]
    if contained:
        return max(contained, key=lambda t: t[0])[1]
    if agencies_under(kb, name):
        return None  # 환경부 is a ministry (in 환경부 환경조사담당관's row), not a typo of 환경부서
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    # a typo of a name of 4+ letters; a shorter one (KEC, 도공) is one letter away from too much (KECO). A typo
    # is one edit per eight letters: a similarity ratio would take 'korea environment corporation' (한국환경공단,
    # which has no role table) for 'korea road corporation', as the two share most of their letters
    typed = [(_key(n), a) for n, a in names if len(_key(n)) >= 4]
    best = process.extractOne(key, [k for k, _ in typed], scorer=Levenshtein.distance,
                              score_cutoff=max(1, len(key) // 8))
    return typed[best[2]][1] if best else None


MINISTRY = re.compile(r"[가-힣]{2,}[부청]")  # a ministry or office as the tables print it: 국토교통부, 산림청


def agencies_under(kb, text: str) -> tuple[str, list[dict]] | None:
    """For a text that names no agency: a ministry or office it names that the tables list only as part of rows
    ("국토교통부" in "국토교통부(코레일)" and "국토교통부(한국도로공사)"; "환경부" in "환경부 환경조사담당관"), and those rows.

    The tables have no row for 국토교통부 or 환경부 themselves, so the user is shown the rows to choose from rather
    than told that nothing fits."""
    found: dict[str, list[dict]] = {}
    for a in kb.agencies:
        for part in re.split(r"[()·\s]+", a["name"]["ko"]):
            # also as it is shortened, its first two syllables and the last (국토교통부 → 국토부); "환경부에 보고",
            # "환경부로 제출" name it as the one reported to, not as the one asking
            named = f"(?:{part}|{part[:2]}{part[-1]})" if len(part) > 3 else part
            if MINISTRY.fullmatch(part) and re.search(rf"{named}(?!\s*(?:에|로|으로|한테|께))", text):
                found.setdefault(part, []).append(a)
    if not found:
        return None
    part = max(found, key=len)  # 해양경찰청 rather than the 경찰청 inside it
    return part, found[part]


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
    # ids are not words people type (sido-env), but an alias that equals one (police) still counts
    named = [(len(_key(n)), a) for n, a in _names(kb)
             if (n != a["id"] or n in a.get("aliases", ())) and _contains(text, n)]
    return max(named, key=lambda t: t[0])[1] if named else None
