"""Learning from past runs: the reward, lessons distilled by the model, their use, weights and pruning."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from autogpt import AutoGPT, Settings
from autogpt.agent.events import Notice
from autogpt.agent.schema import Command, Reply
from autogpt.agent.steps import ActionStep
from autogpt.memory.lessons import INITIAL_WEIGHT, LESSONS, LessonBook, checked_reward, reflect
from autogpt.testing import ScriptedModel, reply

CSV_LESSON = "To sum a column of a CSV file, run Python on the file; never retype the numbers."


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(data_dir=tmp_path / "data", lessons=True)


def step(n: int, name: str, ok: bool = True, **args: object) -> ActionStep:
    return ActionStep(number=n, reply=Reply(command=Command(name=name, args=dict(args))), ok=ok, observation="x")


def review(score: int, *lessons: str) -> str:
    return json.dumps({"score": score, "lessons": list(lessons)})


# A run that made a mistake and got past it: what a review may draw lessons from.
FIXED = [ActionStep(number=1, reply=Reply(command=Command(name="execute_python", args={"code": "int('1h30')"})),
                    ok=False, observation="Exit code: 1\n--- stderr ---\nTraceback (most recent call last):\n  File "
                    "\"<stdin>\", line 1\nValueError: invalid literal for int() with base 10: '1h30'\nNote: '1h30' is "
                    "not a number."),
         step(2, "execute_python", code="import re\nprint(re.findall(r'(\\d+)([a-z]*)', '1h30'))")]


def test_reward_rewards_a_checked_finish_and_punishes_the_rest() -> None:
    good = [step(1, "execute_python", code="..."), step(2, "write_file", path="a.txt"), step(3, "read_file", path="a.txt"),
            step(4, "finish", reason="done")]
    best = checked_reward("finished", good, missing=[], max_steps=20, self_score=1.0)
    assert best.reward > 0.9 and best.parts["verified"] == 1.0
    unverified = checked_reward("finished", [good[1], good[3]], missing=[], max_steps=20, self_score=1.0)
    assert unverified.parts["verified"] == 0.0 and unverified.reward < best.reward
    typed = checked_reward("finished", good, missing=[], max_steps=20, self_score=1.0, typed_numbers=True)
    assert typed.parts["verified"] == 0.0 and typed.reward < best.reward  # a number no command showed
    missing = checked_reward("finished", good, missing=["b.txt"], max_steps=20, self_score=1.0)
    assert missing.reward < best.reward and missing.parts["files"] == 0.0
    failing = [step(i, "execute_python", ok=False) for i in range(1, 20)]
    worst = checked_reward("max_steps", failing, missing=["a.txt"], max_steps=20, self_score=0.0)
    assert worst.reward < 0.1
    assert checked_reward("stuck", good, missing=[], max_steps=20).reward < 0.5 < best.reward


def test_lesson_book_learns_reinforces_retrieves_and_prunes(settings: Settings) -> None:
    memory = AutoGPT(settings=settings, model=ScriptedModel()).memory
    book = LessonBook(memory, rate=0.5)
    (lesson,) = book.learn("Sum the amount column of sales.csv", [CSV_LESSON], 0.9, run_id="r1")
    assert lesson.metadata["weight"] == INITIAL_WEIGHT and lesson.metadata["uses"] == 0
    # The same lesson again (a near-identical sentence) reinforces it instead of adding a copy.
    book.learn("Add up the prices in orders.csv", [CSV_LESSON.replace("never", "do not")], 0.9, run_id="r2")
    assert memory.count(LESSONS) == 1
    # Relevant to a similar task, in Chinese too; not to an unrelated one.
    assert [r.id for r in book.relevant("Compute the total of the price column in data.csv")] == [lesson.id]
    assert [r.id for r in book.relevant("计算 data.csv 中 price 列的总和")] == [lesson.id]
    assert book.relevant("Write a haiku about the sea to poem.txt") == []
    # Low rewards pull the weight down; after enough uses it is pruned.
    pruned: list[str] = []
    for _ in range(4):
        pruned += book.reward([lesson], 0.0)
    assert pruned == [lesson.id] and memory.count(LESSONS) == 0


SLUGIFY = ("Write a Python module slugify.py with a function slugify(text) that turns text into a URL slug: lowercase "
           "the text, keep the letters a-z and the digits 0-9, replace every run of other characters with a single "
           "hyphen. Examples: slugify('Hello, World!') == 'hello-world'.")


def test_a_lesson_about_its_own_function_is_shown_only_to_tasks_that_name_it(settings: Settings) -> None:
    """Slugify's lesson sent the next module task (parse_duration) to import slugify and pip install it."""
    book = LessonBook(AutoGPT(settings=settings, model=ScriptedModel()).memory)
    general = "Write the module, then run its examples as asserts before you finish."
    book.learn(SLUGIFY, ["The function slugify does not handle spaces correctly. It should replace spaces with hyphens "
                         "before removing leading and trailing hyphens.", general], 0.5, run_id="r1")
    duration = ("Write a Python module duration.py with a function parse_duration(text) that returns a duration as a "
                "whole number of seconds (an int). The text is one or more parts, each a whole number immediately "
                "followed by a unit: h (hours), m (minutes) or s (seconds); each unit appears at most once and in the "
                "order h, m, s, with no spaces. Examples: '1h30m' -> 5400, '45s' -> 45, '2h5s' -> 7205, '1h2m3s' -> "
                "3723. Anything else (an empty string, a number without a unit, an unknown unit, a repeated or "
                "out-of-order unit, a decimal or negative number) must raise ValueError.")
    assert [r.text for r in book.relevant(duration)] == [general]
    assert len(book.relevant(SLUGIFY.replace("URL slug", "slug for a web address"))) == 2  # the same function


def test_a_lesson_is_shown_only_to_tasks_like_the_one_it_came_from(settings: Settings) -> None:
    """Benchmark runs 20-21: AppendLine's lesson reached Fibonacci30, whose program then appended to answer.txt."""
    book = LessonBook(AutoGPT(settings=settings, model=ScriptedModel()).memory)
    lesson = ("Always append to the end of a file using append_file, not overwrite it with write_file. This ensures "
              "that your list remains ordered and you can easily add new items at the end without losing existing "
              "ones.")
    book.learn("todo.txt is a to-do list with one item per line. Add the item 'renew passport' (without the quotes) "
               "as a new last line of todo.txt, keeping every existing line unchanged.", [lesson], 0.9, run_id="r1")
    fibonacci = ("The Fibonacci sequence starts F(1) = 1, F(2) = 1, and every later term is the sum of the two before "
                 "it (F(3) = 2, F(4) = 3, ...). Compute F(30) and write only that number to a file named answer.txt.")
    assert book.relevant(fibonacci) == []
    shopping = ("shopping.txt is a shopping list with one item per line. Add the item 'eggs' as a new last line of "
                "shopping.txt, keeping every existing line unchanged.")
    assert [r.text for r in book.relevant(shopping)] == [lesson]


def test_after_a_run_the_agent_keeps_its_lessons_and_the_next_similar_run_uses_them(settings: Settings,
                                                                                    tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "sales.csv").write_text("amount\n3\n4\n", encoding="utf-8")
    first = ScriptedModel([reply("execute_python", code="print(sum(int(n) for n in open('sales.csv')))"),  # header
                           reply("execute_python", code="import csv\nprint(sum(int(r['amount']) for r in "
                                                        "csv.DictReader(open('sales.csv'))))"),
                           reply("write_file", path="total.txt", content="7"),
                           reply("finish", reason="Wrote the total to total.txt"),
                           review(10, CSV_LESSON)])
    agent = AutoGPT(goals=["Sum the amount column of sales.csv and write the total to total.txt"],
                    settings=settings, model=first, workspace=tmp_path / "ws")
    events: list = []
    result = asyncio.run(agent.arun(events.append))
    first.assert_complete()
    notices = [e for e in events if isinstance(e, Notice) and e.message.startswith("Reward")]
    assert len(notices) == 1 and "1 lesson(s) kept" in notices[0].message
    stored = agent.store.get_task(result.run_id).result
    assert stored["reward"] > 0.5 and stored["lessons"] and stored["reward_parts"]["finished"] == 1.0
    (lesson,) = agent.memory.list(LESSONS)
    assert lesson.text == CSV_LESSON and lesson.source == f"run:{result.run_id}"

    second = ScriptedModel([reply("read_file", path="orders.csv"), review(2)])  # a poor run: out of steps
    again = AutoGPT(goals=["计算 orders.csv 中 price 列的总和"], settings=settings, model=second,
                    workspace=tmp_path / "ws2", max_steps=1)
    again.run()
    system = second.calls[0].messages[0].content
    assert CSV_LESSON in system  # the lesson reached the next similar task's prompt
    assert "复盘" in second.calls[1].messages[-1].content  # the review, in the task's language
    after = again.memory.get(lesson.id)
    assert after.metadata["uses"] == 1 and after.metadata["weight"] < INITIAL_WEIGHT  # weight down
    unrelated = ScriptedModel([reply("finish", reason="ok"), review(5)])
    AutoGPT(goals=["Write a haiku about autumn to poem.txt"], settings=settings, model=unrelated,
            workspace=tmp_path / "ws3").run()
    assert CSV_LESSON not in unrelated.calls[0].messages[0].content


def test_a_typed_number_lowers_the_reward_and_the_review_is_told(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "sales.csv").write_text("amount\n3\n4\n", encoding="utf-8")
    model = ScriptedModel([reply("read_file", path="sales.csv"),
                           reply("write_file", path="total.txt", content="9"),
                           reply("read_file", path="total.txt"),  # checked after the last write: verified, but
                           reply("finish", reason="Wrote the total to total.txt"),  # 9 was typed, not shown
                           review(8, CSV_LESSON)])
    agent = AutoGPT(goals=["Sum the amount column of sales.csv and write the total to total.txt"],
                    settings=settings, model=model, workspace=tmp_path / "ws")
    result = agent.run()
    model.assert_complete()
    assert result.status == "finished"
    # the typed number comes from the checks' review of the run (Runner.review), whatever the checks' profile
    assert "total.txt holds 9, which no command printed" in model.calls[-1].messages[-1].content  # the review
    stored = agent.store.get_task(result.run_id).result
    assert stored["reward_parts"]["verified"] == 0.0


@pytest.mark.parametrize(("lesson", "kept"), [
    ("To total a CSV column, run Python over the file; never type the numbers by hand.", True),
    ("统计 CSV 中的行数时，用 Python 的 csv 模块计算，不要手数。", True),
    # what the embedded model's reviews gave: task-specific, code, and a fragment cut by the length limit
    ("The correct steps should be: read_file(path='temps.csv'), execute_python(code=", False),
    (".join(map(str, df['temp'].mean()))), write_file(path='avg.txt',", False),
    ("Always read expenses.csv before writing total.txt.", False),
    ("Too short.", False),
    # a report on the run, quoting a value of its task, cut off by the length limit (FilterRows' review)
    ("The agent did not filter the rows based on the status 'shipped' as required. The task specifically asked "
     "for only the rows where the status is exactly 'shipped'. The agent wrote all rows from the original file to "
     "the new file without any of", False),
    ("Filter the rows whose status is 'shipped' with Python.", False),
    ("When filtering rows, keep the header and compare the column value exactly", False),  # no end: cut off
    ("When filtering rows, keep the header and compare the column value exactly.", True),
    ("该任务没有完成，因为没有写入文件。", False),
    # the tail of a lesson whose beginning was cut (Latin1Encoding's review, kept and shown to six later tasks)
    ("utf-8')`. This ensures that the file is read as UTF-8 and can handle special characters properly.", False),
    ("when reading a file, choose the encoding it is written in.", False),
    # the review prompt's own example, copied (it then sent PrimeSum's run looking for a CSV file)
    ("To sum a CSV column, run Python on the file; never retype the numbers.", False),
    ("to sum a CSV column: run Python on the file, never retype the numbers!", False),
    ("要对 CSV 的一列求和，用 Python 读取文件计算，不要手抄数字。", False),
    # the answer of its task (Fibonacci30's review)
    ("To compute the Fibonacci sequence up to F(30), use an iterative approach; it gives the correct result of "
     "832040.", False),
])
def test_only_general_lessons_are_kept(settings: Settings, lesson: str, kept: bool) -> None:
    model = ScriptedModel([review(7, lesson)])
    score, lessons = asyncio.run(reflect(model, ["Sum a column"], FIXED, "finished", "done"))
    assert score == 0.7 and lessons == ([lesson] if kept else [])


def test_lessons_are_asked_only_about_mistakes_the_run_got_past() -> None:
    # run 22: smooth runs' reviews kept filler ("Always check if the file exists before writing to it") and wrong
    # advice ("To count the words in a file, use read_file ... then write_file")
    lesson = "To split a number from its unit, use a regular expression rather than int() on the whole text."
    model = ScriptedModel([review(9, lesson), review(9, lesson), review(9, lesson)])
    smooth = [step(1, "execute_python", code="print(1)"), step(2, "write_file", path="a.txt", content="1")]
    assert asyncio.run(reflect(model, ["Write 1 to a.txt"], smooth, "finished", "done")) == (0.9, [])
    asked = model.calls[0]
    assert "lessons" not in asked.messages[-1].content and "lessons" not in asked.response_schema["properties"]
    assert asked.params["max_tokens"] <= 20  # a score alone: the review costs a few tokens
    # a failure never got past teaches nothing either
    stuck = [step(1, "execute_python", ok=False, code="int('1h30')"), step(2, "write_file", path="a.txt", content="1")]
    assert asyncio.run(reflect(model, ["Parse 1h30"], stuck, "max_steps", "out of steps")) == (0.9, [])
    assert asyncio.run(reflect(model, ["Parse 1h30"], FIXED, "finished", "done")) == (0.9, [lesson])
    text = model.calls[2].messages[-1].content
    mistake = text[text.index("mistakes and then got past them:"):]
    assert "step 1: execute_python(code=\"int('1h30')\") failed (ValueError: invalid literal for int() with base " \
           "10: '1h30'); step 2: execute_python(" in mistake
    assert "Note:" not in mistake  # the error itself, not the hint under it
    assert "lessons" in model.calls[2].response_schema["properties"]
    model.assert_complete()


def test_a_broken_review_loses_nothing(settings: Settings, tmp_path: Path) -> None:
    model = ScriptedModel([reply("write_file", path="a.txt", content="hi"), reply("finish", reason="Wrote a.txt"),
                           "this is not JSON at all {"])
    agent = AutoGPT(goals=["Write hi to a.txt"], settings=settings, model=model, workspace=tmp_path / "ws")
    result = agent.run()
    assert result.ok and (tmp_path / "ws" / "a.txt").read_text() == "hi"
    stored = agent.store.get_task(result.run_id).result
    assert stored["status"] == "finished" and stored["lessons"] == [] and stored["reward"] > 0.5
    model.assert_complete()


def test_a_run_that_went_wrong_keeps_no_lessons(settings: Settings, tmp_path: Path) -> None:
    # run 22: "To write a file with formatted data, use append_file..." came from a run that wrote a wrong report
    model = ScriptedModel([reply("read_file", path="a.txt"), review(8, CSV_LESSON)])  # out of steps
    agent = AutoGPT(goals=["Sum the amount column of a.txt into total.txt"], settings=settings, model=model,
                    workspace=tmp_path / "ws", max_steps=1)
    result = agent.run()
    stored = agent.store.get_task(result.run_id).result
    assert result.status == "max_steps" and stored["reward"] < 0.85 and stored["lessons"] == []
    assert agent.memory.count(LESSONS) == 0


def test_the_review_begins_with_the_runs_own_system_message(settings: Settings, tmp_path: Path) -> None:
    # so that a local model's KV cache still holds that beginning for the next task (run 15: every task's first
    # step evaluated its ~1,500 tokens again, after the last task's review had replaced them)
    model = ScriptedModel([reply("write_file", path="a.txt", content="hi"), reply("finish", reason="Wrote a.txt"),
                           review(8, "Write the file first, then finish.")])
    result = AutoGPT(goals=["Write hi to a.txt"], settings=settings, model=model, workspace=tmp_path / "ws").run()
    model.assert_complete()
    assert result.ok
    step, review_call = model.calls[-2], model.calls[-1]
    assert review_call.messages[0] == step.messages[0] and review_call.messages[0].role == "system"
    assert [m.role for m in review_call.messages] == ["system", "user"]
    assert review_call.messages[1].content.startswith("You review a finished task of an autonomous agent.")


def test_lessons_off_means_no_review_call(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data", lessons=False)
    model = ScriptedModel([reply("finish", reason="ok")])
    AutoGPT(goals=["Say hi"], settings=settings, model=model, workspace=tmp_path / "ws").run()
    assert len(model.calls) == 1


def test_cli_lists_shows_and_deletes_lessons(settings: Settings, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from autogpt.cli import app

    memory = AutoGPT(settings=settings, model=ScriptedModel()).memory
    (lesson,) = LessonBook(memory).learn("Sum a CSV column", [CSV_LESSON], 0.9, run_id="r1")
    data = ["--data-dir", str(settings.data_dir)]
    runner = CliRunner()
    listed = runner.invoke(app, ["lessons", *data])
    assert listed.exit_code == 0 and lesson.id in listed.output and "0.50" in listed.output
    shown = runner.invoke(app, ["lessons", "show", lesson.id, *data])
    assert json.loads(shown.output)["text"] == CSV_LESSON
    bad = runner.invoke(app, ["lessons", "delete", "m_doesnotexist", *data])
    assert bad.exit_code == 2
    deleted = runner.invoke(app, ["lessons", "delete", lesson.id, *data])
    assert deleted.exit_code == 0 and memory.count(LESSONS) == 0
    assert "No lessons yet" in runner.invoke(app, ["lessons", *data]).output
