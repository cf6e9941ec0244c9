"""``verifier``: before finish the model checks each goal against the outputs it names; "not met" sends the run
back to work with the reason, at most twice a run."""

import json

import pytest
from checkrun import ordinary, run

from autogpt.checks.verifier import request, unmet
from autogpt.testing import reply

GOALS = ["Write a haiku about rain to haiku.txt", "Write the capital of Japan to capital.txt", "Then finish"]


def _says(*met):
    def answer(req):
        keys = list(req.response_schema["properties"])
        return {key: {"evidence": "checked", "met": ok} for key, ok in zip(keys, met, strict=False)}
    return answer


def _steps():
    return [reply("write_file", path="haiku.txt", content="Rain on the window"),
            reply("write_file", path="capital.txt", content="Tokyo")]


def test_a_goal_found_not_met_sends_the_run_back_with_the_reason(tmp_path):
    verdicts = iter([{"goal_1": {"evidence": "The haiku has one line, not three.", "met": False},
                      "goal_2": {"evidence": "capital.txt says Tokyo.", "met": True}},
                     {"goal_1": {"evidence": "three lines", "met": True}, "goal_2": {"evidence": "Tokyo", "met": True}}])
    steps = [*_steps(), reply("finish", reason="done"),
             reply("write_file", path="haiku.txt", content="Rain on the window\nsoft drums\nthe night"),
             reply("finish", reason="done")]
    done = run(tmp_path, GOALS, steps, verify=lambda req: next(verdicts))
    assert [e.step for e in done.of("verifier")] == [3]
    assert "goal 1" in done.observation(3) and "one line, not three" in done.observation(3)
    assert done.result.status == "finished" and done.result.steps == 5
    verify_calls = [c for c in done.model.calls if c.purpose == "verify"]
    assert len(verify_calls) == 2
    assert set(verify_calls[0].response_schema["properties"]) == {"goal_1", "goal_2"}  # "Then finish" names no file
    assert "Rain on the window" in verify_calls[0].messages[1].content


def test_at_most_two_refusals_a_run(tmp_path):
    steps = [*_steps(), *[reply("finish", reason=f"done {n}") for n in range(3)]]
    done = run(tmp_path, GOALS, steps, verify=_says(False, True))
    assert len(done.of("verifier")) == 2 and done.result.status == "finished"


def test_a_verifier_that_cannot_answer_holds_nothing_up(tmp_path):
    done = run(tmp_path, GOALS, [*_steps(), reply("finish", reason="done")], verify=lambda req: "not json at all")
    assert not done.of("verifier") and done.result.status == "finished"


def test_the_prompt_and_refusal_are_in_chinese(tmp_path):
    steps = [reply("write_file", path="诗.txt", content="春眠不觉晓"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["写一首四句的诗到 诗.txt"], steps, verify=_says(False))
    call = next(c for c in done.model.calls if c.purpose == "verify")
    assert "检查" in call.messages[0].content
    assert "没有达到" in done.observation(2)


def test_unmet_reads_the_first_goal_not_met():
    goals = [(1, "a", ["a.txt"]), (2, "b", ["b.txt"])]
    answer = json.dumps({"goal_1": {"evidence": "ok", "met": True}, "goal_2": {"evidence": "empty", "met": False}})
    assert unmet(answer, goals) == (2, "empty")
    assert unmet(json.dumps({"goal_1": {"evidence": "", "met": True}}), goals) is None


def test_the_request_shows_the_measured_size_of_each_output(tmp_path):
    from autogpt.checks.base import ChecksState, Situation
    from autogpt.goal import GoalSpec
    from autogpt.tools import default_tools
    from autogpt.workspace import Workspace

    (tmp_path / "post.md").write_text("# Title\n\nOne paragraph only.\n", encoding="utf-8")
    spec = GoalSpec.parse(["Write a title and three paragraphs to post.md"])
    s = Situation(spec=spec, lang="en", acts=[], workspace=Workspace(tmp_path), tools=default_tools(),
                  state=ChecksState(spec=spec))
    text = request(s, [(1, spec.goals[0], ["post.md"])]).messages[1].content
    assert "1 paragraphs" in text and "One paragraph only." in text


@pytest.mark.parametrize("name", ["blog_post_ai_agents", "zh_thank_you_note"])
def test_one_verifier_call_on_ordinary_goals_that_says_met(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "verifier"]
