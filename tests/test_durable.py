"""Durable runs: the SQLite store, resuming in-process, and a real process killed with SIGKILL mid-run."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from autogpt import AutoGPT, Settings
from autogpt.agent.steps import ActionStep
from autogpt.checks.base import signature
from autogpt.errors import AgentStateError, NotFoundError, StoreError
from autogpt.store.base import ArtifactRecord, ProtocolStep, TaskRecord
from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import ScriptedModel, reply


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(data_dir=tmp_path / "data")


# --- the store ------------------------------------------------------------------------------------------


def test_store_keeps_tasks_history_steps_artifacts_and_events_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "db" / "autogpt.db"
    store = SQLiteStore(path)
    task = store.create_task(TaskRecord(input="写一首诗", goals=["写一首诗"], workspace=str(tmp_path / "ws")))
    store.record_step(task.task_id, 1, {"kind": "note", "number": 1, "text": "你好"}, {"steps": 1})
    store.record_step(task.task_id, 1, {"kind": "note", "number": 1, "text": "replaced"}, {"steps": 1})
    store.update_task(task.task_id, status="running")
    step = ProtocolStep(task_id=task.task_id, input="y")
    store.save_protocol_step(step)
    step.status = "completed"
    store.save_protocol_step(step)  # an update keeps its place
    first = store.add_artifact(ArtifactRecord(task_id=task.task_id, file_name="a.txt", relative_path="out"))
    again = store.add_artifact(ArtifactRecord(task_id=task.task_id, file_name="a.txt", relative_path="out/"))
    assert again.artifact_id == first.artifact_id and first.path == "out/a.txt"
    assert [store.add_event(task.task_id, {"type": t}) for t in ("a", "b", "c")] == [1, 2, 3]
    store.close()

    store = SQLiteStore(path)
    got = store.get_task(task.task_id)
    assert got.goals == ["写一首诗"] and got.status == "running" and got.state == {"steps": 1}
    assert got.created_at == task.created_at and got.modified_at >= task.modified_at
    assert store.history(task.task_id) == [{"kind": "note", "number": 1, "text": "replaced"}]
    steps, total = store.list_protocol_steps(task.task_id)
    assert total == 1 and steps[0].status == "completed"
    assert [e["type"] for _, e in store.events(task.task_id, after=1)] == ["b", "c"]
    assert store.get_artifact(task.task_id, first.artifact_id).file_name == "a.txt"


def test_store_pages_newest_first_and_reports_missing_ids(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "autogpt.db")
    ids = [store.create_task(TaskRecord(input=f"goal {i}", task_id=f"t{i:02d}")).task_id for i in range(25)]
    page, total = store.list_tasks(page=2, page_size=10)
    assert total == 25 and len(page) == 10
    assert [t.task_id for t in page] == sorted(ids, reverse=True)[10:20]
    with pytest.raises(NotFoundError, match="nope"):
        store.get_task("nope")
    with pytest.raises(NotFoundError):
        store.update_task("nope", status="x")
    with pytest.raises(StoreError, match="Unknown task fields"):
        store.update_task("t01", colour="red")
    with pytest.raises(NotFoundError):
        store.get_protocol_step("t01", "nope")


def test_a_store_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="Cannot open the store"):
        SQLiteStore(tmp_path / "file" / "autogpt.db")
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        SQLiteStore(tmp_path / "junk.db")


# --- resuming in-process --------------------------------------------------------------------------------


def lines(n: int) -> list[dict[str, Any]]:
    return [reply("append_file", path="log.txt", content=f"line {k}\n") for k in range(1, n + 1)]


def test_every_step_is_stored_as_it_finishes(settings: Settings, tmp_path: Path) -> None:
    model = ScriptedModel([*lines(2), reply("finish", reason="done")])
    agent = AutoGPT(goals=["Log two lines"], model=model, settings=settings, workspace=tmp_path / "ws")
    seen: list[int] = []

    def on_event(event: Any) -> None:
        if event.type == "step_finished":  # the step is in the store before anyone hears it finished
            seen.append(len(agent.store.history(agent.task_id)))

    result = asyncio.run(agent.arun(on_event=on_event))
    assert result.ok and seen == [1, 2, 3]
    record = agent.store.get_task(result.run_id)
    assert record.status == "finished" and record.state["steps"] == 3 and record.state["pending"] is None
    assert record.result is not None and record.result["summary"] == "done"


async def cancel_after_two_steps(script: list[dict[str, Any]], goals: list[str], settings: Settings,
                                 tmp_path: Path) -> tuple[str, int, dict[str, Any]]:
    """Run ``script`` and cancel the run once two steps are stored: the task's id, how many replies of the script
    the run used (the stored steps, and a proposal pending or a command running when it was cancelled), and its
    saved state."""
    agent = AutoGPT(goals=goals, model=ScriptedModel(list(script), delay=0.15), settings=settings,
                    workspace=tmp_path / "ws")
    job = asyncio.create_task(agent.arun())
    while agent.task_id is None or len(agent.store.history(agent.task_id)) < 2:
        await asyncio.sleep(0.02)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    task_id = agent.task_id
    assert task_id is not None
    record = agent.store.get_task(task_id)
    done = len(agent.store.history(task_id))
    used = done + (record.state.get("pending") is not None) + (record.state.get("running") is not None)
    return task_id, used, record.state


async def test_a_cancelled_run_resumes_from_its_last_step_and_runs_nothing_twice(settings: Settings,
                                                                                  tmp_path: Path) -> None:
    script = [*lines(4), reply("finish", reason="all lines written")]
    task_id, consumed, _ = await cancel_after_two_steps(script, ["Log four lines"], settings, tmp_path)

    resumed_model = ScriptedModel(script[consumed:])
    resumed = AutoGPT.resume(task_id, settings=settings, model=resumed_model)
    result = await resumed.arun()
    resumed_model.assert_complete()
    assert result.ok and result.run_id == task_id
    assert [s.number for s in result.history] == list(range(1, len(result.history) + 1))
    log = (tmp_path / "ws" / "log.txt").read_text()
    assert log == "".join(f"line {k}\n" for k in range(1, 5))
    assert result.artifacts == ["log.txt"]  # compared with the workspace before the first start


async def test_a_resumed_run_remembers_the_commands_that_failed(settings: Settings, tmp_path: Path) -> None:
    failing = reply("read_file", path="missing.txt")
    script = [failing, reply("list_folder"), reply("list_folder", path="."), failing, reply("finish", reason="done")]
    task_id, consumed, state = await cancel_after_two_steps(script, ["List the folder"], settings, tmp_path)
    assert list(state["checks"]["failed"]) == [signature("read_file", {"path": "missing.txt"})]
    resumed = AutoGPT.resume(task_id, settings=settings, model=ScriptedModel(script[consumed:]))
    result = await resumed.arun()
    again = result.history[3]  # the record of failures was checkpointed, with a fingerprint of the workspace
    assert not again.executed and "already failed at step 1" in again.observation


async def test_a_command_cut_off_while_running_is_not_run_again(settings: Settings, tmp_path: Path) -> None:
    """The process dies while a command runs: the resumed run tells the model instead of running it again."""

    class Crash(BaseException):
        pass

    def crash(path: str, content: str) -> str:
        """Dies like a killed process."""
        raise Crash()

    model = ScriptedModel([reply("write_file", path="a.txt", content="a"), reply("crash", path="x", content="y")])
    agent = AutoGPT(goals=["Write a.txt"], model=model, settings=settings, workspace=tmp_path / "ws")
    agent.tools.add(crash)
    with pytest.raises(Crash):
        await agent.arun()
    task_id = agent.task_id
    assert task_id is not None
    state = agent.store.get_task(task_id).state
    assert state["running"]["reply"]["command"]["name"] == "crash" and state["steps"] == 1

    resumed_model = ScriptedModel([reply("finish", reason="done")])
    resumed = AutoGPT.resume(task_id, settings=settings, model=resumed_model)
    result = await resumed.arun()
    assert result.ok and len(resumed_model.calls) == 1
    interrupted = result.history[1]
    assert isinstance(interrupted, ActionStep) and not interrupted.ok
    assert "interrupted" in interrupted.observation  # the model is told, the command is not run again
    assert "interrupted" in resumed_model.calls[0].messages[-1].content


async def test_a_proposal_waiting_for_approval_survives_and_is_used_on_resume(settings: Settings,
                                                                               tmp_path: Path) -> None:
    from autogpt.agent.control import CallbackHuman

    approved = asyncio.Event()

    async def never(step: int, r: Any) -> str:
        approved.set()
        await asyncio.sleep(3600)
        return "y"

    model = ScriptedModel([reply("write_file", path="a.txt", content="a")])
    agent = AutoGPT(goals=["Write a.txt"], model=model, settings=settings, workspace=tmp_path / "ws",
                    continuous=False, human=CallbackHuman(on_approve=never))
    job = asyncio.create_task(agent.arun())
    await approved.wait()
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert agent.task_id is not None
    pending = agent.store.get_task(agent.task_id).state["pending"]
    assert pending["reply"]["command"]["args"]["path"] == "a.txt"

    resumed_model = ScriptedModel([reply("finish", reason="done")])
    resumed = AutoGPT.resume(agent.task_id, settings=settings, model=resumed_model,
                             continuous=False, human=CallbackHuman(on_approve=lambda s, r: "y"))
    result = await resumed.arun()
    assert result.ok and len(resumed_model.calls) == 1  # the stored proposal ran without a new model call
    assert (tmp_path / "ws" / "a.txt").read_text() == "a"


def test_finished_and_unknown_tasks_cannot_be_resumed(settings: Settings, tmp_path: Path) -> None:
    agent = AutoGPT(goals=["Finish"], model=ScriptedModel([reply("finish", reason="ok")]), settings=settings,
                    workspace=tmp_path / "ws")
    agent.run()
    with pytest.raises(AgentStateError, match="has ended"):
        AutoGPT.resume(agent.task_id, settings=settings, model=ScriptedModel()).run()
    with pytest.raises(NotFoundError):
        AutoGPT.resume("nope", settings=settings)


# --- a real process, killed with SIGKILL ------------------------------------------------------------------


def _autogpt(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    env["AUTOGPT_DATA_DIR"] = str(data_dir)
    env["AUTOGPT_LESSONS"] = "false"  # see conftest: the script does not script the review
    return subprocess.run([sys.executable, "-m", "autogpt", *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=env, encoding="utf-8")


def test_kill_9_at_any_moment_loses_no_completed_step_and_runs_none_twice(tmp_path: Path) -> None:
    """Kill the CLI with SIGKILL at staggered moments (while thinking, between steps, while acting), resume each
    time with the rest of the script, and check the log: every line once, in order."""
    data_dir, workspace = tmp_path / "data", tmp_path / "ws"
    n = 8
    script = [*lines(n), reply("finish", reason="all lines written")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    env["AUTOGPT_DATA_DIR"] = str(data_dir)
    env["AUTOGPT_LESSONS"] = "false"  # see conftest: the script does not script the review
    task_id: str | None = None
    kills = 0
    for attempt in range(12):
        consumed = 0
        if task_id is not None:
            shown = json.loads(_autogpt("show", task_id, "--json", data_dir=data_dir).stdout)
            consumed = len(shown["steps"]) + (shown["pending"] is not None) + (shown["running"] is not None)
        path = tmp_path / f"script{attempt}.json"
        path.write_text(json.dumps([{"delay": 0.2}, *script[consumed:]]), encoding="utf-8")
        args = ["run", "--json", "--continuous", "--model", f"scripted:{path}"]
        args += ["--resume", task_id] if task_id else ["-g", "Log eight lines", "-w", str(workspace)]
        proc = subprocess.Popen([sys.executable, "-m", "autogpt", *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        if task_id is None:
            assert proc.stdout is not None
            task_id = json.loads(proc.stdout.readline())["run_id"]
            threading.Thread(target=proc.stdout.read, daemon=True).start()
        if kills < 4:
            time.sleep(0.35 + 0.13 * attempt)  # a different moment each time
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
        proc.wait(timeout=60)
        status = json.loads(_autogpt("show", task_id, "--json", data_dir=data_dir).stdout)["status"]
        if status == "finished":
            break
    assert kills >= 3, "the run ended before it could be killed"
    shown = json.loads(_autogpt("show", task_id, "--json", data_dir=data_dir).stdout)
    assert shown["status"] == "finished", shown["status"]
    numbers = [s["number"] for s in shown["steps"]]
    assert numbers == list(range(1, len(numbers) + 1))  # no step lost, none recorded twice
    log = (workspace / "log.txt").read_text().splitlines()
    assert len(log) == len(set(log)), f"a step ran twice: {log}"
    # every line whose step completed is there, in order; a step cut off while acting is not run again
    assert log == sorted(log, key=lambda line: int(line.split()[1]))
    interrupted = [s for s in shown["steps"] if "interrupted" in s.get("observation", "")]
    assert len(log) + len(interrupted) >= n
