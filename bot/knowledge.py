"""Load and validate the knowledge base in knowledge/.

Every fact the bot states comes from these files. Loading validates everything first and
refuses a broken file with a message naming the file, the entry and the problem, so a bad
edit can never reach users half-applied.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .matcher import rule_pattern

try:  # the C loader is several times faster; keep the one-shot CLI under a second
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"
TOPICS = {
    "background", "timing", "coverage", "vehicle", "exemption", "issuance", "release", "stages",
    "roles", "reports", "health", "forecast", "incentives", "forms", "wide-area", "school",
}
FAQ_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CONDITION_IDS = ("E1", "E2", "E3", "P1", "P2", "W")


class KnowledgeError(Exception):
    """A knowledge file is broken. `problems` lists (file, entry, problem) triples."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"{f}: {e}: {p}" if e else f"{f}: {p}" for f, e, p in problems]
        super().__init__("\n".join(lines))


@dataclass
class Knowledge:
    """The whole validated knowledge base, as plain data."""

    directory: Path
    sources: dict[str, dict]
    faq: list[dict]
    stages: list[dict]
    report_deadlines: list[dict]
    report_counting_source: dict
    agencies: list[dict]
    exemptions: dict[str, dict]
    thresholds: dict
    regions: dict
    schemes: dict
    synonyms: dict
    sido_by_alias: dict[str, str] = field(default_factory=dict)
    sido_by_id: dict[str, dict] = field(default_factory=dict)
    faq_by_id: dict[str, dict] = field(default_factory=dict)
    out_of_scope: list[dict] = field(default_factory=list)  # questions to refuse (out_of_scope.yaml)
    # scheme_twins.yaml: names (scheme → words), labels (scheme → ko/en), scheme (entry id → its scheme),
    # partners (entry id → the same question's entries under the other scheme, in file order)
    scheme_twins: dict = field(default_factory=dict)

    def citation(self, source: dict) -> dict:
        """A citation as the replies carry it: document id and title, section, quote."""
        doc = self.sources[source["doc"]]
        out = {"doc": source["doc"], "title": doc["title"]["ko"], "section": source["section"]}
        if source.get("quote"):
            out["quote"] = source["quote"]
        return out

    def vehicle_restriction(self, sido: str | None) -> dict | None:
        """What the vehicle restriction (운행제한) of an emergency measure covers in a 시·도: its own setting once its
        ordinance is cited, else the default (regions.yaml); {text: {ko, en}, source}, or None when neither is set."""
        setting = self.sido_by_id.get(sido, {}).get("vehicle_restriction")
        default = self.regions.get("vehicle_restriction")
        if setting:
            return {"text": setting["text"], "source": setting["source"]}
        return {"text": default["default"], "source": default["source"]} if default else None

    def sido(self, name: str) -> str | None:
        """The canonical 시·도 id for a loosely typed name (서울시, Seoul, 경기도 …), or None."""
        key = re.sub(r"[\s·.]", "", str(name)).lower()
        return self.sido_by_alias.get(key)

    def sidos_in(self, text: str) -> list[str]:
        """The 시·도 a sentence names, the longest name first ('내일서울비상저감조치해?' has no spaces to split on;
        경기도 is read before 경기, and a name once read is not read again inside a longer one)."""
        return self._read_sidos(re.sub(r"[\s·.,]", "", str(text)).lower())[0]

    def without_sidos(self, text: str) -> str:
        """`text` with the 시·도 names it holds taken out (each left as a space): what else a message says."""
        return self._read_sidos(text)[1]

    def sidos_named(self, args: str) -> tuple[list[str], list[str]]:
        """A command's arguments as 시·도 ('/subscribe 서울, 경기'): the ids, each once, and the words that name none."""
        known, unknown = [], []
        for word in args.replace(",", " ").split():
            sido = self.sido(word)
            (known if sido else unknown).append(sido or word)
        return list(dict.fromkeys(known)), unknown

    def _read_sidos(self, text: str) -> tuple[list[str], str]:
        named = []
        for alias in sorted(self.sido_by_alias, key=len, reverse=True):
            if len(alias) >= 2 and alias in text:
                named.append(self.sido_by_alias[alias])
                text = text.replace(alias, " ")
        return list(dict.fromkeys(named)), text

    def forecast_region(self, name: str) -> str | None:
        names = self.regions["forecast_regions"]["names"]
        aliases = self.regions["forecast_regions"].get("aliases", {})
        key = str(name).strip()
        if key in names:
            return key
        return aliases.get(key) or aliases.get(key.replace(" ", ""))

    def sido_of_forecast_region(self, region: str) -> str | None:
        """The 시·도 a forecast region (as forecast_region names it) belongs to: 경기남부 → 경기, 영동 → 강원."""
        return next((s["id"] for s in self.regions["sido"] if region in s["forecast_regions"]), None)


UNREADABLE = object()  # a file already reported as missing or not YAML: check nothing more in it


def _read(path: Path, problems: list) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)
    except FileNotFoundError:
        problems.append((_rel(path), "", "file is missing"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problems.append((_rel(path), where, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
    return UNREADABLE


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _squash(text: str) -> str:
    # Quotes are compared ignoring spaces, line breaks and the '*' emphasis marks of the source text.
    return re.sub(r"[\s*]+", "", text)


class _Checker:
    """Collects problems while walking the files, so an admin sees all of them at once."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.problems: list[tuple[str, str, str]] = []
        self.texts: dict[str, str] = {}
        self.sources: dict[str, dict] = {}

    def add(self, file: str, entry: str, problem: str) -> None:
        self.problems.append((file, entry, problem))

    def text(self, file: str, entry: str, obj: dict, key: str, langs=("ko", "en")) -> None:
        value = obj.get(key) if isinstance(obj, dict) else None
        if not isinstance(value, dict):
            self.add(file, entry, f"'{key}' must have ko and en text")
            return
        extra = set(value) - {"ko", "en"}
        if extra:
            # e.g. {ko: …, en: a, b} — an unquoted comma in YAML flow style cuts the text in two
            self.add(file, entry, f"'{key}' has unexpected keys {sorted(map(str, extra))}: quote text that contains a comma")
        for lang in langs:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.add(file, entry, f"'{key}.{lang}' is missing or empty (missing translation)")

    def citation(self, file: str, entry: str, source: object) -> None:
        if not isinstance(source, dict):
            self.add(file, entry, "has no source (every fact needs a citation: doc and section)")
            return
        doc = source.get("doc")
        if doc not in self.sources:
            self.add(file, entry, f"cites unknown document '{doc}' (known: {', '.join(self.sources)})")
            return
        if not isinstance(source.get("section"), str) or not source["section"].strip():
            self.add(file, entry, "citation has no section")
        quote = source.get("quote")
        if quote is not None:
            if not isinstance(quote, str) or _squash(quote) not in self.texts[doc]:
                self.add(file, entry, f"citation quote not found in {doc}: {quote!r}")


def load(directory: str | Path | None = None) -> Knowledge:
    """Load and validate every knowledge file; raise KnowledgeError listing all problems."""
    directory = Path(directory) if directory else DEFAULT_DIR
    ck = _Checker(directory)
    if not directory.is_dir():
        raise KnowledgeError([(_rel(directory), "", "knowledge directory not found")])

    src_file = directory / "sources.yaml"
    sources = _read(src_file, ck.problems)
    if sources is not UNREADABLE and not isinstance(sources, list):
        ck.add(_rel(src_file), "", "must be a list of documents")
    for i, doc in enumerate(sources if isinstance(sources, list) else []):
        name = f"source #{i + 1}"
        if not isinstance(doc, dict) or not doc.get("id") or not doc.get("file"):
            ck.add(_rel(src_file), name, "needs id and file")
            continue
        path = directory / doc["file"]
        if not path.is_file():
            ck.add(_rel(src_file), doc["id"], f"document file not found: {doc['file']}")
            continue
        ck.text(_rel(src_file), doc["id"], doc, "title")
        ck.sources[doc["id"]] = doc
        ck.texts[doc["id"]] = _squash(path.read_text(encoding="utf-8"))
    if ck.problems:
        raise KnowledgeError(ck.problems)

    faq = _load_faq(directory, ck)
    stages_file = directory / "stages.yaml"
    stages_doc = _read(stages_file, ck.problems)
    stages = _check_stages(stages_file, stages_doc, ck)
    agencies = _check_roles(directory / "roles.yaml", ck)
    exemptions = _check_exemptions(directory / "exemptions.yaml", ck)
    thresholds = _check_thresholds(directory / "thresholds.yaml", ck)
    regions = _check_regions(directory / "regions.yaml", ck)
    schemes = _check_schemes(directory / "schemes.yaml", ck, regions)
    synonyms = _check_synonyms(directory / "synonyms.yaml", ck)
    out_of_scope = _check_out_of_scope(directory / "out_of_scope.yaml", ck, {e.get("id") for e in faq})
    scheme_twins = _check_scheme_twins(directory / "scheme_twins.yaml", ck, {e.get("id") for e in faq})
    if ck.problems:
        raise KnowledgeError(ck.problems)

    kb = Knowledge(
        directory=directory, sources=ck.sources, faq=faq, stages=stages,
        report_deadlines=stages_doc["report_deadlines"],
        report_counting_source=stages_doc["report_counting_source"],
        agencies=agencies, exemptions=exemptions, thresholds=thresholds, regions=regions,
        schemes=schemes, synonyms=synonyms, out_of_scope=out_of_scope, scheme_twins=scheme_twins,
    )
    for sido in regions["sido"]:
        kb.sido_by_id[sido["id"]] = sido
        for alias in [sido["id"], sido["name"]["ko"], sido["name"]["en"], *sido.get("aliases", [])]:
            kb.sido_by_alias[re.sub(r"[\s·.]", "", alias).lower()] = sido["id"]
    kb.faq_by_id = {e["id"]: e for e in faq}
    return kb


def _load_faq(directory: Path, ck: _Checker) -> list[dict]:
    files = sorted((directory / "faq").glob("*.yaml"))
    if not files:
        ck.add(_rel(directory / "faq"), "", "no FAQ files (faq/*.yaml)")
    entries: list[dict] = []
    seen_ids: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    for path in files:
        rel = _rel(path)
        data = _read(path, ck.problems)
        if data is UNREADABLE:
            continue
        if not isinstance(data, list):
            ck.add(rel, "", "must be a list of entries")
            continue
        for i, e in enumerate(data):
            name = f"entry #{i + 1}" + (f" '{e.get('id')}'" if isinstance(e, dict) and e.get("id") else "")
            if not isinstance(e, dict):
                ck.add(rel, name, "is not a mapping")
                continue
            eid = e.get("id")
            if not isinstance(eid, str) or not FAQ_ID.match(eid):
                ck.add(rel, name, "id must be lowercase letters, digits and '-'")
            elif eid in seen_ids:
                ck.add(rel, name, f"duplicate id (also in {seen_ids[eid]})")
            else:
                seen_ids[eid] = rel
            if e.get("topic") not in TOPICS:
                ck.add(rel, name, f"topic {e.get('topic')!r} is not one of: {', '.join(sorted(TOPICS))}")
            qs = e.get("questions")
            if not isinstance(qs, dict):
                ck.add(rel, name, "has no questions (ko and en lists)")
            else:
                for lang in ("ko", "en"):
                    items = qs.get(lang)
                    if not isinstance(items, list) or not items or not all(isinstance(q, str) and q.strip() for q in items):
                        ck.add(rel, name, f"questions.{lang} must be a non-empty list of text (missing translation)")
                        continue
                    for q in items:
                        key = re.sub(r"\W+", "", q).lower()
                        if key in seen_questions and seen_questions[key] != eid:
                            ck.add(rel, name, f"question {q!r} duplicates one of entry '{seen_questions[key]}'")
                        seen_questions.setdefault(key, eid)
            ck.text(rel, name, e, "answer")
            ck.citation(rel, name, e.get("source"))
            entries.append(e)
    return entries


def _listed(rel: str, doc: object, key: str, ck: _Checker) -> list | None:
    """The file's `key` list, or None (unreadable, already reported; or not that shape, reported here)."""
    if doc is UNREADABLE:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        ck.add(rel, "", f"needs {'an' if key[0] in 'aeiou' else 'a'} '{key}' list")
        return None
    return doc[key]


def _check_stages(path: Path, doc: object, ck: _Checker) -> list[dict]:
    rel = _rel(path)
    if _listed(rel, doc, "stages", ck) is None:
        return []
    numbers = []
    for s in doc["stages"]:
        name = f"stage {s.get('number')}"
        numbers.append(s.get("number"))
        if s.get("measure") not in ("preliminary", "emergency"):
            ck.add(rel, name, "measure must be preliminary or emergency")
        ck.text(rel, name, s, "name")
        ck.text(rel, name, s, "summary")
        for key in ("start", "end"):
            w = s.get(key)
            if w is None and key == "end":
                continue
            if not isinstance(w, dict) or not isinstance(w.get("day"), int) or not re.match(r"^\d\d:\d\d$", str(w.get("time"))):
                ck.add(rel, name, f"{key} must be {{day: int, time: 'HH:MM'}}")
        ck.citation(rel, name, s.get("source"))
    if sorted(n for n in numbers if isinstance(n, int)) != list(range(1, 9)):
        ck.add(rel, "", f"stages must be numbered 1 to 8 exactly once (found {numbers})")
    for d in doc.get("report_deadlines") or []:
        name = f"report deadline '{d.get('id')}'"
        if not isinstance(d.get("days"), int) or d["days"] <= 0:
            ck.add(rel, name, "days must be a positive whole number")
        ck.text(rel, name, d, "who")
        ck.text(rel, name, d, "what")
        ck.citation(rel, name, d.get("source"))
    if not doc.get("report_deadlines"):
        ck.add(rel, "", "needs report_deadlines")
    ck.citation(rel, "report_counting_source", doc.get("report_counting_source"))
    return doc["stages"]


def _check_roles(path: Path, ck: _Checker) -> list[dict]:
    rel = _rel(path)
    doc = _read(path, ck.problems)
    if _listed(rel, doc, "agencies", ck) is None:
        return []
    ids, aliases = set(), {}
    for a in doc["agencies"]:
        name = f"agency '{a.get('id')}'"
        if a.get("id") in ids:
            ck.add(rel, name, "duplicate id")
        ids.add(a.get("id"))
        ck.text(rel, name, a, "name")
        for alias in a.get("aliases") or []:
            key = str(alias).lower()
            if key in aliases and aliases[key] != a.get("id"):
                ck.add(rel, name, f"alias {alias!r} also names agency '{aliases[key]}'")
            aliases[key] = a.get("id")
        stages = a.get("stages")
        if not isinstance(stages, dict) or not stages:
            ck.add(rel, name, "has no stages")
            continue
        for num, st in stages.items():
            sname = f"{name} stage {num}"
            if num not in range(1, 9):
                ck.add(rel, sname, "stage must be a number from 1 to 8")
            items = st.get("items") if isinstance(st, dict) else None
            if not items:
                ck.add(rel, sname, "has no items")
                continue
            for j, item in enumerate(items):
                ck.text(rel, f"{sname} item {j + 1}", {"item": item}, "item")
            ck.citation(rel, sname, st.get("source"))
    return doc["agencies"]


def _check_exemptions(path: Path, ck: _Checker) -> dict[str, dict]:
    rel = _rel(path)
    doc = _read(path, ck.problems)
    out: dict[str, dict] = {}
    if doc is UNREADABLE:
        return out
    if not isinstance(doc, list):
        ck.add(rel, "", "must be a list of exemption codes")
        return out
    for e in doc:
        code = e.get("code") if isinstance(e, dict) else None
        name = f"code '{code}'"
        if not isinstance(code, str) or not re.match(r"^[a-z_]+$", code):
            ck.add(rel, name, "code must be lowercase letters and '_'")
            continue
        if code in out:
            ck.add(rel, name, "duplicate code")
        ck.text(rel, name, e, "name")
        for scheme in ("emergency", "seasonal"):
            rule = e.get(scheme)
            if not isinstance(rule, dict) or not isinstance(rule.get("applies"), bool):
                ck.add(rel, name, f"'{scheme}' needs applies: true|false and a source")
                continue
            ck.citation(rel, f"{name} {scheme}", rule.get("source"))
        out[code] = e
    return out


def _read_mapping(path: Path, ck: _Checker) -> dict | None:
    """The file as a mapping, or None once its problem is recorded."""
    doc = _read(path, ck.problems)
    if doc is UNREADABLE:
        return None
    if not isinstance(doc, dict):
        ck.add(_rel(path), "", "must be a mapping")
        return None
    return doc


def _check_thresholds(path: Path, ck: _Checker) -> dict:
    rel = _rel(path)
    doc = _read_mapping(path, ck)
    if doc is None:
        return {}
    conds = doc.get("conditions") or {}
    for cid in CONDITION_IDS:
        c = conds.get(cid)
        if not isinstance(c, dict):
            ck.add(rel, f"condition {cid}", "is missing")
            continue
        ck.text(rel, f"condition {cid}", c, "text")
        ck.citation(rel, f"condition {cid}", c.get("source"))
        for key in ("measured_above", "tomorrow_above", "day_after_above"):
            if key in c and not isinstance(c[key], (int, float)):
                ck.add(rel, f"condition {cid}", f"{key} must be a number")
    grades = (doc.get("forecast_grades") or {}).get("pm25")
    if not isinstance(grades, list) or not grades:
        ck.add(rel, "forecast_grades", "needs the pm25 grade table")
    else:
        ck.citation(rel, "forecast_grades", doc["forecast_grades"].get("source"))
    for key in ("release", "measure_hours", "holiday_rule"):
        if not isinstance(doc.get(key), dict):
            ck.add(rel, key, "is missing")
        else:
            ck.citation(rel, key, doc[key].get("source"))
    for kind, rule in (doc.get("school_advice") or {}).items():
        ck.citation(rel, f"school_advice {kind}", rule.get("source"))
    return doc


def _check_regions(path: Path, ck: _Checker) -> dict:
    rel = _rel(path)
    doc = _read_mapping(path, ck)
    if doc is None:
        return {}
    names = set((doc.get("forecast_regions") or {}).get("names") or [])
    if len(names) != 19:
        ck.add(rel, "forecast_regions", f"must list the 19 forecast regions (found {len(names)})")
    sidos = doc.get("sido") or []
    if len(sidos) != 17:
        ck.add(rel, "sido", f"must list the 17 시·도 (found {len(sidos)})")
    ids = {s.get("id") for s in sidos}
    for s in sidos:
        name = f"시·도 '{s.get('id')}'"
        ck.text(rel, name, s, "name")
        fr = s.get("forecast_regions") or []
        if not fr or not set(fr) <= names:
            ck.add(rel, name, f"forecast_regions {fr} must be among the 19 forecast regions")
        if len(fr) > 1:
            if s.get("multi_region_rule") not in ("all", "any"):
                ck.add(rel, name, "a 시·도 with several forecast regions needs multi_region_rule: all | any")
            ck.citation(rel, name, s.get("source"))
        if "vehicle_restriction" in s:  # a 시·도's own ordinance setting
            ck.text(rel, f"{name} vehicle_restriction", s["vehicle_restriction"] or {}, "text")
            ck.citation(rel, f"{name} vehicle_restriction", (s["vehicle_restriction"] or {}).get("source"))
    if "vehicle_restriction" in doc:
        vr = doc["vehicle_restriction"] or {}
        ck.text(rel, "vehicle_restriction", vr, "default")
        ck.citation(rel, "vehicle_restriction", vr.get("source"))
    for g in doc.get("wide_area_groups") or []:
        name = f"wide-area group '{g.get('id')}'"
        if not set(g.get("members") or []) <= ids:
            ck.add(rel, name, "members must be 시·도 ids")
        if not isinstance(g.get("min_members"), int):
            ck.add(rel, name, "min_members must be a whole number")
        ck.citation(rel, name, g.get("source"))
    return doc


def _check_schemes(path: Path, ck: _Checker, regions: dict) -> dict:
    rel = _rel(path)
    doc = _read_mapping(path, ck)
    if doc is None:
        return {}
    for scheme in ("emergency", "seasonal"):
        s = doc.get(scheme)
        if not isinstance(s, dict):
            ck.add(rel, scheme, "is missing")
            continue
        for key, value in s.items():
            if key.endswith("source"):
                ck.citation(rel, f"{scheme}.{key}", value)
    ids = {x.get("id") for x in regions.get("sido") or []}
    seasonal_regions = (doc.get("seasonal") or {}).get("regions") or []
    if not set(seasonal_regions) <= ids:
        ck.add(rel, "seasonal.regions", "must be 시·도 ids from regions.yaml")
    ck.citation(rel, "odd_even_method", (doc.get("odd_even_method") or {}).get("source"))
    return doc


def _check_out_of_scope(path: Path, ck: _Checker, faq_ids: set) -> list[dict]:
    """Topics the guidelines do not cover, each with questions people ask about it (optional file).

    They state no fact, so they cite nothing; they sit in the matcher beside the FAQ so that a question
    about, say, mask filters meets its own topic instead of the closest-sounding FAQ entry."""
    if not path.is_file():
        return []
    rel = _rel(path)
    doc = _read(path, ck.problems)
    if _listed(rel, doc, "topics", ck) is None:
        return []
    topics, seen = [], set()
    for i, t in enumerate(doc["topics"]):
        name = f"topic #{i + 1}" + (f" '{t.get('id')}'" if isinstance(t, dict) and t.get("id") else "")
        tid = t.get("id") if isinstance(t, dict) else None
        if not isinstance(tid, str) or not FAQ_ID.match(tid) or not tid.startswith("oos-"):
            ck.add(rel, name, "id must start with 'oos-' and use lowercase letters, digits and '-'")
            continue
        if tid in seen or tid in faq_ids:
            ck.add(rel, name, "duplicate id")
            continue
        seen.add(tid)
        qs = t.get("questions")
        if not isinstance(qs, dict) or not all(
                isinstance(qs.get(lang), list) and qs[lang] and all(isinstance(q, str) and q.strip() for q in qs[lang])
                for lang in ("ko", "en")):
            ck.add(rel, name, "questions.ko and questions.en must be non-empty lists of text")
            continue
        topics.append({"id": tid, "questions": {"ko": qs["ko"], "en": qs["en"]}, "out_of_scope": True})
    return topics


def _check_scheme_twins(path: Path, ck: _Checker, faq_ids: set) -> dict:
    """Pairs of FAQ entries that answer one question under the two odd-even schemes (optional file)."""
    empty = {"names": {}, "labels": {}, "scheme": {}, "partners": {}}
    if not path.is_file():
        return empty
    rel = _rel(path)
    doc = _read_mapping(path, ck)
    if doc is None:
        return empty
    schemes = ("emergency", "seasonal")
    names, labels = doc.get("names"), doc.get("labels")
    for key, value in (("names", names), ("labels", labels)):
        if not isinstance(value, dict) or set(value) != set(schemes):
            ck.add(rel, key, "needs exactly: emergency, seasonal")
            return empty
    for scheme in schemes:
        if not isinstance(names[scheme], list) or not names[scheme] or \
                not all(isinstance(w, str) and w.strip() for w in names[scheme]):
            ck.add(rel, f"names.{scheme}", "must be a non-empty list of words")
        ck.text(rel, f"labels.{scheme}", labels, scheme)
    out = {"names": {s: [w.lower() for w in names[s] if isinstance(w, str)] for s in schemes},
           "labels": labels, "scheme": {}, "partners": {}}
    for i, pair in enumerate(doc.get("pairs") or []):
        name = f"pair #{i + 1}"
        if not isinstance(pair, dict) or set(pair) != set(schemes):
            ck.add(rel, name, "needs exactly: emergency, seasonal (an FAQ id each)")
            continue
        for scheme in schemes:
            eid = pair[scheme]
            if eid not in faq_ids:
                ck.add(rel, name, f"{scheme}: no FAQ entry {eid!r}")
            elif out["scheme"].setdefault(eid, scheme) != scheme:
                ck.add(rel, name, f"{eid!r} is paired as both emergency and seasonal")
        a, b = pair["emergency"], pair["seasonal"]
        for one, other in ((a, b), (b, a)):
            if other not in out["partners"].setdefault(one, []):
                out["partners"][one].append(other)
    return out


def _holidays_broken(holidays, rel: str, ck: _Checker) -> bool:
    """synonyms.yaml `holidays`: holiday name → a list of words. That each name is one the offline calendar uses is
    a test (tests/test_knowledge.py): building the calendar here would cost every one-shot call a tenth of a second."""
    if not isinstance(holidays, dict):
        ck.add(rel, "holidays", "must map a holiday's calendar name to the words people type for it")
        return True
    before = len(ck.problems)
    for name, words in holidays.items():
        if not (isinstance(words, list) and words and all(isinstance(w, str) and w.strip() for w in words)):
            ck.add(rel, f"holidays: {name}", f"must be a list of words, not {words!r}")
    return len(ck.problems) > before


def _check_synonyms(path: Path, ck: _Checker) -> dict:
    rel = _rel(path)
    doc = _read(path, ck.problems)
    if doc is UNREADABLE:
        return {}
    if not isinstance(doc, dict):
        ck.add(rel, "", "must be a mapping with rules, endings, particles")
        return {}
    for key in ("endings", "particles", "stopwords", "tails", "between"):
        words = doc.get(key) or []
        if not isinstance(words, list):
            ck.add(rel, key, "must be a list of words")
            continue
        # YAML reads an unquoted on/off/yes/no as true/false: the word would silently never match
        for word in words:
            if not isinstance(word, str):
                ck.add(rel, key, f"{word!r} is not a word: quote it (\"on\", \"no\")")
    for key in ("subjects", "abroad"):
        groups = doc.get(key) or []
        for i, group in enumerate(groups if isinstance(groups, list) else [None]):
            if not (isinstance(group, list) and group and all(isinstance(w, str) and w.strip() for w in group)):
                ck.add(rel, f"{key} #{i + 1}", f"must be a list of words, not {group!r}")
    if _holidays_broken(doc.get("holidays") or {}, rel, ck):
        doc = {**doc, "holidays": {}}  # refused already: the rules that spell the names out are not blamed too
    for i, r in enumerate(doc.get("rules") or []):
        try:
            re.compile(rule_pattern(r["pattern"], doc))
        except (re.error, KeyError, TypeError, AttributeError) as exc:
            ck.add(rel, f"rule #{i + 1}", f"bad pattern: {exc}")
            continue
        if not isinstance(r.get("to"), str):
            ck.add(rel, f"rule #{i + 1}", f"'to' must be a word, not {r.get('to')!r}")
    return doc
