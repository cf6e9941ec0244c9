"""What a benchmark run amounts to: per split (``dev``, ``test``) and overall, and the printed report.

Used by ``autogpt bench`` and by ``benchmarks/compare/run.py`` (one summary per agent), so both report the same way.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from autogpt.agent.steps import StepTiming
from autogpt.bench.challenge import SPLITS
from autogpt.bench.runner import Result

__all__ = ["SPLITS", "challenge_table", "summarise", "time_line", "totals_line", "totals_lines", "wilson_interval"]

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a success rate: ``successes`` of ``trials``, 95 % by default.

    Unlike the normal approximation (p ± z·√(p(1−p)/n)) it stays within 0..1 and is not zero-wide at 0 or n
    successes, which matters for the few dozen attempts a benchmark has: 0 of 20 gives 0–16 %, not 0–0 %.
    With p = k/n: centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
    No trials: (0.0, 1.0), nothing is known.
    """
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise ValueError(f"successes ({successes}) must be between 0 and trials ({trials})")
    p, n, z2 = successes / trials, trials, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # exact at the ends (the formula gives them up to rounding)
    return (0.0 if successes == 0 else max(0.0, centre - half), 1.0 if successes == trials else min(1.0, centre + half))


def _stats(results: Sequence[Result]) -> dict[str, Any]:
    names = sorted({r.name for r in results})
    solved = [n for n in names if any(r.success for r in results if r.name == n)]
    successes = sum(r.success for r in results)
    low, high = wilson_interval(successes, len(results))
    per_step = [r.seconds / r.steps for r in results if r.steps > 0 and r.seconds > 0]
    return {
        "challenges": len(names), "attempts": len(results),
        "solved": len(solved), "solved_rate": round(len(solved) / len(names), 3) if names else 0.0,
        "successes": successes, "success_rate": round(successes / len(results), 3) if results else 0.0,
        "success_ci95": [round(low, 3), round(high, 3)],
        "finished": sum(r.finished for r in results),
        "solved_finished": sum(r.success and r.finished for r in results),
        "tokens": sum(r.tokens for r in results), "cost": round(sum(r.cost for r in results), 6),
        "seconds": round(sum(r.seconds for r in results), 1),
        "median_seconds_per_step": round(statistics.median(per_step), 2) if per_step else None,
        "time": _time(results),
    }


def _time(results: Sequence[Result]) -> dict[str, Any] | None:
    """Where the timed steps' time went (attempts run in this process): the median step, each part's share of
    all their seconds, and the share of prompt tokens taken from the KV cache. ``None`` when no step was timed."""
    steps = [seconds for r in results for seconds in r.step_seconds]
    if not steps:
        return None
    total = StepTiming.total(r.timing for r in results if r.timing is not None)
    return {"median_step_seconds": round(statistics.median(steps), 2), "steps": len(steps),
            "seconds": round(total.seconds, 1), "shares": {k: round(v, 3) for k, v in total.shares().items()},
            "cache_hit": round(total.cached_tokens / total.prompt_tokens, 3) if total.prompt_tokens else 0.0,
            "prompt_tokens": total.prompt_tokens, "cached_tokens": total.cached_tokens,
            "completion_tokens": total.completion_tokens}


def time_line(time: dict[str, Any]) -> str:
    """``median step 31.2 s · prompt eval 38% · generation 52% (sampling 9%) · model other 1% · tools 6% · ours 4% ·
    cache hit 85% of prompt tokens``"""
    share = time["shares"]
    return (f"median step {time['median_step_seconds']:.1f} s · prompt eval {_percent(share['prompt'])} · "
            f"generation {_percent(share['generation'])} (sampling {_percent(share['sampling'])}) · "
            f"model other {_percent(share['model_other'])} · tools {_percent(share['tools'])} · "
            f"ours {_percent(share['ours'])} · cache hit {_percent(time['cache_hit'])} of prompt tokens")


def summarise(results: Sequence[Result]) -> dict[str, Any]:
    """Every attempt's counts, overall (the top-level keys) and per split (``splits``: ``dev``, ``test``, each
    present only when the run had such challenges).

    ``solved``: challenges any attempt of which passed; ``success_rate``: passing attempts of all attempts, with
    its 95 % Wilson interval ``success_ci95``; ``finished``: attempts whose run ended with ``finish`` (not a
    limit or an error); ``solved_finished``: attempts that passed and finished; ``median_seconds_per_step``:
    the median over attempts that took steps of seconds per step (``None`` when none did); ``time``: where the
    steps' time went (see :func:`time_line`; ``None`` when no step was timed, e.g. another agent's).
    """
    overall = _stats(results)
    overall["splits"] = {split: _stats([r for r in results if r.split == split]) for split in SPLITS
                         if any(r.split == split for r in results)}
    return overall


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def totals_line(label: str, stats: dict[str, Any], width: int = 5) -> str:
    """One line of the totals block: ``dev   18/30 solved · 55% of 90 attempts (95% CI 45–65%) · 80/90 finished``."""
    low, high = wilson_interval(stats["successes"], stats["attempts"])  # unrounded: the JSON keeps 3 decimals
    line = (f"{label:<{width}} {stats['solved']}/{stats['challenges']} solved · {_percent(stats['success_rate'])} of "
            f"{stats['attempts']} attempt{'s' if stats['attempts'] != 1 else ''} (95% CI "
            f"{low * 100:.0f}–{high * 100:.0f}%) · {stats['finished']}/{stats['attempts']} finished")
    unfinished = stats["successes"] - stats["solved_finished"]
    if unfinished:
        line += f" · {unfinished} passed without finishing"
    return line


def totals_lines(summary: dict[str, Any]) -> list[str]:
    """The totals block: a line per split the run had, then ``all``, then tokens and time, then where the steps'
    time went (when they were timed)."""
    lines = [totals_line(split, stats) for split, stats in summary["splits"].items()]
    lines.append(totals_line("all", summary))
    per_step = summary["median_seconds_per_step"]
    lines.append(f"{summary['tokens']} tokens · ${summary['cost']:.4f} · {summary['seconds']:.0f} s of agent time"
                 + (f" · median {per_step:.1f} s a step" if per_step is not None else ""))
    if summary.get("time"):
        lines.append(time_line(summary["time"]))
    return lines


def challenge_table(challenges: Iterable[Any], results: Sequence[Result], title: str | None = None) -> Table:
    """One row per challenge (dev first, then test, then any others, each in the given order): split, category,
    difficulty, attempts solved and finished, and per attempt the mean steps, tokens and seconds. A ``*`` marks
    a challenge solved by an attempt that did not finish (the right files were there when a limit ended it)."""
    order = {split: i for i, split in enumerate(SPLITS)}
    table = Table("Challenge", "Split", "Category", "Difficulty", "Solved", "Finished", "Steps", "Tokens", "Time",
                  title=title, caption_justify="left")
    marked = repeated = False
    for challenge in sorted(challenges, key=lambda c: order.get(c.split, len(SPLITS))):  # a stable sort
        mine = [r for r in results if r.name == challenge.name]
        if not mine:
            continue
        n, solved = len(mine), sum(r.success for r in mine)
        unfinished = any(r.success and not r.finished for r in mine)
        marked, repeated = marked or unfinished, repeated or n > 1
        style = "green" if solved == n and not unfinished else "red" if not solved else "yellow"
        table.add_row(escape(challenge.name), challenge.split or "-", escape(", ".join(challenge.category)),
                      escape(challenge.info.difficulty), f"[{style}]{solved}/{n}{'*' if unfinished else ''}[/{style}]",
                      f"{sum(r.finished for r in mine)}/{n}", f"{sum(r.steps for r in mine) / n:.0f}",
                      f"{sum(r.tokens for r in mine) / n:.0f}", f"{sum(r.seconds for r in mine) / n:.0f} s")
    notes = ["* solved by an attempt that did not finish (the files were right when a limit ended it)."] if marked else []
    notes += ["Steps, tokens and time: means per attempt."] if repeated else []
    table.caption = " ".join(notes) or None
    return table
