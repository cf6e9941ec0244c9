"""``given_text``: an output the goals give a text for holds that text, word for word."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

GOAL = "Write the following sentence, exactly as given, to a file named motto.txt: Small steps, checked twice."


def test_a_given_text_written_otherwise_is_asked_about_once(tmp_path):
    steps = [reply("write_file", path="motto.txt", content="Small steps, checked once."), reply("finish", reason="done"),
             reply("write_file", path="motto.txt", content="Small steps, checked twice."),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    assert [e.step for e in done.of("given_text")] == [2]
    assert "Small steps, checked twice." in done.observation(2)


def test_a_quoted_text_in_chinese(tmp_path):
    steps = [reply("write_file", path="问候.txt", content="您好"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["把“你好，世界”写入 问候.txt"], steps)
    assert "你好，世界" in done.observation(2) and "原样写入" in done.observation(2)


def test_the_text_written_with_a_final_newline_is_right(tmp_path):
    steps = [reply("write_file", path="hello.txt", content="Hello World!\n"), reply("finish", reason="done")]
    assert not run(tmp_path, ["Write 'Hello World!' to hello.txt"], steps).of("given_text")


@pytest.mark.parametrize(("goal", "line", "fixed", "said"), [
    ("Add the item 'call the bank' (without the quotes) as a new last line of tasks.txt.", "'call the bank'",
     "call the bank", "quote marks"),
    ("把“买牛奶”追加到 tasks.txt 的末尾。", "“买牛奶”", "买牛奶", "引号"),
])
def test_a_line_added_with_the_goals_quote_marks_is_asked_about_once(tmp_path, goal, line, fixed, said):
    # A small model appended the quoted item with its quotes, and the goal's checker wanted the item alone.
    steps = [reply("append_file", path="tasks.txt", content=line), reply("finish", reason="added"),
             reply("write_file", path="tasks.txt", content=f"pay rent\n{fixed}\n"), reply("finish", reason="added")]
    done = run(tmp_path, [goal], steps, files={"tasks.txt": "pay rent\n"})
    fired = done.of("given_text")
    assert [(e.step, e.verdict) for e in fired] == [(2, "refuse")] and said in fired[0].message
    assert f"pay rent\n{fixed}\n" in fired[0].message  # the whole text to write, mended
    assert done.result.status == "finished" and (done.workspace / "tasks.txt").read_text() == f"pay rent\n{fixed}\n"


def test_quotes_the_goal_asks_for_are_kept(tmp_path):
    steps = [reply("write_file", path="quote.txt", content="'Stay curious'"), reply("finish", reason="done")]
    done = run(tmp_path, ["Write 'Stay curious' to quote.txt, including the quotes."], steps)
    assert not done.of("given_text") and done.result.status == "finished"


@pytest.mark.parametrize("name", ["count_error_lines", "zh_feedback_count", "zh_orders_sum"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "given_text"]
