"""The store that ships: one SQLite file (``<data_dir>/autogpt.db``) in WAL mode.

Every write is its own transaction, committed before the call returns, so a process killed at any moment
(kill -9 included) leaves every completed write in the file. ``synchronous=NORMAL`` keeps that guarantee
against a killed process; a power cut may lose the last few writes. Several processes (a CLI run and a
server) can share one file.

Leases (see :mod:`.base`) are two columns of ``tasks``, their times in UTC by this machine's clock (every
process sharing the file runs on it). A file made before leases existed gets the columns when it is opened.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from autogpt.errors import NotFoundError, StoreError
from autogpt.store.base import RESUMABLE, ArtifactRecord, ProtocolStep, TaskRecord, now, storable_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY,
    input TEXT NOT NULL,
    additional_input TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    goals TEXT NOT NULL,
    status TEXT NOT NULL,
    workspace TEXT NOT NULL,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    result TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT
);
CREATE INDEX IF NOT EXISTS tasks_created ON tasks (created_at);
CREATE TABLE IF NOT EXISTS history (
    task_id TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    step TEXT NOT NULL,
    PRIMARY KEY (task_id, number)
);
CREATE TABLE IF NOT EXISTS protocol_steps (
    task_id TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (task_id, step_id)
);
CREATE TABLE IF NOT EXISTS artifacts (
    task_id TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
    artifact_id TEXT NOT NULL,
    path TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (task_id, artifact_id),
    UNIQUE (task_id, path)
);
CREATE TABLE IF NOT EXISTS events (
    task_id TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (task_id, seq)
);
CREATE TABLE IF NOT EXISTS calls (
    task_id TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (task_id, number)
);
"""

#: Columns added to ``tasks`` after its first version: a file made before them gets them when opened.
_ADDED_COLUMNS = (("lease_owner", "TEXT"), ("lease_until", "TEXT"))

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_FIELDS = ("additional_input", "goals", "options", "state", "result")
_TASK_COLUMNS = ", ".join(TaskRecord.model_fields)  # in TaskRecord's order (see SQLiteStore._task)
_LEASE_FREE = "(lease_owner IS NULL OR lease_until IS NULL OR lease_until <= :now)"
_RESUMABLE = ", ".join(f"'{status}'" for status in RESUMABLE)


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a model's "\udcff", a file name that is not UTF-8) cannot be stored as UTF-8 text:
        # kept as printable text instead ("\\udcff"), so everything read back prints and goes out as JSON.
        text = _SURROGATE.sub(lambda m: f"\\\\u{ord(m.group()):04x}", text)
    return text


def _column(key: str, value: Any) -> Any:
    """A task field as stored: JSON text, or the value itself (text made storable)."""
    if key in _JSON_FIELDS:
        return _dumps(value)
    return storable_text(value) if isinstance(value, str) else value


def _stamp(moment: datetime) -> str:
    """A lease time as stored: ISO 8601 with microseconds, so that stamps compare as text."""
    return moment.isoformat(timespec="microseconds")


class SQLiteStore:
    """A :class:`~autogpt.store.base.Store` in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Cannot open the store {self.path}: {exc}") from None
        self._migrate()

    def _migrate(self) -> None:
        """Add the columns that a file made by an older version lacks (in one transaction, so that two
        processes opening it at once do not both add them)."""
        with self._tx() as db:
            have = {row[1] for row in db.execute("PRAGMA table_info(tasks)")}
            for name, kind in _ADDED_COLUMNS:
                if name not in have:
                    db.execute(f"ALTER TABLE tasks ADD COLUMN {name} {kind}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"The store {self.path} failed: {exc}") from None

    def _query(self, sql: str, args: tuple[Any, ...] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"The store {self.path} failed: {exc}") from None

    # --- tasks ------------------------------------------------------------------------------------------

    def create_task(self, task: TaskRecord) -> TaskRecord:
        row = task.model_dump(mode="json")
        names = ", ".join(f":{k}" for k in row)
        with self._tx() as db:
            db.execute(f"INSERT INTO tasks ({', '.join(row)}) VALUES ({names})",  # noqa: S608 - field names
                       {k: _column(k, v) for k, v in row.items()})
        return task

    def get_task(self, task_id: str) -> TaskRecord:
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE task_id = ?", (task_id,))
        if not rows:
            raise NotFoundError(f"No task {task_id!r}.")
        return self._task(rows[0])

    def list_tasks(self, page: int = 1, page_size: int = 20) -> tuple[list[TaskRecord], int]:
        total = self._query("SELECT count(*) FROM tasks")[0][0]
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM tasks ORDER BY created_at DESC, task_id DESC"
                           " LIMIT ? OFFSET ?", (page_size, (page - 1) * page_size))
        return [self._task(r) for r in rows], total

    def children(self, task_id: str) -> list[TaskRecord]:
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE json_extract(options, '$.parent_id') = ?"
                           " ORDER BY created_at, task_id", (task_id,))
        return [self._task(r) for r in rows]

    def update_task(self, task_id: str, **fields: Any) -> None:
        allowed = set(TaskRecord.model_fields) - {"task_id", "created_at", "modified_at"}
        if unknown := set(fields) - allowed:
            raise StoreError(f"Unknown task fields: {sorted(unknown)}")
        values = {k: _column(k, v) for k, v in fields.items()}
        values["modified_at"] = now().isoformat()
        sets = ", ".join(f"{k} = :{k}" for k in values)
        with self._tx() as db:
            if db.execute(f"UPDATE tasks SET {sets} WHERE task_id = :task_id",  # noqa: S608 - names checked above
                          {**values, "task_id": task_id}).rowcount == 0:
                raise NotFoundError(f"No task {task_id!r}.")

    @staticmethod
    def _task(row: tuple[Any, ...]) -> TaskRecord:
        """A row of ``SELECT {_TASK_COLUMNS}`` as a record."""
        names = list(TaskRecord.model_fields)
        data = dict(zip(names, row, strict=True))
        for key in _JSON_FIELDS:
            data[key] = json.loads(data[key]) if data[key] is not None else None
        return TaskRecord.model_validate(data)

    # --- the loop's history and state ------------------------------------------------------------------

    def record_step(self, task_id: str, number: int, step: dict[str, Any], state: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO history VALUES (?, ?, ?)", (task_id, number, _dumps(step)))
            db.execute("UPDATE tasks SET state = ?, modified_at = ? WHERE task_id = ?",
                       (_dumps(state), now().isoformat(), task_id))

    def save_state(self, task_id: str, state: dict[str, Any], status: str | None = None) -> None:
        fields: dict[str, Any] = {"state": state}
        if status is not None:
            fields["status"] = status
        self.update_task(task_id, **fields)

    def history(self, task_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT step FROM history WHERE task_id = ? ORDER BY number", (task_id,))
        return [json.loads(r[0]) for r in rows]

    # --- protocol steps -----------------------------------------------------------------------------------

    def save_protocol_step(self, step: ProtocolStep) -> None:
        step.modified_at = now()
        with self._tx() as db:
            seq = db.execute("SELECT seq FROM protocol_steps WHERE task_id = ? AND step_id = ?",
                             (step.task_id, step.step_id)).fetchone()
            if seq is None:
                seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM protocol_steps WHERE task_id = ?",
                                 (step.task_id,)).fetchone()
            db.execute("INSERT OR REPLACE INTO protocol_steps VALUES (?, ?, ?, ?)",
                       (step.task_id, step.step_id, seq[0], _dumps(step.model_dump(mode="json"))))

    def get_protocol_step(self, task_id: str, step_id: str) -> ProtocolStep:
        rows = self._query("SELECT data FROM protocol_steps WHERE task_id = ? AND step_id = ?", (task_id, step_id))
        if not rows:
            raise NotFoundError(f"No step {step_id!r} in task {task_id!r}.")
        return ProtocolStep.model_validate_json(rows[0][0])

    def list_protocol_steps(self, task_id: str, page: int = 1, page_size: int = 20) -> tuple[list[ProtocolStep], int]:
        total = self._query("SELECT count(*) FROM protocol_steps WHERE task_id = ?", (task_id,))[0][0]
        rows = self._query("SELECT data FROM protocol_steps WHERE task_id = ? ORDER BY seq LIMIT ? OFFSET ?",
                           (task_id, page_size, (page - 1) * page_size))
        return [ProtocolStep.model_validate_json(r[0]) for r in rows], total

    # --- artifacts ----------------------------------------------------------------------------------------

    def add_artifact(self, artifact: ArtifactRecord) -> ArtifactRecord:
        path = storable_text(artifact.path)
        with self._tx() as db:
            row = db.execute("SELECT data FROM artifacts WHERE task_id = ? AND path = ?",
                             (artifact.task_id, path)).fetchone()
            if row is not None:
                return ArtifactRecord.model_validate_json(row[0])
            data = _dumps(artifact.model_dump(mode="json"))
            db.execute("INSERT INTO artifacts VALUES (?, ?, ?, ?)",
                       (artifact.task_id, artifact.artifact_id, path, data))
        return artifact

    def get_artifact(self, task_id: str, artifact_id: str) -> ArtifactRecord:
        rows = self._query("SELECT data FROM artifacts WHERE task_id = ? AND artifact_id = ?", (task_id, artifact_id))
        if not rows:
            raise NotFoundError(f"No artifact {artifact_id!r} in task {task_id!r}.")
        return ArtifactRecord.model_validate_json(rows[0][0])

    def list_artifacts(self, task_id: str, page: int = 1, page_size: int = 20) -> tuple[list[ArtifactRecord], int]:
        total = self._query("SELECT count(*) FROM artifacts WHERE task_id = ?", (task_id,))[0][0]
        rows = self._query("SELECT data FROM artifacts WHERE task_id = ? ORDER BY rowid LIMIT ? OFFSET ?",
                           (task_id, page_size, (page - 1) * page_size))
        return [ArtifactRecord.model_validate_json(r[0]) for r in rows], total

    # --- events -------------------------------------------------------------------------------------------

    def add_event(self, task_id: str, event: dict[str, Any]) -> int:
        with self._tx() as db:
            seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM events WHERE task_id = ?", (task_id,)).fetchone()[0]
            db.execute("INSERT INTO events VALUES (?, ?, ?)", (task_id, seq, _dumps(event)))
        return int(seq)

    def events(self, task_id: str, after: int = 0) -> list[tuple[int, dict[str, Any]]]:
        rows = self._query("SELECT seq, data FROM events WHERE task_id = ? AND seq > ? ORDER BY seq", (task_id, after))
        return [(int(seq), {**json.loads(data), "seq": int(seq)}) for seq, data in rows]

    def record_call(self, task_id: str, number: int, call: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO calls VALUES (?, ?, ?)", (task_id, number, _dumps(call)))

    def calls(self, task_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT number, data FROM calls WHERE task_id = ? ORDER BY number", (task_id,))
        return [{**json.loads(data), "number": int(number)} for number, data in rows]

    # --- leases ---------------------------------------------------------------------------------------------

    def claim(self, task_id: str, worker: str, ttl_seconds: float) -> bool:
        with self._tx() as db:
            taken = db.execute(
                "UPDATE tasks SET lease_owner = :worker, lease_until = :until WHERE task_id = :task_id"
                f" AND ({_LEASE_FREE} OR lease_owner = :worker)",
                self._lease_args(task_id, worker, ttl_seconds)).rowcount == 1
            if not taken:
                self._check_task(db, task_id)
        return taken

    def renew(self, task_id: str, worker: str, ttl_seconds: float) -> bool:
        with self._tx() as db:
            renewed = db.execute(
                "UPDATE tasks SET lease_until = :until WHERE task_id = :task_id AND lease_owner = :worker",
                self._lease_args(task_id, worker, ttl_seconds)).rowcount == 1
            if not renewed:
                self._check_task(db, task_id)
        return renewed

    def release(self, task_id: str, worker: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE tasks SET lease_owner = NULL, lease_until = NULL"
                       " WHERE task_id = ? AND lease_owner = ?", (task_id, storable_text(worker)))

    def lease(self, task_id: str) -> tuple[str, datetime] | None:
        rows = self._query("SELECT lease_owner, lease_until FROM tasks WHERE task_id = ?", (task_id,))
        if not rows:
            raise NotFoundError(f"No task {task_id!r}.")
        owner, until = rows[0]
        if owner is None or until is None or until <= _stamp(now()):
            return None
        return owner, parse_time(until)

    def claimable(self, limit: int = 100) -> list[TaskRecord]:
        rows = self._query(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE status IN ({_RESUMABLE})"
            f" AND json_type(options, '$.continuous') = 'true' AND {_LEASE_FREE}"
            " ORDER BY created_at, task_id LIMIT :limit", {"now": _stamp(now()), "limit": limit})
        return [self._task(r) for r in rows]

    @staticmethod
    def _lease_args(task_id: str, worker: str, ttl_seconds: float) -> dict[str, Any]:
        moment = now()
        return {"task_id": task_id, "worker": storable_text(worker), "now": _stamp(moment),
                "until": _stamp(moment + timedelta(seconds=ttl_seconds))}

    @staticmethod
    def _check_task(db: sqlite3.Connection, task_id: str) -> None:
        if db.execute("SELECT 1 FROM tasks WHERE task_id = ?", (task_id,)).fetchone() is None:
            raise NotFoundError(f"No task {task_id!r}.")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def parse_time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
