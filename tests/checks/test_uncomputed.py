"""``uncomputed``: the goals ask for a result no file states (a sum, an average), no program ran to its end, and the
model typed a short answer: finish is refused once. A looked-up answer ("how many days …" from a FAQ) and an answer
a program printed stay quiet."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

SALES = "date,region,amount\n2024-01-03,Metro,410.00\n2024-01-04,Coastal,950.00\n2024-01-05,Highlands,700.00\n" \
        "2024-01-06,Highlands,800.00\n"
GOAL = "sales.csv lists sales with the columns date, region and amount. Which region has the highest total sales " \
       "amount (the sum of all its amounts)? Write only the region's name to answer.txt."
PROGRAM = ("import csv\nfrom collections import Counter\ntotals = Counter()\n"
           "for row in csv.DictReader(open('sales.csv')):\n    totals[row['region']] += float(row['amount'])\n"
           "print(totals.most_common(1)[0][0])")


def test_a_name_read_off_the_table_is_refused_once(tmp_path):
    # The model read the table and wrote the region of the largest single sale, never adding anything up.
    steps = [reply("read_file", path="sales.csv"), reply("write_file", path="answer.txt", content="Coastal"),
             reply("finish", reason="done"), reply("execute_python", code=PROGRAM),
             reply("write_file", path="answer.txt", content="Highlands"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"sales.csv": SALES})
    assert [e.step for e in done.of("uncomputed")] == [3]
    assert "execute_python" in done.observation(3) and "Coastal" in done.observation(3)
    assert done.result.status == "finished" and (done.workspace / "answer.txt").read_text() == "Highlands"


def test_after_failed_programs_in_chinese(tmp_path):
    # A program failed on the header row; the model read the table and typed a score that it happens to hold, so
    # no number in the answer is unseen.
    scores = "姓名,分数\n张伟,88\n王芳,92\n吴婷,86\n"
    steps = [reply("read_file", path="scores.csv"), reply("execute_python", code="import csv\nprint(sum(int(r[1]) for r in csv.reader(open('scores.csv'))))"),
             reply("write_file", path="average.txt", content="86.0"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 scores.csv（两列：姓名,分数），计算所有学生分数的平均分，保留两位小数，把结果写入 average.txt。"],
               steps, files={"scores.csv": scores})
    assert [e.step for e in done.of("uncomputed")] == [4] and "计算" in done.observation(4)
    assert not done.of("unseen_numbers")


def test_not_after_unseen_numbers_said_the_same(tmp_path):
    steps = [reply("write_file", path="answer.txt", content="Coastal 950"), reply("finish", reason="done"),
             reply("read_file", path="sales.csv"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"sales.csv": SALES.replace("950.00", "940.00")})
    assert [e.step for e in done.of("unseen_numbers")] == [2] and not done.of("uncomputed")


def test_a_program_that_showed_nothing_computed_nothing(tmp_path):
    # The model's only program that ran to its end imported a module; then it typed a total.
    items = '[{"item": "pen", "price": 1.10, "qty": 12,}]'
    steps = [reply("execute_python", code="import sys\nsys.path.append('path/to/json/module')\nimport json"),
             reply("read_file", path="input.json"), reply("write_file", path="total.txt", content="12.00"),
             reply("finish", reason="done"), reply("finish", reason="done")]
    done = run(tmp_path, ["input.json lists items. Compute the total value of all items (the sum of price times qty) "
                          "and write it, with two decimals, to total.txt."], steps, files={"input.json": items})
    assert [e.step for e in done.of("uncomputed")] == [4]  # 12 is in the file: no number is unseen


def test_an_exit_code_shows_no_number(tmp_path):
    # "Exit code: 0" heads a program's result: a typed 0.00 is still a number no command showed.
    steps = [reply("execute_python", code="import json"), reply("write_file", path="total.txt", content="0.00"),
             reply("finish", reason="done"), reply("finish", reason="done")]
    done = run(tmp_path, ["Compute the sum of the numbers in nums.txt and write it to total.txt."], steps,
               files={"nums.txt": "3\n4\n"})
    assert [e.step for e in done.of("typed_numbers")] == [2] and [e.step for e in done.of("unseen_numbers")] == [3]
    assert [e.step for e in done.of("typed_numbers")] == [2]  # the program's "Exit code: 0" shows no 0

def test_quiet_for_a_looked_up_answer(tmp_path):
    faq = "Returns: you may return an item within 30 days of delivery.\n"
    steps = [reply("read_file", path="faq.txt"), reply("write_file", path="days.txt", content="30"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["How many days do I have to return an item? faq.txt says; write only the number to days.txt."],
               steps, files={"faq.txt": faq})
    assert not done.of("uncomputed") and done.result.steps == 3


@pytest.mark.parametrize("name", ["csv_column_sum", "csv_average", "zh_orders_sum", "zh_math_average",
                                  "faq_return_days", "inventory_top_item"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "uncomputed"]
