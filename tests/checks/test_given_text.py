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


@pytest.mark.parametrize("name", ["count_error_lines", "zh_feedback_count", "zh_orders_sum"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "given_text"]
