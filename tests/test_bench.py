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
from autogpt.bench import Result, evaluate, load_challenge, load_challenges, run_attempt
from autogpt.bench.report import challenge_table, summarise, totals_lines, wilson_interval
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


def test_a_challenge_knows_its_split_from_the_dev_and_test_folders(tmp_path: Path) -> None:
    suite = tmp_path / "test" / "suite"  # a folder called test above the suite is no split
    make(suite / "dev" / "file", "A", "a", {}, category=["file"])
    make(suite / "test" / "file", "B", "b", {}, category=["file"])
    make(suite / "test" / "code", "C", "c", {}, category=["code"])
    make(suite / "misc", "D", "d", {})
    splits = {c.name: c.split for c in load_challenges([suite])}
    assert splits == {"A": "dev", "B": "test", "C": "test", "D": ""}
    assert [c.name for c in load_challenges([suite], split="test")] == ["B", "C"]
    assert [c.name for c in load_challenges([suite], ["file"], split="dev")] == ["A"]
    # loaded from a split, a category or one challenge's folder or data.json, the split is the same
    assert {c.split for c in load_challenges([suite / "test"])} == {"test"}
    assert [c.split for c in load_challenges([suite / "test" / "code"])] == ["test"]
    assert [c.split for c in load_challenges([suite / "dev" / "file" / "A" / "data.json"])] == ["dev"]
    assert load_challenge(suite / "test" / "file" / "B").split == "test"
    assert "split" not in load_challenge(suite / "test" / "file" / "B").model_dump()
    with pytest.raises(ConfigError, match="No split 'train'"):
        load_challenges([suite], split="train")


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


# --- reporting --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (Wilson)
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
    (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0),
])
def test_the_wilson_interval_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=6e-5) and hi == pytest.approx(high, abs=6e-5)
    assert lo <= k / n <= hi
    mirrored = wilson_interval(n - k, n)
    assert mirrored == pytest.approx((1 - hi, 1 - lo))


def test_the_wilson_interval_without_trials_and_with_bad_counts() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    narrow, wide = wilson_interval(50, 100), wilson_interval(5, 10)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]  # more attempts, a narrower interval


def _results() -> list[Result]:
    def r(name: str, split: str, success: bool, status: str, attempt: int, steps: int = 4, seconds: float = 8.0) -> Result:
        return Result(name=name, split=split, success=success, status=status, attempt=attempt, steps=steps,
                      seconds=seconds, tokens=100, category=["file"], difficulty="basic")

    return [r("A", "dev", True, "finished", 1), r("A", "dev", True, "finished", 2), r("A", "dev", False, "error", 3, 0, 1),
            r("B", "dev", True, "max_steps", 1, 10, 10), r("B", "dev", False, "finished", 2), r("B", "dev", False, "max_time", 3),
            r("C", "test", False, "finished", 1), r("C", "test", False, "max_steps", 2), r("C", "test", False, "finished", 3)]


def test_the_summary_counts_per_split_and_overall() -> None:
    summary = summarise(_results())
    assert summary["challenges"] == 3 and summary["attempts"] == 9 and summary["solved"] == 2
    assert summary["successes"] == 3 and summary["success_rate"] == pytest.approx(0.333, abs=1e-3)
    assert summary["success_ci95"] == [round(x, 3) for x in wilson_interval(3, 9)]
    assert summary["finished"] == 5 and summary["solved_finished"] == 2  # B's pass ran into max_steps
    assert summary["tokens"] == 900 and summary["median_seconds_per_step"] == 2.0  # the error took no step
    dev, test = summary["splits"]["dev"], summary["splits"]["test"]
    assert (dev["challenges"], dev["attempts"], dev["solved"], dev["successes"], dev["finished"]) == (2, 6, 2, 3, 3)
    assert (test["challenges"], test["attempts"], test["solved"], test["success_rate"], test["finished"]) == (1, 3, 0, 0.0, 2)
    assert test["success_ci95"][0] == 0.0 and test["success_ci95"][1] > 0.5  # 0 of 3 says little
    assert set(summarise(_results()[:6])["splits"]) == {"dev"}  # only the splits the run had
    assert summarise([])["success_ci95"] == [0.0, 1.0]


def test_the_report_shows_each_challenge_and_totals_per_split() -> None:
    from types import SimpleNamespace

    from rich.console import Console

    def ch(name: str, split: str) -> Any:
        return SimpleNamespace(name=name, split=split, category=["file"], info=SimpleNamespace(difficulty="basic"))

    console = Console(record=True, width=160, highlight=False)
    console.print(challenge_table([ch("C", "test"), ch("A", "dev"), ch("B", "dev")], _results()))
    for line in totals_lines(summarise(_results())):
        console.print(line)
    text = console.export_text()
    rows = [line for line in text.splitlines() if line.startswith("│ ")]  # the header is drawn with ┃
    assert [row.split("│")[1].strip() for row in rows] == ["A", "B", "C"]  # dev first, then test
    assert "│ A         │ dev   │ file     │ basic      │ 2/3    │ 2/3      │" in text
    assert "│ B         │ dev   │ file     │ basic      │ 1/3*   │ 1/3      │" in text  # solved, but not finished
    assert "│ C         │ test  │ file     │ basic      │ 0/3    │ 2/3      │" in text
    assert "did not finish" in text and "means per attempt" in text
    assert "dev   2/2 solved · 50% of 6 attempts (95% CI 19–81%) · 3/6 finished · 1 passed without finishing" in text
    assert "test  0/1 solved · 0% of 3 attempts (95% CI 0–56%) · 2/3 finished" in text
    assert "all   2/3 solved · 33% of 9 attempts (95% CI 12–65%) · 5/9 finished · 1 passed without finishing" in text
    assert "900 tokens" in text and "median 2.0 s a step" in text


async def test_finished_runs_are_counted_apart_from_solved_ones(tmp_path: Path, settings: Settings) -> None:
    """A run that writes the right file and finishes, and one that writes it and goes on until max_steps."""
    from autogpt.bench import run_suite

    suite = tmp_path / "suite"
    make(suite / "dev" / "file", "Done", "Write yes to done.txt", {"should_contain": ["yes"], "files": ["done.txt"]})
    make(suite / "test" / "file", "Busy", "Write yes to busy.txt", {"should_contain": ["yes"], "files": ["busy.txt"]})
    scripts = {"Done": [reply("write_file", path="done.txt", content="yes"), reply("finish", reason="wrote it")],
               "Busy": [reply("write_file", path="busy.txt", content="yes"),
                        *(reply("list_folder", path=p) for p in (".", "./", "././", "./././"))]}
    seen: list[Result] = []
    results = await run_suite(load_challenges([suite]), settings=settings, results_dir=tmp_path / "results",
                              model_factory=lambda c: ScriptedModel(scripts[c.name]), max_steps=3,
                              on_result=seen.append)
    by_name = {r.name: r for r in results}
    assert by_name["Done"].success and by_name["Done"].finished and by_name["Done"].split == "dev"
    assert by_name["Busy"].success and not by_name["Busy"].finished and by_name["Busy"].status == "max_steps"
    assert by_name["Busy"].split == "test" and by_name["Busy"].steps == 3
    assert by_name["Busy"].model_dump()["finished"] is False  # recorded in results.json
    summary = summarise(results)
    assert (summary["successes"], summary["finished"], summary["solved_finished"]) == (2, 1, 1)
    assert summary["splits"]["test"]["solved_finished"] == 0 and summary["splits"]["dev"]["solved_finished"] == 1
    assert len(seen) == 2  # the live display is told of every attempt


async def test_a_skipped_challenge_counts_every_attempt(tmp_path: Path, settings: Settings) -> None:
    from autogpt.bench import run_suite

    make(tmp_path / "c", "First", "Write a.txt", {"should_contain": ["a"], "files": ["a.txt"]})
    make(tmp_path / "c", "Then", "Write b.txt", {"should_contain": ["b"], "files": ["b.txt"]}, dependencies=["First"])
    results = await run_suite(load_challenges([tmp_path / "c"]), settings=settings, results_dir=tmp_path / "r",
                              model_factory=lambda c: ScriptedModel([reply("finish", reason="nothing")] * 3),
                              attempts=2)
    skipped = [r for r in results if r.name == "Then"]
    assert [(r.attempt, r.status, r.finished) for r in skipped] == [(1, "skipped", False), (2, "skipped", False)]
    assert summarise(results)["attempts"] == 4


async def test_later_attempts_are_numbered_on_seeded_apart_and_merge_with_the_first(tmp_path: Path,
                                                                                    settings: Settings) -> None:
    """A long suite in parts: attempt 1 now, attempts 2-3 later with the same seed; the runs join into one."""
    from autogpt.bench import run_suite
    from autogpt.bench.suite import merge_results, record

    make(tmp_path / "c", "Hello", "Write hello to hello.txt", {"should_contain": ["hello"], "files": ["hello.txt"]})
    challenges = load_challenges([tmp_path / "c"])
    seeded = settings.model_copy(update={"seed": 40})
    models: list[ScriptedModel] = []

    def model(challenge: Any) -> ScriptedModel:
        models.append(ScriptedModel([reply("write_file", path="hello.txt", content="hello"), reply("finish", reason="ok")]))
        return models[-1]

    runs = []
    for first, attempts in ((1, 1), (2, 2)):
        results = await run_suite(challenges, settings=seeded, results_dir=tmp_path / f"r{first}", attempts=attempts,
                                  first_attempt=first, model_factory=model)
        assert [r.attempt for r in results] == list(range(first, first + attempts))
        runs.append(record(results, challenges, model="scripted", settings=seeded, agent_url=None, started=time.time()))
    assert (tmp_path / "r2" / "Hello" / "attempt-3" / "hello.txt").is_file()
    # attempt k samples with seed 40 + k - 1 (every request of the run)
    assert [{c.params.get("seed") for c in m.calls} for m in models] == [{40}, {41}, {42}]
    merged = merge_results(runs)
    assert [r["attempt"] for r in merged["results"]] == [1, 2, 3] and merged["merged"] == 2
    assert (merged["summary"]["attempts"], merged["summary"]["successes"], merged["summary"]["solved"]) == (3, 3, 1)
    with pytest.raises(ConfigError, match="two runs"):
        merge_results([runs[0], runs[0]])
    other = {**runs[1], "settings": {**runs[1]["settings"], "seed": 7}}
    with pytest.raises(ConfigError, match="settings"):
        merge_results([runs[0], other])
    # runs of different challenges of a suite join too; a challenge whose files changed between them does not
    make(tmp_path / "c", "Bye", "Write bye to bye.txt", {"should_contain": ["bye"], "files": ["bye.txt"]})
    bye = [c for c in load_challenges([tmp_path / "c"]) if c.name == "Bye"]
    other_part = record([Result(name="Bye", success=False, attempt=1)], bye, model="scripted", settings=seeded,
                        agent_url=None, started=time.time())
    joined = merge_results([runs[0], other_part])
    assert joined["summary"]["challenges"] == 2 and "+" in joined["suite_version"] and set(joined["challenges"]) == {
        "Hello", "Bye"}
    with pytest.raises(ConfigError, match="Hello differs"):
        merge_results([runs[0], {**runs[1], "challenges": {"Hello": "changed"}, "suite_version": "x"}])
    script = Path(__file__).parents[1] / "benchmarks" / "merge_runs.py"
    for number, run in enumerate(runs):
        (tmp_path / f"run{number}.json").write_text(json.dumps(run))
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "run0.json"), str(tmp_path / "run1.json"),
                          "--out", str(tmp_path / "all.json")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "3 attempts" in out.stdout and json.loads((tmp_path / "all.json").read_text())["summary"]["attempts"] == 3
    bad = subprocess.run([sys.executable, str(script), str(tmp_path / "run0.json"), str(tmp_path / "run0.json")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "two runs" in bad.stderr


async def test_a_run_saves_each_ended_attempt_so_a_stopped_run_keeps_them(tmp_path: Path, settings: Settings) -> None:
    """results.json grows as attempts end (marked partial); the part done joins a later run of the rest."""
    from autogpt.bench import run_suite
    from autogpt.bench.suite import merge_results, record, save_progress

    for name in ("Alpha", "Beta"):
        make(tmp_path / "c", name, f"Write {name} to out.txt", {"should_contain": [name], "files": ["out.txt"]})
    challenges = load_challenges([tmp_path / "c"])
    how = {"model": "scripted", "settings": settings, "agent_url": None, "started": time.time()}
    done: list[Result] = []
    seen: list[dict[str, Any]] = []

    def on_result(result: Result) -> None:
        done.append(result)
        seen.append(json.loads(save_progress(done, challenges, tmp_path / "r", **how).read_text()))

    def model(challenge: Any) -> ScriptedModel:
        return ScriptedModel([reply("write_file", path="out.txt", content=challenge.name), reply("finish", reason="ok")])

    await run_suite(challenges[:1], settings=settings, results_dir=tmp_path / "r", model_factory=model,
                    on_result=on_result)
    assert len(seen) == 1 and seen[0]["partial"] is True and list(seen[0]["challenges"]) == [challenges[0].name]
    assert seen[0]["summary"]["solved"] == 1
    rest = await run_suite(challenges[1:], settings=settings, results_dir=tmp_path / "r2", model_factory=model)
    joined = merge_results([seen[0], record(rest, challenges[1:], **how)])
    assert joined["summary"]["challenges"] == 2 and joined["summary"]["solved"] == 2 and "partial" not in joined


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
    make(suite / "dev" / "misc", "Hello", "Write hello to hello.txt", {"should_contain": ["hello"], "files": ["hello.txt"]})
    make(suite / "test" / "misc", "Never", "Write bye to bye.txt", {"should_contain": ["bye"], "files": ["bye.txt"]},
         dependencies=["Hello"])
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("write_file", path="hello.txt", content="hello"), reply("finish", reason="ok"),
                                  reply("finish", reason="gave up")]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}

    def bench(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "autogpt", "bench", str(suite), "--model", f"scripted:{script}",
                               "--data-dir", str(tmp_path / "data"), *args],
                              capture_output=True, text=True, timeout=120, env={**env, "COLUMNS": "200"},
                              stdin=subprocess.DEVNULL)

    out = bench("--json", str(tmp_path / "r.json"), "--results-dir", str(tmp_path / "results"))
    assert out.returncode == 1, out.stderr  # one of two solved
    assert "│ Hello     │ dev   │ test     │ basic      │ 1/1    │ 1/1      │" in out.stdout
    assert "│ Never     │ test  │ test     │ basic      │ 0/1    │ 0/1      │" in out.stdout  # its finish is refused
    assert "dev   1/1 solved · 100% of 1 attempt (95% CI 21–100%) · 1/1 finished" in out.stdout
    assert "test  0/1 solved · 0% of 1 attempt (95% CI 0–79%) · 0/1 finished" in out.stdout
    assert "all   1/2 solved · 50% of 2 attempts (95% CI 9–91%) · 1/2 finished" in out.stdout
    assert "Hello #1: 2 steps" in out.stderr  # the live progress
    flat = json.loads((tmp_path / "r.json").read_text())
    assert [(r["name"], r["split"], r["success"], r["finished"]) for r in flat["results"]] == [
        ("Hello", "dev", True, True), ("Never", "test", False, False)]
    assert set(flat["results"][0]) == {"name", "split", "attempt", "success", "finished", "steps", "tokens", "seconds",
                                       "error"}
    assert flat["summary"]["splits"]["test"]["attempts"] == 1 and flat["summary"]["solved"] == 1
    full = json.loads((tmp_path / "results" / "results.json").read_text())
    assert full["model"].startswith("scripted:") and len(full["suite_version"]) == 12
    assert full["summary"] == flat["summary"] and full["results"][0]["finished"] is True and "partial" not in full
    assert (tmp_path / "results" / "Hello" / "attempt-1" / "hello.txt").read_text() == "hello"

    only_dev = bench("--split", "dev", "--results-dir", str(tmp_path / "dev-only"))
    assert only_dev.returncode == 0, only_dev.stderr  # every chosen challenge solved
    assert "Hello" in only_dev.stdout and "Never" not in only_dev.stdout and "\ntest " not in only_dev.stdout
    assert bench("--split", "train").returncode == 2

    later = bench("--split", "dev", "--first-attempt", "2", "--seed", "5", "--results-dir", str(tmp_path / "later"))
    assert later.returncode == 0 and "Hello #2:" in later.stderr and "seed 6" not in later.stderr
    assert json.loads((tmp_path / "later" / "results.json").read_text())["settings"]["seed"] == 5


# --- the suite itself --------------------------------------------------------------------------------------


def suite_challenges() -> list[Any]:
    return load_challenges([SUITE]) if SUITE.is_dir() else []


def all_challenges() -> list[Any]:
    return suite_challenges() + (load_challenges([LEARNING]) if LEARNING.is_dir() else [])


def test_the_suite_is_broad_enough() -> None:
    """dev/ (tuned on) and test/ (held out) are each big and broad enough to report on."""
    challenges = suite_challenges()
    assert {c.split for c in challenges} <= {"dev", "test"}, [c.name for c in challenges if not c.split]
    dev = [c for c in challenges if c.split == "dev"]
    test = [c for c in challenges if c.split == "test"]
    assert len(dev) >= 25 and len(test) >= 30 and len(challenges) >= 60, (len(dev), len(test), len(challenges))
    for split in (dev, test):
        assert len({cat for c in split for cat in c.category}) >= 5, {cat for c in split for cat in c.category}
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
    """The fast CI pass over the suite: an agent that writes the reference files, then finishes. The hygiene checks
    (the scripted model gets the ``light`` profile) let a reference solution through at once: none of them may
    fire on a correct answer (writing over an input the task says to change included)."""
    writes = [reply("write_file", path=str(p.relative_to(challenge.artifacts_out)), content=p.read_text(encoding="utf-8"))
              for p in sorted(challenge.artifacts_out.rglob("*")) if p.is_file()]
    model = ScriptedModel([*writes, reply("finish", reason="done")])
    judge = ScriptedModel(["100\nPerfect."] * 2)
    result = await run_attempt(challenge, tmp_path / "ws", settings=settings, model_factory=lambda c: model,
                               judge=judge)
    assert result.success, result.details
    assert result.status == "finished" and result.steps == len(writes) + 1
    model.assert_complete()


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
