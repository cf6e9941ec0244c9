"""Short-term memory: recent steps verbatim, older ones one line each, all within a token budget."""

from autogpt.agent.schema import Command, Reply
from autogpt.agent.steps import ActionStep, ErrorStep, FeedbackStep
from autogpt.llm.base import estimate_tokens
from autogpt.memory.short_term import ShortTermMemory, truncate_observation


def action(n: int, output: str = "ok", **args) -> ActionStep:
    reply = Reply(command=Command(name="write_file", args={"path": f"{n}.txt", **args}))
    return ActionStep(number=n, reply=reply, observation=output)


def tokens(messages) -> int:
    return sum(estimate_tokens(m.content) + 4 for m in messages)


def test_empty_memory_renders_nothing():
    assert ShortTermMemory().render(1000, "en") == []


def test_recent_steps_verbatim_older_compressed():
    memory = ShortTermMemory(verbatim_steps=2)
    for n in range(1, 6):
        memory.add(action(n, f"Wrote file number {n}."))
    messages = memory.render(10_000, "en")
    summary = messages[0].content
    assert summary.startswith("Summary of earlier steps:")
    assert [line.split(".")[0] for line in summary.splitlines()[1:]] == ["1", "2", "3"]
    assert "write_file(path='1.txt') → Wrote file number 1." in summary
    # two verbatim steps: assistant reply + result each
    assert [m.role for m in messages[1:]] == ["assistant", "user", "assistant", "user"]
    assert '"path": "4.txt"' in messages[1].content
    assert messages[-1].content == "Result of write_file(path='5.txt'):\nWrote file number 5."


def test_budget_is_respected_and_oldest_lines_dropped_with_a_note():
    memory = ShortTermMemory(verbatim_steps=3)
    for n in range(1, 201):
        memory.add(action(n, "x" * 200))
    budget = 600
    messages = memory.render(budget, "en")
    assert tokens(messages) <= budget + 60
    assert "earlier steps omitted" in messages[0].content
    assert "200.txt" in messages[-2].content  # the newest step is always there


def test_huge_recent_steps_spill_into_the_summary():
    memory = ShortTermMemory(verbatim_steps=4)
    for n in range(1, 5):
        memory.add(action(n, "y" * 4000))
    messages = memory.render(800, "en")
    # each step alone is over the budget: only the newest stays verbatim, the rest become summary lines
    assert sum(1 for m in messages if m.role == "assistant") == 1
    assert '"path": "4.txt"' in messages[-2].content
    assert "(3 earlier steps omitted)" in messages[0].content  # no room left even for their summary lines
    assert messages[0].content.startswith("Summary of earlier steps:")


def test_step_kinds_render_in_chinese():
    reply = Reply(command=Command(name="finish", args={"reason": "好"}))
    memory = ShortTermMemory(verbatim_steps=3)
    memory.add(FeedbackStep(number=1, reply=reply, feedback="先写大纲"))
    memory.add(ErrorStep(number=2, error="不是 JSON"))
    memory.add(ActionStep(number=3, reply=reply, executed=False, ok=False, observation="重复"))
    text = "\n".join(m.content for m in memory.render(5000, "zh"))
    assert "用户没有执行 finish(reason='好')，而是说：先写大纲" in text
    assert "你上一次的回复无法使用：不是 JSON" in text
    assert "没有执行：重复" in text


def test_truncate_observation_keeps_head_and_tail():
    text = "HEAD " + "a" * 50_000 + " TAIL"
    short = truncate_observation(text, 500, "en")
    assert short.startswith("HEAD") and short.endswith("TAIL")
    assert "output truncated" in short
    assert estimate_tokens(short) < 700
    assert truncate_observation("small", 500, "en") == "small"


def test_truncate_chinese_counts_characters_as_tokens():
    text = "汉" * 5000
    short = truncate_observation(text, 300, "zh")
    assert "输出已截断" in short
    assert short.count("汉") <= 320
