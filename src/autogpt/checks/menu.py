"""The menu (``full``): for small models the reply grammar offers only commands that can work now."""

from __future__ import annotations

from autogpt.checks.base import Situation, Stage, Verdict, check, narrow

_LISTED = 100  # with more files than this, read_file's path stays free


@check("read_existing", Stage.MENU, "full")
def read_existing(s: Situation) -> Verdict | None:
    """Tools that read a workspace file may name only files that exist (small models read made-up names)."""
    readers = [tool.name for tool in s.tools if tool.reads == "path"]
    if not readers:
        return None
    files = s.workspace.files(limit=_LISTED + 1)
    if len(files) > _LISTED:
        return None
    if not files:
        return narrow(leave_out=set(readers), report=False)
    return narrow(choices={name: ("path", files) for name in readers}, report=False)


@check("url_first", Stage.MENU, "full")
def url_first(s: Situation) -> Verdict | None:
    """Goals that give web addresses start by reading one of them (code in the sandbox cannot fetch them)."""
    if s.acts or not s.spec.urls:
        return None
    reader = next((tool for tool in s.tools if tool.reads == "url"), None)
    if reader is None:
        return None
    return narrow(only={reader.name}, choices={reader.name: ("url", list(s.spec.urls))}, report=False)


@check("finish_next", Stage.MENU, "full")
def finish_next(s: Situation) -> Verdict | None:
    """Right after the last file the goals ask for was written (or a file they say to change was changed), the next
    step finishes or checks its work: it may read, or run code when the goals ask for code, not write again (small
    models rework a right result until it is wrong, or wander off)."""
    last = s.acts[-1] if s.acts else None
    if last is None or not last.executed or not last.ok or not s.spec.completed_by(last.changed, s.exists):
        return None
    # Code may run when the goals ask for code (to test it); else a program is one more way to write again.
    writers = {tool.name for tool in s.tools if tool.writes or tool.untrusted or (tool.runs_code and not s.spec.code)}
    return narrow(leave_out=writers, report=False)
