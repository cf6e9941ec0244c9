"""The Python environment code runs with: the standard library plus a few data packages and pytest, and nothing of
ours.

By default the sandbox runs the base interpreter, which has only the standard library. Asked to work with a CSV
file, small models write pandas first almost every time (the embedded model did in most data challenges of the
benchmark, and retried it after the error), so ``autogpt sandbox setup`` (run by ``scripts/install.sh``) makes a
separate virtual environment in the cache folder with :data:`DATA_PACKAGES`. pytest is one of them: models
that write a module write its tests for pytest (and fail again and again on ``import pytest`` without it), and
``execute_python_file`` runs a ``test_*.py`` file with it. When it exists and
``sandbox_python`` is not set, the sandbox uses it, mounted read-only like the interpreter. It is not the
environment autogpt itself runs in: code in the sandbox sees no API client, no configuration and no secrets.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from autogpt.errors import ConfigError

DATA_PACKAGES = ["pandas", "numpy", "pytest"]
FOLDER = "sandbox-python"


def environment_python(cache_dir: Path) -> Path:
    return cache_dir / FOLDER / "bin" / "python"


def sandbox_interpreter(configured: str | None, cache_dir: Path) -> str | None:
    """The interpreter code runs with: the configured one, else the sandbox environment if it was set up, else
    ``None`` (the base interpreter: the standard library only)."""
    if configured:
        return configured
    python = environment_python(cache_dir)
    return str(python) if python.exists() else None


def create_environment(cache_dir: Path, packages: list[str] | None = None, *, pip_args: list[str] | None = None) -> Path:
    """Make (or update) the sandbox environment with ``packages``; returns its interpreter.

    The packages are installed by this interpreter's pip (``pip --python``), so the environment itself holds
    no pip. Raises :class:`ConfigError` with pip's message when they cannot be installed.
    """
    folder = cache_dir / FOLDER
    python = environment_python(cache_dir)
    if not python.exists():
        venv.EnvBuilder(with_pip=False, symlinks=True, clear=True).create(folder)
    wanted = DATA_PACKAGES if packages is None else packages
    if wanted:
        command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--disable-pip-version-check",
                   "--no-input", "-q", *(pip_args or []), *wanted]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ConfigError(f"Could not install {', '.join(wanted)} into {folder}:\n"
                              f"{(done.stderr or done.stdout).strip()[-2000:]}")
    return python
