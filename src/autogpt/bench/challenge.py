"""Challenges in AutoGPT's agbenchmark format: one folder per challenge with a ``data.json``.

    <folder>/data.json         name, task, category, cutoff, dependencies, info, ground
    <folder>/artifacts_in/     copied into the workspace before the agent starts
    <folder>/artifacts_in/www/ served on 127.0.0.1 instead; ``{{url}}`` in the task becomes its address
    <folder>/artifacts_out/    a reference solution (the suite's self-test evaluates it)
    <folder>/custom_python/    checkers copied into the workspace before evaluation

A suite is split in two: ``dev/`` (the challenges the agent is tuned on) and ``test/`` (held out, for reporting
only). A challenge's split is the name of the nearest folder above it called ``dev`` or ``test``, searched up to
the folder the suite was loaded from (included), and at least up to ``<split>/<category>/<Name>``; ``""`` when
there is none.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from autogpt.errors import ConfigError

SPLITS = ("dev", "test")
DIFFICULTIES = ("trivial", "basic", "novice", "intermediate", "advanced", "hard", "expert", "human")


class EvalSpec(BaseModel):
    type: Literal["file", "python", "pytest", "llm"] = "file"
    scoring: Literal["binary", "percentage", "scale"] | None = None
    template: Literal["rubric", "reference", "question", "custom"] | None = None
    examples: str | None = None


class Ground(BaseModel):
    answer: str = ""
    should_contain: list[str] = Field(default_factory=list)
    should_not_contain: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    case_sensitive: bool = True
    eval: EvalSpec = Field(default_factory=EvalSpec)


class Info(BaseModel):
    difficulty: str = "basic"
    description: str = ""
    side_effects: list[str] = Field(default_factory=list)


class Challenge(BaseModel):
    name: str
    task: str
    category: list[str] = Field(default_factory=list)
    cutoff: float = 120
    dependencies: list[str] = Field(default_factory=list)
    eval_id: str = ""
    info: Info = Field(default_factory=Info)
    ground: Ground = Field(default_factory=Ground)
    folder: Path = Field(default=Path("."), exclude=True)
    split: str = Field(default="", exclude=True)  # "dev", "test" or "": set by the loader from the folders

    @property
    def artifacts_in(self) -> Path:
        return self.folder / "artifacts_in"

    @property
    def artifacts_out(self) -> Path:
        return self.folder / "artifacts_out"

    @property
    def custom_python(self) -> Path:
        return self.folder / "custom_python"

    @property
    def www(self) -> Path:
        return self.artifacts_in / "www"


def split_of(folder: Path, root: Path | None = None) -> str:
    """``"dev"`` or ``"test"``: the name of the nearest folder above the challenge's ``folder`` that has one of those
    names, looking up to ``root`` (the folder the suite is loaded from, itself included) and at least two folders up
    (the ``<split>/<category>/<Name>`` layout, for a challenge or category loaded on its own); ``""`` if none."""
    folder = folder.resolve()
    above = list(folder.parents)
    depth = 2
    if root is not None and root.resolve() in above:
        depth = max(depth, above.index(root.resolve()) + 1)
    return next((p.name for p in above[:depth] if p.name in SPLITS), "")


def load_challenge(path: Path, root: Path | None = None) -> Challenge:
    """Read one ``data.json`` (or the folder holding it); a broken file is a :class:`ConfigError` naming it.
    ``root``: the suite's folder, for the challenge's split (see :func:`split_of`)."""
    data_json = path / "data.json" if path.is_dir() else path
    try:
        data = json.loads(data_json.read_text(encoding="utf-8"))
        challenge = Challenge.model_validate(data)
    except (OSError, ValueError) as exc:
        problem = str(exc).splitlines()[0] if not isinstance(exc, ValidationError) else "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3])
        raise ConfigError(f"Bad challenge {data_json}: {problem}") from None
    challenge.folder = data_json.parent
    challenge.split = split_of(challenge.folder, root)
    return challenge


def load_challenges(paths: list[Path], categories: list[str] | None = None, split: str | None = None) -> list[Challenge]:
    """Every challenge under ``paths`` (folders are searched for ``data.json``), sorted by name; dependencies
    come before the challenges that need them. ``categories`` and ``split`` (``"dev"`` or ``"test"``) choose."""
    if split is not None and split not in SPLITS:
        raise ConfigError(f"No split {split!r}: choose {' or '.join(SPLITS)}.")
    found: dict[str, Challenge] = {}
    for root in paths:
        if not root.exists():
            raise ConfigError(f"No such challenge folder or file: {root}")
        files = [root] if root.is_file() else sorted(root.rglob("data.json"))
        for data_json in files:
            challenge = load_challenge(data_json, root if root.is_dir() else None)
            if challenge.name in found and found[challenge.name].folder != challenge.folder:
                raise ConfigError(f"Two challenges are named {challenge.name!r}: {found[challenge.name].folder} "
                                  f"and {challenge.folder}")
            found[challenge.name] = challenge
    chosen = [c for c in found.values() if (not categories or set(categories) & set(c.category))
              and (split is None or c.split == split)]
    return _dependencies_first(sorted(chosen, key=lambda c: c.name))


def _dependencies_first(challenges: list[Challenge]) -> list[Challenge]:
    by_name = {c.name: c for c in challenges}
    ordered: list[Challenge] = []
    seen: set[str] = set()

    def visit(c: Challenge) -> None:
        if c.name in seen:
            return
        seen.add(c.name)
        for name in c.dependencies:
            if name in by_name:
                visit(by_name[name])
        ordered.append(c)

    for challenge in challenges:
        visit(challenge)
    return ordered


def suite_version(challenges: list[Challenge]) -> str:
    """A short hash of every challenge's files: two runs with the same version ran the same suite."""
    digest = hashlib.sha256()
    for challenge in sorted(challenges, key=lambda c: c.name):
        _hash_files(digest, challenge)
    return digest.hexdigest()[:12]


def challenge_version(challenge: Challenge) -> str:
    """A short hash of one challenge's files (runs of parts of a suite are joined by these)."""
    return _hash_files(hashlib.sha256(), challenge).hexdigest()[:12]


def _hash_files(digest: Any, challenge: Challenge) -> Any:
    for file in sorted(p for p in challenge.folder.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(challenge.folder)).encode())
        digest.update(file.read_bytes())
    return digest
