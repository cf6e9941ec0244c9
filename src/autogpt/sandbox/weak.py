"""The weak fallback, only with ``sandbox: allow_weak``: no network, an empty environment and the same
limits and timeout, but the host's file system (the command runs as this user, in the workspace folder).
It protects against accidents, not against code written to do harm.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from autogpt.sandbox.base import Layer, Limits, Sandbox, SandboxResult
from autogpt.sandbox.bubblewrap import SANDBOX_ENV
from autogpt.sandbox.limits import Cgroup, WorkspaceQuota, run_limited


def _no_network_prefix() -> list[str]:
    """``unshare`` into a new network namespace: as root directly, otherwise through a user namespace."""
    if not shutil.which("unshare"):
        return []
    return ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "--map-root-user"]


@dataclass
class WeakSandbox(Sandbox):
    name: str = "weak (unshare + rlimits)"

    @property
    def workspace_path(self) -> str:
        return "."

    async def run(
        self, argv: list[str], workspace: Path, *, stdin: bytes | None = None, limits: Limits | None = None
    ) -> SandboxResult:
        env = {**SANDBOX_ENV, "HOME": str(workspace), "TMPDIR": str(workspace)}
        limits = limits or self.limits
        result, _ = await run_limited(
            [*_no_network_prefix(), *argv], cwd=workspace, env=env, stdin=stdin, limits=limits,
            quota=WorkspaceQuota.for_limits(workspace.resolve(), limits),
        )
        return result

    def layers(self) -> list[Layer]:
        cgroup = Cgroup.create(self.limits)
        if cgroup is not None:
            cgroup.remove()
        lim = self.limits
        return [
            Layer("file system isolation", False, "NOT PROTECTED: the command can read and write whatever this "
                  "user can (install bubblewrap for a real sandbox)"),
            Layer("seccomp system-call filter", False, "NOT PROTECTED: the kernel keyring, set-uid files, io_uring "
                  "and the rest of the kernel's surface are open (install bubblewrap for a real sandbox)"),
            Layer("network namespace (unshare)", bool(_no_network_prefix()), "no network access"),
            Layer("empty environment", True, "API keys and tokens of the parent process are not visible"),
            Layer(f"rlimits: {lim.cpu_seconds} s CPU, {lim.memory_mb} MB memory, {lim.file_size_mb} MB files",
                  True, "CPU spins, memory bombs, huge files"),
            Layer(f"cgroup: {lim.processes} processes", cgroup is not None, "fork bombs; kills leftover processes"),
            Layer(f"timeout {lim.timeout:g} s", True, "commands that never end: the process group is killed"),
            Layer(f"workspace quota: {lim.workspace_mb} MB, {lim.workspace_files} files", True,
                  "filling the disk through the workspace (not elsewhere: the file system is the host's)"),
        ]
