"""``missing_outputs``: finish asks once while a file the goals ask for is missing or empty."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def test_finish_without_the_file_is_refused_once_then_accepted(tmp_path):
    # The model "finished" with the answer only in its reason.
    steps = [reply("finish", reason="The answer is 42."), reply("finish", reason="The answer is 42.")]
    done = run(tmp_path, ["Write the answer to answer.txt"], steps, checks="light")
    assert [e.step for e in done.of("missing_outputs")] == [1]
    assert "answer.txt" in done.observation(1)
    assert done.result.status == "finished" and done.result.steps == 2


def test_an_empty_output_counts_as_missing_in_chinese(tmp_path):
    steps = [reply("write_file", path="诗.txt", content=" "), reply("finish", reason="好了"),
             reply("write_file", path="诗.txt", content="床前明月光"), reply("finish", reason="好了")]
    done = run(tmp_path, ["写一句诗到 诗.txt"], steps, checks="light")
    assert "还不在工作区里" in done.observation(2)
    assert done.result.steps == 4


def test_files_the_given_instructions_make_are_outputs_too(tmp_path):
    instructions = "1. Create a file named greeting.txt with the text Hello.\n2. Then write done.txt with OK.\n"
    steps = [reply("write_file", path="greeting.txt", content="Hello"), reply("finish", reason="done"),
             reply("write_file", path="done.txt", content="OK"), reply("finish", reason="done")]
    done = run(tmp_path, ["Read instructions.txt and carry out every instruction in it."], steps,
               files={"instructions.txt": instructions}, checks="light")
    assert "done.txt" in done.of("missing_outputs")[0].message


@pytest.mark.parametrize("name", ["multi_haiku_capital", "zh_multi_months_wish"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "missing_outputs"]
