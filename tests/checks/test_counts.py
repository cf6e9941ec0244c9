"""``counts``: an output has at least the paragraphs or items the goals ask for."""

import pytest
from checkrun import ordinary, run

from autogpt.checks.outputs import measure
from autogpt.testing import reply

DEMO = "Write a short blog post about AI agents to post.md: a title and three short paragraphs."


def test_three_paragraphs_written_as_one_are_asked_for_again(tmp_path):
    # The README demo finished with one paragraph and nobody noticed.
    one = "# AI agents\n\nAgents plan, act and check their work. They use tools. They stop when done."
    three = "# AI agents\n\nAgents plan.\n\nThey act with tools.\n\nThey check and stop."
    steps = [reply("write_file", path="post.md", content=one), reply("finish", reason="done"),
             reply("write_file", path="post.md", content=three), reply("finish", reason="done")]
    done = run(tmp_path, [DEMO], steps)
    assert [e.step for e in done.of("counts")] == [2]
    assert "3 paragraphs" in done.observation(2) and "has 1" in done.observation(2)
    assert done.result.steps == 4


def test_five_items_asked_in_chinese(tmp_path):
    steps = [reply("write_file", path="水果.txt", content="苹果\n香蕉"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["列出五种水果，写入 水果.txt"], steps)
    assert "5 条" in done.observation(2)


@pytest.mark.parametrize(("text", "unit", "at_least"), [
    ("# T\n\nOne.\n\nTwo.\n\nThree.", "paragraph", 3),
    ("标题\n第一段。\n第二段。\n第三段。", "paragraph", 3),  # Chinese paragraphs without blank lines
    ("苹果、香蕉、橙子、葡萄、西瓜", "item", 5),
    ("Tips:\n- a\n- b\n- c", "item", 3),
    ("One. Two! Three?", "sentence", 3),
])
def test_measures_are_generous(text, unit, at_least):
    assert measure(text, unit) >= at_least


@pytest.mark.parametrize("name", ["blog_post_ai_agents", "zh_blog_post_ai_agents", "zh_five_fruits", "year_tips"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "counts"]
