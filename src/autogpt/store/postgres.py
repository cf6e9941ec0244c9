"""The run store on PostgreSQL, for several servers sharing their runs (``store: postgresql://...``).

The same :class:`~autogpt.store.base.Store` as :class:`~autogpt.store.sqlite.SQLiteStore`, in six tables
named ``autogpt_tasks``, ``autogpt_history``, ``autogpt_protocol_steps``, ``autogpt_artifacts``,
``autogpt_events`` and ``autogpt_calls`` (so they can live in a database other applications use too), created if missing when the
store is opened; JSON is kept as JSONB. Needs ``pip install 'autogpt[postgres]'`` (psycopg 3).

Connections: each call takes an idle connection of the store's own small pool, or opens one (at most
``pool_size`` at once), so threads never share a connection. Connections are in autocommit mode and every
write is one explicit transaction, committed before the call returns.

Sequence numbers (of events and of protocol steps) are ``max + 1`` computed after locking the task's row, so
concurrent writers, of this process or of another server, number 1, 2, ... without gaps or duplicates.
Leases are timed by the database's clock (``now()``), so servers whose clocks disagree still agree on who
holds a task.

Text: PostgreSQL refuses NUL characters in text and JSONB, and lone surrogates cannot be encoded as UTF-8;
both are written out as printable escapes (``\\u0000``, ``\\udcff``) instead of failing the write.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from autogpt.errors import NotFoundError, StoreError
from autogpt.memory.postgres import INSTALL_HINT, mask_url
from autogpt.store.base import (
    RESUMABLE,
    ArtifactRecord,
    ProtocolStep,
    TaskRecord,
    now,
    storable,
    storable_text,
)

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 10
POOL_WAIT_S = 60  # how long a call waits for a free connection when pool_size are busy

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS autogpt_tasks (
        task_id text PRIMARY KEY,
        input text NOT NULL,
        additional_input jsonb NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        goals jsonb NOT NULL,
        status text NOT NULL,
        workspace text NOT NULL,
        options jsonb NOT NULL,
        state jsonb NOT NULL,
        result jsonb,
        created_at timestamptz NOT NULL,
        modified_at timestamptz NOT NULL,
        lease_owner text,
        lease_until timestamptz)""",
    "CREATE INDEX IF NOT EXISTS autogpt_tasks_created ON autogpt_tasks (created_at)",
    "CREATE INDEX IF NOT EXISTS autogpt_tasks_parent ON autogpt_tasks ((options->>'parent_id'))",
    """CREATE TABLE IF NOT EXISTS autogpt_history (
        task_id text NOT NULL REFERENCES autogpt_tasks (task_id) ON DELETE CASCADE,
        number integer NOT NULL,
        step jsonb NOT NULL,
        PRIMARY KEY (task_id, number))""",
    """CREATE TABLE IF NOT EXISTS autogpt_protocol_steps (
        task_id text NOT NULL REFERENCES autogpt_tasks (task_id) ON DELETE CASCADE,
        step_id text NOT NULL,
        seq integer NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (task_id, step_id))""",
    """CREATE TABLE IF NOT EXISTS autogpt_artifacts (
        id bigint GENERATED ALWAYS AS IDENTITY,
        task_id text NOT NULL REFERENCES autogpt_tasks (task_id) ON DELETE CASCADE,
        artifact_id text NOT NULL,
        path text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (task_id, artifact_id),
        UNIQUE (task_id, path))""",
    """CREATE TABLE IF NOT EXISTS autogpt_events (
        task_id text NOT NULL REFERENCES autogpt_tasks (task_id) ON DELETE CASCADE,
        seq integer NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (task_id, seq))""",
    """CREATE TABLE IF NOT EXISTS autogpt_calls (
        task_id text NOT NULL REFERENCES autogpt_tasks (task_id) ON DELETE CASCADE,
        number integer NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (task_id, number))""",
)

_JSON_FIELDS = ("additional_input", "goals", "options", "state", "result")
_TIME_FIELDS = ("created_at", "modified_at")
_TASK_COLUMNS = ", ".join(TaskRecord.model_fields)  # in TaskRecord's order (see _task)
_LEASE_FREE = "(lease_owner IS NULL OR lease_until IS NULL OR lease_until <= now())"
_UNSTORABLE_JSON = re.compile(r"[\ud800-\udfff]|\\u0000")
_LOCK_TASK = "SELECT 1 FROM autogpt_tasks WHERE task_id = %s FOR NO KEY UPDATE"


def _json(value: Any) -> str:
    """``value`` as JSON text that JSONB accepts: NUL and lone surrogates written out as printable text."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if _UNSTORABLE_JSON.search(text):  # rare: clean the values themselves (an escaped "\\u0000" is no harm)
        text = json.dumps(storable(json.loads(text), nul=True), ensure_ascii=False)
    return text


def _text(value: Any) -> Any:
    return storable_text(value, nul=True) if isinstance(value, str) else value


def _column(key: str, value: Any) -> Any:
    """A task field as stored: JSON text (cast to jsonb by the query), a time, or text made storable."""
    return _json(value) if key in _JSON_FIELDS else _text(value)


def _placeholder(key: str) -> str:
    return "%s::jsonb" if key in _JSON_FIELDS else "%s"


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(f"A postgresql:// store needs psycopg 3: {INSTALL_HINT}") from None
    return psycopg


class PostgresStore:
    """A :class:`~autogpt.store.base.Store` in a PostgreSQL database; safe to share between threads."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        self._psycopg = _import_psycopg()
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False
        self._prepare()  # fail now, at startup, rather than at the first request

    def __repr__(self) -> str:
        return f"PostgresStore({mask_url(self.url)!r})"

    # --- connections ------------------------------------------------------------------------------------

    def _scrub(self, message: str) -> str:
        """An error message safe to show: psycopg may echo parts of the connection string."""
        try:
            password = self._psycopg.conninfo.conninfo_to_dict(self.url).get("password")
        except Exception:
            password = None
        if password and len(str(password)) >= 4:  # a shorter one would garble the message and is no secret
            message = message.replace(str(password), "***")
        return mask_url(message).strip()

    def _error(self, what: str, exc: BaseException) -> StoreError:
        return StoreError(f"{what} the store at {mask_url(self.url)}: {self._scrub(str(exc))}")

    def _connect(self) -> psycopg.Connection[Any]:
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in self.url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
        if "application_name" not in self.url:
            kwargs["application_name"] = "autogpt"
        try:
            return self._psycopg.connect(self.url, **kwargs)
        except self._psycopg.Error as exc:
            raise self._error("Cannot connect to", exc) from None

    def _take(self) -> psycopg.Connection[Any]:
        with self._lock:
            if self._closed:
                raise StoreError(f"The store at {mask_url(self.url)} is closed.")
            conn = self._idle.pop() if self._idle else None
        return conn if conn is not None else self._connect()

    def _give_back(self, conn: psycopg.Connection[Any]) -> None:
        """Keep a healthy, idle connection for the next call; close any other."""
        idle = self._psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            healthy = not conn.closed and not conn.broken and conn.info.transaction_status == idle
            if healthy and not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection of this call's own (no other thread uses it meanwhile); database errors become
        :class:`StoreError`."""
        if not self._slots.acquire(timeout=POOL_WAIT_S):
            raise StoreError(f"No free connection to the store at {mask_url(self.url)} in {POOL_WAIT_S} s.")
        try:
            conn = self._take()
            try:
                yield conn
            except self._psycopg.Error as exc:
                raise self._error("The query failed on", exc) from None
            finally:
                self._give_back(conn)
        finally:
            self._slots.release()

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._connection() as conn, conn.transaction():
            yield conn

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read; its text arguments made storable as writes make them (a key with a NUL finds
        what was stored under it)."""
        with self._connection() as conn:
            return conn.execute(sql, [_text(a) for a in args]).fetchall()

    def _prepare(self) -> None:
        """Create the tables and indexes if missing, under a lock so that servers starting together do not
        race."""
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('autogpt.store.schema'))")
            for statement in SCHEMA:
                conn.execute(statement)

    # --- tasks ------------------------------------------------------------------------------------------

    def create_task(self, task: TaskRecord) -> TaskRecord:
        row = {**task.model_dump(mode="json"), "created_at": task.created_at, "modified_at": task.modified_at}
        marks = ", ".join(_placeholder(k) for k in row)
        with self._tx() as conn:
            conn.execute(f"INSERT INTO autogpt_tasks ({_TASK_COLUMNS}) VALUES ({marks})",
                         [_column(k, v) for k, v in row.items()])
        return task

    def get_task(self, task_id: str) -> TaskRecord:
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM autogpt_tasks WHERE task_id = %s", [task_id])
        if not rows:
            raise NotFoundError(f"No task {task_id!r}.")
        return self._task(rows[0])

    def list_tasks(self, page: int = 1, page_size: int = 20) -> tuple[list[TaskRecord], int]:
        total = self._query("SELECT count(*) FROM autogpt_tasks")[0][0]
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM autogpt_tasks ORDER BY created_at DESC, task_id DESC"
                           " LIMIT %s OFFSET %s", [page_size, (page - 1) * page_size])
        return [self._task(r) for r in rows], int(total)

    def children(self, task_id: str) -> list[TaskRecord]:
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM autogpt_tasks WHERE options->>'parent_id' = %s"
                           " ORDER BY created_at, task_id", [task_id])
        return [self._task(r) for r in rows]

    def update_task(self, task_id: str, **fields: Any) -> None:
        allowed = set(TaskRecord.model_fields) - {"task_id", "created_at", "modified_at"}
        if unknown := set(fields) - allowed:
            raise StoreError(f"Unknown task fields: {sorted(unknown)}")
        sets = ", ".join(f"{k} = {_placeholder(k)}" for k in fields)  # names checked above
        values = [_column(k, v) for k, v in fields.items()]
        with self._tx() as conn:
            cur = conn.execute(f"UPDATE autogpt_tasks SET {sets}{', ' if sets else ''}modified_at = %s"
                               " WHERE task_id = %s", [*values, now(), task_id])
            if cur.rowcount == 0:
                raise NotFoundError(f"No task {task_id!r}.")

    @staticmethod
    def _task(row: Sequence[Any]) -> TaskRecord:
        """A row of ``SELECT {_TASK_COLUMNS}`` as a record (JSONB comes back parsed), its times in UTC."""
        data = dict(zip(TaskRecord.model_fields, row, strict=True))
        for key in _TIME_FIELDS:
            data[key] = data[key].astimezone(UTC)
        return TaskRecord.model_validate(data)

    # --- the loop's history and state ------------------------------------------------------------------

    def record_step(self, task_id: str, number: int, step: dict[str, Any], state: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO autogpt_history (task_id, number, step) VALUES (%s, %s, %s::jsonb)"
                         " ON CONFLICT (task_id, number) DO UPDATE SET step = EXCLUDED.step",
                         [task_id, number, _json(step)])
            conn.execute("UPDATE autogpt_tasks SET state = %s::jsonb, modified_at = %s WHERE task_id = %s",
                         [_json(state), now(), task_id])

    def save_state(self, task_id: str, state: dict[str, Any], status: str | None = None) -> None:
        fields: dict[str, Any] = {"state": state}
        if status is not None:
            fields["status"] = status
        self.update_task(task_id, **fields)

    def history(self, task_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT step FROM autogpt_history WHERE task_id = %s ORDER BY number", [task_id])
        return [r[0] for r in rows]

    # --- protocol steps -----------------------------------------------------------------------------------

    def save_protocol_step(self, step: ProtocolStep) -> None:
        step.modified_at = now()
        with self._tx() as conn:
            conn.execute(_LOCK_TASK, [step.task_id])  # numbers the task's steps one writer at a time
            conn.execute(
                "INSERT INTO autogpt_protocol_steps (task_id, step_id, seq, data)"
                " SELECT %(task)s, %(step)s, coalesce(max(seq), 0) + 1, %(data)s::jsonb"
                " FROM autogpt_protocol_steps WHERE task_id = %(task)s"
                " ON CONFLICT (task_id, step_id) DO UPDATE SET data = EXCLUDED.data",  # keeps its number
                {"task": step.task_id, "step": step.step_id, "data": _json(step.model_dump(mode="json"))})

    def get_protocol_step(self, task_id: str, step_id: str) -> ProtocolStep:
        rows = self._query("SELECT data FROM autogpt_protocol_steps WHERE task_id = %s AND step_id = %s",
                           [task_id, step_id])
        if not rows:
            raise NotFoundError(f"No step {step_id!r} in task {task_id!r}.")
        return ProtocolStep.model_validate(rows[0][0])

    def list_protocol_steps(self, task_id: str, page: int = 1,
                            page_size: int = 20) -> tuple[list[ProtocolStep], int]:
        total = self._query("SELECT count(*) FROM autogpt_protocol_steps WHERE task_id = %s", [task_id])[0][0]
        rows = self._query("SELECT data FROM autogpt_protocol_steps WHERE task_id = %s ORDER BY seq"
                           " LIMIT %s OFFSET %s", [task_id, page_size, (page - 1) * page_size])
        return [ProtocolStep.model_validate(r[0]) for r in rows], int(total)

    # --- artifacts ----------------------------------------------------------------------------------------

    def add_artifact(self, artifact: ArtifactRecord) -> ArtifactRecord:
        path = _text(artifact.path)
        with self._tx() as conn:
            added = conn.execute(
                "INSERT INTO autogpt_artifacts (task_id, artifact_id, path, data)"
                " VALUES (%s, %s, %s, %s::jsonb)"
                " ON CONFLICT (task_id, path) DO NOTHING RETURNING artifact_id",
                [artifact.task_id, artifact.artifact_id, path, _json(artifact.model_dump(mode="json"))],
            ).fetchall()
            if added:
                return artifact
            row = conn.execute("SELECT data FROM autogpt_artifacts WHERE task_id = %s AND path = %s",
                               [artifact.task_id, path]).fetchone()
        if row is None:  # cannot happen: the conflicting row is committed before the insert gives up
            raise StoreError(f"The artifact {path!r} of task {artifact.task_id!r} vanished.")
        return ArtifactRecord.model_validate(row[0])

    def get_artifact(self, task_id: str, artifact_id: str) -> ArtifactRecord:
        rows = self._query("SELECT data FROM autogpt_artifacts WHERE task_id = %s AND artifact_id = %s",
                           [task_id, artifact_id])
        if not rows:
            raise NotFoundError(f"No artifact {artifact_id!r} in task {task_id!r}.")
        return ArtifactRecord.model_validate(rows[0][0])

    def list_artifacts(self, task_id: str, page: int = 1,
                       page_size: int = 20) -> tuple[list[ArtifactRecord], int]:
        total = self._query("SELECT count(*) FROM autogpt_artifacts WHERE task_id = %s", [task_id])[0][0]
        rows = self._query("SELECT data FROM autogpt_artifacts WHERE task_id = %s ORDER BY id"
                           " LIMIT %s OFFSET %s", [task_id, page_size, (page - 1) * page_size])
        return [ArtifactRecord.model_validate(r[0]) for r in rows], int(total)

    # --- events -------------------------------------------------------------------------------------------

    def add_event(self, task_id: str, event: dict[str, Any]) -> int:
        with self._tx() as conn:
            conn.execute(_LOCK_TASK, [task_id])  # numbers the task's events one writer at a time
            rows = conn.execute(
                "INSERT INTO autogpt_events (task_id, seq, data)"
                " SELECT %(task)s, coalesce(max(seq), 0) + 1, %(data)s::jsonb FROM autogpt_events"
                " WHERE task_id = %(task)s RETURNING seq", {"task": task_id, "data": _json(event)}).fetchall()
        return int(rows[0][0])

    def events(self, task_id: str, after: int = 0) -> list[tuple[int, dict[str, Any]]]:
        rows = self._query("SELECT seq, data FROM autogpt_events WHERE task_id = %s AND seq > %s"
                           " ORDER BY seq", [task_id, after])
        return [(int(seq), {**data, "seq": int(seq)}) for seq, data in rows]

    def record_call(self, task_id: str, number: int, call: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO autogpt_calls (task_id, number, data) VALUES (%s, %s, %s::jsonb)"
                         " ON CONFLICT (task_id, number) DO UPDATE SET data = EXCLUDED.data",
                         [task_id, number, _json(call)])

    def calls(self, task_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT number, data FROM autogpt_calls WHERE task_id = %s ORDER BY number", [task_id])
        return [{**data, "number": int(number)} for number, data in rows]

    # --- leases (timed by the database's clock) -------------------------------------------------------------

    def claim(self, task_id: str, worker: str, ttl_seconds: float) -> bool:
        with self._tx() as conn:
            taken = conn.execute(
                "UPDATE autogpt_tasks SET lease_owner = %(worker)s,"
                " lease_until = now() + make_interval(secs => %(ttl)s) WHERE task_id = %(task)s"
                f" AND ({_LEASE_FREE} OR lease_owner = %(worker)s)",
                self._lease_args(task_id, worker, ttl_seconds)).rowcount == 1
            if not taken:
                self._check_task(conn, task_id)
        return taken

    def renew(self, task_id: str, worker: str, ttl_seconds: float) -> bool:
        with self._tx() as conn:
            renewed = conn.execute(
                "UPDATE autogpt_tasks SET lease_until = now() + make_interval(secs => %(ttl)s)"
                " WHERE task_id = %(task)s AND lease_owner = %(worker)s",
                self._lease_args(task_id, worker, ttl_seconds)).rowcount == 1
            if not renewed:
                self._check_task(conn, task_id)
        return renewed

    def release(self, task_id: str, worker: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE autogpt_tasks SET lease_owner = NULL, lease_until = NULL"
                         " WHERE task_id = %s AND lease_owner = %s", [task_id, _text(worker)])

    def lease(self, task_id: str) -> tuple[str, datetime] | None:
        rows = self._query(f"SELECT lease_owner, lease_until, NOT {_LEASE_FREE} FROM autogpt_tasks"
                           " WHERE task_id = %s", [task_id])
        if not rows:
            raise NotFoundError(f"No task {task_id!r}.")
        owner, until, held = rows[0]
        return (owner, until.astimezone(UTC)) if held else None

    def claimable(self, limit: int = 100) -> list[TaskRecord]:
        rows = self._query(f"SELECT {_TASK_COLUMNS} FROM autogpt_tasks WHERE status = ANY(%s)"
                           f" AND options->'continuous' = 'true'::jsonb AND {_LEASE_FREE}"
                           " ORDER BY created_at, task_id LIMIT %s", [list(RESUMABLE), limit])
        return [self._task(r) for r in rows]

    @staticmethod
    def _lease_args(task_id: str, worker: str, ttl_seconds: float) -> dict[str, Any]:
        return {"task": task_id, "worker": _text(worker), "ttl": float(ttl_seconds)}

    @staticmethod
    def _check_task(conn: psycopg.Connection[Any], task_id: str) -> None:
        if conn.execute("SELECT 1 FROM autogpt_tasks WHERE task_id = %s", [task_id]).fetchone() is None:
            raise NotFoundError(f"No task {task_id!r}.")

    def close(self) -> None:
        """Close the idle connections; those in use close when their call ends. Later calls fail."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
