"""``whole_copy``: a file the goals say is a copy of an input holds all of it."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

TEXT = "Hello World!\nThis file has three lines.\nAccess code: 7F3A\n"


def test_a_copy_of_the_first_line_only_is_asked_about_once(tmp_path):
    steps = [reply("read_file", path="input.txt"), reply("write_file", path="output.txt", content="Hello World!"),
             reply("finish", reason="done"), reply("write_file", path="output.txt", content=TEXT),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Read the file called input.txt and write its content to a file called output.txt."], steps,
               files={"input.txt": TEXT})
    assert [e.step for e in done.of("whole_copy")] == [3]
    assert "1 of its 3 lines" in done.observation(3) and "shutil.copyfile" in done.observation(3)


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="copy.txt", content="第一行"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["把 notes.txt 的内容复制到 copy.txt"], steps, files={"notes.txt": "第一行\n第二行\n"})
    assert "应该包含 notes.txt 的全部内容" in done.observation(2)


def test_a_summary_of_a_file_is_no_copy(tmp_path):
    steps = [reply("write_file", path="summary.txt", content="Three lines, a greeting and a code."),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Read input.txt and write a summary of it to summary.txt"], steps, files={"input.txt": TEXT})
    assert not done.of("whole_copy")


@pytest.mark.parametrize("name", ["copy_notes", "zh_copy_recipe", "article_summary"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "whole_copy"]
