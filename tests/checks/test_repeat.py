"""``repeat``: the command just run, sent again with the same arguments, is not run; a third time ends the run."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def test_a_command_sent_again_is_refused_and_a_third_time_the_run_is_stuck(tmp_path):
    same = reply("list_folder", path=".")
    done = run(tmp_path, ["List the workspace"], [same, same, same], checks="light")
    assert [e.verdict for e in done.of("repeat")] == ["refuse", "refuse"]
    assert "same arguments" in done.observation(2)
    assert done.result.status == "stuck"


def test_the_refusal_is_in_chinese_for_a_chinese_goal(tmp_path):
    same = reply("list_folder", path=".")
    done = run(tmp_path, ["列出工作区的文件"], [same, same, reply("finish", reason="好了")])
    assert "完全相同的参数" in done.observation(2)
    assert done.result.status == "finished"


def test_finish_sent_again_after_a_refusal_is_carried_out(tmp_path):
    finish = reply("finish", reason="done")
    done = run(tmp_path, ["Write hello to a.txt"], [finish, finish], checks="light")
    assert done.of("missing_outputs") and not done.of("repeat")
    assert done.result.status == "finished"


@pytest.mark.parametrize("name", ["hello_script", "zh_countdown_script"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "repeat"]
