"""Ordinary goals done the ideal way must pass every check: benchmarks/ordinary/ (see its README.md).

Each goal file holds an everyday goal and its scripted, correct answer with the fewest commands a careful person
would run. Under ``checks="full"`` each must finish in exactly its ideal number of steps, with the script used up,
no ``check`` event (a check that fires on a correctly done ordinary goal is a bug), its output files as expected
and its input files unchanged (unless the goal says to change them).
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

_CORPUS = Path(__file__).parents[1] / "benchmarks" / "ordinary" / "corpus.py"
_spec = importlib.util.spec_from_file_location("ordinary_corpus", _CORPUS)
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus
_spec.loader.exec_module(corpus)

GOALS = corpus.load_goals()
_PROGRAMS = ("execute_python", "execute_python_file")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.mark.parametrize("goal", GOALS, ids=[goal.name for goal in GOALS])
def test_ordinary_goal_finishes_in_its_ideal_steps_with_no_check_firing(goal, tmp_path):
    outcome = asyncio.run(corpus.run_goal(goal, tmp_path, checks="full"))
    assert not outcome.problems(), outcome.report()
    assert outcome.result.steps == goal.ideal_steps
    outcome.model.assert_complete()
    assert not outcome.fired


def test_the_corpus_is_large_enough_and_covers_every_kind_in_both_languages():
    assert len(GOALS) >= 60
    langs = Counter(goal.lang for goal in GOALS)
    assert langs["zh"] >= 24, langs
    kinds = Counter((goal.kind, goal.lang) for goal in GOALS)
    for kind in corpus.KINDS:
        en, zh = kinds[(kind, "en")], kinds[(kind, "zh")]
        assert en >= 1 and zh >= 1, f"{kind}: {en} in English, {zh} in Chinese"
    assert len({goal.name for goal in GOALS}) == len(GOALS)


@pytest.mark.parametrize("goal", GOALS, ids=[goal.name for goal in GOALS])
def test_each_answer_follows_the_rules_the_checks_enforce(goal):
    """The corpus is only worth something if its answers are the ideal ones: the rules of README.md, statically."""
    written = {}  # path -> step number of its last write
    for number, step in enumerate(goal.steps, 1):
        path = step.args.get("path", "")
        if step.command in ("write_file", "append_file"):
            # rule 3: inputs are never written, unless the goal says to change them
            assert path not in goal.files or path in goal.changes, f"step {number} writes the input {path}"
            written[path] = number
        if step.command in _PROGRAMS:
            assert step.prints, f"step {number}: a program step says what it prints (prints:)"
    # rule 2: a .py the goal asks for is run (and its run succeeds: prints:) after it was last written
    for path, number in written.items():
        if path.endswith(".py"):
            assert any(s.command in _PROGRAMS for s in goal.steps[number:-1]), f"{path} is never run after step {number}"
    if goal.kind in ("code-module", "code-script"):
        assert any(p.endswith(".py") for p in written), "a code goal writes a .py"
    # rule 4: every expected output is made by a step (or by a program, which expect then checks after the run)
    for path in goal.expect:
        assert path in written or path in goal.changes or any(s.command in _PROGRAMS for s in goal.steps), path
    # rule 1: where numbers come from data (or a calculation is asked for), each one written appeared before it:
    # in the goal, in a file that was read, or in a program's output
    if goal.files or goal.kind in ("compute", "word-count"):
        seen = set(_NUMBER.findall(" ".join(goal.goals)))
        for number, step in enumerate(goal.steps, 1):
            if step.command in ("write_file", "append_file") and not step.args["path"].endswith(".py"):
                typed = set(_NUMBER.findall(step.args["content"]))
                assert typed <= seen, f"step {number} writes {sorted(typed - seen)}, which no earlier step showed"
            if step.command == "read_file":
                seen |= set(_NUMBER.findall(goal.files.get(step.args["path"], "")))
            seen |= set(_NUMBER.findall(" ".join(step.prints)))
