"""Sub-agents: the delegate tool and AutoGPT.as_tool(): a child run in a sub-folder, a budget carved from the
parent's, depth and count limits, nested storage, events and approval. One ScriptedModel serves parent and
child, in the order they call it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from autogpt import AutoGPT, Settings
from autogpt.server.tasks import TaskManager
from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import ScriptedHuman, ScriptedModel, reply


def names(request) -> list[str]:
    schema = request.response_schema["properties"]["command"]
    return [b["properties"]["name"]["const"] for b in schema.get("anyOf", [schema])]


def settings(**overrides) -> Settings:
    return Settings.load(**{"delegate_depth": 1, **overrides})


def run(agent: AutoGPT):
    events: list = []
    result = asyncio.run(agent.arun(events.append))
    return result, events


def test_delegate_runs_a_helper_in_a_sub_folder_and_reports_back(tmp_path):
    model = ScriptedModel([
        reply("delegate", goal="Write hi to hi.txt", role="a writer"),
        reply("write_file", path="hi.txt", content="hi"),        # the helper
        reply("finish", reason="Wrote hi.txt."),                  # the helper
        reply("finish", reason="The helper wrote hi."),
    ])
    agent = AutoGPT(goals=["Get hi written"], model=model, settings=settings(), workspace=tmp_path / "ws")
    result, events = run(agent)
    assert result.status == "finished"
    assert (tmp_path / "ws" / "helper-1" / "hi.txt").read_text() == "hi"
    observation = result.history[0].observation
    assert "finished after 2 steps" in observation and "helper-1/hi.txt" in observation
    assert "Wrote hi.txt." in observation
    assert "delegate" in names(model.calls[0]) and "delegate" not in names(model.calls[1])  # depth 1: not nested
    (child,) = agent.store.children(result.run_id)
    assert child.options["parent_step"] == 1 and child.options["depth"] == 1
    assert child.goals == ["Write hi to hi.txt"] and child.role == "a writer" and child.status == "finished"
    nested = [e for e in events if e.depth == 1]
    assert {e.run_id for e in nested} == {child.task_id}
    assert [e.type for e in nested][0] == "run_started" and nested[-1].type == "run_finished"
    stored = [data["run_id"] for _, data in agent.store.events(result.run_id)]
    assert set(stored) == {result.run_id}  # the helper's events are stored with the helper
    assert agent.store.events(child.task_id)
    assert child.state["tokens"] > 0 and result.tokens > child.state["tokens"]  # the helper's spend is the parent's


def test_the_helpers_budget_is_carved_from_the_parents(tmp_path):
    model = ScriptedModel([
        reply("delegate", goal="Write three files a.txt, b.txt and c.txt"),
        reply("write_file", path="a.txt", content="a"),
        reply("write_file", path="b.txt", content="b"),
        reply("write_file", path="c.txt", content="c"),  # never reached: the helper has 2 steps
        reply("finish", reason="Done."),
    ])
    agent = AutoGPT(goals=["Get files written"], model=model, settings=settings(), workspace=tmp_path / "ws",
                    max_steps=3)
    result, _ = run(agent)
    (child,) = agent.store.children(result.run_id)
    assert child.options["max_steps"] == 2  # 3 left, one kept for the parent
    assert child.status == "max_steps"
    assert sorted(p.name for p in (tmp_path / "ws" / "helper-1").iterdir()) == ["a.txt", "b.txt"]
    assert "max_steps after 2 steps" in result.history[0].observation


def test_delegate_max_steps_and_count_limit(tmp_path):
    model = ScriptedModel([
        reply("delegate", goal="Write a to a.txt"),
        reply("write_file", path="a.txt", content="a"),
        reply("finish", reason="Wrote a."),
        reply("finish", reason="Done."),
    ])
    agent = AutoGPT(goals=["Get a written"], model=model, workspace=tmp_path / "ws",
                    settings=settings(delegate_max=1, delegate_max_steps=4))
    result, _ = run(agent)
    (child,) = agent.store.children(result.run_id)
    assert child.options["max_steps"] == 4
    assert "delegate" not in names(model.calls[-1])  # one helper started: no more offered


def test_depth_two_lets_the_helper_delegate_too(tmp_path):
    model = ScriptedModel([
        reply("delegate", goal="Organise the writing"),
        reply("delegate", goal="Write x to x.txt"),       # the helper delegates
        reply("write_file", path="x.txt", content="x"),   # the helper's helper
        reply("finish", reason="Wrote x."),
        reply("finish", reason="My helper wrote x."),
        reply("finish", reason="Done."),
    ])
    agent = AutoGPT(goals=["Get x written"], model=model, workspace=tmp_path / "ws",
                    settings=settings(delegate_depth=2))
    result, events = run(agent)
    assert result.status == "finished"
    assert (tmp_path / "ws" / "helper-1" / "helper-1" / "x.txt").read_text() == "x"
    (child,) = agent.store.children(result.run_id)
    (grandchild,) = agent.store.children(child.task_id)
    assert grandchild.options["depth"] == 2
    assert {e.depth for e in events} == {0, 1, 2}
    assert "delegate" not in names(model.calls[2])  # depth 2 reached


def test_no_delegate_tool_by_default(tmp_path):
    model = ScriptedModel([reply("finish", reason="ok")])
    AutoGPT(goals=["Say hi"], model=model, workspace=tmp_path / "ws").run()
    assert "delegate" not in names(model.calls[0])


def test_approval_covers_the_helpers_commands(tmp_path):
    model = ScriptedModel([
        reply("delegate", goal="Write hi to hi.txt"),
        reply("write_file", path="hi.txt", content="hi"),
        reply("finish", reason="Wrote hi."),
        reply("finish", reason="Done."),
    ])
    human = ScriptedHuman(["y", "Do not write files.", "y", "y"])
    model.add(reply("finish", reason="Could not write."))  # the helper's reply to the feedback
    agent = AutoGPT(goals=["Get hi written"], model=model, workspace=tmp_path / "ws", settings=settings(),
                    continuous=False, human=human)
    result, _ = run(agent)
    assert human.asked[0].startswith("approve 1: delegate")
    assert human.asked[1].startswith("approve 1: write_file")  # the helper's first command
    assert not (tmp_path / "ws" / "helper-1" / "hi.txt").exists()


def test_as_tool(tmp_path):
    model = ScriptedModel([
        reply("ask_tester", goal="Check that 2+2 is 4 and write the verdict to verdict.txt"),
        reply("write_file", path="verdict.txt", content="ok"),
        reply("finish", reason="2+2 is 4."),
        reply("finish", reason="The tester agreed."),
    ])
    tester = AutoGPT("Tester", "a careful tester", model=model)
    boss = AutoGPT(goals=["Have the sum checked"], model=model, tools=[tester.as_tool()], workspace=tmp_path / "ws")
    result, events = run(boss)
    assert result.status == "finished"
    assert "delegate" not in names(model.calls[0]) and "ask_tester" in names(model.calls[0])
    (child,) = boss.store.children(result.run_id)
    assert child.name == "Tester" and child.role == "a careful tester"
    assert (tmp_path / "ws" / "helper-1" / "verdict.txt").read_text() == "ok"
    assert "2+2 is 4." in result.history[0].observation


def test_nested_in_the_api_and_in_autogpt_show(tmp_path):
    data = tmp_path / "data"
    s = Settings.load(data_dir=data, delegate_depth=1)
    store = SQLiteStore(s.store_path)
    script = [reply("delegate", goal="Write hi to hi.txt"), reply("write_file", path="hi.txt", content="hi"),
              reply("finish", reason="Wrote hi."), reply("finish", reason="Done.")]
    manager = TaskManager(s, store, model_factory=lambda record: ScriptedModel(list(script)))

    async def go():
        record = manager.create("Get hi written", {"continuous": True})
        await manager.sessions[record.task_id].job
        return manager.task_json(store.get_task(record.task_id))

    task = asyncio.run(go())
    (child,) = task["children"]
    assert child["parent_step"] == 1 and child["status"] == "finished" and child["summary"] == "Wrote hi."
    assert [st["command"] for st in child["steps"]] == ["write_file", "finish"]
    store.close()
    shown = subprocess.run([sys.executable, "-m", "autogpt", "show", task["task_id"], "--data-dir", str(data)],
                           capture_output=True, text=True, timeout=60)
    assert "↳" in shown.stdout and "write_file" in shown.stdout and child["task_id"] in shown.stdout
    as_json = json.loads(subprocess.run([sys.executable, "-m", "autogpt", "show", task["task_id"], "--json",
                                         "--data-dir", str(data)], capture_output=True, text=True, timeout=60).stdout)
    assert as_json["children"][0]["task_id"] == child["task_id"]


def test_too_little_budget_left_is_an_observation(tmp_path):
    model = ScriptedModel([reply("write_file", path="x.txt", content="x"), reply("write_file", path="z.txt", content="z"),
                           reply("delegate", goal="Write y to y.txt")])
    agent = AutoGPT(goals=["Write x"], model=model, settings=settings(), workspace=tmp_path / "ws", max_steps=3)
    result, _ = run(agent)
    step = result.history[2]  # the last step: a helper would leave the parent none
    assert not step.ok and "Too few steps are left" in step.observation
    assert not agent.store.children(result.run_id)
