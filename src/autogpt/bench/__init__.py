"""``autogpt bench``: run challenges in agbenchmark's format against this agent (or any Agent Protocol
server) and score the files it leaves. See ``benchmarks/challenges/README.md`` for the format."""

from autogpt.bench.challenge import Challenge, load_challenge, load_challenges
from autogpt.bench.evaluate import Evaluation, evaluate
from autogpt.bench.report import summarise, wilson_interval
from autogpt.bench.runner import Result, run_attempt
from autogpt.bench.suite import run_suite

__all__ = ["Challenge", "Evaluation", "Result", "evaluate", "load_challenge", "load_challenges", "run_attempt",
           "run_suite", "summarise", "wilson_interval"]
