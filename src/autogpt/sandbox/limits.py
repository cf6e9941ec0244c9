"""Running one process tree under limits: rlimits, a cgroup where we may make one, a wall-clock timeout
that kills the whole tree, and caps on how much output is kept.

RLIMIT_NPROC means nothing to root, so as root the process count (and total memory) is bounded by a
cgroup (v1 ``pids``/``memory`` controllers, or v2), which also lets us kill every process of the tree,
even those that left its session.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import time
import uuid
from pathlib import Path

from autogpt.sandbox.base import Limits, SandboxResult

CGROUP_ROOT = Path("/sys/fs/cgroup")
_MB = 1024 * 1024


class Cgroup:
    """A cgroup for one command: a process limit and a memory limit, and a way to kill everything in it."""

    def __init__(self, paths: list[Path], v2: bool) -> None:
        self.paths, self.v2 = paths, v2

    @classmethod
    def create(cls, limits: Limits) -> Cgroup | None:
        """A new cgroup with the limits applied, or ``None`` where we may not create one (not root...)."""
        name = f"autogpt-{uuid.uuid4().hex[:12]}"
        made: list[Path] = []
        try:
            if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2
                parent = CGROUP_ROOT / "autogpt"
                parent.mkdir(exist_ok=True)
                for level in (CGROUP_ROOT, parent):
                    (level / "cgroup.subtree_control").write_text("+pids +memory")
                path = parent / name
                path.mkdir()
                made.append(path)
                (path / "pids.max").write_text(str(limits.processes))
                (path / "memory.max").write_text(str(limits.memory_mb * _MB))
                (path / "memory.swap.max").exists() and (path / "memory.swap.max").write_text("0")
                return cls(made, v2=True)
            for controller, settings in (
                ("pids", {"pids.max": str(limits.processes)}),
                ("memory", {"memory.limit_in_bytes": str(limits.memory_mb * _MB)}),
            ):
                path = CGROUP_ROOT / controller / "autogpt" / name
                path.mkdir(parents=True)
                made.append(path)
                for key, value in settings.items():
                    (path / key).write_text(value)
            return cls(made, v2=False)
        except OSError:
            for path in made:
                with contextlib.suppress(OSError):
                    path.rmdir()
            return None

    def enter(self) -> None:
        """Move the calling process into the cgroup (called in the child before exec)."""
        pid = str(os.getpid())
        for path in self.paths:
            (path / "cgroup.procs").write_text(pid)

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            with contextlib.suppress(OSError, ValueError):
                found.update(int(p) for p in (path / "cgroup.procs").read_text().split())
        return found

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the cgroup for memory (not merely reclaimed page cache)."""
        for path in self.paths:
            # v2: memory.events; v1: memory.oom_control (Linux 4.13+). Not v1's memory.failcnt: it counts every
            # time the limit was touched, which writing a few files' worth of page cache already does.
            name = "memory.events" if self.v2 else "memory.oom_control"
            with contextlib.suppress(OSError, ValueError):
                if (path / name).exists():
                    fields = dict(line.split()[:2] for line in (path / name).read_text().splitlines() if line.strip())
                    return int(fields.get("oom_kill", 0)) > 0
        return False

    def kill_all(self) -> None:
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        self.kill_all()
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


def _set_rlimits(limits: Limits) -> None:
    caps = {
        resource.RLIMIT_CPU: limits.cpu_seconds,
        resource.RLIMIT_AS: limits.memory_mb * _MB,
        resource.RLIMIT_FSIZE: limits.file_size_mb * _MB,
        resource.RLIMIT_NOFILE: limits.open_files,
        resource.RLIMIT_CORE: 0,
    }
    if os.geteuid() != 0:  # counts all of the user's processes: only meaningful (and safe) when not root
        caps[resource.RLIMIT_NPROC] = max(limits.processes, 1)
    for which, value in caps.items():
        hard = resource.getrlimit(which)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


async def run_limited(
    argv: list[str], *, cwd: Path, env: dict[str, str], stdin: bytes | None, limits: Limits, use_cgroup: bool = True,
) -> tuple[SandboxResult, bool]:
    """Run ``argv`` in a new session under ``limits``; returns the result and whether a cgroup was used.

    Whatever happens, every process the command started is gone when this returns.
    """
    cgroup = Cgroup.create(limits) if use_cgroup else None

    def in_child() -> None:
        if cgroup is not None:
            cgroup.enter()
        _set_rlimits(limits)

    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=env, start_new_session=True, preexec_fn=in_child,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
    except BaseException:  # the program is missing, the cgroup refused it...: do not leave the cgroup behind
        if cgroup is not None:
            cgroup.remove()
        raise
    killed: list[str] = []

    def kill_tree(reason: str) -> None:
        if not killed:
            killed.append(reason)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if cgroup is not None:
            cgroup.kill_all()

    out, err = bytearray(), bytearray()

    async def collect(stream: asyncio.StreamReader, kept: bytearray) -> None:
        while chunk := await stream.read(65536):
            if len(kept) + len(chunk) > limits.output_bytes:
                kept += chunk[: limits.output_bytes - len(kept)]
                kill_tree("output limit")
                return
            kept += chunk

    async def feed() -> None:
        if stdin is not None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(stdin)
                await proc.stdin.drain()
            proc.stdin.close()

    assert proc.stdout is not None and proc.stderr is not None
    work = asyncio.gather(collect(proc.stdout, out), collect(proc.stderr, err), feed(), proc.wait())
    try:
        await asyncio.wait_for(asyncio.shield(work), timeout=limits.timeout)
    except TimeoutError:
        kill_tree("timeout")
    except asyncio.CancelledError:
        kill_tree("cancelled")
        raise
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftover background processes of the session
        if cgroup is not None:
            cgroup.kill_all()
        # A process that escaped the session (weak sandbox, no cgroup) may still hold the pipes open:
        # give the readers a moment to see end-of-file, then stop reading.
        try:
            await asyncio.wait_for(asyncio.shield(work), timeout=2)
        except (TimeoutError, asyncio.CancelledError):
            work.cancel()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), timeout=2)
        if cgroup is not None:
            if not killed and cgroup.oom_killed():
                killed.append("memory limit")
            cgroup.remove()
    code = proc.returncode
    result = SandboxResult(
        exit_code=None if killed or (code is not None and code < 0) else code,
        stdout=bytes(out).decode("utf-8", errors="replace"),
        stderr=bytes(err).decode("utf-8", errors="replace"),
        seconds=time.monotonic() - started,
        killed=killed[0] if killed else None,
        signal=-code if code is not None and code < 0 else None,
    )
    return result, cgroup is not None
