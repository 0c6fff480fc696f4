"""Numbered knowledge versions in SQLite: check, publish, history, diff, roll back, export and import.

A version is a snapshot of every YAML file of the knowledge base ({path: text}); the official
documents in knowledge/sources/ are not versioned (citations are checked against them). Until the
first publish the bot answers from the knowledge/ files; the first publish records those files as
version 1, and from then on the bot answers from the newest version in the store.

Every publish is checked first: the loader's checks (schema, duplicate questions, missing
translations, broken citations) and the matcher's (a sample question that would now be answered by
a different entry than before). A refused publish raises PublishRefused and changes nothing. An
accepted one is a new row (who, when, what changed) and the new knowledge is built whole before it
is handed to the assistants, which swap it in with one assignment.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import tempfile
import threading
import weakref
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from . import knowledge
from .knowledge import KnowledgeError

KST = timezone(timedelta(hours=9))
FAQ_CSV = "faq.csv"
CSV_COLUMNS = ["id", "file", "topic", "questions_ko", "questions_en", "answer_ko", "answer_en",
               "source_doc", "source_section", "source_quote"]
ADMIN_FAQ_FILE = "faq/admin.yaml"  # where entries added in the messenger go
TWINS_FILE = "scheme_twins.yaml"  # pairs of FAQ ids: deleting an entry drops its pairs


class PublishRefused(KnowledgeError):
    """A publish that failed its checks; nothing was changed. `problems` lists (file, entry, problem)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__(problems)
        self.args = ("\n".join(": ".join(x for x in p if x) for p in problems),)

    def __str__(self) -> str:
        return self.args[0]


# -- tables --------------------------------------------------------------------------------------
_locks: "weakref.WeakKeyDictionary[object, threading.RLock]" = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def lock(store) -> threading.RLock:
    """The store's lock (one transaction at a time on its connection): publishes are serialised and a
    version check never sees half a write."""
    found = getattr(store, "lock", None)
    if found is not None:
        return found
    with _locks_guard:
        found = _locks.get(store)
        if found is None:
            found = _locks[store] = threading.RLock()
        return found


def ensure_tables(store) -> None:
    db = store.db
    with lock(store):
        if "kb_versions" not in db.table_names():
            db["kb_versions"].create({"number": int, "created_at": str, "author": str, "note": str,
                                      "changes": str, "digest": str, "files": bytes}, pk="number")


def audit(store, user: str | None, action: str, allowed: bool, detail: str = "") -> None:
    """An entry in the store's append-only audit log (shared with the officer checklists)."""
    from .checklists import audit as write

    with lock(store), store.db.conn as conn:
        write(conn, user, "kb " + action, datetime.now(KST), allowed=allowed, detail=detail)


def _now() -> str:
    return datetime.now(KST).isoformat(timespec="seconds")


# -- snapshots -----------------------------------------------------------------------------------
def read_dir(directory: str | Path) -> dict[str, str]:
    """Every YAML file of a knowledge directory as {relative path: text} (sources/ excluded)."""
    directory = Path(directory)
    return {p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(directory.rglob("*.yaml")) if "sources" not in p.relative_to(directory).parts}


def digest(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_files(files: dict[str, str], base_dir: str | Path) -> knowledge.Knowledge:
    """Validate and load a snapshot; the documents its citations point at come from base_dir/sources.

    Problems name the snapshot's own paths (faq/admin.yaml), never the temporary directory.
    """
    base_dir = Path(base_dir)
    with tempfile.TemporaryDirectory(prefix="kb-") as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if (base_dir / "sources").is_dir():
            (root / "sources").symlink_to((base_dir / "sources").resolve(), target_is_directory=True)
        try:
            kb = knowledge.load(root)
        except KnowledgeError as exc:
            prefix = str(root) + "/"
            raise PublishRefused([(f.replace(prefix, ""), e, p.replace(prefix, "")) for f, e, p in exc.problems]) \
                from None
    kb.directory = base_dir
    return kb


# Built knowledge (kb + matcher) by content digest, shared by every assistant of the process
# (Telegram's and Slack's), so a version is built once and swapped into all of them.
_built: "OrderedDict[str, object]" = OrderedDict()
_built_lock = threading.Lock()


def _build(files: dict[str, str], base_dir: Path, key: str | None = None):
    from .app import build

    key = key or digest(files)
    with _built_lock:
        if key in _built:
            _built.move_to_end(key)
            return _built[key]
    loaded = build(load_files(files, base_dir))
    with _built_lock:
        _built[key] = loaded
        while len(_built) > 4:
            _built.popitem(last=False)
    return loaded


def current_number(store) -> int | None:
    with lock(store):
        row = store.db.execute("select max(number) from kb_versions").fetchone()
    return row[0] if row else None


def version(store, number: int) -> dict:
    """One version's row with its files decoded; KeyError when there is no such version."""
    with lock(store):
        rows = list(store.db["kb_versions"].rows_where("number = ?", [number]))
    if not rows:
        raise KeyError(number)
    row = rows[0]
    return {**row, "files": json.loads(zlib.decompress(row["files"]).decode()), "changes": json.loads(row["changes"])}


def history(store) -> list[dict]:
    with lock(store):
        rows = store.db.execute("select number, created_at, author, note, changes from kb_versions order by number")
        return [{"number": n, "created_at": at, "author": a, "note": note, "changes": json.loads(ch)}
                for n, at, a, note, ch in rows.fetchall()]


def loaded_version(store, number: int, base_dir: Path):
    """The built knowledge of version `number`, tagged with its number."""
    from .app import Loaded

    v = version(store, number)
    built = _build(v["files"], base_dir, v["digest"])
    return Loaded(built.kb, built.matcher, number)


def current_files(store, base_dir: Path) -> dict[str, str]:
    number = current_number(store)
    return version(store, number)["files"] if number else read_dir(base_dir)


# -- checks --------------------------------------------------------------------------------------
def faq_entries(files: dict[str, str]) -> dict[str, tuple[str, dict]]:
    """{id: (file, entry)} of the FAQ in a snapshot (entries without a usable id are skipped)."""
    out = {}
    for rel, text in files.items():
        if rel.startswith("faq/"):
            try:
                data = yaml.load(text, Loader=knowledge._Loader)
            except yaml.YAMLError:
                continue
            for e in data if isinstance(data, list) else []:
                if isinstance(e, dict) and isinstance(e.get("id"), str):
                    out[e["id"]] = (rel, e)
    return out


def changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """What changed between two snapshots, one line each: FAQ entries by id, other files by name."""
    out = []
    a, b = faq_entries(old), faq_entries(new)
    for eid in sorted(set(b) - set(a)):
        out.append(f"faq: added '{eid}'")
    for eid in sorted(set(a) - set(b)):
        out.append(f"faq: deleted '{eid}'")
    for eid in sorted(set(a) & set(b)):
        ea, eb = a[eid][1], b[eid][1]
        fields = sorted({k for k in set(ea) | set(eb) if ea.get(k) != eb.get(k)})
        if fields:
            out.append(f"faq: changed '{eid}' ({', '.join(fields)})")
    for rel in sorted(set(old) | set(new)):
        if not rel.startswith("faq/") and old.get(rel) != new.get(rel):
            out.append(f"{rel}: " + ("added" if rel not in old else "deleted" if rel not in new else "changed"))
    return out


def _candidates(matcher, text: str) -> set[int]:
    """The entries the matcher would consider for `text` (its bigram index step), by index."""
    from .matcher import grams

    toks = matcher.norm.tokens(text)
    return {idx for idx, _ in matcher.shortlist(grams("".join(toks), toks))}


def _best(matcher, text: str) -> str | None:
    best, _ = matcher.match(text)
    return best.entry["id"] if best else None


def routing(old, new, changed: set[str], added: set[str], files: dict[str, str]) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """Sample questions the change touches, as the new knowledge answers them.

    `files` names each entry's file. Returns (problems, samples). A problem is a question of an unchanged entry that a changed entry
    now takes from the entry that answered it before, or a question of a new or edited entry that
    the entry itself does not get (another entry answers it). Questions of deleted entries are
    expected to move. Only the questions the changed entries can reach are re-asked, so a publish
    stays fast.
    """
    problems, samples = [], []
    changed_idx = {i for i, e in enumerate(new.matcher.entries) if e["id"] in changed}
    for e in new.kb.faq:
        own = e["id"] in changed
        for q in e["questions"]["ko"] + e["questions"]["en"]:
            if not own and not (_candidates(new.matcher, q) & changed_idx):
                continue
            after = _best(new.matcher, q)
            if own:
                samples.append({"question": q, "entry": e["id"], "answered_by": after})
                if after != e["id"] and (e["id"] in added or old is None or _best(old.matcher, q) == e["id"]):
                    by = f"'{after}'" if after else "no entry"
                    problems.append((files[e["id"]], e["id"], f"question {q!r} is answered by {by}, not by this entry"))
            elif after in changed:
                before = _best(old.matcher, q) if old is not None else e["id"]
                if after != before:
                    samples.append({"question": q, "entry": e["id"], "answered_by": after})
                    problems.append((files[e["id"]], e["id"], f"question {q!r} would now be answered by '{after}' "
                                                              f"instead of '{before}'"))
    return problems, samples


@dataclass
class Checked:
    """A snapshot that passed every check, built and ready to swap in."""

    files: dict[str, str]
    loaded: object
    changes: list[str]
    samples: list[dict]


def check(files: dict[str, str], base_dir: Path, old=None, old_files: dict[str, str] | None = None) -> Checked:
    """Validate a snapshot against the one it replaces; raise PublishRefused naming every problem."""
    loaded = _build(files, base_dir)
    old_files = old_files if old_files is not None else {}
    summary = changes(old_files, files)
    a, b = faq_entries(old_files), faq_entries(files)
    changed = {eid for eid in b if eid not in a or a[eid][1] != b[eid][1]}
    added = set(b) - set(a)
    problems, samples = routing(old, loaded, changed, added, {i: f for i, (f, _) in b.items()}) if changed else ([], [])
    if problems:
        raise PublishRefused(problems)
    return Checked(files, loaded, summary, samples)


# -- publishing ----------------------------------------------------------------------------------
def publish(store, base_dir: str | Path, files: dict[str, str], author: str, note: str, old=None) -> tuple[int, Checked]:
    """Check and record a new version; returns (number, checked). Raises PublishRefused, changing nothing.

    `old` is the knowledge the bot answers with now (for the routing check); None loads it.
    """
    base_dir = Path(base_dir)
    ensure_tables(store)
    with lock(store):
        number = current_number(store)
        if number is None:
            old_files = read_dir(base_dir)
        else:
            old_files = version(store, number)["files"]
        if old is None or getattr(old, "version", None) != number:
            old = _build(old_files, base_dir) if number is None else loaded_version(store, number, base_dir)
        checked = check(files, base_dir, old, old_files)
        if not checked.changes:
            raise PublishRefused([("", "", "nothing changed: the draft is the same as the published version")])
        with store.db.conn:
            if number is None:
                _insert(store, 1, old_files, "files", "the knowledge/ files before the first publish", [])
                number = 1
            _insert(store, number + 1, files, author, note, checked.changes)
        return number + 1, checked


def _insert(store, number: int, files: dict[str, str], author: str, note: str, summary: list[str]) -> None:
    store.db["kb_versions"].insert({
        "number": number, "created_at": _now(), "author": author, "note": note,
        "changes": json.dumps(summary, ensure_ascii=False), "digest": digest(files),
        "files": zlib.compress(json.dumps(files, ensure_ascii=False).encode()),
    })


def rollback(store, base_dir: str | Path, number: int, author: str, old=None) -> tuple[int, Checked]:
    """Publish version `number`'s files again as a new version (history only grows)."""
    ensure_tables(store)
    try:
        files = version(store, number)["files"]
    except KeyError:
        raise PublishRefused([("", f"version {number}", "no such version (see kb history)")]) from None
    base_dir = Path(base_dir)
    with lock(store):
        current = current_number(store)
        old_files = version(store, current)["files"]
        if files == old_files:
            raise PublishRefused([("", f"version {number}", "is already what the bot answers with")])
        checked_loaded = _build(files, base_dir)  # no routing check: it was published before
        summary = changes(old_files, files)
        with store.db.conn:
            _insert(store, current + 1, files, author, f"rollback to version {number}", summary)
        return current + 1, Checked(files, checked_loaded, summary, [])


def diff(store, a: int, b: int) -> str:
    """The changes from version a to version b: the summary, then a unified diff of the files."""
    try:
        fa, fb = version(store, a)["files"], version(store, b)["files"]
    except KeyError as exc:
        raise PublishRefused([("", f"version {exc.args[0]}", "no such version (see kb history)")]) from None
    lines = changes(fa, fb) or ["no changes"]
    for rel in sorted(set(fa) | set(fb)):
        if fa.get(rel) != fb.get(rel):
            lines += list(difflib.unified_diff((fa.get(rel) or "").splitlines(), (fb.get(rel) or "").splitlines(),
                                               f"v{a}/{rel}", f"v{b}/{rel}", lineterm="", n=2))
    return "\n".join(lines)


# -- editing one FAQ entry -----------------------------------------------------------------------
def _dump(entries: list) -> str:
    return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000)


def with_entry(files: dict[str, str], entry: dict) -> dict[str, str]:
    """The snapshot with `entry` replacing the entry of the same id, or added to faq/admin.yaml."""
    found = faq_entries(files).get(entry["id"])
    rel = found[0] if found else ADMIN_FAQ_FILE
    data = yaml.load(files.get(rel, "[]"), Loader=knowledge._Loader) or []
    if found:
        data = [entry if isinstance(e, dict) and e.get("id") == entry["id"] else e for e in data]
    else:
        data.append(entry)
    return {**files, rel: _dump(data)}


def without_entry(files: dict[str, str], entry_id: str) -> dict[str, str]:
    """The snapshot without one FAQ entry, and without the scheme pairs that name it (scheme_twins.yaml)."""
    rel = faq_entries(files)[entry_id][0]
    data = yaml.load(files[rel], Loader=knowledge._Loader)
    data = [e for e in data if not (isinstance(e, dict) and e.get("id") == entry_id)]
    out = dict(files)
    if data:
        out[rel] = _dump(data)
    else:
        del out[rel]
    if TWINS_FILE in out:
        out[TWINS_FILE] = _without_pairs(out[TWINS_FILE], entry_id)
    return out


def _without_pairs(text: str, entry_id: str) -> str:
    """scheme_twins.yaml without the pairs naming `entry_id`: their lines are dropped, so the file keeps its
    comments; a file written another way is dumped again."""
    try:
        doc = yaml.safe_load(text)
        pairs = doc["pairs"]
    except (yaml.YAMLError, TypeError, KeyError):
        return text  # a broken file stays as it is: the check names its problem
    keep = [p for p in pairs if not (isinstance(p, dict) and entry_id in p.values())]
    if len(keep) == len(pairs):
        return text
    named = re.compile(rf"^\s*-\s*\{{.*(?<![\w-]){re.escape(entry_id)}(?![\w-]).*\}}\s*$")
    lines = "".join(line for line in text.splitlines(keepends=True) if not named.match(line))
    try:
        if yaml.safe_load(lines).get("pairs") == keep:
            return lines
    except (yaml.YAMLError, AttributeError):
        pass
    return yaml.safe_dump({**doc, "pairs": keep}, allow_unicode=True, sort_keys=False)


# -- files for an editor or a spreadsheet --------------------------------------------------------
def export(files: dict[str, str], directory: str | Path) -> list[str]:
    """Write a snapshot to `directory`: the FAQ as faq.csv (one row per entry), the rest as YAML."""
    directory = Path(directory)
    written = []
    for rel, text in files.items():
        if rel.startswith("faq/"):
            continue
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_text(text, encoding="utf-8")
        written.append(rel)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / FAQ_CSV).open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads it as UTF-8
        out = csv.DictWriter(fh, CSV_COLUMNS)
        out.writeheader()
        for eid, (rel, e) in faq_entries(files).items():
            src = e.get("source") or {}
            out.writerow({"id": eid, "file": rel, "topic": e.get("topic", ""),
                          "questions_ko": "\n".join(e["questions"]["ko"]), "questions_en": "\n".join(e["questions"]["en"]),
                          "answer_ko": e["answer"]["ko"], "answer_en": e["answer"]["en"], "source_doc": src.get("doc", ""),
                          "source_section": src.get("section", ""), "source_quote": src.get("quote") or ""})
    written.append(FAQ_CSV)
    return sorted(written)


def read_import(directory: str | Path) -> dict[str, str]:
    """A directory as written by export() (or a knowledge/ directory) as a snapshot.

    Raises PublishRefused naming the file, the line and the problem when faq.csv is malformed.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise PublishRefused([(str(directory), "", "directory not found")])
    files = read_dir(directory)
    csv_path = directory / FAQ_CSV
    if not csv_path.is_file():
        return files
    files = {rel: text for rel, text in files.items() if not rel.startswith("faq/")}
    problems, by_file = [], {}
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PublishRefused([(FAQ_CSV, "", "is not UTF-8 text (save it as CSV UTF-8)")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise PublishRefused([(FAQ_CSV, "line 1", f"missing columns: {', '.join(missing)}")])
    for row in reader:
        where = f"line {reader.line_num}" + (f" '{row['id']}'" if row.get("id") else "")
        lists = {lang: [q.strip() for q in (row[f"questions_{lang}"] or "").splitlines() if q.strip()]
                 for lang in ("ko", "en")}
        entry = {"id": (row["id"] or "").strip(), "topic": (row["topic"] or "").strip(), "questions": lists,
                 "answer": {"ko": (row["answer_ko"] or "").strip(), "en": (row["answer_en"] or "").strip()},
                 "source": {"doc": (row["source_doc"] or "").strip(), "section": (row["source_section"] or "").strip()}}
        if (row["source_quote"] or "").strip():
            entry["source"]["quote"] = row["source_quote"].strip()
        rel = (row["file"] or "").strip() or ADMIN_FAQ_FILE
        if not rel.startswith("faq/") or not rel.endswith(".yaml") or ".." in rel:
            problems.append((FAQ_CSV, where, f"file must be faq/<name>.yaml, not {rel!r}"))
            continue
        by_file.setdefault(rel, []).append((reader.line_num, entry))
    if problems:
        raise PublishRefused(problems)
    for rel, rows in by_file.items():
        files[rel] = _dump([e for _, e in rows])
    return files


def csv_lines(directory: str | Path) -> dict[str, int]:
    """{entry id: its line in faq.csv}, to point the loader's problems at the spreadsheet row."""
    path = Path(directory) / FAQ_CSV
    if not path.is_file():
        return {}
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    return {(row.get("id") or "").strip(): reader.line_num for row in reader}


def name_csv_lines(exc: KnowledgeError, directory: str | Path) -> PublishRefused:
    """The loader's problems in faq/*.yaml of an imported faq.csv, named by the CSV line instead."""
    lines = csv_lines(directory)
    if not lines:
        return exc if isinstance(exc, PublishRefused) else PublishRefused(exc.problems)
    out = []
    for f, e, p in exc.problems:
        if f.startswith("faq/") or f == "faq":
            eid = next((i for i in lines if i and f"'{i}'" in e or e == i), None)
            f, e = FAQ_CSV, (f"line {lines[eid]} '{eid}'" if eid else e)
        out.append((f, e, p))
    return PublishRefused(out)


def validate_import(files: dict[str, str], directory: str | Path) -> knowledge.Knowledge:
    """Load an imported snapshot (sources from the knowledge/ directory); problems name faq.csv lines."""
    from .config import load as load_config

    try:
        return load_files(files, load_config().knowledge_dir)
    except KnowledgeError as exc:
        raise name_csv_lines(exc, directory) from None


def cli(args, make_assistant) -> int:
    """`python -m bot kb export|import|history|diff|rollback`."""
    assistant, _ = make_assistant(with_store=True)
    store, base = assistant.store, assistant.base_dir
    if args.kb_command == "export":
        written = export(current_files(store, base), args.dir)
        number = current_number(store)
        print(f"exported {'version ' + str(number) if number else 'the knowledge/ files'} to {args.dir}: "
              + ", ".join(written))
    elif args.kb_command == "import":
        files = read_import(args.dir)
        try:
            number, checked = publish(store, base, files, args.author, f"kb import {Path(args.dir).name}",
                                      old=assistant.refresh())
        except KnowledgeError as exc:
            raise name_csv_lines(exc, args.dir) from None
        print(f"published version {number}:" + "".join(f"\n  {c}" for c in checked.changes))
        audit(store, args.author, "import", True, f"version {number}")
    elif args.kb_command == "history":
        rows = history(store)
        if not rows:
            print("nothing published yet: the bot answers from the knowledge/ files")
        for r in rows:
            print(f"v{r['number']}  {r['created_at']}  {r['author']}  {r['note']}"
                  + "".join(f"\n    {c}" for c in r["changes"]))
    elif args.kb_command == "diff":
        print(diff(store, args.v1, args.v2))
    elif args.kb_command == "rollback":
        if current_number(store) is None:
            raise PublishRefused([("", f"version {args.version}", "nothing has been published yet")])
        number, checked = rollback(store, base, args.version, args.author)
        audit(store, args.author, "rollback", True, f"version {number} = version {args.version}")
        print(f"version {args.version} is back, published as version {number}:"
              + "".join(f"\n  {c}" for c in checked.changes))
    return 0
