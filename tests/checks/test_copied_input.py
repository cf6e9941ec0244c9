"""``copied_input``: an input written out as it is, where the goals ask for something made from it, is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

PEOPLE = "José;Zürich\nAnaïs;Genève\nJürgen;Zürich\nSøren;Oslo\n"
GOAL = "customers.txt lists one customer per line in the form name;city. Write the names of the customers whose city " \
       "is Zürich to zurich.txt, one name per line."


def test_the_whole_input_written_as_the_selection_is_refused_once(tmp_path):
    steps = [reply("write_file", path="zurich.txt", content=PEOPLE),
             reply("write_file", path="zurich.txt", content="José\nJürgen"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"customers.txt": PEOPLE})
    assert [e.step for e in done.of("copied_input")] == [1]
    assert "customers.txt" in done.observation(1) and (done.workspace / "zurich.txt").read_text() == "José\nJürgen"


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="out.txt", content="甲,90\n乙,50\n丙,70"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 scores.csv，把及格的行写入 out.txt"], steps, files={"scores.csv": "甲,90\n乙,50\n丙,70\n"})
    assert "全部原文" in done.observation(1)


def test_a_copy_the_goals_ask_for_is_written(tmp_path):
    steps = [reply("write_file", path="copy.txt", content=PEOPLE), reply("finish", reason="done")]
    done = run(tmp_path, ["Copy customers.txt to copy.txt"], steps, files={"customers.txt": PEOPLE})
    assert not done.of("copied_input")


@pytest.mark.parametrize("name", ["zh_copy_recipe", "copy_notes", "filter_csv_rows"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "copied_input"]
