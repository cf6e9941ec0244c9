"""The agent's prompts, in English and Chinese.

The system prompt (constraints, commands, reply format, an example, then identity and goals) never changes
during a run, and its task-independent part is the same for every run, so a local model's KV cache keeps
it; the step history is appended after it, and a short state message (step, workspace files, what is done
and what is left) comes last.
"""

from __future__ import annotations

import json
from typing import Literal

from autogpt.agent.schema import PlanItem
from autogpt.llm.base import contains_cjk
from autogpt.tools.registry import Tool

Language = Literal["en", "zh"]


def detect_language(*texts: str) -> Language:
    """Chinese if the user wrote any Chinese, else English."""
    return "zh" if any(contains_cjk(t) for t in texts) else "en"


TEXT: dict[str, dict[str, str]] = {
    "en": {
        "intro": (
            "You are an autonomous agent. You work towards the goals given at the end of this message, "
            "one command at a time. Make decisions yourself and pursue simple strategies."
        ),
        "identity": "You are {name}, {role}.",
        "goals": "GOALS",
        "constraints": "CONSTRAINTS",
        "constraint_list": (
            "Use only the commands listed below, with their exact names and arguments.\n"
            "File paths are relative to your workspace folder; you cannot leave it. "
            "It holds only the files listed at each step.\n"
            "Use your own knowledge for facts; do not search folders for them.\n"
            "One command per reply. Never repeat a command that already succeeded: read the results of earlier steps.\n"
            "Write the real, complete content of a file in one command: everything the goal asks for "
            "(all paragraphs, all items), no placeholders.\n"
            "Keep each thought to one short sentence.\n"
            "When every goal is done, call finish with a one-sentence summary."
        ),
        "ask_user": (
            "Use ask_user only for facts that only the user can know (their preferences, private details); "
            "never for general knowledge, which you have yourself."
        ),
        "commands": "COMMANDS",
        "format": "RESPONSE FORMAT: reply with exactly one JSON object and nothing else:",
        "example": 'EXAMPLE, for the goal "Save the word hello to a.txt":',
        "example_step": "Step {n}:",
        "example_result": "(result: Wrote 5 characters to a.txt.)",
        "language": "Write your thoughts in English.",
        "history": "Steps so far:",
        "omitted": "({n} earlier steps omitted)",
        "result": "Result of {command}:",
        "failed": "Command {command} failed: {error}",
        "not_executed": "Command {command} was not executed: {reason}",
        "feedback": "The user did not run {command} and said: {feedback}",
        "bad_reply": "Your previous reply could not be used: {error}",
        "human_note": "The user says: {text}",
        "state_first": "Step 1. Nothing has been done yet.",
        "state": "Step {step} (at most {max_steps}).",
        "next_first": "Make a short plan for the goals and give the first command.",
        "next": "Which goals are done, and what is the next command? If every goal is done, call finish now.",
        "files": "Files in the workspace: {files}",
        "no_files": "The workspace is empty.",
        "done": "Done: {tasks}",
        "todo": "Still to do: {tasks}",
        "repeat": (
            "You just ran exactly this command with the same arguments; its result is above. "
            "Do not repeat it: choose a different command, or finish if the goals are done."
        ),
        "reply_again": "Reply again with one JSON object in the required format.",
        "truncated": "[... output truncated: {n} more characters not shown]",
        "end_max_steps": "Stopped: the step limit ({limit}) was reached.",
        "end_max_tokens": "Stopped: the token budget ({limit}) was used up.",
        "end_max_cost": "Stopped: the cost budget (${limit}) was used up.",
        "end_max_time": "Stopped: the time limit ({limit} s) was reached.",
        "end_stuck": "Stopped: the agent kept repeating the same command.",
        "end_stopped": "Stopped by the user.",
        "end_interrupted": "Interrupted by the user.",
        "end_error": "Stopped by an error: {error}",
        "end_done": "Done: {tasks}.",
        "end_last": "Last: {text}",
    },
    "zh": {
        "intro": "你是一个自主智能体。你要一次执行一条命令地完成本消息末尾给出的目标。自己做决定，采用简单直接的策略。",
        "identity": "你是 {name}，{role}。",
        "goals": "目标",
        "constraints": "约束",
        "constraint_list": (
            "只能使用下面列出的命令，命令名和参数必须完全一致。\n"
            "文件路径相对于你的工作区文件夹，不能离开工作区。工作区里只有每一步列出的文件。\n"
            "事实性知识用你自己的知识回答，不要到文件夹里去找。\n"
            "每次回复只执行一条命令。已经成功的命令不要重复：先看前面步骤的结果。\n"
            "一条命令写入文件的全部真实内容：目标要求的都要写全（所有段落、所有条目），不要占位符。\n"
            "每条想法只写一句简短的话。\n"
            "所有目标完成后，调用 finish 并用一句话总结。"
        ),
        "ask_user": "ask_user 只用于只有用户才知道的信息（偏好、私人细节）；常识你自己就知道，不要问用户。",
        "commands": "命令",
        "format": "回复格式：只回复一个 JSON 对象，不要有其他内容（键名保持英文）：",
        "example": "示例，目标为“把 hello 这个词保存到 a.txt”：",
        "example_step": "第 {n} 步：",
        "example_result": "（结果：Wrote 5 characters to a.txt.）",
        "language": "thoughts 的内容以及写给用户的内容都用中文。",
        "history": "已经执行的步骤：",
        "omitted": "（省略了更早的 {n} 个步骤）",
        "result": "{command} 的结果：",
        "failed": "命令 {command} 失败：{error}",
        "not_executed": "命令 {command} 没有执行：{reason}",
        "feedback": "用户没有执行 {command}，而是说：{feedback}",
        "bad_reply": "你上一次的回复无法使用：{error}",
        "human_note": "用户说：{text}",
        "state_first": "第 1 步。还什么都没做。",
        "state": "第 {step} 步（最多 {max_steps} 步）。",
        "next_first": "为目标做一个简短的计划，并给出第一条命令。",
        "next": "哪些目标已经完成？下一条命令是什么？如果所有目标都已完成，现在就调用 finish。",
        "files": "工作区中的文件：{files}",
        "no_files": "工作区是空的。",
        "done": "已完成：{tasks}",
        "todo": "待完成：{tasks}",
        "repeat": "你刚刚用完全相同的参数执行过这条命令，结果就在上面。不要重复：换一条命令，或者在目标完成时调用 finish。",
        "reply_again": "请按要求的格式重新回复一个 JSON 对象。",
        "truncated": "[……输出已截断：还有 {n} 个字符未显示]",
        "end_max_steps": "已停止：达到步数上限（{limit}）。",
        "end_max_tokens": "已停止：token 预算（{limit}）已用完。",
        "end_max_cost": "已停止：费用预算（${limit}）已用完。",
        "end_max_time": "已停止：达到时间上限（{limit} 秒）。",
        "end_stuck": "已停止：智能体一直重复同一条命令。",
        "end_stopped": "已被用户停止。",
        "end_interrupted": "已被用户中断。",
        "end_error": "因错误停止：{error}",
        "end_done": "已完成：{tasks}。",
        "end_last": "最后：{text}",
    },
}

# Two steps of a worked example: the first command, then -- after its result -- finish. Small models
# learn the shape of a whole run from it, including when to stop.
_EXAMPLE: dict[str, list[dict[str, object]]] = {
    "en": [
        {
            "thoughts": {
                "observations": "Nothing has been done yet.",
                "plan": [{"task": "Write hello to a.txt", "status": "doing"}, {"task": "Finish", "status": "todo"}],
                "reasoning": "The goal needs the word hello in a.txt, so I write it.",
                "criticism": "None.",
                "speak": "I am writing a.txt.",
            },
            "command": {"name": "write_file", "args": {"path": "a.txt", "content": "hello"}},
        },
        {
            "thoughts": {
                "observations": "a.txt was written with hello.",
                "plan": [{"task": "Write hello to a.txt", "status": "done"}, {"task": "Finish", "status": "doing"}],
                "reasoning": "Every goal is done, so I finish.",
                "criticism": "None.",
                "speak": "a.txt contains hello.",
            },
            "command": {"name": "finish", "args": {"reason": "Wrote hello to a.txt."}},
        },
    ],
    "zh": [
        {
            "thoughts": {
                "observations": "还没有做任何事。",
                "plan": [{"task": "把 hello 写入 a.txt", "status": "doing"}, {"task": "结束任务", "status": "todo"}],
                "reasoning": "目标要求把 hello 写入 a.txt，所以我来写这个文件。",
                "criticism": "无。",
                "speak": "我正在写 a.txt。",
            },
            "command": {"name": "write_file", "args": {"path": "a.txt", "content": "hello"}},
        },
        {
            "thoughts": {
                "observations": "a.txt 已经写入 hello。",
                "plan": [{"task": "把 hello 写入 a.txt", "status": "done"}, {"task": "结束任务", "status": "doing"}],
                "reasoning": "所有目标都已完成，所以结束任务。",
                "criticism": "无。",
                "speak": "a.txt 中已经是 hello。",
            },
            "command": {"name": "finish", "args": {"reason": "已把 hello 写入 a.txt。"}},
        },
    ],
}

_FORMAT = {
    "thoughts": {
        "observations": "what the last result shows",
        "plan": [{"task": "short sub-task", "status": "todo | doing | done"}],
        "reasoning": "why the next command is right",
        "criticism": "what could be wrong",
        "speak": "one sentence for the user",
    },
    "command": {"name": "one of the commands", "args": {"argument": "value"}},
}


def t(lang: Language, key: str, **values: object) -> str:
    return TEXT[lang][key].format(**values)


def system_prompt(name: str, role: str, goals: list[str], tools: list[Tool], lang: Language) -> str:
    numbered = lambda items: "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))  # noqa: E731
    constraints = t(lang, "constraint_list").splitlines()
    if any(tool.requires_human for tool in tools):
        constraints.append(t(lang, "ask_user"))
    has_example_tool = any(tool.name == "write_file" for tool in tools)
    # Everything that does not depend on the task comes first, so a local model's KV cache keeps it
    # from one run to the next; the identity and goals come last.
    parts = [
        t(lang, "intro"),
        f"{t(lang, 'constraints')}:\n{numbered(constraints)}",
        f"{t(lang, 'commands')}:\n{numbered(f'{tool.signature()}: {tool.description}' for tool in tools)}",
        f"{t(lang, 'format')}\n{json.dumps(_FORMAT, ensure_ascii=False)}",
    ]
    if has_example_tool:
        first, second = (json.dumps(reply, ensure_ascii=False) for reply in _EXAMPLE[lang])
        parts.append(f"{t(lang, 'example')}\n{t(lang, 'example_step', n=1)} {first}\n"
                     f"{t(lang, 'example_result')}\n{t(lang, 'example_step', n=2)} {second}")
    parts.append(t(lang, "language"))
    parts.append(f"{t(lang, 'identity', name=name, role=role)}\n{t(lang, 'goals')}:\n{numbered(goals)}")
    return "\n\n".join(parts)


def state_message(
    step: int, max_steps: int | None, plan: list[PlanItem], files: list[str], lang: Language
) -> str:
    """The end of every prompt: where the run stands, and a question that makes the model check its goals.

    Measured with the 1.5B embedded model: repeating the goals here makes it redo finished work; listing
    what is done and what is left, then asking which goals are done, makes it move on (or finish).
    """
    lines = [t(lang, "state_first") if step == 1 else t(lang, "state", step=step, max_steps=max_steps or "∞")]
    if files:
        shown = ", ".join(files[:30]) + (f" (+{len(files) - 30})" if len(files) > 30 else "")
        lines.append(t(lang, "files", files=shown))
    else:
        lines.append(t(lang, "no_files"))
    if step > 1:
        done = [item.task for item in plan if item.status == "done"]
        todo = [item.task for item in plan if item.status != "done"]
        if done:
            lines.append(t(lang, "done", tasks="; ".join(done)))
        if todo:
            lines.append(t(lang, "todo", tasks="; ".join(todo)))
    lines.append(t(lang, "next_first") if step == 1 else t(lang, "next"))
    return "\n".join(lines)


def chat_system_prompt(name: str, role: str, lang: Language) -> str:
    if lang == "zh":
        return f"你是 {name}，{role}。请用用户使用的语言，简洁、准确、有帮助地回答。"
    return f"You are {name}, {role}. Answer helpfully, accurately and concisely, in the language the user writes in."
