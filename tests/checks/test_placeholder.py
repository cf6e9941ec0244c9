"""``placeholder``: the mark the history shows for a long failed text, sent back as an argument, is not run."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def test_the_mark_sent_back_as_content_is_refused(tmp_path):
    steps = [reply("write_file", path="a.txt", content="[1234 characters, not shown]"),
             reply("write_file", path="a.txt", content="the real text"), reply("finish", reason="done")]
    done = run(tmp_path, ["Write a story to a.txt"], steps, checks="light")
    assert [e.step for e in done.of("placeholder")] == [1]
    assert not (done.workspace / "a.txt").read_text().startswith("[")


def test_the_chinese_mark_is_refused_too(tmp_path):
    steps = [reply("write_file", path="a.txt", content="[88 个字符，不显示]"),
             reply("write_file", path="a.txt", content="故事"), reply("finish", reason="好了")]
    done = run(tmp_path, ["写一个故事到 a.txt"], steps, checks="light")
    assert done.of("placeholder") and "不是要发送的文本" in done.observation(1)


@pytest.mark.parametrize("name", ["dated_letter", "zh_holiday_notice"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "placeholder"]
