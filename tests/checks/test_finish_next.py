"""``finish_next``: right after the last file the goals ask for was written, the next step finishes or checks."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def _names(request):
    schema = request.response_schema["properties"]["command"]
    return {b["properties"]["name"]["const"] for b in schema.get("anyOf", [schema])}


def test_after_the_last_output_is_written_only_finish_and_checking_are_offered(tmp_path):
    # Translated and written, a small model translated again until its time ran out.
    steps = [reply("write_file", path="a.txt", content="1"), reply("write_file", path="b.txt", content="2"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write 1 to a.txt and 2 to b.txt"], steps)
    after_a, after_b = _names(done.model.calls[1]), _names(done.model.calls[2])
    assert "write_file" in after_a  # b.txt is still missing
    assert not {"write_file", "execute_python"} & after_b and {"finish", "read_file"} <= after_b
    assert "Every file the goals ask for is there now (a.txt, b.txt)" in done.model.calls[2].messages[-1].content
    assert not done.of("finish_next")  # it follows the workspace: not reported as a firing


def test_in_chinese_the_prompt_says_so(tmp_path):
    done = run(tmp_path, ["写一句诗到 诗.txt"], [reply("write_file", path="诗.txt", content="春"),
                                            reply("finish", reason="好了")])
    assert "目标要求的文件现在都有了" in done.model.calls[1].messages[-1].content


def test_a_file_to_add_to_does_not_narrow_from_the_start(tmp_path):
    done = run(tmp_path, ["Add a line 'milk' to todo.txt"], [reply("append_file", path="todo.txt", content="milk"),
                                                            reply("finish", reason="done")],
               files={"todo.txt": "eggs\n"})
    assert "append_file" in _names(done.model.calls[0])


def test_after_a_file_to_add_to_was_changed(tmp_path):
    # The line was added right; the small model then appended it again, with quotes, until its time ran out.
    done = run(tmp_path, ["Add the item 'milk' (without the quotes) as a new last line of todo.txt"],
               [reply("write_file", path="todo.txt", content="eggs\nmilk\n"), reply("finish", reason="done")],
               files={"todo.txt": "eggs\n"})
    after = _names(done.model.calls[1])
    assert not {"write_file", "append_file", "execute_python"} & after and "finish" in after
    assert "there now (todo.txt)" in done.model.calls[1].messages[-1].content


def test_code_may_still_run_when_the_goals_ask_for_code(tmp_path):
    # a module asked for: the next step may test it
    done = run(tmp_path, ["Write a Python module sq.py with a function square(x)"],
               [reply("write_file", path="sq.py", content="def square(x):\n    return x * x\n"),
                reply("execute_python", code="from sq import square\nprint(square(3))"), reply("finish", reason="ok")])
    after = _names(done.model.calls[1])
    assert "execute_python" in after and "write_file" not in after


@pytest.mark.parametrize("name", ["median_module", "zh_is_prime_module", "multi_haiku_capital"])
def test_ordinary_goals_finish_in_their_ideal_steps(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "finish_next"]
