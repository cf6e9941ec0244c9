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
    assert names[:5] == ["write_file", "append_file", "read_file", "list_folder", "execute_python"]
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


def test_finish_again_after_the_refusal_ends_the_run_with_the_explanation(settings, tmp_path):
    agent, model = make_agent(settings, [
        reply("finish", reason="完成"),
        reply("finish", reason="无法生成 报告：数据文件 data.csv 不存在"),
    ], tmp_path, goals=["读取 data.csv，把摘要写入summary.md"])
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished" and result.summary.startswith("无法生成")
    assert "summary.md" in result.history[0].observation and "data.csv" not in result.history[0].observation


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
    assert "计划里标为完成、但工作区里还没有的文件：结果.txt" in model.calls[1].messages[-1].content  # done.txt is there
    agent2, model2 = make_agent(settings, [
        reply("write_file", {"observations": "", "reasoning": "", "criticism": "", "speak": "",
                             "plan": [{"task": "写入 result.txt", "status": "done"}]}, path="x.txt", content="完成"),
        reply("finish", reason="完成"),
    ], tmp_path / "2", goals=["按说明创建文件"])
    agent2.run()
    assert "计划里标为完成、但工作区里还没有的文件：result.txt" in model2.calls[1].messages[-1].content


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


TEMPS = "city,day,temp\nLyon,1,6.8\nLyon,2,4.1\nLyon,3,7.1\n"  # the average is 6.0
AVERAGE = ["temps.csv has the columns city, day and temp. Write the average of the temp column, rounded to 1 "
           "decimal, to avg.txt (only the number)."]


def _read_file_paths(request):
    """What the reply schema lets read_file name: None if any path, [] if read_file cannot be chosen."""
    for branch in request.response_schema["properties"]["command"]["anyOf"]:
        if branch["properties"]["name"]["const"] == "read_file":
            return branch["properties"]["args"]["properties"]["path"].get("enum")
    return []


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


def repeated_writes(settings, folder, goals, path, content, times=2):
    """Whether each of ``times`` identical write_file commands worked, in a run with ``goals`` in ``folder``."""
    agent, model = make_agent(settings, [reply("write_file", path=path, content=content)] * times
                              + [reply("finish", reason="done")], folder, goals=goals)
    result = agent.run()
    model.assert_complete()
    return [step.ok for step in result.history][:times]


def test_the_translate_command_asks_the_model_as_a_translator(settings, tmp_path):
    # inside the reply format a small model copies the English text; asked plainly, it translates
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
    assert result.history[0].observation == f"Translation into Simplified Chinese:\n{chinese}"
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


@pytest.mark.parametrize(("goal", "offered"), [
    ("input.json lists items, each with a price and a qty. Write their total value to total.txt.", False),
    ("inventory.txt gives the quantity of each item. 读取后写出 report.txt。", False),
    ("Read notes.txt, then search the web for the latest release of each tool it names.", True),
    ("Read the page http://127.0.0.1:8000/company.html and write the founding year to year.txt.", True),
    ("When was George Washington born? Write the year to year.txt.", True),  # no files to work from
    ("阅读 notes.txt，再上网查找每个工具的最新版本。", True),
])
def test_web_tools_are_offered_unless_the_task_works_from_its_files(settings, tmp_path, goal, offered):
    # offered when the task's data is in the workspace, small models go to made-up pages after a failed program
    agent, model = make_agent(settings, [reply("finish", reason="done")], tmp_path, goals=[goal], max_steps=1)
    agent.run()
    system = model.calls[0].messages[0].content  # (a goal with an address starts by reading it: that tool alone)
    assert ("web_search(" in system, "read_webpage(" in system) == (offered, offered)
    assert ("read_webpage" in [tool["name"] for tool in model.calls[0].tools]) == offered


