"""The goal verifier (``full``): before ``finish``, the model reads each goal beside the outputs it names (bounded
excerpts, with their measured size) and answers, goal by goal, whether it is met and why, in a schema-constrained
reply. A goal it finds not met sends the run back to work with its reason; at most twice a run.

Only goals that name an output file are judged (their evidence is in the files); "Then finish" is not.
"""

from __future__ import annotations

import json

from autogpt.checks.base import Situation, Stage, Verdict, check, refuse
from autogpt.checks.outputs import measure
from autogpt.errors import ModelError, ReplyParseError
from autogpt.goal import named_files
from autogpt.llm.base import Message, ModelRequest

MAX_CALLS = 2  # "not met" answers a run may get
_EXCERPT = 1500  # characters of each output shown
_EVIDENCE = 300

_SYSTEM = {
    "en": "You check an assistant's work. For each goal you get the files it names as they are now: the files the "
          "assistant wrote, and the files given to read. Decide whether the written files do what the goal asks: "
          "every part it asks for (all of a text to copy, every row or line asked for), the number of paragraphs "
          "or items, the format. Do not redo calculations: judge what you can see. Answer in JSON.",
    "zh": "你负责检查助手的工作。每个目标后面给出了它提到的文件的当前内容：助手写的文件，以及给定要读取的文件。"
          "判断助手写的文件是否做到了目标要求的一切：要求的每一部分（要复制的文字要完整，要求的每一行都要有）、"
          "段落或条目的数量、格式。不要重新计算数字，只判断你看得到的内容。用 JSON 回答。",
}
_ASK = {
    "en": "For each goal, write the evidence (one short sentence quoting the files), then whether it is met.",
    "zh": "对每个目标，先写出证据（一句简短的话，引用文件内容），再判断是否达到。",
}
_SIZE = {"en": "{name} ({lines} lines, {paragraphs} paragraphs, {chars} characters):",
         "zh": "{name}（{lines} 行，{paragraphs} 段，{chars} 个字符）："}
_MISSING = {"en": "{name}: (missing)", "zh": "{name}：（不存在）"}
_GIVEN = {"en": "(given to read) ", "zh": "（给定的输入）"}


def judged_goals(s: Situation) -> list[tuple[int, str, list[str]]]:
    """``(number, goal, its files)`` for each goal that names a file the run is to make or change: the files it
    names, outputs and the inputs it gives (shown too, to compare with)."""
    results, inputs = set(s.spec.results), set(s.spec.inputs)
    judged = []
    for number, goal in enumerate(s.spec.goals, 1):
        named = [name for name in named_files(goal) if not name.endswith(".py")]
        if any(name in results for name in named):
            judged.append((number, goal, [name for name in named if name in results or name in inputs]))
    return judged


def _shown(s: Situation, name: str) -> str:
    text = s.text(name, 50_000)
    if text is None:
        return _MISSING.get(s.lang, _MISSING["en"]).format(name=name)
    given = _GIVEN.get(s.lang, _GIVEN["en"]) if name in s.spec.inputs else ""
    head = given + _SIZE.get(s.lang, _SIZE["en"]).format(name=name, lines=len(text.splitlines()),
                                                 paragraphs=measure(text, "paragraph") if text.strip() else 0,
                                                 chars=len(text))
    excerpt = text[:_EXCERPT] + (" […]" if len(text) > _EXCERPT else "")
    return f"{head}\n<<<\n{excerpt}\n>>>"


def request(s: Situation, goals: list[tuple[int, str, list[str]]]) -> ModelRequest:
    lang = s.lang if s.lang in _SYSTEM else "en"
    parts = []
    for number, goal, files in goals:
        shown = "\n".join(_shown(s, name) for name in files)
        parts.append(f"GOAL {number}: {goal}\n{shown}")
    schema = {
        "type": "object",
        "properties": {f"goal_{number}": {
            "type": "object",
            "properties": {"evidence": {"type": "string", "maxLength": _EVIDENCE}, "met": {"type": "boolean"}},
            "required": ["evidence", "met"]} for number, _, _ in goals},
        "required": [f"goal_{number}" for number, _, _ in goals],
    }
    return ModelRequest(messages=[Message("system", _SYSTEM[lang]),
                                  Message("user", "\n\n".join(parts) + "\n\n" + _ASK[lang])],
                        response_schema=schema, params={"temperature": 0.0, "max_tokens": 120 * len(goals) + 40},
                        purpose="verify")


def unmet(answer: str, goals: list[tuple[int, str, list[str]]]) -> tuple[int, str] | None:
    """The first goal the verifier's ``answer`` says is not met, with its reason; None when all are met."""
    try:
        data = json.loads(answer)
    except ValueError:
        raise ReplyParseError(f"The verifier's answer is not JSON: {answer[:200]!r}") from None
    if not isinstance(data, dict):
        raise ReplyParseError("The verifier's answer is not a JSON object.")
    for number, _, _ in goals:
        verdict = data.get(f"goal_{number}")
        if isinstance(verdict, dict) and verdict.get("met") is False:
            return number, str(verdict.get("evidence", "")).strip()[:_EVIDENCE]
    return None


@check("verifier", Stage.BEFORE_FINISH, "full")
async def verifier(s: Situation) -> Verdict | None:
    """The model checks each goal against the outputs it names; a goal it finds not met is worked on again."""
    goals = judged_goals(s)
    if not goals or s.ask_model is None or s.state.verified >= MAX_CALLS:
        return None
    try:
        completion = await s.ask_model(request(s, goals))
        found = unmet(completion.text, goals)
    except (ModelError, ReplyParseError):
        return None  # the verifier could not answer: the work is not held up by it
    if found is None:
        return None
    s.state.verified += 1
    number, reason = found
    if reason and reason[-1] not in ".。!！?？":
        reason += "." if s.lang != "zh" else "。"
    return refuse("not_met", subject=f"{s.state.verified}", goal=number, reason=reason)
