"""``docs/checks.md``, made from the registry (``python -m autogpt.checks > docs/checks.md``)."""

from __future__ import annotations

from autogpt.checks import REGISTRY, Stage

_STAGES = {Stage.MENU: "before each step (which commands it may choose)",
           Stage.BEFORE_TOOL: "before a command runs", Stage.AFTER_TOOL: "after a command ran",
           Stage.BEFORE_FINISH: "before `finish`"}


def render() -> str:
    lines = [
        "# Checks",
        "",
        "The agent's judgement: small checks that look at a run at four stages and say *allow*, *note* (a line",
        "added to a command's result), *refuse* (the command is not run and the model is told why; a finish",
        "refusal asks once, and the same finish sent again goes through) or *narrow* (the next step may choose",
        "only some commands or values). They live in `src/autogpt/checks/`; their messages, in English and",
        "Chinese, in `checks/messages.py`. Every firing is a `check` event in the run's stream.",
        "",
        "Profiles (`checks:` setting, `--checks` flag): **full** runs them all and is the default for local models;",
        "**light** runs the hygiene ones (profile *light* below) and is the default for API models; **off** runs none.",
        "",
        "This page is generated: `python -m autogpt.checks > docs/checks.md`.",
        "",
    ]
    for stage, title in _STAGES.items():
        lines += [f"## {title[0].upper()}{title[1:]}", "", "| check | profile | what it looks for |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.profile} | {c.purpose} |" for c in REGISTRY if c.stage == stage]
        lines.append("")
    return "\n".join(lines)
