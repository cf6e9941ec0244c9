"""The reply format: full AutoGPT thoughts by default, compact ones (no criticism, no speak, one-line plan items)
when set."""

import re

from autogpt import AutoGPT, Settings
from autogpt.agent.prompts import system_prompt
from autogpt.agent.schema import Thoughts, reply_json_schema
from autogpt.testing import ScriptedModel, reply
from autogpt.tools import default_tools


def thoughts_of(schema: dict) -> list[str]:
    return list(schema["properties"]["thoughts"]["properties"])


def test_the_compact_schema_leaves_out_criticism_and_speak_and_keeps_the_order():
    specs = [tool.spec() for tool in default_tools()]
    assert thoughts_of(reply_json_schema(specs)) == ["observations", "plan", "reasoning", "criticism", "speak"]
    compact = reply_json_schema(specs, compact=True)
    assert thoughts_of(compact) == ["observations", "plan", "reasoning"]
    assert compact["properties"]["thoughts"]["required"] == ["observations", "plan", "reasoning"]
    assert compact["properties"]["command"] == reply_json_schema(specs)["properties"]["command"]
    # each plan item one line, its status first: "doing: Read the file" (half the tokens of an object)
    item = compact["properties"]["thoughts"]["properties"]["plan"]["items"]
    assert item["type"] == "string" and re.match(item["pattern"], "doing: Read data.csv")
    assert not re.match(item["pattern"], "Read data.csv") and not re.match(item["pattern"], 'done: say "hi"')


def test_a_plan_line_gives_the_task_and_its_status_in_both_languages():
    plan = Thoughts(plan=["done: Read a.csv", "doing: Sum the column", "Write total.txt", "已完成：读文件",
                          "进行中: 写文件"]).plan
    assert [(item.task, item.status) for item in plan] == [
        ("Read a.csv", "done"), ("Sum the column", "doing"), ("Write total.txt", "todo"), ("读文件", "done"),
        ("写文件", "doing")]


def test_the_compact_prompt_shows_the_compact_format_and_examples_in_both_languages():
    tools = list(default_tools())
    for lang in ("en", "zh"):
        full = system_prompt("A", "r", ["Write 1 to a.txt"], tools, lang)
        compact = system_prompt("A", "r", ["Write 1 to a.txt"], tools, lang, compact=True)
        assert '"criticism"' in full and '"speak"' in full
        assert '"criticism"' not in compact and '"speak"' not in compact
        assert compact.count('"reasoning"') == full.count('"reasoning"') > 1  # the format and every example step
        assert len(compact) < len(full)


class LocalScriptedModel(ScriptedModel):
    local = True


def run_with(model: ScriptedModel, tmp_path, **settings):
    agent = AutoGPT(goals=["Write hi to a.txt"], model=model, workspace=tmp_path / "ws", continuous=True,
                    settings=Settings.load(data_dir=tmp_path / "data", lessons=False, checks="off", **settings))
    result = agent.run()
    assert result.status == "finished"
    return result


def asked_for(model: ScriptedModel, tmp_path, **settings) -> list[str]:
    """The thoughts the run's first request asked the model for."""
    run_with(model, tmp_path, **settings)
    return thoughts_of(model.calls[0].response_schema)


def script() -> list:
    compact = {"observations": "Nothing yet.", "plan": ["doing: Write a.txt", "todo: Finish"],
               "reasoning": "The goal asks for it."}
    return [reply("write_file", thoughts=compact, path="a.txt", content="hi"),
            reply("finish", thoughts=compact, reason="Wrote a.txt.")]


def test_full_replies_by_default_and_compact_ones_when_set(tmp_path):
    assert "criticism" in asked_for(ScriptedModel(script()), tmp_path / "api")
    assert "criticism" in asked_for(LocalScriptedModel(script()), tmp_path / "local")
    assert "criticism" not in asked_for(LocalScriptedModel(script()), tmp_path / "compact", reply_format="compact")


def test_a_compact_reply_is_read_and_kept(tmp_path):
    model = LocalScriptedModel(script())
    result = run_with(model, tmp_path, reply_format="compact")
    assert '"criticism"' not in model.calls[0].messages[0].content  # the system prompt's format and examples
    first = result.history[0].reply.thoughts
    assert first.reasoning == "The goal asks for it." and first.criticism == ""
    assert [(item.task, item.status) for item in first.plan] == [("Write a.txt", "doing"), ("Finish", "todo")]
    assert (tmp_path / "ws" / "a.txt").read_text() == "hi" and "a.txt" in result.summary
