"""``shrunk``: write_file that would replace a file of this run's with a part of it is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

GOAL = "Write the full name of the chief executive and the year the company was founded to answer.txt."


def test_an_answer_cut_to_a_part_of_itself_is_refused_once(tmp_path):
    # The model wrote "Ingrid Halvorsen, 1994", then replaced it with "1994" and finished.
    steps = [reply("write_file", path="answer.txt", content="Ingrid Halvorsen, 1994"),
             reply("write_file", path="answer.txt", content="1994"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    assert [e.step for e in done.of("shrunk")] == [2]
    assert (done.workspace / "answer.txt").read_text() == "Ingrid Halvorsen, 1994"


def test_a_table_written_again_without_its_header_in_chinese(tmp_path):
    steps = [reply("write_file", path="out.csv", content="姓名,分数\n甲,90\n乙,80"),
             reply("write_file", path="out.csv", content="甲,90\n乙,80"), reply("finish", reason="好了")]
    done = run(tmp_path, ["把成绩写入 out.csv"], steps)
    assert "只保留了其中一部分" in done.observation(2)


def test_a_rewrite_that_changes_the_text_is_written(tmp_path):
    steps = [reply("write_file", path="answer.txt", content="Ingrid Halvorsen, 1995"),
             reply("write_file", path="answer.txt", content="Ingrid Halvorsen, 1994"), reply("finish", reason="done")]
    assert not run(tmp_path, [GOAL], steps).of("shrunk")


@pytest.mark.parametrize("name", ["blog_post_ai_agents", "zh_holiday_notice"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "shrunk"]
