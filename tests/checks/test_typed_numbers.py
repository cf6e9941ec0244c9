"""``typed_numbers``: a number typed into an output of a computing goal, shown by no command, gets a note at
once (before finish would ask)."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

GOAL = "Count the words in essay.txt and write only the number to count.txt."


def test_a_typed_count_gets_a_note_naming_the_program_to_run(tmp_path):
    steps = [reply("read_file", path="essay.txt"), reply("write_file", path="count.txt", content="6"),
             reply("execute_python", code="print(len(open('essay.txt').read().split()))"),
             reply("write_file", path="count.txt", content="5"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"essay.txt": "one two three\nfour five\n"})
    assert [e.step for e in done.of("typed_numbers")] == [2]
    assert "no command showed 6" in done.observation(2) and "count.txt" in done.observation(2)
    assert not done.of("unseen_numbers") and done.result.steps == 5


def test_the_note_is_in_chinese(tmp_path):
    steps = [reply("write_file", path="count.txt", content="7"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["统计 essay.txt 的行数，写入 count.txt"], steps, files={"essay.txt": "a\nb\n"})
    assert "手算的数字经常出错" in done.observation(1)


@pytest.mark.parametrize("name", ["csv_column_sum", "zh_char_count_report", "leap_year_days"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "typed_numbers"]
