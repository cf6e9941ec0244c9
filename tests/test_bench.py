"""The benchmark harness: loading challenges, every evaluation type, workspaces, web pages, cutoffs, the Agent
Protocol runner against our own server, the CLI; and the suite's self-test (each reference solution passes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from autogpt import Settings
from autogpt.bench import evaluate, load_challenge, load_challenges, run_attempt
from autogpt.bench.runner import prepare_workspace
from autogpt.errors import ConfigError
from autogpt.server.app import create_app
from autogpt.testing import ScriptedModel, reply

SUITE = Path(__file__).parents[1] / "benchmarks" / "challenges"
LEARNING = Path(__file__).parents[1] / "benchmarks" / "learning"  # the task family of benchmarks/learning.py


def make(root: Path, name: str, task: str, ground: dict[str, Any], *, files: dict[str, str] | None = None,
         custom: dict[str, str] | None = None, out: dict[str, str] | None = None, **extra: Any) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "data.json").write_text(json.dumps({"name": name, "task": task, "category": ["test"], "ground": ground,
                                                  **extra}), encoding="utf-8")
    for sub, content in (("artifacts_in", files), ("custom_python", custom), ("artifacts_out", out)):
        for rel, text in (content or {}).items():
            path = folder / sub / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(data_dir=tmp_path / "data")


# --- loading ----------------------------------------------------------------------------------------------


def test_challenges_load_in_dependency_order_and_filter_by_category(tmp_path: Path) -> None:
    make(tmp_path, "B", "b", {}, dependencies=["A"])
    make(tmp_path, "A", "a", {}, category=["file"])
    assert [c.name for c in load_challenges([tmp_path])] == ["A", "B"]
    assert [c.name for c in load_challenges([tmp_path], ["file"])] == ["A"]


@pytest.mark.parametrize("text", ["{not json", '{"task": "no name"}', '{"name": "x", "task": "t", "cutoff": "soon"}'])
def test_a_broken_challenge_names_its_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "data.json").write_text(text)
    with pytest.raises(ConfigError, match="data.json"):
        load_challenge(tmp_path)
    with pytest.raises(ConfigError, match="No such challenge folder"):
        load_challenges([tmp_path / "nope"])


# --- evaluation -------------------------------------------------------------------------------------------


async def test_file_evaluation_checks_phrases_case_and_extensions(tmp_path: Path) -> None:
    ch = load_challenge(make(tmp_path / "c", "F", "t", {"should_contain": ["Washington"], "should_not_contain": ["Paris"],
                                                        "files": [".txt"], "case_sensitive": False}))
    ws = tmp_path / "ws"
    ws.mkdir()
    assert not (await evaluate(ch, ws)).success  # no .txt at all
    (ws / "a.txt").write_text("washington, d.c.")
    assert (await evaluate(ch, ws)).success
    (ws / "b.txt").write_text("Paris")
    verdict = await evaluate(ch, ws)
    assert not verdict.success and "b.txt: contains 'Paris'" in verdict.details[-1]


async def test_python_and_pytest_evaluations_run_checkers_in_the_sandbox(tmp_path: Path) -> None:
    checker = "import os\nprint('PASS' if open('out.txt').read().strip() == '42' else 'FAIL')\nprint(os.getuid())"
    py = load_challenge(make(tmp_path / "c", "P", "t", {"should_contain": ["PASS"], "files": ["check.py"],
                                                        "eval": {"type": "python"}}, custom={"check.py": checker}))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "out.txt").write_text("41")
    assert not (await evaluate(py, ws)).success
    (ws / "out.txt").write_text("42")
    assert (await evaluate(py, ws)).success

    tests = "from stack import Stack\n\ndef test_push_pop():\n    s = Stack()\n    s.push(1)\n    assert s.pop() == 1\n"
    pt = load_challenge(make(tmp_path / "c", "T", "t", {"files": ["stack.py"], "eval": {"type": "pytest"}},
                             custom={"test_stack.py": tests}))
    ws2 = tmp_path / "ws2"
    ws2.mkdir()
    (ws2 / "stack.py").write_text("class Stack:\n    def push(self, x): pass\n    def pop(self): return None\n")
    assert not (await evaluate(pt, ws2)).success
    (ws2 / "stack.py").write_text("class Stack(list):\n    push = list.append\n")
    verdict = await evaluate(pt, ws2)
    assert verdict.success and "1 passed" in verdict.details[0]


async def test_llm_evaluation_asks_the_judge_and_normalises_its_score(tmp_path: Path) -> None:
    ch = load_challenge(make(tmp_path / "c", "L", "Summarise", {"answer": "mentions cats", "files": ["s.md"],
                                                                "eval": {"type": "llm", "scoring": "scale",
                                                                         "template": "rubric"}}))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "s.md").write_text("Cats sleep a lot.")
    judge = ScriptedModel(["9\nIt mentions cats.", "3\nOff topic."])
    good, bad = await evaluate(ch, ws, judge=judge), await evaluate(ch, ws, judge=judge)
    assert good.success and good.score == pytest.approx(0.9) and not bad.success
    assert "Cats sleep a lot." in judge.calls[0].messages[0].content and "mentions cats" in judge.calls[0].messages[0].content


# --- running ----------------------------------------------------------------------------------------------


async def test_an_attempt_gets_inputs_a_served_page_and_is_judged(tmp_path: Path, settings: Settings) -> None:
    folder = make(tmp_path / "c", "Web", "Read {{url}}/page.html and copy the code word to answer.txt",
                  {"should_contain": ["tangerine"], "files": ["answer.txt"]},
                  files={"notes.txt": "hint", "www/page.html": "<p>The code word is tangerine.</p>"})
    ch = load_challenge(folder)
    seen: list[str] = []

    def act(request: Any) -> dict[str, Any]:
        goal = request.messages[0].content
        url = goal[goal.index("http://127.0.0.1:"):].split("/page.html")[0] + "/page.html"
        import urllib.request

        seen.append(urllib.request.urlopen(url, timeout=5).read().decode())  # the page is really served
        return reply("read_webpage", url=url)

    model = ScriptedModel([act, reply("write_file", path="answer.txt", content="tangerine"),
                           reply("finish", reason="done")])
    result = await run_attempt(ch, tmp_path / "ws", settings=settings, model_factory=lambda c: model)
    assert result.success and result.steps == 3 and result.status == "finished"
    assert "tangerine" in model.calls[1].messages[-1].content  # read_webpage may read the loopback page
    assert "tangerine" in seen[0]
    assert (tmp_path / "ws" / "notes.txt").exists() and not (tmp_path / "ws" / "www").exists()


async def test_the_cutoff_ends_a_slow_attempt_as_a_failure(tmp_path: Path, settings: Settings) -> None:
    ch = load_challenge(make(tmp_path / "c", "Slow", "t", {"should_contain": ["x"], "files": ["a.txt"]}, cutoff=1))
    model = ScriptedModel([reply("write_file", path="b.txt", content="x")] * 20, delay=0.4)
    result = await run_attempt(ch, tmp_path / "ws", settings=settings, model_factory=lambda c: model)
    assert not result.success and result.status == "max_time" and "cut off after 1 s" in (result.error or "")
    assert result.seconds < 10


def test_the_agent_protocol_runner_scores_our_own_server(tmp_path: Path, settings: Settings) -> None:
    ch = load_challenge(make(tmp_path / "c", "Remote", "Copy input.txt to output.txt",
                             {"should_contain": ["abc"], "files": ["output.txt"]}, files={"input.txt": "abc"}))
    models: list[ScriptedModel] = []

    def model_for(record: Any) -> ScriptedModel:
        models.append(ScriptedModel([reply("read_file", path="input.txt"),
                                     reply("write_file", path="output.txt", content="abc"),
                                     reply("finish", reason="copied")]))
        return models[-1]

    app = create_app(Settings.load(data_dir=tmp_path / "server"), model_factory=model_for)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        import asyncio

        result = asyncio.run(run_attempt(ch, tmp_path / "ws", settings=settings, agent_url=f"http://127.0.0.1:{port}"))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert result.success, result
    assert result.status == "finished" and result.steps == 4  # a first think, then three approved commands
    models[0].assert_complete()
    assert "abc" in models[0].calls[1].messages[-1].content  # the uploaded input was read on the server


def test_cli_runs_a_suite_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    make(suite, "Hello", "Write hello to hello.txt", {"should_contain": ["hello"], "files": ["hello.txt"]})
    make(suite, "Never", "Write bye to bye.txt", {"should_contain": ["bye"], "files": ["bye.txt"]}, dependencies=["Hello"])
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("write_file", path="hello.txt", content="hello"), reply("finish", reason="ok"),
                                  reply("finish", reason="gave up")]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    out = subprocess.run([sys.executable, "-m", "autogpt", "bench", str(suite), "--model", f"scripted:{script}",
                          "--data-dir", str(tmp_path / "data"), "--json", str(tmp_path / "r.json"),
                          "--results-dir", str(tmp_path / "results")],
                         capture_output=True, text=True, timeout=120, env={**env, "COLUMNS": "200"},
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 1, out.stderr  # one of two solved
    assert "Solved 1/2 (50%)" in out.stdout and "Hello" in out.stdout
    flat = json.loads((tmp_path / "r.json").read_text())
    assert [(r["name"], r["success"]) for r in flat] == [("Hello", True), ("Never", False)]
    assert set(flat[0]) == {"name", "success", "steps", "tokens", "seconds", "error"}
    full = json.loads((tmp_path / "results" / "results.json").read_text())
    assert full["model"].startswith("scripted:") and len(full["suite_version"]) == 12
    assert (tmp_path / "results" / "Hello" / "attempt-1" / "hello.txt").read_text() == "hello"


# --- the suite itself --------------------------------------------------------------------------------------


def suite_challenges() -> list[Any]:
    return load_challenges([SUITE]) if SUITE.is_dir() else []


def all_challenges() -> list[Any]:
    return suite_challenges() + (load_challenges([LEARNING]) if LEARNING.is_dir() else [])


def test_the_suite_is_broad_enough() -> None:
    challenges = suite_challenges()
    assert len(challenges) >= 20
    categories = {cat for c in challenges for cat in c.category}
    assert {"file", "code", "data", "module", "plan", "web", "text", "zh", "recovery"} <= categories
    assert len({c.info.difficulty for c in challenges}) >= 3


@pytest.mark.parametrize("challenge", all_challenges(), ids=lambda c: c.name)
async def test_each_reference_solution_passes_and_an_untouched_workspace_fails(challenge: Any, tmp_path: Path) -> None:
    import shutil

    judge = ScriptedModel(["100\nPerfect."] * 2 + ["0\nNothing there."] * 2)
    blank = tmp_path / "blank"
    prepare_workspace(challenge, blank)
    assert not (await evaluate(challenge, blank, judge=judge)).success
    solved = tmp_path / "solved"
    prepare_workspace(challenge, solved)
    shutil.copytree(challenge.artifacts_out, solved, dirs_exist_ok=True)
    verdict = await evaluate(challenge, solved, judge=ScriptedModel(["100\nPerfect."] * 4))
    assert verdict.success, verdict.details


@pytest.mark.parametrize("challenge", all_challenges(), ids=lambda c: c.name)
async def test_each_challenge_runs_through_the_harness_with_a_scripted_agent(challenge: Any, tmp_path: Path,
                                                                             settings: Settings) -> None:
    """The fast CI pass over the suite: an agent that writes the reference files, then finishes."""
    writes = [reply("write_file", path=str(p.relative_to(challenge.artifacts_out)), content=p.read_text(encoding="utf-8"))
              for p in sorted(challenge.artifacts_out.rglob("*")) if p.is_file()]
    # A computed answer typed without running code is asked about twice while no program has run (see
    # autogpt.tools.core): each time the agent looks at its files and finishes again.
    again = [reply("list_folder"), reply("finish", reason="done, checked"),
             reply("list_folder", path="."), reply("finish", reason="done, checked twice")]
    model = ScriptedModel([*writes, reply("finish", reason="done"), *again])
    judge = ScriptedModel(["100\nPerfect."] * 2)
    result = await run_attempt(challenge, tmp_path / "ws", settings=settings, model_factory=lambda c: model,
                               judge=judge)
    assert result.success, result.details
    assert result.status == "finished" and result.steps in (len(writes) + 1, len(writes) + 3, len(writes) + 5)
    assert len(model.script) == len(writes) + 1 + len(again) - result.steps


async def test_a_suite_shares_one_memory_and_one_store_and_closes_them(tmp_path: Path, settings: Settings,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from autogpt.agent import agent as agent_module
    from autogpt.bench import run_suite
    from autogpt.memory import create_memory

    opened: list[Any] = []

    def counting(s: Settings) -> Any:
        opened.append(create_memory(s))
        return opened[-1]

    monkeypatch.setattr(agent_module, "create_memory", counting)
    a = make(tmp_path / "c", "A", "Write a.txt", {"answer": "", "should_contain": ["a"], "files": ["a.txt"],
                                                  "eval": {"type": "file"}})
    b = make(tmp_path / "c", "B", "Write b.txt", {"answer": "", "should_contain": ["b"], "files": ["b.txt"],
                                                  "eval": {"type": "file"}})
    scripts = {"A": ["a"], "B": ["b"]}
    models: list[ScriptedModel] = []

    def factory(challenge: Any) -> ScriptedModel:
        text = scripts[challenge.name][0]
        models.append(ScriptedModel([reply("write_file", path=f"{text}.txt", content=text),
                                     reply("finish", reason="done")]))
        return models[-1]

    results = await run_suite(load_challenges([a, b]), settings=settings, results_dir=tmp_path / "results",
                              model_factory=factory, attempts=2)
    assert [r.success for r in results] == [True] * 4
    assert len(opened) == 1  # one memory for the four attempts, not one connection per agent
    with pytest.raises(Exception, match="closed"):
        opened[0].count("knowledge")
    from autogpt.store.sqlite import SQLiteStore

    store = SQLiteStore(settings.store_path)
    assert store.list_tasks()[1] == 4  # (page, total): the four attempts, in one run store
    store.close()
