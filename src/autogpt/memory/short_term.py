"""Short-term memory: the recent steps verbatim, older ones one line each, within a token budget.

Small models drift and repeat themselves when the history is long, and every prompt token costs time on
a CPU, so the history is kept compact: the last ``verbatim_steps`` steps in full, each older step as one
line in a summary message, and the oldest lines dropped (with a note) when even that does not fit.
"""

from __future__ import annotations

from collections.abc import Callable

from autogpt.agent.prompts import Language, t
from autogpt.agent.steps import StepBase
from autogpt.llm.base import Message, estimate_tokens


class ShortTermMemory:
    def __init__(self, verbatim_steps: int = 4, count_tokens: Callable[[str], int] = estimate_tokens) -> None:
        self.verbatim_steps = verbatim_steps
        self.count_tokens = count_tokens
        self.steps: list[StepBase] = []

    def add(self, step: StepBase) -> None:
        self.steps.append(step)

    def __len__(self) -> int:
        return len(self.steps)

    def render(self, budget_tokens: int, lang: Language) -> list[Message]:
        """Messages for the prompt, using at most about ``budget_tokens`` tokens."""
        if not self.steps:
            return []
        recent = self.steps[-self.verbatim_steps :]
        older = self.steps[: len(self.steps) - len(recent)]
        rendered = [step.to_messages(lang) for step in recent]
        cost = [sum(self._tokens(m) for m in messages) for messages in rendered]
        # Recent steps may use at most three quarters of the budget; spill the oldest into the summary.
        while len(rendered) > 1 and sum(cost) > budget_tokens * 3 // 4:
            older.append(recent.pop(0))
            rendered.pop(0)
            cost.pop(0)
        left = budget_tokens - sum(cost)
        lines: list[str] = []
        for step in reversed(older):
            line = step.summary_line(lang)
            need = self.count_tokens(line) + 1
            if need > left:
                break
            lines.append(line)
            left -= need
        lines.reverse()
        messages: list[Message] = []
        if older:
            omitted = len(older) - len(lines)
            header = t(lang, "earlier") + (f"\n{t(lang, 'omitted', n=omitted)}" if omitted else "")
            messages.append(Message("user", "\n".join([header, *lines])))
        for group in rendered:
            messages.extend(group)
        return messages

    def _tokens(self, message: Message) -> int:
        return self.count_tokens(message.content) + 4


def truncate_observation(text: str, max_tokens: int, lang: Language) -> str:
    """Cut a tool output that would take more than ``max_tokens``, keeping head and tail, with a note."""
    if estimate_tokens(text) <= max_tokens:
        return text
    # Keep characters in proportion; CJK text is about one token per character.
    ratio = max_tokens / max(estimate_tokens(text), 1)
    keep = max(int(len(text) * ratio), 40)
    head, tail = text[: keep * 3 // 4], text[-(keep // 4) :]
    note = t(lang, "truncated", n=len(text) - len(head) - len(tail))
    return f"{head}\n{note}\n{tail}"
