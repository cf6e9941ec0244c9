"""``stray_file``: a file written that the goals do not ask for gets a note naming the ones they do."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def test_a_file_of_the_prompts_example_written_for_another_task_is_noted(tmp_path):
    # A small model wrote a file of its own (the worked example's year.txt, with its own text) before its own task's
    # answer.txt. (The example's very command is refused: ``example_copy``.)
    steps = [reply("write_file", path="year.txt", content="1821"), reply("write_file", path="answer.txt", content="x"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write the capital of Peru to answer.txt"], steps)
    assert [e.step for e in done.of("stray_file")] == [1]
    assert "answer.txt" in done.observation(1) and "year.txt" in done.observation(1)


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="notes.txt", content="x"), reply("write_file", path="诗.txt", content="春"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["写一句诗到 诗.txt"], steps)
    assert "不在其中" in done.observation(1)


def test_helper_scripts_and_goals_without_named_files_are_quiet(tmp_path):
    steps = [reply("write_file", path="calc.py", content="print(2)"), reply("write_file", path="a.txt", content="2"),
             reply("finish", reason="done")]
    assert not run(tmp_path, ["Write 1+1 to a.txt"], steps).of("stray_file")
    steps = [reply("write_file", path="poem.md", content="Rain"), reply("finish", reason="done")]
    assert not run(tmp_path / "2", ["Write a poem about rain"], steps).of("stray_file")


@pytest.mark.parametrize("name", ["multi_haiku_capital", "zh_multi_poem_translation"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "stray_file"]
