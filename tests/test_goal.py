"""The goal specification: what the goals ask for, parsed once per run, in English and Chinese."""

import pytest

from autogpt.goal import GoalSpec, addresses, named_files


@pytest.mark.parametrize(("goal", "existing", "inputs", "outputs", "changes"), [
    ("Read the file called input.txt and write its content to a file called output.txt.", ["input.txt"],
     ["input.txt"], ["output.txt"], []),
    ("Count the words of essay.txt and write a two-line report to report.txt.", ["essay.txt"],
     ["essay.txt"], ["report.txt"], []),
    ("How many days do I have to return an item? Answer from faq.md and write the answer to answer.txt.", ["faq.md"],
     ["faq.md"], ["answer.txt"], []),
    ("Refer to policy.md and write a reply e-mail to reply.txt.", ["policy.md"], ["policy.md"], ["reply.txt"], []),
    ("Remove duplicates from data.csv and save the result to clean.csv.", ["data.csv"], ["data.csv"], ["clean.csv"], []),
    ("customers.csv has the columns id and name. Write names.txt with one line for every customer in customers.csv.",
     ["customers.csv"], ["customers.csv"], ["names.txt"], []),
    ("Merge a.csv and b.csv into merged.csv.", ["a.csv", "b.csv"], ["a.csv", "b.csv"], ["merged.csv"], []),
    ("Add the item 'renew passport' as a new last line of todo.txt.", ["todo.txt"], [], [], ["todo.txt"]),
    ("Fix the bug in app.py so that it prints 3.", ["app.py"], [], [], ["app.py"]),
    ("Repair the syntax errors in settings.json in place.", ["settings.json"], [], [], ["settings.json"]),
    ("Save the list in fruits.txt", [], [], ["fruits.txt"], []),
    ("读取 scores.csv，计算平均分，把结果写入 average.txt。", ["scores.csv"], ["scores.csv"], ["average.txt"], []),
    ("在 todo.txt 末尾添加一行：买牛奶", ["todo.txt"], [], [], ["todo.txt"]),
    ("读取 sales.csv，计算每个地区的销售总额，把结果保存在 totals.csv 里", ["sales.csv"], ["sales.csv"], ["totals.csv"], []),
    ("列出五种水果，每行一种，写入 水果.txt。", [], [], ["水果.txt"], []),
    # a copy or backup: the copy is made, the original read; "do not change X" keeps X as it is
    ("Create config.ini.bak with the same content as config.ini. Do not change config.ini.", ["config.ini"],
     ["config.ini"], ["config.ini.bak"], []),
    ("Save a copy of data.csv as data_backup.csv.", ["data.csv"], ["data.csv"], ["data_backup.csv"], []),
    ("Make a backup copy of todo.txt called todo_backup.txt; leave todo.txt unchanged.", ["todo.txt"], ["todo.txt"],
     ["todo_backup.txt"], []),
    ("Copy report.md to report.md.orig and then fix the typos in report.md.", ["report.md"], [], ["report.md.orig"],
     ["report.md"]),
    ("Fix the bug in app.py so that it prints 3. Do not change test_app.py.", ["app.py", "test_app.py"],
     ["test_app.py"], [], ["app.py"]),
    ("Write the total of prices.csv to total.txt. prices.csv must stay as it is.", ["prices.csv"], ["prices.csv"],
     ["total.txt"], []),
    ("把 notes.txt 复制一份为 notes.txt.bak，不要修改 notes.txt。", ["notes.txt"], ["notes.txt"], ["notes.txt.bak"], []),
    ("创建 notes.txt 的备份 notes.bak，保持 notes.txt 不变。", ["notes.txt"], ["notes.txt"], ["notes.bak"], []),
    ("新建 b.txt，内容与 a.txt 完全相同。", ["a.txt"], ["a.txt"], ["b.txt"], []),
])
def test_files_are_inputs_outputs_or_changed(goal, existing, inputs, outputs, changes):
    spec = GoalSpec.parse([goal], existing)
    assert (spec.inputs, spec.outputs, spec.changes) == (inputs, outputs, changes)


@pytest.mark.parametrize(("goal", "existing", "computed"), [
    ("How many moons does Mars have? Write only the number to moons.txt.", [], False),
    ("Write the year Apollo 11 landed on the Moon to year.txt.", [], False),
    ("Write three short tips for planning the year ahead to tips.txt", [], False),
    ("How many days do I have to return an item? Answer from faq.md and write it to answer.txt.", ["faq.md"], True),
    ("Count the words in essay.txt and write the number to count.txt.", ["essay.txt"], True),
    ("Compute the 30th Fibonacci number and write it to fib.txt.", [], True),
    ("Write the SHA-256 hash of the text 'abc' to hash.txt.", [], True),
    ("统计 input.txt 的行数，写入 count.txt", ["input.txt"], True),
    ("一年有几个季度？把数字写入 quarters.txt", [], False),
    ("Write the capital of France to count.txt.", [], False),  # "count.txt" names a file, it does not ask to count
])
def test_computed_results_are_told_from_known_facts(goal, existing, computed):
    assert GoalSpec.parse([goal], existing).computed is computed


def test_instructions_a_goal_gives_to_carry_out_name_outputs_too():
    instructions = "1. Create a file named greeting.txt with the text Hello.\n2. Write done.txt containing OK.\n"
    spec = GoalSpec.parse(["Read instructions.txt and carry out every instruction in it."], ["instructions.txt"],
                          read=lambda name: instructions)
    assert spec.inputs == ["instructions.txt"] and spec.outputs == ["greeting.txt", "done.txt"]
    assert GoalSpec.parse(["Read instructions.txt and tell me how many steps it has."], ["instructions.txt"],
                          read=lambda name: instructions).outputs == []


@pytest.mark.parametrize(("goal", "exact"), [
    ("Write 'Hello World!' to hello.txt", {"hello.txt": "Hello World!"}),
    ('Write a file hello.txt containing exactly the text "Hi there"', {"hello.txt": "Hi there"}),
    ("Write the following sentence, exactly as given, to a file named motto.txt: Small steps win.",
     {"motto.txt": "Small steps win."}),
    ("把“你好，世界”写入 问候.txt", {"问候.txt": "你好，世界"}),
    ("Count the lines of server.log that contain the word 'ERROR' and write the number to count.txt.", {}),
    ("统计 feedback.csv 中类型为“退款”的行数，写入 count.txt", {}),
    ("Write a poem titled 'Spring' to poem.txt", {}),
])
def test_texts_to_reproduce_exactly(goal, exact):
    assert GoalSpec.parse([goal], ["server.log", "feedback.csv"]).exact == exact


@pytest.mark.parametrize(("goal", "counts"), [
    ("Write a short blog post about AI agents to post.md: a title and three short paragraphs.",
     [("post.md", 3, "paragraph")]),
    ("Write exactly 5 tips for better sleep to tips.txt, one per line.", [("tips.txt", 5, "item")]),
    ("Read article.txt and write a summary of it in 3 to 5 sentences to summary.txt.", [("summary.txt", 3, "sentence")]),
    ("Write a file named report.txt with one line for each item in inventory.txt.", []),
    ("Write a report about the 10 items in inventory.txt to report.txt.", []),
    ("写三段关于春天的短文，保存到 spring.md", [("spring.md", 3, "paragraph")]),
    ("列出五种水果，写入 fruits.txt", [("fruits.txt", 5, "item")]),
    ("把这句话翻译成英文：会议上午 10 点开始。写入 en.txt", []),
    ("计算平均分，保留两位小数，写入 average.txt", []),
])
def test_sizes_asked_for_outputs(goal, counts):
    spec = GoalSpec.parse([goal], ["article.txt", "inventory.txt"])
    assert [(c.file, c.n, c.unit) for c in spec.counts] == counts


def test_code_definitions_and_examples():
    spec = GoalSpec.parse(["Write a Python module slugify.py with a function slugify(text); "
                           "slugify('Hello, World!') should return 'hello-world'."])
    assert spec.code and spec.outputs == ["slugify.py"] and spec.definitions == ["slugify"]
    assert spec.examples == [("slugify('Hello, World!')", "'hello-world'")]
    assert GoalSpec.parse(["写一个模块 calc.py，其中有函数 add(a, b)。"]).definitions == ["add"]
    assert not GoalSpec.parse(["Write a poem to poem.txt"]).code


def test_translation_web_and_addresses():
    assert GoalSpec.parse(["Translate this into Chinese and write it to zh.txt: Hello."]).translate
    assert GoalSpec.parse(["把下面这句话翻译成英文，写入 en.txt：你好。"]).translate
    assert not GoalSpec.parse(["Read translation.txt and count its words into n.txt"], ["translation.txt"]).translate
    assert not GoalSpec.parse(["Write a module that makes a URL slug into slug.py"]).web
    assert GoalSpec.parse(["Search the web for the latest Python release and write it to v.txt"]).web
    spec = GoalSpec.parse(["Read https://example.com/a.html, then http://example.org/b."])
    assert spec.urls == ["https://example.com/a.html", "http://example.org/b"] and spec.web is False
    assert addresses("见 https://example.com/页面。") == ["https://example.com/页面"]


def test_named_files_keep_apart_addresses_and_libraries():
    assert named_files("Use node.js to write app.js from https://x.org/a.txt into b.txt") == ["app.js", "b.txt"]
    assert named_files("把结果写入result.txt，再写到 报告.md") == ["result.txt", "报告.md"]


def test_the_spec_survives_a_round_trip_through_json():
    spec = GoalSpec.parse(["Write a title and three paragraphs to post.md", "读取 a.csv，计算总和，写入 t.txt"], ["a.csv"])
    assert GoalSpec.model_validate_json(spec.model_dump_json()) == spec


@pytest.mark.parametrize(("goal", "places"), [
    ("Calculate the average score in scores.csv, rounded to two decimal places, and write it to average.txt.", 2),
    ("计算 grades.csv 中数学成绩的平均分，保留一位小数，写入 average.txt。", 1),
    ("把结果精确到小数点后两位，写入 out.txt", 2),
    ("Write pi to 3 decimal places in pi.txt", 3),
    ("Write the price with up to two decimal places to price.txt", None),
    ("把结果最多保留两位小数写入 out.txt", None),
    ("Write the number of decimals in pi you know to n.txt", None),
])
def test_decimal_places_asked_for(goal, places):
    assert GoalSpec.parse([goal]).decimals == places


@pytest.mark.parametrize(("goal", "derived"), [
    ("Calculate the average score in scores.csv and write it to average.txt.", True),
    ("sales.csv has sales. Which region has the highest total (the sum of its amounts)? Write it to answer.txt", True),
    ("How many days do I have to return an item? faq.txt says; write only the number to days.txt.", False),
    ("How many moons does Mars have? Write only the number to moons.txt.", False),
    ("What does the word in scores.csv mean? Write a short definition to meaning.txt.", False),
    ("Write the mean of the score column of scores.csv to mean.txt.", True),
])
def test_derived_answers(goal, derived):
    assert GoalSpec.parse([goal], existing={"scores.csv", "sales.csv", "faq.txt"}).derived is derived


def test_completed_by_is_the_step_that_wrote_the_last_result() -> None:
    spec = GoalSpec.parse(["Write the total to total.txt and the mean to mean.txt"])
    there = {"total.txt"}
    assert not spec.completed_by(["total.txt"], there.__contains__)  # mean.txt is still missing
    there.add("mean.txt")
    assert spec.completed_by(["mean.txt"], there.__contains__)
    assert not spec.completed_by(["notes.txt"], there.__contains__)  # a step that wrote neither
    assert not spec.completed_by([], there.__contains__)
