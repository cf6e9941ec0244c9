"""The tolerant reply parser: every near-miss a model produces either parses or gives a clear error."""

import json
from pathlib import Path

import pytest

from autogpt.agent.parser import parse_completion, parse_reply
from autogpt.errors import ReplyParseError
from autogpt.llm.base import REPEATING, Completion, ToolCall, repeats_itself

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


def test_a_reply_stopped_in_a_loop_is_refused():
    text = '{"thoughts": {"reasoning": "' + "The file is done. " * 80
    with pytest.raises(ReplyParseError, match="repeated the same text"):
        parse_completion(Completion(text=text, finish_reason=REPEATING))


LEGIT = [
    Path(__file__).read_text(encoding="utf-8")[:4000],  # code
    "id,name,region,amount\n" + "".join(f"{1000 + i},Customer {i},{['north', 'south'][i % 2]},{i * 17 % 400}.50\n"
                                          for i in range(60)),  # a table with a repeated pattern
    "随着大型语言模型技术的快速发展，人工智能领域的许多应用都迎来了前所未有的发展机遇。AutoGPT 是一个基于大型语言模型的"
    "智能体，它把用户给出的目标分解成子任务和计划，生成并执行代码和工具调用，例如读写文件、运行 Python 程序、读取网页，"
    "然后根据目标评估每一步的结果，必要时重新规划，直到目标完成，再调用 finish 结束。它保存短期记忆，也就是最近的几个步骤，"
    "以及长期记忆，也就是它学到的东西和用户提供的文档。用户可以在命令行或网页上使用它，用于客户服务、摘要、写作、翻译、"
    "营销文案、邮件回复、代码生成和测试，中文和英文都可以。它面临的主要挑战是安全性、可控性和可靠性：代码在沙箱中运行，"
    "危险的操作需要人工批准，每次运行都有预算限制，任何已经完成的工作都不会丢失。下面是一个例子：用户要求它统计一个文本文件的"
    "字数，并把结果写入 answer.txt。它先读取文件，然后写一个 Python 程序来计算字数，运行这个程序，检查输出，再把数字写入文件，"
    "最后确认文件存在并且内容正确，才调用 finish。如果程序出错，错误信息会作为观察结果返回给模型，模型据此修改程序再试一次。",
]


@pytest.mark.parametrize("text", LEGIT, ids=["code", "table", "chinese"])
def test_ordinary_replies_are_not_taken_for_loops(text):
    assert len(text.encode("utf-8")) >= 1300
    assert not any(repeats_itself(text[:end]) for end in range(300, len(text), 50))


def test_loops_are_found_once_the_window_is_full():
    loop = "X can also be used for reading. X can also be used for writing. " * 40
    assert not repeats_itself(loop[:999])
    assert repeats_itself(loop)
    assert repeats_itself('{"content": "' + "\\n" * 600)


def test_a_run_of_line_breaks_is_a_loop_before_the_window_is_full():
    # WordCount, run 27: a line of reasoning, then line breaks to the token limit, twice, for all of its 180 s
    start = '{"thoughts": {"observations": "essay.txt holds 145 words.", "reasoning": "I need to count the words'
    assert repeats_itself(start + "\n" * 80) and repeats_itself(start + "\\n" * 80)
    assert repeats_itself(start + "n" + "\\n" * 80) and repeats_itself(start + "\n  " * 27)
    assert not repeats_itself(start + "\n" * 79) and not repeats_itself(start + "\n" * 60 + "x")
    code = "def f(x):\\n    return x\\n\\n\\n" + "    " * 15  # blank lines and indentation: not 80 in a row
    assert not repeats_itself(start + code)


def test_a_code_fence_inside_a_string_is_content_not_the_replys_fence():
    readme = "# tool\n\n## Usage\n\n```bash\ntool data.csv\n```\n"
    text = json.dumps({"thoughts": {}, "command": {"name": "write_file", "args": {"path": "README.md",
                                                                                  "content": readme}}})
    assert parse_reply(text).command.args["content"] == readme
    assert parse_reply(f"Here it is:\n```json\n{text}\n```").command.args["content"] == readme
