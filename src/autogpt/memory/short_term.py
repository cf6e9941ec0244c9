"""Short-term memory: the recent steps verbatim, older ones one line each, within a token budget.

Small models drift and repeat themselves when the history is long (and copy their own earlier replies
when those are shown as assistant turns), and every prompt token costs time on a CPU. So the history is
one compact log in the user's message: up to the last ``verbatim_steps`` steps in full, each older step as
one line, and the oldest lines dropped (with a note) when even that does not fit.

A local model keeps the prompt's unchanged start in its KV cache and evaluates only what follows the first
change (~16 ms a token on two cores). So new steps are appended at the end, and older steps are folded into
their one-line form in blocks, about half of the full steps at once, rather than one every step: a sliding
window would change the history four steps back at every step, and the model would read those four steps
again each time.
"""

from __future__ import annotations

from collections.abc import Callable

from autogpt.agent.prompts import Language, t
from autogpt.agent.steps import StepBase
from autogpt.llm.base import estimate_tokens


class ShortTermMemory:
    def __init__(self, verbatim_steps: int = 5, count_tokens: Callable[[str], int] = estimate_tokens) -> None:
        self.verbatim_steps = verbatim_steps
        self.count_tokens = count_tokens
        self.steps: list[StepBase] = []

    def add(self, step: StepBase) -> None:
        self.steps.append(step)

    def __len__(self) -> int:
        return len(self.steps)

    def shown_in_full(self) -> int:
        """How many of the latest steps are shown in full: all up to ``verbatim_steps``; past that, each time one
        more would not fit, the oldest full steps are folded at once down to about half (``verbatim_steps`` 5:
        1, 2, 3, 4, 5, 3, 4, 5, 3, …), so the history only grows at its end between two folds."""
        count, most = len(self.steps), self.verbatim_steps
        if count <= most:
            return count
        fewest = (most + 1) // 2
        return fewest + (count - most - 1) % (most - fewest + 1)

    def render(self, budget_tokens: int, lang: Language) -> str:
        """The history as the model reads it, using at most about ``budget_tokens`` tokens ("" if empty)."""
        if not self.steps:
            return ""
        recent = self.steps[-self.shown_in_full() :]
        older = self.steps[: len(self.steps) - len(recent)]
        blocks = [step.render(lang, latest=step is self.steps[-1]) for step in recent]
        cost = [self.count_tokens(block) + 1 for block in blocks]
        # Recent steps may use at most three quarters of the budget; spill the oldest into one-liners.
        while len(blocks) > 1 and sum(cost) > budget_tokens * 3 // 4:
            older.append(recent.pop(0))
            blocks.pop(0)
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
        omitted = len(older) - len(lines)
        header = [t(lang, "history")] + ([t(lang, "omitted", n=omitted)] if omitted else [])
        return "\n".join([*header, *lines, *blocks])


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
