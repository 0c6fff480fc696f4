"""Learn from misses: the 👍/👎 users give FAQ answers, kept in the store for the admin's /kb misses.

Every FAQ answer carries two buttons, "fb:<faq-id>:up" and "fb:<faq-id>:down" (at most 64 bytes, as
Telegram's callback_data allows). The question that led to the answer does not travel in the payload:
when the answer is given, it is kept per user and entry (`answered`), and a vote takes it from there.
A vote is one row per user and entry: pressing again changes the vote, it never counts twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

KST = timezone(timedelta(hours=9))
PREFIX = "fb"
VOTES = ("up", "down")
MAX_QUESTION = 1000  # the router refuses longer messages anyway


def payload(faq_id: str, vote: str) -> str:
    return f"{PREFIX}:{faq_id}:{vote}"


def parse(value: str) -> tuple[str, str] | None:
    """'<faq-id>:up|down' (the part after 'fb:') → (faq id, vote), or None when malformed."""
    faq_id, _, vote = (value or "").rpartition(":")
    if not faq_id or vote not in VOTES:
        return None
    return faq_id, vote


def ensure_tables(store) -> None:
    if getattr(store, "_feedback_tables", False):
        return
    with store.lock:
        names = store.db.table_names()
        if "faq_answered" not in names:
            store.db["faq_answered"].create({"user": str, "faq_id": str, "question": str, "lang": str, "at": str},
                                            pk=("user", "faq_id"))
        if "faq_feedback" not in names:
            store.db["faq_feedback"].create({"user": str, "faq_id": str, "vote": str, "question": str, "lang": str,
                                             "at": str, "first_at": str}, pk=("user", "faq_id"))
            store.db["faq_feedback"].create_index(["faq_id", "vote"])
    store._feedback_tables = True


def _now(now: datetime | None) -> str:
    return (now or datetime.now(KST)).isoformat()


def remember_answer(store, user: str, faq_id: str, question: str, lang: str, now: datetime | None = None) -> None:
    """The question `user` asked that `faq_id` answered: what a later 👍/👎 on that answer refers to."""
    ensure_tables(store)
    with store.lock:
        store.db["faq_answered"].upsert({"user": user, "faq_id": faq_id, "question": (question or "")[:MAX_QUESTION],
                                         "lang": lang, "at": _now(now)}, pk=("user", "faq_id"))


def record(store, user: str, faq_id: str, vote: str, lang: str, now: datetime | None = None) -> dict:
    """Record `user`'s vote on the answer `faq_id` (replacing an earlier one); returns the row."""
    if vote not in VOTES:
        raise ValueError(vote)
    ensure_tables(store)
    with store.lock:
        asked = next(iter(store.db.query("select question, lang from faq_answered where user = ? and faq_id = ?",
                                         [user, faq_id])), None)
        earlier = next(iter(store.db.query("select first_at from faq_feedback where user = ? and faq_id = ?",
                                           [user, faq_id])), None)
        at = _now(now)
        row = {"user": user, "faq_id": faq_id, "vote": vote, "question": asked["question"] if asked else "",
               "lang": asked["lang"] if asked else lang, "at": at, "first_at": earlier["first_at"] if earlier else at}
        store.db["faq_feedback"].upsert(row, pk=("user", "faq_id"))
    return row


def votes(store, faq_id: str | None = None) -> list[dict]:
    ensure_tables(store)
    where, args = ("where faq_id = ?", [faq_id]) if faq_id else ("", [])
    return list(store.db.query(f"select * from faq_feedback {where} order by at", args))


def most_disliked(store, limit: int = 5, questions: int = 3) -> list[dict]:
    """The answers most often marked 👎 (each user counted once): {faq_id, n, questions, last}."""
    ensure_tables(store)
    rows = list(store.db.query(
        "select faq_id, count(*) as n, max(at) as last from faq_feedback where vote = 'down' "
        "group by faq_id order by n desc, last desc limit ?", [limit]))
    for row in rows:
        row["questions"] = [r["question"] for r in store.db.query(
            "select question, max(at) as last from faq_feedback where faq_id = ? and vote = 'down' and question != '' "
            "group by question order by count(*) desc, last desc limit ?", [row["faq_id"], questions])]
    return rows
