"""The SQLite store (sqlite-utils): the issuance registry, user preferences, unanswered questions.

Everything a restart must not lose lives here. Tables are created on open, so a fresh file works.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

KST = timezone(timedelta(hours=9))
_SCHEMA = threading.Lock()  # creating or upgrading the tables: one Store at a time in this process


class Store:
    def __init__(self, path: str | Path):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()  # one write transaction at a time on this connection (checklist ticks)
        from .checklists import create_tables
        from .feedback import ensure_tables as feedback_tables
        from .knowledge_versions import ensure_tables as knowledge_version_tables
        from .live import ensure_tables as live_tables  # subscriptions, proposals, announcements (issue 5)

        with _SCHEMA:  # the channels and the live status open the same new file at once, each in its thread
            # check_same_thread=False: the Slack channel calls from bolt's worker threads, one call at a time
            self.db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
            if str(path) != ":memory:" and self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode=WAL")  # once per file: it stays WAL
            self._create()
            create_tables(self.db)
            live_tables(self)
            # Every table is made here, once, under the lock: two connections creating the same table at once
            # meet "database is locked" at once, whatever the busy timeout (seen when `run` starts the live
            # status beside a channel).
            knowledge_version_tables(self)
            feedback_tables(self)

    def _create(self) -> None:
        if "issuances" not in self.db.table_names():
            self.db["issuances"].create({
                "id": int, "sido": str, "measure": str, "state": str, "effective_date": str,
                "starts_at": str, "ends_at": str, "decided_at": str, "decided_by": str, "conditions": str,
            }, pk="id")
            self.db["issuances"].create_index(["sido", "effective_date"])
        for column in ("released_at", "released_by"):  # an early release (added later: older files get them here)
            if column not in self.db["issuances"].columns_dict:
                self.db["issuances"].add_column(column, str)
        if "users" not in self.db.table_names():
            self.db["users"].create({"user": str, "lang": str, "updated_at": str}, pk="user")
        if "conversations" not in self.db.table_names():
            self.db["conversations"].create({"user": str, "state": str, "updated_at": str}, pk="user")
        if "processed_updates" not in self.db.table_names():
            self.db["processed_updates"].create({"platform": str, "update_id": str, "at": str},
                                                pk=("platform", "update_id"))
        if "misses" not in self.db.table_names():
            self.db["misses"].create({"id": int, "text": str, "lang": str, "user": str, "at": str}, pk="id")

    def statuses(self, sido: str | None = None, day: date | None = None) -> list[dict]:
        """Recorded measures, newest decision first, optionally for one 시·도 and effective day."""
        where, args = [], []
        if sido:
            where.append("sido = ?")
            args.append(sido)
        if day:
            where.append("effective_date = ?")
            args.append(day.isoformat())
        rows = self.db["issuances"].rows_where(" and ".join(where) or None, args, order_by="decided_at desc")
        return [{**r, "conditions": json.loads(r["conditions"] or "[]")} for r in rows]

    def language(self, user: str) -> str | None:
        try:
            return self.db["users"].get(user)["lang"]
        except sqlite_utils.db.NotFoundError:
            return None

    def set_language(self, user: str, lang: str) -> None:
        self.db["users"].upsert({"user": user, "lang": lang, "updated_at": datetime.now(KST).isoformat()}, pk="user")

    def conversation(self, user: str) -> dict | None:
        """The step a user is at in a guided conversation (/check), or None."""
        try:
            return json.loads(self.db["conversations"].get(user)["state"])
        except sqlite_utils.db.NotFoundError:
            return None

    def set_conversation(self, user: str, state: dict | None) -> None:
        if state is None:
            self.db["conversations"].delete_where("user = ?", [user])
        else:
            self.db["conversations"].upsert({"user": user, "state": json.dumps(state, ensure_ascii=False),
                                             "updated_at": datetime.now(KST).isoformat()}, pk="user")

    def first_delivery(self, platform: str, update_id: str | int) -> bool:
        """Record an incoming update; False when it was already processed (a redelivery)."""
        with self.db.conn:
            cur = self.db.conn.execute("insert or ignore into processed_updates (platform, update_id, at) values (?, ?, ?)",
                                       [platform, str(update_id), datetime.now(KST).isoformat()])
        return cur.rowcount == 1

    def record_miss(self, text: str, lang: str, user: str | None) -> None:
        """Keep a question the bot could not answer, so an admin can add an entry for it."""
        self.db["misses"].insert({"text": text, "lang": lang, "user": user or "", "at": datetime.now(KST).isoformat()})

    def misses(self, limit: int = 20) -> list[dict]:
        return list(self.db.query(
            "select text, count(*) as n, max(at) as last from misses group by text order by n desc, last desc limit ?",
            [limit]))
