"""The run store's contract: the same tests against SQLiteStore (a file) and PostgresStore (a real
PostgreSQL).

The PostgreSQL server is started once for this module (tests/pg_server.py; AUTOGPT_TEST_POSTGRES_URL to use
another); every test gets a schema of its own (``search_path``), so tests never see each other's tasks. The
PostgreSQL tests are skipped where no server can be started; the SQLite ones always run.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autogpt.config import Settings
from autogpt.errors import ConfigError, NotFoundError, StoreError
from autogpt.store import SQLiteStore, Store, create_store
from autogpt.store.base import ArtifactRecord, ProtocolStep, TaskRecord
from autogpt.store.postgres import PostgresStore
from pg_server import postgres_server

SECRET = "Sup3r-Secret-Pw"
T0 = datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)  # in the past: a change's modified_at is later

# The tasks table as SQLiteStore created it before leases (copied from src/autogpt/store/sqlite.py then).
OLD_TASKS_SCHEMA = """
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
    modified_at TEXT NOT NULL
);
"""

JSON_FIELDS = ("additional_input", "goals", "options", "state", "result")

OpenStore = Callable[[], Store]


# --- the stores ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    pytest.importorskip("psycopg")
    with postgres_server() as url:
        yield url


def _fresh_schema(url: str) -> str:
    """``url`` with a new, empty schema of its own as the search path."""
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    return f"{url}{'&' if '?' in url else '?'}options=-c%20search_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens a store on this test's database: each call another store on the same one (another server)."""
    if request.param == "sqlite":
        def factory() -> Store:
            return SQLiteStore(tmp_path / "store.db")
    else:
        url = _fresh_schema(request.getfixturevalue("pg_url"))

        def factory() -> Store:
            return PostgresStore(url)
    opened: list[Store] = []

    def open_one() -> Store:
        opened.append(factory())
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> Store:
    return open_store()


def _task(n: int = 0, **fields: Any) -> TaskRecord:
    """A task created ``n`` seconds after T0 (so that the order of tasks is known)."""
    fields.setdefault("goals", [f"goal {n}"])
    at = T0 + timedelta(seconds=n)
    return TaskRecord(input=f"goal {n}", created_at=at, modified_at=at, **fields)


def _nul(store: Store) -> str:
    """What a NUL character reads back as: kept by SQLite, written out by PostgreSQL (which refuses it)."""
    return "\\u0000" if isinstance(store, PostgresStore) else "\x00"


# --- tasks ---------------------------------------------------------------------------------------------


def test_create_get_and_list_newest_first(store: Store) -> None:
    tasks = [store.create_task(_task(n, options={"n": n}, additional_input={"a": [1, 2]})) for n in range(25)]
    assert store.get_task(tasks[3].task_id) == tasks[3]  # every field round-trips, times in UTC included
    assert store.get_task(tasks[3].task_id).created_at == T0 + timedelta(seconds=3)

    page, total = store.list_tasks(1, 10)
    assert total == 25 and [t.task_id for t in page] == [t.task_id for t in reversed(tasks[15:])]
    page, total = store.list_tasks(3, 10)
    assert total == 25 and [t.options["n"] for t in page] == [4, 3, 2, 1, 0]
    assert store.list_tasks(4, 10) == ([], 25)
    with pytest.raises(NotFoundError):
        store.get_task("no-such-task")


def test_update_task(store: Store) -> None:
    task = store.create_task(_task())
    store.update_task(task.task_id, status="completed", result={"ok": True}, options={"continuous": True})
    got = store.get_task(task.task_id)
    assert (got.status, got.result, got.options) == ("completed", {"ok": True}, {"continuous": True})
    assert got.modified_at > task.modified_at and got.created_at == task.created_at
    store.update_task(task.task_id, result=None)
    assert store.get_task(task.task_id).result is None
    with pytest.raises(StoreError, match="Unknown task fields"):
        store.update_task(task.task_id, lease_owner="me")
    with pytest.raises(StoreError, match="Unknown task fields"):
        store.update_task(task.task_id, created_at=T0)
    with pytest.raises(NotFoundError):
        store.update_task("no-such-task", status="failed")


def test_children_oldest_first(store: Store) -> None:
    parent = store.create_task(_task(0))
    second = store.create_task(_task(2, options={"parent_id": parent.task_id}))
    first = store.create_task(_task(1, options={"parent_id": parent.task_id, "x": 1}))
    store.create_task(_task(3, options={"parent_id": "someone-else"}))
    assert [t.task_id for t in store.children(parent.task_id)] == [first.task_id, second.task_id]
    assert store.children(first.task_id) == []


# --- the loop's history and state ------------------------------------------------------------------------


def test_record_step_history_and_state(store: Store) -> None:
    task = store.create_task(_task())
    for n in (1, 2, 3):
        store.record_step(task.task_id, n, {"n": n, "thought": f"step {n}"}, {"steps": n})
    store.record_step(task.task_id, 2, {"n": 2, "thought": "replaced"}, {"steps": 3, "again": True})
    assert [s["thought"] for s in store.history(task.task_id)] == ["step 1", "replaced", "step 3"]
    assert store.get_task(task.task_id).state == {"steps": 3, "again": True}

    store.save_state(task.task_id, {"steps": 4})
    got = store.get_task(task.task_id)
    assert got.state == {"steps": 4} and got.status == "created"
    store.save_state(task.task_id, {"steps": 5}, status="interrupted")
    got = store.get_task(task.task_id)
    assert got.state == {"steps": 5} and got.status == "interrupted"
    assert store.history("no-such-task") == []
    with pytest.raises(StoreError):
        store.record_step("no-such-task", 1, {}, {})
    with pytest.raises(NotFoundError):
        store.save_state("no-such-task", {})


def test_model_calls_kept_by_step_number(store: Store) -> None:
    task = store.create_task(_task())
    call = {"messages": [{"role": "system", "content": "你是助手"}, {"role": "user", "content": "step 1"}],
            "reply": '{"command": {"name": "finish"}}'}
    store.record_call(task.task_id, 2, {**call, "reply": "second"})
    store.record_call(task.task_id, 1, call)
    store.record_call(task.task_id, 2, {**call, "reply": "replaced"})
    assert [(c["number"], c["reply"]) for c in store.calls(task.task_id)] == [(1, call["reply"]), (2, "replaced")]
    assert store.calls(task.task_id)[0]["messages"][0]["content"] == "你是助手"
    assert store.calls("no-such-task") == []
    with pytest.raises(StoreError):
        store.record_call("no-such-task", 1, call)


# --- protocol steps and artifacts ------------------------------------------------------------------------


def test_protocol_steps(store: Store) -> None:
    task = store.create_task(_task())
    steps = [ProtocolStep(task_id=task.task_id, name=f"s{n}", input=f"in {n}") for n in range(5)]
    for step in steps:
        store.save_protocol_step(step)
    steps[1].output, steps[1].status = "done", "completed"
    store.save_protocol_step(steps[1])  # saved again: keeps its place

    listed, total = store.list_protocol_steps(task.task_id)
    assert total == 5 and [s.name for s in listed] == ["s0", "s1", "s2", "s3", "s4"]
    assert listed[1].output == "done" and listed[1].status == "completed"
    page, total = store.list_protocol_steps(task.task_id, 2, 2)
    assert total == 5 and [s.name for s in page] == ["s2", "s3"]
    assert store.get_protocol_step(task.task_id, steps[1].step_id) == steps[1]
    with pytest.raises(NotFoundError):
        store.get_protocol_step(task.task_id, "no-such-step")
    assert store.list_protocol_steps("no-such-task") == ([], 0)


def test_artifacts(store: Store) -> None:
    task = store.create_task(_task())
    first = store.add_artifact(ArtifactRecord(task_id=task.task_id, file_name="a.txt", relative_path="out/"))
    again = store.add_artifact(ArtifactRecord(task_id=task.task_id, file_name="a.txt", relative_path="out"))
    assert again == first  # the same path: the first record
    other = store.add_artifact(ArtifactRecord(task_id=task.task_id, file_name="b.txt", relative_path=""))
    assert store.get_artifact(task.task_id, first.artifact_id) == first
    listed, total = store.list_artifacts(task.task_id)
    assert total == 2 and [a.artifact_id for a in listed] == [first.artifact_id, other.artifact_id]
    assert store.list_artifacts(task.task_id, 2, 1) == ([other], 2)
    with pytest.raises(NotFoundError):
        store.get_artifact(task.task_id, "no-such-artifact")
    with pytest.raises(NotFoundError):
        store.get_artifact("no-such-task", first.artifact_id)


# --- events ----------------------------------------------------------------------------------------------


def test_events_numbered_without_gaps_by_concurrent_writers(open_store: OpenStore) -> None:
    stores = [open_store(), open_store()]  # two servers on one database, two threads each
    task = stores[0].create_task(_task())
    numbers: list[int] = []
    errors: list[BaseException] = []

    def write(store: Store, writer: int) -> None:
        try:
            for i in range(15):
                numbers.append(store.add_event(task.task_id, {"type": "thought", "writer": writer, "i": i}))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(stores[w % 2], w)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 61))
    events = stores[1].events(task.task_id)
    assert [seq for seq, _ in events] == list(range(1, 61))
    assert all(event["seq"] == seq and event["type"] == "thought" for seq, event in events)
    assert [seq for seq, _ in stores[0].events(task.task_id, after=57)] == [58, 59, 60]
    other = stores[0].create_task(_task(1))
    assert stores[0].add_event(other.task_id, {"type": "x"}) == 1  # numbered per task
    assert stores[0].events("no-such-task") == []
    with pytest.raises(StoreError):
        stores[0].add_event("no-such-task", {"type": "x"})


# --- text that cannot be stored as it is ----------------------------------------------------------------


def test_lone_surrogates_and_nul_do_not_break_writes(store: Store) -> None:
    nul = _nul(store)
    task = store.create_task(TaskRecord(input="in\udcff\x00put", name="n\ud800", goals=["g\udcff", "z\x00"],
                                        options={"k": "v\udcff\x00", "continuous": True},
                                        state={"key\udcff": 1}))  # (pydantic replaces a key's surrogates)
    got = store.get_task(task.task_id)
    assert got.input == f"in\\udcff{nul}put" and got.name == "n\\ud800"
    assert got.goals == ["g\\udcff", f"z{nul}"] and got.options == {"k": f"v\\udcff{nul}", "continuous": True}

    store.update_task(task.task_id, role="r\udcff\x00", state={"last\udcff": "s\udcff", "k\x00": 1})
    got = store.get_task(task.task_id)
    assert got.role == f"r\\udcff{nul}" and got.state == {"last\\udcff": "s\\udcff", f"k{nul}": 1}

    store.record_step(task.task_id, 1, {"observation": "bytes \udcff\x00"}, {"x": "\x00"})
    assert store.history(task.task_id) == [{"observation": f"bytes \\udcff{nul}"}]
    assert store.add_event(task.task_id, {"type": "result", "output": "o\udcff\x00"}) == 1
    assert store.events(task.task_id)[0][1]["output"] == f"o\\udcff{nul}"

    step = ProtocolStep(task_id=task.task_id, output="out\udcff", additional_output={"a": "\x00\udcff"})
    store.save_protocol_step(step)
    saved = store.get_protocol_step(task.task_id, step.step_id)
    assert saved.output == "out\\udcff" and saved.additional_output == {"a": f"{nul}\\udcff"}

    def artifact() -> ArtifactRecord:
        return ArtifactRecord(task_id=task.task_id, file_name="f\udcff.txt", relative_path="d")

    art = store.add_artifact(artifact())
    listed, _ = store.list_artifacts(task.task_id)
    assert listed[0].file_name == "f\\udcff.txt" and listed[0].artifact_id == art.artifact_id
    assert store.add_artifact(artifact()).artifact_id == art.artifact_id  # the same path
    assert store.claim(task.task_id, "worker\udcff", 30)
    assert store.lease(task.task_id)[0] == "worker\\udcff"  # type: ignore[index]
    # Everything read back can go out as UTF-8 JSON.
    json.dumps(store.get_task(task.task_id).model_dump(mode="json"), ensure_ascii=False).encode("utf-8")


def test_literal_escapes_are_kept(store: Store) -> None:
    """Text that merely *looks* like an escape ("\\u0000" typed out) is stored as it is."""
    task = store.create_task(_task(goals=["\\u0000 and \\udcff"]))
    store.record_step(task.task_id, 1, {"text": "a \\u0000 b"}, {})
    assert store.get_task(task.task_id).goals == ["\\u0000 and \\udcff"]
    assert store.history(task.task_id) == [{"text": "a \\u0000 b"}]


# --- leases ----------------------------------------------------------------------------------------------


def test_lease_claim_renew_expire_release(open_store: OpenStore) -> None:
    a, b = open_store(), open_store()  # two servers
    task = a.create_task(_task(options={"continuous": True}, status="running"))
    assert a.lease(task.task_id) is None
    assert a.claim(task.task_id, "A", 30)
    owner, until = a.lease(task.task_id)  # type: ignore[misc]
    assert owner == "A" and until.tzinfo is not None
    assert timedelta(seconds=25) < until - datetime.now(UTC) <= timedelta(seconds=31)
    assert b.lease(task.task_id) == ("A", until)
    assert not b.claim(task.task_id, "B", 30)
    assert a.claim(task.task_id, "A", 30)  # A holds it already
    assert a.renew(task.task_id, "A", 60)
    assert b.lease(task.task_id)[1] > until  # type: ignore[index]
    assert not b.renew(task.task_id, "B", 60)
    b.release(task.task_id, "B")  # not B's: nothing happens
    assert a.lease(task.task_id)[0] == "A"  # type: ignore[index]
    assert b.claimable() == []

    assert a.renew(task.task_id, "A", 0.2)  # A stops renewing: the lease runs out
    time.sleep(0.4)
    assert a.lease(task.task_id) is None
    assert [t.task_id for t in b.claimable()] == [task.task_id]
    assert b.claim(task.task_id, "B", 30)
    assert not a.renew(task.task_id, "A", 30)  # too late: B has it
    assert not a.claim(task.task_id, "A", 30)
    assert a.lease(task.task_id)[0] == "B"  # type: ignore[index]
    b.release(task.task_id, "B")
    assert a.lease(task.task_id) is None
    assert not a.renew(task.task_id, "B", 30)  # released: nothing to renew
    assert a.claim(task.task_id, "A", 30)


def test_lease_claim_is_atomic(open_store: OpenStore) -> None:
    stores = [open_store(), open_store()]
    task = stores[0].create_task(_task(options={"continuous": True}))
    won: list[str] = []
    start = threading.Barrier(8)

    def claim(n: int) -> None:
        start.wait()
        if stores[n % 2].claim(task.task_id, f"w{n}", 30):
            won.append(f"w{n}")

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and stores[1].lease(task.task_id)[0] == won[0]  # type: ignore[index]


def test_lease_of_unknown_task(store: Store) -> None:
    for call in (lambda: store.claim("no-such-task", "A", 30), lambda: store.renew("no-such-task", "A", 30),
                 lambda: store.lease("no-such-task")):
        with pytest.raises(NotFoundError):
            call()
    store.release("no-such-task", "A")  # nothing to release: no error


def test_claimable_lists_continuous_resumable_unleased_tasks_oldest_first(store: Store) -> None:
    def add(n: int, status: str, continuous: Any = True) -> TaskRecord:
        return store.create_task(_task(n, status=status, options={"continuous": continuous}))

    running, interrupted, created, waiting = (add(4, "running"), add(1, "interrupted"), add(2, "created"),
                                              add(3, "waiting"))
    for n, status in enumerate(("completed", "failed", "cancelled")):
        add(n + 20, status)  # ended
    add(6, "running", False)
    add(7, "running", "yes")  # only JSON true is continuous
    store.create_task(_task(8, status="running"))  # no continuous option at all
    leased = add(9, "running")
    expired = add(10, "running")
    assert store.claim(leased.task_id, "A", 30) and store.claim(expired.task_id, "A", 0.1)
    time.sleep(0.3)
    expected = [interrupted, created, waiting, running, expired]
    assert [t.task_id for t in store.claimable()] == [t.task_id for t in expected]
    assert [t.task_id for t in store.claimable(limit=2)] == [interrupted.task_id, created.task_id]
    assert store.claimable()[0] == interrupted
    store.release(leased.task_id, "A")
    assert leased.task_id in [t.task_id for t in store.claimable()]


# --- SQLite: a file made before leases ----------------------------------------------------------------


def test_sqlite_file_of_the_old_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = TaskRecord(input="old goal", goals=["old goal"], options={"continuous": True}, status="interrupted",
                     state={"steps": 2}, created_at=T0, modified_at=T0)
    row = old.model_dump(mode="json")
    with sqlite3.connect(path) as db:
        db.executescript(OLD_TASKS_SCHEMA)
        db.execute("INSERT INTO tasks VALUES (:task_id, :input, :additional_input, :name, :role, :goals,"
                   " :status, :workspace, :options, :state, :result, :created_at, :modified_at)",
                   {k: json.dumps(v) if k in JSON_FIELDS else v for k, v in row.items()})
    db.close()

    store = SQLiteStore(path)
    try:
        assert store.get_task(old.task_id) == old
        assert store.list_tasks() == ([old], 1)
        new = store.create_task(_task(1))
        assert [t.task_id for t in store.list_tasks()[0]] == [new.task_id, old.task_id]
        assert [t.task_id for t in store.claimable()] == [old.task_id]
        assert store.claim(old.task_id, "A", 30) and store.lease(old.task_id)[0] == "A"  # type: ignore[index]
        assert store.claimable() == []
        store.record_step(old.task_id, 3, {"n": 3}, {"steps": 3})
        assert store.get_task(old.task_id).state == {"steps": 3}
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(tasks)")]
    db.close()
    assert columns[-2:] == ["lease_owner", "lease_until"]
    reopened = SQLiteStore(path)  # the second open finds the columns there
    try:
        assert reopened.lease(old.task_id)[0] == "A"  # type: ignore[index]
    finally:
        reopened.close()


# --- PostgreSQL: failures and configuration -------------------------------------------------------------


def test_postgres_errors_never_show_the_password(pg_url: str) -> None:
    with pytest.raises(StoreError) as err:
        PostgresStore(f"postgresql://alice:{SECRET}@127.0.0.1:1/agents?connect_timeout=5")
    assert SECRET not in str(err.value) and "alice:***@127.0.0.1:1" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__

    host = pg_url.split("host=", 1)[1].split("&", 1)[0]  # the live server, a database that does not exist
    with pytest.raises(StoreError, match="does not exist") as err:
        PostgresStore(f"postgresql://postgres:{SECRET}@/no_such_db?host={host}")
    assert SECRET not in str(err.value)
    with pytest.raises(StoreError) as err:
        PostgresStore(f"host=/nonexistent user=x password={SECRET} connect_timeout=5")
    assert SECRET not in str(err.value)


def test_postgres_closed_store_and_lost_connections(pg_url: str) -> None:
    import psycopg

    store = PostgresStore(_fresh_schema(pg_url))

    task = store.create_task(_task())
    with psycopg.connect(pg_url, autocommit=True) as admin:  # a restart: every connection of the store dies
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE application_name = 'autogpt' AND pid <> pg_backend_pid()")
    failures = 0
    for _ in range(3):  # the dead idle connection fails one call at most, then is replaced
        try:
            assert store.get_task(task.task_id) == task
        except StoreError:
            failures += 1
    assert failures <= 1 and store.get_task(task.task_id) == task
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.get_task(task.task_id)
    assert "***" not in repr(store) and "PostgresStore" in repr(store)


def test_create_store_sqlite_and_unknown_urls(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data")
    assert settings.store is None
    sqlite = create_store(settings)
    assert isinstance(sqlite, SQLiteStore) and sqlite.path == settings.store_path
    sqlite.close()
    for empty in (None, "", "  "):
        store = create_store(empty)
        assert isinstance(store, SQLiteStore) and store.path == Settings.load().store_path
        store.close()

    with pytest.raises(ConfigError, match="postgresql://") as err:
        create_store(f"mysql://alice:{SECRET}@db/agents")
    assert SECRET not in str(err.value) and "alice:***@db" in str(err.value)
    with pytest.raises(ConfigError, match="SQLite"):
        create_store(settings.model_copy(update={"store": "/var/lib/autogpt.db"}))


def test_create_store_postgres(pg_url: str) -> None:
    settings = Settings.load()
    url = _fresh_schema(pg_url)
    postgres = create_store(settings.model_copy(update={"store": url}))
    assert isinstance(postgres, PostgresStore)
    postgres.close()
    postgres = create_store(url.replace("postgresql://", "postgres://", 1))
    assert isinstance(postgres, PostgresStore)
    postgres.close()


def test_postgres_without_psycopg_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    with pytest.raises(StoreError, match=r"pip install 'autogpt\[postgres\]'"):
        PostgresStore("postgresql://localhost/db")
