"""Where a step's time goes: the loop's timing of each step (events, stored steps, ``autogpt show``, the bench's
results and summary), with the ScriptedModel; and our reading of llama.cpp's counters (no model is loaded)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from autogpt import AutoGPT, Settings
from autogpt.agent.control import CallbackHuman
from autogpt.agent.events import StepFinished
from autogpt.agent.steps import StepTiming
from autogpt.bench import load_challenge, run_attempt
from autogpt.bench.report import summarise, totals_lines
from autogpt.llm.base import Completion, Timing, Usage
from autogpt.llm.embedded import Counters, call_usage, counters, kept_prefix
from autogpt.testing import ScriptedModel, reply

PARTS = ("prompt_seconds", "generation_seconds", "model_other_seconds", "tool_seconds", "ours_seconds")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(data_dir=tmp_path / "data")


async def pause(seconds: float) -> str:
    """Wait a moment."""
    await asyncio.sleep(seconds)
    return "waited"


def timed(text_reply: dict[str, Any], *, prompt: int, cached: int, out: int, timing: Timing) -> Completion:
    """A scripted reply that says how its tokens and time went, as a real model would."""
    return Completion(text=json.dumps(text_reply), usage=Usage(prompt, out, cached), timing=timing)


def assert_consistent(timing: dict[str, Any]) -> None:
    """The parts are non-negative and add up to the step's seconds; the sampling is part of the generation."""
    numbers = {k: v for k, v in timing.items() if isinstance(v, int | float)}
    assert all(v >= 0 for v in numbers.values()), timing
    assert sum(timing[p] for p in PARTS) == pytest.approx(timing["seconds"], abs=2e-3), timing
    assert timing["sample_seconds"] <= timing["generation_seconds"] + 1e-9
    assert timing["prompt_seconds"] + timing["generation_seconds"] <= timing["model_seconds"] + 1e-3
    assert timing["new_tokens"] + timing["cached_tokens"] == timing["prompt_tokens"]


# --- the loop --------------------------------------------------------------------------------------------


async def test_every_step_event_says_where_the_step_time_went(settings: Settings, tmp_path: Path) -> None:
    model = ScriptedModel([
        reply("pause", seconds=0.3),
        timed(reply("write_file", path="a.txt", content="hi"), prompt=1500, cached=1300, out=40,
              timing=Timing(prompt_seconds=0.05, generation_seconds=0.1, sample_seconds=0.02)),
        "not json at all",  # an unusable reply: asked again within the same step
        reply("finish", reason="done"),
    ], delay=0.15)
    agent = AutoGPT(goals=["Write a.txt"], model=model, settings=settings, workspace=tmp_path / "ws")
    agent.tools.add(pause)
    seen: list[StepFinished] = []
    started = time.perf_counter()
    result = await agent.arun(on_event=lambda e: seen.append(e) if isinstance(e, StepFinished) else None)
    wall = time.perf_counter() - started
    assert result.status == "finished" and [e.step for e in seen] == [1, 2, 3]
    for event in seen:
        assert_consistent(event.timing)
    paused, wrote, finished = (e.timing for e in seen)
    assert paused["tool_seconds"] >= 0.3 and paused["model_seconds"] >= 0.15 and paused["model_calls"] == 1
    assert paused["prompt_tokens"] > 0 and paused["cached_tokens"] == 0  # the scripted model caches nothing
    # what the model said of its time and tokens, as it said it
    assert (wrote["prompt_tokens"], wrote["cached_tokens"], wrote["new_tokens"], wrote["completion_tokens"]) == (
        1500, 1300, 200, 40)
    assert (wrote["prompt_seconds"], wrote["generation_seconds"], wrote["sample_seconds"]) == pytest.approx(
        (0.05, 0.1, 0.02))
    assert wrote["model_seconds"] >= 0.15 and wrote["model_other_seconds"] >= 0  # the rest of the call's wall time
    assert finished["model_calls"] == 2 and finished["model_seconds"] >= 0.3  # the retry is part of the step
    # the steps' time is the run's, less loading the model (nothing here) and the end
    assert sum(e.timing["seconds"] for e in seen) <= wall
    # the stored step holds the same record
    assert [s.timing.model_dump() for s in result.history] == [e.timing for e in seen]
    stored = agent.store.history(agent.task_id)
    assert [s["timing"]["tool_seconds"] for s in stored] == [e.timing["tool_seconds"] for e in seen]


async def test_a_model_cannot_claim_more_time_than_its_call_took(settings: Settings, tmp_path: Path) -> None:
    model = ScriptedModel([timed(reply("finish", reason="done"), prompt=100, cached=500, out=10,
                                 timing=Timing(prompt_seconds=50, generation_seconds=50, sample_seconds=80))])
    agent = AutoGPT(goals=["Say done"], model=model, settings=settings, workspace=tmp_path / "ws")
    result = await agent.arun()
    timing = result.history[0].timing
    assert_consistent(timing.model_dump())
    assert timing.seconds < 10 and timing.cached_tokens == 100  # never more cached than the prompt


async def test_waiting_for_the_human_is_not_the_step_time(settings: Settings, tmp_path: Path) -> None:
    async def approve(step: int, reply: Any) -> str:
        await asyncio.sleep(1.0)
        return "y"

    model = ScriptedModel([reply("finish", reason="done")])
    agent = AutoGPT(goals=["Say done"], model=model, settings=settings, workspace=tmp_path / "ws",
                    continuous=False, human=CallbackHuman(on_approve=approve))
    started = time.perf_counter()
    result = await agent.arun()
    wall = time.perf_counter() - started
    assert result.status == "finished" and wall >= 1.0
    assert result.history[0].timing.seconds <= wall - 0.9
    assert_consistent(result.history[0].timing.model_dump())


def test_the_step_line_names_each_part() -> None:
    timing = StepTiming(seconds=13.3, model_seconds=12.5, prompt_seconds=2.4, generation_seconds=9.8,
                        sample_seconds=1.1, tool_seconds=0.6, prompt_tokens=1532, cached_tokens=1380,
                        completion_tokens=148, model_calls=1)
    line = timing.line()
    for part in ("prompt 1,532 tok", "1,380 cached", "152 new", "2.4 s", "gen 148 tok", "9.8 s", "sample 1.1 s",
                 "model other 0.30 s", "tools 0.60 s", "ours 0.20 s", "step 13.3 s"):
        assert part in line, (part, line)
    # a model that did not say how its time went (an API reply that did not stream): its calls' time only
    plain = StepTiming(seconds=3.0, model_seconds=2.5, prompt_tokens=10, completion_tokens=5, model_calls=2).line()
    assert "model 2.5 s" in plain and "2 model calls" in plain and "sample" not in plain
    total = StepTiming.total([timing, timing])
    assert (total.seconds, total.prompt_tokens, total.cached_tokens) == (26.6, 3064, 2760)
    assert "ours 4 ms" in StepTiming(seconds=0.5, tool_seconds=0.496).line()


# --- autogpt run --json and autogpt show ------------------------------------------------------------------


def test_run_json_events_and_show_print_the_timing(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("write_file", path="a.txt", content="hi"), reply("finish", reason="ok")]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_") and k not in ("COLUMNS", "LINES")}
    env.update(AUTOGPT_DATA_DIR=os.environ["AUTOGPT_DATA_DIR"], AUTOGPT_LESSONS="false", COLUMNS="250")

    def autogpt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "autogpt", *args], capture_output=True, text=True,
                              encoding="utf-8", env=env, timeout=60, stdin=subprocess.DEVNULL)

    run = autogpt("run", "-g", "Write a.txt", "--continuous", "--json", "-w", str(tmp_path / "ws"),
                  "--model", f"scripted:{script}")
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    steps = [e for e in events if e["type"] == "step_finished"]
    assert len(steps) == 2
    for event in steps:
        assert {"seconds", "model_seconds", "prompt_seconds", "generation_seconds", "sample_seconds", "tool_seconds",
                "ours_seconds", "prompt_tokens", "cached_tokens", "new_tokens", "completion_tokens"} <= set(event["timing"])
        assert_consistent(event["timing"])
        assert event["timing"]["prompt_tokens"] == event["prompt_tokens"] > 0
    shown = autogpt("show", events[0]["run_id"])
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    timing_lines = [line for line in lines if "prompt" in line and "tok" in line and "ours" in line]
    assert len(timing_lines) == 3, shown.stdout  # a line per step and the total
    assert all("cached" in line and "new" in line and "tools" in line for line in timing_lines)
    assert any(line.startswith("Time of 2 steps") and " all " in line for line in lines), shown.stdout


# --- the bench ---------------------------------------------------------------------------------------------


async def test_a_bench_attempt_records_the_parts_and_the_summary_shows_them(tmp_path: Path,
                                                                             settings: Settings) -> None:
    folder = tmp_path / "c" / "Write"
    folder.mkdir(parents=True)
    (folder / "data.json").write_text(json.dumps({"name": "Write", "task": "Write a.txt", "category": ["test"],
                                                  "ground": {"should_contain": ["hi"], "files": ["a.txt"]}}))
    model = ScriptedModel([
        timed(reply("write_file", path="a.txt", content="hi"), prompt=1000, cached=0, out=50,
              timing=Timing(prompt_seconds=0.04, generation_seconds=0.08, sample_seconds=0.01)),
        timed(reply("finish", reason="done"), prompt=1100, cached=900, out=30,
              timing=Timing(prompt_seconds=0.02, generation_seconds=0.06, sample_seconds=0.01)),
    ], delay=0.15)
    result = await run_attempt(load_challenge(folder), tmp_path / "ws", settings=settings,
                               model_factory=lambda c: model)
    assert result.success and result.timing is not None and len(result.step_seconds) == 2
    assert (result.timing.prompt_tokens, result.timing.cached_tokens) == (2100, 900)
    assert result.timing.prompt_seconds == pytest.approx(0.06) and result.timing.model_calls == 2
    data = result.model_dump()
    assert data["median_step_seconds"] >= 0.15 and data["timing"]["tool_seconds"] >= 0
    summary = summarise([result])
    time_ = summary["time"]
    assert time_["cache_hit"] == pytest.approx(900 / 2100, abs=1e-3) and time_["steps"] == 2
    shares = time_["shares"]
    assert sum(shares[k] for k in ("prompt", "generation", "model_other", "tools", "ours")) == pytest.approx(1, abs=0.01)
    line = totals_lines(summary)[-1]
    for word in ("median step", "prompt eval", "generation", "sampling", "tools", "ours", "cache hit 43%"):
        assert word in line, line
    assert summarise([r.model_copy(update={"timing": None, "step_seconds": []}) for r in [result]])["time"] is None


# --- llama.cpp's counters ---------------------------------------------------------------------------------


def test_the_counters_give_new_and_cached_prompt_tokens_and_the_seconds() -> None:
    # 1,532 prompt tokens, 1,380 kept in the KV cache: llama.cpp evaluates 152 in batches, then 147 of the 148
    # sampled tokens one at a time (the last, end-of-text, is not evaluated)
    before = Counters(prompt_ms=5000, prompt_evals=3000, eval_ms=40000, evals=600, sample_seconds=4.0, samples=601,
                      n_tokens=1500)
    after = Counters(prompt_ms=7400, prompt_evals=3152, eval_ms=48700, evals=747, sample_seconds=5.1, samples=749,
                     n_tokens=1532 + 147)
    usage, timing = call_usage(before, after, seconds=12.5, streamed=140, cache_before=[], cache_after=[])
    assert (usage.prompt_tokens, usage.cached_tokens, usage.prompt_tokens - usage.cached_tokens, usage.completion_tokens) == (
        1532, 1380, 152, 148)
    assert timing.prompt_seconds == pytest.approx(2.4)
    assert timing.generation_seconds == pytest.approx(8.7 + 1.1) and timing.sample_seconds == pytest.approx(1.1)


def test_a_single_new_prompt_token_is_told_by_the_kv_cache() -> None:
    # llama.cpp counts one new token with generation (n_eval): the prefix kept in the KV cache tells
    before = Counters(n_tokens=6)
    after = Counters(eval_ms=300, evals=3, sample_seconds=0.1, samples=3, n_tokens=5 + 2)
    usage, timing = call_usage(before, after, seconds=1.0, streamed=3, cache_before=[1, 2, 3, 4, 9, 9],
                               cache_after=[1, 2, 3, 4, 5, 7, 8])
    assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens) == (5, 4, 3)
    assert timing.prompt_seconds == 0 and timing.generation_seconds == pytest.approx(0.4)


def test_counters_reset_between_and_parts_longer_than_the_call() -> None:
    before = Counters(prompt_ms=9000, prompt_evals=900, eval_ms=9000, evals=90, n_tokens=10)
    after = Counters(prompt_ms=500, prompt_evals=100, eval_ms=20000, evals=20, n_tokens=120)  # reset: read as is
    usage, timing = call_usage(before, after, seconds=3.0, streamed=21, cache_before=[], cache_after=[])
    assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens) == (100, 0, 21)  # no sample counts
    assert timing.prompt_seconds == pytest.approx(0.5) and timing.generation_seconds == pytest.approx(2.5)


def test_a_fresh_context_has_evaluated_nothing() -> None:
    # llama_perf_context reports n_p_eval and n_eval of 0 as 1: before a fresh model's first call, nothing was
    # evaluated, so a 1,529-token prompt is 1,529 new tokens (not 1,528 and one "cached")
    fresh = SimpleNamespace(t_p_eval_ms=0.0, n_p_eval=1, t_eval_ms=0.0, n_eval=1)
    llm = SimpleNamespace(n_tokens=0, sample_seconds=0.0, samples=0)
    before = counters(fresh, llm)
    assert (before.prompt_evals, before.evals) == (0, 0)
    used = SimpleNamespace(t_p_eval_ms=24860.0, n_p_eval=1529, t_eval_ms=12940.0, n_eval=188)
    after = counters(used, SimpleNamespace(n_tokens=1529 + 188, sample_seconds=4.73, samples=189))
    usage, timing = call_usage(before, after, seconds=42.62, streamed=150, cache_before=[], cache_after=[])
    assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens) == (1529, 0, 189)
    assert timing.prompt_seconds == pytest.approx(24.86) and timing.generation_seconds == pytest.approx(17.67)


def test_the_kept_prefix_is_llama_cpp_pythons() -> None:
    assert kept_prefix([1, 2, 3, 4], [1, 2, 5, 6]) == 2
    assert kept_prefix([1, 2, 3, 4], [1, 2, 3]) == 2  # the whole prompt cached: its last token is evaluated again
    assert kept_prefix([], [1, 2]) == 0 and kept_prefix([7], [1]) == 0


def test_the_model_class_times_sampling() -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    from autogpt.llm.embedded import timed_llama_class

    timed_class = timed_llama_class()
    assert issubclass(timed_class, llama_cpp.Llama) and "sample" in vars(timed_class)
    assert timed_class.samples == 0 and timed_class.sample_seconds == 0.0
