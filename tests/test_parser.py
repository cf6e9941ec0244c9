"""The tolerant reply parser: every near-miss a model produces either parses or gives a clear error."""

import json

import pytest

from autogpt.agent.parser import parse_completion, parse_reply
from autogpt.errors import ReplyParseError
from autogpt.llm.base import Completion, ToolCall

GOOD = {
    "thoughts": {"observations": "o", "reasoning": "r", "plan": [{"task": "t", "status": "doing"}],
                 "criticism": "c", "speak": "s"},
    "command": {"name": "write_file", "args": {"path": "a.txt", "content": "hi"}},
}


def test_exact_json():
    reply = parse_reply(json.dumps(GOOD))
    assert reply.command.name == "write_file"
    assert reply.command.args == {"path": "a.txt", "content": "hi"}
    assert reply.thoughts.plan[0].status == "doing"


def test_code_fence_and_prose_around():
    text = "Sure! Here is my answer:\n```json\n" + json.dumps(GOOD) + "\n```\nHope that helps."
    assert parse_reply(text).command.args["path"] == "a.txt"


def test_prose_without_fence():
    assert parse_reply("I will write. " + json.dumps(GOOD) + " done").command.name == "write_file"


def test_raw_newline_inside_string():
    # llama.cpp's JSON grammar lets raw newlines into strings
    text = '{"thoughts": {"reasoning": "x"}, "command": {"name": "write_file", "args": {"path": "a.md", "content": "line1\nline2"}}}'
    assert parse_reply(text).command.args["content"] == "line1\nline2"


def test_trailing_commas_and_single_quotes():
    text = "{'thoughts': {'reasoning': 'x',}, 'command': {'name': 'finish', 'args': {'reason': 'ok',},},}"
    reply = parse_reply(text)
    assert reply.command.name == "finish"
    assert reply.command.args == {"reason": "ok"}


def test_truncated_json_is_repaired():
    text = '{"thoughts": {"reasoning": "x"}, "command": {"name": "finish", "args": {"reason": "all done"'
    assert parse_reply(text).command.args["reason"] == "all done"


def test_bare_command_without_thoughts():
    reply = parse_reply('{"name": "list_folder", "args": {"path": "."}}')
    assert reply.command.name == "list_folder"
    assert reply.thoughts.reasoning == ""


def test_command_as_string_and_argument_aliases():
    assert parse_reply('{"command": "finish", "args": {"reason": "x"}}').command.args == {"reason": "x"}
    reply = parse_reply('{"command": {"name": "read_file", "arguments": {"path": "a"}}}')
    assert reply.command.args == {"path": "a"}
    reply = parse_reply('{"command": {"tool": "read_file", "parameters": "{\\"path\\": \\"b\\"}"}}')
    assert (reply.command.name, reply.command.args) == ("read_file", {"path": "b"})


def test_thoughts_given_as_text_and_plan_as_lines():
    reply = parse_reply(json.dumps({"thoughts": "just do it", "command": {"name": "finish", "args": {}}}))
    assert reply.thoughts.reasoning == "just do it"
    reply = parse_reply(json.dumps({
        "thoughts": {"plan": "- write the file\n- finish", "criticism": ["a", "b"], "speak": None},
        "command": {"name": "finish", "args": {}},
    }))
    assert [p.task for p in reply.thoughts.plan] == ["write the file", "finish"]
    assert reply.thoughts.criticism == "a\nb"
    assert reply.thoughts.speak == ""


def test_plan_status_aliases_chinese_and_english():
    reply = parse_reply(json.dumps({
        "thoughts": {"plan": [{"task": "a", "status": "completed"}, {"task": "b", "status": "进行中"},
                              {"task": "c", "status": "pending"}, "d"]},
        "command": {"name": "finish", "args": {}},
    }))
    assert [p.status for p in reply.thoughts.plan] == ["done", "doing", "todo", "todo"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("I refuse to answer in JSON.", "no JSON object"),
        ('{"thoughts": {"reasoning": "x"}}', "command"),
        ('{"command": {"args": {}}}', "command.name"),
        ('{"command": {"name": "x", "args": [1, 2]}}', "command.args"),
        ('{"thoughts": {"plan": [{"task": "a", "status": "someday"}]}, "command": {"name": "x"}}', "status"),
    ],
)
def test_unusable_replies_raise_clear_errors(text, fragment):
    with pytest.raises(ReplyParseError) as info:
        parse_reply(text)
    assert fragment in str(info.value)


def test_error_message_shows_required_shape():
    with pytest.raises(ReplyParseError) as info:
        parse_reply('{"thoughts": {}}')
    assert '"command": {"name"' in str(info.value)


def test_native_tool_call_with_thoughts_in_text():
    completion = Completion(
        text='{"thoughts": {"reasoning": "write it"}}',
        tool_calls=[ToolCall("write_file", '{"path": "a.txt", "content": "x"}')],
    )
    reply = parse_completion(completion)
    assert reply.command.name == "write_file"
    assert reply.command.args["path"] == "a.txt"
    assert reply.thoughts.reasoning == "write it"


def test_native_tool_call_with_prose_and_empty_arguments():
    reply = parse_completion(Completion(text="Listing files now.", tool_calls=[ToolCall("list_folder", "")]))
    assert reply.command.args == {}
    assert reply.thoughts.reasoning == "Listing files now."


def test_native_tool_call_with_non_object_arguments():
    with pytest.raises(ReplyParseError):
        parse_completion(Completion(text="", tool_calls=[ToolCall("finish", "[1]")]))


def test_reply_cut_off_at_the_token_limit_is_refused():
    text = '{"thoughts": {}, "command": {"name": "write_file", "args": {"path": "a.md", "content": "AI agents can'
    with pytest.raises(ReplyParseError, match="cut off at the token limit"):
        parse_completion(Completion(text=text, finish_reason="length"))
    assert parse_completion(Completion(text=text, finish_reason="stop")).command.args["content"] == "AI agents can"
