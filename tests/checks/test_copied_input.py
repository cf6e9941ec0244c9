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


HASH_GOAL = 'Compute the SHA-256 hash of the UTF-8 string "small steps, checked twice" and write the hexadecimal ' \
            'digest to digest.txt.'
DIGEST = "5a7f0c7d0f3b1b6c5b2a4a0a8f3e1d9c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e"


def test_a_quoted_text_written_as_what_is_computed_from_it_is_refused_once(tmp_path):
    steps = [reply("write_file", path="digest.txt", content="small steps, checked twice"),
             reply("execute_python", code="import hashlib\nprint(hashlib.sha256(b'small steps, checked twice')"
                                          ".hexdigest())"),
             reply("write_file", path="digest.txt", content=DIGEST), reply("finish", reason="done"),
             reply("finish", reason="done")]
    done = run(tmp_path, [HASH_GOAL], steps)
    assert [e.step for e in done.of("copied_input")] == [1]
    assert "execute_python" in done.observation(1) and not (done.workspace / "digest.txt").read_text() == \
        "small steps, checked twice"


def test_a_quoted_text_in_chinese(tmp_path):
    steps = [reply("write_file", path="out.txt", content="人工智能"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["计算“人工智能”这个字符串的 MD5 值，写入 out.txt"], steps)
    assert "原始文本" in done.observation(1)


@pytest.mark.parametrize("goal", ['Write "Hello, World!" to hello.txt',
                                  'Translate "Guten Morgen" into English and write it to hello.txt'])
def test_a_quoted_text_the_goals_ask_to_write_is_written(goal, tmp_path):
    steps = [reply("write_file", path="hello.txt", content="Hello, World!" if "Hello" in goal else "Guten Morgen"),
             reply("finish", reason="done")]
    assert not run(tmp_path, [goal], steps).of("copied_input")
