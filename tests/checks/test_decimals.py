"""``decimals``: the goals ask for so many decimal places, and an output writes a number with other places (86.0 or
86 for two): finish is refused once, with the number formatted as asked."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

SCORES = "name,score\nAnn,88\nBen,75\nCid,77\n"
GOAL = "Calculate the average score in scores.csv, rounded to two decimal places, and write only it to average.txt."
PROGRAM = "import csv\nrows = list(csv.DictReader(open('scores.csv')))\nprint(sum(int(r['score']) for r in rows) / len(rows))"


def test_a_number_with_other_places_is_refused_once(tmp_path):
    steps = [reply("execute_python", code=PROGRAM), reply("write_file", path="average.txt", content="80.0"),
             reply("finish", reason="done"), reply("write_file", path="average.txt", content="80.00"),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"scores.csv": SCORES})
    (fired,) = done.of("decimals")
    assert fired.step == 3 and "80.0" in fired.message and "80.00" in fired.message and ".2f" in fired.message
    assert done.result.status == "finished"


def test_a_whole_number_alone_and_a_report_in_chinese(tmp_path):
    report = "北京：5380.4\n上海：1200.55\n城市数：2"
    steps = [reply("write_file", path="totals.txt", content=report), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["把每个城市的销售额写入 totals.txt，金额保留两位小数。"], steps)
    (fired,) = done.of("decimals")
    assert "5380.4" in fired.message and "1200.55" not in fired.message and "保留 2 位小数" in fired.message
    alone = run(tmp_path / "alone", ["Write pi rounded to 3 decimal places to pi.txt."],
                [reply("write_file", path="pi.txt", content="3"), reply("finish", reason="done"),
                 reply("finish", reason="done")])
    assert [e.step for e in alone.of("decimals")] == [2]


@pytest.mark.parametrize("content", ["80.00", "Average: 80.00 over 3 students (2024-01-05)"])
def test_quiet_when_the_places_are_right(content, tmp_path):
    steps = [reply("execute_python", code=PROGRAM), reply("write_file", path="average.txt", content=content),
             reply("finish", reason="done")]
    assert not run(tmp_path, [GOAL], steps, files={"scores.csv": SCORES}).of("decimals")


@pytest.mark.parametrize("name", ["csv_column_sum", "csv_average", "zh_circle_area", "zh_math_average",
                                  "expenses_json_total", "compound_interest"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "decimals"]
