"""Learning from past runs: a reward for every run, lessons distilled from it, and their weights.

The seeds' loop "evaluates each result and adjusts its strategy" with "a reward function and policy
optimisation". Here the policy is the prompt: after a run the agent scores it (:func:`checked_reward`, from
what can be checked, plus the model's own assessment) and distils at most two lessons ("to sum a CSV column,
run Python; don't retype numbers"). A later run with a similar task gets the relevant lessons in its system
prompt. Each lesson has a ``weight``: every run that used it moves the weight towards that run's reward by
``lesson_rate``; lessons whose weight stays low are pruned, so bad advice dies out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autogpt.agent.steps import ActionStep, StepBase
from autogpt.goal import named_files
from autogpt.llm.base import Message, Model, ModelRequest, contains_cjk
from autogpt.memory.base import LongTermMemory, MemoryRecord, NewMemory

LESSONS = "lessons"
#: A lesson this similar to an existing one (cosine) is the same lesson: its weight is updated instead.
SAME_LESSON = 0.95
#: Lessons less similar than this to a new task are not shown. multilingual-e5-small's cosines are compressed:
#: a CSV lesson scores 0.85 against our benchmark's CSV goals, 0.82 against a Chinese CSV goal, up to 0.83
#: against other computing goals and 0.76 against writing a poem. A lesson is short general advice, so a
#: near miss costs little; only the best three are shown, weighted.
RELEVANT = 0.81
#: ... and the task the lesson came from must be at least this similar to the new one. A lesson's advice is
#: general, so its own text scores alike against most goals: "Always append to the end of a file using
#: append_file, not overwrite it with write_file", from a task that appended a line, scored 0.814 against a
#: Fibonacci goal, was shown to it, and its program appended. Task against task: 0.799 there, 0.836 from one
#: module task to another, 0.858 from an English CSV sum to a Chinese one.
SIMILAR_TASK = 0.83
#: Lessons are kept only from a run whose reward is at least this. The embedded model's reviews of runs that went
#: wrong gave wrong advice, shown to later tasks: "To write a file with formatted data, use append_file; do not
#: overwrite it with write_file" (from a run that finished with a wrong report, reward 0.66), after which a copying
#: task appended one line of its input and a summing task appended its total to typed numbers.
LEARN_FROM = 0.85
PRUNE_BELOW, PRUNE_AFTER_USES = 0.25, 2
INITIAL_WEIGHT = 0.5

_CODE_TOOLS = {"execute_python", "execute_python_file", "execute_shell"}
_CHECK_TOOLS = _CODE_TOOLS | {"read_file", "list_folder"}


@dataclass
class RunScore:
    """The reward of a run (0 to 1) and what it was made of."""

    reward: float
    parts: dict[str, float] = field(default_factory=dict)
    lessons: list[str] = field(default_factory=list)


def checked_reward(status: str, history: Sequence[StepBase], *, missing: Sequence[str], max_steps: int | None,
                   self_score: float | None = None, typed_numbers: bool = False) -> RunScore:
    """The reward from what can be checked: finished (0.4), no file the goals or the finish reason name is
    missing (0.2), a successful check of the work after the last write and no number in the output that was typed
    rather than shown by a command (0.1, see :mod:`autogpt.checks.grounding`), few steps and failures (0.1), and
    the model's own assessment, 0 to 1 (0.2; the finished part stands in when there is none)."""
    actions = [s for s in history if isinstance(s, ActionStep)]
    finished = 1.0 if status == "finished" else 0.0
    files_ok = 0.0 if missing or not finished else 1.0
    last_write = max((i for i, s in enumerate(actions) if s.reply.command.name in ("write_file", "append_file")
                      and s.ok), default=-1)
    verified = 1.0 if any(s.ok and s.reply.command.name in _CHECK_TOOLS for s in actions[last_write + 1:]) \
        or (last_write == -1 and any(s.ok and s.reply.command.name in _CODE_TOOLS for s in actions)) else 0.0
    if typed_numbers:
        verified = 0.0
    failures = sum(1 for s in actions if not s.ok)
    steps = len(history)
    efficiency = max(0.0, 1.0 - failures / max(steps, 1) - (steps / max_steps if max_steps else 0) / 2)
    assessed = finished if self_score is None else min(max(self_score, 0.0), 1.0)
    parts = {"finished": finished, "files": files_ok, "verified": verified, "efficiency": round(efficiency, 3),
             "self": assessed}
    reward = 0.4 * finished + 0.2 * files_ok + 0.1 * verified + 0.1 * efficiency + 0.2 * assessed
    return RunScore(reward=round(reward, 3), parts=parts)


# The example lesson of the review prompt. The embedded model copies it as a "lesson" of runs that had nothing to
# do with it; shown to the next computing task (a sum of primes), it sent the model looking for a CSV file.
_EXAMPLE = {"en": "To sum a CSV column, run Python on the file; never retype the numbers.",
            "zh": "要对 CSV 的一列求和，用 Python 读取文件计算，不要手抄数字。"}
_REFLECT = {
    "en": ("You review a finished task of an autonomous agent. Task goals:\n{goals}\n\nWhat the agent did:\n{steps}\n\n"
           "How it ended: {status}. {summary}\n\n"),
    "zh": "你在复盘一个自主智能体完成的任务。任务目标：\n{goals}\n\n智能体的步骤：\n{steps}\n\n结果：{status}。{summary}\n\n",
}
_ASK_SCORE = {"en": 'Reply with one JSON object: {"score": 0 to 10 (how well the goals were really met)}.',
              "zh": '只回复一个 JSON 对象：{"score": 0 到 10（目标实际完成得如何）}。'}
# Lessons are asked for only about the mistakes the run made and then got past: a run that went smoothly has nothing
# to teach that the prompt does not already say, and its reviews were filler ("Always check if the file exists
# before writing to it", kept from five smooth runs) or wrong ("To count the words in a file, use
# read_file ... then write_file").
_ASK_LESSONS = {
    "en": ("It made these mistakes and then got past them:\n{mistakes}\n\n"
           'Reply with one JSON object: {{"score": 0 to 10 (how well the goals were really met), "lessons": [at most '
           "2 lessons]}}. A lesson is one general sentence that says what to do instead of such a mistake on a "
           'SIMILAR task next time (e.g. "{example}"). No lesson that only repeats the goal; no values specific to '
           "this task."),
    "zh": ("它犯过这些错误，后来改正了：\n{mistakes}\n\n"
           '只回复一个 JSON 对象：{{"score": 0 到 10（目标实际完成得如何）, "lessons": [最多 2 条经验]}}。'
           "每条经验是一句通用的话，说明下次遇到类似任务时该怎么做才能避免这样的错误（例如“{example}”）。"
           "不要复述目标，不要写本任务特有的数值。"),
}
_MISTAKE = {"en": "- step {failed}: {command} failed ({error}); step {fixed}: {fix} worked",
            "zh": "- 第 {failed} 步：{command} 失败（{error}）；第 {fixed} 步：{fix} 成功"}
_SCORE_SCHEMA = {"type": "object", "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 10}},
                 "required": ["score"]}
_REFLECT_SCHEMA = {
    "type": "object",
    "properties": {
        **_SCORE_SCHEMA["properties"],
        "lessons": {"type": "array", "items": {"type": "string", "maxLength": 240}, "maxItems": 2},
    },
    "required": ["score", "lessons"],
}


def fixed_mistakes(history: Sequence[StepBase]) -> list[tuple[ActionStep, ActionStep]]:
    """The steps that failed (or were refused) and the later step of the same command that worked: what a run can
    teach. A failure never got past teaches nothing sure (the run's review guessed at a cure and got it wrong)."""
    actions = [s for s in history if isinstance(s, ActionStep)]
    pairs: list[tuple[ActionStep, ActionStep]] = []
    for i, step in enumerate(actions):
        if step.ok or step.reply.command.name == "finish":
            continue
        fix = next((later for later in actions[i + 1:] if later.ok and later.executed
                    and later.reply.command.name == step.reply.command.name), None)
        if fix is not None and all(fix is not other for _, other in pairs):
            pairs.append((step, fix))
    return pairs[-3:]


async def reflect(model: Model, goals: Sequence[str], history: Sequence[StepBase], status: str, summary: str,
                  lang: str = "en", *, system: Message | None = None) -> tuple[float | None, list[str]]:
    """The model's own score of the run (0 to 1) and up to two lessons. A reply that is not the JSON asked
    for gives ``(None, [])``: a run is never lost because its review failed. ``system``: the run's own system
    message, sent first, so that a local model's KV cache still holds its beginning for the next task (a review
    with a prompt of its own replaced it: every task's first step evaluated its ~1,500 tokens again)."""
    from json_repair import repair_json

    steps = "\n".join(step.summary_line(lang) for step in history[-20:]) or "-"  # type: ignore[arg-type]
    key = "zh" if lang == "zh" else "en"
    mistakes = "\n".join(_MISTAKE[key].format(failed=bad.number, command=bad.reply.command.short(40),
                                              error=_error_line(bad.observation), fixed=good.number,
                                              fix=good.reply.command.short(40))
                         for bad, good in fixed_mistakes(history))
    ask = _ASK_LESSONS[key].format(mistakes=mistakes, example=_EXAMPLE[key]) if mistakes else _ASK_SCORE[key]
    text = _REFLECT[key].format(goals="\n".join(f"- {g}" for g in goals), steps=steps, status=status,
                                summary=summary[:400]) + ask
    messages = [*([system] if system is not None else []), Message("user", text)]
    schema = _REFLECT_SCHEMA if mistakes else _SCORE_SCHEMA
    completion = await model.complete(ModelRequest(messages=messages, response_schema=schema,
                                                   params={"temperature": 0.0, "max_tokens": 200 if mistakes else 20}))
    try:
        data = json.loads(repair_json(completion.text))
        score = float(data["score"]) / 10
        lessons = [" ".join(str(x).split()) for x in data.get("lessons", []) if isinstance(x, str)] if mistakes else []
    except (ValueError, KeyError, TypeError):
        return None, []
    return score, [lesson for lesson in lessons if _general(lesson)][:2]


_EXCEPTION = re.compile(r"^[\w.]*(?:Error|Exception)\b.*", re.MULTILINE)


def _error_line(observation: str, limit: int = 120) -> str:
    """What went wrong in a failed step, in one line: a traceback's exception line (not the note added below it),
    else the first line (a refusal's reason)."""
    found = _EXCEPTION.findall(observation)
    line = (found[-1] if found else next((ln for ln in observation.splitlines() if ln.strip()), "")).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


# Code in a lesson: a call with keyword arguments, an import, a pandas frame, braces, a comparison, a string closed
# inside a call or code span ("utf-8')`").
_CODE = re.compile(r"\w\([^)]*=|\bimport\b|\bdf\[|[{}]|==|['\"][)`]")


# A report on the run rather than advice: "The agent did not filter the rows based on the status 'shipped' as
# required..." (a benchmark run stored it, and the next CSV task, which has no status column, filtered on it).
_REPORT = re.compile(r"^(?:the (?:agent|assistant|ai|model|task|run)|this (?:task|run)|it (?:did|was|should))\b|"
                     r"^(?:该|这个|本次)?(?:代理|智能体|助手|任务|模型)", re.IGNORECASE)
_QUOTED = re.compile(r"['\"“‘「][^'\"”’」\n]{1,40}['\"”’」]")  # a value of the task: 'shipped', "Lyon"
_ANSWER = re.compile(r"\d{4,}")  # a result of the task: "Both methods will give you the correct result of 832040."
_SENTENCE_ENDS = (".", "!", "。", "！", ")", "）")


def _general(lesson: str) -> bool:
    """Whether a lesson can help another task: a whole sentence (not a fragment cut by the length limit) of
    advice that begins as a sentence does (with a capital), naming no file, quoting no value and holding no code.
    A benchmark run kept "utf-8')`. This ensures that the file is read as UTF-8...", the tail of a lesson whose
    beginning was cut, and showed it to later tasks. The embedded model's reviews also gave
    "read_file(path='temps.csv'), execute_python(code=" and ".join(map(str, df['temp'].mean()))": task-specific,
    and wrong (pandas is not there)."""
    if _words(lesson) in {_words(example) for example in _EXAMPLE.values()}:  # the prompt's example, copied
        return False
    return (12 <= len(lesson) <= 300 and (lesson[0].isupper() or contains_cjk(lesson[0]))
            and lesson.endswith(_SENTENCE_ENDS) and not _REPORT.search(lesson) and not _QUOTED.search(lesson)
            and not _ANSWER.search(lesson) and not named_files(lesson) and not _CODE.search(lesson))


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


_NAMED = re.compile(r"\b([A-Za-z_]\w{2,})(?:\(|\.py\b)")  # slugify(text), slugify.py


def _own_names(lesson: MemoryRecord, task: str) -> bool:
    """Whether a lesson names a function or module its own task gave (``slugify``) that ``task`` does not: such a
    lesson was about that code, and shown to another module task ("The function slugify does not handle spaces…")
    it made the model import that module there, and try to install a package of its name."""
    asked = {name.lower() for name in _NAMED.findall(str(lesson.metadata.get("task", "")))}
    named = set(re.findall(r"\w+", lesson.text.lower())) & asked
    return bool(named - set(re.findall(r"\w+", task.lower())))


class LessonBook:
    """The lessons in a long-term memory: retrieve for a task, learn from a run, update, prune."""

    def __init__(self, memory: LongTermMemory, rate: float = 0.3) -> None:
        self.memory, self.rate = memory, rate

    def relevant(self, task: str, k: int = 3) -> list[MemoryRecord]:
        """The lessons for a task like ``task``: similar enough, weighted, best first."""
        hits = [h for h in self.memory.search(task, namespace=LESSONS, k=k * 4)
                if h.similarity is not None and h.similarity >= RELEVANT and not _own_names(h.record, task)]
        if hits:
            embedder = self.memory.embedder
            [query] = embedder.embed_queries([task])
            origins = embedder.embed_passages([str(h.record.metadata.get("task") or h.record.text) for h in hits])
            hits = [h for h, origin in zip(hits, origins, strict=True) if _dot(query, origin) >= SIMILAR_TASK]
        hits.sort(key=lambda h: (h.similarity or 0) * (0.5 + _weight(h.record)), reverse=True)
        return [h.record for h in hits[:k]]

    def learn(self, task: str, lessons: Sequence[str], reward: float, *, run_id: str) -> list[MemoryRecord]:
        """Store new lessons (an existing near-identical one is reinforced instead)."""
        stored = []
        for lesson in lessons:
            same = self._same(lesson)
            if same is not None:
                stored.append(self._update(same, reward))
                continue
            meta = {"task": task[:500], "reward": reward, "weight": INITIAL_WEIGHT, "uses": 0}
            stored += self.memory.add_many([NewMemory(text=lesson, namespace=LESSONS, source=f"run:{run_id}",
                                                      metadata=meta)])
        return stored

    def reward(self, used: Sequence[MemoryRecord], reward: float) -> list[str]:
        """Move each used lesson's weight towards ``reward``; returns the ids of lessons pruned."""
        pruned = []
        for record in used:
            try:
                record = self.memory.get(record.id)
            except LookupError:
                continue
            updated = self._update(record, reward)
            meta = updated.metadata
            if meta["uses"] >= PRUNE_AFTER_USES and meta["weight"] < PRUNE_BELOW:
                self.memory.delete(updated.id)
                pruned.append(updated.id)
        return pruned

    def _same(self, lesson: str) -> MemoryRecord | None:
        """An existing lesson that says the same thing (passage against passage: search compares a query)."""
        candidates = [h.record for h in self.memory.search(lesson, namespace=LESSONS, k=3)]
        if not candidates:
            return None
        new, *old = self.memory.embedder.embed_passages([lesson, *(c.text for c in candidates)])
        similarity = [_dot(new, vector) for vector in old]
        best = max(range(len(candidates)), key=similarity.__getitem__)
        return candidates[best] if similarity[best] >= SAME_LESSON else None

    def _update(self, record: MemoryRecord, reward: float) -> MemoryRecord:
        meta: dict[str, Any] = dict(record.metadata)
        weight = _weight(record)
        meta["weight"] = round(weight + self.rate * (reward - weight), 4)
        meta["uses"] = int(meta.get("uses", 0)) + 1
        return self.memory.update(record.id, metadata=meta)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    """The cosine of two normalized embeddings."""
    return sum(x * y for x, y in zip(a, b, strict=True))


def _weight(record: MemoryRecord) -> float:
    try:
        return float(record.metadata.get("weight", INITIAL_WEIGHT))
    except (TypeError, ValueError):
        return INITIAL_WEIGHT


def render_lessons(lessons: Sequence[MemoryRecord]) -> str:
    return "\n".join(f"- {lesson.text}" for lesson in lessons)
