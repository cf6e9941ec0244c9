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


def test_a_text_the_history_shortened_copied_with_its_mark_is_refused(tmp_path):
    module = "# Parse durations\n# Usage: parse_duration(text) -> int, for texts like 1h30m\n" + "x = 1\n" * 30
    cut = "# Parse durations\n# Usage: parse_duration(text) -> int, for…\ndef parse_duration(t):\n    return 0\n"
    steps = [reply("write_file", path="duration.py", content=module), reply("list_folder"),
             reply("write_file", path="duration.py", content=cut), reply("finish", reason="done")]
    done = run(tmp_path, ["Write duration.py with a function parse_duration(text)"], steps, checks="light")
    assert [e.step for e in done.of("placeholder")] == [3] and "ends with '…'" in done.observation(3)


def test_a_head_cut_at_a_line_start_is_refused_too(tmp_path):
    # The history showed slugify.py's first 80 characters, cut inside an indent; the model wrote them back as the file.
    module = "#!/usr/bin/env python3\nimport re\n\ndef slugify(text):\n    text = text.lower()\n    return text\n"
    cut = module[:module.index("    text =") + 3] + "…"
    steps = [reply("write_file", path="slugify.py", content=module), reply("list_folder"),
             reply("write_file", path="slugify.py", content=cut), reply("finish", reason="done")]
    done = run(tmp_path, ["Write slugify.py with a function slugify(text)"], steps, checks="light")
    assert [e.step for e in done.of("placeholder")] == [3] and "def slugify(text):" in done.observation(3)
    assert "return text" in (done.workspace / "slugify.py").read_text()


def test_an_ellipsis_of_ones_own_is_written(tmp_path):
    steps = [reply("write_file", path="story.txt", content="It was late… and then it rained for a long while."),
             reply("write_file", path="story.txt", content="It was late… and then it rained for a long while.\nEnd…"),
             reply("finish", reason="done")]
    assert not run(tmp_path, ["Write a story to story.txt"], steps, checks="light").of("placeholder")


def test_a_cut_line_is_given_back_whole_with_the_rest_of_the_new_text(tmp_path):
    # The README's demo: the paragraph written at step 1 is shown cut in the history; the model sends it back cut,
    # with two new paragraphs. The refusal gives its text with that line whole, which the model can send as it is.
    first = ("# AI Agents\n\nAI agents are software programs that can perform tasks that typically require human "
             "intelligence, such as learning and reasoning.\n")
    cut = first.split("typically")[0] + "typicall…\n\nThey plan.\n\nThey act.\n"
    steps = [reply("write_file", path="post.md", content=first), reply("list_folder"),
             reply("write_file", path="post.md", content=cut), reply("list_folder"),
             reply("write_file", path="post.md", content=first + "\nThey plan.\n\nThey act.\n"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write a short blog post (a title and three short paragraphs) to post.md"], steps,
               checks="light")
    assert [e.step for e in done.of("placeholder")] == [3]
    said = done.observation(3)
    assert "ends with '…'" in said and "such as learning and reasoning." in said and "They act." in said
    assert "typicall…" not in said.split("\n", 1)[1]  # the text given back has no cut line
    assert done.result.status == "finished"


def test_the_whole_line_is_given_in_chinese_for_a_chinese_goal(tmp_path):
    first = "# 智能体\n\n智能体是一种能够自己规划并执行任务的软件程序，它可以读写文件、运行代码、搜索网页，并根据结果调整下一步的计划，直到完成目标为止。\n"
    cut = first[:60] + "…\n\n第二段。\n"
    steps = [reply("write_file", path="post.md", content=first), reply("list_folder"),
             reply("write_file", path="post.md", content=cut), reply("finish", reason="好了")]
    done = run(tmp_path, ["写一篇短文到 post.md"], steps, checks="light")
    said = done.observation(3)
    assert done.of("placeholder") and "补全" in said and "直到完成目标为止。" in said
