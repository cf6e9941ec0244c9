"""Shared fixtures: every test runs in its own folder with its own autogpt data dir (so its own memory).

The model cache (AUTOGPT_CACHE_DIR) is deliberately left alone: real-model tests use the default cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def autogpt_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point AUTOGPT_DATA_DIR at a fresh folder and chdir into tmp_path (so no stray .env is read)."""
    data = tmp_path / "autogpt-data"
    monkeypatch.setenv("AUTOGPT_DATA_DIR", str(data))
    # A run's review (the reward and lessons, autogpt.memory.lessons) is one more model call after the run.
    # Scripted runs would have to script it, so it is off unless a test turns it on (tests/test_lessons.py).
    monkeypatch.setenv("AUTOGPT_LESSONS", "false")
    monkeypatch.chdir(tmp_path)
    return data
