"""Join several ``autogpt bench`` runs of the same suite, model and settings into one report.

A long suite can be run in parts: the first attempts one day, attempts 2 and 3 later with ``--first-attempt 2``
(and the same ``--seed``), each in its own results folder. This prints the joined totals per split (solved,
success rate with its 95 % interval, finished) and writes the joined ``results.json``:

    python benchmarks/merge_runs.py runs/a/results.json runs/b/results.json --out runs/all.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autogpt.bench.report import totals_lines
from autogpt.bench.suite import merge_results
from autogpt.errors import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="results.json files of `autogpt bench` runs")
    parser.add_argument("--out", type=Path, help="write the joined results.json here")
    args = parser.parse_args(argv)
    try:
        runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.runs]
        merged = merge_results(runs)
    except (OSError, ValueError, KeyError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in totals_lines(merged["summary"]):
        print(line)
    if args.out:
        args.out.write_text(json.dumps(merged, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
