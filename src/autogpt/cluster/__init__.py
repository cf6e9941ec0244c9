"""Many goals at once: ``autogpt batch`` (:mod:`.jobs`), and Ray as the execution engine (:mod:`.raycluster`,
the ``ray`` extra)."""

from autogpt.cluster.jobs import Job, create_tasks, read_jobs, result_line, run_local, run_task

__all__ = ["Job", "create_tasks", "read_jobs", "result_line", "run_local", "run_task"]
