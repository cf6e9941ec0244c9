"""The ``autogpt`` command line, driven as a real subprocess with a scripted model (``--model scripted:FILE``)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import reply

RUN_FLAGS = ["--goal", "--workspace", "--continuous", "--max-steps", "--model", "--json", "--settings", "--name", "--role", "--resume"]
TIMEOUT = 60


# --- helpers --------------------------------------------------------------------------------------------


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for the CLI: no AUTOGPT_* settings from the developer's shell except the data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_") and k not in ("COLUMNS", "LINES")}
    env["AUTOGPT_DATA_DIR"] = os.environ["AUTOGPT_DATA_DIR"]
    env["AUTOGPT_LESSONS"] = os.environ.get("AUTOGPT_LESSONS", "false")  # see conftest: scripts do not script reviews
    if "AUTOGPT_CACHE_DIR" in os.environ:
        env["AUTOGPT_CACHE_DIR"] = os.environ["AUTOGPT_CACHE_DIR"]
    env.update(extra)
    return env


def autogpt(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m autogpt ARGS``; stdin is the given text, or closed (DEVNULL) when None."""
    kwargs: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run(
        [sys.executable, "-m", "autogpt", *args], capture_output=True, text=True, encoding="utf-8",
        env=env or cli_env(), timeout=TIMEOUT, **kwargs,
    )


def script(tmp_path: Path, items: list[Any], name: str = "script.json") -> str:
    """Write a scripted model's replies and return its model id."""
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return f"scripted:{path}"


def events(stdout: str) -> list[dict[str, Any]]:
    """Parse ``--json`` output: every line must be one JSON event."""
    parsed = []
    for line in stdout.splitlines():
        event = json.loads(line)  # fails the test on any non-JSON line
        assert isinstance(event, dict) and "type" in event, line
        parsed.append(event)
    return parsed


def finished(evs: list[dict[str, Any]]) -> dict[str, Any]:
    assert evs and evs[-1]["type"] == "run_finished", [e["type"] for e in evs]
    return evs[-1]


def kinds(evs: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in evs if e["type"] == "step_finished"]


def oneline(text: str) -> str:
    return " ".join(text.split())


def assert_clean_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Error:" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    for fragment in fragments:
        assert fragment in oneline(proc.stderr), proc.stderr


WRITE_AND_FINISH = [
    reply("write_file", path="hello.txt", content="Hello, world!"),
    reply("finish", reason="Wrote hello.txt."),
]


@pytest.fixture
def data_dir() -> Path:
    return Path(os.environ["AUTOGPT_DATA_DIR"])


# --- help and version -----------------------------------------------------------------------------------


def test_help_lists_the_commands_and_run_help_lists_every_flag() -> None:
    top = autogpt("--help")
    assert top.returncode == 0
    for word in ("run", "chat", "models", "list", "show", "serve", "bench", "sandbox", "--version", "AUTOGPT_MODEL"):
        assert word in top.stdout
    run_help = autogpt("run", "--help")
    assert run_help.returncode == 0
    for flag in RUN_FLAGS:
        assert flag in run_help.stdout, flag


def test_version() -> None:
    from autogpt import __version__

    proc = autogpt("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"autogpt {__version__}"


# --- runs -------------------------------------------------------------------------------------------------


def test_continuous_run_writes_the_file_and_finishes(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "--goal", "Write hello.txt", "--continuous", "--workspace", str(workspace),
                   "--model", script(tmp_path, WRITE_AND_FINISH))
    assert proc.returncode == 0, proc.stderr
    assert (workspace / "hello.txt").read_text(encoding="utf-8") == "Hello, world!"
    assert str(workspace) in proc.stdout
    assert f"{workspace}/hello.txt" in proc.stdout  # listed among the files produced
    assert "Goals:" in proc.stdout and "Status: finished" in proc.stdout
    assert "目标" not in proc.stdout
    assert "Traceback" not in proc.stderr


def test_without_workspace_a_fresh_folder_is_created_and_printed(tmp_path: Path, data_dir: Path) -> None:
    proc = autogpt("run", "-g", "Write hello.txt", "--continuous", "--model", script(tmp_path, WRITE_AND_FINISH))
    assert proc.returncode == 0, proc.stderr
    (folder,) = (data_dir / "workspaces").iterdir()
    assert (folder / "hello.txt").read_text(encoding="utf-8") == "Hello, world!"
    printed = [line.split(":", 1)[1].strip() for line in proc.stdout.splitlines() if line.startswith("Workspace:")]
    assert printed == [str(folder)]
    assert not (tmp_path / "hello.txt").exists()  # nothing written to the current directory


def test_json_output_is_one_event_per_line(tmp_path: Path, data_dir: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "-g", "Write hello.txt", "--continuous", "--json", "-w", str(workspace),
                   "--model", script(tmp_path, WRITE_AND_FINISH))
    assert proc.returncode == 0, proc.stderr
    evs = events(proc.stdout)
    assert evs[0]["type"] == "run_started"
    assert evs[0]["workspace"] == str(workspace) and evs[0]["goals"] == ["Write hello.txt"]
    end = finished(evs)
    assert end["status"] == "finished"
    assert end["artifacts"] == ["hello.txt"]
    assert end["summary"] == "Wrote hello.txt."
    assert kinds(evs) == ["action", "action"]
    assert {e["run_id"] for e in evs} == {evs[0]["run_id"]}
    assert not any(e["type"] == "token" for e in evs)
    # the store holds the same events, and the result
    store = SQLiteStore(data_dir / "autogpt.db")
    logged = [e for _, e in store.events(evs[0]["run_id"])]
    assert [e["type"] for e in logged] == [e["type"] for e in evs]
    assert store.get_task(evs[0]["run_id"]).result["status"] == "finished"


def test_approval_yes_yes_finishes_and_json_stays_clean(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "-g", "Write hello.txt", "--json", "-w", str(workspace),
                   "--model", script(tmp_path, WRITE_AND_FINISH), stdin="y\ny\n")
    assert proc.returncode == 0, proc.stderr
    end = finished(events(proc.stdout))  # the approval prompts must not pollute stdout
    assert end["status"] == "finished"
    assert (workspace / "hello.txt").exists()
    assert proc.stderr.count("'y -N'") == 2  # asked twice, on stderr


def test_approval_no_stops_without_running_the_command(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "-g", "Write hello.txt", "--json", "-w", str(workspace),
                   "--model", script(tmp_path, WRITE_AND_FINISH), stdin="n\n")
    assert proc.returncode == 1
    evs = events(proc.stdout)
    assert finished(evs)["status"] == "stopped"
    assert not any(e["type"] == "tool_started" for e in evs)
    assert not (workspace / "hello.txt").exists()


def test_feedback_is_recorded_as_a_step_instead_of_running_the_command(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    model = script(tmp_path, [
        reply("write_file", path="a.txt", content="1"),
        reply("write_file", path="b.txt", content="2"),
        reply("finish", reason="done"),
    ])
    proc = autogpt("run", "-g", "Write a file", "--json", "-w", str(workspace), "--model", model,
                   stdin="Please call it b.txt\ny\ny\n")
    assert proc.returncode == 0, proc.stderr
    evs = events(proc.stdout)
    assert kinds(evs) == ["feedback", "action", "action"]
    assert finished(evs)["status"] == "finished"
    assert not (workspace / "a.txt").exists()
    assert (workspace / "b.txt").read_text(encoding="utf-8") == "2"


def test_feedback_reaches_the_models_next_prompt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process (typer's CliRunner) so the scripted model's recorded prompts can be inspected."""
    from typer.testing import CliRunner

    from autogpt.cli import app
    from autogpt.testing import ScriptedModel

    made: list[ScriptedModel] = []
    original = ScriptedModel.from_file.__func__  # type: ignore[attr-defined]

    def recording(cls: type[ScriptedModel], path: str) -> ScriptedModel:
        made.append(original(cls, path))
        return made[-1]

    monkeypatch.setattr(ScriptedModel, "from_file", classmethod(recording))
    model = script(tmp_path, [reply("write_file", path="a.txt", content="1"), reply("finish", reason="ok")])
    result = CliRunner().invoke(app, ["run", "-g", "Write a file", "-w", str(tmp_path / "ws"), "--model", model],
                                input="Use the name zebra.txt please\ny\n")
    assert result.exit_code == 0, result.output
    (scripted,) = made
    assert len(scripted.calls) == 2
    assert "zebra.txt" not in " ".join(m.content for m in scripted.calls[0].messages)
    assert "Use the name zebra.txt please" in " ".join(m.content for m in scripted.calls[1].messages)


def test_y_minus_n_runs_n_steps_without_asking(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    model = script(tmp_path, [
        reply("write_file", path="a.txt", content="1"),
        reply("write_file", path="b.txt", content="2"),
        reply("finish", reason="done"),
    ])
    # one answer covers both writes; the second answer approves finish
    proc = autogpt("run", "-g", "Write two files", "--json", "-w", str(workspace), "--model", model,
                   stdin="y -2\ny\n")
    assert proc.returncode == 0, proc.stderr
    assert finished(events(proc.stdout))["status"] == "finished"
    assert (workspace / "a.txt").exists() and (workspace / "b.txt").exists()
    assert proc.stderr.count("'y -N'") == 2


def test_closed_stdin_without_continuous_stops_cleanly(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "-g", "Write hello.txt", "-w", str(workspace),
                   "--model", script(tmp_path, WRITE_AND_FINISH))  # stdin is DEVNULL
    assert proc.returncode == 1
    assert "--continuous" in proc.stdout + proc.stderr
    assert "stopped" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert not (workspace / "hello.txt").exists()


def test_max_steps_ends_a_run_that_never_finishes(tmp_path: Path) -> None:
    model = script(tmp_path, [reply("write_file", path=f"f{i}.txt", content=str(i)) for i in range(5)])
    proc = autogpt("run", "-g", "Keep writing", "--continuous", "--json", "--max-steps", "1", "--model", model)
    assert proc.returncode == 1
    end = finished(events(proc.stdout))
    assert end["status"] == "max_steps"
    assert end["steps"] == 1


def test_repeating_the_same_command_ends_as_stuck(tmp_path: Path) -> None:
    same = reply("write_file", path="a.txt", content="again")
    proc = autogpt("run", "-g", "Write", "--continuous", "--json", "--model", script(tmp_path, [same] * 5))
    assert proc.returncode == 1
    evs = events(proc.stdout)
    assert finished(evs)["status"] == "stuck"
    assert sum(e["type"] == "tool_started" for e in evs) == 1  # the repeats never ran


def test_model_error_ends_with_status_error_and_no_traceback(tmp_path: Path) -> None:
    model = script(tmp_path, [reply("write_file", path="a.txt", content="1"), {"error": "upstream exploded"}])
    proc = autogpt("run", "-g", "Write", "--continuous", "--json", "--model", model)
    assert proc.returncode == 1
    end = finished(events(proc.stdout))
    assert end["status"] == "error"
    assert "upstream exploded" in end["error"]
    assert end["steps"] == 1
    assert "Traceback" not in proc.stderr


def test_ai_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / "ai_settings.yaml"
    settings.write_text("ai_name: Writer-Bot\nai_role: writes greeting files\nai_goals:\n  - Write hello.txt\n"
                        "api_budget: 0.5\n", encoding="utf-8")
    proc = autogpt("run", "--settings", str(settings), "--continuous", "--model", script(tmp_path, WRITE_AND_FINISH))
    assert proc.returncode == 0, proc.stderr
    assert "Writer-Bot" in proc.stdout
    assert "writes greeting files" in proc.stdout
    assert "Write hello.txt" in proc.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("ai_name: [unclosed\n", "is not valid YAML"),
        ("ai_name: Bot\nai_goal: typo\n", "unknown settings: ai_goal"),
        ("ai_goals:\n  first: a\n", "ai_goals must be a list of strings"),
        ("ai_goals: [a]\napi_budget: lots\n", "api_budget must be a number"),
    ],
    ids=["bad-yaml", "unknown-key", "goals-not-a-list", "bad-budget"],
)
def test_broken_ai_settings_is_a_usage_error(tmp_path: Path, content: str, expected: str) -> None:
    settings = tmp_path / "ai_settings.yaml"
    settings.write_text(content, encoding="utf-8")
    proc = autogpt("run", "--settings", str(settings), "--continuous", "--model", script(tmp_path, WRITE_AND_FINISH))
    assert_clean_error(proc, expected, str(settings))


def test_no_goal_and_no_tty_is_a_usage_error(tmp_path: Path) -> None:
    proc = autogpt("run", "--continuous", "--model", script(tmp_path, WRITE_AND_FINISH))
    assert_clean_error(proc, "No goal given", "--goal")


def test_unknown_model_lists_the_known_ones() -> None:
    proc = autogpt("run", "-g", "Write", "--continuous", "--model", "nosuch")
    assert_clean_error(proc, "Unknown model 'nosuch'", "qwen2.5-coder-1.5b", "openai:MODEL", "gguf:PATH")


def test_unreadable_script_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = autogpt("run", "-g", "Write", "--continuous", "--model", f"scripted:{tmp_path / 'missing.json'}")
    assert_clean_error(proc, "Cannot read the scripted model file")


def test_chinese_goal_gives_chinese_labels(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "-g", "写一个文件 hello.txt，内容是问候语", "--continuous", "-w", str(workspace),
                   "--model", script(tmp_path, WRITE_AND_FINISH))
    assert proc.returncode == 0, proc.stderr
    for label in ("目标", "工作区", "命令", "结果", "状态", "生成的文件"):
        assert label in proc.stdout, label
    assert "Goals:" not in proc.stdout
    assert "写一个文件 hello.txt" in proc.stdout


# --- models and chat ----------------------------------------------------------------------------------


def test_models_lists_the_embedded_models_and_provider_presets() -> None:
    proc = autogpt("models")
    assert proc.returncode == 0, proc.stderr
    for model_id in ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "gguf:PATH", "openai:MODEL", "deepseek:MODEL",
                     "qwen:MODEL", "ollama:MODEL", "vllm:MODEL", "custom:MODEL"):
        assert model_id in proc.stdout, model_id
    assert "OPENAI_API_KEY" in proc.stdout


def test_chat_message_prints_the_answer(tmp_path: Path) -> None:
    proc = autogpt("chat", "--message", "Hello", "--model", script(tmp_path, ["Hi! I am a scripted assistant."]))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Hi! I am a scripted assistant."


@pytest.mark.parametrize("word", ["exit", "quit", "退出"])
def test_interactive_chat_exits_on_the_exit_words(tmp_path: Path, word: str) -> None:
    model = script(tmp_path, ["First answer.", "Second answer."])
    proc = autogpt("chat", "--model", model, stdin=f"你好\n\n{word}\nthis must not be sent\n")
    assert proc.returncode == 0, proc.stderr
    assert "AI: First answer." in proc.stdout
    assert "Second answer." not in proc.stdout  # nothing after the exit word went to the model
    assert "Traceback" not in proc.stderr


def test_interactive_chat_ends_at_end_of_input(tmp_path: Path) -> None:
    model = script(tmp_path, ["First answer.", "Second answer."])
    proc = autogpt("chat", "--model", model, stdin="hello\nagain\n")
    assert proc.returncode == 0, proc.stderr
    assert "AI: First answer." in proc.stdout and "AI: Second answer." in proc.stdout


# --- environment --------------------------------------------------------------------------------------


def test_autogpt_model_env_is_used_without_model_flag(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc = autogpt("run", "-g", "Write hello.txt", "--continuous", "--json", "-w", str(workspace),
                   env=cli_env(AUTOGPT_MODEL=script(tmp_path, WRITE_AND_FINISH)))
    assert proc.returncode == 0, proc.stderr
    evs = events(proc.stdout)
    assert evs[0]["model"].startswith("scripted:")
    assert finished(evs)["status"] == "finished"


def test_autogpt_workspace_env_is_used(tmp_path: Path, data_dir: Path) -> None:
    workspace = tmp_path / "from-env"
    proc = autogpt("run", "-g", "Write hello.txt", "--continuous", "--model", script(tmp_path, WRITE_AND_FINISH),
                   env=cli_env(AUTOGPT_WORKSPACE=str(workspace)))
    assert proc.returncode == 0, proc.stderr
    assert (workspace / "hello.txt").exists()
    assert str(workspace) in proc.stdout
    assert not (data_dir / "workspaces").exists()


# --- Ctrl-C -------------------------------------------------------------------------------------------


class SlowRun:
    """A continuous ``--json`` run whose scripted model waits 1 s before each reply; reads its events live."""

    def __init__(self, tmp_path: Path, replies: int = 30) -> None:
        model = script(tmp_path, [{"delay": 1.0}, *(reply("write_file", path=f"f{i}.txt", content=str(i))
                                                    for i in range(replies))])
        self.workspace = tmp_path / "ws"
        self.stderr_path = tmp_path / "stderr.txt"
        with self.stderr_path.open("w", encoding="utf-8") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "autogpt", "run", "-g", "Write many files", "--continuous", "--json",
                 "-w", str(self.workspace), "--model", model],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8",
                env=cli_env(),
            )
        self.events: list[dict[str, Any]] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, predicate: Any, timeout: float = 20) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert line is not None, f"the run ended first: {[e['type'] for e in self.events]}"
            event = json.loads(line)
            self.events.append(event)
            if predicate(event):
                return event

    def finish(self) -> int:
        try:
            rc = self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        while (line := self._lines.get(timeout=10)) is not None:
            self.events.append(json.loads(line))
        return rc

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")


def test_ctrl_c_twice_exits_130_and_the_run_log_is_complete(tmp_path: Path, data_dir: Path) -> None:
    run = SlowRun(tmp_path)
    run.wait_for(lambda e: e["type"] == "step_finished")
    run.proc.send_signal(signal.SIGINT)
    run.wait_for(lambda e: e["type"] == "notice" and "Ctrl-C" in e["message"])
    run.proc.send_signal(signal.SIGINT)
    rc = run.finish()
    assert rc == 130, run.stderr
    assert "Traceback" not in run.stderr
    assert finished(run.events)["status"] == "interrupted"
    run_id = run.events[0]["run_id"]
    logged = [e for _, e in SQLiteStore(data_dir / "autogpt.db").events(run_id)]
    done = [e["step"] for e in logged if e["type"] == "step_finished"]
    assert done and done == list(range(1, len(done) + 1))
    assert logged[-1]["type"] == "run_finished"
    assert logged[-1]["status"] == "interrupted"
    assert logged[-1]["steps"] == len(done)
    assert (run.workspace / "f0.txt").read_text(encoding="utf-8") == "0"
    assert len(done) < 30  # it did not run to the end of the script


def test_ctrl_c_once_unattended_stops_after_the_current_step(tmp_path: Path) -> None:
    run = SlowRun(tmp_path)
    run.wait_for(lambda e: e["type"] == "step_finished")
    run.proc.send_signal(signal.SIGINT)
    notice = run.wait_for(lambda e: e["type"] == "notice" and "Ctrl-C" in e["message"])
    in_progress = max(e["step"] for e in run.events if e["type"] == "thinking")
    rc = run.finish()
    assert rc == 1, run.stderr
    assert "Traceback" not in run.stderr
    end = finished(run.events)
    assert end["status"] == "stopped"
    assert end["steps"] == in_progress  # the step in progress was completed, and no further one started
    assert max(e["step"] for e in run.events if e["type"] == "thinking") == in_progress
    started = [e["step"] for e in run.events if e["type"] == "tool_started"]
    assert started == [e["step"] for e in run.events if e["type"] == "tool_finished"]
    assert (run.workspace / f"f{in_progress - 1}.txt").exists()
    assert not (run.workspace / f"f{in_progress}.txt").exists()
    assert notice in run.events


def test_output_closed_early_lets_the_run_finish_quietly(tmp_path: Path) -> None:
    items = [{"delay": 0.3}, reply("write_file", path="a.txt", content="x"), reply("finish", reason="ok")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogpt", "run", "--goal", "g", "--continuous", "--workspace", str(tmp_path / "ws"),
         "--model", script(tmp_path, items)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=cli_env(), text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    stderr = proc.stderr.read() if proc.stderr else ""
    assert "Traceback" not in stderr and "Error" not in stderr
    assert (tmp_path / "ws" / "a.txt").read_text() == "x"


# --- autogpt sandbox ------------------------------------------------------------------------------------

needs_bwrap = pytest.mark.skipif(not __import__("shutil").which("bwrap"), reason="bubblewrap is not installed")


@needs_bwrap
def test_sandbox_check_names_the_isolation_and_its_layers():
    done = autogpt("sandbox", "check")
    assert done.returncode == 0, done.stderr
    assert "Sandbox: bubblewrap" in done.stdout
    assert "network namespace" in done.stdout and "no network" in done.stdout
    assert "empty environment" in done.stdout


def test_sandbox_check_without_bubblewrap_says_how_to_install_it(tmp_path):
    done = autogpt("sandbox", "check", env=cli_env(PATH=str(tmp_path)))  # no bwrap on this PATH
    assert done.returncode == 1
    assert "apt-get install" in done.stdout and "bubblewrap" in done.stdout


@needs_bwrap
def test_sandbox_run_is_the_tools_sandbox(tmp_path):
    code = ("import os, pathlib, socket\n"
            "pathlib.Path('made.txt').write_text(os.getcwd())\n"
            "print('secret' if 'AUTOGPT_TEST_SECRET' in os.environ else 'no secret')\n"
            "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1); print('net')\n"
            "except OSError:\n    print('no net')\n"
            "raise SystemExit(3)\n")
    done = autogpt("sandbox", "run", "--workspace", str(tmp_path), "--", "python", "-c", code,
                   env=cli_env(AUTOGPT_TEST_SECRET="hunter2"))
    assert done.returncode == 3, done.stderr
    assert done.stdout.split() == ["no", "secret", "no", "net"]
    assert (tmp_path / "made.txt").read_text() == "/workspace"


@needs_bwrap
def test_sandbox_run_timeout_exits_124_and_bad_workspace_is_a_usage_error(tmp_path):
    done = autogpt("sandbox", "run", "-w", str(tmp_path), "--", "python", "-c", "import time; time.sleep(60)",
                   env=cli_env(AUTOGPT_SANDBOX_TIMEOUT="1"))
    assert done.returncode == 124
    assert "timeout" in done.stderr
    missing = autogpt("sandbox", "run", "-w", str(tmp_path / "nope"), "--", "true")
    assert missing.returncode == 2 and "not a folder" in missing.stderr


def test_list_show_and_resume_from_the_command_line(tmp_path: Path) -> None:
    assert "No runs yet" in autogpt("list").stdout
    model = script(tmp_path, [reply("write_file", path="a.txt", content="一"), reply("finish", reason="写好了")])
    assert autogpt("run", "-g", "写 a.txt", "--continuous", "--model", model).returncode == 0
    listed = autogpt("list", "--json")
    run = json.loads(listed.stdout.splitlines()[0])
    assert run["status"] == "finished" and run["goals"] == ["写 a.txt"] and run["steps"] == 2
    table = autogpt("list", env=cli_env(COLUMNS="200"))
    assert run["task_id"] in table.stdout and "finished" in table.stdout
    shown = autogpt("show", run["task_id"], env=cli_env(COLUMNS="200"))
    assert "✓ write_file" in shown.stdout and "Result: 写好了" in shown.stdout
    missing = autogpt("show", "nope")
    assert missing.returncode == 2 and "No task 'nope'" in missing.stderr
    ended = autogpt("run", "--resume", run["task_id"], "--continuous", "--model", model)
    assert ended.returncode == 2 and "has ended" in ended.stderr
    mixed = autogpt("run", "--resume", run["task_id"], "-g", "other goal")
    assert mixed.returncode == 2 and "--resume goes on with the stored goals" in mixed.stderr
