"""The sandbox interface: run a command on the task's workspace, isolated and limited.

Two implementations: :class:`~autogpt.sandbox.bubblewrap.BubblewrapSandbox` (the default; a real boundary
without Docker) and :class:`~autogpt.sandbox.weak.WeakSandbox` (no network and the same limits, but the
file system is the host's: only with ``sandbox: allow_weak``). :func:`create_sandbox` picks one.
"""

from __future__ import annotations

import abc
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autogpt.errors import SandboxUnavailableError

INSTALL_HINT = (
    "Code runs only inside a sandbox, and bubblewrap is not installed. Install it "
    "(Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap), "
    "or accept weaker isolation (no network, limits, but the host's file system) with "
    "AUTOGPT_SANDBOX=allow_weak."
)


@dataclass(frozen=True)
class Limits:
    """What one sandboxed command may use."""

    timeout: float = 60.0  # wall clock, seconds; then the whole process tree is killed
    cpu_seconds: int = 60
    memory_mb: int = 1024  # address space per process, and the cgroup's memory limit where available
    file_size_mb: int = 64  # largest file it may write
    tmp_mb: int = 64  # size of its private /tmp
    processes: int = 64  # cgroup pids.max (root) or RLIMIT_NPROC (others)
    open_files: int = 256
    output_bytes: int = 1_000_000  # stdout and stderr each; more and the command is stopped
    workspace_mb: int = 1024  # the workspace's quota: bytes in all its files (see limits.WorkspaceQuota)...
    workspace_files: int = 100_000  # ...and how many files and folders it may hold


@dataclass
class SandboxResult:
    exit_code: int | None  # None if it was killed
    stdout: str
    stderr: str
    seconds: float
    killed: str | None = None  # why it was stopped: "timeout", "output limit"; None if it exited by itself
    signal: int | None = None  # the signal that ended it, if any

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.killed is None


@dataclass(frozen=True)
class Layer:
    """One layer of isolation, for ``autogpt sandbox check``."""

    name: str
    active: bool
    protects: str


@dataclass
class Sandbox(abc.ABC):
    limits: Limits = field(default_factory=Limits)
    #: extra host paths the sandbox may read (e.g. a virtual environment with more packages)
    read_only_paths: list[Path] = field(default_factory=list)
    #: the Python interpreter commands use: the base interpreter (standard library only) by default
    python: str = field(default_factory=lambda: base_python())

    name: str = "sandbox"

    @abc.abstractmethod
    async def run(
        self, argv: list[str], workspace: Path, *, stdin: bytes | None = None, limits: Limits | None = None
    ) -> SandboxResult:
        """Run ``argv`` with the workspace as its current directory."""

    @abc.abstractmethod
    def layers(self) -> list[Layer]:
        """What isolates a command here, and what each layer protects."""

    @property
    def workspace_path(self) -> str:
        """Where the workspace appears to the command."""
        return "/workspace"


def base_python() -> str:
    """The interpreter behind this one, outside any virtual environment: it sees only the standard library."""
    candidate = os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable)
    return candidate if os.path.exists(candidate) else os.path.realpath(sys.executable)


def create_sandbox(mode: str = "strict", *, limits: Limits | None = None, read_only_paths: list[Path] | None = None,
                   python: str | None = None) -> Sandbox:
    """The sandbox for this machine: bubblewrap with its system-call filter; bubblewrap without the filter
    (libseccomp missing), or the weak fallback (bubblewrap missing), only when ``mode == "allow_weak"``."""
    from autogpt.sandbox import seccomp
    from autogpt.sandbox.bubblewrap import BubblewrapSandbox, bubblewrap_works
    from autogpt.sandbox.weak import WeakSandbox

    kwargs = {"limits": limits or Limits(), "read_only_paths": list(read_only_paths or [])}
    if python:
        kwargs["python"] = python
    if shutil.which("bwrap") and bubblewrap_works():
        problem = seccomp.unavailable_reason()
        if problem is not None and mode != "allow_weak":
            raise SandboxUnavailableError(seccomp.SECCOMP_HINT.format(reason=problem))
        return BubblewrapSandbox(**kwargs, require_seccomp=problem is None)  # type: ignore[arg-type]
    if mode == "allow_weak":
        return WeakSandbox(**kwargs)  # type: ignore[arg-type]
    raise SandboxUnavailableError(INSTALL_HINT)
