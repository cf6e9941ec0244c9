"""The agent loop with the ScriptedModel: approvals, budgets, loop detection, errors, events, persistence."""

import asyncio

import pytest

from autogpt import AutoGPT, Settings
from autogpt.agent.events import Notice, RunFinished, RunStarted, StepFinished, Token, ToolFinished
from autogpt.agent.steps import ActionStep, ErrorStep, FeedbackStep, NoteStep
from autogpt.errors import (
    AgentStateError,
    ConfigError,
    InvalidParameterError,
    ModelAPIError,
    ToolCrashedError,
    ToolError,
    ToolUnavailableError,
    UnknownModelError,
)
from autogpt.llm.base import REPEATING, Completion
from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import ScriptedHuman, ScriptedModel, reply


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Settings.load(data_dir=tmp_path / "data")


def make_agent(settings, script, tmp_path, **kwargs):
    model = script if isinstance(script, ScriptedModel) else ScriptedModel(script)
    kwargs.setdefault("goals", ["Greet the user"])
    agent = AutoGPT(model=model, settings=settings, workspace=tmp_path / "ws", **kwargs)
    return agent, model


def test_reaches_goal_and_finishes(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", path="a.txt", content="hello"),
        reply("finish", reason="Wrote a.txt"),
    ], tmp_path)
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.ok
    assert result.summary == "Wrote a.txt"
    assert result.steps == 2
    assert result.artifacts == ["a.txt"]
    assert (tmp_path / "ws" / "a.txt").read_text() == "hello"
    assert [type(s) for s in result.history] == [ActionStep, ActionStep]


@pytest.mark.parametrize("online", [True, False])
def test_prompt_has_role_goals_tools_and_schema(settings, tmp_path, online):
    agent, model = make_agent(settings, [reply("finish", reason="ok")], tmp_path,
                              ai_name="Scribe", ai_role="a careful writer", goals=["Goal one", "Goal two"])
    if not online:  # without the web tools the model is told there is no internet
        agent.tools.remove("web_search")
        agent.tools.remove("read_webpage")
    agent.run()
    request = model.calls[0]
    system = request.messages[0].content
    assert request.messages[0].role == "system"
    assert "You are Scribe, a careful writer." in system
    assert "1. Goal one" in system and "2. Goal two" in system
    assert "write_file(path: str, content: str)" in system
    assert "ask_user" not in system  # no human present
    assert ("use web_search and read_webpage only for what you cannot know" in system) is online
    assert ("There is no internet access in this task" in system) is not online
    names = [branch["properties"]["name"]["const"] for branch in request.response_schema["properties"]["command"]["anyOf"]]
    assert names[:4] == ["write_file", "append_file", "list_folder", "execute_python"]
    assert "read_file" not in names  # the workspace is empty: nothing to read
    assert ("web_search" in names) is online
    assert "execute_python_file" not in names  # nothing to run yet: offered once a .py file exists
    assert names[-1] == "finish" and "execute_shell" not in names  # shell is off by default
    assert [t["name"] for t in request.tools] == names
    assert "Step 1" in request.messages[-1].content


def test_history_reaches_the_model(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", path="a.txt", content="hello"),
        reply("read_file", path="a.txt"),
        reply("finish", reason="ok"),
    ], tmp_path)
    agent.run()
    last = "\n".join(m.content for m in model.calls[2].messages)
    assert "Wrote 5 characters to a.txt." in last
    assert "Result of read_file(path='a.txt')" in last and "\nhello" in last
    assert "Files in the workspace: a.txt" in model.calls[2].messages[-1].content


# --- human control -------------------------------------------------------------------------------------


def test_approval_yes_runs_each_command(settings, tmp_path):
    human = ScriptedHuman(["y", ""])  # Enter approves too
    agent, model = make_agent(settings, [reply("write_file", path="a.txt", content="x"), reply("finish", reason="ok")],
                              tmp_path, continuous=False, human=human)
    assert agent.run().status == "finished"
    assert len(human.asked) == 2
    human.assert_complete()


def test_approval_no_stops_without_running(settings, tmp_path):
    human = ScriptedHuman(["n"])
    agent, _ = make_agent(settings, [reply("write_file", path="a.txt", content="x")], tmp_path,
                          continuous=False, human=human)
    result = agent.run()
    assert result.status == "stopped"
    assert not (tmp_path / "ws" / "a.txt").exists()
    assert "Stopped by the user" in result.summary


def test_feedback_goes_to_the_model_instead_of_running(settings, tmp_path):
    human = ScriptedHuman(["Use the name b.txt instead", "y", "y"])
    agent, model = make_agent(settings, [
        reply("write_file", path="a.txt", content="x"),
        reply("write_file", path="b.txt", content="x"),
        reply("finish", reason="ok"),
    ], tmp_path, continuous=False, human=human)
    result = agent.run()
    assert result.status == "finished"
    assert not (tmp_path / "ws" / "a.txt").exists() and (tmp_path / "ws" / "b.txt").exists()
    assert isinstance(result.history[0], FeedbackStep)
    second_prompt = "\n".join(m.content for m in model.calls[1].messages)
    assert "Use the name b.txt instead" in second_prompt


def test_y_minus_n_runs_n_steps_without_asking(settings, tmp_path):
    human = ScriptedHuman(["y -3", "y", "y"])
    script = [reply("write_file", path=f"{i}.txt", content="x") for i in range(4)] + [reply("finish", reason="ok")]
    agent, _ = make_agent(settings, script, tmp_path, continuous=False, human=human)
    assert agent.run().status == "finished"
    # one answer covers steps 1-3; steps 4 and 5 are asked again
    assert [q.split(":")[0] for q in human.asked] == ["approve 1", "approve 4", "approve 5"]
    human.assert_complete()


def test_continuous_false_needs_a_human(settings):
    with pytest.raises(ConfigError, match="human"):
        AutoGPT(goals=["x"], model=ScriptedModel(), settings=settings, continuous=False)


def test_ask_user_only_with_a_human(settings, tmp_path):
    human = ScriptedHuman(["blue"])
    agent, model = make_agent(settings, [
        reply("ask_user", question="Which colour?"),
        reply("finish", reason="ok"),
    ], tmp_path, human=human)
    result = agent.run()
    assert "ask_user" in model.calls[0].messages[0].content
    assert result.history[0].observation == "The user answered: blue"

    agent, model = make_agent(settings, [reply("ask_user", question="?"), reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    assert result.history[0].ok is False
    assert "not available" in result.history[0].observation or "no command" in result.history[0].observation


async def test_pause_at_safe_point_with_note_then_stop(settings, tmp_path):
    human = ScriptedHuman(["Please be brief", "n"])
    agent, model = make_agent(settings, [
        reply("write_file", path="a.txt", content="x"),
        reply("write_file", path="b.txt", content="y"),
    ], tmp_path, human=human)

    def pause_after_each_step(event):
        if isinstance(event, StepFinished):
            agent.request_pause()  # what Ctrl-C does in the CLI

    result = await agent.arun(on_event=pause_after_each_step)
    assert result.status == "stopped"
    assert human.asked == ["paused", "paused"]
    assert any(isinstance(s, NoteStep) and s.text == "Please be brief" for s in result.history)
    assert "The user says: Please be brief" in "\n".join(m.content for m in model.calls[1].messages)
    assert (tmp_path / "ws" / "b.txt").exists()
    model.assert_complete()


# --- budgets ---------------------------------------------------------------------------------------------


def test_max_steps(settings, tmp_path):
    script = [reply("write_file", path=f"{i}.txt", content="x") for i in range(10)]
    agent, _ = make_agent(settings, script, tmp_path, max_steps=3)
    result = agent.run()
    assert result.status == "max_steps"
    assert result.steps == 3
    assert "step limit (3)" in result.summary
    assert sorted(result.artifacts) == ["0.txt", "1.txt", "2.txt"]


def test_max_tokens(settings, tmp_path):
    script = [reply("write_file", path=f"{i}.txt", content="x") for i in range(10)]
    agent, _ = make_agent(settings, script, tmp_path, max_tokens=1500)
    result = agent.run()
    assert result.status == "max_tokens"
    assert 1500 <= result.tokens < 3500
    assert 1 <= result.steps < 10


def test_max_cost_uses_the_price_table(settings, tmp_path):
    model = ScriptedModel([reply("write_file", path=f"{i}.txt", content="x") for i in range(10)], price=(1000.0, 1000.0))
    agent, _ = make_agent(settings, model, tmp_path, max_cost=1.5)
    result = agent.run()
    assert result.status == "max_cost"
    assert result.cost >= 1.5
    assert result.steps < 10


def test_max_time_interrupts_a_slow_model(settings, tmp_path):
    model = ScriptedModel([reply("finish", reason="late")], delay=5)
    agent, _ = make_agent(settings, model, tmp_path, max_seconds=0.3)
    result = agent.run()
    assert result.status == "max_time"
    assert result.seconds < 3
    assert "time limit" in result.summary


def test_budget_summary_mentions_completed_plan_and_last_words(settings, tmp_path):
    thoughts = {"reasoning": "r", "plan": [{"task": "Draft", "status": "doing"}, {"task": "Polish", "status": "todo"}],
                "speak": "Draft written."}
    agent, _ = make_agent(settings, [reply("write_file", thoughts, path="a.txt", content="x")], tmp_path, max_steps=1)
    result = agent.run()
    # the command succeeded, so the sub-task in progress counts as done; the rest does not
    assert "Done: Draft." in result.summary and "Draft written." in result.summary


# --- loop detection ---------------------------------------------------------------------------------------


def test_repeat_is_not_executed_and_third_time_is_stuck(settings, tmp_path):
    calls = []

    def count(label: str) -> str:
        """Count calls.

        Args:
            label: any label
        """
        calls.append(label)
        return f"counted {label}"

    same = reply("count", label="a")
    agent, model = make_agent(settings, [same, same, same], tmp_path, tools=[count])
    result = agent.run()
    assert result.status == "stuck"
    assert calls == ["a"]
    assert result.history[1].executed is False
    assert "Do not repeat it" in "\n".join(m.content for m in model.calls[2].messages)
    # the grammar of the step after a repeat leaves that tool out (a scripted model ignores it; a local one cannot)
    assert [[t["name"] for t in call.tools].count("count") for call in model.calls] == [1, 1, 0]


def test_the_mark_of_a_failed_text_sent_back_is_not_run(settings, tmp_path):
    script = [reply("write_file", path="d.py", content="[160 characters, not shown]"),
              reply("write_file", path="d.py", content="[3 个字符，不显示]"),
              reply("write_file", path="d.py", content="def f():\n    return 1\n"), reply("finish", reason="done")]
    agent, model = make_agent(settings, script, tmp_path)
    result = agent.run()
    assert [step.executed for step in result.history[:3]] == [False, False, True]
    assert "Write the complete text itself" in result.history[0].observation
    assert (tmp_path / "ws" / "d.py").read_text().startswith("def f")


def test_after_a_refused_write_to_the_examples_file_writes_name_only_the_asked_files(settings, tmp_path):
    # InventoryReport, run 21: lost after a refused copy, the model wrote 2023 to the example's year.txt six times
    script = [reply("write_file", path="year.txt", content="2023"), reply("write_file", path="report.txt", content="ok"),
              reply("finish", reason="done")]
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "inventory.txt").write_text("widget: 14\n")
    agent, model = make_agent(settings, script, tmp_path, goals=["Read inventory.txt and write a report to report.txt"])
    agent.run()
    paths = [{t["name"]: t["parameters"]["properties"]["path"].get("enum") for t in call.tools if t["name"] in
              ("write_file", "append_file")} for call in model.calls]
    assert paths[0] == {"write_file": None, "append_file": None}
    assert paths[1] == {"write_file": ["report.txt"], "append_file": ["report.txt"]}
    assert paths[2] == {}  # told every asked file exists: finish (or read) next
    assert not (tmp_path / "ws" / "year.txt").exists()


def test_after_repeats_in_a_row_the_tools_of_all_of_them_are_left_out(settings, tmp_path):
    # Slugify: the model went back and forth between two blocked commands (execute_python and
    # execute_python_file) for six steps, each left out only for the step after its own repeat
    a, b = reply("list_folder", path="nope"), reply("write_file", path=".", content="x")
    agent, model = make_agent(settings, [a, b, a, b, reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    model.assert_complete()
    assert [step.executed for step in result.history[:4]] == [True, True, False, False]
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "list_folder" in offered[2] and "write_file" in offered[2]
    assert "list_folder" not in offered[3] and "write_file" in offered[3]  # one repeat: its own tool out
    assert "list_folder" not in offered[4] and "write_file" not in offered[4]  # two in a row: both


def test_changing_course_resets_repeat_detection(settings, tmp_path):
    a, b = reply("list_folder", path="."), reply("read_file", path="missing.txt")
    agent, _ = make_agent(settings, [a, a, b, a, a, reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    assert result.status == "finished"
    assert [s.executed for s in result.history] == [True, False, True, True, False, True]


# --- the model's mistakes go back to the model ---------------------------------------------------------------


def test_unparseable_reply_is_retried_with_the_error(settings, tmp_path):
    agent, model = make_agent(settings, ["this is not json", reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    assert result.status == "finished"
    retry = model.calls[1].messages
    assert retry[-2].role == "assistant" and retry[-2].content == "this is not json"
    assert "could not be used" in retry[-1].content


def test_a_runaway_reply_is_shown_back_only_by_its_beginning(settings, tmp_path):
    runaway = '{"thoughts": {"reasoning": "' + "I will write the file now. " * 80
    agent, model = make_agent(settings, [Completion(text=runaway, finish_reason=REPEATING),
                                         reply("finish", reason="ok")], tmp_path)
    notices: list[str] = []
    result = asyncio.run(agent.arun(on_event=lambda e: notices.append(e.message) if isinstance(e, Notice) else None))
    assert result.status == "finished"
    retry = model.calls[1].messages
    assert retry[-2].role == "assistant" and retry[-2].content == runaway[:300] + " …"
    assert "repeated the same text" in retry[-1].content
    assert any("It began" in n and "ended" in n for n in notices)  # what it generated is kept in the events


def test_reply_failing_every_retry_becomes_an_error_step_then_the_run_ends(settings, tmp_path):
    agent, model = make_agent(settings, ["bad"] * 12, tmp_path)
    result = agent.run()
    assert result.status == "error"
    assert [type(s) for s in result.history] == [ErrorStep, ErrorStep, ErrorStep]
    assert len(model.calls) == 12  # 1 try + 3 retries, three steps in a row
    assert "no usable reply" in result.error


def test_unknown_command_and_bad_args_are_observations(settings, tmp_path):
    human = ScriptedHuman(["y"])  # only the valid finish is put to the human
    agent, _ = make_agent(settings, [
        reply("fly_to_moon", speed=3),
        reply("write_file", path="a.txt"),  # missing content
        reply("finish", reason="ok"),
    ], tmp_path, continuous=False, human=human)
    result = agent.run()
    assert result.status == "finished"
    first, second = result.history[0], result.history[1]
    assert not first.ok and "no command named 'fly_to_moon'" in first.observation and "write_file" in first.observation
    assert not second.ok and "write_file(path: str, content: str)" in second.observation
    assert human.asked == ["approve 3: finish(reason='ok')"]


def test_tool_error_is_an_observation(settings, tmp_path):
    agent, _ = make_agent(settings, [reply("read_file", path="../etc/passwd"), reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    assert result.status == "finished"
    assert not result.history[0].ok and "'..'" in result.history[0].observation


def test_long_tool_output_is_truncated_with_a_note(settings, tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "big.txt").write_text("word " * 20000)
    agent, model = make_agent(settings, [reply("read_file", path="big.txt"), reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    observation = result.history[0].observation
    assert "output truncated" in observation
    assert len(observation) < 10000


def test_native_tool_calls_are_understood(settings, tmp_path):
    agent, _ = make_agent(settings, [
        ScriptedModel.tool_call("write_file", path="a.txt", content="native"),
        ScriptedModel.tool_call("finish", reason="ok"),
    ], tmp_path)
    assert agent.run().status == "finished"
    assert (tmp_path / "ws" / "a.txt").read_text() == "native"


# --- our own failures are typed; infrastructure failures end the run cleanly ------------------------------------


def test_model_api_error_ends_run_with_status_error(settings, tmp_path):
    agent, _ = make_agent(settings, [reply("write_file", path="a.txt", content="x"), ModelAPIError("HTTP 500")], tmp_path)
    result = agent.run()
    assert result.status == "error"
    assert result.error == "HTTP 500"
    assert result.steps == 1 and (tmp_path / "ws" / "a.txt").exists()


def test_tool_crash_raises_typed_exception_and_keeps_the_log(settings, tmp_path):
    def explode() -> str:
        """Always fails."""
        raise ValueError("boom")

    agent, _ = make_agent(settings, [reply("write_file", path="a.txt", content="x"), reply("explode")], tmp_path,
                          tools=[explode])
    with pytest.raises(ToolCrashedError, match="boom"):
        agent.run()
    store = SQLiteStore(settings.store_path)
    events = [e for _, e in store.events(agent.task_id)]
    assert [e["step"] for e in events if e["type"] == "step_finished"] == [1, 2]
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "error"
    assert "boom" in events[-1]["error"]
    assert [e["ok"] for e in events if e["type"] == "tool_finished"] == [True, False]


def test_custom_tool_error_reaches_model(settings, tmp_path):
    def lookup(key: str) -> str:
        """Look up a key.

        Args:
            key: the key
        """
        raise ToolError(f"no such key {key}")

    agent, _ = make_agent(settings, [reply("lookup", key="k"), reply("finish", reason="ok")], tmp_path, tools=[lookup])
    result = agent.run()
    assert result.history[0].observation == "no such key k"


# --- streaming, async, persistence ----------------------------------------------------------------------------------


async def test_astream_yields_ordered_events_with_tokens(settings, tmp_path):
    agent, _ = make_agent(settings, [reply("write_file", path="a.txt", content="x"), reply("finish", reason="ok")], tmp_path)
    events = [e async for e in agent.astream()]
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert any(isinstance(e, Token) for e in events)
    tools = [e for e in events if isinstance(e, ToolFinished)]
    assert [t.name for t in tools] == ["write_file", "finish"]
    assert events[-1].status == "finished" and events[-1].artifacts == ["a.txt"]


async def test_arun_inside_event_loop_and_run_refuses(settings, tmp_path):
    agent, _ = make_agent(settings, [reply("finish", reason="ok")], tmp_path)
    with pytest.raises(AgentStateError, match="arun"):
        agent.run()
    assert (await agent.arun()).status == "finished"


async def test_cancelling_a_run_records_interrupted(settings, tmp_path):
    model = ScriptedModel([reply("write_file", path="a.txt", content="x"), reply("finish", reason="ok")], delay=0.2)
    agent, _ = make_agent(settings, model, tmp_path)
    task = asyncio.create_task(agent.arun())
    for _ in range(500):  # until the first step is recorded (not a fixed sleep: a busy machine is slower)
        await asyncio.sleep(0.01)
        if agent.runner is not None and len(agent.runner.memory.steps) == 1:
            break
    task.cancel()  # during the second model call
    with pytest.raises(asyncio.CancelledError):
        await task
    assert agent.last_result.status == "interrupted"
    assert agent.last_result.steps == 1
    record = SQLiteStore(settings.store_path).get_task(agent.task_id)
    assert record.status == "interrupted" and record.result["status"] == "interrupted"


def test_run_log_has_every_step(settings, tmp_path):
    agent, _ = make_agent(settings, [reply("write_file", path="a.txt", content="x"), reply("finish", reason="ok")], tmp_path)
    result = agent.run()
    store = SQLiteStore(settings.store_path)
    events = store.events(result.run_id)
    types = [e["type"] for _, e in events]
    assert types[0] == "run_started" and types[-1] == "run_finished"
    assert types.count("step_finished") == 2 and "token" not in types
    assert [seq for seq, _ in events] == list(range(1, len(events) + 1))
    record = store.get_task(result.run_id)
    assert record.status == "finished" and record.result["artifacts"] == ["a.txt"]
    assert [step["kind"] for step in store.history(result.run_id)] == ["action", "action"]


def test_default_workspace_is_fresh_per_run(settings):
    agent = AutoGPT(goals=["x"], model=ScriptedModel([reply("finish", reason="ok")] * 2), settings=settings)
    first, second = agent.run(), agent.run()
    assert first.workspace != second.workspace
    assert first.workspace.startswith(str(settings.workspaces_dir))


def test_no_goal_is_a_clear_error(settings):
    with pytest.raises(ConfigError, match="at least one goal"):
        AutoGPT(model=ScriptedModel(), settings=settings).run()


# --- language ----------------------------------------------------------------------------------------------------------


def test_chinese_goal_gets_chinese_prompts(settings, tmp_path):
    agent, model = make_agent(settings, [reply("write_file", path="a.txt", content="你好"), reply("finish", reason="完成")],
                              tmp_path, goals=["把“你好”写入 a.txt"])
    result = agent.run()
    system = model.calls[0].messages[0].content
    assert "目标" in system and "用中文" in system
    assert "的结果" in "\n".join(m.content for m in model.calls[1].messages)
    assert result.summary == "完成"


def test_language_can_be_forced(settings, tmp_path):
    agent, model = make_agent(settings, [reply("finish", reason="ok")], tmp_path, goals=["把文件写好"], language="en")
    agent.run()
    assert "GOALS" in model.calls[0].messages[0].content


# --- chat mode (the seeds' API) ------------------------------------------------------------------------------------------


def test_chat_mode_keeps_the_conversation(settings):
    model = ScriptedModel(["I can plan and write files.", "You asked what I can do."])
    agent = AutoGPT(model=model, settings=settings)
    agent.set_parameter("temperature", 0.2)
    assert agent.generate_response("What can you do?") == "I can plan and write files."
    assert agent.generate_response("What did I ask?") == "You asked what I can do."
    second = model.calls[1]
    assert [m.role for m in second.messages] == ["system", "user", "assistant", "user"]
    assert second.response_schema is None
    assert model.params["temperature"] == 0.2


def test_chat_in_chinese(settings):
    model = ScriptedModel(["我可以帮你写文件。"])
    agent = AutoGPT(model=model, settings=settings)
    assert agent.generate_response("你能做什么？") == "我可以帮你写文件。"
    assert "用户使用的语言" in model.calls[0].messages[0].content


def test_set_parameter_rejects_unknown_and_badly_typed(settings):
    agent = AutoGPT(model=ScriptedModel(), settings=settings)
    with pytest.raises(InvalidParameterError) as info:
        agent.set_parameter("warp_factor", 9)
    assert "temperature" in str(info.value) and "top_p" in str(info.value)
    with pytest.raises(InvalidParameterError, match="needs a float"):
        agent.set_parameter("temperature", "hot")
    agent.set_parameter("max_tokens", "64")
    assert agent.model.params["max_tokens"] == 64


def test_set_model_name(settings):
    agent = AutoGPT(settings=settings)
    agent.set_model_name("qwen2.5-coder-0.5b")  # constructing does not load weights
    assert agent.model_name == "qwen2.5-coder-0.5b" and agent.model.id == "qwen2.5-coder-0.5b"
    agent.set_parameter("top_k", 20)  # an embedded-only parameter
    agent.set_model_name("qwen2.5-coder-1.5b")
    assert agent.model.params == {"top_k": 20}
    with pytest.raises(UnknownModelError) as info:
        agent.set_model_name("gpt-17")
    assert "qwen2.5-coder-1.5b" in str(info.value)


def test_empty_chat_message_is_refused(settings):
    with pytest.raises(ConfigError):
        AutoGPT(model=ScriptedModel(), settings=settings).generate_response("  ")


def test_budget_summary_in_chinese(settings, tmp_path):
    script = [reply("write_file", path=f"{i}.txt", content="x") for i in range(3)]
    agent, _ = make_agent(settings, script, tmp_path, goals=["写三个文件"], max_steps=2)
    result = agent.run()
    assert result.status == "max_steps"
    assert result.summary.startswith("已停止：达到步数上限（2）。")


def test_finish_is_refused_once_while_a_file_the_goals_name_is_missing(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("finish", reason="Computed 6765 and wrote it to fib.txt"),  # a false claim: nothing was written
        reply("write_file", path="fib.txt", content="6765"),
        reply("finish", reason="Wrote 6765 to fib.txt"),
    ], tmp_path, goals=["Find the 20th Fibonacci number and write it to fib.txt"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 3
    first = result.history[0]
    assert not first.ok and "fib.txt does not exist in the workspace" in first.observation
    assert "fib.txt does not exist" in model.calls[1].messages[-1].content  # the model is told why
    assert "Named in the goals but not in the workspace yet: fib.txt" in model.calls[1].messages[-1].content
    offered = lambda call: [tool["name"] for tool in call.tools]  # noqa: E731
    assert "finish" in offered(model.calls[0]) and "finish" not in offered(model.calls[1])  # not twice in a row
    assert "finish" in offered(model.calls[2]) and "Named in the goals" not in model.calls[2].messages[-1].content


def test_finish_again_after_the_refusal_ends_the_run_with_the_explanation(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("finish", reason="完成"),
        reply("finish", reason="无法生成 报告：数据文件 data.csv 不存在"),
    ], tmp_path, goals=["读取 data.csv，把摘要写入summary.md"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.summary.startswith("无法生成")
    assert "summary.md does not exist" in result.history[0].observation  # data.csv is only read


def test_claiming_again_to_have_written_a_missing_file_is_refused_again(settings, tmp_path):
    # FollowInstructions with the embedded model: refused for countdown.txt, it rewrote greeting.txt and
    # finished with the same false claim, which ended the run.
    claim = "Created greeting.txt, countdown.txt and done.txt."
    agent, model = make_agent(settings, [
        reply("write_file", path="greeting.txt", content="Hello"),
        reply("finish", reason=claim),
        reply("write_file", path="greeting.txt", content="Hello"),
        reply("finish", reason=claim),  # the same false claim: refused again
        reply("write_file", path="countdown.txt", content="5\n4\n3\n2\n1\n"),
        reply("finish", reason=claim),
    ], tmp_path, goals=["Read the file instructions.txt and carry out every instruction in it."])
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "done.txt").write_text("COMPLETE")
    (tmp_path / "ws" / "instructions.txt").write_text(
        "1. Write Hello to greeting.txt.\n2. Write the numbers 5 to 1 to countdown.txt.\n3. Write COMPLETE to done.txt.\n")
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 6
    assert [step.ok for step in result.history] == [True, False, True, False, True, True]
    assert "countdown.txt does not exist" in result.history[3].observation


def test_a_false_claim_is_refused_at_most_three_times(settings, tmp_path):
    claim = reply("finish", reason="Wrote the report to report.md")
    agent, model = make_agent(settings, [claim, reply("list_folder"), claim, reply("list_folder"), claim,
                                         reply("list_folder"), claim], tmp_path, goals=["Write a short report"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 7
    assert [result.history[i].ok for i in (0, 2, 4, 6)] == [False, False, False, True]
    assert "report.md does not exist in the workspace" in result.history[0].observation  # it chose the name
    # a file only the reason names, where the task asks for others: not to be written (Slugify's model finished with
    # the prompt's example, "Wrote 1889 to year.txt ...", was told to write year.txt, and did)
    agent, model = make_agent(settings, [
        reply("write_file", path="slugify.py", content="def slugify(text):\n    return text\n"),
        reply("finish", reason="Wrote 1889 to year.txt and 385 to result.txt."),
    ], tmp_path / "other", goals=["Write a Python module slugify.py with a function slugify(text)."], max_steps=2)
    assert agent.run().history[1].observation == (
        "Not finished: you say you wrote year.txt, result.txt, but they do not exist, and the task does not ask for "
        "them: that is other work (the example in your instructions?). This task asks for slugify.py: check that it "
        "holds what the goals ask (or make it so), then finish saying what you did for this task.")


def test_a_plan_step_marked_done_without_its_file_goes_back_to_todo(settings, tmp_path):
    def plan(*items):
        return {"observations": "", "reasoning": "", "criticism": "", "speak": "",
                "plan": [{"task": task, "status": status} for task, status in items]}

    agent, model = make_agent(settings, [
        reply("write_file", plan(("Create greeting.txt", "doing"), ("Create countdown.txt", "todo")),
              path="greeting.txt", content="Hello"),
        reply("write_file", plan(("Create greeting.txt", "done"), ("Create countdown.txt", "done"),
                                 ("Create done.txt", "doing")), path="done.txt", content="COMPLETE"),
        reply("write_file", path="countdown.txt", content="5\n4\n3\n2\n1"),
        reply("finish", reason="All three files are written."),
    ], tmp_path, goals=["Read the file instructions.txt and carry out every instruction in it."])
    agent.run()
    model.assert_complete()
    third = model.calls[2].messages[-1].content
    assert "Marked done in your plan but not in the workspace: countdown.txt" in third
    assert "Still to do: Create countdown.txt" in third and "Done: Create greeting.txt; Create done.txt" in third
    assert "Marked done in your plan" not in model.calls[3].messages[-1].content  # written: done again


def test_a_succeeding_command_marks_done_the_sub_task_that_names_its_file(settings, tmp_path):
    thoughts = {"observations": "", "reasoning": "", "criticism": "", "speak": "",
                "plan": [{"task": "Read the page http://127.0.0.1/docs/company.html", "status": "todo"},
                         {"task": "Write the answer to answer.txt", "status": "doing"}]}
    agent, model = make_agent(settings, [
        reply("read_file", thoughts, path="company.html"),  # served the first sub-task, not the one "doing"
        reply("write_file", path="answer.txt", content="1994"),
        reply("finish", reason="answer.txt holds the year."),
    ], tmp_path, goals=["Write the year the company was founded to answer.txt"])
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "company.html").write_text("Founded in 1994.")
    agent.run()
    model.assert_complete()
    second = model.calls[1].messages[-1].content
    assert "Done: Read the page http://127.0.0.1/docs/company.html" in second
    assert "Still to do: Write the answer to answer.txt" in second
    assert "Done: Read the page http://127.0.0.1/docs/company.html; Write the answer to answer.txt" in \
        model.calls[2].messages[-1].content


def test_a_sub_task_done_stays_done_when_the_model_copies_it_back_as_todo(settings, tmp_path):
    def plan(*items):
        return {"observations": "", "reasoning": "", "criticism": "", "speak": "",
                "plan": [{"task": task, "status": status} for task, status in items]}

    agent, model = make_agent(settings, [
        reply("write_file", plan(("Create done.txt with COMPLETE.", "doing"), ("Finish", "todo")),
              path="done.txt", content="COMPLETE"),
        # FollowInstructions: the model wrote the done sub-task back as todo, then wrote done.txt again
        reply("read_file", plan(("create done.txt with COMPLETE", "todo"), ("Check the files", "todo")),
              path="nothing.txt"),  # fails: the plan is not advanced
        reply("finish", reason="done.txt is written."),
    ], tmp_path, goals=["Create done.txt with COMPLETE."])
    agent.run()
    model.assert_complete()
    third = model.calls[2].messages[-1].content
    assert "Done: create done.txt with COMPLETE\nStill to do: Check the files" in third


def test_reopened_plan_steps_in_chinese(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", {"observations": "", "reasoning": "", "criticism": "", "speak": "",
                             "plan": [{"task": "写入 结果.txt", "status": "done"}, {"task": "创建 done.txt", "status": "done"}]},
              path="done.txt", content="完成"),
        reply("finish", reason="完成"),
    ], tmp_path, goals=["按说明创建文件"])
    agent.run()
    assert "计划里标为完成、但工作区里还没有的文件：" not in model.calls[1].messages[-1].content  # 结果.txt: no ASCII name
    agent2, model2 = make_agent(settings, [
        reply("write_file", {"observations": "", "reasoning": "", "criticism": "", "speak": "",
                             "plan": [{"task": "写入 result.txt", "status": "done"}]}, path="x.txt", content="完成"),
        reply("finish", reason="完成"),
    ], tmp_path / "2", goals=["按说明创建文件"])
    agent2.run()
    assert "计划里标为完成、但工作区里还没有的文件：result.txt" in model2.calls[1].messages[-1].content


def test_finish_asks_once_to_run_a_module_that_was_written_and_never_run(settings, tmp_path):
    module = "def slugify(text):\n    return text.lower().replace(' ', '-')\n"
    agent, model = make_agent(settings, [
        reply("write_file", path="slugify.py", content=module),
        reply("finish", reason="slugify.py is written."),  # never run: refused
        reply("execute_python", code="from slugify import slugify\nassert slugify('A B') == 'a-b'\nprint('ok')"),
        reply("finish", reason="slugify.py is written and tested."),
    ], tmp_path, goals=["Write a Python module slugify.py with a function slugify(text)"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 4
    refusal = result.history[1].observation
    assert not result.history[1].ok and "slugify.py was written but never run" in refusal
    assert "execute_python(code=\"from slugify import slugify\\nassert ...\\nprint('ok')\")" in refusal
    assert result.history[2].ok and "ok" in result.history[2].observation


def test_finish_asks_again_about_a_module_rewritten_since_it_asked(settings, tmp_path):
    # Slugify, run 25: asked at step 2 to test slugify.py, the model rewrote it at step 7 and finished untested
    module = "def slugify(text):\n    return text.lower()\n"
    steps = [reply("write_file", path="slugify.py", content=module), reply("finish", reason="Written.")]
    for number in range(1, 4):
        steps += [reply("write_file", path="slugify.py", content=module + f"# version {number}\n"),
                  reply("finish", reason="Written.")]
    agent, model = make_agent(settings, steps, tmp_path, goals=["Write a Python module slugify.py with a function "
                                                                "slugify(text)"])
    result = agent.run()
    model.assert_complete()
    # each new version is asked about, three times in all; the fourth finish is let through
    assert [step.ok for step in result.history[1::2]] == [False, False, False, True]
    assert "slugify.py was written but never run" in result.history[3].observation


def test_a_finish_whose_reason_says_work_is_still_to_do_is_asked_once(settings, tmp_path):
    # Slugify, run 25: "The function works correctly with the examples, but it does not print 'ok'. I need to add an
    # assert for anything else the task asks before calling finish." — and the run ended there
    reason = ("The function works with the examples. I need to add an assert for anything else the task asks before "
              "calling finish.")
    agent, model = make_agent(settings, [reply("write_file", path="a.txt", content="x"),
                                         reply("finish", reason=reason), reply("finish", reason=reason)],
                              tmp_path, goals=["Write x to a.txt"])
    result = agent.run()
    model.assert_complete()
    assert result.history[1].observation == (
        "Not finished: your reason says there is still work to do ('I need to add an assert for anything else the "
        "task asks before calling finish.'). Do it first, then finish. If everything the goals ask is done, call "
        "finish again with a reason that says what was done.")
    assert result.status == "finished" and result.history[2].ok
    agent, model = make_agent(settings, [reply("write_file", path="a.txt", content="x"),
                                         reply("finish", reason="还需要检查 a.txt。")], tmp_path / "zh",
                              goals=["把 x 写入 a.txt"], max_steps=2)
    assert not agent.run().history[1].ok


def test_a_module_run_by_its_test_file_counts_as_tried(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", path="pkg/duration.py", content="def parse(text):\n    return int(text[:-1])\n"),
        reply("write_file", path="test_duration.py",
              content="from pkg.duration import parse\nassert parse('45s') == 45\nprint('ok')\n"),
        reply("execute_python_file", path="test_duration.py"),
        reply("finish", reason="Done: duration.py passes its test."),
    ], tmp_path, goals=["Write a module pkg/duration.py with parse(text)"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and [step.ok for step in result.history] == [True] * 4


def test_untried_code_is_named_by_path_or_module(tmp_path):
    from autogpt.tools.registry import ToolContext
    from autogpt.tools.untested import note_ran, note_written, untried
    from autogpt.tools.workspace import Workspace

    (tmp_path / "lib").mkdir()
    for name in ("lib/slug.py", "slugs.py", "notes.txt"):
        (tmp_path / name).write_text("x")
    ctx = ToolContext(workspace=Workspace(tmp_path))
    for name in ("lib/slug.py", "slugs.py", "notes.txt", "gone.py"):
        note_written(ctx, name)
    assert untried(ctx) == ["lib/slug.py", "slugs.py"]  # not a text file, not a file deleted since
    note_ran(ctx, "import slug\nprint(slug.x)")  # another module named slug: not lib.slug
    assert untried(ctx) == ["lib/slug.py", "slugs.py"]
    note_ran(ctx, "from lib.slug import make")
    assert untried(ctx) == ["slugs.py"]
    note_ran(ctx, "python slugs.py --check")
    assert untried(ctx) == []


def test_the_files_a_goal_gives_to_read_are_not_overwritten(settings, tmp_path):
    # MalformedJson with the embedded model: it "repaired" input.json in place (first to five characters) and
    # FollowInstructions' run appended the instructions to instructions.txt.
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "input.json").write_text('[{"price": 2, "qty": 3},]')
    agent, model = make_agent(settings, [
        reply("write_file", path="input.json", content="[\n  {"),
        reply("append_file", path="./input.json", content="x"),
        reply("write_file", path="fixed.json", content='[{"price": 2, "qty": 3}]'),
        reply("write_file", path="total.txt", content="6.00"),
        reply("finish", reason="done"),
    ], tmp_path, goals=["input.json lists items, each with a price and a qty. Compute the total value of all items "
                        "and write it to a file named total.txt."])
    result = agent.run()
    model.assert_complete()
    assert (ws / "input.json").read_text() == '[{"price": 2, "qty": 3},]'  # the user's data, unchanged
    assert [step.ok for step in result.history[:4]] == [False, False, True, True]
    assert "input.json is an input of the task" in result.history[0].observation
    assert "the task asks for total.txt" in result.history[0].observation
    # InventoryReport: told "the task asks for inventory.txt, report.txt", inputs both
    (ws / "inventory.txt").write_text("widget: 14\n")
    (ws / "prices.json").write_text('{"widget": 2.75}')
    agent, model = make_agent(settings, [reply("write_file", path="prices.json", content="{}")], tmp_path,
                              goals=["inventory.txt gives quantities and prices.json gives unit prices. Write "
                                     "report.txt with one line for each item listed in inventory.txt."], max_steps=1)
    refused = agent.run().history[0].observation
    assert refused.startswith("prices.json is an input of the task") and "(the task asks for report.txt)" in refused


@pytest.mark.parametrize(("goal", "inputs"), [
    ("Read the file instructions.txt and carry out every instruction in it.", ["instructions.txt"]),
    ("input.json lists items. Compute the total and write it to a file named total.txt.", ["input.json"]),
    ("读取 scores.csv，计算平均分，把结果写入 average.txt", ["scores.csv"]),
    ("Summarise notes.md into summary.md", ["notes.md"]),
    ("Fix the bug in app.py so that its tests pass", []),  # changed in place
    ("Append the line Done to notes.txt", []),
    ("todo.txt is a to-do list. Add the item 'renew passport' as a new last line of todo.txt.", []),
    ("修改 config.yaml，把端口改成 8080", []),
    # InventoryReport: named again inside the clause that writes the report, after "listed in"
    ("inventory.txt gives quantities. Write report.txt with one line for each item listed in inventory.txt.",
     ["inventory.txt"]),
    ("a.csv has names. Write b.csv with one row for every customer in a.csv.", ["a.csv"]),  # JoinCsv
    ("c.txt lists names. Write some of them to z.txt, spelled exactly as in c.txt.", ["c.txt"]),  # Latin1Encoding
    ("Write the answer in answer.txt", []),
])
def test_goal_inputs_are_the_files_it_reads_and_does_not_change(goal, inputs):
    from autogpt.tools.core import goal_inputs

    assert goal_inputs(goal) == inputs


def test_a_file_of_the_user_that_was_never_read_is_not_replaced_blindly(settings, tmp_path):
    # MissingPath, run 14: the first step replaced the user's data/sales.csv with three made-up rows
    ws = tmp_path / "ws"
    (ws / "data").mkdir(parents=True)
    sales = "date,product,amount\n2024-03-01,desk lamp,34.90\n"
    (ws / "data" / "sales.csv").write_text(sales)
    (ws / "old.txt").write_text("kept\n")
    agent, model = make_agent(settings, [
        reply("write_file", path="data/sales.csv", content="amount,quantity\n100,2\n50,3"),
        reply("read_file", path="old.txt"),
        reply("write_file", path="old.txt", content="replaced after reading it\n"),
        reply("write_file", path="data/sales.csv", content="amount,quantity\n100,2\n50,3"),  # sent again (run 25)
        reply("read_file", path="data/sales.csv"),
        reply("write_file", path="data/sales.csv", content="amount\n1\n"),  # read: it may be replaced
        reply("finish", reason="done"),
    ], tmp_path, goals=["Read data.csv, add up its amount column, and write the total to total.txt."])
    result = agent.run()
    assert [step.ok for step in result.history[:6]] == [False, True, True, False, True, True]
    assert result.history[0].observation == result.history[3].observation == (
        "Nothing was written: data/sales.csv was already in the workspace (2 lines), and you have not read it; "
        "write_file would replace all of it. Read it first (read_file): its data may be what the task needs. Then "
        "replace it if you must, or write to a new file.")
    assert (ws / "old.txt").read_text() == "replaced after reading it\n"
    assert (ws / "data" / "sales.csv").read_text() == "amount\n1\n"


def test_a_failing_module_written_again_unchanged_is_refused(settings, tmp_path):
    # ParseDuration, run 15: the same failing duration.py written three times, each followed by the same test
    code = "def parse_duration(text):\n    return int(text.split('h')[0])\n"
    test = "from duration import parse_duration\nassert parse_duration('1h30m') == 5400\nprint('ok')"
    agent, model = make_agent(settings, [
        reply("write_file", path="duration.py", content=code),
        reply("execute_python", code=test),
        reply("write_file", path="duration.py", content=code + "\n"),
        reply("write_file", path="duration.py", content=code.replace("int(text.split('h')[0])", "5400")),
        reply("execute_python", code=test),
        reply("read_file", path="duration.py"),  # told the asserts passed: finish, or read to check
        reply("write_file", path="duration.py", content=code.replace("int(text.split('h')[0])", "5400")),
        reply("finish", reason="done"),
    ], tmp_path, goals=["Write duration.py with a function parse_duration(text). Example: '1h30m' -> 5400."])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [True, False, False, True, True, True, False, True]
    assert "Note: the asserts passed" in result.history[4].observation
    assert [tool["name"] for tool in model.calls[5].tools] == ["read_file", "list_folder", "finish"]
    # StackClass, run 15: its tested stack.py written again, unchanged
    assert result.history[6].observation == ("Nothing was written: duration.py already holds exactly this code, and "
                                             "its last test passed. If the test checked what the task asks, finish; "
                                             "if not, test what it missed.")
    assert "AssertionError: got 1\n" in result.history[1].observation
    assert result.history[2].observation == (
        "Nothing was written: duration.py already holds exactly this code, and the last program that used it failed "
        "(AssertionError: got 1). Writing it again changes nothing: change the code so that it does not fail that "
        "way.")


def test_a_file_the_goal_changes_in_place_can_be_written(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "app.py").write_text("print(1/0)\n")
    agent, model = make_agent(settings, [
        reply("write_file", path="app.py", content="print(1)\n"),
        reply("execute_python_file", path="app.py"),
        reply("finish", reason="Fixed app.py"),
    ], tmp_path, goals=["Fix the bug in app.py"])
    result = agent.run()
    model.assert_complete()
    assert all(step.ok for step in result.history) and (ws / "app.py").read_text() == "print(1)\n"


def test_a_tool_that_cannot_work_here_is_withdrawn_for_the_rest_of_the_run(settings, tmp_path):
    def lookup(term: str) -> str:
        """Look a term up online.

        Args:
            term: what to look up
        """
        raise ToolUnavailableError("Lookup is unavailable (offline).", also=("list_folder",))

    agent, model = make_agent(settings, [
        reply("lookup", term="capital of France"),
        reply("write_file", path="out.txt", content="Paris"),
        reply("finish", reason="Wrote Paris to out.txt"),
    ], tmp_path, tools=[lookup])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished"
    assert not result.history[0].ok and "offline" in result.history[0].observation
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "lookup" in offered[0] and "lookup" not in offered[1] and "lookup" not in offered[2]
    assert "list_folder" in offered[0] and "list_folder" not in offered[2]  # what depends on the same thing goes too
    branches = model.calls[1].response_schema["properties"]["command"]["anyOf"]
    assert "lookup" not in [b["properties"]["name"]["const"] for b in branches]  # the grammar cannot pick it


@pytest.mark.parametrize(("text", "names"), [
    ("Compute the 20th Fibonacci number with Python and write it to fib.txt", ["fib.txt"]),
    ("把结果写入fib.txt。", ["fib.txt"]),
    ("Summarise https://example.com/post.html into notes/summary.md", ["notes/summary.md"]),
    ("The capital is Washington D.C. Build a Node.js app in app.js", ["app.js"]),
    ("Use Python 3.11, e.g. pathlib; not /etc/passwd.txt or ../up.txt", []),
    ("Write a.txt, then A.TXT again and a.txt once more", ["a.txt", "A.TXT"]),
])
def test_named_files_finds_the_files_a_goal_names(text, names):
    from autogpt.tools.core import named_files

    assert named_files(text) == names


def test_a_module_written_untested_is_run_before_it_is_written_again(settings, tmp_path):
    # ParseDuration: duration.py written four times in a row, never run, until the steps ran out; Slugify, run 27:
    # a right slugify.py rewritten wrong at once, four times in nine steps, its test never run
    agent, model = make_agent(settings, [
        reply("write_file", path="duration.py", content="def parse_duration(text):\n    return 0\n"),
        reply("write_file", path="duration.py", content="def parse_duration(text):\n    return 1\n"),
        reply("execute_python", code="from duration import parse_duration\nprint(parse_duration('1s'))"),
        reply("write_file", path="duration.py", content="def parse_duration(text):\n    return 2\n"),
        reply("write_file", path="notes.txt", content="x"),
        reply("finish", reason="ok"),
    ], tmp_path, goals=["Write duration.py and notes.txt, with a function parse_duration(text) in duration.py."])
    result = agent.run()
    model.assert_complete()
    writes = [[tool["name"] for tool in call.tools if tool["name"] in ("write_file", "append_file")]
              for call in model.calls]
    assert writes[1] == ["write_file", "append_file"]  # written once, notes.txt still to write: it may be written
    assert writes[2] == []  # twice in a row, never run: it is run first
    assert result.history[2].ok and writes[3]  # run since: writing is back
    assert writes[4]  # written once more, untested, but notes.txt is still to write
    assert writes[5]  # the last step wrote another file
    agent, model = make_agent(settings, [
        reply("write_file", path="duration.py", content="def parse_duration(text):\n    return 0\n"),
        reply("execute_python", code="from duration import parse_duration\nprint(parse_duration('1s'))"),
        reply("finish", reason="ok"),
    ], tmp_path / "one", goals=["Write duration.py with a function parse_duration(text)."])
    agent.run()
    model.assert_complete()
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "write_file" not in offered[1] and "execute_python" in offered[1]  # every asked file there: run it


def test_execute_python_file_is_offered_once_there_is_a_python_file(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", path="notes.txt", content="x"),
        reply("write_file", path="tool/run.py", content="print(1)"),
        reply("execute_python_file", path="tool/run.py"),
        reply("finish", reason="ok"),
    ], tmp_path)
    result = agent.run()
    model.assert_complete()
    assert result.history[2].ok and result.history[2].observation.endswith("1")
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert ["execute_python_file" in names for names in offered] == [False, False, True, True]
    assert "execute_python_file(path: str" in model.calls[0].messages[0].content  # the prompt stays the same


@pytest.mark.parametrize(
    ("text", "outputs"),
    [
        ("Read data.csv, add up the amounts, and write the total to a file named total.txt.", ["total.txt"]),
        ("Read the file called input.txt and write its content to a file called output.txt.", ["output.txt"]),
        ("读取 scores.csv，计算平均分，把结果写入 average.txt", ["average.txt"]),
        ("Summarise notes.md into summary.md", ["summary.md"]),
        ("Write the total in total.txt", ["total.txt"]),
        ("Compute the 20th Fibonacci number with Python and write it to fib.txt", ["fib.txt"]),
        ("Load config.yaml from the workspace", []),
    ],
)
def test_files_a_goal_only_reads_are_not_expected_outputs(text, outputs):
    from autogpt.tools.core import expected_outputs

    assert expected_outputs(text) == outputs


def test_a_finish_reason_counts_only_files_it_claims_to_have_written():
    from autogpt.tools.core import claimed_files

    assert claimed_files("Wrote the post to post.md.") == ["post.md"]
    assert claimed_files("已写入 output.txt") == ["output.txt"]
    assert claimed_files("无法生成报告：数据文件 data.csv 不存在") == []
    assert claimed_files("Done; see fib.txt") == []


TEMPS = "city,day,temp\nLyon,1,6.8\nLyon,2,4.1\nLyon,3,7.1\n"  # the average is 6.0
AVERAGE = ["temps.csv has the columns city, day and temp. Write the average of the temp column, rounded to 1 "
           "decimal, to avg.txt (only the number)."]


def test_finish_asks_once_about_a_number_no_command_showed(settings, tmp_path):
    # What the embedded model did: read the data, typed a plausible average, finished.
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "temps.csv").write_text(TEMPS)
    code = "import csv\nrows = list(csv.DictReader(open('temps.csv')))\nprint(sum(float(r['temp']) for r in rows) / len(rows))"
    agent, model = make_agent(settings, [
        reply("read_file", path="temps.csv"),
        reply("write_file", path="avg.txt", content="10.2"),
        reply("finish", reason="The average is 10.2"),
        reply("execute_python", code=code),
        reply("write_file", path="avg.txt", content="6.0"),  # 6.000000000000001, rounded as asked
        reply("finish", reason="Wrote the average 6.0 to avg.txt"),
    ], tmp_path, goals=AVERAGE)
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 6, [s.observation for s in result.history]
    refused = result.history[2]
    assert not refused.ok and "avg.txt holds 10.2, but no command you ran showed that number" in refused.observation
    assert "execute_python" in refused.observation
    assert (tmp_path / "ws" / "avg.txt").read_text() == "6.0"


def test_a_typed_number_is_asked_about_twice_then_finish_is_accepted(settings, tmp_path):
    # InventoryReport, run 15: asked, it ran a program that printed only the total and finished with its typed lines
    agent, model = make_agent(settings, [
        reply("execute_python", code="print('the file has rows')"),
        reply("write_file", path="count.txt", content="38"),
        reply("finish", reason="done"),
        reply("write_file", path="note.txt", content="I counted the rows by hand."),
        reply("finish", reason="38 is right: I counted the rows by hand"),
        reply("finish", reason="38 is right"),
    ], tmp_path, goals=["统计 users.csv 中城市为“杭州”的用户有多少个，把这个数字写入 count.txt"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 6
    assert "count.txt holds 38" in result.history[2].observation
    assert result.history[4].observation == (
        "Not finished: count.txt still holds 38, which you typed: no program printed it. Next, run execute_python "
        "with a program that computes every number of count.txt from the data, prints it and writes the whole of "
        "count.txt itself (with open('count.txt', 'w') as f: f.write(...)).")


def test_numbers_a_failed_program_printed_before_it_failed_are_not_typed(settings, tmp_path):
    # InventoryReport, run 26: the four right item lines printed before a NameError, then written: "no command
    # showed 38.50, 59.97 ..." sent the model back to compute what it had
    agent, model = make_agent(settings, [
        reply("execute_python", code="print('widget: 14 x 2.75 = 38.50')\nprint(sum(values))"),
        reply("write_file", path="report.txt", content="widget: 14 x 2.75 = 38.50\nTOTAL: 38.75"),
    ], tmp_path, goals=["inventory.txt gives quantities. Write report.txt with a line for each item, then the total."],
        max_steps=2)
    result = agent.run()
    assert not result.history[0].ok and "38.50" in result.history[0].observation
    assert "Note: no command showed 38.75:" in result.history[1].observation  # only the number it did not print


def test_a_typed_number_is_asked_about_twice_while_no_program_has_run(settings, tmp_path):
    # WordCount, run 15: typed 201, was asked, typed 201 again and finished
    agent, model = make_agent(settings, [
        reply("write_file", path="answer.txt", content="201"),
        reply("finish", reason="Wrote 201 words to answer.txt."),
        reply("write_file", path="answer.txt", content="201"),
        reply("finish", reason="Wrote 201 words to answer.txt."),
        reply("finish", reason="201 is right."),
    ], tmp_path, goals=["Count the words in essay.txt and write only the number of words to answer.txt."])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [True, False, True, False, True]
    assert result.history[3].observation == (
        "Not finished: answer.txt still holds 201, which you typed, and no program has run in this task. A count, "
        "sum or other computed number is right only when a program works it out: next, run execute_python with a "
        "program that computes it from the data, prints it and writes it to answer.txt.")


@pytest.mark.parametrize(("goals", "writes"), [
    (AVERAGE, [("avg.txt", "6.0")]),  # a program printed 6.041666…: rounding is not typing
    (AVERAGE, [("avg.txt", "6.0"), ("avg.txt", "10.2"), ("avg.txt", "6.0")]),  # the typed number is gone again
    (["Write a note to note.txt saying we meet at 10 tomorrow"], [("note.txt", "We meet at 10 tomorrow.")]),
    (["Sum 3 and 4 and write the result to sum.txt"], [("sum.txt", "The sum of 3 and 4 is 7")]),  # 3, 4 are in the goal
])
def test_numbers_that_a_command_showed_or_no_computation_asked_for_pass(settings, tmp_path, goals, writes):
    printed = "print(6.041666)" if goals == AVERAGE else "print(7)"
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "temps.csv").write_text(TEMPS)
    agent, model = make_agent(settings, [
        reply("execute_python", code=printed),
        *[reply("write_file", path=path, content=content) for path, content in writes],
        reply("finish", reason="done"),
    ], tmp_path, goals=goals)
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and all(step.ok for step in result.history), result.history[-1].observation


def test_numbers_in_code_are_constants_not_typed_answers(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", path="hours.py", content="SECONDS = 3600\nprint(7 * SECONDS)\n"),
        reply("execute_python_file", path="hours.py"),
        reply("finish", reason="Computed the number of seconds in 7 hours: 25200."),
    ], tmp_path, goals=["Compute the number of seconds in 7 hours with a Python script hours.py"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and all(step.ok for step in result.history), result.history[-1].observation


@pytest.mark.parametrize(("text", "found"), [
    ("avg 10.2, -2.3 and 1,234.50 then 7", ["10.2", "-2.3", "1234.50", "7"]),
    ("on 2024-01-05 at 10:30, v2 of a1.txt, 1.2.3", []),  # dates, times, names and versions are not amounts
])
def test_numbers_are_the_amounts_in_a_text(text, found):
    from autogpt.tools.grounding import numbers

    assert numbers(text) == found


@pytest.mark.parametrize(("typed", "sources", "missing"), [
    ("6.0", ["stdout: 6.000000000000001"], []),
    ("6.04", ["6.041666"], []),
    ("6.1", ["6.041666"], ["6.1"]),
    ("10.2", ["city,day,temp\nLyon,1,6.8"], ["10.2"]),
    ("共 13 人", ["13\n"], []),
    ("38", ["12.6", "Wrote 4 characters"], ["38"]),
])
def test_a_typed_number_is_grounded_by_a_source_that_shows_it_rounded_or_not(typed, sources, missing):
    from autogpt.tools.grounding import ungrounded

    assert ungrounded(typed, sources) == missing


@pytest.mark.parametrize(("goal", "asks"), [
    ("Write the average of the temp column to avg.txt", True),
    ("统计城市为“杭州”的用户有多少个", True),
    ("Write the capital of the United States to count.txt", False),  # a file name is not a request to count
    ("把美国首都的名字写入文件 output.txt", False),
])
def test_asks_to_compute(goal, asks):
    from autogpt.tools.grounding import asks_to_compute

    assert asks_to_compute([goal]) is asks


def _read_file_paths(request):
    """What the reply schema lets read_file name: None if any path, [] if read_file cannot be chosen."""
    for branch in request.response_schema["properties"]["command"]["anyOf"]:
        if branch["properties"]["name"]["const"] == "read_file":
            return branch["properties"]["args"]["properties"]["path"].get("enum")
    return []


def test_a_file_read_whole_cannot_be_read_again_while_that_step_is_shown_in_full(settings, tmp_path):
    # ZhAverageScore, run 15: scores.csv read again after each failed program, four times in ten steps
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.csv").write_text("x\n1\n")
    (ws / "b.csv").write_text("x\n2\n")
    agent, model = make_agent(settings, [
        reply("read_file", path="a.csv"),
        reply("read_file", path="b.csv", start_line=2),  # a part: the same file may be read again after it
        reply("read_file", path="b.csv"),
        reply("write_file", path="sum.txt", content="3"),
        reply("read_file", path="sum.txt"),
        reply("write_file", path="sum.txt", content="3\n"),  # changed since it was read
        reply("finish", reason="Wrote 3 to sum.txt"),
    ], tmp_path, goals=["Add up a.csv and b.csv into sum.txt"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished"
    assert agent.settings.history_verbatim_steps == 4
    paths = [_read_file_paths(call) for call in model.calls]
    assert paths[0] == ["a.csv", "b.csv"]  # nothing read yet: any file there is
    assert paths[1] == ["b.csv"]  # the other file only
    assert paths[2] == ["b.csv"]  # lines 2- of b.csv were a part
    assert paths[3] == []  # both shown whole in the last four steps: read_file is left out
    assert paths[4] == ["sum.txt"]
    assert paths[5] == ["a.csv"]  # step 1 has left the history's full part; b.csv (step 3) and sum.txt have not
    assert paths[6] == ["a.csv", "sum.txt"]  # sum.txt was written again after it was read
    assert "enum" not in str(model.calls[0].tools[0])  # only read_file is narrowed


def test_reading_the_only_file_leaves_read_file_out_for_one_step(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "input.txt").write_text("Access code: 7F3A\n")
    agent, model = make_agent(settings, [
        reply("read_file", path="./input.txt"),
        reply("write_file", path="output.txt", content="7F3A"),
        reply("finish", reason="Wrote the code to output.txt"),
    ], tmp_path, goals=["Read input.txt (or search the web if it is not there) and write the access code to "
                        "output.txt"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and (ws / "output.txt").read_text() == "7F3A"
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "read_file" not in offered[1] and "read_file" in offered[0] and "read_file" in offered[2]
    assert _read_file_paths(model.calls[2]) == ["output.txt"]  # input.txt, read two steps ago, is still shown
    # nor the web, right after a file: the model read made-up addresses (example.com/instructions.txt) instead
    assert "read_webpage" in offered[0] and "read_webpage" not in offered[1] and "web_search" not in offered[1]
    # told every asked file exists, the next step finishes or checks (JoinCsv's model broke its right table)
    assert offered[2] == ["read_file", "list_folder", "finish"]


def test_after_a_program_prints_the_answer_for_a_missing_file_the_next_step_writes(settings, tmp_path):
    # ZhAverageScore, runs 12 and 18: its program printed 79.87, it was told to write it to average.txt, and ran
    # seven more programs instead, then typed 79.86
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "scores.csv").write_text("姓名,分数\n张伟,88\n王芳,92\n", encoding="utf-8")
    program = ("import csv\nrows = list(csv.DictReader(open('scores.csv', encoding='utf-8')))\n"
               "print(f\"{sum(int(r['分数']) for r in rows) / len(rows):.2f}\")")
    agent, model = make_agent(settings, [
        reply("execute_python", code="print(open('scores.csv', encoding='utf-8').read())"),  # a look: not an answer
        reply("execute_python", code=program),
        reply("write_file", path="average.txt", content="90.00"),
        reply("finish", reason="Wrote 90.00 to average.txt"),
    ], tmp_path, goals=["读取 scores.csv，计算平均分，保留两位小数，把结果写入 average.txt。"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished"
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "execute_python" in offered[1]  # after a program that printed the table
    assert offered[2] == ["write_file", "append_file", "finish"]
    assert "execute_python" in offered[3] or offered[3] == ["read_file", "list_folder", "finish"]
    # MissingPath, run 21: told only by the tools, its model wrote 0; the prompt's last line says what was printed
    ends = [call.messages[-1].content.splitlines()[-1] for call in model.calls]
    assert ends[2] == "你上一个程序输出了 90.00，而 average.txt 还不存在。如果这就是结果，现在就用 write_file 把它写入 average.txt，只写任务要求的内容。"
    assert ends[1] == ends[3] == "哪些目标已经完成？下一条命令是什么？如果所有目标都已完成，现在就调用 finish。"


def test_after_a_program_prints_the_answer_for_a_typed_one_the_next_step_writes(settings, tmp_path):
    # ZhLineCount, run 23: 24 typed into answer.txt; its program printed 37, and it ran the same program again
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "input.txt").write_text("一\n二\n三\n", encoding="utf-8")
    agent, model = make_agent(settings, [
        reply("write_file", path="answer.txt", content="24"),
        reply("execute_python", code="print(len(open('input.txt', encoding='utf-8').readlines()))"),
        reply("write_file", path="answer.txt", content="3"),
        reply("finish", reason="已将行数 3 写入 answer.txt。"),
    ], tmp_path, goals=["读取 input.txt，统计其中的行数，把这个数字写入 answer.txt（只写数字）。"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and (tmp_path / "ws" / "answer.txt").read_text() == "3"
    assert [tool["name"] for tool in model.calls[2].tools] == ["write_file", "append_file", "finish"]
    assert model.calls[2].messages[-1].content.splitlines()[-1] == (
        "你上一个程序输出了 3，而 answer.txt 里还是你手写的内容。如果这就是结果，现在就用 write_file 把它写入 answer.txt，只写任务要求的内容。")


def test_after_a_typed_number_is_written_the_next_step_cannot_write(settings, tmp_path):
    # WordCount, run 22: told the 1024 it wrote was typed, the model wrote 1024 four more times
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "essay.txt").write_text("one two three\n")
    agent, model = make_agent(settings, [
        reply("write_file", path="answer.txt", content="1024"),
        reply("execute_python", code="n = len(open('essay.txt').read().split())\nopen('answer.txt', 'w').write(str(n))"
                                     "\nprint(n)"),
        reply("finish", reason="Wrote 3 to answer.txt"),
    ], tmp_path, goals=["Count the words in essay.txt and write the number to answer.txt."])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and (tmp_path / "ws" / "answer.txt").read_text() == "3"
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "write_file" in offered[0] and "write_file" not in offered[1] and "execute_python" in offered[1]


def test_after_every_asked_file_exists_the_next_step_finishes_or_checks(settings, tmp_path):
    # JoinCsv, run 14: its first program wrote the right table and was told so; three more programs broke it
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "orders.csv").write_text("customer,amount\nAmara,5\nAmara,7\n")
    program = ("import csv\ntotals = {}\nfor row in csv.DictReader(open('orders.csv')):\n"
               "    totals[row['customer']] = totals.get(row['customer'], 0) + float(row['amount'])\n"
               "open('totals.csv', 'w').write('name,total\\n' + ''.join(f'{k},{v}\\n' for k, v in totals.items()))")
    agent, model = make_agent(settings, [
        reply("execute_python", code=program),
        reply("read_file", path="totals.csv"),
        reply("execute_python", code="print('checked')"),  # after the check, everything is offered again
        reply("finish", reason="Wrote totals.csv"),
    ], tmp_path, goals=["orders.csv has the columns customer and amount. Write totals.csv with the header "
                        "name,total: each customer's total."])
    result = agent.run()
    model.assert_complete()
    assert "the task is done: call finish" in result.history[0].observation
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert offered[1] == ["read_file", "list_folder", "finish"] and "execute_python" in offered[2]
    assert (tmp_path / "ws" / "totals.csv").read_text() == "name,total\nAmara,12.0\n"


def test_read_file_can_name_only_files_there_are(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("read_file", path="missing.txt"),  # a model without the grammar (an API) may still name one
        reply("write_file", path="notes/missing.txt", content="now here"),
        reply("finish", reason="Wrote missing.txt"),
    ], tmp_path, goals=["Write missing.txt"])
    result = agent.run()
    model.assert_complete()
    assert "'missing.txt' does not exist" in result.history[0].observation
    assert _read_file_paths(model.calls[0]) == [] == _read_file_paths(model.calls[1])  # none there: left out
    assert _read_file_paths(model.calls[2]) == ["notes/missing.txt"]


def test_read_file_stays_open_to_any_path_in_a_large_workspace(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    for i in range(120):
        (ws / f"f{i:03}.txt").write_text(str(i))
    agent, model = make_agent(settings, [reply("read_file", path="f119.txt"), reply("finish", reason="read")],
                              tmp_path, goals=["Read f119.txt"])
    agent.run()
    model.assert_complete()
    assert _read_file_paths(model.calls[0]) is None and _read_file_paths(model.calls[1]) is None


def test_a_tool_declares_what_it_reads_and_a_partial_read_is_not_whole():
    from autogpt.tools import default_tools

    tools = default_tools()
    read_file = tools.get("read_file")
    assert read_file.reads == "path"
    assert read_file.read_target({"path": "a.txt"}) == "a.txt"
    assert read_file.read_target({"path": "a.txt", "start_line": 1, "end_line": 0}) == "a.txt"
    assert read_file.read_target({"path": "a.txt", "end_line": 5}) is None
    assert tools.get("write_file").read_target({"path": "a.txt", "content": "x"}) is None
    assert tools.get("write_file").spec()["parameters"]["properties"]["content"]["minLength"] == 1


INSTRUCTIONS = """Please do the following three things, in order:

1. Create a file named greeting.txt that contains exactly this line: Hello, benchmark!
2. Create a file named countdown.txt with the numbers 5 to 1, one per line (see notes.md for the style).
3. Write the single word COMPLETE to done.txt.
"""


@pytest.mark.parametrize(("goal", "outputs"), [
    ("Read the file instructions.txt and carry out every instruction in it.", ["greeting.txt", "countdown.txt", "done.txt"]),
    ("按照 instructions.txt 中的步骤执行。", ["greeting.txt", "countdown.txt", "done.txt"]),
    ("Read instructions.txt and tell me how many steps it has.", []),  # nothing to carry out
])
def test_files_the_instructions_to_carry_out_create_are_outputs(tmp_path, goal, outputs):
    from autogpt.tools.core import instructed_outputs
    from autogpt.tools.registry import ToolContext
    from autogpt.tools.workspace import Workspace

    (tmp_path / "instructions.txt").write_text(INSTRUCTIONS)
    ctx = ToolContext(workspace=Workspace(tmp_path), goals=[goal])
    assert instructed_outputs(ctx) == outputs  # notes.md is only mentioned, instructions.txt is the input


def test_finish_is_refused_while_files_the_instructions_create_are_missing(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "instructions.txt").write_text(INSTRUCTIONS)
    agent, model = make_agent(settings, [
        reply("read_file", path="instructions.txt"),
        reply("finish", reason="Read the file instructions.txt and carried out every instruction in it."),
        reply("write_file", path="greeting.txt", content="Hello, benchmark!"),
        reply("write_file", path="countdown.txt", content="5\n4\n3\n2\n1\n"),
        reply("write_file", path="done.txt", content="COMPLETE"),
        reply("finish", reason="Created the three files."),
    ], tmp_path, goals=["Read the file instructions.txt and carry out every instruction in it."])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished"
    refusal = result.history[1]
    assert not refusal.ok and "greeting.txt, countdown.txt, done.txt do not exist" in refusal.observation
    assert "not in the workspace yet: greeting.txt, countdown.txt, done.txt" in model.calls[1].messages[-1].content
    assert (ws / "done.txt").read_text() == "COMPLETE"


def test_finish_asks_once_for_a_text_the_instructions_give_word_for_word(settings, tmp_path):
    # FollowInstructions, run 23: "done.txt that contains the single word COMPLETE"; it wrote "Done!" and finished
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "instructions.txt").write_text(INSTRUCTIONS)
    agent, model = make_agent(settings, [
        reply("write_file", path="greeting.txt", content="Hello, benchmark!\n"),
        reply("write_file", path="countdown.txt", content="5\n4\n3\n2\n1\n"),
        reply("execute_python", code="open('done.txt', 'w').write('Done!')"),
        reply("finish", reason="Created the three files."),
        reply("write_file", path="done.txt", content="COMPLETE"),
        reply("finish", reason="Created the three files."),
    ], tmp_path, goals=["Read the file instructions.txt and carry out every instruction in it."])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and (ws / "done.txt").read_text() == "COMPLETE"
    assert result.history[3].observation == (
        "Not finished: done.txt holds 'Done!', but it must hold exactly 'COMPLETE': \"3. Write the single word "
        "COMPLETE to done.txt.\". Write that to done.txt (write_file). If done.txt is right as it is, call finish "
        "again.")


@pytest.mark.parametrize(("goal", "stated"), [
    ("Write the following sentence, exactly as given, to a file named motto.txt: Small steps, checked twice.",
     {"motto.txt": "Small steps, checked twice."}),
    ("Create a file named greeting.txt that contains exactly this line: Hello, benchmark!",
     {"greeting.txt": "Hello, benchmark!"}),
    ("Create done.txt containing the single word 'COMPLETE'.", {"done.txt": "COMPLETE"}),
    ("Write a file named shipped.csv that contains the header row and only the rows whose status is exactly "
     "shipped.", {}),  # what it holds is computed, not given
    ("Write the word count of essay.txt to count.txt.", {}),
])
def test_texts_a_file_must_hold_word_for_word(tmp_path, goal, stated):
    from autogpt.tools.core import stated_texts
    from autogpt.tools.registry import ToolContext
    from autogpt.tools.workspace import Workspace

    found = stated_texts(ToolContext(workspace=Workspace(tmp_path), goals=[goal]))
    assert {name: text for name, (text, _) in found.items()} == stated


def test_a_file_the_goal_says_to_add_to_keeps_its_lines(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "todo.txt").write_text("buy milk\ncall the plumber\n")
    agent, model = make_agent(settings, [
        reply("append_file", path="todo.txt", content="renew passport\n"),
        reply("write_file", path="todo.txt", content="renew passport"),  # AppendLine's model did this
        reply("append_file", path="todo.txt", content="renew passport\n"),  # and, refused, appended again
        reply("write_file", path="todo.txt", content="buy milk\ncall the plumber\nrenew passport\nwater\n"),
        reply("write_file", path="notes.txt", content="x"),
        reply("finish", reason="Added the line"),
    ], tmp_path, goals=["todo.txt is a to-do list. Add the item 'renew passport' as a new last line of todo.txt."])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [True, False, False, True, True, True]
    assert "lose 2 of its 2 lines (e.g. 'buy milk')" in result.history[1].observation
    assert "append_file" in result.history[1].observation
    assert "todo.txt already ends with this text" in result.history[2].observation
    assert (ws / "todo.txt").read_text() == "buy milk\ncall the plumber\nrenew passport\nwater\n"


@pytest.mark.parametrize(("goal", "added_to"), [
    ("在 todo.txt 末尾添加一行：续办护照", ["todo.txt"]),  # the verb after the file name
    ("向 todo.txt 追加一行", ["todo.txt"]),
    ("读取 data.txt，并添加一行到 todo.txt", ["todo.txt"]),  # data.txt is read, not added to
    ("在 notes.txt 中写下总数", []),
])
def test_chinese_goals_that_say_to_add_to_a_file(goal, added_to):
    from autogpt.tools.core import _file_roles

    assert [role.name for role in _file_roles(goal) if role.add] == added_to


def test_a_text_copied_from_the_shortened_step_history_is_not_written(settings, tmp_path):
    report = "widget: 14 x 2.75 = 38.50\ngadget: 3 x 19.99 = 59.97\nsprocket: 27 x 0.85 = 23.65\ngizmo: 8 x 7.40 = 59.20\n"
    shortened = report[:80] + "…"  # what the history shows of the first write
    agent, model = make_agent(settings, [
        reply("write_file", path="report.txt", content=report),
        reply("write_file", path="report.txt", content=shortened),  # InventoryReport's model did this
        reply("write_file", path="answer.txt", content=shortened),  # and Fibonacci30's, into another file
        reply("write_file", path="note.txt", content="Etc…"),  # short text ending in an ellipsis: fine
        reply("finish", reason="ok"),
    ], tmp_path, goals=["Write report.txt"])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [True, False, False, True, True]
    assert "only the part of a longer text" in result.history[1].observation
    assert repr(report) in model.calls[1].messages[-1].content  # the last step's text is shown whole
    assert repr(shortened) in model.calls[2].messages[-1].content  # an older step's cut, as the model copied it
    assert (tmp_path / "ws" / "report.txt").read_text() == report
    assert not (tmp_path / "ws" / "answer.txt").exists()


def test_finish_is_refused_once_when_its_reason_states_a_number_no_output_file_holds(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "input.json").write_text('[{"price": 2.5, "qty": 4}, {"price": 1, "qty": 3}]')
    agent, model = make_agent(settings, [
        reply("read_file", path="input.json"),
        reply("write_file", path="total.txt", content="4"),  # a number it has seen: not a typed one
        reply("finish", reason="Computed the total value of all items = 102.85 and wrote it to total.txt."),
        reply("execute_python", code="import json\nt = sum(i['price'] * i['qty'] for i in json.load(open('input.json')))\n"
                                     "open('total.txt', 'w').write(f'{t:.2f}')\nprint(t)"),
        reply("finish", reason="The total is 13.00, written to total.txt."),
    ], tmp_path, goals=["input.json lists items with a price and a qty. Compute the total value of all items and "
                        "write it, with two decimals, to a file named total.txt."])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished"
    refusal = result.history[2].observation
    assert not result.history[2].ok and "you say 102.85, but total.txt holds 4" in refusal
    assert (ws / "total.txt").read_text() == "13.00"


def test_a_reason_giving_the_files_number_unrounded_is_no_other_claim(settings, tmp_path):
    # ZhAverageScore, run 26: 79.87 written, "平均分 79.86666666666666" in the reason: refused as another number
    agent, model = make_agent(settings, [
        reply("execute_python", code="print(round(1198 / 15, 2))"),
        reply("write_file", path="average.txt", content="79.87"),
        reply("finish", reason="已经计算并写入了平均分 79.86666666666666。"),
    ], tmp_path, goals=["计算 scores.csv 中分数的平均值，保留两位小数，写入 average.txt。"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.steps == 3


def test_a_number_in_the_reason_of_a_goal_without_computation_is_not_checked(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("write_file", path="poem.txt", content="Roses are red"),
        reply("finish", reason="Wrote a poem of 4 lines to poem.txt."),
    ], tmp_path, goals=["Write a short poem to poem.txt"])
    assert agent.run().status == "finished"
    model.assert_complete()


def test_a_size_the_finish_reason_repeats_from_a_tool_reply_is_no_claim(settings, tmp_path):
    # InventoryReport: "Wrote 13 characters to report.txt and the final total of 140.25" was refused for the 13
    agent, model = make_agent(settings, [
        reply("execute_python", code="open('total.txt', 'w').write(str(2 * 70.125))\nprint(2 * 70.125)"),
        reply("finish", reason="Wrote 13 characters to total.txt, the total of 140.25."),
    ], tmp_path, goals=["Compute the total of 2 times 70.125 and write it to total.txt."])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and all(step.ok for step in result.history)


def test_finish_asks_once_to_fix_a_module_whose_last_run_failed(settings, tmp_path):
    broken = "def parse_duration(text):\n    return int(text[:-1])\n"
    fixed = ("import re\n\ndef parse_duration(text):\n    m = re.fullmatch(r'(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?', text)\n"
             "    h, mi, s = (int(g or 0) for g in m.groups())\n    return h * 3600 + mi * 60 + s\n")
    test = "import duration\nassert duration.parse_duration('1h30m') == 5400\nprint('ok')"
    agent, model = make_agent(settings, [
        reply("write_file", path="duration.py", content=broken),
        reply("execute_python", code=test),  # ValueError
        reply("finish", reason="parse_duration passes all assertions."),  # ParseDuration's model said this
        reply("write_file", path="duration.py", content=fixed),
        reply("execute_python", code=test + "\n"),
        reply("finish", reason="duration.py passes its test."),
    ], tmp_path, goals=["Write a Python module duration.py with a function parse_duration(text)"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and [s.ok for s in result.history] == [True, False, False, True, True, True]
    refusal = result.history[2].observation
    assert "the last program that used duration.py failed (ValueError: invalid literal" in refusal


def test_failing_code_is_forgotten_once_rewritten_or_run_successfully(tmp_path):
    from autogpt.tools.registry import ToolContext
    from autogpt.tools.untested import failing, note_outcome, note_ran, note_written
    from autogpt.tools.workspace import Workspace

    (tmp_path / "a.py").write_text("x")
    (tmp_path / "b.py").write_text("x")
    ctx = ToolContext(workspace=Workspace(tmp_path))
    note_written(ctx, "a.py")
    note_written(ctx, "b.py")
    tried = note_ran(ctx, "import a, b")
    assert tried == ["a.py", "b.py"]
    note_outcome(ctx, tried, "AssertionError")
    assert failing(ctx) == {"a.py": "AssertionError", "b.py": "AssertionError"}
    note_written(ctx, "a.py")  # rewritten: its next run will tell
    note_outcome(ctx, note_ran(ctx, "python b.py"))  # worked
    assert failing(ctx) == {}


def test_running_a_module_that_prints_nothing_does_not_count_as_testing_it(settings, tmp_path):
    module = "import re\n\ndef slugify(text):\n    return re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')\n"
    agent, model = make_agent(settings, [
        reply("write_file", path="slugify.py", content=module),
        reply("execute_python_file", path="slugify.py"),  # defines slugify() and shows nothing
        reply("finish", reason="slugify.py is written and runs."),  # refused: untried
        reply("execute_python", code="from slugify import slugify\nassert slugify('Hello, World!') == 'hello-world'\n"
                                     "print('ok')"),
        reply("finish", reason="slugify.py passes the examples."),
    ], tmp_path, goals=["Write a Python module slugify.py with a function slugify(text)"])
    result = agent.run()
    model.assert_complete()
    assert [s.ok for s in result.history] == [True, True, False, True, True]
    assert "slugify.py was written but never run" in result.history[2].observation


def test_the_first_lines_a_run_showed_of_a_file_are_not_written_as_the_whole_file(settings, tmp_path):
    program = ("rows = [f'r{i},{i}' for i in range(20)]\n"
               "open('sorted.csv', 'w').write('name,value\\n' + '\\n'.join(rows) + '\\n')")
    shown = "name,value\n" + "\n".join(f"r{i},{i}" for i in range(7))  # the eight lines the run shows
    agent, model = make_agent(settings, [
        reply("execute_python", code=program),
        reply("write_file", path="sorted.csv", content=shown),  # SortCsv's model did this
        reply("write_file", path="sorted.csv", content=shown + "\n[...]"),  # and this
        reply("write_file", path="other.csv", content=shown),  # into another file: the same loss
        reply("finish", reason="Wrote sorted.csv"),
    ], tmp_path, goals=["Write sorted.csv"])
    result = agent.run()
    model.assert_complete()
    assert "sorted.csv:\n" + shown + "\n[...]" in result.history[0].observation
    assert [s.ok for s in result.history] == [True, False, False, False, True]
    assert len((tmp_path / "ws" / "sorted.csv").read_text().splitlines()) == 21


def test_an_input_a_program_changes_is_put_back_and_the_model_is_told(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    original = '[{"price": 2, "qty": 3},]'
    (ws / "input.json").write_text(original)
    agent, model = make_agent(settings, [
        # MalformedJson's program: opened input.json for writing, then failed, leaving it empty
        reply("execute_python", code="f = open('input.json', 'w')\nf.write(str(total_value))"),
        reply("execute_python", code="import os\nos.remove('input.json')\nopen('total.txt', 'w').write('6')"),
        reply("finish", reason="Wrote 6 to total.txt"),
    ], tmp_path, goals=["input.json lists items with a price and a qty. Write the total value to total.txt."])
    result = agent.run()
    model.assert_complete()
    failed, deleted = result.history[0], result.history[1]
    assert not failed.ok and "NameError" in failed.observation
    assert "the program changed input.json, which the task gives to read: it was put back" in failed.observation
    assert deleted.ok and "put back" in deleted.observation and "input.json:" not in deleted.observation
    assert (ws / "input.json").read_text() == original and (ws / "total.txt").read_text() == "6"


def test_a_program_written_where_a_computed_result_belongs_is_refused_once(settings, tmp_path):
    program = "import hashlib\ntext = 'open-source agents 2024'\nprint(hashlib.sha256(text.encode()).hexdigest())"
    agent, model = make_agent(settings, [
        reply("write_file", path="hash.txt", content=program),  # Sha256Hash's model did this, then finished
        reply("execute_python", code=program.replace("print(", "open('hash.txt', 'w').write(")),
        reply("write_file", path="notes.txt", content=program),  # not an output the goal names: fine
        reply("finish", reason="Wrote the digest to hash.txt"),
    ], tmp_path, goals=["Compute the SHA-256 hash of the string 'open-source agents 2024' and write it to hash.txt"])
    result = agent.run()
    model.assert_complete()
    assert [s.ok for s in result.history] == [True if i else False for i in range(4)]
    assert "this is a Python program, and hash.txt is where the task wants a result" in result.history[0].observation
    assert (tmp_path / "ws" / "hash.txt").read_text() == "0ac1cd6b67310cb415c7f72f16d281341a2fdfa9bd7a159374862043abe6ec70"


def test_a_table_row_typed_with_other_values_than_the_input_has_is_refused_once(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "orders.csv").write_text("order_id,customer,status\n1015,Nimbus Labs,pending\n1016,Harbor Foods,cancelled\n")
    made_up = "order_id,customer,status\n1016,Nimbus Labs,shipped\n"  # FilterRows' model typed this row
    agent, model = make_agent(settings, [
        reply("write_file", path="shipped.csv", content=made_up),
        reply("write_file", path="shipped.csv", content="order_id,customer,status\n"),
        reply("append_file", path="shipped.csv", content="1016,Harbor Foods,cancelled\n"),  # as it is: fine
        reply("write_file", path="shipped.csv", content=made_up),  # asked once: a second time is written
        reply("finish", reason="done"),
        reply("finish", reason="The row is right."),
    ], tmp_path, goals=["orders.csv has the columns order_id, customer and status. "
                        "Write shipped.csv with the header and only the rows whose status is shipped."])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [False, True, True, True, False, True]
    assert ("the row '1016,Nimbus Labs,shipped' is not as orders.csv has it: '1016,Harbor Foods,cancelled'"
            in result.history[0].observation)
    assert (ws / "shipped.csv").read_text() == made_up
    # written when sent again, but not "done" (FilterRows, run 12), and finish asks once
    assert "exists now" not in result.history[3].observation
    assert result.history[4].observation == (
        "Not finished: shipped.csv has the row '1016,Nimbus Labs,shipped', which orders.csv has as "
        "'1016,Harbor Foods,cancelled'. Write shipped.csv again that way. If it is right as it is, call finish again.")


def test_a_table_row_with_more_values_than_its_header_has_columns_is_refused_once(settings, tmp_path):
    ragged = "name,city\nC01,Amara Diallo,Lyon\n"  # as JoinCsv's model typed the id too under name,total
    agent, model = make_agent(settings, [
        reply("write_file", path="totals.csv", content=ragged),
        reply("write_file", path="totals.csv", content='name,city\n"Diallo, Amara",Lyon\n'),  # quoted: 2 values
        reply("append_file", path="totals.csv", content="Bruno Keller;Basel\n"),  # one value, but asked once: fine
        reply("finish", reason="done"),
    ], tmp_path, goals=["Write totals.csv with the header name,city and one row per customer."])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [False, True, True, True]
    assert result.history[0].observation.startswith(
        "Nothing was written: the header row 'name,city' has 2 column(s), and the row 'C01,Amara Diallo,Lyon' has 3 "
        "value(s). Every row needs one value for each column of the header")
    assert (tmp_path / "ws" / "totals.csv").read_text().endswith("Lyon\nBruno Keller;Basel\n")


def test_table_rows_may_change_when_the_goal_says_to_change_them(settings, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "orders.csv").write_text("order_id,status\n1016,pending\n")
    agent, model = make_agent(settings, [
        reply("write_file", path="out.csv", content="order_id,status\n1016,shipped\n"),
        reply("finish", reason="done"),
    ], tmp_path, goals=["Read orders.csv and update every pending order to shipped; write the table to out.csv."])
    result = agent.run()
    model.assert_complete()
    assert result.history[0].ok
    joined = "order_id,customer,total\n1016,Harbor Foods,12.50\n"  # other columns: a join, not a copy
    agent, model = make_agent(settings, [reply("write_file", path="joined.csv", content=joined),
                                         reply("finish", reason="done")],
                              tmp_path / "2", goals=["Join orders.csv and customers.csv into joined.csv."])
    (tmp_path / "2" / "ws").mkdir(parents=True)
    (tmp_path / "2" / "ws" / "orders.csv").write_text("order_id,customer,status\n1016,Harbor Foods,cancelled\n")
    assert agent.run().history[0].ok


def repeated_writes(settings, folder, goals, path, content, times=2):
    """Whether each of ``times`` identical write_file commands worked, in a run with ``goals`` in ``folder``."""
    agent, model = make_agent(settings, [reply("write_file", path=path, content=content)] * times
                              + [reply("finish", reason="done")], folder, goals=goals)
    result = agent.run()
    model.assert_complete()
    return [step.ok for step in result.history][:times]


def test_a_text_to_translate_written_as_it_is_is_refused_once(settings, tmp_path):
    # TranslateChinese: the model wrote the English text itself to translation.txt
    text = "It will rain in Beijing tomorrow. Students should bring an umbrella."
    goal = f'Translate this English text into Simplified Chinese and write it to translation.txt: "{text}"'
    agent, model = make_agent(settings, [
        reply("write_file", path="translation.txt", content=text),
        reply("write_file", path="translation.txt", content="明天北京会下雨。学生们应该带伞。"),
        reply("finish", reason="done"),
    ], tmp_path, goals=[goal])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [False, True, True]
    assert "not its translation. Translate it (with the translate command" in result.history[0].observation
    # until the file exists, only the writing tools and translate: its model began with googletrans programs and a
    # web search for the error, and went back to googletrans after the refusal
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert offered[0] == offered[1] == ["write_file", "append_file", "translate"]
    assert offered[2] == ["read_file", "list_folder", "translate", "finish"]  # it exists: finish, or check
    agent, model = make_agent(settings, [reply("finish", reason="done")], tmp_path / "file",
                              goals=["Translate notes.txt into Chinese and write it to translation.txt."], max_steps=1)
    agent.run()
    assert "execute_python" in [tool["name"] for tool in model.calls[0].tools]  # no text given: it may read first
    again, _ = make_agent(settings, [reply("write_file", path="translation.txt", content=text)] * 2,
                          tmp_path / "again", goals=[goal], max_steps=2)
    sent_again = again.run().history[1]
    assert sent_again.ok and "Note:" not in sent_again.observation  # written when sent again, but not "done"
    # once per file (meant so, it is written the second time); not when the goals ask for no translation
    for goals, refused in [([goal], [False, True]), ([f"Write this to translation.txt: {text}"], [True, False]),
                           ([f"把这段英文翻译成中文，写入 translation.txt：{text}"], [False, True])]:
        assert repeated_writes(settings, tmp_path / str(len(goals[0])), goals, "translation.txt", text) == refused


def test_the_translate_command_asks_the_model_as_a_translator(settings, tmp_path):
    # TranslateChinese: inside the reply format the model copied the English text; asked plainly, it translates
    text = "It will rain in Beijing tomorrow. Students should bring an umbrella."
    goal = f'Translate this English text into Simplified Chinese and write it to translation.txt: "{text}"'
    chinese = "明天北京会下雨。学生们应该带伞。"
    agent, model = make_agent(settings, [
        reply("translate", text=text, language="Simplified Chinese"),
        f"“{chinese}”",  # the translator's own reply: plain text, in quotes
        reply("write_file", path="translation.txt", content=chinese),
        reply("finish", reason="done"),
    ], tmp_path, goals=[goal])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and (tmp_path / "ws" / "translation.txt").read_text() == chinese
    assert result.history[0].observation == (f"Translation into Simplified Chinese:\n{chinese}\n\nWrite it now: "
                                             'write_file(path="translation.txt", content=...) with this translation.')
    asked = model.calls[1]
    assert asked.response_schema is None and asked.messages[0].content.startswith("You are a professional translator")
    assert asked.messages[1].content == f"Translate this text into Simplified Chinese:\n\n{text}"
    # offered only for goals that ask for a translation
    agent, model = make_agent(settings, [reply("finish", reason="done")], tmp_path / "other",
                              goals=["Write a haiku about the sea to poem.txt."], max_steps=1)
    agent.run()
    assert "translate" not in [tool["name"] for tool in model.calls[0].tools]
    assert "translate(" not in model.calls[0].messages[0].content
    # the text given back unchanged goes back to the model as an error
    agent, model = make_agent(settings, [reply("translate", text=text, language="中文"), text], tmp_path / "same",
                              goals=[goal], max_steps=1)
    same = agent.run().history[0]
    assert not same.ok and "gave the text back unchanged" in same.observation
    assert model.calls[1].messages[0].content.startswith("你是专业翻译")


def test_part_of_an_input_the_goals_say_to_copy_is_refused_once(settings, tmp_path):
    # ReadFile, run 25: "write its content to output.txt"; the first of its three lines written, then finished
    text = "Hello World!\nThis file was prepared for the ReadFile challenge.\nAccess code: 7F3A-LUMEN\n"
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "input.txt").write_text(text)
    agent, _ = make_agent(settings, [reply("write_file", path="output.txt", content="Hello World!")] * 2
                          + [reply("write_file", path="output.txt", content=text)], tmp_path,
                          goals=["Read the file called input.txt and write its content to a file called output.txt."],
                          max_steps=3)
    history = agent.run().history
    assert history[0].observation == (
        "Nothing was written: the goals ask for the content of input.txt, and this is 1 of its 3 lines. Write all of "
        "it, every line as it is (or copy it with execute_python: shutil.copy('input.txt', 'output.txt')). If only "
        "these lines are meant, call the command again.")
    assert [step.ok for step in history] == [False, True, True]  # sent again: written
    assert (tmp_path / "ws" / "output.txt").read_text() == text
    agent, _ = make_agent(settings, [reply("write_file", path="first.txt", content="Hello World!")], tmp_path / "b",
                          goals=["Read input.txt and write its first line to first.txt."], max_steps=1)
    (tmp_path / "b" / "ws").mkdir(parents=True)
    (tmp_path / "b" / "ws" / "input.txt").write_text(text)
    assert agent.run().history[0].ok  # no word for copying: a part is what is asked


def test_an_input_copied_whole_is_refused_once_unless_the_goals_say_to_copy(settings, tmp_path):
    # Latin1Encoding: the model wrote all of customers.txt to zurich.txt
    rows = "José Núñez;Zürich\nAnaïs Lefèvre;Genève\nJürgen Müller;Zürich\n"
    goal = "customers.txt lists name;city. Write the names of the customers whose city is Zürich to zurich.txt."
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "customers.txt").write_text(rows, encoding="utf-8")
    agent, _ = make_agent(settings, [reply("write_file", path="zurich.txt", content=rows.strip())] * 2, tmp_path,
                          goals=[goal], max_steps=2)
    history = agent.run().history
    assert "this is all of customers.txt, as it is" in history[0].observation
    assert history[1].ok and "Note:" not in history[1].observation  # written when sent again, but not "done"
    for goals, refused in [([goal], [False, True]), (["Read input.txt and write its content to zurich.txt."], [True]),
                           (["Copy customers.txt to zurich.txt"], [True])]:
        folder = tmp_path / str(len(goals[0]))
        (folder / "ws").mkdir(parents=True)
        (folder / "ws" / "customers.txt").write_text(rows, encoding="utf-8")
        (folder / "ws" / "input.txt").write_text(rows, encoding="utf-8")
        assert repeated_writes(settings, folder, goals, "zurich.txt", rows.strip(), len(refused)) == refused


def test_a_text_given_exactly_keeps_its_final_punctuation(settings, tmp_path):
    # WriteText: the model wrote the motto without the period the goal gives it with
    goal = "Write the following sentence, exactly as given, to a file named motto.txt: Small steps, finish the job."
    agent, model = make_agent(settings, [
        reply("write_file", path="motto.txt", content="Small steps, finish the job"),
        reply("write_file", path="motto.txt", content="Small steps, finish the job."),
        reply("finish", reason="done"),
    ], tmp_path, goals=[goal])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [False, True, True]
    assert "the goals give this text ending with '.'" in result.history[0].observation
    assert (tmp_path / "ws" / "motto.txt").read_text() == "Small steps, finish the job."
    # once per file: meant so, it is written the second time (not held back as a repeat); not without
    # "exactly"; in Chinese too
    for goals, content, refused in [([goal], "Small steps, finish the job", [False, True]),
                                    (["Write this to motto.txt: Small steps, finish the job."],
                                     "Small steps, finish the job", [True, False]),  # then a plain repeat
                                    (["把这句话原样写入 motto.txt：今天天气很好，我们去公园散步。"], "今天天气很好，我们去公园散步",
                                     [False, True])]:
        assert repeated_writes(settings, tmp_path / str(len(content)) / str(refused), goals, "motto.txt",
                               content) == refused


def test_a_module_without_code_is_refused_and_its_missing_function_is_named(settings, tmp_path):
    # ParseDuration: the model wrote the examples as a comment into duration.py, passed the code as args, then
    # tested the module that defined nothing, three times. Run 29: it sent the refused comment again (written then)
    comment = "# parse_duration('1h30m') -> 5400\n"
    code = "def parse_duration(text):\n    return 5400\n"
    test = "from duration import parse_duration\nassert parse_duration('1h30m') == 5400\nprint('ok')"
    agent, model = make_agent(settings, [
        reply("write_file", path="duration.py", content=comment),
        reply("write_file", path="duration.py", content=comment + "5400\n"),  # bare values are no code either
        reply("write_file", path="duration.py", content=comment),
        reply("write_file", path="duration.py", content=comment),  # refused three times: the fourth is meant
        reply("execute_python_file", path="duration.py", args=[code]),
        reply("execute_python", code=test),
        reply("write_file", path="duration.py", content=code),
        reply("execute_python", code=test),
        reply("finish", reason="done"),
    ], tmp_path, goals=["Write a Python module duration.py with a function parse_duration(text)"])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [False, False, False, True, False, False, True, True, True]
    assert result.history[1].observation == (
        "Nothing was written: this text has no Python code, only comments, and the task asks for parse_duration in "
        "duration.py. Write the code itself: def parse_duration(...): with its body, the whole module.")
    assert "args are the program's command-line arguments, not code" in result.history[4].observation
    assert ("Note: duration.py defines no parse_duration. Write the code of parse_duration into duration.py"
            in result.history[5].observation)
    assert result.history[7].observation.endswith(  # StackClass, run 15: tested right, then rewrote and broke it
        "--- stdout ---\nok\n\nNote: the asserts passed, and every file the task asks for exists (duration.py). If "
        "they checked what the goals ask, the task is done: call finish.")


def test_a_computing_goal_is_not_finished_before_any_program_ran(settings, tmp_path):
    # Sha256Hash: the model wrote "SHA-256 hash of '...' is: " to hash.txt and finished, having run nothing
    goal = "Compute the SHA-256 hash of the string abc and write the digest to hash.txt"
    agent, model = make_agent(settings, [
        reply("write_file", path="hash.txt", content="SHA-256 hash of 'abc' is: "),
        reply("finish", reason="Computed the hash."),
        reply("execute_python", code="import hashlib\nprint(hashlib.sha256(b'abc').hexdigest())"),
        reply("finish", reason="Computed the hash."),
    ], tmp_path, goals=[goal])
    result = agent.run()
    model.assert_complete()
    assert [step.ok for step in result.history] == [True, False, True, True]
    assert result.history[1].observation.startswith(
        "Not finished: the task asks for something computed, and no program has run in this task. Next, compute it "
        "with execute_python (a program that works it out, prints it and writes it to hash.txt).")
    # twice, the second time without the way out (JoinCsv, run 15: typed its rows again and finished); then
    # finishing again ends the run
    agent, model = make_agent(settings, [reply("write_file", path="hash.txt", content="ba7816bf"),
                                         reply("finish", reason="done"), reply("finish", reason="done, as known"),
                                         reply("finish", reason="done, as I know it")],
                              tmp_path / "2", goals=[goal])
    history = agent.run().history
    assert [step.ok for step in history] == [True, False, False, True]
    assert history[2].observation == (
        "Not finished: still no program has run in this task, and it asks for something computed: what you typed is "
        "not worked out. Next, run execute_python with a program that works it out from the data, prints it and "
        "writes it to hash.txt.")


def test_goals_that_give_web_addresses_start_by_reading_one(settings, tmp_path):
    # Both web challenges' model began with a requests program (the sandbox has no network) and one never came
    # back to read_webpage
    goal = "Read http://127.0.0.1:9/a.html and http://127.0.0.1:9/b.html. Write the founder to answer.txt."
    agent, model = make_agent(settings, [
        reply("read_webpage", url="http://127.0.0.1:9/a.html"),  # nothing listens there: a failed step
        reply("write_file", path="answer.txt", content="unknown"),
        reply("finish", reason="done"),
    ], tmp_path, goals=[goal])
    agent.run()
    model.assert_complete()
    first = model.calls[0].tools
    assert [tool["name"] for tool in first] == ["read_webpage"]
    assert first[0]["parameters"]["properties"]["url"]["enum"] == ["http://127.0.0.1:9/a.html",
                                                                   "http://127.0.0.1:9/b.html"]
    assert {"execute_python", "write_file"} <= {tool["name"] for tool in model.calls[1].tools}
    # without an address, the first step offers everything
    plain, model = make_agent(settings, [reply("finish", reason="done")], tmp_path / "2", goals=["Say hi"])
    plain.run()
    assert {"execute_python", "write_file", "read_webpage"} <= {tool["name"] for tool in model.calls[0].tools}


def test_a_command_that_failed_is_not_run_again_while_no_file_changed(settings, tmp_path):
    fetch = "import requests\nprint(requests.get('http://127.0.0.1:9/index.html').text)"
    agent, model = make_agent(settings, [
        reply("execute_python", code=fetch),
        reply("list_folder"),
        reply("execute_python", code=fetch),  # WebFollowLink's model ran this five times
        reply("write_file", path="notes.txt", content="requests is not installed"),
        reply("execute_python", code=fetch),  # a file changed: it may run again
        reply("finish", reason="done"),
    ], tmp_path, goals=["Find the warranty"])
    result = agent.run()
    model.assert_complete()
    third = result.history[2]
    assert not third.executed and "already failed at step 1, and no file has changed since" in third.observation
    assert result.history[4].executed and "ModuleNotFoundError" in result.history[4].observation
    assert "execute_python" not in [tool["name"] for tool in model.calls[3].tools]  # as after a repeat: one step out


def test_code_that_needs_the_network_leaves_execute_python_out_for_one_step(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("execute_python", code="import requests\nprint(requests.get('http://127.0.0.1:9/company.html').text)"),
        reply("write_file", path="notes.txt", content="Ingrid Halvorsen, 1994"),
        reply("execute_python", code="!pip install requests"),  # WebFact's model did this next
        reply("list_folder"),
        reply("execute_python", code="print(1 / 0)"),  # an ordinary failure: the tool stays
        reply("finish", reason="done"),
    ], tmp_path, goals=["Find who founded the company on our web site; write the founder to answer.txt"])
    result = agent.run()
    model.assert_complete()
    assert "read_webpage command" in result.history[0].observation
    assert 'Next: read_webpage(url="http://127.0.0.1:9/company.html").' in result.history[0].observation
    assert "nothing can be installed" in result.history[2].observation
    offered = [[tool["name"] for tool in call.tools] for call in model.calls]
    assert "execute_python" in offered[0] and "execute_python" not in offered[1]
    assert "execute_python" in offered[2] and "execute_python" not in offered[3]
    assert "execute_python" in offered[4] and "execute_python" in offered[5]


@pytest.mark.parametrize(("goal", "offered"), [
    ("input.json lists items, each with a price and a qty. Write their total value to total.txt.", False),
    ("inventory.txt gives the quantity of each item. 读取后写出 report.txt。", False),
    ("Read notes.txt, then search the web for the latest release of each tool it names.", True),
    ("Read the page http://127.0.0.1:8000/company.html and write the founding year to year.txt.", True),
    ("When was George Washington born? Write the year to year.txt.", True),  # no files to work from
    ("阅读 notes.txt，再上网查找每个工具的最新版本。", True),
])
def test_web_tools_are_offered_unless_the_task_works_from_its_files(settings, tmp_path, goal, offered):
    # run 23: after a failed program, InventoryReport's model read www.example.com/error-page and MalformedJson's
    # looked for input.json on raw.githubusercontent.com
    agent, model = make_agent(settings, [reply("finish", reason="done")], tmp_path, goals=[goal], max_steps=1)
    agent.run()
    system = model.calls[0].messages[0].content  # (a goal with an address starts by reading it: that tool alone)
    assert ("web_search(" in system, "read_webpage(" in system) == (offered, offered)
    assert ("read_webpage" in [tool["name"] for tool in model.calls[0].tools]) == offered


def test_after_a_test_fails_in_the_module_it_tests_the_next_step_rewrites_the_module(settings, tmp_path):
    # Slugify, run 23: its test failed on what slugify.py gave; it ran the same test again, then slugify.py alone
    # twice, and the time ran out
    test = "from slugify import slugify\nassert slugify('Hello, World!') == 'hello-world'\nprint('ok')"
    agent, model = make_agent(settings, [
        reply("write_file", path="slugify.py", content="def slugify(text):\n    return text.lower()\n"),
        reply("execute_python", code=test),
        reply("write_file", path="slugify.py", content="import re\ndef slugify(text):\n"
                                                        "    return re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')\n"),
        reply("execute_python", code=test),
        reply("finish", reason="slugify.py passes its examples."),
    ], tmp_path, goals=["Write a Python module slugify.py with a function slugify(text) that makes a URL slug. "
                        "Example: slugify('Hello, World!') == 'hello-world'."])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and not result.history[1].ok
    assert {tool["name"] for tool in model.calls[2].tools} <= {"write_file", "append_file"}
    assert "execute_python" in {tool["name"] for tool in model.calls[3].tools}  # for one step only
    # a test program's own mistake (a name it never defines) is not the module's: the tools stay
    agent, model = make_agent(settings, [
        reply("write_file", path="slugify.py", content="def slugify(text):\n    return text.lower()\n"),
        reply("execute_python", code="from slugify import slugify\nprint(slugify(title))"),
        reply("finish", reason="done"),
    ], tmp_path / "other", goals=["Write a Python module slugify.py with a function slugify(text)."], max_steps=3)
    agent.run()
    assert "execute_python" in {tool["name"] for tool in model.calls[2].tools}
