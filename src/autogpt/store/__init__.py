"""Persistence: what a run leaves behind on disk."""

from autogpt.store.runlog import RunLog

__all__ = ["RunLog"]
