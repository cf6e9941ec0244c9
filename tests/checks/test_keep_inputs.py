"""``keep_inputs``: a file the goals give to read is never written; a file they say to add to keeps its lines."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

ESSAY = "one two three\nfour five\n"
GOAL = "Count the words of essay.txt and write a two-line report to report.txt: 'Words: N' then 'Lines: M'."


def test_the_report_written_over_the_input_is_refused_and_the_input_kept(tmp_path):
    # A small model told "essay.txt holds no number" wrote its result over the user's input.
    steps = [reply("write_file", path="essay.txt", content="Words: 5"),
             reply("execute_python", code="t = open('essay.txt').read()\nprint(len(t.split()), len(t.splitlines()))"),
             reply("write_file", path="report.txt", content="Words: 5\nLines: 2"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"essay.txt": ESSAY}, checks="light")
    refusal = done.of("keep_inputs")
    assert [e.verdict for e in refusal] == ["refuse"] and "report.txt" in refusal[0].message
    assert (done.workspace / "essay.txt").read_text() == ESSAY
    assert done.result.status == "finished"


def test_a_file_to_add_to_may_be_appended_to_but_not_lose_its_lines(tmp_path):
    todo = "buy milk\ncall mum\n"
    steps = [reply("write_file", path="todo.txt", content="renew passport"),
             reply("append_file", path="todo.txt", content="renew passport"), reply("finish", reason="added")]
    done = run(tmp_path, ["Add the item 'renew passport' as a new last line of todo.txt."], steps,
               files={"todo.txt": todo}, checks="light")
    assert [e.step for e in done.of("keep_inputs")] == [1]
    assert "lose 2" in done.observation(1)
    assert (done.workspace / "todo.txt").read_text() == todo + "renew passport"


def test_the_refusal_is_in_chinese_for_a_chinese_goal(tmp_path):
    steps = [reply("write_file", path="scores.csv", content="80"), reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 scores.csv，计算平均分，写入 average.txt。"], steps,
               files={"scores.csv": "name,score\na,80\n"}, checks="light")
    assert "输入文件" in done.observation(1) and "average.txt" in done.observation(1)


@pytest.mark.parametrize(("goal", "lang"), [
    ("Save a copy of diary.txt as diary.txt.bak, with exactly the same content. Do not change diary.txt.", "en"),
    ("把 diary.txt 备份为 diary.txt.bak，内容完全相同，不要修改 diary.txt。", "zh"),
])
def test_a_file_the_goals_say_not_to_change_is_never_written(goal, lang, tmp_path):
    # A backup goal: "do not change X" was read as a change of X and X.bak as X, so a note sent the model to
    # write its copy over the original.
    diary = "Monday: planted tomatoes.\nTuesday: rain.\n"
    steps = [reply("write_file", path="diary.txt", content="Monday: planted tomatoes."),
             reply("write_file", path="diary.txt.bak", content=diary), reply("finish", reason="done")]
    done = run(tmp_path, [goal], steps, files={"diary.txt": diary}, checks="full")
    assert [(e.step, e.verdict) for e in done.of("keep_inputs")] == [(1, "refuse")]
    assert "diary.txt.bak" in done.observation(1) and ("输入文件" in done.observation(1)) == (lang == "zh")
    assert (done.workspace / "diary.txt").read_text() == diary == (done.workspace / "diary.txt.bak").read_text()
    assert not done.of("stray_file") and done.result.status == "finished"


@pytest.mark.parametrize("name", ["append_todo", "zh_append_shopping", "word_count_report", "backup_diary",
                                  "zh_backup_contacts"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "keep_inputs"]


def test_a_user_file_the_goals_do_not_name_is_asked_about_once(tmp_path):
    # The goal names data.csv; the user's file is data/sales.csv. A small model's first step wrote made-up rows over it.
    sales = "amount\n100\n235.7\n500\n"
    steps = [reply("write_file", path="data/sales.csv", content="amount\n1\n2\n"),
             reply("execute_python", code="import csv\nprint(sum(float(r['amount']) for r in csv.DictReader("
                                          "open('data/sales.csv'))))"),
             reply("write_file", path="total.txt", content="835.7"), reply("finish", reason="done")]
    done = run(tmp_path, ["Read data.csv, add up its amount column and write the total to total.txt."], steps,
               files={"data/sales.csv": sales}, checks="light")
    assert [e.step for e in done.of("keep_inputs")] == [1] and "user's file" in done.observation(1)
    assert (done.workspace / "data" / "sales.csv").read_text() == sales
    assert "835.7" in done.observation(2)


def test_a_user_file_sent_again_is_written(tmp_path):
    write = reply("write_file", path="notes.md", content="new notes")
    done = run(tmp_path, ["Tidy up the workspace"], [write, reply("list_folder"), write, reply("finish", reason="ok")],
               files={"notes.md": "old notes"}, checks="light")
    assert [e.step for e in done.of("keep_inputs")] == [1]
    assert (done.workspace / "notes.md").read_text() == "new notes"
